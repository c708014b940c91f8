import type { Effects, Input, Outbound, StepEnv, TimerCmd } from '../../../protocol';
import { type Kv, kvGet, kvPutOwned, kvShare } from './kv';
import {
  EMPTY_LOG,
  EMPTY_SNAPSHOT,
  type Entry,
  entriesBetween,
  entryAt,
  hashAt,
  lastIndex,
  lastTerm,
  logAppend,
  logCompact,
  logTruncate,
  newEntry,
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
  RaftMsg,
  RaftParams,
  RequestVote,
  RequestVoteResp,
  ServerState,
} from './types';

/**
 * A Raft server as a pure step function. Section numbers refer to Ongaro & Ousterhout, "In
 * Search of an Understandable Consensus Algorithm (Extended Version)", 2014; "thesis" to
 * Ongaro's PhD thesis, "Consensus: Bridging Theory and Practice", 2014.
 *
 * Each step works on a draft (`c.s`) and returns it. When the kernel says it holds the only
 * reference to the input state (env.owned), the draft is the input itself; otherwise it is a
 * copy (ownServer). The draft's own fields and a leader's per-peer records (next, match,
 * acked, ackUs) and pending reads are changed in place; so are the key-value store and the
 * client sessions until something else may hold them (kvShare, shareStateMachine: a snapshot
 * of the log, a copied state). The log, the snapshot, the ghost and the votes are replaced,
 * never mutated: the checkers compare them by identity (stepInputOf) and snapshots share them.
 */

/** The server's initial (and post-crash volatile) state. */
export function initServer(forgetVote: boolean): ServerState {
  return {
    kind: 'server',
    term: 0,
    votedFor: '',
    log: EMPTY_LOG,
    snap: EMPTY_SNAPSHOT,
    ghost: { ledTerms: [], commit: { index: 0, h: 0, term: 0 }, elections: 0 },
    forgetVote,
    role: 'follower',
    leader: '',
    // 'Never heard from a leader': far in the past, but finite so the state stays JSON.
    leaderContactUs: -1e15,
    commitIndex: 0,
    lastApplied: 0,
    kv: {},
    sessions: {},
    votes: [],
    next: {},
    match: {},
    hbSeq: 0,
    acked: {},
    ackUs: {},
    leaderSinceUs: 0,
    termStart: 0,
    reads: [],
  };
}

/**
 * A copy of a server state that this step may change in place: a field-by-field copy (same
 * fields and order as initServer; an explicit copy keeps one object shape and is several times
 * cheaper than a spread), with a leader's per-peer records copied too (only a leader changes
 * them; becomeLeader makes new ones).
 */
function ownServer(s: ServerState): ServerState {
  const o = copyServer(s);
  if (o.role === 'leader') {
    o.next = { ...o.next };
    o.match = { ...o.match };
    o.acked = { ...o.acked };
    o.ackUs = { ...o.ackUs };
    o.reads = o.reads.slice();
  }
  return o;
}

function copyServer(s: ServerState): ServerState {
  return {
    kind: 'server',
    term: s.term,
    votedFor: s.votedFor,
    log: s.log,
    snap: s.snap,
    ghost: s.ghost,
    forgetVote: s.forgetVote,
    role: s.role,
    leader: s.leader,
    leaderContactUs: s.leaderContactUs,
    commitIndex: s.commitIndex,
    lastApplied: s.lastApplied,
    kv: s.kv,
    sessions: s.sessions,
    votes: s.votes,
    next: s.next,
    match: s.match,
    hbSeq: s.hbSeq,
    acked: s.acked,
    ackUs: s.ackUs,
    leaderSinceUs: s.leaderSinceUs,
    termStart: s.termStart,
    reads: s.reads,
  };
}

/** What the checkers compare of a step's input state (see stepInputOf). */
export interface StepInput {
  /** The input state's log. */
  log: ServerState['log'];
  /** The input state's snapshot. */
  snap: ServerState['snap'];
  /** The input state's ghost (checker-only) record. */
  ghost: ServerState['ghost'];
}

/**
 * The log, snapshot and ghost of the last stepServer call's input, and its output state. The
 * invariants read them (through stepInputOf) to skip comparisons that cannot have changed: the
 * kernel checks invariants right after each step, and a step that left a server's log, snapshot
 * and ghost alone cannot have broken a property that held over the same values before the
 * step. Kept as the three objects, not the input state, which a step may change in place.
 */
const lastIn: StepInput = { log: EMPTY_LOG, snap: EMPTY_SNAPSHOT, ghost: initServer(false).ghost };
let lastOut: ServerState | null = null;

