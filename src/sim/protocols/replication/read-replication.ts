import { z } from 'zod';
import type {
  ClientOp,
  ClientReply,
  DefaultTopology,
  Effects,
  Input,
  NodeView,
  Outbound,
  StepEnv,
  StepProtocol,
  TimerCmd,
} from '../../protocol';

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
  ms: number;
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
  /** The leader of `epoch` as far as known ('' unknown). */
  leaderId: string;
  /** The replicated log (durable). */
  log: LogEntry[];
  /** Applied data: key -> value and the seq that wrote it (rebuilt from the log). */
  kv: Record<string, { value: string; seq: number }>;
  /** Leader: highest committed seq; follower: the leader's commit seq it last heard. */
  commitSeq: number;
  /** Leader: local time each seq was committed, index seq-1 (for the stale-read audit). */
  commitTimesUs: number[];
  /** Leader: highest seq known to be stored on each follower. */
  match: Record<string, number>;
  /** Leader: next seq to send to each follower. */
  next: Record<string, number>;
  /** Leader: writes waiting for acknowledgements, in seq order. */
  waiting: { seq: number; opId: number; from: string }[];
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
  /** Set for one step when this replica has just become leader (the invariant checks then). */
  justPromoted: boolean;
  /** Manual failover: this replica already acted on the `promote` param (durable). */
  promotedByParam: boolean;
}

/** A client node: forwards workload operations to replicas. */
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
  /** Operations in flight: op, target, floor, and the local time sent. */
  pending: Record<number, { op: ClientOp; to: string; minSeq: number; floor: number; sentUs: number }>;
  /** Writes acknowledged and the sum of their latencies (microseconds). */
  writes: number;
  /** Sum of write latencies, microseconds. */
  writeLatencyUsSum: number;
  /** Reads answered. */
  reads: number;
  /** Sum of read latencies, microseconds. */
  readLatencyUsSum: number;
  /** Reads that went back to the leader because a follower was behind the session floor. */
  redirected: number;
  /** Reads answered below the client's session floor (a broken session guarantee). */
  sessionViolations: number;
}

/** A node of the protocol. */
export type RRState = ReplicaState | ClientState;

/** Messages. */
export type RRMsg =
  | { type: 'write'; opId: number; key: string; value: string }
  | { type: 'writeOk'; opId: number; seq: number }
  | { type: 'writeFail'; opId: number; leader: string; epoch: number }
  | { type: 'read'; opId: number; key: string; minSeq: number }
  | { type: 'readOk'; opId: number; value: string | null; keySeq: number; seq: number }
  | { type: 'readBehind'; opId: number; seq: number }
  | {
      type: 'append';
      epoch: number;
      prevSeq: number;
      prevEpoch: number;
      entries: LogEntry[];
      commitSeq: number;
      leaderSeq: number;
    }
  | { type: 'appendAck'; epoch: number; ok: boolean; lastSeq: number; audits: ReadAudit[] }
  | { type: 'voteReq'; epoch: number; lastSeq: number; lastEpoch: number }
  | { type: 'vote'; epoch: number; granted: boolean }
  | { type: 'newLeader'; epoch: number };

type Eff = Effects<RRState, RRMsg>;
type Env = StepEnv<P>;

/** Roles that hold data. */
export const REPLICA_ROLES = ['leader', 'follower'] as const;

function replicas(env: Env): string[] {
  return [...env.nodesWithRole('leader'), ...env.nodesWithRole('follower')].sort();
}

function lastSeq(s: ReplicaState): number {
  return s.log.length;
}
function lastEpoch(s: ReplicaState): number {
  return s.log.at(-1)?.epoch ?? 0;
}

function rebuildKv(log: readonly LogEntry[]): Record<string, { value: string; seq: number }> {
  const kv: Record<string, { value: string; seq: number }> = {};
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
    justPromoted: false,
    promotedByParam: false,
  };
}

function watchTimer(env: Env): TimerCmd {
  // Manual failover: the watch timer only polls the `promote` param (no elections).
  if (env.params.failover === 'manual')
    return { kind: 'set', name: 'watch', afterUs: env.params.heartbeatUs };
  const base = env.params.failoverTimeoutUs;
  return { kind: 'set', name: 'watch', afterUs: base + env.rng.int(0, Math.floor(base / 2)) };
}

