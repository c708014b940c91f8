/**
 * Reads a scenario file for the CLI: plain scenario JSON (src/shared/scenario/schema.ts) or the
 * library's `.dslab.json` wrapper (kind `scenario`, or `exercise`, whose starting scenario is
 * run), applies `--set path=value` overrides, and validates the result, protocol params
 * included. Every problem becomes ONE line naming the file, the JSON path and the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { MAX_FILE_BYTES } from '../shared/files/format';
import {
  type FileIssue,
  flattenIssues,
  formatPath,
  nestingProblem,
  parseFileData,
} from '../shared/files/parse';
import { checkScenario, type Scenario, ScenarioSchema } from '../sim/index';
import { UsageError } from './io';

/** A `--set path=value` override, parsed. */
export interface SetOverride {
  /** The argument as given (`params.count=5`), for messages and the reproduce line. */
  spec: string;
  /** Path segments (`['params', 'count']`). */
  path: string[];
  /** The value: JSON when the text parses as JSON, else the text itself. */
  value: unknown;
}

/** A validated scenario and where it came from. */
export interface LoadedScenario {
  /** The scenario, overrides applied, validated, defaults filled in. */
  scenario: Scenario;
  /** The file as named on the command line. */
  file: string;
  /** The overrides applied, in order. */
  sets: SetOverride[];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** Parses `path=value`. The value is JSON when it parses (`5`, `true`, `{"kind":"none"}`), else a string. */
export function parseSet(spec: string): SetOverride {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set needs path=value (got ${spec})`);
  const pathText = spec.slice(0, eq);
  const segments = pathText.split('.');
  if (segments.some((s) => s === ''))
    throw new UsageError(`--set ${spec}: the path ${pathText} has an empty part`);
  const bad = segments.find((s) => FORBIDDEN_KEYS.has(s));
  if (bad !== undefined) throw new UsageError(`--set ${spec}: ${bad} is not a scenario field`);
  const text = spec.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the text itself (`--set topology.nodes.0.role=switch`).
  }
  return { spec, path: segments, value };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/**
 * Sets one field of `root` (plain JSON data, changed in place). Missing objects on the way are
 * created (`nemesis.enabled=true` on a file without `nemesis`); lists take an index up to their
 * length (the length appends).
 */
export function applySet(root: Record<string, unknown>, set: SetOverride): void {
  let cur: unknown = root;
  for (let i = 0; i < set.path.length; i++) {
    const key = set.path[i]!;
    const last = i === set.path.length - 1;
    const where = set.path.slice(0, i).join('.') || 'the scenario';
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key))
        throw new UsageError(`--set ${set.spec}: ${where} is a list; index it with a number (got ${key})`);
      const idx = Number(key);
      if (idx > cur.length)
        throw new UsageError(
          `--set ${set.spec}: ${where} has ${cur.length} entr${cur.length === 1 ? 'y' : 'ies'} (indices 0..${cur.length - 1})`,
        );
      if (last) cur[idx] = set.value;
      else {
        if (cur[idx] === undefined || cur[idx] === null) cur[idx] = {};
        cur = cur[idx];
      }
    } else if (isRecord(cur)) {
      if (last) cur[key] = set.value;
      else {
        if (cur[key] === undefined || cur[key] === null) cur[key] = {};
        cur = cur[key];
      }
    } else {
      throw new UsageError(`--set ${set.spec}: ${where} is ${describeValue(cur)}, not an object or a list`);
    }
  }
}

/** `$.topology.links[3].a` → `topology.links[3].a` (the file's own root needs no `$.`). */
function shortPath(p: string): string {
  if (p === '$') return '(the whole file)';
  return p.startsWith('$.') ? p.slice(2) : p.startsWith('$') ? p.slice(1) : p;
}

function pathText(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' || /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

/** One line for a list of issues: the first in full, then how many more. */
function issuesLine(
  file: string,
  issues: readonly FileIssue[],
  sets: readonly SetOverride[],
  prefix: string,
): string {
  const first = issues[0]!;
  const where = shortPath(first.path);
  // Name the override that touched this path, since the file alone was fine there.
  const touched = sets.filter((s) => {
    const sp = prefix + pathText(s.path);
    return (
      where === sp || where.startsWith(`${sp}.`) || where.startsWith(`${sp}[`) || sp.startsWith(`${where}.`)
    );
  });
  const after = touched.length > 0 ? ` (after --set ${touched.at(-1)!.spec})` : '';
  const more =
    issues.length > 1 ? `; and ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'}` : '';
  return `${file}: ${where}: ${first.message}${after}${more}`;
}

/** `Unexpected token } in JSON at position 42` → `Unexpected token } at line 3 column 5`. */
export function describeJsonError(text: string, e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  const pos = /at position (\d+)/.exec(msg);
  // Node 20 says "in JSON at position N"; newer V8 adds "(line L column C)" itself.
  msg = msg
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+/, '')
    .replace(/\s*at position \d+/, '');
  if (pos !== null) {
    const p = Math.min(Number(pos[1]), text.length);
    const before = text.slice(0, p);
    const line = before.split('\n').length;
    const column = p - before.lastIndexOf('\n');
    return `${msg} at line ${line} column ${column}`;
  }
  return msg;
}

function readText(file: string, cwd: string): string {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    const st = fs.statSync(full);
    if (st.isDirectory()) throw new UsageError(`cannot read ${file}: it is a folder`);
    if (st.size > MAX_FILE_BYTES)
      throw new UsageError(
        `${file} is ${(st.size / 1048576).toFixed(1)} MiB; scenario files are at most ${MAX_FILE_BYTES / 1048576} MiB`,
      );
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? (e as Error).message);
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function zodIssues(error: z.ZodError, prefix: (string | number)[] = []): FileIssue[] {
  return flattenIssues(error.issues, prefix);
}

/**
 * Checks what the scenario schema cannot, as the simulation will: the protocol exists, each
 * node's role is one it has, its params are valid and role counts are within bounds
 * (src/sim/catalog.ts checkScenario, the check an import also makes).
 */
function checkProtocol(
  file: string,
  scenario: Scenario,
  sets: readonly SetOverride[],
  prefix: (string | number)[],
): Scenario {
  const issues = checkScenario(scenario);
  if (issues.length === 0) return scenario;
  const pfx = prefix.length > 0 ? `${pathText(prefix)}.` : '';
  throw new UsageError(
    issuesLine(
      file,
      issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message })),
      sets,
      pfx,
    ),
  );
}

