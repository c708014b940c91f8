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
  return { kind: 'client', nextReq: 1, leader: '', pending: {} };
}

/**
 * The lowest pending request id. Keys are request ids (array-index strings), which for-in
 * visits in ascending numeric order, so the first key is the lowest.
 */
function lowestPending(pending: Record<string, ClientPending>): number {
  for (const k in pending) return Number(k);
  return Number.POSITIVE_INFINITY;
}

/** True when the record has no key. */
function isEmpty(r: Record<string, unknown>): boolean {
  for (const _ in r) return false;
  return true;
}

function request(reqId: number, p: ClientPending, ack: number): Outbound<RaftMsg> {
  return { to: p.to, msg: { type: 'ClientRequest', reqId, op: p.op, key: p.key, value: p.value, ack } };
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
        opId: op.id,
        op: op.op === 'write' ? 'put' : 'get',
        key: op.key,
        value: op.value ?? '',
        to,
        sentUs: env.localTimeUs,
        hops: 0,
      };
      const pending = { ...s.pending, [reqId]: p };
      const timers: TimerCmd[] = [];
      if (isEmpty(s.pending)) timers.push({ kind: 'set', name: 'retry', afterUs: retryUs });
      return {
        state: { ...s, nextReq: reqId + 1, pending },
        send: [request(reqId, p, lowestPending(pending))],
        timers,
      };
    }
    case 'timer': {
      if (input.name !== 'retry') return { state: s };
      // Re-send every request unanswered for clientRetryMs to the next server (same id).
      const now = env.localTimeUs;
      const pending: Record<string, ClientPending> = {};
      const send: Outbound<RaftMsg>[] = [];
      let leader = s.leader;
      let next = Number.POSITIVE_INFINITY;
      const ack = lowestPending(s.pending);
      for (const k of Object.keys(s.pending)) {
        let p = s.pending[k]!;
        if (now - p.sentUs >= retryUs) {
          const to = nextServer(servers, p.to);
          if (p.to === leader) leader = '';
          p = { ...p, to, sentUs: now, hops: 0 };
          send.push(request(Number(k), p, ack));
        }
        pending[k] = p;
        next = Math.min(next, p.sentUs + retryUs - now);
      }
      const timers: TimerCmd[] =
        next === Number.POSITIVE_INFINITY ? [] : [{ kind: 'set', name: 'retry', afterUs: Math.max(1, next) }];
      return { state: { ...s, leader, pending }, send, timers };
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
  const key = String(m.reqId);
  const p = s.pending[key];
  if (p === undefined) return { state: s }; // late or duplicate answer
  if (m.ok) {
    // s.pending without `key` (same order as a rest pattern).
    const pending: Record<string, ClientPending> = {};
    let left = 0;
    for (const k in s.pending) {
      if (k === key) continue;
      pending[k] = s.pending[k]!;
      left++;
    }
    const reply: ClientReply[] = [
      p.op === 'get' ? { id: p.opId, ok: true, value: m.value ?? null } : { id: p.opId, ok: true },
    ];
    const timers: TimerCmd[] = left === 0 ? [{ kind: 'cancel', name: 'retry' }] : [];
    return { state: { ...s, leader: from, pending }, reply, timers };
  }
  // Not the leader: follow the hint at once, or try the next server; after MAX_HOPS wait for the timer.
  if (p.to !== from || p.hops >= MAX_HOPS) return { state: { ...s, leader: m.leader } };
  const to = m.leader !== '' && m.leader !== from ? m.leader : nextServer(servers, from);
  const q: ClientPending = { ...p, to, sentUs: env.localTimeUs, hops: p.hops + 1 };
  const pending = { ...s.pending, [key]: q };
  return {
    state: { ...s, leader: m.leader, pending },
    send: [request(m.reqId, q, lowestPending(pending))],
  };
}
