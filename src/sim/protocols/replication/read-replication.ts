import { z } from 'zod';
import type { ClientOp, Ctx, DefaultTopology, Input, NodeView, Protocol } from '../../protocol';

/**
 * Read replication: one leader takes every write and ships its log to followers, which serve
 * reads. The model follows the single-leader replication of Kleppmann, "Designing
 * Data-Intensive Applications" (2017), ch. 5: synchronous vs asynchronous followers (§"Synchronous
 * Versus Asynchronous Replication"), failover (§"Handling Node Outages": "some writes may be
 * lost" under asynchronous replication), and the reading-your-own-writes and monotonic-reads
 * session guarantees (§"Problems with Replication Lag"; Terry et al., "Session Guarantees for
 * Weakly Consistent Replicated Data", PDIS 1994).
 *
 * Log shipping is Raft-like (prevSeq/prevEpoch consistency check, truncation on conflict;
 * Ongaro & Ousterhout 2014 §5.3) and automatic failover is a majority vote in which a replica
 * grants only to a candidate whose log is at least as up to date as its own (Raft §5.4.1), so
 * the most up-to-date follower of a majority wins. See docs/protocols/replication.md.
 */
export const ReadReplicationParams = z.object({
  /** When the leader answers a write: at once, after `semiSyncAcks` followers, or after every follower. */
  mode: z.enum(['async', 'semi-sync', 'sync']).default('async'),
  /** Semi-synchronous mode: follower acknowledgements to wait for (capped at the follower count). */
  semiSyncAcks: z.number().int().min(1).max(16).default(1),
  /** Where clients read: the leader, any follower, or a follower that honours a session guarantee. */
  readPolicy: z.enum(['leader', 'any-follower', 'read-your-writes', 'monotonic']).default('any-follower'),
  /** automatic: followers that miss heartbeats elect the most up-to-date follower; manual: `promote` does. */
  failover: z.enum(['manual', 'automatic']).default('automatic'),
  /** Manual failover: the replica to promote ('' none). Change it live, or script it with `promoteAtUs`. */
  promote: z.string().max(64).default(''),
  /** Manual failover: the named replica promotes itself once its local clock reaches this. */
  promoteAtUs: z.number().int().min(0).default(0),
  /** Leader heartbeat (and retransmission) period. */
  heartbeatUs: z.number().int().min(1000).max(10_000_000).default(50_000),
  /** Automatic failover: silence from the leader after which a follower stands (plus jitter up to half of it). */
  failoverTimeoutUs: z.number().int().min(1000).max(60_000_000).default(300_000),
  /** Most log entries per append message. */
  maxBatch: z.number().int().min(1).max(10_000).default(64),
  /** Bug switch: semi-sync and sync leaders acknowledge a write before any follower confirmed it. */
  bugAckBeforeReplicate: z.boolean().default(false),
  /** Bug switch: session read policies forget the session version, so a follower may serve an older state. */
  bugIgnoreSession: z.boolean().default(false),
});
/** Read replication params. */
export type ReadReplicationParams = z.infer<typeof ReadReplicationParams>;
type P = ReadReplicationParams;
/** Replication mode. */
export type ReplicationMode = P['mode'];

/** One write in the replicated log. */
export interface LogEntry {
  /** Position in the log, from 1 (the data's version number after applying it). */
  seq: number;
  /** Leader epoch that created it. */
  epoch: number;
  /** Key written. */
  key: string;
  /** Value written. */
  value: string;
  /** Client operation id. */
  opId: number;
  /** Leader's local time when it was appended. */
  atUs: number;
}

/** A write a leader acknowledged to its client. */
export interface AckedWrite {
  /** Log position. */
  seq: number;
  /** Epoch of the leader that acknowledged it. */
  epoch: number;
  /** Client operation id. */
  opId: number;
  /** Key. */
  key: string;
  /** Value. */
  value: string;
  /** Mode the leader was in when it acknowledged (the sync invariant only covers 'sync'). */
  mode: ReplicationMode;
}

/** A read served by a follower, reported to the leader for the stale-read audit. */
export interface ReadAudit {
  /** Client operation id. */
  opId: number;
  /** Key read. */
  key: string;
  /** Version of the key the follower returned (0: missing). */
  keySeq: number;
  /** Follower's local time when it served the read. */
  atUs: number;
}

/** Replication lag of one follower as its leader sees it. */
export interface Lag {
  /** Log entries the follower is behind the leader. */
  versions: number;
  /** Age of the oldest entry the follower lacks, milliseconds (0 when caught up). */
  ageMs: number;
}

/** A write the leader appended and has not acknowledged yet (it waits for follower copies). */
export interface WaitingWrite {
  /** Its log position. */
  seq: number;
  /** The client operation id. */
  opId: number;
  /** The client node to answer. */
  from: string;
}

/** A key's current value on a replica and the log position that wrote it. */
export interface Versioned {
  /** The value. */
  value: string;
  /** The seq of the entry that wrote it (the key's version). */
  seq: number;
}

