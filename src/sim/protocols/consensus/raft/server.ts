import type { Ctx, Input } from '../../../protocol';
import { majority } from '../../../toolkit/quorum';
import {
  chainAt,
  entriesBetween,
  entryAt,
  type KeyValueStore,
  type LogEntry,
  lastLogIndex,
  lastLogTerm,
  newEntry,
  noSnapshot,
  type Session,
  type Snapshot,
  termAt,
  upToDate,
} from './log';
import type {
  AppendEntries,
  AppendResp,
  ClientRequest,
  InstallSnapshot,
  PendingRead,
  RaftMsg,
  RaftParams,
  RequestVote,
  RequestVoteResp,
  ServerState,
} from './types';

/**
 * A Raft server. Source: Diego Ongaro and John Ousterhout, "In Search of an Understandable
 * Consensus Algorithm (Extended Version)", 2014 ("§"), and Ongaro's PhD thesis, "Consensus:
 * Bridging Theory and Practice", 2014 ("thesis §"). The rules, as the paper's Figure 2
 * summarizes them:
 * - All servers: apply committed entries in log order (§5.3); a higher term in any message
 *   makes the server adopt it and become a follower (§5.1).
 * - Followers (§5.2): answer RequestVote and AppendEntries; become a candidate when the
 *   election timeout passes without hearing from a leader or granting a vote.
 * - Candidates (§5.2): a new term, a vote for itself, RequestVote to every other server; a
 *   majority of votes makes it leader; an AppendEntries from a leader of its term makes it a
 *   follower; another timeout, another election. Votes: one per term, first come first
 *   served (§5.2), only for a log at least as up-to-date (§5.4.1).
 * - Leaders: heartbeats (§5.2), a no-op at the start of the term (§8), client commands
 *   appended and replicated with AppendEntries (§5.3: consistency check, conflicting entries
 *   deleted, nextIndex backed off), commitIndex advanced by counting replicas of entries of
 *   the current term only (§5.3, §5.4.2).
 * - Log compaction (§7): a snapshot every `snapshotEvery` applied entries; InstallSnapshot to a
 *   follower that needs entries compacted away.
 * - Clients (§8): redirects to the leader, writes applied once per (client, request id),
 *   linearizable reads by read index (thesis §6.4).
 * - Options: pre-vote (thesis §9.6) and check-quorum (thesis §6.2, §4.2.3).
 *
 * The handler changes the server's state in place. It states facts for the checkers and the
 * nemesis with ctx.emit: `elected` (became leader of a term), `promised` (a vote that must
 * survive a crash), `first-commit` (a new leader's first commit), `appended` (entries written
 * to the log), `snapshot` (the log's prefix replaced by a snapshot) and `committed`.
 */

type RaftCtx = Ctx<RaftParams, RaftMsg>;

const MS = 1000;

/** A fresh server: Figure 2's "initialized to 0 on first boot", and no leader known. */
export function initServer(): ServerState {
  return {
    kind: 'server',
    currentTerm: 0,
    votedFor: '',
    log: [],
    snapshot: noSnapshot(),
    commitIndex: 0,
    lastApplied: 0,
    nextIndex: {},
    matchIndex: {},
    role: 'follower',
    leader: '',
    // 'Never heard from a leader': far in the past, but finite so the state stays JSON.
    leaderContactUs: -1e15,
    votes: [],
    kv: {},
    sessions: {},
    hbSeq: 0,
    acked: {},
    ackUs: {},
    leaderSinceUs: 0,
    termStart: 0,
    reads: [],
    ghost: { ledTerms: [], commit: { index: 0, chain: 0, term: 0 }, elections: 0 },
  };
}

/** The servers of the cluster (Figure 2's "servers"), this one included, sorted. */
function servers(ctx: RaftCtx): readonly string[] {
  return ctx.nodesWithRole('server');
}

/** Votes (or replicas) that make a majority of the servers (§5.2). */
function quorumOf(ctx: RaftCtx): number {
  return majority(servers(ctx).length);
}