// ------------------------------------------------------------------ leader

function followersOf(env: Env): string[] {
  return replicas(env).filter((r) => r !== env.self);
}

/** Writes needed before a write is acknowledged in the current mode. */
function acksNeeded(env: Env): number {
  const n = followersOf(env).length;
  if (env.params.mode === 'async') return 0;
  if (env.params.mode === 'sync') return n;
  return Math.min(env.params.semiSyncAcks, n);
}

function appendFor(s: ReplicaState, f: string, env: Env): Outbound<RRMsg> {
  const next = Math.max(1, Math.min(s.next[f] ?? lastSeq(s) + 1, lastSeq(s) + 1));
  const prevSeq = next - 1;
  const entries = s.log.slice(prevSeq, prevSeq + env.params.maxBatch);
  return {
    to: f,
    msg: {
      type: 'append',
      epoch: s.epoch,
      prevSeq,
      prevEpoch: prevSeq > 0 ? s.log[prevSeq - 1]!.epoch : 0,
      entries,
      commitSeq: s.commitSeq,
      leaderSeq: lastSeq(s),
    },
  };
}

function computeLag(s: ReplicaState, env: Env): Record<string, Lag> {
  const lag: Record<string, Lag> = {};
  for (const f of followersOf(env)) {
    const m = s.match[f] ?? 0;
    const behind = Math.max(0, lastSeq(s) - m);
    const oldest = behind > 0 ? s.log[m]! : undefined;
    lag[f] = {
      versions: behind,
      ms: oldest ? Math.max(0, Math.round((env.localTimeUs - oldest.atUs) / 1000)) : 0,
    };
  }
  return lag;
}

/**
 * Advances the commit point: in async mode everything appended is committed; otherwise an
 * entry is committed once `acksNeeded` followers store it (or at once under the bug switch).
 * Replies to the writes that became acknowledged.
 */
function advanceCommit(
  s: ReplicaState,
  env: Env,
): { s: ReplicaState; send: Outbound<RRMsg>[]; notes: string[] } {
  const need = env.params.bugAckBeforeReplicate ? 0 : acksNeeded(env);
  let commit = s.commitSeq;
  const followers = followersOf(env);
  for (let seq = lastSeq(s); seq > s.commitSeq; seq--) {
    let n = 0;
    for (const f of followers) if ((s.match[f] ?? 0) >= seq) n++;
    if (n >= need) {
      commit = seq;
      break;
    }
  }
  if (commit === s.commitSeq) return { s, send: [], notes: [] };
  const times = s.commitTimesUs.slice(0, s.commitSeq);
  for (let seq = s.commitSeq + 1; seq <= commit; seq++) times.push(env.localTimeUs);
  const send: Outbound<RRMsg>[] = [];
  const acked = [...s.acked];
  const waiting: ReplicaState['waiting'] = [];
  for (const w of s.waiting) {
    if (w.seq <= commit) {
      const e = s.log[w.seq - 1]!;
      acked.push({
        seq: e.seq,
        epoch: e.epoch,
        opId: e.opId,
        key: e.key,
        value: e.value,
        mode: env.params.mode,
      });
      send.push({ to: w.from, msg: { type: 'writeOk', opId: w.opId, seq: w.seq } });
    } else waiting.push(w);
  }
  return { s: { ...s, commitSeq: commit, commitTimesUs: times, acked, waiting }, send, notes: [] };
}

