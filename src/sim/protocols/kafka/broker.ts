/**
 * A broker (Apache Kafka documentation, "Design" §4.7 "Replication"). For each partition it
 * holds a replica: an append-only log and its high watermark. The leader of a partition takes
 * the produces and the consumers' reads; followers fetch from it "exactly as a normal Kafka
 * consumer would" (§4.7); the leader keeps the in-sync replicas (ISR: the followers caught up
 * within replica.lag.time.max.ms) and moves the high watermark to the smallest log end offset
 * over the ISR: a record below it is committed, "the guarantee that Kafka offers is that a
 * committed message will not be lost, as long as there is at least one in sync replica alive".
 * A follower that diverged from its leader (it holds records an old leader never committed)
 * truncates to where the leader's log of its last epoch ends (KIP-101, as KIP-320 folds it into
 * Fetch: the leader answers a divergingEpoch).
 */
import type { Ctx, Input } from '../../protocol';
import { clean, logEndOffset, logStart, positionOf, recordAt, recordsFrom, truncateTo } from './log';
import type {
  BrokerState,
  ClientError,
  FetchPartition,
  FetchPartitionResponse,
  KafkaMsg,
  KafkaParams,
  LeaderState,
  LogRecord,
  MsgOf,
  PartitionRecord,
} from './types';

type C = Ctx<KafkaParams, KafkaMsg>;

/** A broker before the controller has told it anything. */
export function initBroker(params: KafkaParams): BrokerState {
  return {
    kind: 'broker',
    replicas: Array.from({ length: params.partitions }, () => null),
    metadataVersion: 0,
    partitions: [],
    leading: Array.from({ length: params.partitions }, () => null),
    fetching: {},
    appended: 0,
    fetched: 0,
    truncated: 0,
    duplicates: 0,
    outOfOrder: 0,
    retentionDeleted: 0,
    compacted: 0,
  };
}

const controllerOf = (ctx: C) => ctx.nodesWithRole('controller')[0] ?? '';

export { logEndOffset };

/**
 * The end offset of `epoch` in a log (KIP-101's OffsetsForLeaderEpoch): the largest epoch at
 * most `epoch` that the log has, and the offset where the next epoch starts (the log end, or
 * `currentEpochStart` for the leader's own epoch) — what a follower may keep of that epoch.
 */
export function endOffsetForEpoch(
  log: readonly LogRecord[],
  epoch: number,
  leo = log.length === 0 ? 0 : log[log.length - 1]!.offset + 1,
): { epoch: number; endOffset: number } {
  let found = -1;
  let end = leo;
  for (let o = log.length - 1; o >= 0; o--) {
    const e = log[o]!.epoch;
    if (e <= epoch) {
      found = e;
      break;
    }
    end = log[o]!.offset; // the first offset of an epoch later than `epoch`
  }
  return found < 0 ? { epoch: -1, endOffset: 0 } : { epoch: found, endOffset: end };
}

/** The ISR the high watermark counts: the ISR and an ISR change in flight together (KIP-497's maximal ISR). */
export function maximalIsr(p: PartitionRecord, l: LeaderState): string[] {
  return l.pendingIsr === null ? p.isr : [...new Set([...p.isr, ...l.pendingIsr])];
}