/**
 * The last index through which the last step's output log holds the same entries as its input
 * log (Infinity when the step did not append or truncate). Set by every log append in a step.
 */
let lastKept = Number.POSITIVE_INFINITY;

/**
 * The log, snapshot and ghost of the state a server stepped from to produce `s`, when `s` is the
 * last step's result; else null. The object is reused by the next step.
 */
export function stepInputOf(s: ServerState): StepInput | null {
  return s === lastOut ? lastIn : null;
}

/**
 * For the last step's result: the last index whose entry (and every one before it) the step
 * left as it was in its input (Infinity when it changed no entry). Only meaningful when
 * stepInputOf(s) is not null and the snapshot is the same object.
 */
export function stepKeptThrough(): number {
  return lastKept;
}

/** Sets the leader's nextIndex for a follower (in place: the draft's records are its own). */
function setNext(c: Ctx, to: string, value: number): void {
  c.s.next[to] = value;
}

/** Step context: the draft state and the effects collected so far. */
interface Ctx {
  s: ServerState;
  env: StepEnv<RaftParams>;
  p: RaftParams;
  send: Sends;
  timers: Buf<TimerCmd>;
  notes: Buf<string>;
  /** Every server, sorted. */
  servers: readonly string[];
  /** The other servers. */
  peers: readonly string[];
  /** Votes needed. */
  majority: number;
}

const MS = 1000;

/** Records that this step's log keeps its entries through `index` (before appending after it). */
function keep(index: number): void {
  if (index < lastKept) lastKept = index;
}

/** Timer commands without a varying field, shared by every step (the kernel never changes one). */
const CANCEL_HEARTBEAT: TimerCmd = { kind: 'cancel', name: 'heartbeat' };
const CANCEL_ELECTION: TimerCmd = { kind: 'cancel', name: 'election' };
/** The last heartbeat timer command and its interval (params rarely change). */
let heartbeatCmd: TimerCmd = { kind: 'set', name: 'heartbeat', afterUs: -1 };

function heartbeatTimer(c: Ctx): void {
  const afterUs = c.p.heartbeatMs * MS;
  if (heartbeatCmd.kind !== 'set' || heartbeatCmd.afterUs !== afterUs)
    heartbeatCmd = { kind: 'set', name: 'heartbeat', afterUs };
  c.timers.push(heartbeatCmd);
}

/**
 * Election timer commands by timeout in ms, made on first use (a follower resets its election
 * timer at every AppendEntries; the kernel never changes a command, so they are shared).
 */
const electionCmds: TimerCmd[] = [];

function electionTimer(c: Ctx): void {
  const { electionTimeoutMsMin: lo, electionTimeoutMsMax: hi } = c.p;
  const ms = c.env.rng.int(Math.min(lo, hi), Math.max(lo, hi));
  let cmd = electionCmds[ms];
  if (cmd === undefined) {
    cmd = { kind: 'set', name: 'election', afterUs: ms * MS };
    electionCmds[ms] = cmd;
  }
  c.timers.push(cmd);
}

/** Answers reads that can no longer be served here (not leader any more): the client retries. */
function dropReads(c: Ctx): void {
  for (const r of c.s.reads)
    c.send.add(r.client, { type: 'ClientResponse', reqId: r.reqId, ok: false, leader: '' });
  c.s.reads = [];
}

/** Becomes a follower in `term` (§5.1: a server that sees a higher term reverts to follower). */
function becomeFollower(c: Ctx, term: number, leader: string): void {
  const s = c.s;
  const wasLeader = s.role === 'leader';
  if (term > s.term) {
    s.term = term;
    s.votedFor = '';
  }
  if (s.role !== 'follower') {
    c.notes.push(`${s.role === 'leader' ? 'steps down' : 'back to follower'} in term ${s.term}`);
    s.role = 'follower';
  }
  s.leader = leader;
  s.votes = [];
  if (wasLeader) {
    dropReads(c);
    c.timers.push(CANCEL_HEARTBEAT);
    electionTimer(c);
  }
}

function startElection(c: Ctx): void {
  const s = c.s;
  s.term += 1;
  s.role = 'candidate';
  s.votedFor = c.env.self;
  s.leader = '';
  s.votes = [c.env.self];
  s.ghost = { ledTerms: s.ghost.ledTerms, commit: s.ghost.commit, elections: s.ghost.elections + 1 };
  c.notes.push(`starts election for term ${s.term}`);
  electionTimer(c);
  if (s.votes.length >= c.majority) {
    becomeLeader(c);
    return;
  }
  const msg: RequestVote = {
    type: 'RequestVote',
    term: s.term,
    lastLogIndex: lastIndex(s),
    lastLogTerm: lastTerm(s),
    pre: false,
  };
  for (const p of c.peers) c.send.add(p, msg);
}