function becomeLeader(s: ReplicaState, epoch: number, env: Env, why: string): Eff {
  const match: Record<string, number> = {};
  const next: Record<string, number> = {};
  for (const f of followersOf(env)) {
    match[f] = 0;
    next[f] = lastSeq(s) + 1;
  }
  // Entries this replica holds are final from now on: they count as committed at promotion.
  const times = s.commitTimesUs.slice(0, Math.min(s.commitSeq, s.commitTimesUs.length));
  while (times.length < lastSeq(s)) times.push(env.localTimeUs);
  const ns: ReplicaState = {
    ...s,
    leader: true,
    candidate: false,
    epoch,
    votedFor: env.self,
    votes: [],
    leaderId: env.self,
    commitSeq: lastSeq(s),
    commitTimesUs: times,
    match,
    next,
    waiting: [],
    justPromoted: true,
  };
  ns.lag = computeLag(ns, env);
  const others = env.peers.filter((p) => p !== env.self);
  return {
    state: ns,
    send: [
      ...followersOf(env).map((f) => appendFor(ns, f, env)),
      ...others
        .filter((p) => !followersOf(env).includes(p))
        .map((p) => ({ to: p, msg: { type: 'newLeader' as const, epoch } })),
    ],
    timers: [
      { kind: 'cancel', name: 'watch' },
      { kind: 'set', name: 'heartbeat', afterUs: env.params.heartbeatUs },
    ],
    notes: [`${env.self} leads epoch ${epoch} (${why}) with ${lastSeq(s)} entries`],
  };
}

/** A replica that learns of a higher epoch follows it. */
function stepDown(
  s: ReplicaState,
  epoch: number,
  leaderId: string,
  env: Env,
): { s: ReplicaState; timers: TimerCmd[] } {
  const wasLeader = s.leader;
  return {
    s: {
      ...s,
      leader: false,
      candidate: false,
      epoch,
      votedFor: epoch > s.epoch ? '' : s.votedFor,
      votes: [],
      leaderId,
      waiting: [],
      match: {},
      next: {},
      lag: {},
    },
    timers: wasLeader ? [{ kind: 'cancel', name: 'heartbeat' }, watchTimer(env)] : [],
  };
}