/** A replica (leader or follower). */
export interface ReplicaState {
  /** Discriminator. */
  kind: 'replica';
  /** True while this replica leads its epoch (durable: a restarted leader resumes until told otherwise). */
  leader: boolean;
  /** Candidate in an automatic election (volatile). */
  candidate: boolean;
  /** Highest epoch seen (durable). */
  epoch: number;
  /** Whom this replica voted for in `epoch` ('' none; durable). */
  votedFor: string;
  /** Votes gathered as candidate (volatile). */
  votes: string[];
  /** The leader of `epoch` as far as known ('' unknown; volatile). */
  leaderId: string;
  /** The replicated log (durable). */
  log: LogEntry[];
  /** Applied data: key -> value and the seq that wrote it (rebuilt from the log). */
  kv: Record<string, Versioned>;
  /** Leader: highest committed seq; follower: the leader's commit seq it last heard (durable). */
  commitSeq: number;
  /** Leader: local time each seq was committed, index seq-1 (for the stale-read audit; durable). */
  commitTimesUs: number[];
  /** Leader: highest seq known to be stored on each follower. */
  match: Record<string, number>;
  /** Leader: next seq to send to each follower. */
  next: Record<string, number>;
  /** Leader: writes waiting for acknowledgements, in seq order. */
  waiting: WaitingWrite[];
  /** Leader: lag of each follower. */
  lag: Record<string, Lag>;
  /** Follower: the leader's last seq as last heard (for the follower's own badge). */
  leaderSeq: number;
  /** Writes this replica acknowledged while leading (durable; lost-write detection). */
  acked: AckedWrite[];
  /** Acknowledged writes this replica had to discard when it rejoined (durable). */
  lost: AckedWrite[];
  /** Follower: reads served since the last ack, for the leader's audit (volatile). */
  audits: ReadAudit[];
  /** Reads this replica served (durable counter). */
  readsServed: number;
  /** Of those, reads served while a follower (durable counter). */
  followerReads: number;
  /** Leader: audited follower reads that were stale (durable counter). */
  staleReads: number;
  /** Manual failover: this replica already acted on the `promote` param (durable). */
  promotedByParam: boolean;
}

/** A client operation in flight. */
export interface PendingOp {
  /** The operation. */
  op: ClientOp;
  /** The replica it was sent to. */
  to: string;
  /** The version the replica must have to serve it (0: any; what the read message carries). */
  minSeq: number;
  /** The client's session floor when it sent the read (0: no guarantee asked). */
  floor: number;
  /** The client's local time when it sent the operation. */
  sentUs: number;
}

/** A client node: forwards workload operations to replicas (its whole state survives a crash). */
export interface ClientState {
  /** Discriminator. */
  kind: 'client';
  /** Believed leader. */
  leaderId: string;
  /** Epoch of that belief. */
  epoch: number;
  /** Highest seq of this client's acknowledged writes (read-your-writes floor). */
  writeSeq: number;
  /** Highest replica version this client has read from (monotonic-reads floor). */
  readSeq: number;
  /** Operations in flight, by operation id. */
  pending: Record<number, PendingOp>;
  /** Writes acknowledged. */
  writes: number;
  /** Sum of write latencies, microseconds. */
  writeLatencySumUs: number;
  /** Reads answered. */
  reads: number;
  /** Sum of read latencies, microseconds. */
  readLatencySumUs: number;
  /** Reads that went back to the leader because a follower was behind the session floor. */
  redirected: number;
  /** Reads answered below the client's session floor (a broken session guarantee). */
  sessionViolations: number;
}

/** A node of the protocol. */
export type RRState = ReplicaState | ClientState;

/** Client to leader: append this write. */
export interface WriteMsg {
  /** Message type. */
  type: 'write';
  /** Client operation id. */
  opId: number;
  /** Key. */
  key: string;
  /** Value. */
  value: string;
}

/** Leader to client: the write is acknowledged (committed in the current mode). */
export interface WriteOkMsg {
  /** Message type. */
  type: 'writeOk';
  /** Client operation id. */
  opId: number;
  /** Its log position (the client's read-your-writes floor). */
  seq: number;
}

/** Non-leader to client: not the leader; here is who is, as far as known. */
export interface WriteFailMsg {
  /** Message type. */
  type: 'writeFail';
  /** Client operation id. */
  opId: number;
  /** The leader hint ('' unknown). */
  leader: string;
  /** The epoch of that hint. */
  epoch: number;
}

/** Client to replica: read a key, from a replica holding at least `minSeq` entries. */
export interface ReadMsg {
  /** Message type. */
  type: 'read';
  /** Client operation id. */
  opId: number;
  /** Key. */
  key: string;
  /** The session floor (0: any version will do). */
  minSeq: number;
}

/** Replica to client: the value read. */
export interface ReadOkMsg {
  /** Message type. */
  type: 'readOk';
  /** Client operation id. */
  opId: number;
  /** The value (null: missing key). */
  value: string | null;
  /** The key's version (0: missing). */
  keySeq: number;
  /** The replica's version (its last seq). */
  seq: number;
}

/** Follower to client: my log is below your session floor; ask the leader. */
export interface ReadBehindMsg {
  /** Message type. */
  type: 'readBehind';
  /** Client operation id. */
  opId: number;
  /** The follower's last seq. */
  seq: number;
}

/** Leader to follower: log entries after prevSeq (none: a heartbeat). Raft §5.3's AppendEntries. */
export interface AppendMsg {
  /** Message type. */
  type: 'append';
  /** The leader's epoch. */
  epoch: number;
  /** The seq just before the entries. */
  prevSeq: number;
  /** The epoch of the entry at prevSeq (0 when prevSeq is 0). */
  prevEpoch: number;
  /** The entries, at most maxBatch of them. */
  entries: LogEntry[];
  /** The leader's commit seq. */
  commitSeq: number;
  /** The leader's last seq. */
  leaderSeq: number;
}

/** Follower to leader: the answer to an append, with the reads served since the last one. */
export interface AppendAckMsg {
  /** Message type. */
  type: 'appendAck';
  /** The follower's epoch. */
  epoch: number;
  /** False when the entry at prevSeq did not match (the leader backs up). */
  ok: boolean;
  /** ok: the last seq known to match the leader's log; not ok: a hint where to resume. */
  lastSeq: number;
  /** Reads served since the last ack, for the leader's stale-read audit. */
  audits: ReadAudit[];
}

/** Candidate to replicas: vote for me in this epoch. Raft §5.2's RequestVote. */
export interface VoteReqMsg {
  /** Message type. */
  type: 'voteReq';
  /** The epoch stood for. */
  epoch: number;
  /** The candidate's last seq. */
  lastSeq: number;
  /** The epoch of the candidate's last entry. */
  lastEpoch: number;
}

