import type { Ctx, Input } from '../../protocol';
import { acking } from './broker';
import type { Message, PubSubMsg, PubSubParams, SubscriberState } from './types';

/**
 * A subscriber (a consumer, pubsub.ts has the sources). It subscribes to its topics and says
 * so again every third of its lease (the connection's heartbeat), takes deliveries into a
 * buffer (at most `prefetch` when it acks), processes them one at a time, and then:
 * - at-most-once: nothing more (auto-ack: the broker forgot the message when it sent it);
 * - at-least-once: acks a message after its effect is applied, or nacks it when processing
 *   failed, so the broker redelivers it; a crash between the effect and the ack means the
 *   message comes again and its effect is applied twice (a duplicate);
 * - effectively-once: the same, but the consumer is idempotent: it keeps the ids it applied
 *   next to the effects (one store, so both survive a crash together) and skips one it has.
 */
type SubCtx = Ctx<PubSubParams, PubSubMsg>;

/** Messages processed that the inspector lists. */
const RECENT = 6;

export function initSubscriber(): SubscriberState {
  return {
    kind: 'subscriber',
    buffer: [],
    busy: false,
    applied: {},
    lastSeq: {},
    received: 0,
    processed: 0,
    duplicates: 0,
    duplicateEffects: 0,
    failed: 0,
    lastLatencyUs: 0,
    recent: [],
  };
}

function subscribe(ctx: SubCtx): void {
  const broker = ctx.nodesWithRole('broker')[0];
  if (broker !== undefined) ctx.send(broker, { type: 'Subscribe', topics: ctx.params.topics });
  ctx.setTimer('heartbeat', Math.max(1000, Math.round((ctx.params.leaseMs * 1000) / 3)));
}

/** Starts processing the next buffered message, if any. */
function next(ctx: SubCtx, s: SubscriberState): void {
  s.busy = s.buffer.length > 0;
  if (s.busy) ctx.setTimer('process', Math.round(ctx.params.processMs * 1000));
}

/**
 * Per-publisher order, where the broker promises it: a first delivery (not a redelivery) of a
 * message its publisher sent once must come after every earlier such message of that publisher
 * in the same queue. Links are FIFO, as AMQP's TCP connections are, and a queue is FIFO.
 */
function checkOrder(ctx: SubCtx, s: SubscriberState, queue: string, m: Message): void {
  if (m.redelivered || m.publishTry !== 1) return;
  const key = `${queue}|${m.publisher}`;
  const last = s.lastSeq[key] ?? 0;
  if (m.seq > last) s.lastSeq[key] = m.seq;
  else if (m.seq < last)
    ctx.emit({ type: 'out-of-order', queue, publisher: m.publisher, seq: m.seq, after: last });
}

function onDeliver(ctx: SubCtx, s: SubscriberState, queue: string, tag: number, msg: Message): void {
  s.received += 1;
  checkOrder(ctx, s, queue, msg);
  const ackNow = acking(ctx.params) && ctx.params.bugAckBeforeProcess;
  if (ackNow) ctx.send(ctx.nodesWithRole('broker')[0] ?? '', { type: 'Ack', queue, tag });
  s.buffer.push({ queue, tag, msg, acked: ackNow || !acking(ctx.params) });
  if (!s.busy) next(ctx, s);
}

/** Applies a message's side effect (or skips it, for an idempotent consumer that has it). */
function apply(ctx: SubCtx, s: SubscriberState, queue: string, m: Message): void {
  const had = s.applied[m.id];
  if (had !== undefined) {
    s.duplicates += 1;
    if (ctx.params.semantics === 'effectively-once' && !ctx.params.bugNoDedupe) {
      ctx.note(`skip ${m.id}: already applied`);
      return;
    }
    had.n += 1;
    s.duplicateEffects += 1;
    ctx.note(`apply ${m.id} again (${had.n} times)`);
    ctx.emit({
      type: 'duplicate-effect',
      id: m.id,
      n: had.n,
      promised: ctx.params.semantics === 'effectively-once',
    });
    return;
  }
  s.applied[m.id] = { queue, n: 1 };
  ctx.note(`apply ${m.id}`);
  s.processed += 1;
  s.lastLatencyUs = Math.max(0, ctx.now() - m.publishedUs);
  s.recent.push(m.id);
  if (s.recent.length > RECENT) s.recent.shift();
}

/** The `process` timer: the head of the buffer is done (or failed). */
function onProcessed(ctx: SubCtx, s: SubscriberState): void {
  const d = s.buffer.shift();
  if (d === undefined) {
    s.busy = false;
    return;
  }
  const broker = ctx.nodesWithRole('broker')[0] ?? '';
  if (ctx.params.failRate > 0 && ctx.rng.chance(ctx.params.failRate)) {
    s.failed += 1;
    ctx.note(`processing ${d.msg.id} failed`);
    if (!d.acked) ctx.send(broker, { type: 'Nack', queue: d.queue, tag: d.tag });
  } else {
    apply(ctx, s, d.queue, d.msg);
    if (!d.acked) ctx.send(broker, { type: 'Ack', queue: d.queue, tag: d.tag });
  }
  next(ctx, s);
}

/** The subscriber's handler. */
export function onSubscriber(ctx: SubCtx, s: SubscriberState, input: Input<PubSubMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      subscribe(ctx);
      return;
    case 'timer':
      if (input.name === 'heartbeat') subscribe(ctx);
      else if (input.name === 'process') onProcessed(ctx, s);
      return;
    case 'message':
      if (input.msg.type === 'Deliver') onDeliver(ctx, s, input.msg.queue, input.msg.tag, input.msg.msg);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
  }
}
