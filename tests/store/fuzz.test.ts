/**
 * Reliability: 10,000 fuzzed and mutated files (fast-check, seeded; a failure prints the seed
 * and the counterexample). Each one imports or is refused with a clear message, and after a
 * refusal the database is unchanged: SQLite's total_changes() for every case, and the bytes of
 * the database and WAL files (SHA-256) for every 100th refusal.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBuiltinFiles } from '../../src/main/store/builtins';
import { STORE_FILE } from '../../src/main/store/database';
import { Library, LibraryError } from '../../src/main/store/library';
import { MAX_FILE_BYTES } from '../../src/shared/files/format';
import { makeExercise, makeScenario } from './fixtures';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Real files to mutate: the built-ins, exports of generated items, and a version 0 file. */
function seedTexts(): string[] {
  const texts = loadBuiltinFiles().map((f) => f.text);
  texts.push(
    JSON.stringify({
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      tags: ['a'],
      scenario: makeScenario(6),
    }),
  );
  texts.push(
    JSON.stringify({ format: 'dslab', kind: 'exercise', schemaVersion: 1, exercise: makeExercise() }),
  );
  texts.push(
    JSON.stringify({
      format: 'dslab',
      kind: 'bundle',
      schemaVersion: 1,
      scenarios: [{ scenario: makeScenario(3, 'b1') }, { scenario: makeScenario(2, 'b2') }],
      exercises: [{ exercise: makeExercise('b3') }],
    }),
  );
  texts.push(
    JSON.stringify({
      name: 'v0',
      topic: 'basics',
      protocol: 'ping-pong',
      nodes: [
        { id: 'a', role: 'node' },
        { id: 'b', role: 'node' },
      ],
      links: [{ from: 'a', to: 'b', latencyMs: 2 }],
    }),
  );
  return texts;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v` (the root is []). */
function paths(
  v: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => void paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...prefix, k], out);
  return out;
}

function getAt(v: Json, p: (string | number)[]): Json {
  let cur: Json = v;
  for (const k of p) cur = (cur as Record<string | number, Json>)[k]!;
  return cur;
}

interface Mutation {
  op: 'delete' | 'replace' | 'duplicate' | 'number' | 'string' | 'wrap';
  at: number;
  value: Json;
  n: number;
}

/** Applies one mutation at the `at`-th path (mod the number of paths). */
function mutate(root: Json, m: Mutation): Json {
  const all = paths(root);
  const p = all[m.at % all.length]!;
  if (p.length === 0) return m.op === 'wrap' ? [root] : m.op === 'replace' ? m.value : root;
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = p.at(-1)!;
  const cur = getAt(root, p);
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'replace':
      (parent as Record<string | number, Json>)[key] = m.value;
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(cur));
      else if (Array.isArray(cur) && cur.length > 0) cur.push(structuredClone(cur[0]!));
      break;
    case 'number':
      (parent as Record<string | number, Json>)[key] = [
        -1,
        0,
        1.5,
        2 ** 32,
        -(2 ** 53),
        1e308,
        Number.MAX_SAFE_INTEGER,
        0.1,
      ][m.n % 8]!;
      break;
    case 'string':
      (parent as Record<string | number, Json>)[key] = [
        '',
        'n9',
        'x'.repeat(300),
        '\u0000',
        'ok',
        '💥',
        'a,b',
      ][m.n % 7]!;
      break;
    case 'wrap':
      (parent as Record<string | number, Json>)[key] = { value: cur };
      break;
  }
  return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'duplicate', 'number', 'string', 'wrap'),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  n: fc.nat(),
});

/** Text-level damage: truncation, insertion, deletion, replacement of one character. */
const textDamageArb = fc.record({
  kind: fc.constantFrom('truncate', 'insert', 'delete', 'replace'),
  at: fc.nat(),
  ch: fc.constantFrom('"', '{', '}', ',', ':', '[', ']', '\\', 'x', '0', ' ', '\u0000', 'é'),
});

describe('10,000 fuzzed and mutated files', () => {
  it('each imports or is refused clearly; a refusal changes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-fuzz-'));
    dirs.push(dir);
    const lib = Library.open(dir);
    lib.createScenario(makeScenario(4, 'Already here'));
    const dbFile = path.join(dir, STORE_FILE);
    const fileHash = () => {
      const h = crypto.createHash('sha256');
      for (const f of [dbFile, `${dbFile}-wal`]) if (fs.existsSync(f)) h.update(fs.readFileSync(f));
      return h.digest('hex');
    };
    const changes = () => (lib.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const seeds = seedTexts();
    const seedJson = seeds.map((t) => JSON.parse(t) as Json);
    const stats = { imported: 0, invalid: 0, tooLarge: 0, bytesCompared: 0, cases: 0 };
    let items = lib.list({ limit: 10_000 }).total;

    const check = (text: string) => {
      stats.cases++;
      const before = changes();
      const sample = (stats.invalid + stats.tooLarge) % 100 === 0;
      const hashBefore = sample ? fileHash() : '';
      try {
        const r = lib.importFile(text);
        const n = r.scenarios.length + r.exercises.length;
        expect(n).toBeGreaterThan(0);
        items += n;
        stats.imported++;
        return true;
      } catch (e) {
        if (!(e instanceof LibraryError))
          throw new Error(`not a clear refusal: ${String(e)}\nfile: ${text.slice(0, 500)}`);
        expect(['invalid', 'too-large']).toContain(e.code);
        if (e.code === 'invalid') {
          stats.invalid++;
          // The message names at least one JSON path and a reason.
          expect(e.message).toMatch(
            /^This (is not a (valid )?DSLab file|file needs a newer DSLab)[^:]*: \$[^:]*: \S/,
          );
          expect(e.issues.length).toBeGreaterThan(0);
        } else {
          stats.tooLarge++;
          expect(e.message).toMatch(/DSLab opens files of at most 20\.0 MiB\. Nothing was imported\./);
        }
        expect(changes()).toBe(before);
        if (sample) {
          expect(fileHash()).toBe(hashBefore);
          stats.bytesCompared++;
        }
        return true;
      }
    };

    const params = (seed: number, numRuns: number) => ({ seed, numRuns, endOnFailure: true });
    // 1. Arbitrary JSON values.
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => check(JSON.stringify(v))),
      params(1, 1500),
    );
    // 2. Arbitrary JSON under a valid header.
    fc.assert(
      fc.property(
        fc.constantFrom('scenario', 'exercise', 'bundle', 'other'),
        fc.integer({ min: -1, max: 3 }),
        fc.dictionary(
          fc.constantFrom('scenario', 'exercise', 'scenarios', 'exercises', 'tags', 'x'),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        (kind, schemaVersion, body) =>
          check(JSON.stringify({ format: 'dslab', kind, schemaVersion, ...body })),
      ),
      params(2, 1000),
    );
    // 3. Structured mutations of real files (1 to 4 each).
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        (i, ms) => {
          let v: Json = structuredClone(seedJson[i]!);
          for (const m of ms) v = mutate(v, m);
          return check(JSON.stringify(v));
        },
      ),
      params(3, 5500),
    );
    // 4. Text damage to real files.
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(textDamageArb, { minLength: 1, maxLength: 3 }),
        (i, ds) => {
          let t = seeds[i]!;
          for (const d of ds) {
            const at = d.at % (t.length + 1);
            if (d.kind === 'truncate') t = t.slice(0, at);
            else if (d.kind === 'insert') t = t.slice(0, at) + d.ch + t.slice(at);
            else if (d.kind === 'delete') t = t.slice(0, at) + t.slice(at + 1);
            else t = t.slice(0, at) + d.ch + t.slice(at + 1);
          }
          return check(t);
        },
      ),
      params(4, 1990),
    );
    // 5. Over the size cap (refused before parsing).
    for (let k = 0; k < 10; k++) {
      const pad = ' '.repeat(MAX_FILE_BYTES + 1 + k * 1000);
      check(k % 2 ? pad + seeds[0]! : `{"format":"dslab","pad":"${pad}"}`);
    }

    expect(stats.cases).toBe(10_000);
    // The mix is not degenerate: many refusals, some imports, every cap hit.
    expect(stats.invalid).toBeGreaterThan(5000);
    expect(stats.imported).toBeGreaterThan(100);
    expect(stats.tooLarge).toBe(10);
    expect(stats.bytesCompared).toBeGreaterThan(50);
    expect(lib.list({ limit: 10_000 }).total).toBe(items);
    expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
    lib.close();
  });

  it('a failure while writing an import rolls back to the same bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-fuzz-'));
    dirs.push(dir);
    const lib = Library.open(dir);
    lib.createScenario(makeScenario(4, 'Already here'));
    // The third item of the bundle is refused by the database itself, after two were written.
    lib.db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON items WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    const dbFile = path.join(dir, STORE_FILE);
    const bytes = () =>
      [dbFile, `${dbFile}-wal`].map((f) => (fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0)));
    const before = bytes();
    const text = JSON.stringify({
      format: 'dslab',
      kind: 'bundle',
      schemaVersion: 1,
      scenarios: ['ok1', 'ok2', 'boom', 'ok3'].map((name) => ({ scenario: makeScenario(50, name) })),
    });
    expect(() => lib.importFile(text)).toThrow(/boom/);
    const after = bytes();
    expect(after[0]!.equals(before[0]!)).toBe(true);
    expect(after[1]!.equals(before[1]!)).toBe(true);
    expect(lib.list().items.map((i) => i.name)).toEqual(['Already here']);
    lib.close();
  });
});