/** Replica to candidate: the vote. */
export interface VoteMsg {
  /** Message type. */
  type: 'vote';
  /** The voter's epoch. */
  epoch: number;
  /** True when the vote is granted. */
  granted: boolean;
}

/** New leader to clients: I lead this epoch. */
export interface NewLeaderMsg {
  /** Message type. */
  type: 'newLeader';
  /** The epoch. */
  epoch: number;
}

/** Messages. */
export type RRMsg =
  | WriteMsg
  | WriteOkMsg
  | WriteFailMsg
  | ReadMsg
  | ReadOkMsg
  | ReadBehindMsg
  | AppendMsg
  | AppendAckMsg
  | VoteReqMsg
  | VoteMsg
  | NewLeaderMsg;

/** What a handler of this protocol is given. */
export type RRCtx = Ctx<P, RRMsg>;

/** Roles that hold data. */
export const REPLICA_ROLES = ['leader', 'follower'] as const;

// ------------------------------------------------------------------ replica

/** The replicas (leader and follower roles), sorted: the voters of an election. */
function replicas(ctx: RRCtx): string[] {
  return [...ctx.nodesWithRole('leader'), ...ctx.nodesWithRole('follower')].sort();
}

/** The replicas but this one: the followers when this one leads. */
function followersOf(ctx: RRCtx): string[] {
  return replicas(ctx).filter((r) => r !== ctx.self);
}

function lastSeq(s: ReplicaState): number {
  return s.log.length;
}
function lastEpoch(s: ReplicaState): number {
  return s.log.at(-1)?.epoch ?? 0;
}

/** The data a log spells out: each key's last value and the seq that wrote it. */
function rebuildKv(log: readonly LogEntry[]): Record<string, Versioned> {
  const kv: Record<string, Versioned> = {};
  for (const e of log) kv[e.key] = { value: e.value, seq: e.seq };
  return kv;
}

function newReplica(leader: boolean, leaderId: string): ReplicaState {
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
function setWatchTimer(ctx: RRCtx): void {
  if (ctx.params.failover === 'manual') {
    ctx.setTimer('watch', ctx.params.heartbeatUs);
    return;
  }
  const base = ctx.params.failoverTimeoutUs;
  ctx.setTimer('watch', base + ctx.rng.int(0, Math.floor(base / 2)));
}

/** A replica that learns of a higher epoch (or of another leader of its own) follows it. */
function stepDown(ctx: RRCtx, s: ReplicaState, epoch: number, leaderId: string): void {
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

// ------------------------------------------------------------------ leader

/** Follower copies needed before a write is acknowledged in the current mode (DDIA ch. 5). */
function acksNeeded(ctx: RRCtx): number {
  const n = followersOf(ctx).length;
  if (ctx.params.mode === 'async') return 0;
  if (ctx.params.mode === 'sync') return n;
  return Math.min(ctx.params.semiSyncAcks, n);
}

/** The append for follower f: the entries from its next seq on (none: a heartbeat). Raft §5.3. */
function appendFor(s: ReplicaState, f: string, ctx: RRCtx): AppendMsg {
  const next = Math.max(1, Math.min(s.next[f] ?? lastSeq(s) + 1, lastSeq(s) + 1));
  const prevSeq = next - 1;
  return {
    type: 'append',
    epoch: s.epoch,
    prevSeq,
    prevEpoch: prevSeq > 0 ? s.log[prevSeq - 1]!.epoch : 0,
    entries: s.log.slice(prevSeq, prevSeq + ctx.params.maxBatch),
    commitSeq: s.commitSeq,
    leaderSeq: lastSeq(s),
  };
}

/** Each follower's lag: entries behind, and the age of the oldest one it lacks. */
function computeLag(s: ReplicaState, ctx: RRCtx): Record<string, Lag> {
  const lag: Record<string, Lag> = {};
  for (const f of followersOf(ctx)) {
    const m = s.match[f] ?? 0;
    const behind = Math.max(0, lastSeq(s) - m);
    const oldest = behind > 0 ? s.log[m]! : undefined;
    lag[f] = {
      versions: behind,
      ageMs: oldest ? Math.max(0, Math.round((ctx.now() - oldest.atUs) / 1000)) : 0,
    };
  }
  return lag;
}

/**
 * Advances the commit point: in async mode everything appended is committed; otherwise an
 * entry is committed once `acksNeeded` followers store it (or at once under the bug switch).
 * Records the writes that became acknowledged and returns them, for `acknowledge` to answer
 * (after the appends of the same step, as the leader sends them).
 */
function advanceCommit(s: ReplicaState, ctx: RRCtx): WaitingWrite[] {
  const need = ctx.params.bugAckBeforeReplicate ? 0 : acksNeeded(ctx);
  let commit = s.commitSeq;
  const followers = followersOf(ctx);
  for (let seq = lastSeq(s); seq > s.commitSeq; seq--) {
    let n = 0;
    for (const f of followers) if ((s.match[f] ?? 0) >= seq) n++;
    if (n >= need) {
      commit = seq;
      break;
    }
  }
  if (commit === s.commitSeq) return [];
  if (s.commitTimesUs.length > s.commitSeq) s.commitTimesUs.length = s.commitSeq;
  for (let seq = s.commitSeq + 1; seq <= commit; seq++) s.commitTimesUs.push(ctx.now());
  const done: WaitingWrite[] = [];
  const waiting: WaitingWrite[] = [];
  for (const w of s.waiting) {
    if (w.seq <= commit) {
      const e = s.log[w.seq - 1]!;
      s.acked.push({
        seq: e.seq,
        epoch: e.epoch,
        opId: e.opId,
        key: e.key,
        value: e.value,
        mode: ctx.params.mode,
      });
      done.push(w);
    } else waiting.push(w);
  }
  s.commitSeq = commit;
  s.waiting = waiting;
  return done;
}

/** Answers the clients of writes that became acknowledged. */
function acknowledge(ctx: RRCtx, done: readonly WaitingWrite[]): void {
  for (const w of done) ctx.send(w.from, { type: 'writeOk', opId: w.opId, seq: w.seq });
}

/** This replica leads `epoch` from now on: by election, alone, or promoted by hand. */
function becomeLeader(s: ReplicaState, epoch: number, ctx: RRCtx, why: string): void {
  const followers = followersOf(ctx);
  s.match = {};
  s.next = {};
  for (const f of followers) {
    s.match[f] = 0;
    s.next[f] = lastSeq(s) + 1;
  }
  // Entries this replica holds are final from now on: they count as committed at promotion.
  s.commitTimesUs.length = Math.min(s.commitSeq, s.commitTimesUs.length);
  while (s.commitTimesUs.length < lastSeq(s)) s.commitTimesUs.push(ctx.now());
  s.leader = true;
  s.candidate = false;
  s.epoch = epoch;
  s.votedFor = ctx.self;
  s.votes = [];
  s.leaderId = ctx.self;
  s.commitSeq = lastSeq(s);
  s.waiting = [];
  s.lag = computeLag(s, ctx);
  // The fact the sync-no-lost-writes invariant checks: a new leader's log is final.
  ctx.emit({ type: 'promoted', epoch });
  for (const f of followers) ctx.send(f, appendFor(s, f, ctx));
  for (const p of ctx.peers)
    if (p !== ctx.self && !followers.includes(p)) ctx.send(p, { type: 'newLeader', epoch });
  ctx.cancelTimer('watch');
  ctx.setTimer('heartbeat', ctx.params.heartbeatUs);
  ctx.note(`${ctx.self} leads epoch ${epoch} (${why}) with ${lastSeq(s)} entries`);
}

/**
 * A leader that (re)starts resumes its epoch: it knows nothing of its followers, and after a
 * crash it counts everything in its log as committed now (it cannot know when it was).
 */
function resumeLeading(s: ReplicaState, ctx: RRCtx, restarted: boolean): void {
  s.leaderId = ctx.self;
  s.match = {};
  s.next = {};
  for (const f of followersOf(ctx)) {
    s.match[f] = 0;
    s.next[f] = lastSeq(s) + 1;
  }
  if (restarted) {
    s.commitSeq = lastSeq(s);
    s.commitTimesUs = s.log.map(() => ctx.now());
  }
  heartbeat(s, ctx);
}

/** The leader's stale-read audit: was a newer write to the key committed before the read? */
function audit(s: ReplicaState, from: string, a: ReadAudit): string | null {
  // Latest seq committed at or before the read (commit times are non-decreasing).
  let lo = 0;
  let hi = Math.min(s.commitTimesUs.length, s.log.length);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.commitTimesUs[mid]! <= a.atUs) lo = mid + 1;
    else hi = mid;
  }
  for (let seq = lo; seq > a.keySeq; seq--) {
    const e = s.log[seq - 1]!;
    if (e.key === a.key)
      return `stale read #${a.opId} at ${from}: ${a.key} version ${a.keySeq}, leader had committed version ${e.seq}`;
  }
  return null;
}

