import type { Ctx, Input } from '../../../protocol';
import { initKvClient, kvClient, nextAfter } from '../../../toolkit/kv-client';
import type { DynamoClientState, DynamoMsg, DynamoParams, ResponseMsg } from './types';

/**
 * A Dynamo client (DeCandia et al., SOSP 2007, §4.1 "System Interface": get(key) returns the
 * object, or the conflicting versions, with a context; put(key, context, object) writes with
 * the context of the last get). It is the toolkit's retrying key-value client: each client
 * sends to one node, its "nearby" coordinator (§4.5 lets a client pick a node; here client k of
 * C starts at replica round(k·R/C), so two clients on five replicas start at n1 and n4), moves
 * on to the next replica when a request goes unanswered, and keeps the node that answered.
 * The client keeps, per key, the version vector it last saw: that is the context its next
 * write sends, so a write after a read of siblings supersedes them all (the client's merge,
 * §4.4).
 */

type P = DynamoParams;
type C = Ctx<P, DynamoMsg>;

/** A client's state before its first operation. */
export function initClient(): DynamoClientState {
  return { kind: 'client', ...initKvClient(), context: {}, siblingReads: 0 };
}

/** The replica a client starts at: client k of C talks first to replica round(k·R/C). */
function nearby(ctx: C): string {
  const rs = ctx.nodesWithRole('replica');
  const cs = ctx.nodesWithRole('client');
  const k = Math.max(0, cs.indexOf(ctx.self));
  return rs[Math.round((k * rs.length) / Math.max(1, cs.length)) % rs.length] ?? '';
}

const client = kvClient<P, DynamoMsg, DynamoClientState, ResponseMsg>({
  retry: {
    timer: 'per-request',
    afterUs: (p) => p.clientRetryMs * 1000,
    maxTries: (p) => p.clientMaxTries,
  },
  address(ctx, c, r, why) {
    const rs = ctx.nodesWithRole('replica');
    if (rs.length === 0) return '';
    if (why === 'timeout') c.leader = nextAfter(rs, r.to);
    else if (c.leader === '') c.leader = nearby(ctx);
    return c.leader;
  },
  request: (_ctx, c, r) => ({
    type: 'Request',
    req: r.req,
    op: r.op === 'read' ? 'get' : 'put',
    key: r.key,
    value: r.value,
    context: c.context[r.key] ?? {},
  }),
  answers: { types: ['Response'], req: (m) => m.req },
  read(_ctx, c, r, from, m) {
    if (m.outcome === 'ok') {
      c.context[r.key] = m.context;
      if (r.op === 'write') return { done: { ok: true }, leader: from };
      // Siblings come back together; a read of siblings is a value no single write wrote.
      const values = [...new Set(m.values)].sort();
      if (values.length > 1) c.siblingReads += 1;
      return { done: { ok: true, value: values.length === 0 ? null : values.join(' | ') }, leader: from };
    }
    // A refusal or a timeout from a node the request has since left says nothing about it.
    if (from !== r.to) return {};
    // A get that was refused or timed out did nothing. A put refused on its first send did
    // nothing either; but a put that timed out may be stored on some replicas, and so may an
    // earlier send of one refused now: its outcome stays unknown, and the retry timer sends it
    // on to the next node.
    if (r.op === 'read' || (m.outcome === 'refused' && r.tries === 1)) return { done: { ok: false } };
    return {};
  },
});

/** A client's handler. */
export function clientOn(ctx: C, c: DynamoClientState, input: Input<DynamoMsg>): void {
  client(ctx, c, input);
}
