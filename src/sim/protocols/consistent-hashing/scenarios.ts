import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { addNodeFaults, consistentHashing } from './consistent-hashing';

/** Quick start: ring of n1..n4 (64 vnodes each), 1000 keys; n5 joins at 3 s, n2 is removed at 5 s. */
export function chQuickStart(params: Record<string, unknown> = {}): Scenario {
  const p = consistentHashing.params.parse(params);
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'Consistent hashing: a node joins, a node leaves',
    topic: 'consistent-hashing',
    protocol: 'consistent-hashing',
    params: p,
    topology: consistentHashing.defaultTopology(p),
    workload: {
      kind: 'open',
      ratePerS: 400,
      readFraction: 0.3,
      keys: { pattern: 'k{i}', count: 1000 },
      stopUs: 6_500_000,
    },
    faults: [
      ...addNodeFaults('n5', 3_000_000),
      { atUs: 5_000_000, fault: { kind: 'remove-node', node: 'n2' } },
    ],
    seed: 1,
    limits: { maxTimeUs: 7_000_000 },
  });
}

/** The built-in consistent-hashing scenarios. */
export function chScenarios(): Scenario[] {
  return [chQuickStart(), chQuickStart({ scheme: 'rendezvous' }), chQuickStart({ scheme: 'jump' })];
}
