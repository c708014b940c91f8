import { type Scenario, ScenarioSchema } from '../../shared/scenario/schema';
import type { Simulation } from '../simulation';
import './probe';

/** A scenario from a partial input (schema defaults fill the rest). */
export function scenario(partial: Record<string, unknown>): Scenario {
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'test',
    topic: 'basics',
    protocol: 'ping-pong',
    seed: 1,
    ...partial,
  });
}

/** Nodes with ids given, role 'node' unless the id starts with 'sw'. */
export function nodes(...ids: string[]) {
  return ids.map((id) => ({ id, role: id.startsWith('sw') ? 'switch' : 'node' }));
}

/** A link a-b with constant latency. */
export function link(a: string, b: string, us = 1000, extra: Record<string, unknown> = {}) {
  return { id: `${a}-${b}`, a, b, latency: { kind: 'constant', us }, ...extra };
}

/** Everything observable about a run, for equality checks. */
export function observe(sim: Simulation) {
  return {
    status: sim.status(),
    hash: sim.traceHash(),
    rows: sim.traceRows,
    nodes: JSON.stringify(sim.nodeStates()),
    metrics: JSON.stringify(sim.metrics()),
    history: JSON.stringify(sim.history()),
  };
}
