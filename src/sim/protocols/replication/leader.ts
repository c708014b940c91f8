/**
 * The leader (Kleppmann, DDIA ch. 5, "Leaders and Followers"): it appends every write to its
 * log, ships the log to its followers with Raft-style appends (§5.3), and commits a write when
 * the mode says so: at once (asynchronous), once `semiSyncAcks` followers store it
 * (semi-synchronous) or once all of them do (synchronous; DDIA "Synchronous Versus
 * Asynchronous Replication"). It applies only what is committed, and answers a write once it
 * is committed (and, with `waitFor: applied`, applied where the mode waits).
 *
 * A new leader starts with a no-op entry of its epoch (Raft §8) and counts follower copies only
 * for entries of its own epoch (§5.4.2): older entries commit with it. It answers a read meant
 * for the leader only once it knows it still leads (Raft thesis §6.4): after a heartbeat round
 * sent after the read arrived is acknowledged by a majority (a read barrier, "ReadIndex"), or
 * while a lease from such a round lasts (§6.4.1), and once its no-op is committed.
 */
import { NEMESIS_EVENTS } from '../../protocol';
import { majority } from '../../toolkit/quorum';
import { durabilityGap } from './promises';
import { applyTo, followersOf, lastSeq, replicas, stepDown } from './replica';
import type {
  AppendAckMsg,
  AppendMsg,
  Lag,
  LogEntry,
  ReplicaState,
  RRCtx,
  WaitingWrite,
  WriteMsg,
} from './types';

/** Follower copies needed before a write is acknowledged in the current mode (DDIA ch. 5). */
function acksNeeded(ctx: RRCtx): number {
  if (ctx.params.bugAckBeforeReplicate) return 0;
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
    round: s.round,
  };
}

/**
 * A heartbeat round: an append to every follower, under a new round number. An acknowledgement
 * of it proves the follower still followed this leader after the round began (the read barrier
 * and the lease count them).
 */