function startPreVote(c: Ctx): void {
  const s = c.s;
  s.role = 'precandidate';
  s.leader = '';
  s.votes = [c.env.self];
  c.notes.push(`starts pre-vote for term ${s.term + 1}`);
  electionTimer(c);
  if (s.votes.length >= c.majority) {
    startElection(c);
    return;
  }
  const msg: RequestVote = {
    type: 'RequestVote',
    term: s.term + 1,
    lastLogIndex: lastIndex(s),
    lastLogTerm: lastTerm(s),
    pre: true,
  };
  for (const p of c.peers) c.send.add(p, msg);
}

function becomeLeader(c: Ctx): void {
  const s = c.s;
  s.role = 'leader';
  s.leader = c.env.self;
  s.votes = [];
  s.leaderSinceUs = c.env.localTimeUs;
  s.ghost = { ledTerms: [...s.ghost.ledTerms, s.term], commit: s.ghost.commit, elections: s.ghost.elections };
  // §5.3: nextIndex starts just after the leader's last entry, matchIndex at 0.
  const next: Record<string, number> = {};
  const match: Record<string, number> = {};
  const acked: Record<string, number> = {};
  const ackUs: Record<string, number> = {};
  const li = lastIndex(s);
  for (const p of c.peers) {
    next[p] = li + 1;
    match[p] = 0;
    acked[p] = 0;
    ackUs[p] = c.env.localTimeUs;
  }
  s.next = next;
  s.match = match;
  s.acked = acked;
  s.ackUs = ackUs;
  s.reads = [];
  // §8: a leader appends a no-op at the start of its term, so it learns which entries are
  // committed (§5.4.2 forbids counting replicas of older-term entries).
  keep(lastIndex(s));
  s.log = logAppend(s.log, [newEntry(s, s.term, { kind: 'noop' })]);
  s.termStart = lastIndex(s);
  c.notes.push(`becomes leader for term ${s.term}`);
  c.timers.push(CANCEL_ELECTION);
  advanceCommit(c); // a one-server cluster commits on its own
  broadcastAppend(c);
  heartbeatTimer(c);
}

/** The entries of every heartbeat without entries (one shared array; no one changes a message). */
const NO_ENTRIES: Entry[] = [];

/**
 * The last AppendEntries built in this step and the log it was built from (null at the start of
 * each step): the next follower in a round reuses it when it needs the same entries.
 */
let lastAppend: AppendEntries | null = null;
let lastAppendLog: ServerState['log'] | null = null;

function sendAppend(c: Ctx, to: string): void {
  const s = c.s;
  const next = s.next[to]!;
  if (next <= s.snap.index) {
    // §7: the entries the follower needs were compacted away: send the snapshot.
    const msg: InstallSnapshot = { type: 'InstallSnapshot', term: s.term, snap: s.snap, seq: s.hbSeq };
    c.send.add(to, msg);
    setNext(c, to, s.snap.index + 1);
    return;
  }
  const prevIndex = next - 1;
  const li = lastIndex(s);
  const end = Math.min(li, prevIndex + c.p.maxEntriesPerAppend);
  // Followers that are equally far along get the same message in a round: one object for all
  // (messages are never changed once sent).
  let msg = lastAppend;
  if (
    msg === null ||
    lastAppendLog !== s.log ||
    msg.prevIndex !== prevIndex ||
    msg.entries.length !== end - prevIndex ||
    msg.term !== s.term ||
    msg.commit !== s.commitIndex ||
    msg.seq !== s.hbSeq
  ) {
    msg = {
      type: 'AppendEntries',
      term: s.term,
      prevIndex,
      prevTerm: termAt(s, prevIndex),
      entries: end > prevIndex ? entriesBetween(s, prevIndex + 1, end) : NO_ENTRIES,
      commit: s.commitIndex,
      seq: s.hbSeq,
    };
    lastAppend = msg;
    lastAppendLog = s.log;
  }
  c.send.add(to, msg);
  // Pipelining (as etcd's replicate state): assume the entries arrive. A gap shows up as a
  // failed consistency check on a later message or heartbeat, which backs nextIndex off.
  if (end > prevIndex) setNext(c, to, end + 1);
}

