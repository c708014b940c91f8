/**
 * The audit's fuzz corpus (issue 16, "Keep"): a few hundred malformed files, generated in the
 * test (fast-check, fixed seed, so the corpus is the same on every run), each imported through
 * the CLI (`dslab library import`) and through the API's `library.import` method: over a live
 * web-mode WebSocket (the server as a child process, as a page reaches it) and through the
 * dispatcher in process (what the app's IPC calls). Every one must be refused with a message
 * naming what is wrong, and the database file must keep every byte.
 *
 * Every generator makes a file that cannot be valid (truncated JSON, an unknown protocol, a
 * dangling link, ...), so "refused" is the only right answer. A failure prints the case.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { memoryIo } from '../../src/cli/io';
import { createApiHost } from '../../src/main/api/host';
import { loadBuiltinFiles } from '../../src/main/store/builtins';
import { openStore, STORE_FILE } from '../../src/main/store/database';
import { MAX_FILE_BYTES } from '../../src/shared/files/format';
import { listProtocols } from '../../src/sim';
import { ask, openSocket, startServerProcess } from '../server/helpers';
import { makeExercise, makeScenario } from './fixtures';

const SEED = 16_2026;
const CASES = 250;

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-corpus-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Doc = { [k: string]: Json };

/** Valid files to break: every built-in, and a scenario, an exercise and a bundle of our own. */
const BASES: string[] = [
  ...loadBuiltinFiles().map((f) => f.text),
  JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario: makeScenario(4, 'base') }),
  JSON.stringify({ format: 'dslab', kind: 'exercise', schemaVersion: 1, exercise: makeExercise('base') }),
  JSON.stringify({
    format: 'dslab',
    kind: 'bundle',
    schemaVersion: 1,
    scenarios: [{ scenario: makeScenario(3, 'b1') }],
    exercises: [{ exercise: makeExercise('b2') }],
  }),
];
const PROTOCOLS = new Set(listProtocols().map((p) => p.id));

/** The first scenario of a parsed file (where the semantic breakages go). */
function scenarioOf(file: Doc): Doc {
  if (file.kind === 'scenario') return file.scenario as Doc;
  if (file.kind === 'exercise') return (file.exercise as Doc).scenario as Doc;
  const first = ((file.scenarios as Doc[])[0] ?? (file.exercises as Doc[])[0]) as Doc;
  return (first.scenario ?? (first.exercise as Doc).scenario) as Doc;
}

/** Where the first scenario sits, as the error path names it. */
function scenarioPath(file: Doc): string {
  if (file.kind === 'scenario') return '$.scenario';
  if (file.kind === 'exercise') return '$.exercise.scenario';
  return (file.scenarios as Doc[]).length > 0
    ? '$.scenarios[0].scenario'
    : '$.exercises[0].exercise.scenario';
}

interface Case {
  kind: string;
  text: string;
  /** A fragment the message must contain (the path, usually). */
  names: string;
}

const base = fc.nat({ max: BASES.length - 1 }).map((i) => JSON.parse(BASES[i]!) as Doc);
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const notA = (taken: Set<string>) => word.filter((w) => !taken.has(w));
const edit = (kind: string, change: (file: Doc, s: Doc) => string): ((file: Doc) => Case) => {
  return (file) => {
    const names = change(file, scenarioOf(file));
    return { kind, text: JSON.stringify(file), names };
  };
};

/** Each generator: a file that cannot be valid, and what the message must name. */
const generators: fc.Arbitrary<Case>[] = [
  // Text damage: cut before the final brace (never balanced JSON), or not JSON at all.
  fc.tuple(fc.nat({ max: BASES.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true })).map(([i, at]) => {
    const text = BASES[i]!;
    return {
      kind: 'truncated',
      text: text.slice(0, Math.floor(at * text.lastIndexOf('}'))),
      names: '$: not JSON',
    };
  }),
  fc
    .string({ unit: 'binary', maxLength: 200 })
    .filter((t) => {
      try {
        const v = JSON.parse(t) as unknown;
        return typeof v !== 'object' || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    })
    .map((text) => ({ kind: 'garbage', text, names: '$' })),
  // JSON of the wrong shape.
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({
    kind: 'random scenario',
    text: JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario: v }),
    names: '$.scenario',
  })),
  fc.tuple(base, fc.integer({ min: 2, max: 1_000_000 })).map(([file, v]) => ({
    kind: 'newer version',
    text: JSON.stringify({ ...file, schemaVersion: v }),
    names: `schemaVersion ${v}`,
  })),
  fc
    .tuple(
      base,
      notA(
        new Set([
          'format',
          'kind',
          'schemaVersion',
          'key',
          'description',
          'tags',
          'title',
          'scenario',
          'exercise',
          'scenarios',
          'exercises',
        ]),
      ),
    )
    .map(([file, k]) => ({
      kind: 'unknown field',
      text: JSON.stringify({ ...file, [k]: 1 }),
      names: `Unrecognized key: "${k}"`,
    })),
  fc
    .tuple(base, fc.constantFrom('a,b', 'tab\there', 'x'.repeat(41), ' ', 'esc\u001b[2J'))
    .map(([file, t]) => ({ kind: 'bad tag', text: JSON.stringify({ ...file, tags: [t] }), names: 'tags' })),
  // Scenarios the schema refuses.
  fc.tuple(base, notA(new Set())).map(([file, id]) =>
    edit('dangling link', (f, s) => {
      const links = (s.topology as Doc).links as Doc[];
      links.push({ id: 'lx', a: ((s.topology as Doc).nodes as Doc[])[0]!.id as string, b: `zz-${id}` });
      return `${scenarioPath(f)}.topology.links[${links.length - 1}].b`;
    })(file),
  ),
  fc.tuple(base, fc.constantFrom(0, 100_001)).map(([file, n]) =>
    edit('key list', (f, s) => {
      s.workload = {
        kind: 'open',
        ratePerS: 10,
        keys: { list: Array.from({ length: n }, (_, i) => `k${i}`) },
      };
      return `${scenarioPath(f)}.workload.keys.list`;
    })(file),
  ),
  fc.tuple(base, fc.integer({ min: 65, max: 5000 })).map(([file, depth]) => {
    const c = edit('deep nesting', (f, s) => {
      s.params = { ...(s.params as Doc), deep: '@' };
      return `${scenarioPath(f)}.params.deep[0]`;
    })(file);
    return { ...c, text: c.text.replace('"@"', `${'['.repeat(depth)}${']'.repeat(depth)}`) };
  }),
  // Files that cannot run: checked against the protocol catalog.
  fc.tuple(base, notA(PROTOCOLS)).map(([file, p]) =>
    edit('unknown protocol', (f, s) => {
      s.protocol = p;
      return `${scenarioPath(f)}.protocol: unknown protocol ${p}`;
    })(file),
  ),
  fc.tuple(base, notA(new Set(['switch', 'client']))).map(([file, r]) =>
    edit('unknown role', (f, s) => {
      const nodes = (s.topology as Doc).nodes as Doc[];
      const i = nodes.findIndex((n) => n.role !== 'switch' && n.role !== 'client');
      nodes[i]!.role = `zz-${r}`;
      return `${scenarioPath(f)}.topology.nodes[${i}].role`;
    })(file),
  ),
];

