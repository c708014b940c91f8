import { z } from 'zod';
import type { KvClientState } from '../../../toolkit/kv-client';
import type { KeyValueStore, LogEntry, Session, Snapshot } from './log';

/*
 * Raft's params, states and messages (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm (Extended Version)", 2014). The state and message fields use the names
 * of the paper's Figure 2 (server state, RequestVote and AppendEntries arguments and results)
 * and Figure 13 (InstallSnapshot); what the paper leaves out (roles in detail, client
 * sessions, read index, pre-vote, check-quorum) is named here and explained where it is used.
 */

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

/** A server's role (§5.1; precandidate: in the pre-vote phase, thesis §9.6). */
export type ServerRole = 'follower' | 'precandidate' | 'candidate' | 'leader';

/**
 * Checker-only ("ghost") state: the protocol writes it and never reads it, so the Figure 3
 * checks (invariants.ts) can see the past. Durable, so a crash does not hide it from them.
 */
export interface Ghost {
  /** Terms in which this server became leader, ascending. */
  ledTerms: number[];
  /** The highest index this server ever knew committed, its chain hash, and its term at the time. */
  commit: { index: number; chain: number; term: number };
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

/**
 * A Raft server's state: Figure 2's state (persistent: currentTerm, votedFor, log[]; volatile:
 * commitIndex, lastApplied; on leaders: nextIndex[], matchIndex[]), the snapshot (§7), the
 * state machine with its client sessions (§8), and what the options and reads need.
 */
export interface ServerState {
  /** Discriminator. */
  kind: 'server';
  /** Figure 2: latest term server has seen (persistent). */
  currentTerm: number;
  /** Figure 2: candidate that received this server's vote in the current term, '' for none (persistent). */
  votedFor: string;
  /** Figure 2: the log entries after the snapshot (persistent; see log.ts for indexes). */
  log: LogEntry[];
  /** §7: the snapshot that replaced the log's prefix (persistent). */
  snapshot: Snapshot;
  /** Figure 2: index of highest log entry known to be committed (volatile). */
  commitIndex: number;
  /** Figure 2: index of highest log entry applied to the state machine (volatile). */
  lastApplied: number;
  /** Leaders, Figure 2: for each other server, index of the next log entry to send to it. */
  nextIndex: Record<string, number>;
  /** Leaders, Figure 2: for each other server, index of highest log entry known to be replicated on it. */
  matchIndex: Record<string, number>;
  /** §5.1: follower, candidate or leader (or precandidate with pre-vote). */
  role: ServerRole;
  /** The leader this server believes in, '' for none (a redirect hint for clients, §8). */
  leader: string;
  /** Local time of the last AppendEntries from the current leader, microseconds (pre-vote, check-quorum). */
  leaderContactUs: number;
  /** Candidates: servers that granted their vote (or pre-vote) in this election, this one included. */
  votes: string[];
  /** The state machine: a key-value store (volatile: rebuilt from the snapshot and the log). */
  kv: KeyValueStore;
  /** §8: per client, the requests applied (volatile, part of the state machine). */
  sessions: Record<string, Session>;
  /** Leaders: heartbeat round counter (read index, thesis §6.4). */
  hbSeq: number;
  /** Leaders: highest heartbeat round each other server answered in this term. */
  acked: Record<string, number>;
  /** Leaders: local time of the last answer from each other server (check-quorum). */
  ackUs: Record<string, number>;
  /** Leaders: local time it became leader. */
  leaderSinceUs: number;
  /** Leaders: index of the no-op that started its term (§8). */
  termStart: number;
  /** Leaders: reads waiting for their read index. */
  reads: PendingRead[];
  /** Checker-only state (persistent). */
  ghost: Ghost;
}

/**
 * A Raft client's state (§8): the toolkit's key-value client (src/sim/toolkit/kv-client.ts):
 * the server believed to be leader (`leader`, '' unknown), the outstanding requests in
 * request-id order (`pending`), and the next request id (`nextReq`, persistent, so a restarted
 * client never reuses an id).
 */
export interface ClientState extends KvClientState {
  /** Discriminator. */
  kind: 'client';
}

/** Any node's state. */
export type RaftState = ServerState | ClientState;

/** RequestVote (§5.2, Figure 2), or PreVote (thesis §9.6) when `pre`. The candidate is the sender. */
export interface RequestVote {
  /** Type. */
  type: 'RequestVote';
  /** Candidate's term (for a pre-vote: the term it would use). */
  term: number;
  /** Index of candidate's last log entry (§5.4.1). */
  lastLogIndex: number;
  /** Term of candidate's last log entry (§5.4.1). */
  lastLogTerm: number;
  /** True for a pre-vote. */
  pre: boolean;
}

/** The answer to RequestVote. */
export interface RequestVoteResp {
  /** Type. */
  type: 'RequestVoteResp';
  /** currentTerm, for candidate to update itself (for a granted pre-vote: the requested term). */
  term: number;
  /** True means candidate received vote. */
  voteGranted: boolean;
  /** The answer to a pre-vote. */
  pre: boolean;
}

/** AppendEntries (§5.3, Figure 2); also the heartbeat (§5.2). The leader is the sender. */
export interface AppendEntries {
  /** Type. */
  type: 'AppendEntries';
  /** Leader's term. */
  term: number;
  /** Index of log entry immediately preceding new ones. */
  prevLogIndex: number;
  /** Term of prevLogIndex entry. */
  prevLogTerm: number;
  /** Log entries to store (empty for heartbeat). */
  entries: readonly LogEntry[];
  /** Leader's commitIndex. */
  leaderCommit: number;
  /** Heartbeat round (echoed; confirms leadership for read-index reads). */
  seq: number;
}

/** The answer to AppendEntries or InstallSnapshot. */
export interface AppendResp {
  /** Type. */
  type: 'AppendResp';
  /** currentTerm, for leader to update itself. */
  term: number;
  /** True if follower contained entry matching prevLogIndex and prevLogTerm. */
  success: boolean;
  /** On success the last index now known to match; on failure the follower's hint (its last index, or the index before the mismatch). */
  match: number;
  /** Echoed round. */
  seq: number;
}

/** InstallSnapshot (§7, Figure 13), the snapshot sent whole (no chunks). */
export interface InstallSnapshot {
  /** Type. */
  type: 'InstallSnapshot';
  /** Leader's term. */
  term: number;
  /** The snapshot (lastIncludedIndex, lastIncludedTerm and the state machine). */
  snapshot: Snapshot;
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

/** The answer to a client request. */
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