/** A new heartbeat round to every follower (carrying whatever entries each one lacks). */
function broadcastAppend(c: Ctx): void {
  c.s.hbSeq += 1;
  for (const p of c.peers) sendAppend(c, p);
}

/** Leader: the highest index stored on a majority, if it is from the current term (§5.3, §5.4.2). */
function advanceCommit(c: Ctx): void {
  const s = c.s;
  const li = lastIndex(s);
  for (let n = li; n > s.commitIndex; n--) {
    // §5.4.2: only entries of the leader's current term are committed by counting replicas;
    // earlier ones are committed indirectly. The bug switch drops this condition (Figure 8).
    if (!c.p.bugCommitPreviousTerm && termAt(s, n) !== s.term) break;
    let count = 1;
    for (const p of c.peers) if (s.match[p]! >= n) count++;
    if (count >= c.majority) {
      setCommit(c, n);
      return;
    }
  }
}

function setCommit(c: Ctx, index: number): void {
  const s = c.s;
  if (index <= s.commitIndex) return;
  s.commitIndex = index;
  if (index > s.ghost.commit.index)
    s.ghost = {
      ledTerms: s.ghost.ledTerms,
      commit: { index, h: hashAt(s, index), term: s.term },
      elections: s.ghost.elections,
    };
  apply(c);
}

function applySession(sessions: Record<string, Session>, client: string, reqId: number, ack: number) {
  const old = sessions[client] ?? { ack: 0, done: [] };
  const nack = Math.max(old.ack, ack);
  // The ids of old.done at or above nack, with reqId inserted in order: what filter, push and a
  // numeric sort give when old.done is ascending (it always is: only this function builds it;
  // the sort stays as a fallback otherwise). Built at exact size (a list grown by push starts
  // with 16 slots).
  let kept = 0;
  let sorted = true;
  let last = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < old.done.length; k++) {
    const r = old.done[k]!;
    if (r < last) sorted = false;
    last = r;
    if (r >= nack) kept++;
  }
  const done = new Array<number>(kept + 1);
  let o = 0;
  let inserted = false;
  for (let k = 0; k < old.done.length; k++) {
    const r = old.done[k]!;
    if (r < nack) continue;
    if (!inserted && reqId < r) {
      done[o++] = reqId;
      inserted = true;
    }
    done[o++] = r;
  }
  if (!inserted) done[o] = reqId;
  if (!sorted) done.sort((a, b) => a - b);
  // Changed in place when this server's state alone holds the record (see ownedSessions).
  let out = sessions;
  if (!ownedSessions.has(out)) {
    out = { ...sessions };
    ownedSessions.add(out);
  }
  out[client] = { ack: nack, done };
  return out;
}

/**
 * Session records that one server state alone holds, made by applySession: changed in place
 * until shared (as the key-value store: kv.ts). Each session in them is still a new object.
 */
const ownedSessions = new WeakSet<object>();

/** From now on the state machine (store and sessions) may be held elsewhere too: never change it. */
function shareStateMachine(s: ServerState): void {
  kvShare(s.kv);
  ownedSessions.delete(s.sessions);
}

/** True when the (client, reqId) write was already applied (§8 dedupe). */
function applied(sessions: Record<string, Session>, client: string, reqId: number): boolean {
  const ses = sessions[client];
  return ses !== undefined && (reqId < ses.ack || ses.done.includes(reqId));
}

/** Applies committed entries to the key-value store (§5.3), deduping client retries (§8). */
function apply(c: Ctx): void {
  const s = c.s;
  if (s.lastApplied >= s.commitIndex) return;
  let kv: Kv = s.kv;
  let sessions = s.sessions;
  const leader = s.role === 'leader';
  let done = s.lastApplied;
  for (let i = s.lastApplied + 1; i <= s.commitIndex; i++) {
    const e = entryAt(s, i);
    if (e === undefined) break; // only after a safety bug truncated committed entries
    done = i;
    const cmd = e.cmd;
    if (cmd.kind === 'put') {
      if (!applied(sessions, cmd.client, cmd.reqId)) {
        kv = kvPutOwned(kv, cmd.key, cmd.value);
        sessions = applySession(sessions, cmd.client, cmd.reqId, cmd.ack);
      }
      // The leader answers; a retried duplicate is answered too (the client may be waiting on it).
      if (leader)
        c.send.add(cmd.client, { type: 'ClientResponse', reqId: cmd.reqId, ok: true, leader: c.env.self });
    }
  }
  s.kv = kv;
  s.sessions = sessions;
  s.lastApplied = done;
  maybeSnapshot(c);
  if (leader) serveReads(c);
}

