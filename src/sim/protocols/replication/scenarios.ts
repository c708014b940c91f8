import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { readReplication } from './read-replication';

export { replicationWorkload } from './lesson';

/** The quick start (readReplication.quickStart: async replication, no faults) with `params`. */
export function replicationQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(readReplication, params);
}

/**
 * Failover: at 1.8 s the leader r1 is cut off from its followers (one way: clients still
 * reach it and get answers), at 2 s it crashes, at 4 s it comes back. Writes r1 acknowledged
 * in between never reach a follower: asynchronous mode loses them.
 */
export function replicationFailover(params: Record<string, unknown> = {}): Scenario {
  const base = replicationQuickStart(params);
  return ScenarioSchema.parse({
    ...base,
    name: 'Read replication: leader failover',
    faults: [
      { atUs: 1_800_000, fault: { kind: 'partition-oneway', id: 'r1-out', from: ['r1'], to: ['r2', 'r3'] } },
      { atUs: 2_000_000, fault: { kind: 'crash', node: 'r1' } },
      { atUs: 2_000_000, fault: { kind: 'heal', id: 'r1-out' } },
      { atUs: 4_000_000, fault: { kind: 'restart', node: 'r1' } },
    ],
  });
}

/** The built-in replication scenarios (determinism tests run each twice). */
export function replicationScenarios(): Scenario[] {
  return [replicationQuickStart(), replicationFailover()];
}