function onAppend(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'append' }>, env: Env): Eff {
  if (m.epoch < s.epoch) {
    return {
      state: s,
      send: [
        { to: from, msg: { type: 'appendAck', epoch: s.epoch, ok: false, lastSeq: lastSeq(s), audits: [] } },
      ],
    };
  }
  const timers: TimerCmd[] = [];
  let cur = s;
  if (m.epoch > s.epoch || s.leader || s.candidate || s.leaderId !== from) {
    const d = stepDown(s, m.epoch, from, env);
    cur = d.s;
    timers.push(...d.timers);
  }
  timers.push(watchTimer(env));
  const notes: string[] = [];
  // Raft §5.3: the entry before the new ones must match, else the leader backs up.
  const prevOk =
    m.prevSeq === 0 || (m.prevSeq <= lastSeq(cur) && cur.log[m.prevSeq - 1]!.epoch === m.prevEpoch);
  if (!prevOk) {
    const hint = Math.min(lastSeq(cur), m.prevSeq - 1);
    return {
      state: { ...cur, leaderSeq: m.leaderSeq, audits: [] },
      timers,
      send: [
        {
          to: from,
          msg: { type: 'appendAck', epoch: cur.epoch, ok: false, lastSeq: hint, audits: cur.audits },
        },
      ],
    };
  }
  let log = cur.log;
  let changed = false;
  for (const e of m.entries) {
    const have = log[e.seq - 1];
    if (have !== undefined && have.epoch === e.epoch) continue;
    if (have !== undefined) {
      // A conflicting suffix: entries of an older epoch the new leader never had.
      const dropped = log.slice(e.seq - 1);
      notes.push(
        `${env.self} discards seq ${dropped[0]!.seq}..${dropped.at(-1)!.seq} (epoch ${dropped[0]!.epoch})`,
      );
      log = log.slice(0, e.seq - 1);
    }
    if (!changed) log = log.slice();
    changed = true;
    log.push(e);
  }
  // Without new entries, a longer log past the leader's end is also a conflicting suffix.
  if (m.entries.length === 0 && lastSeq(cur) > m.leaderSeq && m.prevSeq === m.leaderSeq) {
    const dropped = log.slice(m.leaderSeq);
    notes.push(
      `${env.self} discards seq ${dropped[0]!.seq}..${dropped.at(-1)!.seq} (epoch ${dropped[0]!.epoch})`,
    );
    log = log.slice(0, m.leaderSeq);
    changed = true;
  }
  let acked = cur.acked;
  let lost = cur.lost;
  if (changed) {
    // Writes this replica acknowledged as an old leader that are no longer in its log: lost.
    const gone = cur.acked.filter((a) => log[a.seq - 1]?.opId !== a.opId);
    if (gone.length > 0) {
      acked = cur.acked.filter((a) => log[a.seq - 1]?.opId === a.opId);
      lost = [...cur.lost, ...gone];
      for (const g of gone)
        notes.push(
          `lost write #${g.opId} ${g.key}=${g.value} (seq ${g.seq}, epoch ${g.epoch}, acknowledged in ${g.mode} mode)`,
        );
    }
  }
  const ns: ReplicaState = {
    ...cur,
    log,
    kv: changed ? rebuildKv(log) : cur.kv,
    commitSeq: Math.min(m.commitSeq, log.length),
    leaderSeq: m.leaderSeq,
    audits: [],
    acked,
    lost,
  };
  return {
    state: ns,
    timers,
    send: [
      {
        to: from,
        // Raft §5.3: acknowledge only what this message proved to match the leader's log (an
        // older suffix past it is truncated by a later append).
        msg: {
          type: 'appendAck',
          epoch: ns.epoch,
          ok: true,
          lastSeq: Math.min(log.length, m.prevSeq + m.entries.length),
          audits: cur.audits,
        },
      },
    ],
    notes,
  };
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

function onAppendAck(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'appendAck' }>, env: Env): Eff {
  if (m.epoch > s.epoch) {
    const d = stepDown(s, m.epoch, '', env);
    return { state: d.s, timers: d.timers, notes: [`${env.self} steps down: epoch ${m.epoch} exists`] };
  }
  if (!s.leader || m.epoch < s.epoch) return { state: s };
  const notes: string[] = [];
  let stale = 0;
  for (const a of m.audits) {
    const why = audit(s, from, a);
    if (why !== null) {
      stale++;
      notes.push(why);
    }
  }
  let cur: ReplicaState = stale > 0 ? { ...s, staleReads: s.staleReads + stale } : s;
  const send: Outbound<RRMsg>[] = [];
  if (m.ok) {
    cur = {
      ...cur,
      match: { ...cur.match, [from]: Math.max(cur.match[from] ?? 0, m.lastSeq) },
      next: { ...cur.next, [from]: m.lastSeq + 1 },
    };
    if (m.lastSeq < lastSeq(cur)) send.push(appendFor(cur, from, env));
  } else {
    cur = {
      ...cur,
      next: { ...cur.next, [from]: Math.max(1, Math.min((cur.next[from] ?? 1) - 1, m.lastSeq + 1)) },
    };
    send.push(appendFor(cur, from, env));
  }
  const c = advanceCommit(cur, env);
  const ns = { ...c.s, lag: computeLag(c.s, env) };
  return { state: ns, send: [...send, ...c.send], notes: [...notes, ...c.notes] };
}

function heartbeat(s: ReplicaState, env: Env): Eff {
  // A param change (mode, acks) applies from here: re-evaluate the commit point too.
  const c = advanceCommit(s, env);
  const ns = { ...c.s, lag: computeLag(c.s, env) };
  return {
    state: ns,
    send: [...followersOf(env).map((f) => appendFor(ns, f, env)), ...c.send],
    timers: [{ kind: 'set', name: 'heartbeat', afterUs: env.params.heartbeatUs }],
  };
}

function onWrite(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'write' }>, env: Env): Eff {
  if (!s.leader) {
    return {
      state: s,
      send: [{ to: from, msg: { type: 'writeFail', opId: m.opId, leader: s.leaderId, epoch: s.epoch } }],
    };
  }
  const e: LogEntry = {
    seq: lastSeq(s) + 1,
    epoch: s.epoch,
    key: m.key,
    value: m.value,
    opId: m.opId,
    atUs: env.localTimeUs,
  };
  const base: ReplicaState = {
    ...s,
    log: [...s.log, e],
    kv: { ...s.kv, [e.key]: { value: e.value, seq: e.seq } },
    waiting: [...s.waiting, { seq: e.seq, opId: m.opId, from }],
  };
  const c = advanceCommit(base, env);
  const ns = { ...c.s, lag: computeLag(c.s, env) };
  // Ship at once to followers that are caught up (the heartbeat retransmits the rest).
  const send: Outbound<RRMsg>[] = [];
  for (const f of followersOf(env)) if ((ns.next[f] ?? 0) === e.seq) send.push(appendFor(ns, f, env));
  return { state: ns, send: [...send, ...c.send], notes: c.notes };
}

