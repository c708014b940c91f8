import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { readReplication } from './read-replication';

/** The workload of the replication scenarios: two closed-loop clients, mostly reads, a few hot keys. */
export const replicationWorkload = {
  kind: 'closed' as const,
  concurrency: 2,
  thinkTimeUs: 20_000,
  readFraction: 0.7,
  keys: { pattern: 'key-{i}', count: 20, distribution: 'zipf' as const, zipfS: 1.1 },
  timeoutUs: 1_000_000,
};

/** The quick start: async replication, reads from any follower, automatic failover, no faults. */
export function replicationQuickStart(params: Record<string, unknown> = {}): Scenario {
  const p = readReplication.params.parse(params);
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'Read replication quick start',
    topic: 'replication',
    protocol: 'read-replication',
    params: p,
    topology: readReplication.defaultTopology(p),
    workload: { ...replicationWorkload, stopUs: 5_000_000 },
    seed: 1,
    limits: { maxTimeUs: 6_000_000 },
  });
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