function broadcast(ctx: RRCtx, s: ReplicaState): void {
  s.round += 1;
  const now = ctx.now();
  // Rounds older than a lease are of no use to it any more.
  for (const r of Object.keys(s.roundStartUs))
    if (s.roundStartUs[r]! + ctx.params.leaseUs <= now) delete s.roundStartUs[r];
  s.roundStartUs[String(s.round)] = now;
  for (const f of followersOf(ctx)) ctx.send(f, appendFor(ctx, s, f));
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

/** Followers whose `field` is at least seq. */
function copies(ctx: RRCtx, s: ReplicaState, field: 'match' | 'appliedBy', seq: number): number {
  let n = 0;
  for (const f of followersOf(ctx)) if ((s[field][f] ?? 0) >= seq) n++;
  return n;
}

/**
 * Advances the commit point and applies what it covers: in async mode (or under the bug
 * switch) everything appended is committed; otherwise the highest entry of this epoch that
 * `acksNeeded` followers store is, with everything before it (Raft §5.4.2). Returns whether it
 * moved, and the waiting writes that can be answered now, recorded as acknowledged.
 */
function advanceCommit(ctx: RRCtx, s: ReplicaState): { moved: boolean; done: WaitingWrite[] } {
  const need = acksNeeded(ctx);
  let commit = s.commitSeq;
  for (let seq = lastSeq(s); seq > s.commitSeq; seq--) {
    if (need > 0 && s.log[seq - 1]!.epoch !== s.epoch) break;
    if (copies(ctx, s, 'match', seq) >= need) {
      commit = seq;
      break;
    }
  }
  const moved = commit > s.commitSeq;
  if (moved) {
    s.commitSeq = commit;
    applyTo(s, commit);
  }
  // A committed write is answered; with waitFor 'applied', once the followers the mode waits for applied it.
  const applied = (seq: number) =>
    need === 0 || ctx.params.waitFor === 'stored' || copies(ctx, s, 'appliedBy', seq) >= need;
  // What the mode promises (a bug switch breaks the promise without changing it).
  const durable = durabilityGap(ctx.params, replicas(ctx).length) === null;
  const done: WaitingWrite[] = [];
  const waiting: WaitingWrite[] = [];
  for (const w of s.waiting) {
    if (w.seq <= s.commitSeq && applied(w.seq)) {
      const e = s.log[w.seq - 1]!;
      s.acked.push({
        seq: e.seq,
        epoch: e.epoch,
        opId: e.opId,
        key: e.key,
        value: e.value,
        mode: ctx.params.mode,
        durable,
      });
      done.push(w);
    } else waiting.push(w);
  }
  s.waiting = waiting;
  return { moved, done };
}

/**
 * The highest round a majority of the replicas (this leader included) acknowledged: from it on,
 * this replica knew it led (no newer leader can have been elected before that round began).
 */
function confirmedRound(ctx: RRCtx, s: ReplicaState): number {
  const others = majority(replicas(ctx).length) - 1;
  if (others <= 0) return s.round;
  const heard = followersOf(ctx)
    .map((f) => s.heard[f] ?? 0)
    .sort((a, b) => b - a);
  return heard[others - 1] ?? 0;
}

/** Answers a read from the applied data. */
function answerRead(ctx: RRCtx, s: ReplicaState, from: string, opId: number, key: string): void {
  const v = s.kv[key];
  s.readsServed += 1;
  ctx.send(from, { type: 'readOk', opId, value: v?.value ?? null, keySeq: v?.seq ?? 0, seq: s.applied });
}

/**
 * Serves the reads that waited for the leader to know it still leads: once this leadership's
 * first entry is committed (so the data holds every write acknowledged before), those whose
 * round a majority acknowledged; a confirmed round also extends the lease.
 */
function serveReads(ctx: RRCtx, s: ReplicaState): void {
  const round = confirmedRound(ctx, s);
  const start = s.roundStartUs[String(round)];
  if (start !== undefined) {
    s.leaseUntilUs = Math.max(s.leaseUntilUs, start + ctx.params.leaseUs);
    for (const r of Object.keys(s.roundStartUs)) if (Number(r) <= round) delete s.roundStartUs[r];
  }
  if (s.commitSeq < s.epochStart || s.reads.length === 0) return;
  const left = [];
  for (const r of s.reads) {
    if (r.round <= round) answerRead(ctx, s, r.from, r.opId, r.key);
    else left.push(r);
  }
  s.reads = left;
}

/**
 * After a change of match, applied or the log: commit what can be, answer the writes and
 * reads that can be answered. With `waitFor: applied` a new commit point goes out at once, so
 * followers apply it and say so.
 */
function progress(ctx: RRCtx, s: ReplicaState, broadcasting: boolean): void {
  const { moved, done } = advanceCommit(ctx, s);
  s.lag = computeLag(ctx, s);
  if (moved && !broadcasting && ctx.params.waitFor === 'applied' && acksNeeded(ctx) > 0) broadcast(ctx, s);
  if (broadcasting) broadcast(ctx, s);
  for (const w of done) ctx.send(w.from, { type: 'writeOk', opId: w.opId, seq: w.seq });
  serveReads(ctx, s);
}

/** Starts leading: fresh follower bookkeeping, no reads waiting, round 0. */
function resetLeading(ctx: RRCtx, s: ReplicaState): void {
  s.leading = true;
  s.candidate = false;
  s.leaderId = ctx.self;
  s.match = {};
  s.appliedBy = {};
  s.next = {};
  for (const f of followersOf(ctx)) {
    s.match[f] = 0;
    s.next[f] = lastSeq(s) + 1;
  }
  s.heard = {};
  s.round = 0;
  s.roundStartUs = {};
  s.leaseUntilUs = -1;
  s.reads = [];
  s.waiting = [];
}

/** The node with role 'leader' leads epoch 1 from the start (every log is empty then). */
export function leadFromStart(ctx: RRCtx, s: ReplicaState): void {
  resetLeading(ctx, s);
  s.epochStart = 0;
  heartbeat(ctx, s);
}

/**
 * This replica leads `epoch` from now on: by election, alone, or promoted by hand. It appends
 * a no-op of its epoch (Raft §8), which commits what its log holds from older epochs; writes
 * it appended as an older leader and never answered are answered once committed again, or
 * refused if its log lost them.
 */
export function becomeLeader(ctx: RRCtx, s: ReplicaState, epoch: number, why: string): void {
  s.epoch = epoch;
  s.votedFor = ctx.self;
  s.votes = [];
  resetLeading(ctx, s);
  const orphans = s.orphans;
  s.orphans = [];
  for (const w of orphans) {
    if (s.log[w.seq - 1]?.opId === w.opId) s.waiting.push(w);
    else ctx.send(w.from, { type: 'writeFail', opId: w.opId, leader: ctx.self, epoch });
  }
  const noop: LogEntry = { seq: lastSeq(s) + 1, epoch, key: '', value: '', opId: 0, atUs: ctx.now() };
  s.log.push(noop);
  s.epochStart = noop.seq;
  // The fact the checkers (and the nemesis aimed at new leaders) see.
  ctx.emit({ type: NEMESIS_EVENTS.elected, epoch });
  progress(ctx, s, true);
  for (const p of ctx.peers)
    if (p !== ctx.self && !followersOf(ctx).includes(p)) ctx.send(p, { type: 'newLeader', epoch });
  ctx.cancelTimer('watch');
  ctx.setTimer('heartbeat', ctx.params.heartbeatUs);
  ctx.note(`${ctx.self} leads epoch ${epoch} (${why}) with ${lastSeq(s) - 1} entries and a no-op`);
}

/** A follower's answer to an append: note its round, move its match/next, commit what can be. */
export function onAppendAck(ctx: RRCtx, s: ReplicaState, from: string, m: AppendAckMsg): void {
  if (m.epoch > s.epoch) {
    stepDown(ctx, s, m.epoch, '');
    ctx.note(`${ctx.self} steps down: epoch ${m.epoch} exists`);
    return;
  }
  if (!s.leading || m.epoch < s.epoch) return;
  // The follower answered this epoch's round m.round: it followed this leader after it began.
  s.heard[from] = Math.max(s.heard[from] ?? 0, m.round);
  s.appliedBy[from] = Math.max(s.appliedBy[from] ?? 0, m.applied);
  if (m.ok) {
    s.match[from] = Math.max(s.match[from] ?? 0, m.lastSeq);
    s.next[from] = m.lastSeq + 1;
    if (m.lastSeq < lastSeq(s)) ctx.send(from, appendFor(ctx, s, from));
  } else {
    // Raft §5.3: the follower's log did not match at prevSeq: back up and retry.
    s.next[from] = Math.max(1, Math.min((s.next[from] ?? 1) - 1, m.lastSeq + 1));
    ctx.send(from, appendFor(ctx, s, from));
  }
  progress(ctx, s, false);
}

/** The leader's heartbeat: a round of appends to every follower (retransmitting what each lacks). */
export function heartbeat(ctx: RRCtx, s: ReplicaState): void {
  // A param change (mode, acks) applies from here: re-evaluate the commit point too.
  progress(ctx, s, true);
  ctx.setTimer('heartbeat', ctx.params.heartbeatUs);
}

/** A client's write: the leader appends it; a non-leader points the client at the leader. */
export function onWrite(ctx: RRCtx, s: ReplicaState, from: string, m: WriteMsg): void {
  if (!s.leading) {
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
  s.waiting.push({ seq: e.seq, opId: m.opId, from });
  // Ship at once to followers that are caught up (the heartbeat retransmits the rest).
  for (const f of followersOf(ctx)) if ((s.next[f] ?? 0) === e.seq) ctx.send(f, appendFor(ctx, s, f));
  progress(ctx, s, false);
}

/**
 * A read meant for the leader (Raft thesis §6.4). Under a lease that still runs it is answered
 * at once; otherwise it waits for a new heartbeat round, started now, to be acknowledged by a
 * majority (the read barrier; the same round renews the lease).
 */
export function onLeaderRead(ctx: RRCtx, s: ReplicaState, from: string, opId: number, key: string): void {
  if (ctx.params.leaderReads === 'lease' && s.commitSeq >= s.epochStart && ctx.now() < s.leaseUntilUs) {
    answerRead(ctx, s, from, opId, key);
    return;
  }
  s.reads.push({ opId, from, key, round: s.round + 1 });
  broadcast(ctx, s);
  serveReads(ctx, s);
}
