import { z } from 'zod';
import type { Kv } from './kv';
import type { Entry, Log, Session, Snapshot } from './log';

/**
 * Raft params. Times are milliseconds of the node's local clock (the paper's unit); every
 * field is defaulted so `RaftParams.parse({})` gives the quick-start values.
 */
export const RaftParams = z.object({
  /** Lower bound of the randomized election timeout (§5.2; the paper's 150 ms). */
  electionTimeoutMsMin: z.number().int().min(1).max(60_000).default(150),
  /** Upper bound of the randomized election timeout (the paper's 300 ms). */
  electionTimeoutMsMax: z.number().int().min(1).max(60_000).default(300),
  /** Leader heartbeat interval (empty AppendEntries, §5.2). */
  heartbeatMs: z.number().int().min(1).max(60_000).default(50),
  /** Pre-vote phase before a real election (Ongaro's thesis §9.6). */
  preVote: z.boolean().default(false),
  /** A leader steps down when it has not heard from a majority for an election timeout (thesis §6.2). */
  checkQuorum: z.boolean().default(false),
  /** Take a snapshot every this many applied entries (§7); 0 disables log compaction. */
  snapshotEvery: z.number().int().min(0).max(1_000_000).default(0),
  /** Most entries per AppendEntries message. */
  maxEntriesPerAppend: z.number().int().min(1).max(10_000).default(64),
  /** A client re-sends a request unanswered after this long (same request id, §8). */
  clientRetryMs: z.number().int().min(1).max(60_000).default(100),
  /** Bug switch: grant votes without the election restriction (§5.4.1). */
  bugNoElectionRestriction: z.boolean().default(false),
  /** Bug switch: commit an entry from a previous term by counting replicas (the Figure 8 trap, §5.4.2). */
  bugCommitPreviousTerm: z.boolean().default(false),
  /** Bug switch: votedFor is not written to stable storage, so a restarted server can vote twice in a term. */
  bugForgetVoteOnRestart: z.boolean().default(false),
});
/** Raft params (defaults applied). */
export type RaftParams = z.infer<typeof RaftParams>;

/** A server's role (precandidate: in the pre-vote phase). */
export type ServerRole = 'follower' | 'precandidate' | 'candidate' | 'leader';

/**
 * Checker-only ("ghost") state: never read by the protocol, kept so the invariants can see the
 * past. Durable, so a crash does not hide it from the checkers.
 */
export interface Ghost {
  /** Terms in which this server became leader, ascending. */
  ledTerms: number[];
  /** Highest index this server ever knew committed, its chain hash, and its term at the time. */
  commit: { index: number; h: number; term: number };
  /** Elections started (real ones, not pre-votes). */
  elections: number;
}

/** A read waiting for its read index (§8, thesis §6.4). */
export interface PendingRead {
  /** Client node id. */
  client: string;
  /** Request id. */
  reqId: number;
  /** Key. */
  key: string;
  /** Commit index the read must wait for. */
  readIndex: number;
  /** Heartbeat round that must be acknowledged by a majority (confirms leadership). */
  seq: number;
}

/** A Raft server's state. Durable fields (Figure 2 "persistent state"): term, votedFor, log, snap. */
export interface ServerState {
  /** Discriminator. */
  kind: 'server';
  /** currentTerm (durable). */
  term: number;
  /** Candidate voted for in the current term, '' for none (durable unless bugForgetVoteOnRestart). */
  votedFor: string;
  /** The log's stored entries (durable). */
  log: Log;
  /** The snapshot (durable). */
  snap: Snapshot;
  /** Checker-only state (durable). */
  ghost: Ghost;
  /** Copy of the bugForgetVoteOnRestart param, because durable() does not see params. */
  forgetVote: boolean;
  /** Role (volatile). */
  role: ServerRole;
  /** Leader this server believes in, '' for none (volatile; redirect hint). */
  leader: string;
  /** Local time of the last AppendEntries from the current leader, microseconds (volatile). */
  leaderContactUs: number;
  /** Highest index known committed (volatile). */
  commitIndex: number;
  /** Highest index applied to kv (volatile). */
  lastApplied: number;
  /** The key-value state machine (volatile: rebuilt from the snapshot and the log). */
  kv: Kv;
  /** Client sessions for dedupe (volatile, part of the state machine). */
  sessions: Record<string, Session>;
  /** Votes (or pre-votes) received in the current election. */
  votes: string[];
  /** Leader: next index to send to each follower. */
  next: Record<string, number>;
  /** Leader: highest index known replicated on each follower. */
  match: Record<string, number>;
  /** Leader: heartbeat round counter. */
  hbSeq: number;
  /** Leader: highest heartbeat round each follower answered in this term. */
  acked: Record<string, number>;
  /** Leader: local time of the last answer from each follower (check-quorum). */
  ackUs: Record<string, number>;
  /** Leader: local time it became leader. */
  leaderSinceUs: number;
  /** Leader: index of its term's no-op. */
  termStart: number;
  /** Leader: reads waiting for their read index. */
  reads: PendingRead[];
}

