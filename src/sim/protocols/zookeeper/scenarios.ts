/** ZooKeeper's built-in scenarios (the quick start is zookeeper.quickStart). */
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { link } from '../../toolkit/topology';
import { zkTopology, zookeeper } from './zookeeper';

/** Every client reads and writes five keys, one operation at a time. */
export const ZK_WORKLOAD = {
  kind: 'closed',
  concurrency: 1,
  thinkTimeUs: 20_000,
  readFraction: 0.5,
  keys: { pattern: 'k{i}', count: 5, distribution: 'uniform' },
  timeoutUs: 500_000,
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
 * The leader s3 and the clients cut off from s1 and s2 from 2 s to 3.5 s: s3 has no quorum, so
 * it must not commit the clients' writes; it gives up leading after syncLimit, s1 and s2 elect
 * a new leader, and when the cut heals s3 must take the new leader's history.
 */
export function zkLeaderCutOff(params: Record<string, unknown> = {}): Scenario {
  const base = zkLeaderCrash(params);
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: the leader and the clients cut off from a quorum',
    faults: [
      {
        atUs: 2_000_000,
        fault: {
          kind: 'partition',
          id: 'cut',
          groups: [
            ['s3', 'c1', 'c2', 'c3'],
            ['s1', 's2'],
          ],
        },
      },
      { atUs: 3_500_000, fault: { kind: 'heal', id: 'cut' } },
    ],
  });
}

/**
 * Group membership (§2.4): four clients join /members as ephemeral znodes and watch the group.
 * c2 crashes at 1.5 s (it leaves every view once its session expires) and restarts at 3 s (it
 * joins again with a new session).
 */
export function zkMembership(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(zookeeper, { ...params, recipe: 'membership' });
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: group membership',
    topology: zkTopology(3, 4),
    faults: [
      { atUs: 1_500_000, fault: { kind: 'crash', node: 'c2' } },
      { atUs: 3_000_000, fault: { kind: 'restart', node: 'c2' } },
    ],
    limits: { ...base.limits, maxTimeUs: 6_000_000 },
  });
}

/**
 * Configuration management (§2.4): c1, the operator, writes three versions of /config 300 ms
 * apart; c2 and c3 read it with a watch and read again when the watch fires. c2's server s2
 * crashes at 0.6 s, between the first and the second version: c2 notices, moves to another
 * server and reads /config again there, and may run the third version without ever running
 * the second. s2 restarts at 2 s.
 */
export function zkConfig(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(zookeeper, { ...params, recipe: 'config' });
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: configuration management',
    topology: zkTopology(3, 3),
    faults: [
      { atUs: 600_000, fault: { kind: 'crash', node: 's2' } },
      { atUs: 2_000_000, fault: { kind: 'restart', node: 's2' } },
    ],
    // Long enough for config-converges to be judged: two session timeouts and a second after 2 s.
    limits: { ...base.limits, maxTimeUs: 5_000_000 },
  });
}

/**
 * Leader election (the recipes' election: the lock's queue whose head never lets go): three
 * clients queue under /election; the first, c1, leads. It crashes at 1.5 s; when its session
 * expires its znode goes, the watch of the next in line fires and c2 leads. c1 restarts at 3 s
 * and queues behind the others.
 */
export function zkElection(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(zookeeper, { ...params, recipe: 'election' });
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: leader election among clients',
    topology: zkTopology(3, 3),
    faults: [
      { atUs: 1_500_000, fault: { kind: 'crash', node: 'c1' } },
      { atUs: 3_000_000, fault: { kind: 'restart', node: 'c1' } },
    ],
    limits: { ...base.limits, maxTimeUs: 5_000_000 },
  });
}

/**
 * Reads are local: with the link between the leader s3 and the follower s1 slow (20-40 ms),
 * s1 applies each commit late, and c1, connected to s1, can read an older value than one
 * another client's write has already returned. `readMode: 'sync'` makes each read wait for
 * the leader's latest proposal.
 */
export function zkSlowFollower(params: Record<string, unknown> = {}): Scenario {
  const base = zkLeaderCrash(params);
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: local reads at a slow follower',
    topology: {
      ...base.topology,
      links: base.topology.links.map((l) =>
        l.id === 's1-s3' ? { ...l, latency: { kind: 'uniform', minUs: 20_000, maxUs: 40_000 } } : l,
      ),
    },
    faults: [],
    limits: { ...base.limits, maxTimeUs: 3_000_000 },
  });
}

/**
 * The classic pitfall: c1 takes the lock, then pauses (a long GC, say) from 0.3 s to 2 s, past
 * its 800 ms session timeout. Its session expires, its znode goes, c2 takes the lock and writes
 * to the store; c1 wakes still believing it holds the lock and writes too. Fencing (the lock
 * znode's sequence number as a token the store checks) is the fix.
 */
export function zkPausedHolder(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(zookeeper, {
    lockHoldMs: 1500,
    lockThinkMs: 300,
    ...params,
    recipe: 'lock',
  });
  const topo = zkTopology(3, 2);
  topo.nodes.push({
    id: 'store',
    name: 'store',
    role: 'store',
    x: 400,
    y: 560,
    clockOffsetUs: 0,
    clockDriftPpm: 0,
  });
  for (const c of ['c1', 'c2'])
    topo.links.push(link(c, 'store', { kind: 'uniform', minUs: 1000, maxUs: 3000 }));
  return ScenarioSchema.parse({
    ...base,
    name: 'ZooKeeper: a lock holder paused past its session timeout',
    topology: topo,
    faults: [
      { atUs: 300_000, fault: { kind: 'pause', node: 'c1' } },
      { atUs: 2_000_000, fault: { kind: 'resume', node: 'c1' } },
    ],
    limits: { ...base.limits, maxTimeUs: 4_000_000 },
  });
}

/** The built-in ZooKeeper scenarios (determinism tests run each twice). */
export function zkScenarios(): Scenario[] {
  return [
    zkQuickStart(),
    zkLeaderCrash(),
    zkLeaderCutOff(),
    zkSlowFollower(),
    zkMembership(),
    zkPausedHolder(),
  ];
}
