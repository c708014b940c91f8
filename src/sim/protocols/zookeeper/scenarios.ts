/** ZooKeeper's built-in scenarios (the quick start is zookeeper.quickStart). */
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { zkTopology, zookeeper } from './zookeeper';

/** Every client reads and writes five keys, one operation at a time. */
export const ZK_WORKLOAD = {
  kind: 'closed',
  concurrency: 1,
  thinkTimeUs: 20_000,
  readFraction: 0.5,
  keys: { pattern: 'k{i}', count: 5, distribution: 'uniform' },
  timeoutUs: 2_000_000,
};

/** The quick start: the lock recipe on three servers, c1 crashes at 2 s. */
export function zkQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(zookeeper, params);
}

/** Reads and writes (no recipe) while the leader s3 crashes at 2 s and restarts at 3.5 s. */
export function zkLeaderCrash(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(zookeeper, { ...params, recipe: 'none' });
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: reads and writes through a leader crash',
    topology: zkTopology(3, 3),
    workload: ZK_WORKLOAD,
    faults: [
      { atUs: 2_000_000, fault: { kind: 'crash', node: 's3' } },
      { atUs: 3_500_000, fault: { kind: 'restart', node: 's3' } },
    ],
    limits: { ...base.limits, maxTimeUs: 8_000_000 },
  });
}

/**
 * The leader s3 and its client c3 cut off from the rest from 2 s to 3.5 s: s1 and s2 elect a
 * new leader and go on; s3 must not commit c3's writes alone, and must take the new leader's
 * history when it comes back.
 */
export function zkLeaderCutOff(params: Record<string, unknown> = {}): Scenario {
  const base = zkLeaderCrash(params);
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: the leader cut off with one client',
    faults: [
      {
        atUs: 2_000_000,
        fault: {
          kind: 'partition',
          id: 'cut',
          groups: [
            ['s3', 'c3'],
            ['s1', 's2', 'c1', 'c2'],
          ],
        },
      },
      { atUs: 3_500_000, fault: { kind: 'heal', id: 'cut' } },
    ],
  });
}

/** The built-in ZooKeeper scenarios (determinism tests run each twice). */
export function zkScenarios(): Scenario[] {
  return [zkQuickStart(), zkLeaderCrash(), zkLeaderCutOff()];
}