/** A follower's answer to an append: audit its reads, move its match/next, commit what can be. */
function onAppendAck(s: ReplicaState, from: string, m: AppendAckMsg, ctx: RRCtx): void {
  if (m.epoch > s.epoch) {
    stepDown(ctx, s, m.epoch, '');
    ctx.note(`${ctx.self} steps down: epoch ${m.epoch} exists`);
    return;
  }
  if (!s.leader || m.epoch < s.epoch) return;
  for (const a of m.audits) {
    const why = audit(s, from, a);
    if (why !== null) {
      s.staleReads += 1;
      ctx.note(why);
    }
  }
  if (m.ok) {
    s.match[from] = Math.max(s.match[from] ?? 0, m.lastSeq);
    s.next[from] = m.lastSeq + 1;
    if (m.lastSeq < lastSeq(s)) ctx.send(from, appendFor(s, from, ctx));
  } else {
    // Raft §5.3: the follower's log did not match at prevSeq: back up and retry.
    s.next[from] = Math.max(1, Math.min((s.next[from] ?? 1) - 1, m.lastSeq + 1));
    ctx.send(from, appendFor(s, from, ctx));
  }
  const done = advanceCommit(s, ctx);
  s.lag = computeLag(s, ctx);
  acknowledge(ctx, done);
}

/** The leader's heartbeat: an append to every follower (retransmitting what it lacks). */
function heartbeat(s: ReplicaState, ctx: RRCtx): void {
  // A param change (mode, acks) applies from here: re-evaluate the commit point too.
  const done = advanceCommit(s, ctx);
  s.lag = computeLag(s, ctx);
  for (const f of followersOf(ctx)) ctx.send(f, appendFor(s, f, ctx));
  acknowledge(ctx, done);
  ctx.setTimer('heartbeat', ctx.params.heartbeatUs);
}

/** A client's write: the leader appends it; a non-leader points the client at the leader. */
function onWrite(s: ReplicaState, from: string, m: WriteMsg, ctx: RRCtx): void {
  if (!s.leader) {
    ctx.send(from, { type: 'writeFail', opId: m.opId, leader: s.leaderId, epoch: s.epoch });
    return;
  }
  const e: LogEntry = {
    seq: lastSeq(s) + 1,
    epoch: s.epoch,
    key: m.key,
    value: m.value,
    opId: m.opId,
    atUs: ctx.now(),
  };
  s.log.push(e);
  s.kv[e.key] = { value: e.value, seq: e.seq };
  s.waiting.push({ seq: e.seq, opId: m.opId, from });
  const done = advanceCommit(s, ctx);
  s.lag = computeLag(s, ctx);
  // Ship at once to followers that are caught up (the heartbeat retransmits the rest).
  for (const f of followersOf(ctx)) if ((s.next[f] ?? 0) === e.seq) ctx.send(f, appendFor(s, f, ctx));
  acknowledge(ctx, done);
}

