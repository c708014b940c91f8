import type { Ctx, Input } from '../../protocol';
import { initKvClient, kvClient } from '../../toolkit/kv-client';
import { acking } from './broker';
import type { Message, PublisherState, PubSubMsg, PubSubParams } from './types';

/**
 * A publisher (pubsub.ts has the sources). The workload's writes are its publishes: the key is
 * the topic, the value the body. Under at-most-once it sends and forgets (it answers the
 * workload at once). Otherwise it uses publisher confirms: the toolkit's retrying client
 * carries each publish, re-sends it with the same message id when no confirm came within
 * `publishRetryMs`, gives up after `publishMaxTries` sends, and answers the workload when the
 * broker confirms (ok) or refuses it because a queue is full (failed). A re-send after a lost
 * confirm puts a second copy in the queues: one source of duplicates.
 */
type PubCtx = Ctx<PubSubParams, PubSubMsg>;

export function initPublisher(): PublisherState {
  return { kind: 'publisher', ...initKvClient(), confirmed: [], published: 0, nacked: 0 };
}

const brokerOf = (ctx: PubCtx): string => ctx.nodesWithRole('broker')[0] ?? '';

/** What a publish is made of: its sequence number (the request number), topic and body. */
interface Draft {
  req: number;
  key: string;
  value: string;
}

/** The message a publish carries: its id and sequence number come from the request number. */
function message(ctx: PubCtx, r: Draft, publishedUs: number, tries: number): Message {
  return {
    id: `${ctx.self}:${r.req}`,
    topic: r.key,
    publisher: ctx.self,
    seq: r.req,
    publishTry: tries,
    body: r.value,
    publishedUs,
    deliveries: 0,
    rejections: 0,
    redelivered: false,
  };
}

const confirming = kvClient<
  PubSubParams,
  PubSubMsg,
  PublisherState,
  Extract<PubSubMsg, { type: 'PublishOk' | 'PublishNack' }>
>({
  retry: {
    timer: 'per-request',
    afterUs: (p) => Math.round(p.publishRetryMs * 1000),
    maxTries: (p) => p.publishMaxTries,
  },
  address: (ctx) => brokerOf(ctx),
  request(ctx, _c, r) {
    return { type: 'Publish', req: r.req, msg: message(ctx, r, r.firstUs, r.tries), confirm: true };
  },
  answers: { types: ['PublishOk', 'PublishNack'], req: (m) => m.req },
  read(_ctx, c, _r, _from, m) {
    if (m.type === 'PublishOk') {
      c.confirmed.push({ id: m.id, queues: m.queues });
      return { done: { ok: true } };
    }
    c.nacked += 1;
    return { done: { ok: false } };
  },
});

/** The publisher's handler. */
export function onPublisher(ctx: PubCtx, c: PublisherState, input: Input<PubSubMsg>): void {
  if (input.kind === 'client') {
    const op = input.op;
    if (op.op === 'read') {
      ctx.reply(op, { ok: false }); // a publisher has nothing to read
      return;
    }
    c.published += 1;
    if (!acking(ctx.params)) {
      // Fire and forget: no confirm, no re-send; the workload hears "ok" at once.
      const r: Draft = { req: c.nextReq, key: op.key, value: op.value ?? '' };
      c.nextReq += 1;
      const broker = brokerOf(ctx);
      if (broker !== '')
        ctx.send(broker, { type: 'Publish', req: r.req, msg: message(ctx, r, ctx.now(), 1), confirm: false });
      ctx.reply(op, { ok: broker !== '' });
      return;
    }
  }
  confirming(ctx, c, input);
}