/**
 * §5.2: election timeouts are chosen randomly from a fixed interval: uniformly between the
 * minimum and the maximum, to the microsecond (the kernel's time unit), so that 150–151 ms
 * has a thousand possible timeouts, not two.
 */
function resetElectionTimer(ctx: RaftCtx): void {
  const { electionTimeoutMsMin: lo, electionTimeoutMsMax: hi } = ctx.params;
  ctx.setTimer('election', ctx.rng.int(Math.min(lo, hi) * MS, Math.max(lo, hi) * MS));
}

/** Answers the reads that can no longer be served here (not leader any more): the client retries. */
function dropReads(ctx: RaftCtx, s: ServerState): void {
  for (const r of s.reads)
    ctx.send(r.client, { type: 'ClientResponse', reqId: r.reqId, ok: false, leader: '' });
  s.reads = [];
}

// ------------------------------------------------------------ terms and elections

/** §5.1: a server that sees a higher term adopts it and reverts to follower. */
function becomeFollower(ctx: RaftCtx, s: ServerState, term: number, leader: string): void {
  const wasLeader = s.role === 'leader';
  if (term > s.currentTerm) {
    s.currentTerm = term;
    s.votedFor = '';
  }
  if (s.role !== 'follower') {
    ctx.note(`${s.role === 'leader' ? 'steps down' : 'back to follower'} in term ${s.currentTerm}`);
    s.role = 'follower';
  }
  s.leader = leader;
  s.votes = [];
  if (wasLeader) {
    dropReads(ctx, s);
    ctx.cancelTimer('heartbeat');
    resetElectionTimer(ctx);
  }
}

/** §5.2 (Figure 2, Candidates): a new term, a vote for itself, RequestVote to every other server. */
function startElection(ctx: RaftCtx, s: ServerState): void {
  s.currentTerm += 1;
  s.role = 'candidate';
  s.votedFor = ctx.self;
  s.leader = '';
  s.votes = [ctx.self];
  s.ghost.elections += 1;
  ctx.emit({ type: 'promised', term: s.currentTerm, votedFor: ctx.self });
  ctx.note(`starts election for term ${s.currentTerm}`);
  resetElectionTimer(ctx);
  if (s.votes.length >= quorumOf(ctx)) {
    becomeLeader(ctx, s);
    return;
  }
  const msg: RequestVote = {
    type: 'RequestVote',
    term: s.currentTerm,
    lastLogIndex: lastLogIndex(s),
    lastLogTerm: lastLogTerm(s),
    pre: false,
  };
  ctx.sendAll('server', msg);
}

/** Thesis §9.6: before a real election, ask whether the others would vote, changing no term. */
function startPreVote(ctx: RaftCtx, s: ServerState): void {
  s.role = 'precandidate';
  s.leader = '';
  s.votes = [ctx.self];
  ctx.note(`starts pre-vote for term ${s.currentTerm + 1}`);
  resetElectionTimer(ctx);
  if (s.votes.length >= quorumOf(ctx)) {
    startElection(ctx, s);
    return;
  }
  const msg: RequestVote = {
    type: 'RequestVote',
    term: s.currentTerm + 1,
    lastLogIndex: lastLogIndex(s),
    lastLogTerm: lastLogTerm(s),
    pre: true,
  };
  ctx.sendAll('server', msg);
}

