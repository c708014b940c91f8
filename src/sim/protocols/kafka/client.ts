/**
 * The workload's client: a producer for writes and a consumer for reads, on the toolkit's
 * key-value client. A write of key k is a record produced to partition
 * `toPositive(murmur2(k)) % partitions` (partitioner.ts) with the acks the params say; a read of
 * k asks the partition's leader for k's last committed value. The client caches each
 * partition's leader (its metadata) and follows NotLeaderOrFollower hints. Without idempotence it
 * never re-sends a produce (a re-sent one could be appended twice): a request unanswered for
 * request.timeout.ms is given up (its outcome unknown) and the partition's leader looked up again.
 * With `idempotence` (KIP-98, acks=all only, as Kafka requires) the producer first gets a
 * producer id from the controller (InitProducerId), numbers its records per partition, and
 * re-sends an unanswered or refused produce with the same sequence number until
 * delivery.timeout.ms: the broker appends each sequence once. A produce given up leaves a gap in
 * the sequence, so the producer then takes a new producer id (Kafka bumps the epoch, KIP-360).
 */
import type { Ctx, Input } from '../../protocol';
import { initKvClient, type KvAnswer, type KvRequest, kvClient } from '../../toolkit/kv-client';
import { partitionForKey } from './partitioner';
import type { ClientState, KafkaMsg, KafkaParams, MsgOf, ProduceData } from './types';

type C = Ctx<KafkaParams, KafkaMsg>;

/** A client that knows no leader yet. */
export function initClient(params: KafkaParams): ClientState {
  return {
    kind: 'client',
    ...initKvClient(),
    leaders: Array.from({ length: params.partitions }, () => ''),
    acked: [],
    notEnoughReplicas: 0,
    fireAndForget: 0,
    producerId: -1,
    producerEpoch: 0,
    sequences: Array.from({ length: params.partitions }, () => 0),
    resent: 0,
  };
}

/** Whether produces are idempotent: enable.idempotence needs acks=all (Kafka refuses it otherwise). */
const idempotent = (p: KafkaParams) => p.idempotence && p.acks === 'all';

const controllerOf = (ctx: C) => ctx.nodesWithRole('controller')[0] ?? '';

/** InitProducerId: ask the controller for a (new) producer id; produces wait for it. */
function initProducerId(ctx: C, c: ClientState): void {
  c.producerId = -1;
  const to = controllerOf(ctx);
  if (to !== '') ctx.send(to, { type: 'InitProducerId' });
}

/** The Produce or ReadLatest message that carries a request (an idempotent produce with its batch header). */
function requestOf(ctx: C, r: KvRequest<ProduceData>): KafkaMsg {
  const partition = partitionForKey(r.key, ctx.params.partitions);
  if (r.op !== 'write') return { type: 'ReadLatest', req: r.req, partition, key: r.key };
  const m: KafkaMsg = {
    type: 'Produce',
    req: r.req,
    partition,
    key: r.key,
    value: r.value,
    acks: ctx.params.acks,
  };
  if (r.data != null) {
    m.producerId = r.data.producerId;
    m.producerEpoch = r.data.producerEpoch;
    m.sequence = r.data.sequence;
  }
  return m;
}

/** Where a request for a partition goes: its known leader, else any broker (which will name the leader). */
function leaderOf(ctx: C, c: ClientState, partition: number): string {
  const known = c.leaders[partition] ?? '';
  if (known !== '') return known;
  const brokers = ctx.nodesWithRole('broker');
  return brokers.length === 0 ? '' : brokers[ctx.rng.int(0, brokers.length - 1)]!;
}

const kv = kvClient<
  KafkaParams,
  KafkaMsg,
  ClientState,
  MsgOf<'ProduceResponse'> | MsgOf<'ReadLatestResponse'>,
  ProduceData
