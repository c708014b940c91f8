/**
 * The workload's client: a producer for writes and a consumer for reads, on the toolkit's
 * key-value client. A write of key k is a record produced to partition
 * `toPositive(murmur2(k)) % partitions` (partitioner.ts) with the acks the params say; a read of
 * k asks the partition's leader for k's last committed value. The client caches each
 * partition's leader (its metadata), follows NotLeaderOrFollower hints, and never re-sends a
 * produce (an idempotent producer, which may, is a later slice): a request unanswered for
 * request.timeout.ms is given up (its outcome unknown) and the partition's leader looked up again.
 */
import type { Ctx, Input } from '../../protocol';
import { initKvClient, type KvAnswer, kvClient } from '../../toolkit/kv-client';
import { partitionForKey } from './partitioner';
import type { ClientState, KafkaMsg, KafkaParams, MsgOf } from './types';

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
  };
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
  MsgOf<'ProduceResponse'> | MsgOf<'ReadLatestResponse'>
>({
  address: (ctx, c, r) => leaderOf(ctx, c, partitionForKey(r.key, ctx.params.partitions)),
  request: (ctx, _c, r) =>
    r.op === 'write'
      ? {
          type: 'Produce',
          req: r.req,
          partition: partitionForKey(r.key, ctx.params.partitions),
          key: r.key,
          value: r.value,
          acks: ctx.params.acks,
        }
      : {
          type: 'ReadLatest',
          req: r.req,
          partition: partitionForKey(r.key, ctx.params.partitions),
          key: r.key,
        },
  answers: { types: ['ProduceResponse', 'ReadLatestResponse'], req: (m) => m.req },
  read(ctx, c, r, from, m): KvAnswer {
    const partition = partitionForKey(r.key, ctx.params.partitions);
    if (m.error === 'none') {
      c.leaders[partition] = from;
      if (m.type === 'ProduceResponse') {
        const acks = ctx.params.acks === 'all' ? 'all' : '1';
        c.acked.push({ partition, offset: m.offset, epoch: m.epoch, key: r.key, value: r.value, acks });
        ctx.emit({ type: 'acked', partition, offset: m.offset, epoch: m.epoch, value: r.value, acks });
        return { done: { ok: true } };
      }
      return { done: { ok: true, value: m.value } };
    }
    if (m.error === 'not-enough-replicas-after-append') return {}; // written, but how safely is unknown: no answer
    if (m.error === 'not-enough-replicas') {
      c.notEnoughReplicas += 1;
      return { done: { ok: false } };
    }
    if (m.error === 'offset-not-available') return { done: { ok: false } };
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
  if (input.kind === 'start' || input.kind === 'restart')
    ctx.setTimer('request-timeout', ctx.params.requestTimeoutMs * 1000);
  kv(ctx, c, input);
}

/** request.timeout.ms: give up on requests unanswered this long, and forget their partitions' leaders (metadata refresh). */
function expire(ctx: C, c: ClientState): void {
  const now = ctx.now();
  const limit = ctx.params.requestTimeoutMs * 1000;
  for (let k = 0; k < c.pending.length; ) {
    const r = c.pending[k]!;
    if (now - r.firstUs < limit) {
      k++;
      continue;
    }
    c.pending.splice(k, 1);
    const partition = partitionForKey(r.key, ctx.params.partitions);
    if (c.leaders[partition] === r.to) c.leaders[partition] = '';
    ctx.note(`#${r.id} timed out at ${r.to}: outcome unknown, look up p${partition}'s leader again`);
  }
  ctx.setTimer('request-timeout', Math.max(1000, limit / 4));
}
