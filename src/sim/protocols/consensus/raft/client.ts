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

/**
 * The state a step changes: the input itself when the kernel holds the only reference to it
 * (env.owned; its pending list is then this state's alone, since every copy below copies the
 * list), else a copy with its own pending list. Pending records are replaced, never changed.
 */
function draft(s: ClientState, env: StepEnv<RaftParams>): ClientState {
  return env.owned === true ? s : clientState(s.nextReq, s.leader, s.pending.slice());
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

/**
 * The effects of a client step. For the kernel (env.reuseEffects: it keeps none of them) one
 * effects object and one-item lists are refilled every step; for other callers (tests, scripts)
 * a new object with only the lists that have items, as before.
 */
const lent: Effects<ClientState, RaftMsg> = {
  state: initClient(),
  send: undefined,
  timers: undefined,
  reply: undefined,
  notes: undefined,
};
const oneSend: Outbound<RaftMsg>[] = [
  { to: '', msg: { type: 'ClientResponse', reqId: 0, ok: false, leader: '' } },
];
const oneTimer: TimerCmd[] = [{ kind: 'cancel', name: 'retry' }];
const oneReply: ClientReply[] = [{ id: 0, ok: false }];

function effects(
  env: StepEnv<RaftParams>,
  state: ClientState,
  send?: Outbound<RaftMsg>[],
  timers?: TimerCmd[],
  reply?: ClientReply[],
): Effects<ClientState, RaftMsg> {
  if (env.reuseEffects === true) {
    lent.state = state;
    lent.send = send !== undefined && send.length > 0 ? send : undefined;
    lent.timers = timers !== undefined && timers.length > 0 ? timers : undefined;
    lent.reply = reply;
    return lent;
  }
  const e: Effects<ClientState, RaftMsg> = { state };
  if (send !== undefined) e.send = send;
  if (timers !== undefined) e.timers = timers;
  if (reply !== undefined) e.reply = reply;
  return e;
}

/** A one-item list: the refilled one for the kernel, else a new one. */
function one<T>(env: StepEnv<RaftParams>, list: T[], item: T): T[] {
  if (env.reuseEffects !== true) return [item];
  list[0] = item;
  return list;
}

/** Cancels the retry timer (shared: the kernel never changes a command). */
const CANCEL_RETRY: TimerCmd = { kind: 'cancel', name: 'retry' };
/** The last retry timer command made (params rarely change). */
let retryCmd: TimerCmd = { kind: 'set', name: 'retry', afterUs: -1 };

function retryTimer(afterUs: number): TimerCmd {
  if (retryCmd.kind !== 'set' || retryCmd.afterUs !== afterUs)
    retryCmd = { kind: 'set', name: 'retry', afterUs };
  return retryCmd;
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
      return effects(env, s);
    case 'client': {
      const op = input.op;
      if (servers.length === 0)
        return effects(env, s, undefined, undefined, one(env, oneReply, { id: op.id, ok: false }));
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
      const first = s.pending.length === 0;
      // Request ids only grow, so the new one goes last and the list stays ascending.
      const d = draft(s, env);
      d.pending.push(p);
      d.nextReq = reqId + 1;
      return effects(
        env,
        d,
        one(env, oneSend, request(p, d.pending[0]!.reqId)),
        first ? one(env, oneTimer, retryTimer(retryUs)) : [],
      );
    }
    case 'timer': {
      if (input.name !== 'retry') return effects(env, s);
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
      return effects(env, clientState(s.nextReq, leader, pending), send, timers);
    }
    case 'message': {
      const m = input.msg;
      if (m.type !== 'ClientResponse') return effects(env, s);
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
  if (at === list.length) return effects(env, s); // late or duplicate answer
  const p = list[at]!;
  if (m.ok) {
    const d = draft(s, env);
    const pending = d.pending;
    for (let k = at; k + 1 < pending.length; k++) pending[k] = pending[k + 1]!;
    pending.pop();
    d.leader = from;
    const reply = one<ClientReply>(
      env,
      oneReply,
      p.op === 'get' ? { id: p.opId, ok: true, value: m.value ?? null } : { id: p.opId, ok: true },
    );
    const timers = pending.length === 0 ? one(env, oneTimer, CANCEL_RETRY) : [];
    return effects(env, d, undefined, timers, reply);
  }
  // Not the leader: follow the hint at once, or try the next server; after MAX_HOPS wait for the timer.
  if (p.to !== from || p.hops >= MAX_HOPS) {
    const d = draft(s, env);
    d.leader = m.leader;
    return effects(env, d);
  }
  const to = m.leader !== '' && m.leader !== from ? m.leader : nextServer(servers, from);
  const q: ClientPending = { ...p, to, sentUs: env.localTimeUs, hops: p.hops + 1 };
  const d = draft(s, env);
  d.pending[at] = q;
  d.leader = m.leader;
  return effects(env, d, one(env, oneSend, request(q, d.pending[0]!.reqId)));
}