function onRead(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'read' }>, env: Env): Eff {
  if (!s.leader && lastSeq(s) < m.minSeq) {
    return { state: s, send: [{ to: from, msg: { type: 'readBehind', opId: m.opId, seq: lastSeq(s) } }] };
  }
  const v = s.kv[m.key];
  const keySeq = v?.seq ?? 0;
  const ns: ReplicaState = {
    ...s,
    readsServed: s.readsServed + 1,
    followerReads: s.followerReads + (s.leader ? 0 : 1),
    audits: s.leader ? s.audits : [...s.audits, { opId: m.opId, key: m.key, keySeq, atUs: env.localTimeUs }],
  };
  return {
    state: ns,
    send: [
      { to: from, msg: { type: 'readOk', opId: m.opId, value: v?.value ?? null, keySeq, seq: lastSeq(s) } },
    ],
  };
}

function startElection(s: ReplicaState, env: Env): Eff {
  const epoch = s.epoch + 1;
  const voters = replicas(env);
  const ns: ReplicaState = {
    ...s,
    candidate: true,
    epoch,
    votedFor: env.self,
    votes: [env.self],
    leaderId: '',
  };
  if (voters.length === 1) return becomeLeader(ns, epoch, env, 'alone');
  return {
    state: ns,
    send: voters
      .filter((v) => v !== env.self)
      .map((v) => ({
        to: v,
        msg: { type: 'voteReq' as const, epoch, lastSeq: lastSeq(s), lastEpoch: lastEpoch(s) },
      })),
    timers: [watchTimer(env)],
    notes: [`${env.self} missed heartbeats: stands in epoch ${epoch} with ${lastSeq(s)} entries`],
  };
}

function onVoteReq(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'voteReq' }>, env: Env): Eff {
  let cur = s;
  const timers: TimerCmd[] = [];
  if (m.epoch > s.epoch) {
    const d = stepDown(s, m.epoch, '', env);
    cur = d.s;
    timers.push(...d.timers);
  }
  // Raft §5.4.1: grant only to a log at least as up to date (last epoch, then length).
  const upToDate =
    m.lastEpoch > lastEpoch(cur) || (m.lastEpoch === lastEpoch(cur) && m.lastSeq >= lastSeq(cur));
  const grant =
    m.epoch === cur.epoch && !cur.leader && (cur.votedFor === '' || cur.votedFor === from) && upToDate;
  if (grant) {
    cur = { ...cur, votedFor: from };
    timers.push(watchTimer(env));
  }
  return {
    state: cur,
    timers,
    send: [{ to: from, msg: { type: 'vote', epoch: cur.epoch, granted: grant } }],
  };
}

function onVote(s: ReplicaState, from: string, m: Extract<RRMsg, { type: 'vote' }>, env: Env): Eff {
  if (m.epoch > s.epoch) {
    const d = stepDown(s, m.epoch, '', env);
    return { state: d.s, timers: d.timers };
  }
  if (!s.candidate || m.epoch !== s.epoch || !m.granted || s.votes.includes(from)) return { state: s };
  const votes = [...s.votes, from];
  if (votes.length * 2 > replicas(env).length) return becomeLeader({ ...s, votes }, s.epoch, env, 'elected');
  return { state: { ...s, votes } };
}

