/**
 * Read replication: the params, the state of each role (replica, client) and the messages
 * between them. The log entry, the append and the vote follow Raft's Figure 2 (Ongaro &
 * Ousterhout 2014: AppendEntries, RequestVote), renamed for replication (seq for index, epoch
 * for term); the session floors follow Terry et al., "Session Guarantees for Weakly Consistent
 * Replicated Data" (PDIS 1994). See docs/protocols/replication.md.
 */
import { z } from 'zod';
import type { Ctx } from '../../protocol';
import type { KvClientState } from '../../toolkit/kv-client';

/** The params schema: every field defaulted, so `parse({})` gives the defaults. */
export const ReadReplicationParams = z.object({
  /** When the leader answers a write: at once, after `semiSyncAcks` followers, or after every follower. */
  mode: z.enum(['async', 'semi-sync', 'sync']).default('async'),
  /** Semi-synchronous mode: follower acknowledgements to wait for (capped at the follower count). */
  semiSyncAcks: z.number().int().min(1).max(16).default(1),
  /**
   * sync and semi-sync: what the leader waits for from a follower before it answers a write:
   * that the follower stored it (durable), or that it also applied it, so reads there see it
   * (PostgreSQL's `synchronous_commit = remote_apply`).
   */
  waitFor: z.enum(['stored', 'applied']).default('stored'),
  /** Where clients read: the leader, any follower, or a follower that honours a session guarantee. */
  readPolicy: z.enum(['leader', 'any-follower', 'read-your-writes', 'monotonic']).default('any-follower'),
  /**
   * How the leader makes sure it still leads before it answers a read (Raft thesis §6.4): a read
   * barrier (a heartbeat round acknowledged by a majority after the read arrived), or a lease
   * (no round while `leaseUs` has not passed since a round a majority acknowledged: followers
   * promise not to elect anyone for `failoverTimeoutUs` after they hear the leader).
   */
  leaderReads: z.enum(['barrier', 'lease']).default('barrier'),
  /** Lease reads: how long after a round's start a majority's acknowledgements let the leader read alone. */
  leaseUs: z.number().int().min(1000).max(60_000_000).default(240_000),
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
  /** How long a client waits for an answer before it gives the operation up (never re-sent, so never applied twice). */
  clientTimeoutUs: z.number().int().min(1000).max(60_000_000).default(1_000_000),
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

/**
 * One write in the replicated log. A new leader's first entry is a no-op (Raft §8): `opId` 0,
 * `key` '' (see `isNoop`); it commits the entries of older epochs before it.
 */
export interface LogEntry {
  /** Position in the log, from 1 (the data's version number after applying it). */
  seq: number;
  /** Leader epoch that created it. */
  epoch: number;
  /** Key written ('' for a no-op). */
  key: string;
  /** Value written. */
  value: string;
  /** Client operation id (0 for a no-op). */
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
  /** Mode the leader was in when it acknowledged. */
  mode: ReplicationMode;
  /** Whether that mode promised durability then (promises.ts): the no-lost-writes invariant covers these. */
  durable: boolean;
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

/** A read the leader holds until it knows it still leads (a barrier round, or a lease). */
export interface WaitingRead {
  /** The client operation id. */
  opId: number;
  /** The client node to answer. */
  from: string;
  /** The key. */
  key: string;
  /** The heartbeat round that must be acknowledged by a majority: one sent after the read arrived. */
  round: number;
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
  /** True while this replica leads its epoch (volatile: a restarted leader comes back as a follower). */
  leading: boolean;
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
  /** Local time this replica last heard the leader of its epoch (-1 never; volatile): it refuses votes for `failoverTimeoutUs` after. */
  heardUs: number;
  /** The replicated log (durable). */
  log: LogEntry[];
  /**
   * Highest seq known committed (durable): the leader's commit point, or the leader's as a
   * follower last heard it. Only committed entries are applied.
   */
  commitSeq: number;
  /** Highest seq applied to `kv` (Raft's lastApplied; rebuilt from the log on restart). */
  applied: number;
  /** Applied data: key -> value and the seq that wrote it (the committed prefix of the log). */
  kv: Record<string, Versioned>;
  /** Leader: the seq of this leadership's first entry (its no-op; 0 for epoch 1's first leader): reads wait until it is committed. */
  epochStart: number;
  /** Leader: highest seq known to be stored on each follower. */
  match: Record<string, number>;
  /** Leader: highest seq known to be applied on each follower (for `waitFor: applied`). */
  appliedBy: Record<string, number>;
  /** Leader: next seq to send to each follower. */
  next: Record<string, number>;
  /** Leader: writes waiting for acknowledgements, in seq order. */
  waiting: WaitingWrite[];
  /** A deposed leader: writes it appended but never answered, until the new leader's log settles them (volatile). */
  orphans: WaitingWrite[];
  /** Leader: the current heartbeat round (every broadcast of appends starts one; volatile). */
  round: number;
  /** Leader: highest round each follower acknowledged in this epoch. */
  heard: Record<string, number>;
  /** Leader: local start time of each round not yet acknowledged by a majority (for the lease), by round. */
  roundStartUs: Record<string, number>;
  /** Leader: local time its lease ends (-1: none). */
  leaseUntilUs: number;
  /** Leader: reads waiting until it knows it still leads. */
  reads: WaitingRead[];
  /** Leader: lag of each follower. */
  lag: Record<string, Lag>;
  /** Follower: the leader's last seq as last heard (for the follower's own badge). */
  leaderSeq: number;
  /** Writes this replica acknowledged while leading (durable; lost-write detection). */
  acked: AckedWrite[];
  /** Acknowledged writes this replica had to discard when it rejoined (durable). */
  lost: AckedWrite[];
  /** Reads this replica served (durable counter). */
  readsServed: number;
  /** Of those, reads served while a follower (durable counter). */
  followerReads: number;
  /** Manual failover: this replica already acted on the `promote` param (durable). */
  promotedByParam: boolean;
}

/** What a client keeps with a request (the toolkit's `r.data`): the session floor of a read. */
export interface SessionRead {
  /** The client's session floor when it sent the read (0: no guarantee asked; 0 for writes). */
  floor: number;
  /** The floor the read message carries (0: any version will do; the bug switch sends 0). */
  minSeq: number;
  /** A read meant for the leader (the `leader` read policy, or sent there because a follower was behind). */
  leader: boolean;
}

/**
 * A client node: the toolkit's key-value client (`leader` hint, `pending` requests...) with
 * the session floors and counters of read replication. Its whole state survives a crash.
 */
export interface ClientState extends KvClientState<SessionRead> {
  /** Discriminator. */
  kind: 'client';
  /** Epoch of the leader hint. */
  epoch: number;
  /** Highest seq of this client's acknowledged writes (read-your-writes floor). */
  writeSeq: number;
  /** Highest replica version this client has read from (monotonic-reads floor). */
  readSeq: number;
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
  /** True for a read meant for the leader: only a replica that leads answers it, once it knows it still leads. */
  leader: boolean;
}

/** A replica that does not lead, to a client's leader read: not the leader; here is who is, as far as known. */
export interface ReadFailMsg {
  /** Message type. */
  type: 'readFail';
  /** Client operation id. */
  opId: number;
  /** The leader hint ('' unknown). */
  leader: string;
  /** The epoch of that hint. */
  epoch: number;
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
  /** The replica's version (its applied seq: the data the read saw). */
  seq: number;
}

/** Follower to client: my data is below your session floor; ask the leader. */
export interface ReadBehindMsg {
  /** Message type. */
  type: 'readBehind';
  /** Client operation id. */
  opId: number;
  /** The follower's applied seq. */
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
  /** The leader's heartbeat round when it sent this (echoed in the ack: the read barrier and the lease count them). */
  round: number;
}

/** Follower to leader: the answer to an append. */
export interface AppendAckMsg {
  /** Message type. */
  type: 'appendAck';
  /** The follower's epoch. */
  epoch: number;
  /** False when the entry at prevSeq did not match (the leader backs up). */
  ok: boolean;
  /** ok: the last seq known to match the leader's log; not ok: a hint where to resume. */
  lastSeq: number;
  /** The follower's applied seq (what its reads see). */
  applied: number;
  /** The round of the append this answers. */
  round: number;
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
  | ReadFailMsg
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