/** §5.2: a candidate with votes from a majority becomes leader. */
function becomeLeader(ctx: RaftCtx, s: ServerState): void {
  const now = ctx.now();
  s.role = 'leader';
  s.leader = ctx.self;
  s.votes = [];
  s.leaderSinceUs = now;
  s.ghost.ledTerms.push(s.currentTerm);
  ctx.emit({ type: 'elected', term: s.currentTerm });
  // Figure 2: nextIndex starts just after the leader's last entry, matchIndex at 0.
  s.nextIndex = {};
  s.matchIndex = {};
  s.acked = {};
  s.ackUs = {};
  for (const p of servers(ctx)) {
    if (p === ctx.self) continue;
    s.nextIndex[p] = lastLogIndex(s) + 1;
    s.matchIndex[p] = 0;
    s.acked[p] = 0;
    s.ackUs[p] = now;
  }
  s.reads = [];
  // §8: a leader appends a no-op at the start of its term, so it learns which entries are
  // committed (§5.4.2 forbids counting replicas of entries of earlier terms).
  appendToLog(ctx, s, [newEntry(s, s.currentTerm, { kind: 'noop' })]);
  s.termStart = lastLogIndex(s);
  ctx.note(`becomes leader for term ${s.currentTerm}`);
  ctx.cancelTimer('election');
  advanceCommitIndex(ctx, s); // a one-server cluster commits on its own
  broadcastAppendEntries(ctx, s);
  ctx.setTimer('heartbeat', ctx.params.heartbeatMs * MS);
}

// ------------------------------------------------------------ the log

/** Appends entries after the log's last one (a leader's own, or a follower's after §5.3's checks). */
function appendToLog(ctx: RaftCtx, s: ServerState, entries: readonly LogEntry[]): void {
  const from = lastLogIndex(s) + 1;
  for (const e of entries) s.log.push(e);
  ctx.emit({ type: 'appended', from, to: lastLogIndex(s) });
}

/** §5.3: deletes the entries after `index` (a conflicting entry and all that follow it). */
function truncateLogAfter(s: ServerState, index: number): void {
  s.log.length = index - s.snapshot.lastIncludedIndex;
}

/** §7: the snapshot replaces the log through its last included index. */
function compactLog(ctx: RaftCtx, s: ServerState, snapshot: Snapshot): void {
  const cut = snapshot.lastIncludedIndex - s.snapshot.lastIncludedIndex;
  // Figure 13, step 6: keep the entries after the snapshot if the log holds its last entry;
  // else (step 7) discard the whole log.
  if (termAt(s, snapshot.lastIncludedIndex) === snapshot.lastIncludedTerm) s.log.splice(0, cut);
  else s.log = [];
  s.snapshot = snapshot;
  ctx.emit({ type: 'snapshot', lastIncludedIndex: snapshot.lastIncludedIndex });
}

/** The state machine's store and sessions as they are now, as a value no later write changes. */
function copyStateMachine(
  kv: KeyValueStore,
  sessions: Record<string, Session>,
): { kv: KeyValueStore; sessions: Record<string, Session> } {
  const copied: Record<string, Session> = {};
  for (const client in sessions)
    copied[client] = { ack: sessions[client]!.ack, done: [...sessions[client]!.done] };
  return { kv: { ...kv }, sessions: copied };
}

/** §7: a server replaces the entries it applied by a snapshot of its state machine. */
function maybeSnapshot(ctx: RaftCtx, s: ServerState): void {
  const every = ctx.params.snapshotEvery;
  if (every <= 0 || s.lastApplied - s.snapshot.lastIncludedIndex < every) return;
  const index = s.lastApplied;
  // A copy: the snapshot never changes (it may travel in an InstallSnapshot); the store goes on.
  const { kv, sessions } = copyStateMachine(s.kv, s.sessions);
  compactLog(ctx, s, {
    lastIncludedIndex: index,
    lastIncludedTerm: termAt(s, index),
    chain: chainAt(s, index),
    kv,
    sessions,
  });
}

// ------------------------------------------------------------ commitment and the state machine

/**
 * Leaders (Figure 2): if there exists an N > commitIndex such that a majority of matchIndex[i]
 * >= N and log[N].term == currentTerm, set commitIndex = N (§5.3, §5.4).
 */
function advanceCommitIndex(ctx: RaftCtx, s: ServerState): void {
  for (let n = lastLogIndex(s); n > s.commitIndex; n--) {
    // §5.4.2: only entries of the leader's current term are committed by counting replicas;
    // earlier ones are committed indirectly. The bug switch drops this condition (Figure 8).
    if (!ctx.params.bugCommitPreviousTerm && termAt(s, n) !== s.currentTerm) break;
    let count = 1;
    for (const p of servers(ctx)) if (p !== ctx.self && s.matchIndex[p]! >= n) count++;
    if (count >= quorumOf(ctx)) {
      setCommitIndex(ctx, s, n);
      return;
    }
  }
}