function replicaStep(s: ReplicaState, input: Input<RRMsg>, env: Env): Eff {
  // The promotion flag lives for one step only.
  if (s.justPromoted) s = { ...s, justPromoted: false };
  switch (input.kind) {
    case 'start':
    case 'restart': {
      const fresh = { ...s, kv: rebuildKv(s.log), candidate: false, votes: [] };
      if (s.leader) {
        const match: Record<string, number> = {};
        const next: Record<string, number> = {};
        for (const f of followersOf(env)) {
          match[f] = 0;
          next[f] = lastSeq(s) + 1;
        }
        const ns: ReplicaState = {
          ...fresh,
          leaderId: env.self,
          match,
          next,
          commitSeq: input.kind === 'restart' ? lastSeq(s) : s.commitSeq,
          commitTimesUs: input.kind === 'restart' ? s.log.map(() => env.localTimeUs) : s.commitTimesUs,
        };
        return heartbeat(ns, env);
      }
      return { state: fresh, timers: [watchTimer(env)] };
    }
    case 'timer':
      if (input.name === 'heartbeat') return s.leader ? heartbeat(s, env) : { state: s };
      if (input.name === 'watch') {
        if (s.leader) return { state: s };
        const p = env.params;
        if (p.failover === 'manual') {
          if (p.promote === env.self && !s.promotedByParam && env.localTimeUs >= p.promoteAtUs)
            return becomeLeader({ ...s, promotedByParam: true }, s.epoch + 1, env, 'promoted by hand');
          return { state: s, timers: [watchTimer(env)] };
        }
        return startElection(s, env);
      }
      return { state: s };
    case 'client':
      // Replicas are not clients: the workload only drives nodes with role 'client'.
      return { state: s, reply: [{ id: input.op.id, ok: false }] };
    case 'message': {
      const m = input.msg;
      const from = input.from;
      switch (m.type) {
        case 'write':
          return onWrite(s, from, m, env);
        case 'read':
          return onRead(s, from, m, env);
        case 'append':
          return onAppend(s, from, m, env);
        case 'appendAck':
          return onAppendAck(s, from, m, env);
        case 'voteReq':
          return onVoteReq(s, from, m, env);
        case 'vote':
          return onVote(s, from, m, env);
        default:
          return { state: s };
      }
    }
  }
}

// ------------------------------------------------------------------ client

function readTarget(c: ClientState, env: Env): string {
  const all = replicas(env);
  const followers = all.filter((r) => r !== c.leaderId);
  if (env.params.readPolicy === 'leader' || followers.length === 0) return c.leaderId || all[0]!;
  return env.rng.pick(followers);
}

/** The version a session read must see (0: no guarantee asked). */
function sessionFloor(c: ClientState, env: Env): number {
  if (env.params.readPolicy === 'read-your-writes') return c.writeSeq;
  if (env.params.readPolicy === 'monotonic') return c.readSeq;
  return 0;
}

