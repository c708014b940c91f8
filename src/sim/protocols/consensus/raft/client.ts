import { initKvClient, kvClient, nextAfter } from '../../../toolkit/kv-client';
import type { ClientResponse, ClientState, RaftMsg, RaftParams } from './types';

/**
 * A Raft client (Ongaro & Ousterhout 2014, §8 "Client interaction"), on the toolkit's
 * key-value client: it sends each workload operation to the server it believes is leader (a
 * server picked at random when it has no idea), follows redirects (the leader hint), and
 * re-sends with the same request id when no answer comes within clientRetryMs, to the next
 * server. Servers apply a write once per (client, request id), so a retry never applies twice.
 * With each request the client sends its lowest unanswered request id (`ack`): the servers may
 * forget the results of the requests below it. It never gives up: the workload's timeout does.
 */

/** A client's initial state. */
export function initClient(): ClientState {
  return { kind: 'client', ...initKvClient() };
}

/** One input to a client. */
export const onClient = kvClient<RaftParams, RaftMsg, ClientState, ClientResponse>({
  // One timer re-sends every request unanswered for clientRetryMs (§8).
  retry: { timer: 'sweep', afterUs: (p) => p.clientRetryMs * 1000 },
  address(ctx, c, r, why) {
    const servers = ctx.nodesWithRole('server');
    if (why === 'timeout') {
      // The server did not answer: it may be down or cut off. Try the next one.
      if (r.to === c.leader) c.leader = '';
      return nextAfter(servers, r.to);
    }
    if (servers.length === 0) return '';
    return c.leader !== '' ? c.leader : servers[ctx.rng.int(0, servers.length - 1)]!;
  },
  request: (_ctx, c, r) => ({
    type: 'ClientRequest',
    reqId: r.req,
    op: r.op === 'write' ? 'put' : 'get',
    key: r.key,
    value: r.value,
    ack: c.pending[0]!.req, // the lowest outstanding request id
  }),
  answers: { types: ['ClientResponse'], req: (m) => m.reqId },
  read(ctx, _c, r, from, m) {
    if (m.ok)
      return { done: r.op === 'read' ? { ok: true, value: m.value ?? null } : { ok: true }, leader: from };
    // Not the leader. An answer from a server the request has since left changes only the hint;
    // else follow the hint at once, or try the next server when it has none.
    if (r.to !== from) return { leader: m.leader };
    const to = m.leader !== '' && m.leader !== from ? m.leader : nextAfter(ctx.nodesWithRole('server'), from);
    return { redirect: to, leader: m.leader };
  },
});
