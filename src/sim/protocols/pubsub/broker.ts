import type { Ctx, Input } from '../../protocol';
import type { BrokerState, Delivery, Message, PublishMsg, PubSubMsg, PubSubParams, Queue } from './types';

/**
 * The broker (pubsub.ts has the sources). One exchange routes each published message by its
 * topic to every queue bound to that topic (Eugster et al. §3.1, topic-based: the topic is the
 * routing key); each queue hands its messages to its consumers round robin, at most `prefetch`
 * unacknowledged at a time per consumer, and takes a message back (requeue) when its delivery
 * is rejected, is not acknowledged within the ack timeout, or its consumer is lost. A message
 * rejected `maxAttempts` times (its processing failed each time: a poison message) goes to the
 * dead-letter queue instead.
 */
type BrokerCtx = Ctx<PubSubParams, PubSubMsg>;

/** Acks are expected (at-least-once and effectively-once); at-most-once delivers in auto-ack mode. */
export const acking = (p: PubSubParams): boolean => p.semantics !== 'at-most-once';

/** The queue a subscriber consumes a topic from: its own (fanout) or the topic's shared one (competing). */
export function queueName(p: PubSubParams, topic: string, subscriber: string): string {
  return p.mode === 'fanout' ? `${topic}@${subscriber}` : topic;
}

/** How often the broker looks for expired acks and leases, microseconds. */
export const tickUs = (p: PubSubParams): number =>
  Math.max(1000, Math.round((Math.min(p.ackTimeoutMs, p.leaseMs) * 1000) / 4));

export function initBroker(): BrokerState {
  return {
    kind: 'broker',
    queues: {},
    deadLetters: [],
    nextTag: 1,
    leases: {},
    accepted: 0,
    refused: 0,
    unroutable: 0,
    deliveries: 0,
    redeliveries: 0,
  };
}

/**
 * Takes deliveries back: to the head of their queue marked redelivered, or, for one its
 * consumer rejected for the `maxAttempts`-th time, to the dead-letter queue (a delivery limit,
 * as RabbitMQ's quorum queues have). Only rejections count: a delivery that comes back because
 * its ack is late, its consumer was lost or the broker restarted says nothing about the message.
 */
function requeue(ctx: BrokerCtx, s: BrokerState, q: Queue, ds: Delivery[], why: string): void {
  const back: Message[] = [];
  for (const d of ds) {
    const rejections = d.msg.rejections + (why === 'rejected' ? 1 : 0);
    if (rejections >= ctx.params.maxAttempts) {
      s.deadLetters.push({ queue: q.name, id: d.msg.id, reason: 'delivery-limit' });
      ctx.note(`dead-letter ${d.msg.id} from ${q.name}: rejected ${rejections} times`);
    } else back.push({ ...d.msg, rejections, redelivered: true });
  }
  if (back.length > 0) {
    q.ready.unshift(...back);
    ctx.note(`requeue ${back.map((m) => m.id).join(' ')} in ${q.name} (${why})`);
  }
}

/** Hands ready messages to consumers, round robin, within each consumer's prefetch. */
function dispatch(ctx: BrokerCtx, s: BrokerState, q: Queue): void {
  const ack = acking(ctx.params);
  while (q.ready.length > 0 && q.consumers.length > 0) {
    let to = '';
    for (let k = 0; k < q.consumers.length && to === ''; k++) {
      const c = q.consumers[(q.next + k) % q.consumers.length]!;
      let held = 0;
      if (ack) for (const d of q.unacked) if (d.consumer === c) held += 1;
      if (!ack || held < ctx.params.prefetch) {
        to = c;
        q.next = (q.next + k + 1) % q.consumers.length;
      }
    }
    if (to === '') return; // every consumer holds its prefetch: backpressure
    const head = q.ready.shift()!;
    const msg: Message = { ...head, deliveries: head.deliveries + 1 };
    s.deliveries += 1;
    if (msg.redelivered) s.redeliveries += 1;
    if (!ack) {
      ctx.send(to, { type: 'Deliver', queue: q.name, tag: 0, msg });
      continue;
    }
    const tag = s.nextTag++;
    q.unacked.push({ tag, consumer: to, atUs: ctx.now(), msg });
    ctx.send(to, { type: 'Deliver', queue: q.name, tag, msg });
  }
}

/** basic.publish: route by topic; a full queue refuses (reject-publish), the others still take it. */
function onPublish(ctx: BrokerCtx, s: BrokerState, from: string, m: PublishMsg): void {
  const bound = Object.values(s.queues).filter((q) => q.topic === m.msg.topic);
  if (bound.length === 0) {
    s.unroutable += 1;
    ctx.note(`unroutable ${m.msg.id}: no queue is bound to ${m.msg.topic}`);
    if (m.confirm) ctx.send(from, { type: 'PublishOk', req: m.req, id: m.msg.id, queues: [] });
    return;
  }
  const took: string[] = [];
  let full = '';
  for (const q of bound) {
    if (q.ready.length >= ctx.params.queueCapacity) {
      full = q.name;
      continue;
    }
    q.ready.push(m.msg);
    took.push(q.name);
  }
  if (took.length > 0) s.accepted += 1;
  if (full !== '') {
    s.refused += 1;
    ctx.note(`${full} is full: refuse ${m.msg.id}`);
    if (m.confirm) ctx.send(from, { type: 'PublishNack', req: m.req, id: m.msg.id, queue: full });
  } else if (m.confirm) ctx.send(from, { type: 'PublishOk', req: m.req, id: m.msg.id, queues: took });
  for (const q of bound) dispatch(ctx, s, q);
}

