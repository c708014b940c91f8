/**
 * What every replica does, leader or follower: its initial state, its log (seq and epoch of
 * the last entry, the data the log spells out), the watch on its leader, and stepping down
 * when it learns of a newer epoch (Raft §5.1: a stale leader or candidate reverts to follower).
 */
import type { LogEntry, ReplicaState, RRCtx, Versioned } from './types';

/** The replicas (leader and follower roles), sorted: the voters of an election. */
export function replicas(ctx: RRCtx): string[] {
  return [...ctx.nodesWithRole('leader'), ...ctx.nodesWithRole('follower')].sort();
}

/** The replicas but this one: the followers when this one leads. */
export function followersOf(ctx: RRCtx): string[] {
  return replicas(ctx).filter((r) => r !== ctx.self);
}

/** The seq of the last entry (the replica's version; 0 when the log is empty). */
export function lastSeq(s: ReplicaState): number {
  return s.log.length;
}

/** The epoch of the last entry (0 when the log is empty). */
export function lastEpoch(s: ReplicaState): number {
  return s.log.at(-1)?.epoch ?? 0;
}

/** The data a log spells out: each key's last value and the seq that wrote it. */
export function rebuildKv(log: readonly LogEntry[]): Record<string, Versioned> {
  const kv: Record<string, Versioned> = {};
  for (const e of log) kv[e.key] = { value: e.value, seq: e.seq };
  return kv;
}

/** A replica's state at first start: epoch 1, led by the node with role 'leader'. */
export function newReplica(leader: boolean, leaderId: string): ReplicaState {
  return {
    kind: 'replica',
    leader,
    candidate: false,
    epoch: 1,
    votedFor: '',
    votes: [],
    leaderId,
    log: [],
    kv: {},
    commitSeq: 0,
    commitTimesUs: [],
    match: {},
    next: {},
    waiting: [],
    lag: {},
    leaderSeq: 0,
    acked: [],
    lost: [],
    audits: [],
    readsServed: 0,
    followerReads: 0,
    staleReads: 0,
    promotedByParam: false,
  };
}

/**
 * (Re)arms the follower's watch on its leader: automatic failover stands after
 * `failoverTimeoutUs` of silence plus random jitter up to half of it (so candidates rarely
 * collide, as Raft's randomized election timeouts, §5.2); manual failover only polls the
 * `promote` param every heartbeat period.
 */
export function setWatchTimer(ctx: RRCtx): void {
  if (ctx.params.failover === 'manual') {
    ctx.setTimer('watch', ctx.params.heartbeatUs);
    return;
  }
  const base = ctx.params.failoverTimeoutUs;
  ctx.setTimer('watch', base + ctx.rng.int(0, Math.floor(base / 2)));
}

/** A replica that learns of a higher epoch (or of another leader of its own) follows it. */
export function stepDown(ctx: RRCtx, s: ReplicaState, epoch: number, leaderId: string): void {
  const wasLeader = s.leader;
  if (epoch > s.epoch) s.votedFor = '';
  s.leader = false;
  s.candidate = false;
  s.epoch = epoch;
  s.votes = [];
  s.leaderId = leaderId;
  // Writes still waiting are never answered here: their clients time out.
  s.waiting = [];
  s.match = {};
  s.next = {};
  s.lag = {};
  if (wasLeader) {
    ctx.cancelTimer('heartbeat');
    setWatchTimer(ctx);
  }
}