/** One input to a broker. */
export function onBroker(ctx: C, s: BrokerState, input: Input<KafkaMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      // Leadership, metadata and fetch sessions are not kept across a crash: the controller
      // tells the broker again what it leads once its heartbeat is heard.
      heartbeat(ctx, s);
      ctx.setTimer('fetch', ctx.params.fetchWaitMs * 1000);
      ctx.setTimer('isr', (ctx.params.replicaLagTimeMaxMs * 1000) / 2);
      if (cleaning(ctx.params)) ctx.setTimer('cleaner', ctx.params.cleanerIntervalMs * 1000);
      return;
    case 'timer':
      if (input.name === 'heartbeat') heartbeat(ctx, s);
      else if (input.name === 'fetch') {
        fetchAll(ctx, s);
        ctx.setTimer('fetch', ctx.params.fetchWaitMs * 1000);
      } else if (input.name === 'isr') {
        maybeShrinkIsr(ctx, s);
        ctx.setTimer('isr', (ctx.params.replicaLagTimeMaxMs * 1000) / 2);
      } else if (input.name === 'cleaner') {
        cleanLogs(ctx, s);
        ctx.setTimer('cleaner', ctx.params.cleanerIntervalMs * 1000);
      }
      return;
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'Metadata':
          onMetadata(ctx, s, m);
          return;
        case 'AlterPartitionResponse':
          onAlterPartitionResponse(ctx, s, m);
          return;
        case 'Fetch':
          onFetch(ctx, s, input.from, m);
          return;
        case 'FetchResponse':
          onFetchResponse(ctx, s, input.from, m);
          return;
        case 'Produce':
          onProduce(ctx, s, input.from, m);
          return;
        case 'ReadLatest':
          onReadLatest(ctx, s, input.from, m);
          return;
        case 'ConsumerFetch':
          onConsumerFetch(ctx, s, input.from, m);
          return;
        default:
          return;
      }
    }
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
  }
}

/** Whether retention or compaction is on (else no cleaner runs: the logs only grow). */
export const cleaning = (p: KafkaParams) =>
  p.cleanupPolicy !== 'delete' || p.retentionMs > 0 || p.retentionRecords > 0;

/** The log manager's and log cleaner's pass over every replica this broker holds (log.ts `clean`). */
function cleanLogs(ctx: C, s: BrokerState): void {
  const p = ctx.params;
  s.replicas.forEach((r, i) => {
    if (r == null) return;
    const out = clean(
      r,
      {
        policy: p.cleanupPolicy,
        retentionUs: p.retentionMs * 1000,
        retentionRecords: p.retentionRecords,
        segmentRecords: p.segmentRecords,
        deleteRetentionUs: p.deleteRetentionMs * 1000,
        bugKeepOldest: p.bugCompactKeepOldest,
      },
      ctx.now(),
    );
    s.retentionDeleted += out.deleted;
    s.compacted += out.compacted;
    if (out.deleted > 0)
      ctx.note(`p${i}: retention deleted ${out.deleted} record(s), log start offset ${out.newStart}`);
    if (out.compacted > 0) ctx.note(`p${i}: compaction removed ${out.compacted} record(s)`);
    if (out.deleted + out.compacted > 0) ctx.emit({ type: 'cleaned', partition: i });
  });
}

function heartbeat(ctx: C, s: BrokerState): void {
  const controller = controllerOf(ctx);
  if (controller !== '')
    ctx.send(controller, { type: 'BrokerHeartbeat', metadataVersion: s.metadataVersion });
  ctx.setTimer('heartbeat', ctx.params.heartbeatMs * 1000);
}

/**
 * Metadata from the controller: for each partition this broker holds, become its leader (a new
 * leader epoch starts at the log end) or its follower (fetching from the new leader; truncation
 * comes with the first fetch answer).
 */
