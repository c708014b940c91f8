/**
 * The lab library: scenarios and exercises a person saves, tags, searches, trashes and shares
 * as files; autosaves of the open document for crash recovery; runs with their grades; and
 * the built-in items seeded from resources/library. One `Library` wraps an open store
 * (database.ts). Every write that touches more than one row runs in one IMMEDIATE
 * transaction, so a crash or a refusal leaves nothing half-written, and two processes on one
 * file serialize on SQLite's write lock (busy_timeout) instead of failing mid-way.
 * docs/library.md describes the behaviour; docs/file-format.md the files.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { type Grade, grade } from '../../shared/exercise/goals';
import { type RunSummary, RunSummarySchema } from '../../shared/exercise/run-summary';
import { type Exercise, ExerciseSchema } from '../../shared/exercise/schema';
import { canonicalJson } from '../../shared/files/canonical';
import {
  type ExerciseItem,
  fileItems,
  MAX_FILE_BYTES,
  makeFile,
  type ScenarioItem,
  serializeFile,
} from '../../shared/files/format';
import {
  describeIssues,
  type FileIssue,
  flattenIssues,
  nestingProblem,
  parseFile,
  utf8Length,
} from '../../shared/files/parse';
import { parseScenario, type Scenario, ScenarioSchema } from '../../shared/scenario/schema';
import { catalogIssues } from './catalog-check';
import { type OpenOptions, openStore } from './database';

/** What went wrong, for the API layer to map. */
export type LibraryErrorCode = 'not-found' | 'conflict' | 'invalid' | 'too-large' | 'busy' | 'read-only';

