/**
 * What every replica does, leader or follower: its initial state, its log (seq and epoch of
 * the last entry), applying the committed prefix of the log to its data (Raft §5.3: "once an
 * entry is committed, apply it to the state machine"; never before), the watch on its leader,
 * and stepping down when it learns of a newer epoch (Raft §5.1: a stale leader or candidate
 * reverts to follower).
 */
import type { LogEntry, ReplicaState, RRCtx } from './types';

/** The replicas (leader and follower roles), sorted: the voters of an election. */
export function replicas(ctx: RRCtx): string[] {
  return [...ctx.nodesWithRole('leader'), ...ctx.nodesWithRole('follower')].sort();
}

/** The replicas but this one: the followers when this one leads. */
export function followersOf(ctx: RRCtx): string[] {
  return replicas(ctx).filter((r) => r !== ctx.self);
}

/** The seq of the last entry (the length of the log; 0 when empty). */
export function lastSeq(s: ReplicaState): number {
  return s.log.length;
}

/** The epoch of the last entry (0 when the log is empty). */
export function lastEpoch(s: ReplicaState): number {
  return s.log.at(-1)?.epoch ?? 0;
}

/** A new leader's no-op (Raft §8): it writes no key. */
export function isNoop(e: LogEntry): boolean {
  return e.opId === 0;
}

/** A replica's state at first start: epoch 1, led by the node with role 'leader'. */
export function newReplica(leading: boolean, leaderId: string): ReplicaState {
  return {
    kind: 'replica',
    leading,
    candidate: false,
    epoch: 1,
    votedFor: '',
    votes: [],
    leaderId,
    heardUs: -1,
    log: [],
    commitSeq: 0,
    applied: 0,
    kv: {},
    epochStart: 0,
    match: {},
    appliedBy: {},
    next: {},
    waiting: [],
    orphans: [],
    round: 0,
    heard: {},
    roundStartUs: {},
    leaseUntilUs: -1,
    reads: [],
    lag: {},
    leaderSeq: 0,
    acked: [],
    lost: [],
    readsServed: 0,
    followerReads: 0,
    promotedByParam: false,
  };
}

/**
 * Applies the log up to `seq` (the committed prefix) to the data. Committed entries are
 * applied once, in order; if the log lost applied entries (a rejoining replica of an
 * asynchronous leader whose writes the new leader never had), the data is rebuilt.
 */
export function applyTo(s: ReplicaState, seq: number): void {
  const upTo = Math.min(seq, s.log.length);
  if (upTo < s.applied) {
    s.kv = {};
    s.applied = 0;
  }
  for (let k = s.applied; k < upTo; k++) {
    const e = s.log[k]!;
    if (!isNoop(e)) s.kv[e.key] = { value: e.value, seq: e.seq };
  }
  s.applied = upTo;
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

/**
 * A replica that learns of a higher epoch (or of another leader of its own) follows it. A
 * deposed leader keeps the writes it never answered as orphans (the new leader's log will say
 * whether they happened) and sends its waiting reads to the new leader: it never served them.
 */
export function stepDown(ctx: RRCtx, s: ReplicaState, epoch: number, leaderId: string): void {
  const wasLeader = s.leading;
  if (epoch > s.epoch) s.votedFor = '';
  s.leading = false;
  s.candidate = false;
  s.epoch = epoch;
  s.votes = [];
  s.leaderId = leaderId;
  if (wasLeader) {
    s.orphans.push(...s.waiting);
    for (const r of s.reads) ctx.send(r.from, { type: 'readFail', opId: r.opId, leader: leaderId, epoch });
  }
  s.waiting = [];
  s.reads = [];
  s.match = {};
  s.appliedBy = {};
  s.next = {};
  s.heard = {};
  s.roundStartUs = {};
  s.leaseUntilUs = -1;
  s.lag = {};
  if (wasLeader) {
    ctx.cancelTimer('heartbeat');
    setWatchTimer(ctx);
  }
}