// ------------------------------------------------------------------ follower

/** Drops the log from position `keep` on (a conflicting suffix), with a note. */
function discardFrom(s: ReplicaState, keep: number, ctx: RRCtx): void {
  const first = s.log[keep]!;
  ctx.note(`${ctx.self} discards seq ${first.seq}..${s.log.at(-1)!.seq} (epoch ${first.epoch})`);
  s.log.length = keep;
}

/** The leader's append: follow it, check the entry before the new ones, store them. Raft §5.3. */
function onAppend(s: ReplicaState, from: string, m: AppendMsg, ctx: RRCtx): void {
  if (m.epoch < s.epoch) {
    ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: false, lastSeq: lastSeq(s), audits: [] });
    return;
  }
  if (m.epoch > s.epoch || s.leader || s.candidate || s.leaderId !== from) stepDown(ctx, s, m.epoch, from);
  setWatchTimer(ctx);
  s.leaderSeq = m.leaderSeq;
  // The reads served since the last ack ride on this one to the leader's audit.
  const audits = s.audits;
  s.audits = [];
  // Raft §5.3: the entry before the new ones must match, else the leader backs up.
  const prevOk = m.prevSeq === 0 || (m.prevSeq <= lastSeq(s) && s.log[m.prevSeq - 1]!.epoch === m.prevEpoch);
  if (!prevOk) {
    const hint = Math.min(lastSeq(s), m.prevSeq - 1);
    ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: false, lastSeq: hint, audits });
    return;
  }
  let changed = false;
  for (const e of m.entries) {
    const have = s.log[e.seq - 1];
    if (have !== undefined && have.epoch === e.epoch) continue;
    // A conflicting suffix: entries of an older epoch the new leader never had.
    if (have !== undefined) discardFrom(s, e.seq - 1, ctx);
    s.log.push(e);
    changed = true;
  }
  // Without new entries, a longer log past the leader's end is also a conflicting suffix.
  if (m.entries.length === 0 && lastSeq(s) > m.leaderSeq && m.prevSeq === m.leaderSeq) {
    discardFrom(s, m.leaderSeq, ctx);
    changed = true;
  }
  if (changed) {
    s.kv = rebuildKv(s.log);
    // Writes this replica acknowledged as an old leader that are no longer in its log: lost.
    const gone = s.acked.filter((a) => s.log[a.seq - 1]?.opId !== a.opId);
    if (gone.length > 0) {
      s.acked = s.acked.filter((a) => s.log[a.seq - 1]?.opId === a.opId);
      s.lost.push(...gone);
      for (const g of gone)
        ctx.note(
          `lost write #${g.opId} ${g.key}=${g.value} (seq ${g.seq}, epoch ${g.epoch}, acknowledged in ${g.mode} mode)`,
        );
    }
  }
  s.commitSeq = Math.min(m.commitSeq, s.log.length);
  // Raft §5.3: acknowledge only what this message proved to match the leader's log (an older
  // suffix past it is truncated by a later append).
  const matched = Math.min(s.log.length, m.prevSeq + m.entries.length);
  ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: true, lastSeq: matched, audits });
}

/**
 * A client's read, served from this replica's data (DDIA ch. 5 "Reading Your Own Writes",
 * "Monotonic Reads"): a follower below the session floor sends the client to the leader
 * instead; a follower records what it served for the leader's stale-read audit.
 */
function onRead(s: ReplicaState, from: string, m: ReadMsg, ctx: RRCtx): void {
  if (!s.leader && lastSeq(s) < m.minSeq) {
    ctx.send(from, { type: 'readBehind', opId: m.opId, seq: lastSeq(s) });
    return;
  }
  const v = s.kv[m.key];
  const keySeq = v?.seq ?? 0;
  s.readsServed += 1;
  if (!s.leader) {
    s.followerReads += 1;
    s.audits.push({ opId: m.opId, key: m.key, keySeq, atUs: ctx.now() });
  }
  ctx.send(from, { type: 'readOk', opId: m.opId, value: v?.value ?? null, keySeq, seq: lastSeq(s) });
}

// ------------------------------------------------------------------ failover

/** Automatic failover: a follower that missed the leader's heartbeats stands. Raft §5.2. */
function startElection(s: ReplicaState, ctx: RRCtx): void {
  const epoch = s.epoch + 1;
  const voters = replicas(ctx);
  s.candidate = true;
  s.epoch = epoch;
  s.votedFor = ctx.self;
  s.votes = [ctx.self];
  s.leaderId = '';
  if (voters.length === 1) {
    becomeLeader(s, epoch, ctx, 'alone');
    return;
  }
  for (const v of voters)
    if (v !== ctx.self) ctx.send(v, { type: 'voteReq', epoch, lastSeq: lastSeq(s), lastEpoch: lastEpoch(s) });
  setWatchTimer(ctx);
  ctx.note(`${ctx.self} missed heartbeats: stands in epoch ${epoch} with ${lastSeq(s)} entries`);
}

/** A vote request: one vote per epoch, and only for a log at least as up to date. Raft §5.4.1. */
function onVoteReq(s: ReplicaState, from: string, m: VoteReqMsg, ctx: RRCtx): void {
  if (m.epoch > s.epoch) stepDown(ctx, s, m.epoch, '');
  // Raft §5.4.1: grant only to a log at least as up to date (last epoch, then length).
  const upToDate = m.lastEpoch > lastEpoch(s) || (m.lastEpoch === lastEpoch(s) && m.lastSeq >= lastSeq(s));
  const grant = m.epoch === s.epoch && !s.leader && (s.votedFor === '' || s.votedFor === from) && upToDate;
  if (grant) {
    s.votedFor = from;
    setWatchTimer(ctx);
  }
  ctx.send(from, { type: 'vote', epoch: s.epoch, granted: grant });
}

