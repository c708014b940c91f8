import { describe, expect, it } from 'vitest';
import { makeExercise, makeScenario } from '../../../tests/store/fixtures';
import { canonicalJson } from './canonical';
import {
  FILE_SCHEMA_VERSION,
  fileItems,
  MAX_FILE_BYTES,
  MAX_NESTING,
  makeFile,
  serializeFile,
} from './format';
import { formatPath, nestingProblem, parseFile, utf8Length } from './parse';

const scenarioFile = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario: makeScenario(5), ...over });

describe('.dslab.json files', () => {
  it('reads a scenario file and applies defaults', () => {
    const r = parseFile(scenarioFile({ tags: ['a'] }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fromVersion).toBe(FILE_SCHEMA_VERSION);
    expect(r.file.kind).toBe('scenario');
    const items = fileItems(r.file);
    expect(items.scenarios[0]!.description).toBe('');
    expect(items.scenarios[0]!.tags).toEqual(['a']);
    expect(items.scenarios[0]!.scenario.topology.links[0]!.lossRate).toBe(0);
  });

  it('names the JSON path and the reason of a bad cross-reference', () => {
    const s = makeScenario(5);
    (s.topology.links[3] as { a: string }).a = 'n9';
    (s.topology.links[3] as { id: string }).id = 'l3x';
    const r = parseFile(JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario: s }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('invalid');
    expect(r.issues).toContainEqual({
      path: '$.scenario.topology.links[3].a',
      message: 'link l3x names unknown node n9',
    });
    expect(r.message).toContain('$.scenario.topology.links[3].a: link l3x names unknown node n9');
  });

  it('names wrong types, unknown fields, and wrong kinds', () => {
    const bad = parseFile(scenarioFile({ extra: 1, tags: 'x' }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.message).toMatch(/\$\.tags: Invalid input: expected array/);
    expect(bad.message).toMatch(/Unrecognized key: "extra"/);
    const kind = parseFile(scenarioFile({ kind: 'movie' }));
    expect(!kind.ok && kind.message).toMatch(/\$\.kind: Invalid discriminator value/);
    const latency = parseFile(
      JSON.stringify({
        format: 'dslab',
        kind: 'scenario',
        schemaVersion: 1,
        scenario: {
          ...makeScenario(2),
          topology: {
            nodes: makeScenario(2).topology.nodes,
            links: [{ id: 'l', a: 'n1', b: 'n2', latency: { kind: 'uniform', minUs: 'x' } }],
          },
        },
      }),
    );
    expect(!latency.ok && latency.message).toContain('$.scenario.topology.links[0].latency.minUs');
  });

  it('refuses what is not JSON, not an object, or from a newer DSLab', () => {
    const notJson = parseFile('{"format": ');
    expect(!notJson.ok && notJson.message).toMatch(/^This is not a DSLab file: \$: not JSON/);
    const arr = parseFile('[1,2]');
    expect(!arr.ok && arr.message).toMatch(/\$: expected a JSON object/);
    const newer = parseFile(scenarioFile({ schemaVersion: 9 }));
    expect(!newer.ok && newer.message).toMatch(/newer DSLab \(schemaVersion 9; this version reads up to 1\)/);
    const noVersion = parseFile(JSON.stringify({ format: 'dslab', kind: 'scenario' }));
    expect(!noVersion.ok && noVersion.message).toMatch(/\$\.schemaVersion: expected an integer/);
  });

  it('refuses a file over the size cap before parsing it', () => {
    const r = parseFile(`{"pad": "${'x'.repeat(2000)}"}`, 1000);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('too-large');
    expect(r.message).toMatch(/at most 0\.0 MiB/);
    expect(parseFile(`"${'é'.repeat(600)}"`, 1000).ok).toBe(false);
    expect(MAX_FILE_BYTES).toBe(20 * 1024 * 1024);
  });

  it('allows 64 levels of lists and objects and refuses the 65th, naming its path', () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = i % 2 ? { k: v } : [v];
      return v;
    };
    expect(MAX_NESTING).toBe(64);
    expect(nestingProblem(nest(64))).toBeNull();
    const deep = nestingProblem({ a: [0, nest(64)] });
    expect(deep?.message).toBe('nested deeper than 64 levels of lists and objects');
    expect(deep?.path).toMatch(/^\$\.a\[1\](\.k\[0\])+$/);
    expect(nestingProblem(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))?.path).toMatch(
      /^\$(\[0\]){64}$/,
    );
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8Length('\ud800')).toBe(3);
  });

  it('migrates a version 0 file (a bare scenario, from/to links) to version 1', () => {
    const v0 = {
      name: 'Old',
      topic: 'basics',
      protocol: 'ping-pong',
      description: 'from 0.x',
      tags: ['old'],
      nodes: [
        { id: 'a', role: 'node', x: 0, y: 0 },
        { id: 'b', role: 'node', x: 1, y: 1 },
      ],
      links: [{ from: 'a', to: 'b', latencyMs: 1.5, loss: 0.25 }],
    };
    const r = parseFile(JSON.stringify(v0));
    expect(r.ok).toBe(true);
    if (!r.ok || r.file.kind !== 'scenario') return;
    expect(r.fromVersion).toBe(0);
    expect(r.file.description).toBe('from 0.x');
    expect(r.file.scenario.seed).toBe(1);
    expect(r.file.scenario.topology.links[0]).toMatchObject({
      id: 'l1',
      a: 'a',
      b: 'b',
      latency: { kind: 'constant', us: 1500 },
      lossRate: 0.25,
    });
    const broken = parseFile(JSON.stringify({ ...v0, links: [{ from: 'a', to: 'zz' }] }));
    expect(!broken.ok && broken.message).toMatch(
      /after migrating from schemaVersion 0.*\$\.scenario\.topology\.links\[0\]\.b: link l1 names unknown node zz/,
    );
  });

  it('reads a bare scenario (no wrapper) as a scenario file', () => {
    const r = parseFile(JSON.stringify(makeScenario(3, 'Bare')));
    expect(r.ok && r.file.kind === 'scenario' && r.file.scenario.name).toBe('Bare');
    const bad = parseFile(JSON.stringify({ ...makeScenario(3), seed: -1 }));
    expect(!bad.ok && bad.message).toMatch(/\$\.scenario\.seed: /);
  });

  it('writes what it reads: scenario, exercise and bundle round trips', () => {
    const s = parseFile(scenarioFile());
    const e = parseFile(
      JSON.stringify({ format: 'dslab', kind: 'exercise', schemaVersion: 1, exercise: makeExercise() }),
    );
    expect(s.ok && e.ok).toBe(true);
    if (!s.ok || !e.ok) return;
    const items = { scenarios: fileItems(s.file).scenarios, exercises: fileItems(e.file).exercises };
    for (const file of [
      makeFile({ scenarios: items.scenarios, exercises: [] }),
      makeFile({ scenarios: [], exercises: items.exercises }),
      makeFile(items),
    ]) {
      const text = serializeFile(file);
      expect(text.endsWith('}\n')).toBe(true);
      const again = parseFile(text);
      expect(again.ok).toBe(true);
      if (again.ok) expect(canonicalJson(again.file)).toBe(canonicalJson(file));
    }
    expect(makeFile(items).kind).toBe('bundle');
  });

  it('refuses an empty bundle and duplicate tags', () => {
    const empty = parseFile(JSON.stringify({ format: 'dslab', kind: 'bundle', schemaVersion: 1 }));
    expect(!empty.ok && empty.message).toMatch(/\$: a bundle holds at least one item/);
    const dup = parseFile(scenarioFile({ tags: ['Raft', 'raft'] }));
    expect(!dup.ok && dup.message).toMatch(/\$\.tags\[1\]: duplicate tag raft/);
  });

  it('formats paths', () => {
    expect(formatPath([])).toBe('$');
    expect(formatPath(['a', 3, 'b c', 'd'])).toBe('$.a[3]["b c"].d');
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] })).toBe('{"a":[{"c":2}],"b":1}');
  });
});
