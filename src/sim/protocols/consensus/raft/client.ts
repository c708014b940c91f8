import type { ClientReply, Effects, Input, Outbound, StepEnv, TimerCmd } from '../../../protocol';
import type { ClientPending, ClientResponse, ClientState, RaftMsg, RaftParams } from './types';

/**
 * A Raft client (§8): sends each workload operation to the server it believes is leader,
 * follows redirects (the leader hint), and re-sends with the same request id when no answer
 * comes within clientRetryMs, trying the next server when it has no better idea. Servers
 * dedupe writes by (client, request id), so a retry never applies twice.
 */

/** Redirects followed per request between two timeouts (stale servers can point at each other). */
const MAX_HOPS = 3;

/** A client's initial state. */
export function initClient(): ClientState {
  return { kind: 'client', nextReq: 1, leader: '', pending: [] };
}

/** A client state (same fields and order as initClient: one object shape, no spread). */
function clientState(nextReq: number, leader: string, pending: ClientPending[]): ClientState {
  return { kind: 'client', nextReq, leader, pending };
}

/** The lowest pending request id (the list is ascending). */
function lowestPending(pending: readonly ClientPending[]): number {
  return pending.length > 0 ? pending[0]!.reqId : Number.POSITIVE_INFINITY;
}

function request(p: ClientPending, ack: number): Outbound<RaftMsg> {
  return {
    to: p.to,
    msg: { type: 'ClientRequest', reqId: p.reqId, op: p.op, key: p.key, value: p.value, ack },
  };
}

/** The server after `id` in sorted order (round robin when there is no leader hint). */
function nextServer(servers: readonly string[], id: string): string {
  const k = servers.indexOf(id);
  return servers[(k + 1) % servers.length] ?? '';
}

/** One step of a client. */
export function stepClient(
  s: ClientState,
  input: Input<RaftMsg>,
  env: StepEnv<RaftParams>,
): Effects<ClientState, RaftMsg> {
  const servers = env.nodesWithRole('server');
  const retryUs = env.params.clientRetryMs * 1000;
  switch (input.kind) {
    case 'start':
    case 'restart':
      return { state: s };
    case 'client': {
      const op = input.op;
      if (servers.length === 0) return { state: s, reply: [{ id: op.id, ok: false }] };
      const reqId = s.nextReq;
      const to = s.leader !== '' ? s.leader : servers[env.rng.int(0, servers.length - 1)]!;
      const p: ClientPending = {
        reqId,
        opId: op.id,
        op: op.op === 'write' ? 'put' : 'get',
        key: op.key,
        value: op.value ?? '',
        to,
        sentUs: env.localTimeUs,
        hops: 0,
      };
      // Request ids only grow, so the new one goes last and the list stays ascending.
      const pending = s.pending.slice();
      pending.push(p);
      const eff: Effects<ClientState, RaftMsg> = {
        state: clientState(reqId + 1, s.leader, pending),
        send: [request(p, pending[0]!.reqId)],
      };
      eff.timers = s.pending.length === 0 ? [{ kind: 'set', name: 'retry', afterUs: retryUs }] : [];
      return eff;
    }
    case 'timer': {
      if (input.name !== 'retry') return { state: s };
      // Re-send every request unanswered for clientRetryMs to the next server (same id).
      const now = env.localTimeUs;
      const pending: ClientPending[] = [];
      const send: Outbound<RaftMsg>[] = [];
      let leader = s.leader;
      let next = Number.POSITIVE_INFINITY;
      const ack = lowestPending(s.pending);
      for (let k = 0; k < s.pending.length; k++) {
        let p = s.pending[k]!;
        if (now - p.sentUs >= retryUs) {
          const to = nextServer(servers, p.to);
          if (p.to === leader) leader = '';
          p = { ...p, to, sentUs: now, hops: 0 };
          send.push(request(p, ack));
        }
        pending.push(p);
        next = Math.min(next, p.sentUs + retryUs - now);
      }
      const timers: TimerCmd[] =
        next === Number.POSITIVE_INFINITY ? [] : [{ kind: 'set', name: 'retry', afterUs: Math.max(1, next) }];
      return { state: clientState(s.nextReq, leader, pending), send, timers };
    }
    case 'message': {
      const m = input.msg;
      if (m.type !== 'ClientResponse') return { state: s };
      return onResponse(s, input.from, m, servers, env);
    }
  }
}

function onResponse(
  s: ClientState,
  from: string,
  m: ClientResponse,
  servers: readonly string[],
  env: StepEnv<RaftParams>,
): Effects<ClientState, RaftMsg> {
  const list = s.pending;
  let at = 0;
  while (at < list.length && list[at]!.reqId !== m.reqId) at++;
  if (at === list.length) return { state: s }; // late or duplicate answer
  const p = list[at]!;
  if (m.ok) {
    const pending: ClientPending[] = [];
    for (let k = 0; k < list.length; k++) if (k !== at) pending.push(list[k]!);
    const reply: ClientReply[] = [
      p.op === 'get' ? { id: p.opId, ok: true, value: m.value ?? null } : { id: p.opId, ok: true },
    ];
    const timers: TimerCmd[] = pending.length === 0 ? [{ kind: 'cancel', name: 'retry' }] : [];
    return { state: clientState(s.nextReq, from, pending), reply, timers };
  }
  // Not the leader: follow the hint at once, or try the next server; after MAX_HOPS wait for the timer.
  if (p.to !== from || p.hops >= MAX_HOPS) return { state: clientState(s.nextReq, m.leader, list) };
  const to = m.leader !== '' && m.leader !== from ? m.leader : nextServer(servers, from);
  const q: ClientPending = { ...p, to, sentUs: env.localTimeUs, hops: p.hops + 1 };
  const pending = list.slice();
  pending[at] = q;
  return {
    state: clientState(s.nextReq, m.leader, pending),
    send: [request(q, pending[0]!.reqId)],
  };
}