function clientStep(c: ClientState, input: Input<RRMsg>, env: Env): Eff {
  switch (input.kind) {
    case 'start':
    case 'restart':
    case 'timer':
      return { state: c };
    case 'client': {
      const op = input.op;
      if (op.op === 'write') {
        const to = c.leaderId || replicas(env)[0]!;
        return {
          state: {
            ...c,
            pending: { ...c.pending, [op.id]: { op, to, minSeq: 0, floor: 0, sentUs: env.localTimeUs } },
          },
          send: [{ to, msg: { type: 'write', opId: op.id, key: op.key, value: op.value ?? '' } }],
        };
      }
      const to = readTarget(c, env);
      const floor = sessionFloor(c, env);
      const minSeq = env.params.bugIgnoreSession ? 0 : floor;
      return {
        state: {
          ...c,
          pending: { ...c.pending, [op.id]: { op, to, minSeq, floor, sentUs: env.localTimeUs } },
        },
        send: [{ to, msg: { type: 'read', opId: op.id, key: op.key, minSeq } }],
      };
    }
    case 'message': {
      const m = input.msg;
      if (m.type === 'newLeader') {
        return m.epoch >= c.epoch ? { state: { ...c, leaderId: input.from, epoch: m.epoch } } : { state: c };
      }
      if (!('opId' in m)) return { state: c };
      const p = c.pending[m.opId];
      if (p === undefined) return { state: c };
      const { [m.opId]: _, ...rest } = c.pending;
      const took = env.localTimeUs - p.sentUs;
      switch (m.type) {
        case 'writeOk':
          return {
            state: {
              ...c,
              pending: rest,
              writeSeq: Math.max(c.writeSeq, m.seq),
              writes: c.writes + 1,
              writeLatencyUsSum: c.writeLatencyUsSum + took,
            },
            reply: [{ id: m.opId, ok: true }],
          };
        case 'writeFail': {
          const learn = m.epoch >= c.epoch && m.leader !== '' ? { leaderId: m.leader, epoch: m.epoch } : {};
          return { state: { ...c, ...learn, pending: rest }, reply: [{ id: m.opId, ok: false }] };
        }
        case 'readBehind': {
          // The follower is below the session floor: ask the leader instead.
          const to = c.leaderId || replicas(env)[0]!;
          return {
            state: {
              ...c,
              redirected: c.redirected + 1,
              pending: { ...c.pending, [m.opId]: { ...p, to, minSeq: 0 } },
            },
            send: [{ to, msg: { type: 'read', opId: m.opId, key: p.op.key, minSeq: 0 } }],
          };
        }
        case 'readOk': {
          const floor = p.floor;
          const violated = m.seq < floor;
          const reply: ClientReply = { id: m.opId, ok: true, value: m.value };
          return {
            state: {
              ...c,
              pending: rest,
              readSeq: Math.max(c.readSeq, m.seq),
              reads: c.reads + 1,
              readLatencyUsSum: c.readLatencyUsSum + took,
              sessionViolations: c.sessionViolations + (violated ? 1 : 0),
            },
            reply: [reply],
            notes: violated
              ? [
                  `session guarantee broken: #${m.opId} read version ${m.seq} below the session floor ${floor}`,
                ]
              : undefined,
          };
        }
        default:
          return { state: c };
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
  { id: `replica${k}LagMs`, unit: 'ms', read: (n: readonly NodeView<RRState>[]) => slotLag(n, k, 'ms') },
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

export const readReplication: StepProtocol<P, RRState, RRMsg> = {
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
    if (node.role === 'client') {
      return {
        kind: 'client',
        leaderId: '',
        epoch: 0,
        writeSeq: 0,
        readSeq: 0,
        pending: {},
        writes: 0,
        writeLatencyUsSum: 0,
        reads: 0,
        readLatencyUsSum: 0,
        redirected: 0,
        sessionViolations: 0,
      };
    }
    return newReplica(node.role === 'leader', '');
  },
  step(s, input, env) {
    if (s.kind === 'client') {
      // The initial leader is the node with role 'leader' until someone says otherwise.
      const c = s.leaderId === '' ? { ...s, leaderId: env.nodesWithRole('leader')[0] ?? '' } : s;
      return clientStep(c, input, env);
    }
    // Until an election says otherwise, the node with role 'leader' leads epoch 1.
    if ((input.kind === 'start' || input.kind === 'restart') && s.epoch === 1 && !s.leader)
      s = { ...s, leaderId: env.nodesWithRole('leader')[0] ?? '' };
    return replicaStep(s, input, env);
  },
  durable(s) {
    if (s.kind === 'client') return s;
    return {
      kind: s.kind,
      leader: s.leader,
      epoch: s.epoch,
      votedFor: s.votedFor,
      log: s.log,
      acked: s.acked,
      lost: s.lost,
      readsServed: s.readsServed,
      followerReads: s.followerReads,
      staleReads: s.staleReads,
      promotedByParam: s.promotedByParam,
      commitSeq: s.commitSeq,
      commitTimesUs: s.commitTimesUs,
    };
  },
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
      check({ changed, nodes }) {
        const s = changed.state;
        if (s.kind !== 'replica') return null;
        if (!s.justPromoted) {
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
        // Checked when a replica takes over: its log is final from here on.
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
        return w === 0 ? 0 : sumClients(n, (c) => c.writeLatencyUsSum) / w / 1000;
      },
    },
    {
      id: 'readLatencyMs',
      unit: 'ms',
      read: (n) => {
        const r = sumClients(n, (c) => c.reads);
        return r === 0 ? 0 : sumClients(n, (c) => c.readLatencyUsSum) / r / 1000;
      },
    },
    { id: 'lagVersionsMax', unit: 'versions', read: (n) => maxLag(n, 'versions') },
    { id: 'lagMsMax', unit: 'ms', read: (n) => maxLag(n, 'ms') },
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
