import type { z } from 'zod';
import {
  type DslabFile,
  DslabFileSchema,
  FILE_FORMAT,
  FILE_SCHEMA_VERSION,
  MAX_FILE_BYTES,
  MAX_NESTING,
} from './format';
import { declaredVersion, fileMigrations } from './migrations';

/** One problem in a file: where (`$.scenario.topology.links[3].a`) and why. */
export interface FileIssue {
  /** JSON path from the file's root, `$` for the root itself. */
  path: string;
  /** The reason, as a sentence fragment. */
  message: string;
}

/** The result of reading a file: the validated file, or why it was refused. */
export type ParseFileResult =
  | {
      /** The file is valid. */
      ok: true;
      /** The file, migrated to the current schemaVersion and with defaults applied. */
      file: DslabFile;
      /** The schemaVersion the file declared (less than current when migrated). */
      fromVersion: number;
    }
  | {
      /** The file was refused. */
      ok: false;
      /** `too-large` for the size cap, `invalid` for everything else. */
      code: 'invalid' | 'too-large';
      /** One paragraph naming the problems (at most MAX_LISTED of them). */
      message: string;
      /** Every problem found. */
      issues: FileIssue[];
    };

/** How many problems the message lists before "and N more". */
export const MAX_LISTED = 10;

/** `['a', 3, 'b']` → `$.a[3].b` (keys that are not identifiers are quoted: `$["x y"]`). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const k = String(p);
      out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

/** Flattens zod issues into path + reason; for a union, reports the branch that got furthest. */
export function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): FileIssue[] {
  const out: FileIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch the author most likely meant: the fewest missing fields (a branch that
      // wants fields the value does not have is another shape), then the deepest, then the
      // fewest problems.
      const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));
      const missing = (branch: readonly z.core.$ZodIssue[]) =>
        branch.filter((i) => i.code === 'invalid_type' && /received undefined$/.test(i.message)).length;
      const best = [...issue.errors].sort(
        (a, b) => missing(a) - missing(b) || depth(b) - depth(a) || a.length - b.length,
      )[0]!;
      // A branch that failed at its own root (wrong type) says less than the union itself.
      if (depth(best) === 0 && issue.errors.length > 1) {
        out.push({ path: formatPath(path), message: 'does not match any of the allowed forms' });
      } else out.push(...flattenIssues(best, path));
      continue;
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}

/** `lead` + the first MAX_LISTED issues as `path: reason`, joined by `; `. */
export function describeIssues(issues: readonly FileIssue[], lead: string): string {
  const listed = issues.slice(0, MAX_LISTED).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > MAX_LISTED ? `; and ${issues.length - MAX_LISTED} more` : '';
  return `${lead}${listed.join('; ')}${more}`;
}

function refuse(code: 'invalid' | 'too-large', issues: FileIssue[], lead: string): ParseFileResult {
  return { ok: false, code, issues, message: describeIssues(issues, lead) };
}

/** UTF-8 byte length without allocating the encoded text. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Checks the size cap alone (for callers that have the byte size before reading). */
export function sizeProblem(bytes: number, maxBytes = MAX_FILE_BYTES): string | null {
  return bytes > maxBytes
    ? `The file is ${mib(bytes)}; DSLab opens files of at most ${mib(maxBytes)}. Nothing was imported.`
    : null;
}

/**
 * The first value nested deeper than `max` lists and objects, as an issue (null when none).
 * Walks with its own stack, so no input is too deep for it; the validators that run after it
 * recurse, and JSON.parse accepts nesting far beyond what they survive.
 */
export function nestingProblem(data: unknown, max = MAX_NESTING): FileIssue | null {
  interface At {
    value: unknown;
    depth: number;
    key: PropertyKey;
    parent: At | null;
  }
  const stack: At[] = [{ value: data, depth: 0, key: '', parent: null }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const v = at.value;
    if (typeof v !== 'object' || v === null) continue;
    if (at.depth >= max) {
      const path: PropertyKey[] = [];
      for (let a: At | null = at; a?.parent; a = a.parent) path.unshift(a.key);
      return { path: formatPath(path), message: `nested deeper than ${max} levels of lists and objects` };
    }
    const depth = at.depth + 1;
    if (Array.isArray(v))
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, key: i, parent: at });
    else
      for (const k of Object.keys(v).reverse())
        stack.push({ value: (v as Record<string, unknown>)[k], depth, key: k, parent: at });
  }
  return null;
}

/** Migrates already-parsed JSON to the current schemaVersion and validates it. */
export function parseFileData(data: unknown): ParseFileResult {
  const lead = 'This is not a valid DSLab file: ';
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return refuse('invalid', [{ path: '$', message: 'expected a JSON object' }], lead);
  const tooDeep = nestingProblem(data);
  if (tooDeep) return refuse('invalid', [tooDeep], lead);
  let current = data as Record<string, unknown>;
  // A bare scenario (no wrapper, with `topology`), as docs/scenario-format.md shows and the
  // CLI runs, is read as a scenario file of the current version.
  if (!('format' in current) && 'topology' in current)
    current = {
      format: FILE_FORMAT,
      kind: 'scenario',
      schemaVersion: FILE_SCHEMA_VERSION,
      scenario: current,
    };
  const fromVersion = declaredVersion(current);
  if (fromVersion === undefined)
    return refuse(
      'invalid',
      [{ path: '$.schemaVersion', message: 'expected an integer schemaVersion' }],
      lead,
    );
  if (fromVersion > FILE_SCHEMA_VERSION)
    return refuse(
      'invalid',
      [
        {
          path: '$.schemaVersion',
          message: `the file was written by a newer DSLab (schemaVersion ${fromVersion}; this version reads up to ${FILE_SCHEMA_VERSION})`,
        },
      ],
      'This file needs a newer DSLab: ',
    );
  if (fromVersion < 0)
    return refuse(
      'invalid',
      [{ path: '$.schemaVersion', message: `no schemaVersion ${fromVersion} exists` }],
      lead,
    );
  for (let v = fromVersion; v < FILE_SCHEMA_VERSION; v++) {
    const step = fileMigrations.find((m) => m.from === v);
    if (!step)
      return refuse('invalid', [{ path: '$.schemaVersion', message: `cannot migrate from ${v}` }], lead);
    current = step.up(current);
  }
  const parsed = DslabFileSchema.safeParse(current);
  if (!parsed.success) {
    const migrated =
      fromVersion < FILE_SCHEMA_VERSION
        ? ` (paths are after migrating from schemaVersion ${fromVersion})`
        : '';
    return refuse(
      'invalid',
      flattenIssues(parsed.error.issues),
      `This is not a valid DSLab file${migrated}: `,
    );
  }
  return { ok: true, file: parsed.data, fromVersion };
}

/** Reads a `.dslab.json` text: size cap, JSON syntax, migration, validation. Never throws. */
export function parseFile(text: string, maxBytes = MAX_FILE_BYTES): ParseFileResult {
  // UTF-8 takes at least one byte per UTF-16 unit and at most three: skip the count when clear.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)) {
    const problem = sizeProblem(text.length > maxBytes ? text.length : utf8Length(text), maxBytes)!;
    return { ok: false, code: 'too-large', message: problem, issues: [{ path: '$', message: problem }] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return refuse('invalid', [{ path: '$', message: `not JSON (${reason})` }], 'This is not a DSLab file: ');
  }
  return parseFileData(data);
}