/** commitIndex advances (a leader's count, §5.3, or a follower's leaderCommit); the state machine follows. */
function setCommitIndex(ctx: RaftCtx, s: ServerState, index: number): void {
  if (index <= s.commitIndex) return;
  // A new leader's first commits: §5.4.2 says they come with its own no-op (the nemesis may
  // crash the leader right here, before anyone hears of them).
  if (s.role === 'leader' && s.commitIndex < s.termStart) ctx.emit({ type: 'first-commit', index });
  s.commitIndex = index;
  ctx.emit({ type: 'committed', index, term: s.currentTerm });
  const highest = s.ghost.commit;
  if (index > highest.index) {
    highest.index = index;
    highest.chain = chainAt(s, index);
    highest.term = s.currentTerm;
  }
  applyCommitted(ctx, s);
}

/** §8: true when the client's write `reqId` was already applied. */
function alreadyApplied(sessions: Record<string, Session>, client: string, reqId: number): boolean {
  const session = sessions[client];
  return session !== undefined && (reqId < session.ack || session.done.includes(reqId));
}

/** §8: records that the client's write `reqId` was applied; ids below `ack` are forgotten. */
function recordApplied(sessions: Record<string, Session>, client: string, reqId: number, ack: number): void {
  const session = sessions[client] ?? { ack: 0, done: [] };
  session.ack = Math.max(session.ack, ack);
  const done = session.done.filter((r) => r >= session.ack);
  // Insert reqId where it keeps the list ascending (it is nearly always the largest).
  let k = done.length;
  done.push(reqId);
  for (; k > 0 && done[k - 1]! > reqId; k--) done[k] = done[k - 1]!;
  done[k] = reqId;
  session.done = done;
  sessions[client] = session;
}

/**
 * All servers (Figure 2): if commitIndex > lastApplied, increment lastApplied and apply
 * log[lastApplied] to the state machine. A write is applied once per client request (§8).
 */
function applyCommitted(ctx: RaftCtx, s: ServerState): void {
  if (s.lastApplied >= s.commitIndex) return;
  const leader = s.role === 'leader';
  while (s.lastApplied < s.commitIndex) {
    const e = entryAt(s, s.lastApplied + 1);
    if (e === undefined) break; // only after a safety bug truncated committed entries
    s.lastApplied += 1;
    const command = e.command;
    if (command.kind !== 'put') continue;
    if (!alreadyApplied(s.sessions, command.client, command.reqId)) {
      s.kv[command.key] = command.value;
      recordApplied(s.sessions, command.client, command.reqId, command.ack);
    }
    // The leader answers; a retried duplicate is answered too (the client may be waiting on it).
    if (leader)
      ctx.send(command.client, { type: 'ClientResponse', reqId: command.reqId, ok: true, leader: ctx.self });
  }
  maybeSnapshot(ctx, s);
  if (leader) serveReads(ctx, s);
}

/** Read index (§8, thesis §6.4): serve a read once leadership is confirmed and the state machine caught up. */
function serveReads(ctx: RaftCtx, s: ServerState): void {
  if (s.reads.length === 0) return;
  const waiting: PendingRead[] = [];
  for (const r of s.reads) {
    let acks = 1;
    for (const p of servers(ctx)) if (p !== ctx.self && s.acked[p]! >= r.seq) acks++;
    if (acks < quorumOf(ctx) || s.lastApplied < r.readIndex) {
      waiting.push(r);
      continue;
    }
    const value = s.kv[r.key] ?? null;
    ctx.send(r.client, { type: 'ClientResponse', reqId: r.reqId, ok: true, value, leader: ctx.self });
  }
  s.reads = waiting;
}

// ------------------------------------------------------------ replication