/** An error with a code and a sentence naming what is wrong. */
export class LibraryError extends Error {
  /** The kind of failure. */
  readonly code: LibraryErrorCode;
  /** For `invalid`: each problem with its JSON path. */
  readonly issues: FileIssue[];
  constructor(
    code: LibraryErrorCode,
    message: string,
    options: { issues?: FileIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LibraryError';
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

/** The two kinds of library item. */
export type ItemKind = 'scenario' | 'exercise';

/** An item as lists show it (no document body). */
export interface ItemSummary {
  /** Stable id (`sc_...` for scenarios, `ex_...` for exercises). */
  id: string;
  /** Scenario or exercise. */
  kind: ItemKind;
  /** The scenario's name or the exercise's title. */
  name: string;
  /** One paragraph shown in the library. */
  description: string;
  /** Labels, in the order they were added. */
  tags: string[];
  /** The scenario's topic. */
  topic: string;
  /** The scenario's protocol. */
  protocol: string;
  /** Nodes in the topology. */
  nodeCount: number;
  /** Bumped by every change to the document; saves must name the revision they started from. */
  revision: number;
  /** When the item was created (ms since the epoch, from the library's clock). */
  createdAt: number;
  /** When the document or its metadata last changed. */
  updatedAt: number;
  /** When it was last opened (null: never). */
  openedAt: number | null;
  /** When it was moved to the trash (null: not in the trash). */
  trashedAt: number | null;
  /** True for an item seeded from the built-in library (read-only: save a copy instead). */
  builtin: boolean;
  /**
   * True for a built-in whose document differs from the version shipped: edited by a DSLab
   * from before built-ins were read-only. `restoreBuiltin` puts the shipped version back.
   */
  builtinEdited: boolean;
  /** True when an autosave newer than the saved document exists. */
  hasAutosave: boolean;
}

/** A scenario with its document. */
export interface ScenarioRecord extends ItemSummary {
  /** Always `scenario`. */
  kind: 'scenario';
  /** The validated scenario. */
  scenario: Scenario;
}

/** An exercise with its document. */
export interface ExerciseRecord extends ItemSummary {
  /** Always `exercise`. */
  kind: 'exercise';
  /** The validated exercise. */
  exercise: Exercise;
}

/** Either record. */
export type ItemRecord = ScenarioRecord | ExerciseRecord;

/** How to list items. */
export interface ListOptions {
  /** Only this kind (default: both). */
  kind?: ItemKind;
  /** `false` (default): items not in the trash; `true`: only the trash. */
  trash?: boolean;
  /** Only items with this tag (case-insensitive). */
  tag?: string;
  /** Sort key (default `updated`). */
  sort?: 'updated' | 'name' | 'created' | 'opened';
  /** Sort order (default: `asc` for name, `desc` otherwise). */
  order?: 'asc' | 'desc';
  /** Page size, 1..10,000 (default 100). */
  limit?: number;
  /** Items to skip (default 0). */
  offset?: number;
}

/** One page of a list. */
export interface ListPage {
  /** The items of this page. */
  items: ItemSummary[];
  /** How many items match in all. */
  total: number;
}

/** Metadata given with a new item. */
export interface ItemMeta {
  /** One paragraph ('' default). */
  description?: string;
  /** Labels ([] default). */
  tags?: string[];
}

/** An autosave found at startup: the open document as it was when the app stopped. */
export interface AutosaveRecord {
  /** The item it belongs to. */
  id: string;
  /** The item's kind. */
  kind: ItemKind;
  /** The item's saved name. */
  name: string;
  /** When the autosave was written. */
  savedAt: number;
  /** The item's revision when the autosave was written. */
  baseRevision: number;
  /** The item's revision now (differs when it was saved elsewhere since). */
  currentRevision: number;
  /** The document as autosaved (not necessarily valid: the person may have been mid-edit). */
  doc: unknown;
  /** Null when the document validates; otherwise why not. */
  problem: string | null;
}

/** A recorded run. */
export interface RunRecord {
  /** Stable id (`run_...`). */
  id: string;
  /** The scenario or exercise it ran. */
  itemId: string;
  /** The item's revision at the time of the run. */
  revision: number;
  /** The seed. */
  seed: number;
  /** How it ended. */
  outcome: string;
  /** The learner the run was graded for (null: none). */
  learner: string | null;
  /** For an exercise: whether every goal passed (null for a scenario). */
  passed: boolean | null;
  /** The run summary (metrics, checker verdicts, event counts). */
  summary: RunSummary;
  /** For an exercise: each goal's result (null for a scenario). */
  grade: Grade | null;
  /** When it was recorded. */
  createdAt: number;
}

/** What an import created. */
export interface ImportResult {
  /** New scenarios, in file order. */
  scenarios: ItemSummary[];
  /** New exercises, in file order. */
  exercises: ItemSummary[];
  /** The schemaVersion the file declared (below current when it was migrated). */
  fromVersion: number;
}

/** One built-in library file, as read from resources/library. */
export interface BuiltinFile {
  /** File name, for messages. */
  name: string;
  /** Its text. */
  text: string;
}

/** What restoring a built-in did. */
export interface RestoreBuiltinResult {
  /** The built-in, as shipped again. */
  item: ItemSummary;
  /** The person's edited version, kept as their own item (null when nothing differed). */
  copy: ItemSummary | null;
}

/** What seeding the built-ins did, by built-in key. */
export interface SeedReport {
  /** New built-ins inserted. */
  added: string[];
  /** Built-ins the person had not changed, replaced by the new version. */
  updated: string[];
  /** Built-ins the person changed: left as they are. */
  kept: string[];
  /** Built-ins the person deleted: not brought back. */
  skipped: string[];
  /** Already current. */
  unchanged: string[];
  /** Files that could not be seeded, each as `file: reason` (the others still are). */
  refused: string[];
}

/** Options of a library. */
export interface LibraryOptions {
  /** Wall clock in ms (default Date.now); tests pass a fake one. */
  now?: () => number;
  /** Id generator (default: time-sortable prefix + random). */
  newId?: (prefix: 'sc' | 'ex' | 'run') => string;
}

interface ItemRow {
  seq: number;
  id: string;
  kind: ItemKind;
  name: string;
  description: string;
  tags: string;
  topic: string;
  protocol: string;
  node_count: number;
  content_hash: string;
  revision: number;
  created_at: number;
  updated_at: number;
  opened_at: number | null;
  trashed_at: number | null;
  builtin_key: string | null;
  builtin_edited: number;
  has_autosave: number;
}

interface RunRow {
  id: string;
  item_id: string;
  revision: number;
  seed: number;
  outcome: string;
  learner: string | null;
  passed: number | null;
  summary: string;
  grade: string | null;
  created_at: number;
}

/**
 * 1 for a built-in whose document is not the one last seeded (the `builtins` table keeps that
 * version's hash): the person edited it before built-ins were read-only. CASE evaluates the
 * lookup only for built-in rows, so a list of the person's own items pays nothing for it.
 */
const BUILTIN_EDITED = `CASE WHEN i.builtin_key IS NULL THEN 0
  ELSE i.content_hash IS NOT (SELECT b.hash FROM builtins b WHERE b.key = i.builtin_key) END`;

/** The columns lists read: never `doc`. */
const SUMMARY_COLS = `i.seq, i.id, i.kind, i.name, i.description, i.tags, i.topic, i.protocol, i.node_count,
  i.content_hash, i.revision, i.created_at, i.updated_at, i.opened_at, i.trashed_at, i.builtin_key,
  ${BUILTIN_EDITED} AS builtin_edited,
  EXISTS (SELECT 1 FROM autosaves a WHERE a.item_seq = i.seq) AS has_autosave`;

/**
 * The same summary built by SQLite as a JSON object, for lists: a page of 10,000 crosses into
 * JavaScript as 10,000 strings parsed in one JSON.parse, not as row objects of 17 columns
 * (about twice as fast). Keys match ItemSummary.
 */
const SUMMARY_JSON = `json_object('id', i.id, 'kind', i.kind, 'name', i.name, 'description', i.description,
  'tags', json(i.tags), 'topic', i.topic, 'protocol', i.protocol, 'nodeCount', i.node_count,
  'revision', i.revision, 'createdAt', i.created_at, 'updatedAt', i.updated_at, 'openedAt', i.opened_at,
  'trashedAt', i.trashed_at, 'builtin', json(iif(i.builtin_key IS NULL, 'false', 'true')),
  'builtinEdited', json(iif(${BUILTIN_EDITED}, 'true', 'false')),
  'hasAutosave', json(iif(EXISTS (SELECT 1 FROM autosaves a WHERE a.item_seq = i.seq), 'true', 'false')))`;

const MAX_TAGS = 50;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;

function defaultId(prefix: string): string {
  // Time first (base 36, fixed width) so ids sort by creation; random after so two processes
  // creating in the same millisecond do not collide.
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${crypto.randomBytes(6).toString('hex')}`;
}

/**
 * Content hash of what a built-in update may replace: the document, as its canonical JSON
 * (which is how it is stored), and the description. Migration 3 writes the same formula out.
 */
export function contentHash(docJson: string, description: string): string {
  return crypto
    .createHash('sha256')
    .update(docJson)
    .update('\u0000')
    .update(description)
    .digest('hex')
    .slice(0, 32);
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function kindWord(kind: ItemKind): string {
  return kind === 'scenario' ? 'Scenario' : 'Exercise';
}

/** Trims and checks a name. */
function cleanName(name: string): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (n.length === 0) throw new LibraryError('invalid', 'A name cannot be empty.');
  if (n.length > MAX_NAME) throw new LibraryError('invalid', `A name has at most ${MAX_NAME} characters.`);
  return n;
}

/** Trims, checks and de-duplicates tags (case-insensitively, first spelling wins). */
function cleanTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of tags) {
    const t = typeof raw === 'string' ? raw.trim() : '';
    if (t.length === 0) throw new LibraryError('invalid', 'A tag cannot be empty.');
    if (t.length > 40)
      throw new LibraryError('invalid', `The tag "${t.slice(0, 40)}…" is longer than 40 characters.`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[,\u0000-\u001f]/.test(t))
      throw new LibraryError('invalid', `The tag "${t}" has a comma or a control character.`);
    const k = t.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  if (out.length > MAX_TAGS) throw new LibraryError('invalid', `An item has at most ${MAX_TAGS} tags.`);
  return out;
}

function cleanDescription(d: string | undefined): string {
  const text = d ?? '';
  if (typeof text !== 'string' || text.length > MAX_DESCRIPTION)
    throw new LibraryError('invalid', `A description is text of at most ${MAX_DESCRIPTION} characters.`);
  return text;
}

/** A document validated for storage, with the columns lists read. */
interface Prepared {
  kind: ItemKind;
  doc: Scenario | Exercise;
  json: string;
  name: string;
  topic: string;
  protocol: string;
  nodeCount: number;
}

function checkSize(json: string, what: string): void {
  const bytes = json.length * 3 > MAX_FILE_BYTES ? utf8Length(json) : json.length;
  if (bytes > MAX_FILE_BYTES)
    throw new LibraryError(
      'too-large',
      `The ${what} is ${(bytes / 1048576).toFixed(1)} MiB; the library keeps documents of at most ${MAX_FILE_BYTES / 1048576} MiB.`,
    );
}

function toJson(doc: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(doc);
  } catch (err) {
    throw new LibraryError('invalid', `The ${what} cannot be written as JSON (${(err as Error).message}).`);
  }
  if (json === undefined) throw new LibraryError('invalid', `The ${what} is empty.`);
  checkSize(json, what);
  return json;
}

/** Validates a scenario or exercise document. */
export function prepareDoc(kind: ItemKind, doc: unknown): Prepared {
  const what = kind;
  // Nesting before anything recursive (JSON.stringify, the validators) meets it.
  const tooDeep = nestingProblem(doc);
  if (tooDeep)
    throw new LibraryError('invalid', describeIssues([tooDeep], `The ${what} is not valid: `), {
      issues: [tooDeep],
    });
  // Size first: do not spend time validating something that will be refused anyway.
  toJson(doc, what);
  if (kind === 'scenario') {
    const r = ScenarioSchema.safeParse(doc);
    if (!r.success)
      throw new LibraryError(
        'invalid',
        describeIssues(flattenIssues(r.error.issues), 'The scenario is not valid: '),
        {
          issues: flattenIssues(r.error.issues),
        },
      );
    const s = r.data;
    return {
      kind,
      doc: s,
      json: canonicalJson(s),
      name: s.name,
      topic: s.topic,
      protocol: s.protocol,
      nodeCount: s.topology.nodes.length,
    };
  }
  const r = ExerciseSchema.safeParse(doc);
  if (!r.success)
    throw new LibraryError(
      'invalid',
      describeIssues(flattenIssues(r.error.issues), 'The exercise is not valid: '),
      {
        issues: flattenIssues(r.error.issues),
      },
    );
  const e = r.data;
  return {
    kind,
    doc: e,
    json: canonicalJson(e),
    name: e.title,
    topic: e.scenario.topic,
    protocol: e.scenario.protocol,
    nodeCount: e.scenario.topology.nodes.length,
  };
}

/** `name` with a suffix such as " (copy)", shortened so the result stays a valid name. */
function suffixed(name: string, suffix: string): string {
  return `${name.length > MAX_NAME - suffix.length ? name.slice(0, MAX_NAME - suffix.length) : name}${suffix}`;
}

/**
 * Built-ins are read-only: the library keeps them as shipped, so a learner can always go back
 * to them and an upgrade can replace them. A change is saved as the person's own copy.
 */
function refuseBuiltin(row: { name: string; builtin_key: string | null }, what: string): void {
  if (row.builtin_key !== null)
    throw new LibraryError(
      'read-only',
      `"${row.name}" is a built-in and stays as shipped, so ${what}. Save your version as a new item (Save As) or duplicate it.`,
    );
}

function withName(kind: ItemKind, doc: Scenario | Exercise, name: string): Scenario | Exercise {
  return kind === 'scenario' ? { ...(doc as Scenario), name } : { ...(doc as Exercise), title: name };
}

/**
 * The names to try after `name`, in order: "A (2)", "A (3)"… for "A" (and "A (4)" after
 * "A (3)"), "A (copy 2)", "A (copy 3)"… for "A (copy)". Each fits MAX_NAME.
 */
export function* nextNames(name: string): Generator<string> {
  const copy = /^(.*) \(copy(?: (\d+))?\)$/.exec(name);
  const numbered = copy ? null : /^(.*) \((\d+)\)$/.exec(name);
  const base = copy?.[1] ?? numbered?.[1] ?? name;
  let n = copy ? Number(copy[2] ?? 1) + 1 : numbered ? Number(numbered[2]) + 1 : 2;
  for (; ; n++) {
    const suffix = copy ? ` (copy ${n})` : ` (${n})`;
    yield `${base.slice(0, MAX_NAME - suffix.length).trimEnd()}${suffix}`;
  }
}

/** Turns free text into an FTS5 query: every word must match, as a prefix. */
export function ftsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, 20)
    .map((w) => `"${w}"*`)
    .join(' ');
}

/** The lab library over an open store. */
export class Library {
  readonly db: Database.Database;
  private readonly now: () => number;
  private readonly newId: (prefix: 'sc' | 'ex' | 'run') => string;
  private readonly stmts: ReturnType<Library['prepareStatements']>;
  /** The built-ins as shipped, by key: the files last given to seedBuiltins (restoreBuiltin reads them). */
  private shipped = new Map<string, { p: Prepared; description: string }>();

  constructor(db: Database.Database, options: LibraryOptions = {}) {
    this.db = db;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? defaultId;
    this.stmts = this.prepareStatements();
  }

  /** Opens (creating and migrating if needed) the store in `dataDir` and wraps it. */
  static open(dataDir: string, options: LibraryOptions & OpenOptions = {}): Library {
    return new Library(openStore(dataDir, options), options);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private prepareStatements() {
    const db = this.db;
    return {
      byId: db.prepare<[string], ItemRow>(`SELECT ${SUMMARY_COLS} FROM items i WHERE i.id = ?`),
      docById: db.prepare<[string], { doc: string }>(
        'SELECT d.doc FROM items i JOIN item_docs d ON d.item_seq = i.seq WHERE i.id = ?',
      ),
      insertDoc: db.prepare<[number, string]>('INSERT INTO item_docs (item_seq, doc) VALUES (?, ?)'),
      updateDocBody: db.prepare<[string, number]>('UPDATE item_docs SET doc = ? WHERE item_seq = ?'),
      insert: db.prepare(
        `INSERT INTO items (id, kind, name, description, tags, topic, protocol, node_count, content_hash,
           revision, created_at, updated_at, builtin_key)
         VALUES (@id, @kind, @name, @description, @tags, @topic, @protocol, @nodeCount, @hash,
           1, @now, @now, @builtinKey)`,
      ),
      updateDoc: db.prepare(
        `UPDATE items SET name = @name, topic = @topic, protocol = @protocol, node_count = @nodeCount,
           content_hash = @hash, description = @description, revision = revision + 1, updated_at = @now
         WHERE seq = @seq AND revision = @revision`,
      ),
      insertTag: db.prepare<[number, string]>(
        'INSERT OR IGNORE INTO item_tags (item_seq, tag) VALUES (?, ?)',
      ),
      deleteTags: db.prepare<[number]>('DELETE FROM item_tags WHERE item_seq = ?'),
      setTagsCol: db.prepare<[string, number, number]>(
        'UPDATE items SET tags = ?, updated_at = ? WHERE seq = ?',
      ),
      ftsDelete: db.prepare<[number]>('DELETE FROM items_fts WHERE rowid = ?'),
      ftsInsert: db.prepare(
        'INSERT INTO items_fts (rowid, name, description, tags, topic, protocol) VALUES (@seq, @name, @description, @tags, @topic, @protocol)',
      ),
      deleteAutosave: db.prepare<[number]>('DELETE FROM autosaves WHERE item_seq = ?'),
      // json_each's key is the array index, so the page keeps the order of the seqs given.
      summariesBySeq: db
        .prepare<[string], string>(
          `SELECT ${SUMMARY_JSON} FROM json_each(?) e JOIN items i ON i.seq = e.value ORDER BY e.key`,
        )
        .pluck(),
    };
  }

  // ---- reading -------------------------------------------------------------------------

  private row(id: string, kind?: ItemKind): ItemRow {
    const row = typeof id === 'string' ? this.stmts.byId.get(id) : undefined;
    if (!row)
      throw new LibraryError('not-found', `No ${kind ?? 'item'} with id ${String(id)} is in the library.`);
    if (kind && row.kind !== kind)
      throw new LibraryError(
        'not-found',
        `${id} is ${row.kind === 'exercise' ? 'an exercise' : 'a scenario'}, not a ${kind}.`,
      );
    return row;
  }

  private summary(row: ItemRow): ItemSummary {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      description: row.description,
      tags: JSON.parse(row.tags) as string[],
      topic: row.topic,
      protocol: row.protocol,
      nodeCount: row.node_count,
      revision: row.revision,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      openedAt: row.opened_at,
      trashedAt: row.trashed_at,
      builtin: row.builtin_key !== null,
      builtinEdited: row.builtin_edited === 1,
      hasAutosave: row.has_autosave === 1,
    };
  }

  private record(row: ItemRow): ItemRecord {
    const doc = JSON.parse(this.stmts.docById.get(row.id)!.doc) as unknown;
    // Stored documents were validated on the way in; parse again so defaults added by a
    // newer schema apply (parseScenario is where scenario migrations live) and the types are
    // honest. A document a later schema no longer accepts is reported, not thrown raw.
    try {
      return row.kind === 'scenario'
        ? { ...this.summary(row), kind: 'scenario', scenario: parseScenario(doc) }
        : { ...this.summary(row), kind: 'exercise', exercise: ExerciseSchema.parse(doc) };
    } catch (err) {
      if (!(err instanceof z.ZodError)) throw err;
      const issues = flattenIssues(err.issues);
      throw new LibraryError(
        'invalid',
        describeIssues(
          issues,
          `The stored ${row.kind} "${row.name}" (${row.id}) does not validate with this DSLab: `,
        ),
        { issues },
      );
    }
  }

  /** One item's summary. */
  getSummary(id: string): ItemSummary {
    return this.summary(this.row(id));
  }

  /** A scenario with its document. */
  getScenario(id: string): ScenarioRecord {
    return this.record(this.row(id, 'scenario')) as ScenarioRecord;
  }

  /** An exercise with its document. */
  getExercise(id: string): ExerciseRecord {
    return this.record(this.row(id, 'exercise')) as ExerciseRecord;
  }

  /** Any item with its document. */
  getItem(id: string): ItemRecord {
    return this.record(this.row(id));
  }

  /** Opens an item: returns it and marks it recently opened. */
  openItem(id: string): ItemRecord {
    const row = this.row(id);
    this.write(() =>
      this.db.prepare('UPDATE items SET opened_at = ? WHERE seq = ?').run(this.now(), row.seq),
    );
    return this.record(this.row(id));
  }

  /** A page of items, sorted and filtered; never reads document bodies. */
  list(options: ListOptions = {}): ListPage {
    const where: string[] = [options.trash ? 'i.trashed_at IS NOT NULL' : 'i.trashed_at IS NULL'];
    const params: Record<string, unknown> = {};
    if (options.kind) {
      where.push('i.kind = @kind');
      params.kind = options.kind;
    }
    if (options.tag !== undefined) {
      where.push('i.seq IN (SELECT item_seq FROM item_tags WHERE tag = @tag)');
      params.tag = options.tag.trim();
    }
    const sort = options.sort ?? 'updated';
    const col = {
      updated: 'i.updated_at',
      name: 'i.name COLLATE NOCASE',
      created: 'i.created_at',
      opened: 'i.opened_at',
    }[sort];
    if (!col)
      throw new LibraryError(
        'invalid',
        `Cannot sort by ${String(sort)}; use updated, name, created or opened.`,
      );
    const order = (options.order ?? (sort === 'name' ? 'asc' : 'desc')) === 'asc' ? 'ASC' : 'DESC';
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 10_000);
    const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
    const clause = where.join(' AND ');
    const items = this.summaries(`FROM items i WHERE ${clause}`, col, order, limit, offset, params);
    const total = this.db
      .prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM items i WHERE ${clause}`)
      .get(params)!.n;
    return { items, total };
  }

  /** Full-text search over name, description, tags, topic and protocol (prefix match, best first). */
  search(query: string, options: { kind?: ItemKind; trash?: boolean; limit?: number } = {}): ItemSummary[] {
    const match = ftsQuery(String(query ?? ''));
    if (!match) return [];
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 10_000);
    // bm25 weights: name 10, description 2, tags 5, topic 3, protocol 3 (lower is better).
    return this.summaries(
      `FROM items_fts f JOIN items i ON i.seq = f.rowid
       WHERE items_fts MATCH @match AND ${options.trash ? 'i.trashed_at IS NOT NULL' : 'i.trashed_at IS NULL'}
         ${options.kind ? 'AND i.kind = @kind' : ''}`,
      'bm25(items_fts, 10.0, 2.0, 5.0, 3.0, 3.0)',
      'ASC',
      limit,
      0,
      { match, ...(options.kind ? { kind: options.kind } : {}) },
      { seqOrder: 'DESC', twoStep: true },
    );
  }