/** §7: replace the applied prefix of the log with a snapshot of the state machine. */
function maybeSnapshot(c: Ctx): void {
  const s = c.s;
  const every = c.p.snapshotEvery;
  if (every <= 0 || s.lastApplied - s.snap.index < every) return;
  const index = s.lastApplied;
  // The snapshot holds the store and sessions from now on (and may travel in an InstallSnapshot).
  shareStateMachine(s);
  const snap: Snapshot = {
    index,
    term: termAt(s, index),
    h: hashAt(s, index),
    kv: s.kv,
    sessions: s.sessions,
  };
  s.log = logCompact(s.log, index);
  s.snap = snap;
}

/** Read-index reads (§8, thesis §6.4): serve once leadership is confirmed and the state machine caught up. */
function serveReads(c: Ctx): void {
  const s = c.s;
  if (s.reads.length === 0) return;
  // The reads still waiting are moved down in place (a leader's list is the draft's own).
  const reads = s.reads;
  let kept = 0;
  for (let k = 0; k < reads.length; k++) {
    const r = reads[k]!;
    let count = 1;
    for (const p of c.peers) if (s.acked[p]! >= r.seq) count++;
    if (count >= c.majority && s.lastApplied >= r.readIndex) {
      c.send.add(r.client, {
        type: 'ClientResponse',
        reqId: r.reqId,
        ok: true,
        value: kvGet(s.kv, r.key) ?? null,
        leader: c.env.self,
      });
    } else reads[kept++] = r;
  }
  reads.length = kept;
}

// ------------------------------------------------------------------ handlers

function onRequestVote(c: Ctx, from: string, m: RequestVote): void {
  const s = c.s;
  const now = c.env.localTimeUs;
  // Someone heard from a live leader within the minimum election timeout (thesis §4.2.3, §9.6).
  const leaderAlive =
    s.role === 'leader' ||
    (s.role === 'follower' && s.leader !== '' && now - s.leaderContactUs < c.p.electionTimeoutMsMin * MS);
  const logOk = c.p.bugNoElectionRestriction || upToDate(s, m.lastLogTerm, m.lastLogIndex);
  if (m.pre) {
    // Pre-vote changes nothing here: grant iff a real vote could be granted in term m.term.
    const granted = m.term > s.term && logOk && !leaderAlive;
    const resp: RequestVoteResp = {
      type: 'RequestVoteResp',
      term: granted ? m.term : s.term,
      granted,
      pre: true,
    };
    c.send.add(from, resp);
    return;
  }
  // With check-quorum a server that has a live leader ignores a disruptive candidate (thesis §4.2.3).
  if (c.p.checkQuorum && leaderAlive && m.term > s.term) return;
  if (m.term > s.term) becomeFollower(c, m.term, '');
  // §5.2: one vote per term, first come first served; §5.4.1: only for an up-to-date log.
  const granted = m.term === s.term && (s.votedFor === '' || s.votedFor === from) && logOk;
  if (granted) {
    s.votedFor = from;
    electionTimer(c); // granting a vote resets the election timer (§5.2)
  }
  c.send.add(from, { type: 'RequestVoteResp', term: s.term, granted, pre: false });
}

function onVoteResp(c: Ctx, from: string, m: RequestVoteResp): void {
  const s = c.s;
  if (m.term > s.term && !(m.pre && m.granted)) {
    becomeFollower(c, m.term, '');
    return;
  }
  if (!m.granted || s.votes.includes(from)) return;
  if (m.pre) {
    if (s.role !== 'precandidate' || m.term !== s.term + 1) return;
    s.votes = [...s.votes, from];
    if (s.votes.length >= c.majority) startElection(c);
    return;
  }
  if (s.role !== 'candidate' || m.term !== s.term) return;
  s.votes = [...s.votes, from];
  if (s.votes.length >= c.majority) becomeLeader(c);
}

/** Common prologue of AppendEntries and InstallSnapshot: term check, follow the leader. False: stale. */
function fromLeader(c: Ctx, from: string, term: number): boolean {
  const s = c.s;
  if (term < s.term) {
    // §5.1: reject a request with a stale term; the answer tells the old leader the new term.
    // seq -1: this answer confirms no heartbeat round (it may answer a request of an old term).
    c.send.add(from, { type: 'AppendResp', term: s.term, success: false, match: 0, seq: -1 });
    return false;
  }
  if (term > s.term || s.role !== 'follower') becomeFollower(c, term, from);
  s.leader = from;
  s.leaderContactUs = c.env.localTimeUs;
  electionTimer(c);
  return true;
}