/** What a heartbeat carries (one list for all: no one changes a message). */
const NO_ENTRIES: readonly LogEntry[] = Object.freeze([]);

/** Leaders (§5.3): sends a follower the entries from its nextIndex on (or the snapshot, §7). */
function sendAppendEntries(ctx: RaftCtx, s: ServerState, to: string): void {
  const next = s.nextIndex[to]!;
  if (next <= s.snapshot.lastIncludedIndex) {
    // §7: the entries the follower needs were compacted away: send the snapshot.
    const msg: InstallSnapshot = {
      type: 'InstallSnapshot',
      term: s.currentTerm,
      snapshot: s.snapshot,
      seq: s.hbSeq,
    };
    ctx.send(to, msg);
    s.nextIndex[to] = s.snapshot.lastIncludedIndex + 1;
    return;
  }
  const prevLogIndex = next - 1;
  const last = Math.min(lastLogIndex(s), prevLogIndex + ctx.params.maxEntriesPerAppend);
  const msg: AppendEntries = {
    type: 'AppendEntries',
    term: s.currentTerm,
    prevLogIndex,
    prevLogTerm: termAt(s, prevLogIndex),
    entries: last > prevLogIndex ? entriesBetween(s, next, last) : NO_ENTRIES,
    leaderCommit: s.commitIndex,
    seq: s.hbSeq,
  };
  ctx.send(to, msg);
  // Pipelining (as etcd's replicate state): assume the entries arrive. A gap shows up as a
  // failed consistency check on a later message or heartbeat, which backs nextIndex off.
  if (last > prevLogIndex) s.nextIndex[to] = last + 1;
}

/** A new heartbeat round (§5.2) to every follower, carrying whatever entries each one lacks. */
function broadcastAppendEntries(ctx: RaftCtx, s: ServerState): void {
  s.hbSeq += 1;
  for (const p of servers(ctx)) if (p !== ctx.self) sendAppendEntries(ctx, s, p);
}

// ------------------------------------------------------------ handlers

/** RequestVote (Figure 2, RequestVote RPC receiver implementation), and pre-votes. */
function onRequestVote(ctx: RaftCtx, s: ServerState, from: string, m: RequestVote): void {
  const now = ctx.now();
  // Whether this server heard from a live leader within the minimum election timeout (thesis §4.2.3, §9.6).
  const leaderAlive =
    s.role === 'leader' ||
    (s.role === 'follower' &&
      s.leader !== '' &&
      now - s.leaderContactUs < ctx.params.electionTimeoutMsMin * MS);
  // §5.4.1: vote only for a candidate whose log is at least as up-to-date as this one.
  const logOk = ctx.params.bugNoElectionRestriction || upToDate(s, m.lastLogTerm, m.lastLogIndex);
  if (m.pre) {
    // Thesis §9.6: a pre-vote changes nothing here: granted iff a real vote could be in term m.term.
    const granted = m.term > s.currentTerm && logOk && !leaderAlive;
    const resp: RequestVoteResp = {
      type: 'RequestVoteResp',
      term: granted ? m.term : s.currentTerm,
      voteGranted: granted,
      pre: true,
    };
    ctx.send(from, resp);
    return;
  }
  // Thesis §4.2.3: with check-quorum, a server that has a live leader ignores a disruptive candidate.
  if (ctx.params.checkQuorum && leaderAlive && m.term > s.currentTerm) return;
  const before = { term: s.currentTerm, votedFor: s.votedFor };
  if (m.term > s.currentTerm) becomeFollower(ctx, s, m.term, '');
  // §5.2: one vote per term, first come first served (Figure 2: "if votedFor is null or
  // candidateId, and candidate's log is at least as up-to-date as receiver's log, grant vote").
  const granted = m.term === s.currentTerm && (s.votedFor === '' || s.votedFor === from) && logOk;
  if (granted) {
    s.votedFor = from;
    // A vote not on record before this step: written to disk before the answer leaves.
    if (s.votedFor !== before.votedFor || s.currentTerm !== before.term)
      ctx.emit({ type: 'promised', term: s.currentTerm, votedFor: from });
    resetElectionTimer(ctx); // Figure 2, Followers: granting a vote resets the election timer
  }
  ctx.send(from, { type: 'RequestVoteResp', term: s.currentTerm, voteGranted: granted, pre: false });
}