>({
  // An idempotent produce needs the producer id: before InitProducerId is answered, it fails at once.
  address: (ctx, c, r) =>
    r.op === 'write' && idempotent(ctx.params) && r.data == null
      ? ''
      : leaderOf(ctx, c, partitionForKey(r.key, ctx.params.partitions)),
  request: (ctx, _c, r) => requestOf(ctx, r),
  answers: { types: ['ProduceResponse', 'ReadLatestResponse'], req: (m) => m.req },
  // The next sequence number of the record's partition (KIP-98), taken when the write begins.
  begin(ctx, c, op): ProduceData {
    if (op.op !== 'write' || !idempotent(ctx.params) || c.producerId < 0) return null;
    const partition = partitionForKey(op.key, ctx.params.partitions);
    const sequence = c.sequences[partition] ?? 0;
    c.sequences[partition] = sequence + 1;
    return { producerId: c.producerId, producerEpoch: c.producerEpoch, sequence };
  },
  read(ctx, c, r, from, m): KvAnswer {
    const partition = partitionForKey(r.key, ctx.params.partitions);
    if (m.error === 'none') {
      c.leaders[partition] = from;
      if (m.type === 'ProduceResponse') {
        const acks = ctx.params.acks === 'all' ? 'all' : '1';
        c.acked.push({ partition, offset: m.offset, epoch: m.epoch, key: r.key, value: r.value, acks });
        ctx.emit({
          type: 'acked',
          partition,
          offset: m.offset,
          epoch: m.epoch,
          key: r.key,
          value: r.value,
          acks,
        });
        return { done: { ok: true } };
      }
      return { done: { ok: true, value: m.value } };
    }
    if (m.error === 'not-enough-replicas-after-append') return {}; // written, but how safely is unknown: no answer
    if (r.data != null) {
      // An idempotent produce: the record was written before (Kafka counts it a success), or
      // every other error is retried with the same sequence (expire re-sends it at the next tick).
      if (m.error === 'duplicate-sequence-number') return { done: { ok: true } };
      if (m.error === 'not-leader-or-follower') {
        c.leaders[partition] = m.leader;
        if (m.leader !== '' && m.leader !== from && r.to === from) return { redirect: m.leader };
      }
      if (m.error === 'not-enough-replicas') c.notEnoughReplicas += 1;
      r.sentUs = ctx.now() - ctx.params.requestTimeoutMs * 1000;
      return {};
    }
    if (m.error === 'not-enough-replicas') {
      c.notEnoughReplicas += 1;
      return { done: { ok: false } };
    }
    if (m.error !== 'not-leader-or-follower') return { done: { ok: false } };
    // NotLeaderOrFollower: nothing was written; follow the hint, or fail when there is none.
    c.leaders[partition] = m.leader;
    if (m.leader !== '' && m.leader !== from && r.to === from) return { redirect: m.leader };
    return { done: { ok: false } };
  },
});

/** One input to a client. */
export function onClient(ctx: C, c: ClientState, input: Input<KafkaMsg>): void {
  if (input.kind === 'client' && input.op.op === 'write' && ctx.params.acks === '0') {
    // acks=0: the producer sends and counts the record as written; no answer will come.
    const partition = partitionForKey(input.op.key, ctx.params.partitions);
    const to = leaderOf(ctx, c, partition);
    if (to === '') {
      ctx.reply(input.op, { ok: false });
      return;
    }
    ctx.send(to, {
      type: 'Produce',
      req: c.nextReq,
      partition,
      key: input.op.key,
      value: input.op.value ?? '',
      acks: '0',
    });
    c.nextReq += 1;
    c.fireAndForget += 1;
    ctx.reply(input.op, { ok: true });
    return;
  }
  if (input.kind === 'timer' && input.name === 'request-timeout') {
    expire(ctx, c);
    return;
  }
  if (input.kind === 'message' && input.msg.type === 'InitProducerIdResponse') {
    if (c.producerId < 0) {
      c.producerId = input.msg.producerId;
      c.producerEpoch = input.msg.producerEpoch;
      c.sequences = c.sequences.map(() => 0);
      ctx.note(`producer id ${c.producerId}`);
    }
    return;
  }
  if (input.kind === 'start' || input.kind === 'restart') {
    ctx.setTimer('request-timeout', ctx.params.requestTimeoutMs * 1000);
    if (idempotent(ctx.params)) initProducerId(ctx, c);
  }
  kv(ctx, c, input);
}

/**
 * request.timeout.ms: give up on requests unanswered this long, and forget their partitions'
 * leaders (metadata refresh). An idempotent produce is re-sent instead, with its sequence
 * number, to the partition's leader as now known, until delivery.timeout.ms.
 */
function expire(ctx: C, c: ClientState): void {
  const now = ctx.now();
  const limit = ctx.params.requestTimeoutMs * 1000;
  if (idempotent(ctx.params) && c.producerId < 0) initProducerId(ctx, c); // InitProducerId again (it or its answer was lost)
  let gap = false;
  for (let k = 0; k < c.pending.length; ) {
    const r = c.pending[k]!;
    if (r.data != null && now - r.firstUs < ctx.params.deliveryTimeoutMs * 1000) {
      if (now - r.sentUs >= limit) {
        const partition = partitionForKey(r.key, ctx.params.partitions);
        if (c.leaders[partition] === r.to) c.leaders[partition] = '';
        r.to = leaderOf(ctx, c, partition);
        r.tries += 1;
        r.sentUs = now;
        c.resent += 1;
        ctx.send(r.to, requestOf(ctx, r));
      }
      k++;
      continue;
    }
    if (r.data != null) gap = true;
    if (now - r.firstUs < limit) {
      k++;
      continue;
    }
    c.pending.splice(k, 1);
    const partition = partitionForKey(r.key, ctx.params.partitions);
    if (c.leaders[partition] === r.to) c.leaders[partition] = '';
    ctx.note(`#${r.id} timed out at ${r.to}: outcome unknown, look up p${partition}'s leader again`);
  }
  // A sequence number given up on is a gap no later produce can pass: start over with a new id.
  if (gap) initProducerId(ctx, c);
  ctx.setTimer('request-timeout', Math.max(1000, limit / 4));
}
