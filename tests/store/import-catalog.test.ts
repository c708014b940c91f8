/**
 * Import checks a file against the protocol catalog (issue 15.5): an unknown protocol, a node
 * role the protocol does not have, or params (or an exercise's varied params) the protocol
 * refuses are refused like a broken file, with the JSON path, and nothing is written. One
 * check (Library.importFile) serves the CLI, the API method of both transports and the app.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { memoryIo } from '../../src/cli/io';
import { createApiHost } from '../../src/main/api/host';
import { openStore } from '../../src/main/store/database';
import { Library, LibraryError } from '../../src/main/store/library';
import { listProtocols } from '../../src/sim';
import { makeExercise, makeScenario } from './fixtures';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cat-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const known = listProtocols()
  .map((p) => p.id)
  .sort()
  .join(', ');
const LEAD = 'This is not a valid DSLab file: ';

type Doc = Record<string, unknown>;
const scenarioFile = (change: (s: Doc) => void) => {
  const scenario = makeScenario(3, 'checked') as unknown as Doc;
  change(scenario);
  return JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario });
};
const role = (r: string) => (s: Doc) => {
  (s.topology as { nodes: Doc[] }).nodes[1]!.role = r;
};

/** Each broken file and the message it must be refused with. */
const cases: [string, string, string][] = [
  [
    'an unknown protocol',
    scenarioFile((s) => {
      s.protocol = 'raftt';
    }),
    `${LEAD}$.scenario.protocol: unknown protocol raftt (known: ${known})`,
  ],
  [
    'a role the protocol lacks',
    scenarioFile(role('wizard')),
    `${LEAD}$.scenario.topology.nodes[1].role: ping-pong has no role wizard`,
  ],
  [
    'a param of the wrong type',
    scenarioFile((s) => {
      s.params = { retryUs: 'fast' };
    }),
    `${LEAD}$.scenario.params.retryUs: Invalid input: expected number, received string`,
  ],
  [
    'the second scenario of a bundle',
    JSON.stringify({
      format: 'dslab',
      kind: 'bundle',
      schemaVersion: 1,
      scenarios: [
        { scenario: makeScenario(2, 'fine') },
        { scenario: { ...makeScenario(2, 'bad'), protocol: 'raftt' } },
      ],
    }),
    `${LEAD}$.scenarios[1].scenario.protocol: unknown protocol raftt (known: ${known})`,
  ],
  [
    "an exercise's varied param the protocol refuses",
    JSON.stringify({
      format: 'dslab',
      kind: 'exercise',
      schemaVersion: 1,
      exercise: { ...makeExercise('varied'), variant: { params: { payloadBytes: { choices: [0, 'big'] } } } },
    }),
    `${LEAD}$.exercise.variant.params.payloadBytes.choices[1]: the protocol refuses params.payloadBytes = "big": Invalid input: expected number, received string`,
  ],
];

describe('import against the protocol catalog', () => {
  it.each(cases)('refuses %s with the path, writing nothing (Library)', (_name, text, message) => {
    const lib = Library.open(tmp());
    lib.createScenario(makeScenario(2, 'here before'));
    const changes = () => (lib.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    let err: unknown;
    try {
      lib.importFile(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LibraryError);
    expect((err as LibraryError).code).toBe('invalid');
    expect((err as LibraryError).message).toBe(message);
    expect(changes()).toBe(before);
    expect(lib.list().total).toBe(1);
    lib.close();
  });

  it('the API method (web mode and the app) answers bad-request with the message and path', async () => {
    const dir = tmp();
    const db = openStore(dir);
    const host = createApiHost({
      transport: 'web',
      dataDir: dir,
      db,
      version: 'test',
      electronVersion: null,
      emit: () => {},
      builtinDir: null,
    });
    for (const [name, text, message] of cases) {
      const r = await host.dispatch('library.import', { text });
      expect(r, name).toMatchObject({ ok: false, error: { code: 'bad-request', message } });
    }
    const r = await host.dispatch('library.import', { text: cases[0]![1] });
    expect(r).toMatchObject({ error: { path: ['scenario', 'protocol'] } });
    expect(host.library.list().total).toBe(0);
    host.close();
    db.close();
  });

  it('dslab library import prints each refusal naming the file, exit 1', async () => {
    const work = tmp();
    const files = cases.map(([, text], i) => {
      const f = path.join(work, `bad${i}.dslab.json`);
      fs.writeFileSync(f, text);
      return f;
    });
    const io = memoryIo();
    const code = await runCli(['library', 'import', ...files, '--data', tmp()], io);
    expect(code).toBe(1);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe(cases.map(([, , m], i) => `${files[i]}: ${m}\n`).join(''));
  });

  it('still imports a scenario that is only unfinished: too few nodes for a role', () => {
    const lib = Library.open(tmp());
    const one = scenarioFile((s) => {
      s.topology = { nodes: [{ id: 'n1', role: 'node' }], links: [] };
    });
    expect(lib.importFile(one).scenarios).toHaveLength(1);
    lib.close();
  });
});