/** Candidates (§5.2): count the votes; a majority makes a leader (or, after a pre-vote, a candidate). */
function onRequestVoteResp(ctx: RaftCtx, s: ServerState, from: string, m: RequestVoteResp): void {
  if (m.term > s.currentTerm && !(m.pre && m.voteGranted)) {
    becomeFollower(ctx, s, m.term, '');
    return;
  }
  if (!m.voteGranted || s.votes.includes(from)) return;
  if (m.pre) {
    if (s.role !== 'precandidate' || m.term !== s.currentTerm + 1) return;
    s.votes.push(from);
    if (s.votes.length >= quorumOf(ctx)) startElection(ctx, s);
    return;
  }
  if (s.role !== 'candidate' || m.term !== s.currentTerm) return;
  s.votes.push(from);
  if (s.votes.length >= quorumOf(ctx)) becomeLeader(ctx, s);
}

/**
 * What AppendEntries and InstallSnapshot share: reject a stale term (§5.1), else follow the
 * sender as leader of its term (§5.2). False when the request was rejected.
 */
function acceptLeader(ctx: RaftCtx, s: ServerState, from: string, term: number): boolean {
  if (term < s.currentTerm) {
    // §5.1: reply false if term < currentTerm; the answer tells the old leader the new term.
    // seq -1: this answer confirms no heartbeat round (it may answer a request of an old term).
    ctx.send(from, { type: 'AppendResp', term: s.currentTerm, success: false, match: 0, seq: -1 });
    return false;
  }
  if (term > s.currentTerm || s.role !== 'follower') becomeFollower(ctx, s, term, from);
  s.leader = from;
  s.leaderContactUs = ctx.now();
  resetElectionTimer(ctx);
  return true;
}

/** The answer to an AppendEntries (or InstallSnapshot), with this server's term. */
function answerAppend(
  ctx: RaftCtx,
  s: ServerState,
  to: string,
  success: boolean,
  match: number,
  seq: number,
): void {
  const resp: AppendResp = { type: 'AppendResp', term: s.currentTerm, success, match, seq };
  ctx.send(to, resp);
}

/** AppendEntries (Figure 2, AppendEntries RPC receiver implementation). */
function onAppendEntries(ctx: RaftCtx, s: ServerState, from: string, m: AppendEntries): void {
  if (!acceptLeader(ctx, s, from, m.term)) return;
  let prevLogIndex = m.prevLogIndex;
  let entries = m.entries;
  const snapshotIndex = s.snapshot.lastIncludedIndex;
  if (prevLogIndex < snapshotIndex) {
    // The prefix up to the snapshot is committed, so it matches: skip the entries it covers.
    const skip = snapshotIndex - prevLogIndex;
    if (skip >= entries.length) {
      answerAppend(ctx, s, from, true, snapshotIndex, m.seq);
      return;
    }
    entries = entries.slice(skip);
    prevLogIndex = snapshotIndex;
  } else if (prevLogIndex > lastLogIndex(s)) {
    // §5.3: reply false if log doesn't contain an entry at prevLogIndex (hint: our last index).
    answerAppend(ctx, s, from, false, lastLogIndex(s), m.seq);
    return;
  } else if (termAt(s, prevLogIndex) !== m.prevLogTerm) {
    // §5.3: ... or its term does not match prevLogTerm (hint: the index before it).
    answerAppend(ctx, s, from, false, prevLogIndex - 1, m.seq);
    return;
  }
  // §5.3: if an existing entry conflicts with a new one (same index but different terms),
  // delete the existing entry and all that follow it; append any new entries not already in
  // the log. A stale (reordered) message whose entries all match truncates nothing.
  let k = 0;
  while (k < entries.length && termAt(s, prevLogIndex + 1 + k) === entries[k]!.term) k++;
  if (k < entries.length) {
    truncateLogAfter(s, prevLogIndex + k);
    appendToLog(ctx, s, k === 0 ? entries : entries.slice(k));
  }
  const lastNew = prevLogIndex + entries.length;
  // Figure 2: if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
  if (m.leaderCommit > s.commitIndex) setCommitIndex(ctx, s, Math.min(m.leaderCommit, lastNew));
  answerAppend(ctx, s, from, true, lastNew, m.seq);
}

