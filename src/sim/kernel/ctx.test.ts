import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';
import { Simulation } from '../simulation';

/**
 * What the context tells a handler about the scenario besides the membership: each node's
 * display name (`ctx.nameOf`) and the keys the workload declares (`ctx.keySpace`).
 */

interface State {
  names: string[];
  keys: string[];
}

const probe: Protocol<Record<string, never>, State, { type: string }> = {
  id: 'test-ctx-probe',
  topic: 'test',
  title: 'Context probe',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: z.object({}),
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ names: [], keys: [] }),
  on(ctx, s, input) {
    if (input.kind !== 'start') return;
    s.names = [...ctx.nodesWithRole('node'), 'nobody'].map((id) => ctx.nameOf(id));
    s.keys = [...ctx.keySpace()];
  },
  durable: [],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
  speed: 1,
};
registerProtocol(probe);

function probeRun(workload: Record<string, unknown>): State {
  const sim = new Simulation(
    ScenarioSchema.parse({
      schemaVersion: 1,
      name: 'ctx probe',
      topic: 'test',
      protocol: probe.id,
      topology: {
        nodes: [
          { id: 'a', name: 'alpha', role: 'node', x: 0, y: 0 },
          { id: 'b', role: 'node', x: 1, y: 0 },
        ],
        links: [{ id: 'ab', a: 'a', b: 'b' }],
      },
      workload,
      seed: 1,
      limits: { maxTimeUs: 1_000 },
    }),
  );
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim.nodeState('a')!.state as State;
}

describe('the context: display names and the declared key space', () => {
  it('nameOf gives the scenario name, or the id when the node has none (or is unknown)', () => {
    expect(probeRun({ kind: 'none' }).names).toEqual(['alpha', 'b', 'nobody']);
  });

  it('keySpace lists the workload keys in order: the pattern for 0..count-1, or the list', () => {
    const open = { kind: 'open', ratePerS: 1, startUs: 10_000_000 };
    expect(probeRun({ ...open, keys: { pattern: 'user-{i}', count: 3 } }).keys).toEqual([
      'user-0',
      'user-1',
      'user-2',
    ]);
    expect(probeRun({ ...open, keys: { list: ['x', 'y'] } }).keys).toEqual(['x', 'y']);
    expect(probeRun({ kind: 'none' }).keys).toEqual([]);
  });
});