/** Answers an AppendEntries (the follower's term after the step). */
function appendResp(c: Ctx, to: string, success: boolean, match: number, seq: number): void {
  const msg: AppendResp = { type: 'AppendResp', term: c.s.term, success, match, seq };
  c.send.add(to, msg);
}

function onAppend(c: Ctx, from: string, m: AppendEntries): void {
  if (!fromLeader(c, from, m.term)) return;
  const s = c.s;
  // §5.3 consistency check: the log must contain prevIndex with prevTerm.
  let prevIndex = m.prevIndex;
  let entries = m.entries;
  if (prevIndex < s.snap.index) {
    // The prefix up to the snapshot is committed, so it matches: skip the entries it covers.
    const skip = s.snap.index - prevIndex;
    if (skip >= entries.length) {
      appendResp(c, from, true, s.snap.index, m.seq);
      return;
    }
    entries = entries.slice(skip);
    prevIndex = s.snap.index;
  } else if (prevIndex > lastIndex(s)) {
    appendResp(c, from, false, lastIndex(s), m.seq);
    return;
  } else if (termAt(s, prevIndex) !== m.prevTerm) {
    appendResp(c, from, false, prevIndex - 1, m.seq);
    return;
  }
  // §5.3: delete a conflicting entry and all that follow it; append entries not already there.
  // A stale (reordered) message whose entries all match truncates nothing.
  let k = 0;
  const li = lastIndex(s);
  while (k < entries.length && prevIndex + 1 + k <= li && termAt(s, prevIndex + 1 + k) === entries[k]!.term)
    k++;
  if (k < entries.length) {
    keep(prevIndex + k);
    s.log = logAppend(logTruncate(s.log, prevIndex + k), k === 0 ? entries : entries.slice(k));
  }
  const lastNew = prevIndex + entries.length;
  // §5.3: commitIndex = min(leaderCommit, index of last new entry).
  if (m.commit > s.commitIndex) setCommit(c, Math.min(m.commit, lastNew));
  appendResp(c, from, true, lastNew, m.seq);
}

function onInstallSnapshot(c: Ctx, from: string, m: InstallSnapshot): void {
  if (!fromLeader(c, from, m.term)) return;
  const s = c.s;
  const snap = m.snap;
  if (snap.index > s.commitIndex) {
    // §7: keep the entries after the snapshot if the log has its last entry; else discard the log.
    s.log = logCompact(termAt(s, snap.index) === snap.term ? s.log : EMPTY_LOG, snap.index);
    s.snap = snap;
    s.commitIndex = snap.index;
    s.lastApplied = snap.index;
    s.kv = snap.kv;
    s.sessions = snap.sessions;
    if (snap.index > s.ghost.commit.index)
      s.ghost = {
        ledTerms: s.ghost.ledTerms,
        commit: { index: snap.index, h: snap.h, term: s.term },
        elections: s.ghost.elections,
      };
  }
  c.send.add(from, { type: 'AppendResp', term: s.term, success: true, match: snap.index, seq: m.seq });
}

function onAppendResp(c: Ctx, from: string, m: AppendResp): void {
  const s = c.s;
  if (m.term > s.term) {
    becomeFollower(c, m.term, '');
    return;
  }
  if (s.role !== 'leader' || m.term !== s.term || s.next[from] === undefined) return;
  // Any answer in our term confirms we were still leader when it was sent (read index).
  if (m.seq > s.acked[from]!) s.acked[from] = m.seq;
  s.ackUs[from] = c.env.localTimeUs;
  if (m.success) {
    if (m.match > s.match[from]!) s.match[from] = m.match;
    if (m.match + 1 > s.next[from]!) setNext(c, from, m.match + 1);
    advanceCommit(c);
    if (s.role === 'leader' && s.next[from]! <= lastIndex(s)) sendAppend(c, from);
  } else {
    // §5.3: decrement nextIndex and retry; the follower's hint (its last index, or the index
    // before the mismatch) skips straight to where the logs may agree.
    const next = Math.max(s.match[from]! + 1, Math.min(s.next[from]! - 1, m.match + 1));
    if (next !== s.next[from]) setNext(c, from, next);
    sendAppend(c, from);
  }
  serveReads(c);
}