  /** Recently opened items, newest first (not in the trash). */
  recent(limit = 10): ItemSummary[] {
    const n = Math.min(Math.max(Math.trunc(limit), 1), 1000);
    return this.summaries(
      'FROM items i WHERE i.opened_at IS NOT NULL AND i.trashed_at IS NULL',
      'i.opened_at',
      'DESC',
      n,
      0,
      {},
    );
  }

  /**
   * Summaries of the rows `from` selects, ordered by `key` then seq, each built by SQLite as a
   * JSON object and parsed in one JSON.parse of the page. When the order comes from an index
   * (lists) SQLite streams the page in one query. When it needs a sort (search, by rank),
   * `twoStep` first takes the page's seqs, so the sort carries integers, not built summaries
   * (a search matching all 10,000 items would otherwise build 10,000 summaries to keep 50).
   */
  private summaries(
    from: string,
    key: string,
    order: 'ASC' | 'DESC',
    limit: number,
    offset: number,
    params: Record<string, unknown>,
    options: { seqOrder?: 'ASC' | 'DESC'; twoStep?: boolean } = {},
  ): ItemSummary[] {
    const tail = `ORDER BY ${key} ${order}, i.seq ${options.seqOrder ?? order} LIMIT ${limit} OFFSET ${offset}`;
    let objects: string[];
    if (options.twoStep) {
      const seqs = this.db
        .prepare<Record<string, unknown>, number>(`SELECT i.seq ${from} ${tail}`)
        .pluck()
        .all(params);
      if (seqs.length === 0) return [];
      objects = this.stmts.summariesBySeq.all(JSON.stringify(seqs));
    } else {
      objects = this.db
        .prepare<Record<string, unknown>, string>(`SELECT ${SUMMARY_JSON} ${from} ${tail}`)
        .pluck()
        .all(params);
    }
    return JSON.parse(`[${objects.join(',')}]`) as ItemSummary[];
  }