/** InstallSnapshot (§7, Figure 13 receiver implementation; the snapshot comes whole). */
function onInstallSnapshot(ctx: RaftCtx, s: ServerState, from: string, m: InstallSnapshot): void {
  if (!acceptLeader(ctx, s, from, m.term)) return;
  const snapshot = m.snapshot;
  const index = snapshot.lastIncludedIndex;
  if (index > s.commitIndex) {
    compactLog(ctx, s, snapshot);
    // Figure 13, step 8: reset the state machine using the snapshot contents.
    const { kv, sessions } = copyStateMachine(snapshot.kv, snapshot.sessions);
    s.kv = kv;
    s.sessions = sessions;
    s.commitIndex = index;
    s.lastApplied = index;
    ctx.emit({ type: 'committed', index, term: s.currentTerm });
    const highest = s.ghost.commit;
    if (index > highest.index) {
      highest.index = index;
      highest.chain = snapshot.chain;
      highest.term = s.currentTerm;
    }
  }
  answerAppend(ctx, s, from, true, index, m.seq);
}

/** Leaders (§5.3): a follower's answer updates nextIndex and matchIndex, and may commit. */
function onAppendResp(ctx: RaftCtx, s: ServerState, from: string, m: AppendResp): void {
  if (m.term > s.currentTerm) {
    becomeFollower(ctx, s, m.term, '');
    return;
  }
  if (s.role !== 'leader' || m.term !== s.currentTerm || s.nextIndex[from] === undefined) return;
  // Any answer in our term confirms we were still leader when it was sent (read index).
  if (m.seq > s.acked[from]!) s.acked[from] = m.seq;
  s.ackUs[from] = ctx.now();
  if (m.success) {
    // Figure 2: if successful, update nextIndex and matchIndex for the follower.
    if (m.match > s.matchIndex[from]!) s.matchIndex[from] = m.match;
    if (m.match + 1 > s.nextIndex[from]!) s.nextIndex[from] = m.match + 1;
    advanceCommitIndex(ctx, s);
    if (s.role === 'leader' && s.nextIndex[from]! <= lastLogIndex(s)) sendAppendEntries(ctx, s, from);
  } else {
    // Figure 2: if AppendEntries fails because of log inconsistency, decrement nextIndex and
    // retry; the follower's hint (its last index, or the index before the mismatch) skips
    // straight to where the logs may agree.
    s.nextIndex[from] = Math.max(s.matchIndex[from]! + 1, Math.min(s.nextIndex[from]! - 1, m.match + 1));
    sendAppendEntries(ctx, s, from);
  }
  serveReads(ctx, s);
}

