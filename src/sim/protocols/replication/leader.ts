/**
 * The leader (Kleppmann, DDIA ch. 5, "Leaders and Followers"): it appends every write to its
 * log, ships the log to its followers with Raft-style appends (§5.3), and acknowledges a write
 * when the mode says so: at once (asynchronous), after `semiSyncAcks` follower copies
 * (semi-synchronous) or after all of them (synchronous; DDIA "Synchronous Versus Asynchronous
 * Replication"). It also audits the reads its followers report, to count the stale ones.
 */
import { followersOf, lastSeq, stepDown } from './replica';
import type {
  AppendAckMsg,
  AppendMsg,
  Lag,
  LogEntry,
  ReadAudit,
  ReplicaState,
  RRCtx,
  WaitingWrite,
  WriteMsg,
} from './types';

/** Follower copies needed before a write is acknowledged in the current mode (DDIA ch. 5). */
function acksNeeded(ctx: RRCtx): number {
  const n = followersOf(ctx).length;
  if (ctx.params.mode === 'async') return 0;
  if (ctx.params.mode === 'sync') return n;
  return Math.min(ctx.params.semiSyncAcks, n);
}

/** The append for follower f: the entries from its next seq on (none: a heartbeat). Raft §5.3. */
function appendFor(ctx: RRCtx, s: ReplicaState, f: string): AppendMsg {
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
function computeLag(ctx: RRCtx, s: ReplicaState): Record<string, Lag> {
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
function advanceCommit(ctx: RRCtx, s: ReplicaState): WaitingWrite[] {
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
export function becomeLeader(ctx: RRCtx, s: ReplicaState, epoch: number, why: string): void {
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
  s.lag = computeLag(ctx, s);
  // The fact the sync-no-lost-writes invariant checks: a new leader's log is final.
  ctx.emit({ type: 'promoted', epoch });
  for (const f of followers) ctx.send(f, appendFor(ctx, s, f));
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
export function resumeLeading(ctx: RRCtx, s: ReplicaState, restarted: boolean): void {
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
  heartbeat(ctx, s);
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
export function onAppendAck(ctx: RRCtx, s: ReplicaState, from: string, m: AppendAckMsg): void {
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
    if (m.lastSeq < lastSeq(s)) ctx.send(from, appendFor(ctx, s, from));
  } else {
    // Raft §5.3: the follower's log did not match at prevSeq: back up and retry.
    s.next[from] = Math.max(1, Math.min((s.next[from] ?? 1) - 1, m.lastSeq + 1));
    ctx.send(from, appendFor(ctx, s, from));
  }
  const done = advanceCommit(ctx, s);
  s.lag = computeLag(ctx, s);
  acknowledge(ctx, done);
}

/** The leader's heartbeat: an append to every follower (retransmitting what it lacks). */
export function heartbeat(ctx: RRCtx, s: ReplicaState): void {
  // A param change (mode, acks) applies from here: re-evaluate the commit point too.
  const done = advanceCommit(ctx, s);
  s.lag = computeLag(ctx, s);
  for (const f of followersOf(ctx)) ctx.send(f, appendFor(ctx, s, f));
  acknowledge(ctx, done);
  ctx.setTimer('heartbeat', ctx.params.heartbeatUs);
}

/** A client's write: the leader appends it; a non-leader points the client at the leader. */
export function onWrite(ctx: RRCtx, s: ReplicaState, from: string, m: WriteMsg): void {
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
  const done = advanceCommit(ctx, s);
  s.lag = computeLag(ctx, s);
  // Ship at once to followers that are caught up (the heartbeat retransmits the rest).
  for (const f of followersOf(ctx)) if ((s.next[f] ?? 0) === e.seq) ctx.send(f, appendFor(ctx, s, f));
  acknowledge(ctx, done);
}