  /** Every tag in use (not counting the trash), with how many items carry it. */
  allTags(): { tag: string; count: number }[] {
    return this.db
      .prepare<[], { tag: string; count: number }>(
        `SELECT min(t.tag) AS tag, count(*) AS count FROM item_tags t JOIN items i ON i.seq = t.item_seq
         WHERE i.trashed_at IS NULL GROUP BY t.tag ORDER BY t.tag`,
      )
      .all();
  }

  // ---- writing -------------------------------------------------------------------------

  /** Runs `fn` in one IMMEDIATE transaction; a lock held too long becomes a `busy` error. */
  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      if (isBusy(err))
        throw new LibraryError(
          'busy',
          'The library is busy: another DSLab process held it for more than 5 s. Nothing was changed; try again.',
          { cause: err },
        );
      throw err;
    }
  }

  private index(seq: number): void {
    const row = this.db
      .prepare<
        [number],
        { name: string; description: string; tags: string; topic: string; protocol: string }
      >('SELECT name, description, tags, topic, protocol FROM items WHERE seq = ?')
      .get(seq)!;
    this.stmts.ftsDelete.run(seq);
    this.stmts.ftsInsert.run({ seq, ...row, tags: (JSON.parse(row.tags) as string[]).join(' ') });
  }

  private setTags(seq: number, tags: string[]): void {
    this.stmts.deleteTags.run(seq);
    for (const t of tags) this.stmts.insertTag.run(seq, t);
    this.stmts.setTagsCol.run(JSON.stringify(tags), this.now(), seq);
  }

  /** Whether an item outside the trash, other than `exceptSeq`, has this name (case-insensitively). */
  private nameTaken(name: string, exceptSeq: number): boolean {
    return (
      this.db
        .prepare<[number, string], { x: number }>(
          'SELECT 1 AS x FROM items WHERE trashed_at IS NULL AND seq != ? AND name = ? COLLATE NOCASE LIMIT 1',
        )
        .get(exceptSeq, name) !== undefined
    );
  }

  /**
   * `name` if no other item outside the trash has it, else the first free of nextNames: two
   * library items never share a name (docs/library.md "Names"). Call inside the write.
   */
  private freeName(name: string, exceptSeq = -1): string {
    if (!this.nameTaken(name, exceptSeq)) return name;
    for (const next of nextNames(name)) if (!this.nameTaken(next, exceptSeq)) return next;
    return name; // unreachable: nextNames never ends
  }

  /** The document under a free name (itself when its name is free). */
  private withFreeName(p: Prepared, exceptSeq = -1): Prepared {
    const name = this.freeName(p.name, exceptSeq);
    return name === p.name ? p : prepareDoc(p.kind, withName(p.kind, p.doc, name));
  }

  /** Inserts an item; a person's item (not a built-in) gets a free name. */
  private insert(given: Prepared, meta: ItemMeta, builtinKey: string | null = null): number {
    const p = builtinKey === null ? this.withFreeName(given) : given;
    const description = cleanDescription(meta.description);
    const tags = cleanTags(meta.tags ?? []);
    const id = this.newId(p.kind === 'scenario' ? 'sc' : 'ex');
    const info = this.stmts.insert.run({
      id,
      kind: p.kind,
      name: p.name,
      description,
      tags: JSON.stringify(tags),
      topic: p.topic,
      protocol: p.protocol,
      nodeCount: p.nodeCount,
      hash: contentHash(p.json, description),
      now: this.now(),
      builtinKey,
    });
    const seq = Number(info.lastInsertRowid);
    this.stmts.insertDoc.run(seq, p.json);
    for (const t of tags) this.stmts.insertTag.run(seq, t);
    this.index(seq);
    return seq;
  }

  private summaryBySeq(seq: number): ItemSummary {
    return this.summary(
      this.db.prepare<[number], ItemRow>(`SELECT ${SUMMARY_COLS} FROM items i WHERE i.seq = ?`).get(seq)!,
    );
  }

  /** Creates a scenario. */
  createScenario(scenario: unknown, meta: ItemMeta = {}): ScenarioRecord {
    const p = prepareDoc('scenario', scenario);
    const seq = this.write(() => this.insert(p, meta));
    return this.getScenario(this.summaryBySeq(seq).id);
  }

  /** Creates an exercise. */
  createExercise(exercise: unknown, meta: ItemMeta = {}): ExerciseRecord {
    const p = prepareDoc('exercise', exercise);
    const seq = this.write(() => this.insert(p, meta));
    return this.getExercise(this.summaryBySeq(seq).id);
  }

  /**
   * Saves a new version of an item's document. `expectedRevision` is the revision the editor
   * loaded; if someone saved since, the save is refused with `conflict` and nothing changes.
   * Clears the item's autosave.
   */
  save(id: string, doc: unknown, expectedRevision: number): ItemSummary {
    const row = this.row(id);
    // Whether an item is a built-in is fixed when it is inserted, so this check cannot go stale.
    refuseBuiltin(row, 'it cannot be saved over');
    const given = prepareDoc(row.kind, doc);
    return this.write(() => {
      const current = this.row(id);
      // A document renamed in the editor to another item's name is saved under a free one.
      const p = given.name === current.name ? given : this.withFreeName(given, current.seq);
      const info = this.stmts.updateDoc.run({
        seq: current.seq,
        revision: expectedRevision,
        name: p.name,
        topic: p.topic,
        protocol: p.protocol,
        nodeCount: p.nodeCount,
        hash: contentHash(p.json, current.description),
        description: current.description,
        now: this.now(),
      });
      if (info.changes === 0)
        throw new LibraryError(
          'conflict',
          `${kindWord(row.kind)} "${current.name}" was saved elsewhere (it is at revision ${current.revision}; this edit started from ${expectedRevision}). Reload it, or save yours as a copy.`,
        );
      this.stmts.updateDocBody.run(p.json, current.seq);
      this.stmts.deleteAutosave.run(current.seq);
      this.index(current.seq);
      return this.summaryBySeq(current.seq);
    });
  }

  /** Saves `doc` as a new item named `name`, copying the source's description and tags; the source's autosave is cleared. */
  saveAs(id: string, doc: unknown, name: string): ItemSummary {
    const source = this.row(id);
    const clean = cleanName(name);
    const validated = prepareDoc(source.kind, doc);
    const p = prepareDoc(source.kind, withName(source.kind, validated.doc, clean));
    return this.write(() => {
      const seq = this.insert(p, {
        description: source.description,
        tags: JSON.parse(source.tags) as string[],
      });
      this.stmts.deleteAutosave.run(source.seq);
      return this.summaryBySeq(seq);
    });
  }

  /** Renames an item (its document's name or title too); with `expectedRevision`, refuses on conflict. */
  rename(id: string, name: string, expectedRevision?: number): ItemSummary {
    const clean = cleanName(name);
    return this.write(() => {
      const row = this.row(id);
      refuseBuiltin(row, 'it keeps its name');
      const rec = this.record(row);
      const doc = rec.kind === 'scenario' ? rec.scenario : rec.exercise;
      const p = prepareDoc(row.kind, withName(row.kind, doc, this.freeName(clean, row.seq)));
      const info = this.stmts.updateDoc.run({
        seq: row.seq,
        revision: expectedRevision ?? row.revision,
        name: p.name,
        topic: p.topic,
        protocol: p.protocol,
        nodeCount: p.nodeCount,
        hash: contentHash(p.json, row.description),
        description: row.description,
        now: this.now(),
      });
      if (info.changes === 0)
        throw new LibraryError(
          'conflict',
          `${kindWord(row.kind)} "${row.name}" was saved elsewhere (revision ${row.revision}, not ${expectedRevision}); reload it before renaming.`,
        );
      this.stmts.updateDocBody.run(p.json, row.seq);
      this.index(row.seq);
      return this.summaryBySeq(row.seq);
    });
  }

  /** Changes an item's description. */
  setDescription(id: string, description: string): ItemSummary {
    const text = cleanDescription(description);
    return this.write(() => {
      const row = this.row(id);
      refuseBuiltin(row, 'it keeps its description');
      const docJson = this.stmts.docById.get(id)!.doc;
      this.db
        .prepare('UPDATE items SET description = ?, content_hash = ?, updated_at = ? WHERE seq = ?')
        .run(text, contentHash(docJson, text), this.now(), row.seq);
      this.index(row.seq);
      return this.summaryBySeq(row.seq);
    });
  }

  /** Copies an item (document, description, tags; not runs or autosave) under a new name (default "<name> (copy)"). */
  duplicate(id: string, name?: string): ItemSummary {
    const rec = this.getItem(id);
    const clean = cleanName(name ?? suffixed(rec.name, ' (copy)'));
    const doc = rec.kind === 'scenario' ? rec.scenario : rec.exercise;
    const p = prepareDoc(rec.kind, withName(rec.kind, doc, clean));
    return this.write(() =>
      this.summaryBySeq(this.insert(p, { description: rec.description, tags: rec.tags })),
    );
  }

  /** Moves an item to the trash (it keeps its runs and can be restored). */
  trash(id: string): ItemSummary {
    return this.write(() => {
      const row = this.row(id);
      if (row.trashed_at === null)
        this.db.prepare('UPDATE items SET trashed_at = ? WHERE seq = ?').run(this.now(), row.seq);
      return this.summaryBySeq(row.seq);
    });
  }

  /** Takes an item out of the trash; if another item took its name meanwhile, it gets a free one. */
  restore(id: string): ItemSummary {
    return this.write(() => {
      const row = this.row(id);
      if (row.trashed_at !== null) {
        const name = this.freeName(row.name, row.seq);
        this.db.prepare('UPDATE items SET trashed_at = NULL WHERE seq = ?').run(row.seq);
        if (name !== row.name) {
          const rec = this.record(row);
          const p = prepareDoc(
            row.kind,
            withName(row.kind, rec.kind === 'scenario' ? rec.scenario : rec.exercise, name),
          );
          this.stmts.updateDoc.run({
            seq: row.seq,
            revision: row.revision,
            name: p.name,
            topic: p.topic,
            protocol: p.protocol,
            nodeCount: p.nodeCount,
            hash: contentHash(p.json, row.description),
            description: row.description,
            now: this.now(),
          });
          this.stmts.updateDocBody.run(p.json, row.seq);
          this.index(row.seq);
        }
      }
      return this.summaryBySeq(row.seq);
    });
  }

  /** Deletes every item in the trash for good, with its runs and autosave; returns how many. */
  emptyTrash(): number {
    return this.write(() => {
      const seqs = this.db
        .prepare<[], { seq: number }>('SELECT seq FROM items WHERE trashed_at IS NOT NULL')
        .all()
        .map((r) => r.seq);
      for (const seq of seqs) this.deleteSeq(seq);
      return seqs.length;
    });
  }

  /** Deletes one item for good (the CLI's `delete --permanent`); prefer `trash`. */
  deletePermanently(id: string): void {
    this.write(() => this.deleteSeq(this.row(id).seq));
  }

  private deleteSeq(seq: number): void {
    this.stmts.ftsDelete.run(seq);
    this.db.prepare('DELETE FROM items WHERE seq = ?').run(seq);
  }

  /** Adds tags (case-insensitive duplicates are ignored). */
  addTags(id: string, tags: readonly string[]): ItemSummary {
    const add = cleanTags(tags);
    return this.write(() => {
      const row = this.row(id);
      const next = cleanTags([...(JSON.parse(row.tags) as string[]), ...add]);
      this.setTags(row.seq, next);
      this.index(row.seq);
      return this.summaryBySeq(row.seq);
    });
  }

  /** Removes tags (case-insensitive; absent ones are ignored). */
  removeTags(id: string, tags: readonly string[]): ItemSummary {
    const drop = new Set(tags.map((t) => String(t).trim().toLowerCase()));
    return this.write(() => {
      const row = this.row(id);
      const next = (JSON.parse(row.tags) as string[]).filter((t) => !drop.has(t.toLowerCase()));
      this.setTags(row.seq, next);
      this.index(row.seq);
      return this.summaryBySeq(row.seq);
    });
  }

  // ---- autosave ------------------------------------------------------------------------

  /**
   * Keeps the open document's unsaved state (one slot per item, overwritten each time). It is
   * not validated, since the person may be mid-edit, but must be JSON under the size cap.
   */
  autosave(id: string, doc: unknown): void {
    const json = toJson(doc, 'autosave');
    this.write(() => {
      const row = this.row(id);
      this.db
        .prepare(
          `INSERT INTO autosaves (item_seq, doc, base_revision, saved_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (item_seq) DO UPDATE SET doc = excluded.doc, base_revision = excluded.base_revision, saved_at = excluded.saved_at`,
        )
        .run(row.seq, json, row.revision, this.now());
    });
  }

  /** Drops an item's autosave (the person chose the saved version). */
  discardAutosave(id: string): void {
    this.write(() => this.stmts.deleteAutosave.run(this.row(id).seq));
  }

  /** The autosaves left behind (after a crash, or a window closed without saving), newest first. */
  recoverAutosaves(): AutosaveRecord[] {
    const rows = this.db
      .prepare<
        [],
        {
          id: string;
          kind: ItemKind;
          name: string;
          saved_at: number;
          base_revision: number;
          revision: number;
          doc: string;
        }
      >(
        `SELECT i.id, i.kind, i.name, a.saved_at, a.base_revision, i.revision, a.doc
         FROM autosaves a JOIN items i ON i.seq = a.item_seq ORDER BY a.saved_at DESC, i.seq DESC`,
      )
      .all();
    return rows.map((r) => {
      const doc = JSON.parse(r.doc) as unknown;
      let problem: string | null = null;
      try {
        prepareDoc(r.kind, doc);
      } catch (err) {
        problem = (err as Error).message;
      }
      return {
        id: r.id,
        kind: r.kind,
        name: r.name,
        savedAt: r.saved_at,
        baseRevision: r.base_revision,
        currentRevision: r.revision,
        doc,
        problem,
      };
    });
  }

  // ---- runs ----------------------------------------------------------------------------

  /**
   * Records a run of an item. For an exercise the run is graded (for `learner`'s variant when
   * given; locks are checked when the scenario the learner ran is given).
   */
  recordRun(
    itemId: string,
    summary: unknown,
    options: { learner?: string; scenario?: unknown } = {},
  ): RunRecord {
    const parsed = RunSummarySchema.safeParse(summary);
    if (!parsed.success)
      throw new LibraryError(
        'invalid',
        describeIssues(flattenIssues(parsed.error.issues), 'The run summary is not valid: '),
        {
          issues: flattenIssues(parsed.error.issues),
        },
      );
    let ran: Scenario | undefined;
    if (options.scenario !== undefined) ran = prepareDoc('scenario', options.scenario).doc as Scenario;
    const run = parsed.data;
    const id = this.newId('run');
    return this.write(() => {
      const row = this.row(itemId);
      let g: Grade | null = null;
      if (row.kind === 'exercise') {
        const ex = this.getExercise(itemId).exercise;
        g = grade(ex, run, {
          ...(options.learner !== undefined ? { learner: options.learner } : {}),
          ...(ran ? { scenario: ran } : {}),
        });
      }
      this.db
        .prepare(
          `INSERT INTO runs (id, item_seq, revision, seed, outcome, learner, passed, summary, grade, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          row.seq,
          row.revision,
          run.seed,
          run.outcome,
          options.learner ?? null,
          g ? (g.passed ? 1 : 0) : null,
          JSON.stringify(run),
          g ? JSON.stringify(g) : null,
          this.now(),
        );
      return this.getRun(id);
    });
  }

  private runRecord(r: RunRow): RunRecord {
    return {
      id: r.id,
      itemId: r.item_id,
      revision: r.revision,
      seed: r.seed,
      outcome: r.outcome,
      learner: r.learner,
      passed: r.passed === null ? null : r.passed === 1,
      summary: JSON.parse(r.summary) as RunSummary,
      grade: r.grade === null ? null : (JSON.parse(r.grade) as Grade),
      createdAt: r.created_at,
    };
  }

  /** One run. */
  getRun(runId: string): RunRecord {
    const r = this.db
      .prepare<[string], RunRow>(
        `SELECT r.id, i.id AS item_id, r.revision, r.seed, r.outcome, r.learner, r.passed, r.summary, r.grade, r.created_at
         FROM runs r JOIN items i ON i.seq = r.item_seq WHERE r.id = ?`,
      )
      .get(runId);
    if (!r) throw new LibraryError('not-found', `No run with id ${runId} is in the library.`);
    return this.runRecord(r);
  }

  /** An item's runs, newest first. */
  listRuns(itemId: string, options: { limit?: number; offset?: number } = {}): RunRecord[] {
    const row = this.row(itemId);
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 10_000);
    const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
    return this.db
      .prepare<[string, number], RunRow>(
        `SELECT r.id, ? AS item_id, r.revision, r.seed, r.outcome, r.learner, r.passed, r.summary, r.grade, r.created_at
         FROM runs r WHERE r.item_seq = ? ORDER BY r.created_at DESC, r.seq DESC LIMIT ${limit} OFFSET ${offset}`,
      )
      .all(row.id, row.seq)
      .map((r) => this.runRecord(r));
  }

  // ---- files ---------------------------------------------------------------------------

  /**
   * Imports a `.dslab.json` text: validated in full first (schema, then the protocol catalog:
   * catalog-check.ts), then written in one transaction,
   * so a refused file (or a failure while writing) changes nothing. Imported items are new
   * items of the person's own, even when the file came from the built-in library.
   */
  importFile(text: string): ImportResult {
    const parsed = parseFile(typeof text === 'string' ? text : String(text));
    if (!parsed.ok) throw new LibraryError(parsed.code, parsed.message, { issues: parsed.issues });
    // A file that cannot run (unknown protocol, role or params) is refused like a broken one.
    const catalog = catalogIssues(parsed.file);
    if (catalog.length > 0)
      throw new LibraryError('invalid', describeIssues(catalog, 'This is not a valid DSLab file: '), {
        issues: catalog,
      });
    const items = fileItems(parsed.file);
    const scen = items.scenarios.map((s) => ({ p: prepareDoc('scenario', s.scenario), meta: s }));
    const exer = items.exercises.map((e) => ({ p: prepareDoc('exercise', e.exercise), meta: e }));
    return this.write(() => ({
      scenarios: scen.map(({ p, meta }) => this.summaryBySeq(this.insert(p, meta))),
      exercises: exer.map(({ p, meta }) => this.summaryBySeq(this.insert(p, meta))),
      fromVersion: parsed.fromVersion,
    }));
  }

  /** The file text for one item (a scenario or exercise file) or several (a bundle). */
  exportFile(ids: string | readonly string[], options: { title?: string } = {}): string {
    const list = typeof ids === 'string' ? [ids] : [...ids];
    if (list.length === 0) throw new LibraryError('invalid', 'Choose at least one item to export.');
    const scenarios: ScenarioItem[] = [];
    const exercises: ExerciseItem[] = [];
    for (const id of list) {
      const rec = this.getItem(id);
      if (rec.kind === 'scenario')
        scenarios.push({ description: rec.description, tags: rec.tags, scenario: rec.scenario });
      else exercises.push({ description: rec.description, tags: rec.tags, exercise: rec.exercise });
    }
    const bundle = list.length > 1 || options.title !== undefined;
    return serializeFile(makeFile({ scenarios, exercises }, bundle ? { title: options.title ?? '' } : {}));
  }

  // ---- built-ins -----------------------------------------------------------------------

  /**
   * Seeds or upgrades the built-in library in one transaction. Each built-in carries a key;
   * the `builtins` table remembers the content hash last seeded for it. A new key is added;
   * a changed built-in replaces the person's row only if that row still has the hash last
   * seeded (they did not change it); a built-in the person deleted is not brought back.
   */
  seedBuiltins(files: readonly BuiltinFile[]): SeedReport {
    const report: SeedReport = { added: [], updated: [], kept: [], skipped: [], unchanged: [], refused: [] };
    const entries: { key: string; p: Prepared; description: string; tags: string[] }[] = [];
    // A broken built-in file (a bug in DSLab, or a protocol not yet in this build) must not
    // keep the library from opening: it is reported and the other files are seeded.
    for (const f of files) {
      try {
        const parsed = parseFile(f.text);
        if (!parsed.ok) throw new LibraryError(parsed.code, parsed.message, { issues: parsed.issues });
        const items = fileItems(parsed.file);
        const all = [
          ...items.scenarios.map((s) => ({ key: s.key, p: prepareDoc('scenario', s.scenario), meta: s })),
          ...items.exercises.map((e) => ({ key: e.key, p: prepareDoc('exercise', e.exercise), meta: e })),
        ];
        const keys = new Set<string>();
        for (const { key } of all) {
          if (!key) throw new LibraryError('invalid', 'every item needs a "key".');
          if (keys.has(key) || entries.some((e) => e.key === key))
            throw new LibraryError('invalid', `the key ${key} is used twice.`);
          keys.add(key);
        }
        for (const { key, p, meta } of all)
          entries.push({ key: key!, p, description: meta.description, tags: meta.tags });
      } catch (err) {
        if (!(err instanceof LibraryError)) throw err;
        report.refused.push(`${f.name}: ${err.message}`);
      }
    }
    this.shipped = new Map(entries.map((e) => [e.key, { p: e.p, description: e.description }]));
    this.write(() => {
      const getB = this.db.prepare<[string], { hash: string; item_seq: number | null }>(
        'SELECT hash, item_seq FROM builtins WHERE key = ?',
      );
      const putB = this.db.prepare<[string, string, number | null]>(
        `INSERT INTO builtins (key, hash, item_seq) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET hash = excluded.hash, item_seq = excluded.item_seq`,
      );
      for (const e of entries) {
        const hash = contentHash(e.p.json, e.description);
        const b = getB.get(e.key);
        if (!b) {
          const seq = this.insert(e.p, { description: e.description, tags: e.tags }, e.key);
          putB.run(e.key, hash, seq);
          report.added.push(e.key);
          continue;
        }
        if (b.item_seq === null) {
          putB.run(e.key, hash, null);
          report.skipped.push(e.key);
          continue;
        }
        if (b.hash === hash) {
          report.unchanged.push(e.key);
          continue;
        }
        const row = this.db
          .prepare<[number], { content_hash: string; revision: number }>(
            'SELECT content_hash, revision FROM items WHERE seq = ?',
          )
          .get(b.item_seq)!;
        if (row.content_hash === b.hash) {
          this.stmts.updateDoc.run({
            seq: b.item_seq,
            revision: row.revision,
            name: e.p.name,
            topic: e.p.topic,
            protocol: e.p.protocol,
            nodeCount: e.p.nodeCount,
            hash,
            description: e.description,
            now: this.now(),
          });
          this.stmts.updateDocBody.run(e.p.json, b.item_seq);
          this.index(b.item_seq);
          report.updated.push(e.key);
        } else report.kept.push(e.key);
        putB.run(e.key, hash, b.item_seq);
      }
    });
    return report;
  }

  /**
   * Puts a built-in back as shipped with this DSLab (the version seedBuiltins was last given).
   * A built-in the person edited (possible before built-ins were read-only) has their version
   * kept first as their own item, "<name> (your version)", so nothing saved is lost. Its tags,
   * runs and trash state stay; its autosave is dropped (it was an edit of the old version).
   */
  restoreBuiltin(id: string): RestoreBuiltinResult {
    const row = this.row(id);
    if (row.builtin_key === null)
      throw new LibraryError(
        'invalid',
        `"${row.name}" is not a built-in, so there is no shipped version to restore.`,
      );
    const shipped = this.shipped.get(row.builtin_key);
    if (!shipped)
      throw new LibraryError(
        'not-found',
        `"${row.name}" is no longer shipped with this DSLab, so there is no version to restore.`,
      );
    const hash = contentHash(shipped.p.json, shipped.description);
    return this.write(() => {
      const current = this.row(id);
      let copy: ItemSummary | null = null;
      if (current.content_hash !== hash) {
        const rec = this.record(current);
        const doc = rec.kind === 'scenario' ? rec.scenario : rec.exercise;
        const p = prepareDoc(rec.kind, withName(rec.kind, doc, suffixed(rec.name, ' (your version)')));
        copy = this.summaryBySeq(this.insert(p, { description: rec.description, tags: rec.tags }));
        this.stmts.updateDoc.run({
          seq: current.seq,
          revision: current.revision,
          name: shipped.p.name,
          topic: shipped.p.topic,
          protocol: shipped.p.protocol,
          nodeCount: shipped.p.nodeCount,
          hash,
          description: shipped.description,
          now: this.now(),
        });
        this.stmts.updateDocBody.run(shipped.p.json, current.seq);
        this.index(current.seq);
      }
      this.stmts.deleteAutosave.run(current.seq);
      this.db
        .prepare('UPDATE builtins SET hash = ?, item_seq = ? WHERE key = ?')
        .run(hash, current.seq, row.builtin_key);
      return { item: this.summaryBySeq(current.seq), copy };
    });
  }
}
