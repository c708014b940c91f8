/**
 * What a run shows of read replication: the gauges sampled in virtual time (latencies, lag
 * per follower, stale reads, lost writes; DDIA ch. 5, "Problems with Replication Lag") and
 * each node's badge.
 */
import type { MetricSpec, NodeBadge, NodeView } from '../../protocol';
import { currentLeader, isReplica, lostWrites } from './cluster-view';
import type { ClientState, Lag, ReplicaState, RRState } from './types';

function sumReplicas(nodes: readonly NodeView<RRState>[], f: (s: ReplicaState) => number): number {
  let n = 0;
  for (const v of nodes) if (isReplica(v)) n += f(v.state);
  return n;
}
function sumClients(nodes: readonly NodeView<RRState>[], f: (s: ClientState) => number): number {
  let n = 0;
  for (const v of nodes) if (v.state.kind === 'client') n += f(v.state);
  return n;
}

/** Lag of the k-th replica (sorted by id, from 1) as the current leader sees it; 0 for the leader. */
function slotLag(nodes: readonly NodeView<RRState>[], k: number, field: keyof Lag): number {
  const ids = nodes
    .filter(isReplica)
    .map((v) => v.id)
    .sort();
  const id = ids[k - 1];
  const lead = currentLeader(nodes);
  if (id === undefined || lead === undefined) return 0;
  return lead.state.lag[id]?.[field] ?? 0;
}

function maxLag(nodes: readonly NodeView<RRState>[], field: keyof Lag): number {
  const lead = currentLeader(nodes);
  if (lead === undefined) return 0;
  let m = 0;
  for (const l of Object.values(lead.state.lag)) m = Math.max(m, l[field]);
  return m;
}

const slotMetrics = [1, 2, 3, 4].flatMap((k) => [
  {
    id: `replica${k}LagVersions`,
    unit: 'versions',
    read: (n: readonly NodeView<RRState>[]) => slotLag(n, k, 'versions'),
  },
  { id: `replica${k}LagMs`, unit: 'ms', read: (n: readonly NodeView<RRState>[]) => slotLag(n, k, 'ageMs') },
]);

/** The gauges of read replication. */
export const replicationMetrics: MetricSpec<RRState>[] = [
  {
    id: 'writeLatencyMs',
    unit: 'ms',
    read: (n) => {
      const w = sumClients(n, (c) => c.writes);
      return w === 0 ? 0 : sumClients(n, (c) => c.writeLatencySumUs) / w / 1000;
    },
  },
  {
    id: 'readLatencyMs',
    unit: 'ms',
    read: (n) => {
      const r = sumClients(n, (c) => c.reads);
      return r === 0 ? 0 : sumClients(n, (c) => c.readLatencySumUs) / r / 1000;
    },
  },
  { id: 'lagVersionsMax', unit: 'versions', read: (n) => maxLag(n, 'versions') },
  { id: 'lagMsMax', unit: 'ms', read: (n) => maxLag(n, 'ageMs') },
  ...slotMetrics,
  { id: 'readsServed', unit: 'reads', read: (n) => sumReplicas(n, (s) => s.readsServed) },
  { id: 'followerReads', unit: 'reads', read: (n) => sumReplicas(n, (s) => s.followerReads) },
  { id: 'lostWrites', unit: 'writes', read: (n) => lostWrites(n).length },
  { id: 'writesAcked', unit: 'writes', read: (n) => sumClients(n, (c) => c.writes) },
  { id: 'epoch', unit: 'epoch', read: (n) => currentLeader(n)?.state.epoch ?? 0 },
];

/** A node's badge: a client's operations, a replica's role, version and lag. */
export function replicationSummary(s: RRState, up: boolean): NodeBadge {
  if (!up) return { text: 'crashed', tone: 'bad' };
  if (s.kind === 'client') {
    const pend = s.pending.length;
    return { text: `${s.writes}w ${s.reads}r${pend > 0 ? ` (${pend} waiting)` : ''}`, tone: 'neutral' };
  }
  if (s.leading) return { text: `leader e${s.epoch} · v${s.log.length}`, tone: 'good' };
  if (s.candidate) return { text: `candidate e${s.epoch}`, tone: 'warn' };
  const behind = Math.max(0, s.leaderSeq - s.log.length);
  return {
    text: `follower · v${s.log.length} · lag ${behind}`,
    tone: behind === 0 ? 'neutral' : behind < 10 ? 'warn' : 'bad',
  };
}