/** §8: a client request. Writes go through the log; reads wait for the read index. */
function onClientRequest(ctx: RaftCtx, s: ServerState, from: string, m: ClientRequest): void {
  if (s.role !== 'leader') {
    // §8: a server that is not the leader rejects the request and says who the leader is, if it knows.
    ctx.send(from, { type: 'ClientResponse', reqId: m.reqId, ok: false, leader: s.leader });
    return;
  }
  if (m.op === 'get') {
    // Read index: everything committed when the read arrived is at or below max(commitIndex,
    // the no-op of this term); a new heartbeat round confirms this server is still leader.
    s.reads.push({
      client: from,
      reqId: m.reqId,
      key: m.key,
      readIndex: Math.max(s.commitIndex, s.termStart),
      seq: s.hbSeq + 1,
    });
    broadcastAppendEntries(ctx, s);
    serveReads(ctx, s);
    return;
  }
  if (alreadyApplied(s.sessions, from, m.reqId)) {
    // §8: a retry of a write already applied is answered, not appended again.
    ctx.send(from, { type: 'ClientResponse', reqId: m.reqId, ok: true, leader: ctx.self });
    return;
  }
  // Leaders (Figure 2): if command received from client, append entry to local log.
  const command = {
    kind: 'put',
    client: from,
    reqId: m.reqId,
    key: m.key,
    value: m.value,
    ack: m.ack,
  } as const;
  appendToLog(ctx, s, [newEntry(s, s.currentTerm, command)]);
  advanceCommitIndex(ctx, s);
  if (s.role === 'leader') broadcastAppendEntries(ctx, s);
}

/** Leaders: a heartbeat round (§5.2), after the check-quorum test (thesis §6.2). */
function onHeartbeat(ctx: RaftCtx, s: ServerState): void {
  if (s.role !== 'leader') return;
  if (ctx.params.checkQuorum) {
    // Thesis §6.2: step down after an election timeout without hearing from a majority.
    const now = ctx.now();
    const windowUs = ctx.params.electionTimeoutMsMax * MS;
    if (now - s.leaderSinceUs >= windowUs) {
      let heard = 1;
      for (const p of servers(ctx)) if (p !== ctx.self && now - s.ackUs[p]! < windowUs) heard++;
      if (heard < quorumOf(ctx)) {
        ctx.note(`loses quorum in term ${s.currentTerm}`);
        becomeFollower(ctx, s, s.currentTerm, '');
        return;
      }
    }
  }
  broadcastAppendEntries(ctx, s);
  ctx.setTimer('heartbeat', ctx.params.heartbeatMs * MS);
}

/** Followers and candidates (§5.2): no leader heard from in an election timeout: an election. */
function onElectionTimeout(ctx: RaftCtx, s: ServerState): void {
  if (s.role === 'leader') return;
  if (ctx.params.preVote) startPreVote(ctx, s);
  else startElection(ctx, s);
}

/** One input to a server. */
export function onServer(ctx: RaftCtx, s: ServerState, input: Input<RaftMsg>): void {
  switch (input.kind) {
    case 'start':
      resetElectionTimer(ctx);
      return;
    case 'restart': {
      // The bug switch: votedFor was never written to stable storage, so it is gone.
      if (ctx.params.bugForgetVoteOnRestart) s.votedFor = '';
      // §5.5, Figure 2: the persistent state is back; the state machine is rebuilt from the
      // snapshot (§7) and the committed entries after it, once a leader says which they are.
      const { kv, sessions } = copyStateMachine(s.snapshot.kv, s.snapshot.sessions);
      s.kv = kv;
      s.sessions = sessions;
      s.commitIndex = s.snapshot.lastIncludedIndex;
      s.lastApplied = s.snapshot.lastIncludedIndex;
      resetElectionTimer(ctx);
      return;
    }
    case 'timer':
      if (input.name === 'election') onElectionTimeout(ctx, s);
      else if (input.name === 'heartbeat') onHeartbeat(ctx, s);
      return;
    case 'client':
      // Workload operations go to client nodes; a server that gets one cannot answer it.
      ctx.reply(input.op, { ok: false });
      return;
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'RequestVote':
          onRequestVote(ctx, s, input.from, m);
          return;
        case 'RequestVoteResp':
          onRequestVoteResp(ctx, s, input.from, m);
          return;
        case 'AppendEntries':
          onAppendEntries(ctx, s, input.from, m);
          return;
        case 'InstallSnapshot':
          onInstallSnapshot(ctx, s, input.from, m);
          return;
        case 'AppendResp':
          onAppendResp(ctx, s, input.from, m);
          return;
        case 'ClientRequest':
          onClientRequest(ctx, s, input.from, m);
          return;
        case 'ClientResponse':
          return;
      }
    }
  }
}