/** A vote: a majority of the replicas makes the candidate leader. */
function onVote(s: ReplicaState, from: string, m: VoteMsg, ctx: RRCtx): void {
  if (m.epoch > s.epoch) {
    stepDown(ctx, s, m.epoch, '');
    return;
  }
  if (!s.candidate || m.epoch !== s.epoch || !m.granted || s.votes.includes(from)) return;
  s.votes.push(from);
  if (s.votes.length * 2 > replicas(ctx).length) becomeLeader(s, s.epoch, ctx, 'elected');
}

/**
 * The watch timer of a non-leader: manual failover promotes the replica named by `promote`
 * once its clock reaches `promoteAtUs` (else keeps polling); automatic failover stands.
 */
function onWatch(s: ReplicaState, ctx: RRCtx): void {
  if (s.leader) return;
  const p = ctx.params;
  if (p.failover === 'manual') {
    if (p.promote === ctx.self && !s.promotedByParam && ctx.now() >= p.promoteAtUs) {
      s.promotedByParam = true;
      becomeLeader(s, s.epoch + 1, ctx, 'promoted by hand');
      return;
    }
    setWatchTimer(ctx);
    return;
  }
  startElection(s, ctx);
}

/** One input to a replica. */
function onReplica(ctx: RRCtx, s: ReplicaState, input: Input<RRMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart': {
      // Whom it followed is not on disk (leaderId is durable for clients only, see `durable`).
      if (input.kind === 'restart') s.leaderId = '';
      // Until an election says otherwise, the node with role 'leader' leads epoch 1.
      if (s.epoch === 1 && !s.leader) s.leaderId = ctx.nodesWithRole('leader')[0] ?? '';
      // The data is rebuilt from the log on disk.
      s.kv = rebuildKv(s.log);
      s.candidate = false;
      s.votes = [];
      if (s.leader) resumeLeading(s, ctx, input.kind === 'restart');
      else setWatchTimer(ctx);
      return;
    }
    case 'timer':
      if (input.name === 'heartbeat' && s.leader) heartbeat(s, ctx);
      else if (input.name === 'watch') onWatch(s, ctx);
      return;
    case 'client':
      // Replicas are not clients: the workload only drives nodes with role 'client'.
      ctx.reply(input.op, { ok: false });
      return;
    case 'message': {
      const m = input.msg;
      const from = input.from;
      switch (m.type) {
        case 'write':
          onWrite(s, from, m, ctx);
          return;
        case 'read':
          onRead(s, from, m, ctx);
          return;
        case 'append':
          onAppend(s, from, m, ctx);
          return;
        case 'appendAck':
          onAppendAck(s, from, m, ctx);
          return;
        case 'voteReq':
          onVoteReq(s, from, m, ctx);
          return;
        case 'vote':
          onVote(s, from, m, ctx);
          return;
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ client

function newClient(): ClientState {
  return {
    kind: 'client',
    leaderId: '',
    epoch: 0,
    writeSeq: 0,
    readSeq: 0,
    pending: {},
    writes: 0,
    writeLatencySumUs: 0,
    reads: 0,
    readLatencySumUs: 0,
    redirected: 0,
    sessionViolations: 0,
  };
}

/** Where a read goes: the leader, or a random follower. */
function readTarget(c: ClientState, ctx: RRCtx): string {
  const all = replicas(ctx);
  const followers = all.filter((r) => r !== c.leaderId);
  if (ctx.params.readPolicy === 'leader' || followers.length === 0) return c.leaderId || all[0]!;
  return ctx.rng.pick(followers);
}

/** The version a session read must see (0: no guarantee asked). Terry et al. 1994. */
function sessionFloor(c: ClientState, ctx: RRCtx): number {
  if (ctx.params.readPolicy === 'read-your-writes') return c.writeSeq;
  if (ctx.params.readPolicy === 'monotonic') return c.readSeq;
  return 0;
}

/** One input to a client: send workload operations to replicas, answer them from the replies. */
function onClient(ctx: RRCtx, c: ClientState, input: Input<RRMsg>): void {
  // The initial leader is the node with role 'leader' until someone says otherwise.
  if (c.leaderId === '') c.leaderId = ctx.nodesWithRole('leader')[0] ?? '';
  switch (input.kind) {
    case 'start':
    case 'restart':
    case 'timer':
      return;
    case 'client': {
      const op = input.op;
      if (op.op === 'write') {
        const to = c.leaderId || replicas(ctx)[0]!;
        c.pending[op.id] = { op, to, minSeq: 0, floor: 0, sentUs: ctx.now() };
        ctx.send(to, { type: 'write', opId: op.id, key: op.key, value: op.value ?? '' });
        return;
      }
      const to = readTarget(c, ctx);
      const floor = sessionFloor(c, ctx);
      const minSeq = ctx.params.bugIgnoreSession ? 0 : floor;
      c.pending[op.id] = { op, to, minSeq, floor, sentUs: ctx.now() };
      ctx.send(to, { type: 'read', opId: op.id, key: op.key, minSeq });
      return;
    }
    case 'message': {
      const m = input.msg;
      if (m.type === 'newLeader') {
        if (m.epoch >= c.epoch) {
          c.leaderId = input.from;
          c.epoch = m.epoch;
        }
        return;
      }
      if (!('opId' in m)) return;
      const p = c.pending[m.opId];
      if (p === undefined) return;
      const tookUs = ctx.now() - p.sentUs;
      switch (m.type) {
        case 'writeOk':
          delete c.pending[m.opId];
          c.writeSeq = Math.max(c.writeSeq, m.seq);
          c.writes += 1;
          c.writeLatencySumUs += tookUs;
          ctx.reply(p.op, { ok: true });
          return;
        case 'writeFail':
          delete c.pending[m.opId];
          if (m.epoch >= c.epoch && m.leader !== '') {
            c.leaderId = m.leader;
            c.epoch = m.epoch;
          }
          ctx.reply(p.op, { ok: false });
          return;
        case 'readBehind': {
          // The follower is below the session floor: ask the leader instead.
          const to = c.leaderId || replicas(ctx)[0]!;
          c.redirected += 1;
          c.pending[m.opId] = { ...p, to, minSeq: 0 };
          ctx.send(to, { type: 'read', opId: m.opId, key: p.op.key, minSeq: 0 });
          return;
        }
        case 'readOk': {
          delete c.pending[m.opId];
          const violated = m.seq < p.floor;
          c.readSeq = Math.max(c.readSeq, m.seq);
          c.reads += 1;
          c.readLatencySumUs += tookUs;
          if (violated) c.sessionViolations += 1;
          ctx.reply(p.op, { ok: true, value: m.value });
          if (violated)
            ctx.note(
              `session guarantee broken: #${m.opId} read version ${m.seq} below the session floor ${p.floor}`,
            );
          return;
        }
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ views

function isReplica(v: NodeView<RRState>): v is NodeView<ReplicaState> {
  return v.state.kind === 'replica';
}

/** The current leader: the up replica leading the highest epoch. */
export function currentLeader(nodes: readonly NodeView<RRState>[]): NodeView<ReplicaState> | undefined {
  let best: NodeView<ReplicaState> | undefined;
  for (const v of nodes) {
    if (!isReplica(v) || !v.up || !v.state.leader) continue;
    if (best === undefined || v.state.epoch > best.state.epoch) best = v;
  }
  return best;
}

/**
 * Acknowledged writes that are gone for good: acknowledged by a leader of an older epoch and
 * not in the current leader's log (its log is final once it leads), plus those a rejoining
 * replica already discarded. By op id, so each lost write counts once.
 */
export function lostWrites(nodes: readonly NodeView<RRState>[]): AckedWrite[] {
  const lead = currentLeader(nodes);
  const out = new Map<number, AckedWrite>();
  for (const v of nodes) {
    if (!isReplica(v)) continue;
    for (const a of v.state.lost) out.set(a.opId, a);
    if (lead === undefined) continue;
    for (const a of v.state.acked) {
      if (a.epoch >= lead.state.epoch) continue;
      if (lead.state.log[a.seq - 1]?.opId !== a.opId) out.set(a.opId, a);
    }
  }
  return [...out.values()].sort((a, b) => a.opId - b.opId);
}

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

function linkTo(a: string, b: string, latency: DefaultTopology['links'][number]['latency']) {
  return { id: `${a}-${b}`, a, b, latency, lossRate: 0, dupRate: 0, reorderRate: 0, reorderDelayUs: 5000 };
}

/** The default topology: leader r1, followers r2 (near) and r3 (far), clients c1 and c2, one switch. */
export function replicationTopology(): DefaultTopology {
  const node = (id: string, role: string, x: number, y: number) => ({
    id,
    name: id,
    role,
    x,
    y,
    clockOffsetUs: 0,
    clockDriftPpm: 0,
  });
  const near = { kind: 'normal' as const, meanUs: 1000, stdUs: 200, minUs: 300 };
  return {
    nodes: [
      node('r1', 'leader', 300, 80),
      node('r2', 'follower', 120, 300),
      node('r3', 'follower', 480, 300),
      node('c1', 'client', 120, 520),
      node('c2', 'client', 480, 520),
      node('sw', 'switch', 300, 300),
    ],
    links: [
      linkTo('r1', 'sw', near),
      linkTo('r2', 'sw', near),
      // A far follower: it lags behind, so its reads go stale first.
      linkTo('r3', 'sw', { kind: 'lognormal', medianUs: 30_000, sigma: 0.5 }),
      linkTo('c1', 'sw', near),
      linkTo('c2', 'sw', near),
    ],
  };
}

/**
 * State fields of either role, for `durable` and `logs`. The contract types them as keys of
 * the state type, and TypeScript's keyof of a union names only the fields both roles share;
 * the kernel keeps each listed field a node has.
 */
function stateFields(
  fields: readonly (keyof ReplicaState | keyof ClientState)[],
): (keyof RRState & string)[] {
  return fields as unknown as (keyof RRState & string)[];
}

/**
 * What survives a crash. A replica keeps what it wrote to disk: its log, its election state
 * (epoch, vote, whether it leads; Raft Figure 2's persistent state) and what it acknowledged
 * and counted; it rebuilds its data from the log on restart. A client keeps everything (its
 * operations in flight stay pending until the workload times them out).
 */
const DURABLE = stateFields([
  // Replica and client.
  'kind',
  'epoch',
  // Replica.
  'leader',
  'votedFor',
  'log',
  'acked',
  'lost',
  'readsServed',
  'followerReads',
  'staleReads',
  'promotedByParam',
  'commitSeq',
  'commitTimesUs',
  // Client (a replica forgets leaderId on restart, see onReplica).
  'leaderId',
  'writeSeq',
  'readSeq',
  'pending',
  'writes',
  'writeLatencySumUs',
  'reads',
  'readLatencySumUs',
  'redirected',
  'sessionViolations',
]);

/** A replica's lists whose written entries never change (entries are only added or removed). */
const LOGS = stateFields(['log', 'commitTimesUs', 'acked', 'lost']);

export const readReplication: Protocol<P, RRState, RRMsg> = {
  id: 'read-replication',
  topic: 'replication',
  title: 'Leader-follower read replication',
  version: 1,
  roles: [
    { id: 'leader', label: 'Leader', min: 1, max: 1 },
    { id: 'follower', label: 'Follower', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ReadReplicationParams,
  defaultTopology: replicationTopology,
  init(node) {
    return node.role === 'client' ? newClient() : newReplica(node.role === 'leader', '');
  },
  on(ctx, s, input) {
    if (s.kind === 'client') onClient(ctx, s, input);
    else onReplica(ctx, s, input);
  },
  durable: DURABLE,
  logs: LOGS,
  invariants: [
    {
      id: 'one-leader-per-epoch',
      title: 'At most one replica leads any epoch',
      check({ changed, nodes }) {
        const s = changed.state;
        if (s.kind !== 'replica' || !s.leader) return null;
        for (const v of nodes)
          if (
            v.id !== changed.id &&
            v.state.kind === 'replica' &&
            v.state.leader &&
            v.state.epoch === s.epoch
          )
            return `${changed.id} and ${v.id} both lead epoch ${s.epoch}`;
        return null;
      },
    },
    {
      id: 'sync-no-lost-writes',
      title: 'With synchronous replication no acknowledged write is lost on failover',
      check({ changed, nodes, events }) {
        const s = changed.state;
        if (s.kind !== 'replica') return null;
        if (!events.some((e) => e.type === 'promoted')) {
          // A deposed leader that does not know it yet (split brain) may still acknowledge:
          // against a newer leader's final log, such a write is lost the moment it is answered.
          if (!s.leader) return null;
          const newer = currentLeader(nodes);
          if (newer === undefined || newer.state.epoch <= s.epoch) return null;
          for (const a of s.acked) {
            if (a.mode !== 'sync' || a.epoch >= newer.state.epoch) continue;
            if (newer.state.log[a.seq - 1]?.opId !== a.opId)
              return `write #${a.opId} ${a.key}=${a.value} was acknowledged in sync mode by ${changed.id} (seq ${a.seq}, epoch ${a.epoch}) after ${newer.id} took over epoch ${newer.state.epoch} without it`;
          }
          return null;
        }
        // Checked in the step a replica takes over (it emits 'promoted'): its log is final from here on.
        for (const v of nodes) {
          if (v.state.kind !== 'replica') continue;
          for (const a of v.state.acked) {
            if (a.mode !== 'sync' || a.epoch >= s.epoch) continue;
            if (s.log[a.seq - 1]?.opId !== a.opId)
              return `write #${a.opId} ${a.key}=${a.value} was acknowledged in sync mode by ${v.id} (seq ${a.seq}) but the new leader ${changed.id} does not have it`;
          }
        }
        return null;
      },
    },
    {
      id: 'session-guarantee',
      title: 'A session read never returns a state older than the session floor',
      check({ changed }) {
        const s = changed.state;
        return s.kind === 'client' && s.sessionViolations > 0
          ? `${changed.id} read below its session floor ${s.sessionViolations} time(s)`
          : null;
      },
    },
  ],
  historyCheckers: [],
  metrics: [
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
    { id: 'staleReads', unit: 'reads', read: (n) => sumReplicas(n, (s) => s.staleReads) },
    {
      id: 'staleReadRate',
      unit: 'fraction',
      read: (n) => {
        const r = sumReplicas(n, (s) => s.readsServed);
        return r === 0 ? 0 : sumReplicas(n, (s) => s.staleReads) / r;
      },
    },
    { id: 'lostWrites', unit: 'writes', read: (n) => lostWrites(n).length },
    { id: 'writesAcked', unit: 'writes', read: (n) => sumClients(n, (c) => c.writes) },
    { id: 'epoch', unit: 'epoch', read: (n) => currentLeader(n)?.state.epoch ?? 0 },
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'client') {
      const pend = Object.keys(s.pending).length;
      return { text: `${s.writes}w ${s.reads}r${pend > 0 ? ` (${pend} waiting)` : ''}`, tone: 'neutral' };
    }
    if (s.leader) return { text: `leader e${s.epoch} · v${s.log.length}`, tone: 'good' };
    if (s.candidate) return { text: `candidate e${s.epoch}`, tone: 'warn' };
    const behind = Math.max(0, s.leaderSeq - s.log.length);
    return {
      text: `follower · v${s.log.length} · lag ${behind}`,
      tone: behind === 0 ? 'neutral' : behind < 10 ? 'warn' : 'bad',
    };
  },
  bugs: [
    {
      param: 'bugAckBeforeReplicate',
      title:
        'Sync and semi-sync leaders acknowledge before followers confirm: a crash loses acknowledged writes',
    },
    {
      param: 'bugIgnoreSession',
      title:
        'Read-your-writes and monotonic reads forget the session version: a follower serves an older state',
    },
  ],
  lesson: {
    summary:
      'One leader takes the writes and streams them to followers, which answer reads. Asynchronous followers are cheap but trail behind, so a read can return old data and a failover can drop writes the leader already confirmed. Waiting for followers before confirming closes both gaps and costs write latency.',
    watch: [
      'The lag on each follower badge, and the far follower r3 falling behind',
      '"stale read" notes in the trace and the staleReadRate metric',
      'writeLatencyMs when you switch between async, semi-sync and sync',
      '"lost write" notes and the lostWrites metric after a failover',
    ],
    tryThis: [
      'Run the default (async, reads from any follower) and count the stale-read notes; then set readPolicy to leader and watch them vanish while the leader does all the reading work',
      'Set readPolicy to read-your-writes: your own writes are always visible, yet other clients can still read stale data',
      'Cut r1 off from its followers (a one-way partition r1 -> r2,r3) at 1.8 s and crash it at 2 s, in async mode: the follower that takes over lacks the writes r1 confirmed meanwhile, and lostWrites counts them; restart r1 to see a "lost write" note for each',
      'Switch mode to sync and repeat the crash: no write is lost, but writes now wait for the far follower',
      'Turn on bugAckBeforeReplicate in sync mode and crash the leader: the sync-no-lost-writes invariant stops the run',
      'Set failover to manual, crash r1, then set promote to r2: nobody takes writes until you do',
    ],
  },
};