function onMetadata(ctx: C, s: BrokerState, m: MsgOf<'Metadata'>): void {
  if (m.version <= s.metadataVersion) return;
  s.metadataVersion = m.version;
  const now = ctx.now();
  for (const p of m.partitions) {
    const i = p.partition;
    const before = s.partitions[i];
    s.partitions[i] = p;
    // No holes in the per-partition lists: a state is plain JSON (a hole would read back as null).
    if (s.leading[i] === undefined) s.leading[i] = null;
    if (s.replicas[i] === undefined) s.replicas[i] = null;
    if (!p.replicas.includes(ctx.self)) {
      s.leading[i] = null;
      continue;
    }
    if (s.replicas[i] == null) s.replicas[i] = { log: [], highWatermark: 0 };
    const r = s.replicas[i]!;
    const led = s.leading[i] ?? null;
    if (p.leader === ctx.self) {
      if (led === null || before === undefined || before.leaderEpoch !== p.leaderEpoch) {
        const followers: LeaderState['followers'] = {};
        for (const f of p.replicas)
          if (f !== ctx.self)
            followers[f] = {
              logEndOffset: 0,
              lastCaughtUpUs: now,
              lastFetchUs: now,
              lastFetchLeaderLogEndOffset: 0,
            };
        s.leading[i] = {
          epochStartOffset: logEndOffset(r),
          followers,
          waiting: [],
          pendingIsr: null,
          pendingSentUs: 0,
        };
        ctx.note(`p${i}: leader, epoch ${p.leaderEpoch}, from offset ${logEndOffset(r)}`);
        ctx.emit({
          type: 'became-leader',
          partition: i,
          epoch: p.leaderEpoch,
          clean: p.leaderRecoveryState === 'recovered',
        });
        maybeAdvanceHighWatermark(ctx, s, i);
      } else {
        // The controller's record may answer an AlterPartition whose response is still on its way.
        if (led.pendingIsr !== null && sameSet(led.pendingIsr, p.isr)) led.pendingIsr = null;
        maybeAdvanceHighWatermark(ctx, s, i);
      }
    } else if (led !== null) {
      // Leadership moved on: produces waiting for acks=all get no answer (their outcome is unknown).
      s.leading[i] = null;
      ctx.note(`p${i}: follower of ${p.leader || 'nobody'} (epoch ${p.leaderEpoch})`);
    }
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

function onAlterPartitionResponse(ctx: C, s: BrokerState, m: MsgOf<'AlterPartitionResponse'>): void {
  const l = s.leading[m.partition];
  const cur = s.partitions[m.partition];
  if (l === null || l === undefined || cur === undefined) return;
  if (m.record.partitionEpoch >= cur.partitionEpoch) s.partitions[m.partition] = m.record;
  // Only the answer to the request in flight ends it: a late answer to an earlier one (whose
  // result the metadata brought first) must not drop a newer request from the maximal ISR.
  if (l.pendingIsr !== null && sameSet(l.pendingIsr, m.requested)) l.pendingIsr = null;
  maybeAdvanceHighWatermark(ctx, s, m.partition);
}

/** Asks the controller for a new ISR (one request in flight per partition, sent again until answered). */
function alterIsr(ctx: C, s: BrokerState, i: number, isr: string[]): void {
  const p = s.partitions[i]!;
  const l = s.leading[i]!;
  l.pendingIsr = isr;
  l.pendingSentUs = ctx.now();
  ctx.send(controllerOf(ctx), {
    type: 'AlterPartition',
    partition: i,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    isr,
  });
}

/** §4.7: a follower that has not caught up for replica.lag.time.max.ms leaves the ISR. */
function maybeShrinkIsr(ctx: C, s: BrokerState): void {
  const now = ctx.now();
  s.leading.forEach((l, i) => {
    if (l === null) return;
    if (l.pendingIsr !== null) {
      // Unanswered (lost, or the controller was down): ask again, at the current epochs.
      if (now - l.pendingSentUs >= (ctx.params.replicaLagTimeMaxMs * 1000) / 2)
        alterIsr(ctx, s, i, l.pendingIsr);
      return;
    }
    const p = s.partitions[i]!;
    const out = p.isr.filter(
      (f) =>
        f !== ctx.self && now - (l.followers[f]?.lastCaughtUpUs ?? 0) > ctx.params.replicaLagTimeMaxMs * 1000,
    );
    if (out.length === 0) return;
    ctx.note(`p${i}: ${out.join(',')} out of sync for ${ctx.params.replicaLagTimeMaxMs} ms, shrink the ISR`);
    alterIsr(
      ctx,
      s,
      i,
      p.isr.filter((f) => !out.includes(f)),
    );
  });
}

/**
 * The high watermark: the smallest log end offset over the (maximal) ISR, never moving back;
 * the acks=all produces below it are answered (§4.7, "Replicated Logs").
 */
export function maybeAdvanceHighWatermark(ctx: C, s: BrokerState, i: number): void {
  const l = s.leading[i];
  const r = s.replicas[i];
  const p = s.partitions[i];
  if (l === null || l === undefined || r === null || r === undefined || p === undefined) return;
  let hw = logEndOffset(r);
  if (!ctx.params.bugAdvanceHwBeforeIsr)
    for (const f of maximalIsr(p, l))
      if (f !== ctx.self) hw = Math.min(hw, l.followers[f]?.logEndOffset ?? 0);
  if (hw <= r.highWatermark) return;
  r.highWatermark = hw;
  const done = l.waiting.filter((w) => w.offset < hw);
  if (done.length === 0) return;
  l.waiting = l.waiting.filter((w) => w.offset >= hw);
  // With fewer in-sync replicas than min.insync.replicas the record is committed all the same,
  // but the producer hears NotEnoughReplicasAfterAppend: it cannot tell how safe it is.
  const enough = p.isr.length >= ctx.params.minInsyncReplicas;
  for (const w of done) {
    const rec = recordAt(r, w.offset);
    ctx.send(w.client, {
      type: 'ProduceResponse',
      req: w.req,
      partition: i,
      error: enough ? 'none' : 'not-enough-replicas-after-append',
      offset: w.offset,
      epoch: rec?.epoch ?? -1,
      leader: ctx.self,
    });
  }
}

/**
 * An idempotent produce against the log (KIP-98; Kafka's ProducerStateManager keeps, per
 * producer id, the epoch and the last five batches' sequences, rebuilt from the log on a new
 * leader): `append` the next sequence; a `duplicate` of a record the log holds (a retry, or a
 * copy the network made) is answered with that record's offset and not appended again; an
 * older sequence than those is a `duplicate-sequence-number`; a gap is `out-of-order`; an epoch
 * older than the producer's last is `fenced`. The state is read from the log itself, so every
 * replica that has the records knows it.
 */
export function checkSequence(
  log: readonly LogRecord[],
  producerId: number,
  producerEpoch: number,
  sequence: number,
):
  | { kind: 'append' }
  | { kind: 'duplicate'; offset: number }
  | { kind: 'duplicate-sequence-number' | 'out-of-order' | 'fenced' } {
  let latest: LogRecord | undefined;
  let seen = 0;
  for (let o = log.length - 1; o >= 0 && seen < 5; o--) {
    const rec = log[o]!;
    if (rec.producerId !== producerId) continue;
    latest ??= rec;
    seen += 1;
    if (rec.sequence === sequence && rec.producerEpoch === producerEpoch)
      return { kind: 'duplicate', offset: rec.offset };
  }
  if (latest === undefined) return sequence === 0 ? { kind: 'append' } : { kind: 'out-of-order' };
  if (producerEpoch < (latest.producerEpoch ?? 0)) return { kind: 'fenced' };
  if (producerEpoch > (latest.producerEpoch ?? 0))
    return sequence === 0 ? { kind: 'append' } : { kind: 'out-of-order' };
  if (sequence <= (latest.sequence ?? -1)) return { kind: 'duplicate-sequence-number' };
  return sequence === (latest.sequence ?? -1) + 1 ? { kind: 'append' } : { kind: 'out-of-order' };
}

/** Produce: the leader appends, and answers now (acks=1), once the HW passes (acks=all), or never (acks=0). */
function onProduce(ctx: C, s: BrokerState, from: string, m: MsgOf<'Produce'>): void {
  const i = m.partition;
  const p = s.partitions[i];
  const l = s.leading[i];
  const r = s.replicas[i];
  const refuse = (error: ClientError) => {
    if (m.acks !== '0')
      ctx.send(from, {
        type: 'ProduceResponse',
        req: m.req,
        partition: i,
        error,
        offset: -1,
        epoch: -1,
        leader: p?.leader ?? '',
      });
  };
  if (l === null || l === undefined || r === null || r === undefined || p === undefined) {
    refuse('not-leader-or-follower');
    return;
  }
  // min.insync.replicas (§4.7 "Availability and Durability Guarantees"): refused before the append.
  if (m.acks === 'all' && p.isr.length < ctx.params.minInsyncReplicas) {
    ctx.note(`p${i}: NotEnoughReplicas (ISR ${p.isr.length} < ${ctx.params.minInsyncReplicas})`);
    refuse('not-enough-replicas');
    return;
  }
  const idempotent = m.producerId !== undefined && m.producerEpoch !== undefined && m.sequence !== undefined;
  if (idempotent && !ctx.params.bugNoSequenceCheck) {
    const seq = checkSequence(r.log, m.producerId!, m.producerEpoch!, m.sequence!);
    if (seq.kind === 'duplicate') {
      // Answered as the first copy was: at once for acks=1, once committed for acks=all.
      s.duplicates += 1;
      ctx.note(
        `p${i}: duplicate of producer ${m.producerId} sequence ${m.sequence} (offset ${seq.offset}), not appended`,
      );
      if (m.acks === 'all' && seq.offset >= r.highWatermark)
        l.waiting.push({ client: from, req: m.req, offset: seq.offset });
      else
        ctx.send(from, {
          type: 'ProduceResponse',
          req: m.req,
          partition: i,
          error: 'none',
          offset: seq.offset,
          epoch: recordAt(r, seq.offset)?.epoch ?? -1,
          leader: ctx.self,
        });
      return;
    }
    if (seq.kind !== 'append') {
      if (seq.kind === 'out-of-order') s.outOfOrder += 1;
      else s.duplicates += 1;
      ctx.note(`p${i}: producer ${m.producerId} sequence ${m.sequence}: ${seq.kind}, not appended`);
      refuse(
        seq.kind === 'fenced'
          ? 'invalid-producer-epoch'
          : seq.kind === 'out-of-order'
            ? 'out-of-order-sequence-number'
            : 'duplicate-sequence-number',
      );
      return;
    }
  }
  const offset = logEndOffset(r);
  const record: LogRecord = {
    offset,
    epoch: p.leaderEpoch,
    timestamp: ctx.now(),
    key: m.key,
    value: m.value,
  };
  if (idempotent) {
    record.producerId = m.producerId!;
    record.producerEpoch = m.producerEpoch!;
    record.sequence = m.sequence!;
  }
  r.log.push(record);
  s.appended += 1;
  if (m.acks === '1' || (m.acks === 'all' && ctx.params.bugAckAllFromLeaderOnly))
    ctx.send(from, {
      type: 'ProduceResponse',
      req: m.req,
      partition: i,
      error: 'none',
      offset,
      epoch: p.leaderEpoch,
      leader: ctx.self,
    });
  else if (m.acks === 'all') l.waiting.push({ client: from, req: m.req, offset });
  maybeAdvanceHighWatermark(ctx, s, i);
}

/**
 * A consumer's read of one key: the last value of the key in the partition below the high
 * watermark (what a reader of a compacted topic holds), served by the leader only. A new leader
 * serves once its high watermark has reached the start of its epoch (KIP-207's
 * OFFSET_NOT_AVAILABLE), so a read never goes back before what the previous leader committed.
 */
function onReadLatest(ctx: C, s: BrokerState, from: string, m: MsgOf<'ReadLatest'>): void {
  const i = m.partition;
  const l = s.leading[i];
  const r = s.replicas[i];
  const leader = s.partitions[i]?.leader ?? '';
  if (l === null || l === undefined || r === null || r === undefined) {
    ctx.send(from, {
      type: 'ReadLatestResponse',
      req: m.req,
      error: 'not-leader-or-follower',
      value: null,
      leader,
    });
    return;
  }
  if (r.highWatermark < l.epochStartOffset) {
    ctx.send(from, {
      type: 'ReadLatestResponse',
      req: m.req,
      error: 'offset-not-available',
      value: null,
      leader,
    });
    return;
  }
  let value: string | null = null;
  for (let k = positionOf(r, r.highWatermark) - 1; k >= 0; k--)
    if (r.log[k]!.key === m.key) {
      value = r.log[k]!.tombstone === true ? null : r.log[k]!.value;
      break;
    }
  ctx.emit({ type: 'consumed', partition: i, upTo: r.highWatermark });
  ctx.send(from, { type: 'ReadLatestResponse', req: m.req, error: 'none', value, leader: ctx.self });
}

/** Followers: one Fetch per leader for every partition it leads that this broker follows (a fetcher per source broker). */
function fetchAll(ctx: C, s: BrokerState, only?: string): void {
  const byLeader = new Map<string, FetchPartition[]>();
  s.partitions.forEach((p, i) => {
    const r = s.replicas[i];
    if (
      r === null ||
      r === undefined ||
      p.leader === '' ||
      p.leader === ctx.self ||
      !p.replicas.includes(ctx.self)
    )
      return;
    if (only !== undefined && p.leader !== only) return;
    const last = r.log[r.log.length - 1];
    const list = byLeader.get(p.leader) ?? [];
    list.push({
      partition: i,
      fetchOffset: logEndOffset(r),
      lastFetchedEpoch: last?.epoch ?? -1,
      currentLeaderEpoch: p.leaderEpoch,
    });
    byLeader.set(p.leader, list);
  });
  const now = ctx.now();
  for (const [leader, partitions] of byLeader) {
    const sent = s.fetching[leader];
    // One fetch in flight per leader; one unanswered for a lag period is given up (the leader may be down).
    if (sent !== undefined && now - sent < ctx.params.replicaLagTimeMaxMs * 1000) continue;
    s.fetching[leader] = now;
    ctx.send(leader, { type: 'Fetch', partitions });
  }
}

/**
 * The leader's side of a follower's fetch: check the follower's last epoch against the log
 * (diverging: tell it where to truncate), note how far it is (Replica.updateFetchState: caught up
 * if it reached the log end now, or the log end of its previous fetch), maybe add it back to
 * the ISR, move the high watermark, and send what follows.
 */
function onFetch(ctx: C, s: BrokerState, from: string, m: MsgOf<'Fetch'>): void {
  const now = ctx.now();
  const out: FetchPartitionResponse[] = [];
  for (const f of m.partitions) {
    const i = f.partition;
    const l = s.leading[i];
    const r = s.replicas[i];
    const p = s.partitions[i];
    if (l === null || l === undefined || r === null || r === undefined || p === undefined) {
      out.push({
        partition: i,
        error: 'not-leader-or-follower',
        records: [],
        highWatermark: 0,
        divergingEpoch: null,
      });
      continue;
    }
    if (f.currentLeaderEpoch !== p.leaderEpoch) {
      out.push({
        partition: i,
        error: 'fenced-leader-epoch',
        records: [],
        highWatermark: 0,
        divergingEpoch: null,
      });
      continue;
    }
    if (f.lastFetchedEpoch >= 0) {
      const end = endOffsetForEpoch(r.log, f.lastFetchedEpoch);
      if (end.epoch !== f.lastFetchedEpoch || end.endOffset < f.fetchOffset) {
        out.push({
          partition: i,
          error: 'none',
          records: [],
          highWatermark: r.highWatermark,
          divergingEpoch: end,
        });
        continue;
      }
    }
    const leo = logEndOffset(r);
    const fs = l.followers[from];
    if (fs !== undefined) {
      if (f.fetchOffset >= leo) fs.lastCaughtUpUs = now;
      else if (f.fetchOffset >= fs.lastFetchLeaderLogEndOffset)
        fs.lastCaughtUpUs = Math.max(fs.lastCaughtUpUs, fs.lastFetchUs);
      fs.lastFetchUs = now;
      fs.lastFetchLeaderLogEndOffset = leo;
      fs.logEndOffset = f.fetchOffset;
      // Back into the ISR once caught up to the high watermark within this epoch.
      if (
        !p.isr.includes(from) &&
        l.pendingIsr === null &&
        f.fetchOffset >= r.highWatermark &&
        f.fetchOffset >= l.epochStartOffset
      ) {
        ctx.note(`p${i}: ${from} caught up, back into the ISR`);
        alterIsr(ctx, s, i, [...p.isr, from]);
      }
      maybeAdvanceHighWatermark(ctx, s, i);
    }
    const answer: FetchPartitionResponse = {
      partition: i,
      error: 'none',
      records: recordsFrom(r, f.fetchOffset, ctx.params.fetchMaxRecords),
      highWatermark: r.highWatermark,
      divergingEpoch: null,
    };
    if (logStart(r) > 0) answer.logStartOffset = logStart(r);
    out.push(answer);
  }
  ctx.send(from, { type: 'FetchResponse', partitions: out });
}

/** The follower's side: truncate where told, append, take the leader's high watermark; fetch again at once if there was more. */
function onFetchResponse(ctx: C, s: BrokerState, from: string, m: MsgOf<'FetchResponse'>): void {
  delete s.fetching[from];
  let more = false;
  for (const f of m.partitions) {
    const i = f.partition;
    const r = s.replicas[i];
    const p = s.partitions[i];
    if (f.error !== 'none' || r === null || r === undefined || p === undefined || p.leader !== from) continue;
    if (f.divergingEpoch !== null) {
      // KIP-101: keep what this log has of the diverging epoch, no more than the leader has.
      const mine = endOffsetForEpoch(r.log, f.divergingEpoch.epoch);
      const to = Math.min(f.divergingEpoch.endOffset, mine.endOffset);
      if (to < logEndOffset(r)) {
        const gone = truncateTo(r, to);
        ctx.note(`p${i}: truncate ${gone} record(s) from offset ${to} (diverged from ${from}'s log)`);
        s.truncated += gone;
        r.highWatermark = Math.min(r.highWatermark, to);
      }
      more = true;
      continue;
    }
    // The leader deleted below its log start: so does the follower (all of its log, when it is behind it).
    if ((f.logStartOffset ?? 0) > logStart(r)) {
      r.log.splice(0, positionOf(r, f.logStartOffset!));
      r.logStartOffset = f.logStartOffset!;
    }
    // Records follow the log end (with gaps where the leader compacted).
    for (const rec of f.records) if (rec.offset >= logEndOffset(r)) r.log.push(rec);
    s.fetched += f.records.length;
    if (f.records.length > 0) more = true;
    r.highWatermark = Math.max(r.highWatermark, Math.min(f.highWatermark, logEndOffset(r)));
  }
  if (more) fetchAll(ctx, s, from);
}

/**
 * A group member's fetch (§4.5): the leader answers with the records from `offset` below its
 * high watermark ("only committed messages are ever given out to the consumer", §4.7), at most
 * `fetchMaxRecords`; a broker that does not lead says who does.
 */
function onConsumerFetch(ctx: C, s: BrokerState, from: string, m: MsgOf<'ConsumerFetch'>): void {
  const i = m.partition;
  const l = s.leading[i];
  const r = s.replicas[i];
  const answer = (
    error: 'none' | 'not-leader-or-follower' | 'offset-not-available' | 'offset-out-of-range',
    records: LogRecord[] = [],
  ) => {
    const out: KafkaMsg = {
      type: 'ConsumerFetchResponse',
      partition: i,
      offset: m.offset,
      error,
      records,
      leader: s.partitions[i]?.leader ?? '',
    };
    if (error === 'offset-out-of-range' && r != null) {
      out.logStartOffset = logStart(r);
      out.highWatermark = r.highWatermark;
    }
    ctx.send(from, out);
  };
  if (l == null || r == null) {
    answer('not-leader-or-follower');
    return;
  }
  // KIP-207: a new leader serves nothing until its high watermark reaches its epoch's start.
  if (r.highWatermark < l.epochStartOffset) {
    answer('offset-not-available');
    return;
  }
  // OFFSET_OUT_OF_RANGE: the position was deleted by retention; the consumer resets (auto.offset.reset).
  if (m.offset < logStart(r)) {
    answer('offset-out-of-range');
    return;
  }
  const records = recordsFrom(r, m.offset, ctx.params.fetchMaxRecords, r.highWatermark);
  if (records.length === 0) {
    answer('none');
    return;
  }
  ctx.emit({ type: 'consumed', partition: i, upTo: records[records.length - 1]!.offset + 1 });
  answer('none', records);
}
