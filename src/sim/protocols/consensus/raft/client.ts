import type { ClientOp, Ctx, Input } from '../../../protocol';
import type { ClientPending, ClientResponse, ClientState, RaftMsg, RaftParams } from './types';

/**
 * A Raft client (Ongaro & Ousterhout 2014, §8 "Client interaction"): it sends each workload
 * operation to the server it believes is leader, follows redirects (the leader hint), and
 * re-sends with the same request id when no answer comes within clientRetryMs, to the next
 * server when it has no better idea. Servers apply a write once per (client, request id), so a
 * retry never applies twice. With each request the client sends its lowest unanswered request
 * id (`ack`): the servers may forget the results of the requests below it.
 */

type RaftCtx = Ctx<RaftParams, RaftMsg>;

/** Redirects followed per request between two timeouts (stale servers can point at each other). */
const MAX_HOPS = 3;

/** A client's initial state. */
export function initClient(): ClientState {
  return { kind: 'client', nextReq: 1, leader: '', pending: [] };
}

/** Sends a pending request to the server it is addressed to. */
function sendRequest(ctx: RaftCtx, p: ClientPending, ack: number): void {
  ctx.send(p.to, { type: 'ClientRequest', reqId: p.reqId, op: p.op, key: p.key, value: p.value, ack });
}

/** The lowest pending request id (the list is ascending), or Infinity when none is pending. */
function lowestPending(s: ClientState): number {
  return s.pending.length > 0 ? s.pending[0]!.reqId : Number.POSITIVE_INFINITY;
}

/** The server after `id` in id order (round robin when there is no leader hint). */
function nextServer(servers: readonly string[], id: string): string {
  const k = servers.indexOf(id);
  return servers[(k + 1) % servers.length] ?? '';
}

/** A new workload operation: to the believed leader, or to a server picked at random. */
function onOperation(ctx: RaftCtx, s: ClientState, op: ClientOp): void {
  const servers = ctx.nodesWithRole('server');
  if (servers.length === 0) {
    ctx.reply(op, { ok: false });
    return;
  }
  const to = s.leader !== '' ? s.leader : servers[ctx.rng.int(0, servers.length - 1)]!;
  const p: ClientPending = {
    reqId: s.nextReq,
    opId: op.id,
    op: op.op === 'write' ? 'put' : 'get',
    key: op.key,
    value: op.value ?? '',
    to,
    sentUs: ctx.now(),
    hops: 0,
  };
  const first = s.pending.length === 0;
  // Request ids only grow, so the new one goes last and the list stays ascending.
  s.pending.push(p);
  s.nextReq += 1;
  sendRequest(ctx, p, lowestPending(s));
  if (first) ctx.setTimer('retry', ctx.params.clientRetryMs * 1000);
}

/** §8: re-sends every request unanswered for clientRetryMs, same id, to the next server. */
function onRetry(ctx: RaftCtx, s: ClientState): void {
  const servers = ctx.nodesWithRole('server');
  const retryUs = ctx.params.clientRetryMs * 1000;
  const now = ctx.now();
  const ack = lowestPending(s);
  let nextUs = Number.POSITIVE_INFINITY;
  for (const p of s.pending) {
    if (now - p.sentUs >= retryUs) {
      if (p.to === s.leader) s.leader = '';
      p.to = nextServer(servers, p.to);
      p.sentUs = now;
      p.hops = 0;
      sendRequest(ctx, p, ack);
    }
    nextUs = Math.min(nextUs, p.sentUs + retryUs - now);
  }
  if (nextUs !== Number.POSITIVE_INFINITY) ctx.setTimer('retry', Math.max(1, nextUs));
}

/** An answer: done (reply to the workload), or a redirect to follow. */
function onResponse(ctx: RaftCtx, s: ClientState, from: string, m: ClientResponse): void {
  const at = s.pending.findIndex((p) => p.reqId === m.reqId);
  if (at < 0) return; // a late or duplicate answer
  const p = s.pending[at]!;
  if (m.ok) {
    s.pending.splice(at, 1);
    s.leader = from;
    ctx.reply({ id: p.opId }, p.op === 'get' ? { ok: true, value: m.value ?? null } : { ok: true });
    if (s.pending.length === 0) ctx.cancelTimer('retry');
    return;
  }
  // Not the leader: follow the hint at once, or try the next server; after MAX_HOPS wait for the timer.
  s.leader = m.leader;
  if (p.to !== from || p.hops >= MAX_HOPS) return;
  p.to = m.leader !== '' && m.leader !== from ? m.leader : nextServer(ctx.nodesWithRole('server'), from);
  p.sentUs = ctx.now();
  p.hops += 1;
  sendRequest(ctx, p, lowestPending(s));
}

/** One input to a client. */
export function onClient(ctx: RaftCtx, s: ClientState, input: Input<RaftMsg>): void {
  switch (input.kind) {
    case 'client':
      onOperation(ctx, s, input.op);
      return;
    case 'timer':
      if (input.name === 'retry') onRetry(ctx, s);
      return;
    case 'message':
      if (input.msg.type === 'ClientResponse') onResponse(ctx, s, input.from, input.msg);
      return;
    default:
      return; // start, restart: nothing to do until the workload sends an operation
  }
}