/** Validates scenario data (already parsed JSON) with overrides applied. */
export function validateScenarioData(
  file: string,
  data: unknown,
  sets: readonly SetOverride[] = [],
): Scenario {
  if (!isRecord(data))
    throw new UsageError(`${file}: expected a JSON object (a scenario), got ${describeValue(data)}`);
  // Before anything recursive (structuredClone, the validators) meets it.
  const tooDeep = nestingProblem(data);
  if (tooDeep) throw new UsageError(issuesLine(file, [tooDeep], [], ''));
  const copy = structuredClone(data);

  if (copy.format === 'dslab') {
    // The library's file wrapper: validated by the library's own parser, so the CLI and an
    // import agree on what a valid file is (and old schemaVersions are migrated the same way).
    const kind = copy.kind;
    let prefix: (string | number)[];
    if (kind === 'scenario') prefix = ['scenario'];
    else if (kind === 'exercise') prefix = ['exercise', 'scenario'];
    else if (kind === 'bundle')
      throw new UsageError(
        `${file} is a bundle; the CLI runs one scenario (import it with dslab library import, export one item)`,
      );
    else throw new UsageError(`${file}: kind: expected scenario or exercise (got ${JSON.stringify(kind)})`);
    let target: unknown = copy;
    for (const k of prefix) target = isRecord(target) ? target[k] : undefined;
    if (isRecord(target)) for (const s of sets) applySet(target, s);
    else if (sets.length > 0)
      throw new UsageError(`${file}: ${pathText(prefix)}: expected a scenario object`);
    const r = parseFileData(copy);
    if (!r.ok) throw new UsageError(issuesLine(file, r.issues, sets, `${pathText(prefix)}.`));
    const scenario =
      r.file.kind === 'scenario'
        ? r.file.scenario
        : r.file.kind === 'exercise'
          ? r.file.exercise.scenario
          : null;
    if (scenario === null) throw new UsageError(`${file}: expected a scenario or an exercise`);
    return checkProtocol(file, scenario, sets, prefix);
  }

  for (const s of sets) applySet(copy, s);
  const deepSet = sets.length > 0 ? nestingProblem(copy) : null;
  if (deepSet) throw new UsageError(issuesLine(file, [deepSet], sets, ''));
  const r = ScenarioSchema.safeParse(copy);
  if (!r.success) throw new UsageError(issuesLine(file, zodIssues(r.error), sets, ''));
  return checkProtocol(file, r.data, sets, []);
}

/** Reads, unwraps, overrides and validates a scenario file. Throws a one-line UsageError. */
export function loadScenarioFile(
  file: string,
  setSpecs: readonly string[] = [],
  cwd = process.cwd(),
): LoadedScenario {
  const sets = setSpecs.map(parseSet);
  const text = readText(file, cwd);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${describeJsonError(text, e)}`);
  }
  return { scenario: validateScenarioData(file, data, sets), file, sets };
}