function onClientRequest(c: Ctx, from: string, m: ClientRequest): void {
  const s = c.s;
  if (s.role !== 'leader') {
    // §8: a follower rejects the request and says who the leader is, if it knows.
    c.send.add(from, { type: 'ClientResponse', reqId: m.reqId, ok: false, leader: s.leader });
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
    broadcastAppend(c);
    serveReads(c);
    return;
  }
  if (applied(s.sessions, from, m.reqId)) {
    // A retry of a write already applied: answer, do not append again (§8).
    c.send.add(from, { type: 'ClientResponse', reqId: m.reqId, ok: true, leader: c.env.self });
    return;
  }
  keep(lastIndex(s));
  s.log = logAppend(s.log, [
    newEntry(s, s.term, {
      kind: 'put',
      client: from,
      reqId: m.reqId,
      key: m.key,
      value: m.value,
      ack: m.ack,
    }),
  ]);
  advanceCommit(c);
  if (s.role === 'leader') broadcastAppend(c);
}

function onHeartbeat(c: Ctx): void {
  const s = c.s;
  if (s.role !== 'leader') return;
  if (c.p.checkQuorum) {
    // Thesis §6.2: step down after an election timeout without hearing from a majority.
    const now = c.env.localTimeUs;
    const window = c.p.electionTimeoutMsMax * MS;
    if (now - s.leaderSinceUs >= window) {
      let heard = 1;
      for (const p of c.peers) if (now - s.ackUs[p]! < window) heard++;
      if (heard < c.majority) {
        c.notes.push(`loses quorum in term ${s.term}`);
        becomeFollower(c, s.term, '');
        return;
      }
    }
  }
  broadcastAppend(c);
  heartbeatTimer(c);
}

function onElectionTimeout(c: Ctx): void {
  if (c.s.role === 'leader') return;
  if (c.p.preVote) startPreVote(c);
  else startElection(c);
}

/** Peers per (server list, self): the kernel returns the same list object until the topology changes. */
const peerMemo = new WeakMap<readonly string[], { selfs: string[]; peers: string[][] }>();
/** The last server list looked up and its entry in peerMemo (saves the WeakMap lookup per step). */
let memoServers: readonly string[] | null = null;
let memo: { selfs: string[]; peers: string[][] } = { selfs: [], peers: [] };

function peersOf(servers: readonly string[], self: string): readonly string[] {
  if (servers !== memoServers) {
    let m = peerMemo.get(servers);
    if (m === undefined) {
      m = { selfs: [], peers: [] };
      peerMemo.set(servers, m);
    }
    memoServers = servers;
    memo = m;
  }
  // A short list searched by identity first (node ids come from the kernel's own table).
  const selfs = memo.selfs;
  for (let k = 0; k < selfs.length; k++) if (selfs[k] === self) return memo.peers[k]!;
  const peers = servers.filter((id) => id !== self);
  selfs.push(self);
  memo.peers.push(peers);
  return peers;
}

/**
 * An effect list collected during a step. A fresh empty array per list per step grows a
 * 16-slot backing store on its first push, which was a large part of the allocation per step;
 * these buffers are reused (a step never runs inside another) and reset by count, since setting
 * an array's length to 0 also drops its storage. At the end of the step the items are copied
 * out at exact size; a lent buffer (used when env.reuseEffects says the caller keeps nothing)
 * copies them into a list of that size kept from an earlier step instead, so a step allocates
 * no list at all.
 */
class Buf<T> {
  protected readonly items: T[] = [];
  /** Lists handed out by a lent buffer, by length. */
  private readonly exact: T[][] = [];
  /** Items collected in this step. */
  n = 0;
  constructor(private readonly lent: boolean) {}
  /** Appends an item. */
  push(x: T): void {
    this.items[this.n++] = x;
  }
  /** The items of this step as a list (undefined when none), and an empty buffer. */
  take(): T[] | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    this.n = 0;
    if (!this.lent || n > MAX_LENT) return this.items.slice(0, n);
    const list = this.exact[n];
    if (list === undefined) {
      const made = this.items.slice(0, n);
      this.exact[n] = made;
      return made;
    }
    for (let k = 0; k < n; k++) list[k] = this.items[k]!;
    return list;
  }
}

/** Longest list a lent buffer keeps for reuse. */
const MAX_LENT = 64;

/** The sends of a step: a lent buffer also reuses its Outbound records. */
class Sends extends Buf<Outbound<RaftMsg>> {
  private readonly pool: Outbound<RaftMsg>[] = [];
  constructor(private readonly pooled: boolean) {
    super(pooled);
  }
  /** Sends msg to a node. */
  add(to: string, msg: RaftMsg): void {
    if (!this.pooled) {
      this.push({ to, msg });
      return;
    }
    let o = this.pool[this.n];
    if (o === undefined) {
      o = { to, msg };
      this.pool[this.n] = o;
    } else {
      o.to = to;
      o.msg = msg;
    }
    this.push(o);
  }
}

