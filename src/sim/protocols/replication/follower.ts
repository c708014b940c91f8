/**
 * A follower: it stores the leader's log as the appends bring it (Raft §5.3: the entry before
 * the new ones must match, a conflicting suffix is dropped), applies what the leader says is
 * committed (never more), and serves reads from its applied data, honouring a client's session
 * floor (DDIA ch. 5, "Problems with Replication Lag"). A read meant for the leader goes to the
 * leader's code, or is refused with a hint by a replica that does not lead.
 */
import { onLeaderRead } from './leader';
import { applyTo, lastSeq, setWatchTimer, stepDown } from './replica';
import type { AppendMsg, ReadMsg, ReplicaState, RRCtx } from './types';

/** Drops the log from position `keep` on (a conflicting suffix), with a note. */
function discardFrom(ctx: RRCtx, s: ReplicaState, keep: number): void {
  const first = s.log[keep]!;
  ctx.note(`${ctx.self} discards seq ${first.seq}..${s.log.at(-1)!.seq} (epoch ${first.epoch})`);
  s.log.length = keep;
  // Only an asynchronous leader's commits can be undone like this; they were never durable.
  if (s.commitSeq > keep) s.commitSeq = keep;
}

/**
 * Writes this replica appended as a leader and never answered: once the new leader's committed
 * log covers their seq, a write that is not there did not happen (its client may send it
 * again, to the new leader); one that is there happened, and its client's wait simply ends
 * without an answer (its outcome stays unknown to it).
 */
function settleOrphans(ctx: RRCtx, s: ReplicaState, leader: string): void {
  if (s.orphans.length === 0) return;
  const left = [];
  for (const w of s.orphans) {
    if (w.seq > s.commitSeq) left.push(w);
    else if (s.log[w.seq - 1]?.opId !== w.opId)
      ctx.send(w.from, { type: 'writeFail', opId: w.opId, leader, epoch: s.epoch });
  }
  s.orphans = left;
}

/** The leader's append: follow it, check the entry before the new ones, store them. Raft §5.3. */
export function onAppend(ctx: RRCtx, s: ReplicaState, from: string, m: AppendMsg): void {
  const ack = (ok: boolean, last: number) =>
    ctx.send(from, {
      type: 'appendAck',
      epoch: s.epoch,
      ok,
      lastSeq: last,
      applied: s.applied,
      round: m.round,
    });
  if (m.epoch < s.epoch) {
    ack(false, lastSeq(s));
    return;
  }
  if (m.epoch > s.epoch || s.leading || s.candidate || s.leaderId !== from) stepDown(ctx, s, m.epoch, from);
  // Heard from the leader: no vote for anyone else for a while (Raft thesis §4.2.3).
  s.heardUs = ctx.now();
  setWatchTimer(ctx);
  s.leaderSeq = m.leaderSeq;
  // Raft §5.3: the entry before the new ones must match, else the leader backs up.
  const prevOk = m.prevSeq === 0 || (m.prevSeq <= lastSeq(s) && s.log[m.prevSeq - 1]!.epoch === m.prevEpoch);
  if (!prevOk) {
    ack(false, Math.min(lastSeq(s), m.prevSeq - 1));
    return;
  }
  let changed = false;
  for (const e of m.entries) {
    const have = s.log[e.seq - 1];
    if (have !== undefined && have.epoch === e.epoch) continue;
    // A conflicting suffix: entries of an older epoch the new leader never had.
    if (have !== undefined) discardFrom(ctx, s, e.seq - 1);
    s.log.push(e);
    changed = true;
  }
  // Without new entries, a longer log past the leader's end is also a conflicting suffix.
  if (m.entries.length === 0 && lastSeq(s) > m.leaderSeq && m.prevSeq === m.leaderSeq) {
    discardFrom(ctx, s, m.leaderSeq);
    changed = true;
  }
  if (changed) {
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
  // Raft §5.3: acknowledge only what this message proved to match the leader's log (an older
  // suffix past it is truncated by a later append), and commit no further than that.
  const matched = Math.min(lastSeq(s), m.prevSeq + m.entries.length);
  s.commitSeq = Math.max(s.commitSeq, Math.min(m.commitSeq, matched));
  applyTo(s, s.commitSeq);
  settleOrphans(ctx, s, from);
  ack(true, matched);
}

/**
 * A client's read. Meant for the leader: the leader answers once it knows it still leads; any
 * other replica refuses it with its hint. Otherwise (DDIA ch. 5 "Reading Your Own Writes",
 * "Monotonic Reads") it is served from the applied data, unless that is below the session
 * floor.
 */
export function onRead(ctx: RRCtx, s: ReplicaState, from: string, m: ReadMsg): void {
  if (m.leader) {
    if (s.leading) onLeaderRead(ctx, s, from, m.opId, m.key);
    else ctx.send(from, { type: 'readFail', opId: m.opId, leader: s.leaderId, epoch: s.epoch });
    return;
  }
  if (s.applied < m.minSeq) {
    ctx.send(from, { type: 'readBehind', opId: m.opId, seq: s.applied });
    return;
  }
  const v = s.kv[m.key];
  s.readsServed += 1;
  if (!s.leading) s.followerReads += 1;
  ctx.send(from, {
    type: 'readOk',
    opId: m.opId,
    value: v?.value ?? null,
    keySeq: v?.seq ?? 0,
    seq: s.applied,
  });
}