/** A request a client keeps until it is answered. */
export interface ClientPending {
  /** Request id (unique per client; retries reuse it). */
  reqId: number;
  /** Workload operation id (what the kernel reply names). */
  opId: number;
  /** get or put. */
  op: 'get' | 'put';
  /** Key. */
  key: string;
  /** Value (puts). */
  value: string;
  /** Server it was last sent to. */
  to: string;
  /** Local time it was last sent, microseconds. */
  sentUs: number;
  /** Redirects followed since the last timeout (caps redirect loops between stale servers). */
  hops: number;
}

/** A Raft client's state. */
export interface ClientState {
  /** Discriminator. */
  kind: 'client';
  /** Next request id (durable, so a restarted client never reuses an id). */
  nextReq: number;
  /** The server believed to be leader, '' unknown. */
  leader: string;
  /**
   * Outstanding requests, ascending by request id (volatile). An array rather than a record
   * keyed by request id: large integer keys make V8 keep such records as slow dictionaries.
   */
  pending: ClientPending[];
}

/** Any node's state. */
export type RaftState = ServerState | ClientState;

/** RequestVote (§5.2) or PreVote (thesis §9.6, `pre`). */
export interface RequestVote {
  /** Type. */
  type: 'RequestVote';
  /** Candidate's term (for a pre-vote: the term it would use). */
  term: number;
  /** Last log index (§5.4.1). */
  lastLogIndex: number;
  /** Last log term (§5.4.1). */
  lastLogTerm: number;
  /** True for a pre-vote. */
  pre: boolean;
}

/** Answer to RequestVote. */
export interface RequestVoteResp {
  /** Type. */
  type: 'RequestVoteResp';
  /** Voter's term (for a granted pre-vote: the requested term). */
  term: number;
  /** Granted. */
  granted: boolean;
  /** Answer to a pre-vote. */
  pre: boolean;
}

/** AppendEntries (§5.3); also the heartbeat. */
export interface AppendEntries {
  /** Type. */
  type: 'AppendEntries';
  /** Leader's term. */
  term: number;
  /** Index of the entry before the new ones. */
  prevIndex: number;
  /** Its term. */
  prevTerm: number;
  /** Entries to store (empty for a heartbeat). */
  entries: Entry[];
  /** Leader's commit index. */
  commit: number;
  /** Heartbeat round (echoed; confirms leadership for read-index reads). */
  seq: number;
}

/** Answer to AppendEntries or InstallSnapshot. */
export interface AppendResp {
  /** Type. */
  type: 'AppendResp';
  /** Follower's term. */
  term: number;
  /** Consistency check passed. */
  success: boolean;
  /** On success the last index now known to match; on failure the follower's last index (a hint). */
  match: number;
  /** Echoed round. */
  seq: number;
}

/** InstallSnapshot (§7), sent whole. */
export interface InstallSnapshot {
  /** Type. */
  type: 'InstallSnapshot';
  /** Leader's term. */
  term: number;
  /** The snapshot. */
  snap: Snapshot;
  /** Heartbeat round. */
  seq: number;
}

/** A client request (§8). */
export interface ClientRequest {
  /** Type. */
  type: 'ClientRequest';
  /** Request id (unique per client; retries reuse it). */
  reqId: number;
  /** get or put. */
  op: 'get' | 'put';
  /** Key. */
  key: string;
  /** Value (puts). */
  value: string;
  /** The client's lowest outstanding request id. */
  ack: number;
}

/** Answer to a client request. */
export interface ClientResponse {
  /** Type. */
  type: 'ClientResponse';
  /** Request id. */
  reqId: number;
  /** False: not the leader (retry, maybe at `leader`). */
  ok: boolean;
  /** The value read (gets). */
  value?: string | null;
  /** Leader hint when not ok ('' unknown). */
  leader: string;
}

/** Any Raft message. */
export type RaftMsg =
  | RequestVote
  | RequestVoteResp
  | AppendEntries
  | AppendResp
  | InstallSnapshot
  | ClientRequest
  | ClientResponse;