const corpusArb = fc.oneof(...generators);

function sha(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of [STORE_FILE, `${STORE_FILE}-wal`]) {
    const p = path.join(dir, f);
    h.update(f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

/** A refusal's message: what is wrong, with a JSON path (or the size cap). */
const MESSAGE =
  /^(This (is not a (valid )?DSLab file|file needs a newer DSLab)[^:]*: \$[^:]*: \S|The file is [\d.]+ MiB; DSLab opens files of at most 20\.0 MiB\. Nothing was imported\.$)/;

describe(`a corpus of ${CASES} malformed files`, () => {
  const corpus = fc.sample(corpusArb, { seed: SEED, numRuns: CASES });
  // And one over the size cap, refused before it is parsed.
  corpus.push({
    kind: 'too large',
    text: `{"format":"dslab","kind":"scenario","schemaVersion":1,"description":"${'x'.repeat(MAX_FILE_BYTES)}"}`,
    names: '20.0 MiB',
  });

  it('covers every kind of damage', () => {
    const kinds = new Set(corpus.map((c) => c.kind));
    expect(kinds.size).toBe(generators.length + 1);
  });

  it('is refused by the API method, each with a message, the database unchanged byte for byte', async () => {
    const dir = tmp();
    const db = openStore(dir);
    const host = createApiHost({
      transport: 'web',
      dataDir: dir,
      db,
      version: 'test',
      electronVersion: null,
      emit: () => {},
    });
    const total = host.library.list().total;
    const before = sha(dir);
    for (const c of corpus) {
      const r = await host.dispatch('library.import', { text: c.text });
      const why = `${c.kind}: ${c.text.slice(0, 300)}`;
      expect(r.ok, why).toBe(false);
      if (r.ok) continue;
      expect(['bad-request', 'too-large'], why).toContain(r.error.code);
      expect(r.error.message, why).toMatch(MESSAGE);
      expect(r.error.message, why).toContain(c.names);
      expect(sha(dir), why).toBe(before);
    }
    expect(host.library.list().total).toBe(total);
    host.close();
    db.close();
  });

  it('is refused over a live web-mode socket, each with a message, the database unchanged byte for byte', async () => {
    const dir = tmp();
    const server = await startServerProcess({ dataDir: dir });
    try {
      const ws = await openSocket(server);
      // A round trip after start-up: the built-ins are seeded, the library is settled.
      const { total } = (await ask(ws, 0, 'library.list', {})).value as { total: number };
      const before = sha(dir);
      for (const [i, c] of corpus.entries()) {
        const r = await ask(ws, i + 1, 'library.import', { text: c.text });
        const why = `${c.kind}: ${c.text.slice(0, 300)}`;
        expect(r.ok, why).toBe(false);
        expect(['bad-request', 'too-large'], why).toContain(r.error?.code);
        expect(r.error?.message, why).toMatch(MESSAGE);
        expect(r.error?.message, why).toContain(c.names);
        expect(sha(dir), why).toBe(before);
      }
      expect(await ask(ws, corpus.length + 1, 'library.list', {})).toMatchObject({ value: { total } });
      ws.close();
      expect(server.exited()).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('is refused by dslab library import, each with one line naming the file, the database unchanged', async () => {
    const dir = tmp();
    const work = tmp();
    // The first run creates the library and seeds the built-ins; every later one changes nothing.
    expect(await runCli(['library', 'list', '--data', dir], memoryIo())).toBe(0);
    const before = sha(dir);
    for (const [i, c] of corpus.entries()) {
      const file = path.join(work, `case-${i}.dslab.json`);
      fs.writeFileSync(file, c.text);
      const io = memoryIo();
      const code = await runCli(['library', 'import', file, '--data', dir], io);
      const why = `${c.kind}: ${c.text.slice(0, 300)}`;
      expect(code, why).toBe(1);
      expect(io.stdout(), why).toBe('');
      const line = io.stderr();
      expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, why).toBe(true);
      expect(line.startsWith(`${file}: `), why).toBe(true);
      expect(line.slice(file.length + 2, -1), why).toMatch(MESSAGE);
      expect(sha(dir), why).toBe(before);
      fs.rmSync(file);
    }
  });
});
