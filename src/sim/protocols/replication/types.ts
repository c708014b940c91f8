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
  /** How long a client waits for an answer before it gives the operation up (never re-sent, so never applied twice). */
  clientTimeoutUs: z.number().int().min(1000).max(60_000_000).default(500_000),
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

/** What a client keeps with a request (the toolkit's `r.data`): the session floor of a read. */
export interface SessionRead {
  /** The client's session floor when it sent the read (0: no guarantee asked; 0 for writes). */
  floor: number;
  /** The floor the read message carries (0: any version will do; the bug switch sends 0). */
  minSeq: number;
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