/** Subscribe (queue.declare + queue.bind + basic.consume, and a heartbeat when sent again). */
function onSubscribe(ctx: BrokerCtx, s: BrokerState, from: string, topics: readonly string[]): void {
  s.leases[from] = ctx.now();
  for (const topic of topics) {
    const name = queueName(ctx.params, topic, from);
    let q = s.queues[name];
    if (q === undefined) {
      q = { name, topic, consumers: [], next: 0, ready: [], unacked: [] };
      s.queues[name] = q;
      ctx.note(`declare ${name}`);
    }
    if (!q.consumers.includes(from)) {
      q.consumers.push(from);
      ctx.note(`${from} consumes ${name}`);
    }
    dispatch(ctx, s, q);
  }
}

/** basic.ack / basic.nack: the delivery is done, or goes back to the queue. */
function onSettle(ctx: BrokerCtx, s: BrokerState, queue: string, tag: number, ok: boolean): void {
  const q = s.queues[queue];
  if (q === undefined) return;
  const at = q.unacked.findIndex((d) => d.tag === tag);
  if (at < 0) return; // already redelivered elsewhere, or the broker restarted: a stale ack
  const [d] = q.unacked.splice(at, 1);
  if (!ok) requeue(ctx, s, q, [d!], 'rejected');
  dispatch(ctx, s, q);
}

/** The broker's tick: drop consumers whose lease ran out, redeliver what waited too long for an ack. */
function onTick(ctx: BrokerCtx, s: BrokerState): void {
  const now = ctx.now();
  const leaseUs = ctx.params.leaseMs * 1000;
  const lost: string[] = [];
  for (const [c, at] of Object.entries(s.leases)) if (now - at >= leaseUs) lost.push(c);
  for (const c of lost) {
    delete s.leases[c];
    ctx.note(`lost consumer ${c}`);
  }
  const ackUs = ctx.params.ackTimeoutMs * 1000;
  for (const q of Object.values(s.queues)) {
    if (lost.length > 0) {
      q.consumers = q.consumers.filter((c) => !lost.includes(c));
      if (q.next >= q.consumers.length) q.next = 0;
      const orphans = q.unacked.filter((d) => lost.includes(d.consumer));
      if (orphans.length > 0) {
        q.unacked = q.unacked.filter((d) => !lost.includes(d.consumer));
        requeue(ctx, s, q, orphans, 'consumer lost');
      }
    }
    const late = q.unacked.filter((d) => now - d.atUs >= ackUs);
    if (late.length > 0) {
      q.unacked = q.unacked.filter((d) => now - d.atUs < ackUs);
      requeue(ctx, s, q, late, 'ack timeout');
    }
    dispatch(ctx, s, q);
  }
  ctx.setTimer('tick', tickUs(ctx.params));
}

/**
 * After a crash: a transient broker (durable off) starts empty; a durable one kept its queues
 * and takes back every delivery that was unacknowledged (the connections died with it), and
 * waits for its consumers to subscribe again.
 */
function onRestart(ctx: BrokerCtx, s: BrokerState): void {
  if (!ctx.params.durable) {
    const lost = Object.values(s.queues).reduce((n, q) => n + q.ready.length + q.unacked.length, 0);
    s.queues = {};
    s.deadLetters = [];
    ctx.note(`transient queues lost in the crash (${lost} messages)`);
    return;
  }
  for (const q of Object.values(s.queues)) {
    q.consumers = [];
    q.next = 0;
    const held = q.unacked;
    q.unacked = [];
    requeue(ctx, s, q, held, 'broker restarted');
  }
}

/** The broker's handler. */
export function onBroker(ctx: BrokerCtx, s: BrokerState, input: Input<PubSubMsg>): void {
  switch (input.kind) {
    case 'restart':
      onRestart(ctx, s);
      ctx.setTimer('tick', tickUs(ctx.params));
      return;
    case 'start':
      ctx.setTimer('tick', tickUs(ctx.params));
      return;
    case 'timer':
      if (input.name === 'tick') onTick(ctx, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false }); // the broker takes no workload operations
      return;
    case 'message': {
      const m = input.msg;
      if (m.type === 'Publish') onPublish(ctx, s, input.from, m);
      else if (m.type === 'Subscribe') onSubscribe(ctx, s, input.from, m.topics);
      else if (m.type === 'Ack') onSettle(ctx, s, m.queue, m.tag, true);
      else if (m.type === 'Nack') onSettle(ctx, s, m.queue, m.tag, false);
      return;
    }
  }
}
