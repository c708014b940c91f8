/**
 * A follower: it stores the leader's log as the appends bring it (Raft §5.3: the entry before
 * the new ones must match, a conflicting suffix is dropped) and serves reads from its copy of
 * the data, honouring a client's session floor (DDIA ch. 5, "Problems with Replication Lag").
 * The leader serves reads the same way when clients read from it.
 */
import { lastSeq, rebuildKv, setWatchTimer, stepDown } from './replica';
import type { AppendMsg, ReadMsg, ReplicaState, RRCtx } from './types';

/** Drops the log from position `keep` on (a conflicting suffix), with a note. */
function discardFrom(ctx: RRCtx, s: ReplicaState, keep: number): void {
  const first = s.log[keep]!;
  ctx.note(`${ctx.self} discards seq ${first.seq}..${s.log.at(-1)!.seq} (epoch ${first.epoch})`);
  s.log.length = keep;
}

/** The leader's append: follow it, check the entry before the new ones, store them. Raft §5.3. */
export function onAppend(ctx: RRCtx, s: ReplicaState, from: string, m: AppendMsg): void {
  if (m.epoch < s.epoch) {
    ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: false, lastSeq: lastSeq(s), audits: [] });
    return;
  }
  if (m.epoch > s.epoch || s.leader || s.candidate || s.leaderId !== from) stepDown(ctx, s, m.epoch, from);
  setWatchTimer(ctx);
  s.leaderSeq = m.leaderSeq;
  // The reads served since the last ack ride on this one to the leader's audit.
  const audits = s.audits;
  s.audits = [];
  // Raft §5.3: the entry before the new ones must match, else the leader backs up.
  const prevOk = m.prevSeq === 0 || (m.prevSeq <= lastSeq(s) && s.log[m.prevSeq - 1]!.epoch === m.prevEpoch);
  if (!prevOk) {
    const hint = Math.min(lastSeq(s), m.prevSeq - 1);
    ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: false, lastSeq: hint, audits });
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
    s.kv = rebuildKv(s.log);
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
  s.commitSeq = Math.min(m.commitSeq, s.log.length);
  // Raft §5.3: acknowledge only what this message proved to match the leader's log (an older
  // suffix past it is truncated by a later append).
  const matched = Math.min(s.log.length, m.prevSeq + m.entries.length);
  ctx.send(from, { type: 'appendAck', epoch: s.epoch, ok: true, lastSeq: matched, audits });
}

/**
 * A client's read, served from this replica's data (DDIA ch. 5 "Reading Your Own Writes",
 * "Monotonic Reads"): a follower below the session floor sends the client to the leader
 * instead; a follower records what it served for the leader's stale-read audit.
 */
export function onRead(ctx: RRCtx, s: ReplicaState, from: string, m: ReadMsg): void {
  if (!s.leader && lastSeq(s) < m.minSeq) {
    ctx.send(from, { type: 'readBehind', opId: m.opId, seq: lastSeq(s) });
    return;
  }
  const v = s.kv[m.key];
  const keySeq = v?.seq ?? 0;
  s.readsServed += 1;
  if (!s.leader) {
    s.followerReads += 1;
    s.audits.push({ opId: m.opId, key: m.key, keySeq, atUs: ctx.now() });
  }
  ctx.send(from, { type: 'readOk', opId: m.opId, value: v?.value ?? null, keySeq, seq: lastSeq(s) });
}
