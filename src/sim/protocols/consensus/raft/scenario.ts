/**
 * Raft scenarios: the default topology (servers on a ring with a full mesh of LAN-like links,
 * clients beside it), a scenario builder the tests, scripts and benchmarks share, and the
 * nemesis the fault tests run under.
 */
import {
  type FaultInput,
  type Latency,
  type Scenario,
  type ScenarioLink,
  type ScenarioNode,
  ScenarioSchema,
} from '../../../../shared/scenario/schema';
import type { DefaultTopology } from '../../../protocol';
import { link } from '../../../toolkit/topology';

/** Server links: a LAN-like 5 ms ± 1 ms one way (never below 2 ms). */
export const RAFT_LATENCY: Latency = { kind: 'normal', meanUs: 5000, stdUs: 1000, minUs: 2000 };

/** Server ids s1..sn. */
export function serverIds(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `s${k + 1}`);
}

/**
 * `servers` servers on a ring (s1 at the top, clockwise) with a full mesh of links, and
 * `clients` clients beside the ring, each linked to every server.
 */
export function raftTopology(
  servers: number,
  clients: number,
  latency: Latency = RAFT_LATENCY,
): DefaultTopology {
  const ids = serverIds(servers);
  const nodes: ScenarioNode[] = ids.map((id, k) => {
    const a = (2 * Math.PI * k) / servers - Math.PI / 2;
    return {
      id,
      name: id,
      role: 'server',
      x: Math.round(400 + 200 * Math.cos(a)),
      y: Math.round(300 + 200 * Math.sin(a)),
      clockOffsetUs: 0,
      clockDriftPpm: 0,
    };
  });
  const links: ScenarioLink[] = ids.flatMap((a, i) => ids.slice(i + 1).map((b) => link(a, b, latency)));
  for (let k = 0; k < clients; k++) {
    const id = `c${k + 1}`;
    nodes.push({
      id,
      name: id,
      role: 'client',
      x: k % 2 === 0 ? 80 : 720,
      y: 150 + 150 * Math.floor(k / 2),
      clockOffsetUs: 0,
      clockDriftPpm: 0,
    });
    for (const s of ids) links.push(link(id, s, latency));
  }
  return { nodes, links };
}

/** The clients' workload: closed loop, one request at a time per client, 10 keys, 50% reads. */
export const RAFT_CLIENT_WORKLOAD = {
  kind: 'closed',
  concurrency: 1,
  thinkTimeUs: 10_000,
  readFraction: 0.5,
  keys: { pattern: 'k{i}', count: 10, distribution: 'uniform' },
  timeoutUs: 1_000_000,
};

/** Options for raftScenario. */
export interface RaftScenarioOptions {
  /** Scenario name. */
  name?: string;
  /** Number of servers (default 5). */
  servers?: number;
  /** Number of clients (default 2). */
  clients?: number;
  /** Protocol params (merged over the defaults). */
  params?: Record<string, unknown>;
  /** Seed (default 1). */
  seed?: number;
  /** Link latency. */
  latency?: Latency;
  /** Workload (default: closed loop, one request at a time per client, 10 keys, 50% reads). */
  workload?: Record<string, unknown>;
  /** Scripted faults. */
  faults?: { atUs: number; fault: FaultInput }[];
  /** Nemesis settings. */
  nemesis?: Record<string, unknown>;
  /** End of the run (default 10 s). */
  maxTimeUs?: number;
}

/** A Raft scenario with the default topology; every part can be overridden. */
export function raftScenario(o: RaftScenarioOptions = {}): Scenario {
  const clients = o.clients ?? 2;
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: o.name ?? 'Raft',
    topic: 'consensus',
    protocol: 'raft',
    params: o.params ?? {},
    topology: raftTopology(o.servers ?? 5, clients, o.latency),
    workload: o.workload ?? (clients > 0 ? RAFT_CLIENT_WORKLOAD : { kind: 'none' }),
    faults: o.faults ?? [],
    nemesis: o.nemesis ?? { enabled: false },
    seed: o.seed ?? 1,
    limits: { maxTimeUs: o.maxTimeUs ?? 10_000_000, maxEvents: 1e9, maxTraceRows: 1e9 },
  });
}

/**
 * The nemesis the Raft fault tests run under: about one crash a second (half a second down),
 * partitions including one-way ones, loss bursts and clock steps, stopping at 8 s so the
 * cluster can settle before the end of the run.
 */
export const RAFT_TEST_NEMESIS = {
  enabled: true,
  crashRatePerS: 1,
  meanDowntimeUs: 500_000,
  partitionRatePerS: 0.5,
  meanPartitionUs: 1_000_000,
  oneWayFraction: 0.3,
  lossRatePerS: 0.5,
  lossRate: 0.3,
  meanLossUs: 500_000,
  clockSkewRatePerS: 0.5,
  maxSkewUs: 100_000,
  stopUs: 8_000_000,
};
