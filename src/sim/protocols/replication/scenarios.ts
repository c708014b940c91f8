import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { replicationWorkload } from './lesson';
import { readReplication } from './read-replication';

export { replicationWorkload };

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

/**
 * The nemesis: from 0.5 s to 8 s, crashes (most aimed at the leader, some restarting within
 * 50 ms, some inside the step that made a replica leader or right after a vote), partitions
 * (some one-way, most cutting the leader off), loss bursts and clock steps; then 2 s of quiet
 * in which every operation must be answered. Sync mode with reads at the leader (a barrier):
 * no acknowledged write is lost and the history is linearizable, on every seed; turn on a bug
 * switch, a lease or an async mode and the checkers say so. Five keys, so reads and writes of
 * a key often overlap.
 */
export function replicationNemesis(params: Record<string, unknown> = {}): Scenario {
  const base = replicationQuickStart({ mode: 'sync', readPolicy: 'leader', ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Read replication under a nemesis',
    workload: {
      ...replicationWorkload,
      readFraction: 0.5,
      keys: { pattern: 'k{i}', count: 5, distribution: 'uniform' },
      stopUs: 10_000_000,
    },
    nemesis: {
      enabled: true,
      startUs: 500_000,
      stopUs: 8_000_000,
      crashRatePerS: 1.5,
      meanDowntimeUs: 500_000,
      partitionRatePerS: 1,
      oneWayFraction: 0.3,
      meanPartitionUs: 400_000,
      lossRatePerS: 0.5,
      lossRate: 0.3,
      meanLossUs: 300_000,
      clockSkewRatePerS: 0.5,
      maxSkewUs: 100_000,
      leaderFocus: 0.6,
      quickRestartFraction: 0.3,
      quickRestartUs: 50_000,
      crashAfterPromise: 0.2,
      crashNewLeader: 0.2,
    },
    limits: { maxTimeUs: 10_500_000 },
  });
}

/** The built-in replication scenarios (determinism tests run each twice). */
export function replicationScenarios(): Scenario[] {
  return [replicationQuickStart(), replicationFailover(), replicationNemesis()];
}