/** Buffers for callers that may keep what a step returns (tests, scripts): fresh lists. */
const freshSends = new Sends(false);
const freshTimers = new Buf<TimerCmd>(false);
const freshNotes = new Buf<string>(false);
/** Buffers for the kernel, which reads a step's effects at once and keeps none of them. */
const lentSends = new Sends(true);
const lentTimers = new Buf<TimerCmd>(true);
const lentNotes = new Buf<string>(true);
/** The effects object returned to the kernel (env.reuseEffects), refilled by every step. */
const lentEffects: Effects<ServerState, RaftMsg> = {
  state: initServer(false),
  send: undefined,
  timers: undefined,
  reply: undefined,
  notes: undefined,
};

/** The step context, reused by every step (a step never runs inside another); set at its start. */
const ctx: Ctx = {
  s: initServer(false),
  env: undefined as unknown as StepEnv<RaftParams>,
  p: undefined as unknown as RaftParams,
  send: freshSends,
  timers: freshTimers,
  notes: freshNotes,
  servers: [],
  peers: [],
  majority: 1,
};

/** The node the context's `peers` were looked up for. */
let ctxSelf = '';

/** One step of a server. */
export function stepServer(
  state: ServerState,
  input: Input<RaftMsg>,
  env: StepEnv<RaftParams>,
): Effects<ServerState, RaftMsg> {
  const p = env.params;
  const servers = env.nodesWithRole('server');
  // The same server list and node as the last step (a leader steps many times in a row).
  const peers = servers === ctx.servers && env.self === ctxSelf ? ctx.peers : peersOf(servers, env.self);
  ctxSelf = env.self;
  const lend = env.reuseEffects === true;
  const c = ctx;
  c.send = lend ? lentSends : freshSends;
  c.timers = lend ? lentTimers : freshTimers;
  c.notes = lend ? lentNotes : freshNotes;
  c.send.n = 0;
  c.timers.n = 0;
  c.notes.n = 0;
  lastKept = Number.POSITIVE_INFINITY;
  lastAppend = null;
  lastAppendLog = null;
  lastIn.log = state.log;
  lastIn.snap = state.snap;
  lastIn.ghost = state.ghost;
  if (env.owned === true) c.s = state;
  else {
    // The input state may be held elsewhere (a checkpoint, a caller): so may its state machine.
    shareStateMachine(state);
    c.s = ownServer(state);
  }
  c.env = env;
  c.p = p;
  c.servers = servers;
  c.peers = peers;
  c.majority = Math.floor(servers.length / 2) + 1;
  c.s.forgetVote = p.bugForgetVoteOnRestart;
  switch (input.kind) {
    case 'start':
      electionTimer(c);
      break;
    case 'restart': {
      // §5.5 / Figure 2: persistent state is back; the state machine is rebuilt from the snapshot.
      const s = c.s;
      s.commitIndex = s.snap.index;
      s.lastApplied = s.snap.index;
      s.kv = s.snap.kv;
      s.sessions = s.snap.sessions;
      electionTimer(c);
      break;
    }
    case 'timer':
      if (input.name === 'election') onElectionTimeout(c);
      else if (input.name === 'heartbeat') onHeartbeat(c);
      break;
    case 'client':
      // Workload ops go to client nodes; a server that gets one cannot answer it.
      lastOut = state;
      return { state, reply: [{ id: input.op.id, ok: false }] };
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'RequestVote':
          onRequestVote(c, input.from, m);
          break;
        case 'RequestVoteResp':
          onVoteResp(c, input.from, m);
          break;
        case 'AppendEntries':
          onAppend(c, input.from, m);
          break;
        case 'InstallSnapshot':
          onInstallSnapshot(c, input.from, m);
          break;
        case 'AppendResp':
          onAppendResp(c, input.from, m);
          break;
        case 'ClientRequest':
          onClientRequest(c, input.from, m);
          break;
        case 'ClientResponse':
          break;
      }
      break;
    }
  }
  lastOut = c.s;
  // Every field in one literal (absent lists as undefined): one object shape for every step,
  // instead of up to three shape transitions per step.
  if (lend) {
    const e = lentEffects;
    e.state = c.s;
    e.send = c.send.take();
    e.timers = c.timers.take();
    e.notes = c.notes.take();
    return e;
  }
  return {
    state: c.s,
    send: c.send.take(),
    timers: c.timers.take(),
    reply: undefined,
    notes: c.notes.take(),
  };
}
