import { describe, expect, it } from 'vitest';
import committed from '../../../resources/schema/scenario.schema.json';
import { scenarioJsonSchemaText } from './json-schema';
import { ScenarioSchema } from './schema';

const minimal = {
  schemaVersion: 1,
  name: 'x',
  topic: 'basics',
  protocol: 'ping-pong',
  seed: 1,
  topology: {
    nodes: [
      { id: 'a', role: 'node' },
      { id: 'b', role: 'node' },
    ],
    links: [{ id: 'l', a: 'a', b: 'b' }],
  },
};

describe('scenario schema', () => {
  it('fills defaults', () => {
    const s = ScenarioSchema.parse(minimal);
    expect(s.workload).toEqual({ kind: 'none' });
    expect(s.topology.links[0]!.latency).toEqual({ kind: 'constant', us: 1000 });
    expect(s.limits.maxEvents).toBe(10_000_000);
    expect(s.nemesis.enabled).toBe(false);
  });

  it('names the path of an invalid field', () => {
    const bad = {
      ...minimal,
      topology: { ...minimal.topology, links: [{ id: 'l', a: 'a', b: 'b', lossRate: 2 }] },
    };
    const r = ScenarioSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['topology', 'links', 0, 'lossRate']);
  });

  it('names the path of a link to an unknown node and of duplicate ids', () => {
    const bad = {
      ...minimal,
      topology: {
        nodes: [...minimal.topology.nodes, { id: 'a', role: 'node' }],
        links: [{ id: 'l', a: 'a', b: 'zz' }],
      },
    };
    const r = ScenarioSchema.safeParse(bad);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('topology.nodes.2.id');
    expect(paths).toContain('topology.links.0.b');
  });

  it('rejects an unknown fault kind with its path', () => {
    const r = ScenarioSchema.safeParse({ ...minimal, faults: [{ atUs: 0, fault: { kind: 'explode' } }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.slice(0, 3)).toEqual(['faults', 0, 'fault']);
  });

  it('resources/schema/scenario.schema.json equals the generated JSON Schema', () => {
    // Imported as JSON (src/shared stays free of node:fs even in tests); re-serialised the
    // way the generator writes it, so key order and content must both match.
    expect(`${JSON.stringify(committed, null, 2)}\n`).toBe(scenarioJsonSchemaText());
  });
});
