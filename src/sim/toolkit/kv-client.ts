import type { ClientOp, ClientResult, Ctx, Input, NodeId, ProtocolMessage } from '../protocol';

/**
 * The retrying key-value client that every key-value protocol's `client` role shares (the
 * client of Raft §8, "Client interaction", in general form). It takes the workload's
 * operations, sends each as a request to a server, follows redirects and leader hints, re-sends
 * a request with no answer to the next candidate, gives up after a bound (the outcome then stays
 * unknown: the request may have taken effect), answers the workload with `ctx.reply`, and
 * ignores late and duplicate answers.
 *
 * A protocol supplies what is its own (`KvClientSpec`): where a request goes, the message that
 * carries it, and what an answer says. docs/writing-a-protocol.md "A key-value client" shows
 * one; Raft, Paxos, Multi-Paxos, sharding and consistent hashing use it.
 */

/** One workload operation in flight, from its first send to its answer. */
export interface KvRequest<X = never> {
  /** The client's request number (1, 2, ... in order); re-sends keep it, so servers can dedupe. */
  req: number;
  /** The workload's operation id (what the answer to the workload names). */
  id: number;
  /** Read or write. */
  op: 'read' | 'write';
  /** The key. */
  key: string;
  /** The value to write ('' for a read). */
  value: string;
  /** The server the last send went to. */
  to: NodeId;
  /** Sends so far, counting the first and each re-send after a timeout (not redirects). */
  tries: number;
  /** Redirects followed since the first send or the last timeout. */
  hops: number;
  /** Local time of the first send, microseconds (latency). */
  firstUs: number;
  /** Local time of the last send, microseconds (what the sweeping timer measures from). */
  sentUs: number;
  /** What the protocol keeps with the request, such as a session floor (`KvClientSpec.begin`). */
  data?: X;
}

/** The client's part of a client node's state: a protocol's client state extends it. */
export interface KvClientState<X = never> {
  /** The server believed to lead, '' when unknown (set from the answers' hints). */
  leader: NodeId;
  /** The next request number. */
  nextReq: number;
  /** Requests in flight, in request-number order. */
  pending: KvRequest<X>[];
  /** Re-sends after a timeout. */
  retries: number;
  /** Latency of the last answered request, local clock, microseconds (0 before the first). */
  lastLatencyUs: number;
}

/** A client's state before its first operation. */
export function initKvClient(): KvClientState<never> {
  return { leader: '', nextReq: 1, pending: [], retries: 0, lastLatencyUs: 0 };
}

/** What an answer says about the request it answers. */
export type KvAnswer =
  /** The request is done: answer the workload with this result. */
  | { done: ClientResult; leader?: NodeId }
  /** Not served there: re-send it now to this server (at most `maxHops` times per attempt). */
  | { redirect: NodeId; leader?: NodeId }
  /** Nothing to do but wait for another answer or the timer (with a hint, maybe). */
  | { leader?: NodeId };

/** When and how often a request is re-sent. */
export interface KvRetry<P> {
  /** How long a send waits for an answer before the request is re-sent, microseconds. */
  afterUs(params: P): number;
  /**
   * `per-request`: each request has a timer of its own (`op:<id>`), set at the first send and at
   * each re-send (a redirect does not restart it). `sweep`: one timer (`retry`) re-sends every
   * request whose last send, redirects included, is `afterUs` old, then waits for the next one.
   */
  timer: 'per-request' | 'sweep';
  /** Sends after which a request is given up (default: never). */
  maxTries?(params: P): number;
}

/** Why a request is being addressed. */
export type KvWhy = 'new' | 'timeout';

/** What a protocol tells the client: the protocol-specific half. */
export interface KvClientSpec<
  P,
  M extends ProtocolMessage,
  C extends KvClientState<X>,
  A extends M,
  X = never,
> {
  /**
   * Where a request goes: its first send (`new`; return '' when no server exists, and the
   * operation fails at once) or its re-send after a timeout (`timeout`; `r.to` is the server
   * that did not answer). May update the leader hint `c.leader`.
   */
  address(ctx: Ctx<P, M>, c: C, r: KvRequest<X>, why: KvWhy): NodeId;
  /** The message that carries a request (built for every send, re-sends included). */
  request(ctx: Ctx<P, M>, c: C, r: KvRequest<X>): M;
  /**
   * The messages that answer requests (their types), and the number each names its request by:
   * the client's request number (`req`) or the workload's operation id (`id`).
   */
  answers: { types: readonly A['type'][] } & ({ req(m: A): number } | { id(m: A): number });
  /** What an answer to a pending request says (answers to no pending request never get here). */
  read(ctx: Ctx<P, M>, c: C, r: KvRequest<X>, from: NodeId, m: A): KvAnswer;
  /** Re-sends and the give-up bound; without it a request waits for its answer (or the workload's timeout). */
  retry?: KvRetry<P>;
  /** Redirects followed at once per attempt, so stale servers pointing at each other cannot loop (default 3). */
  maxHops?: number;
  /** The protocol's data for a new request (kept as `r.data`), before it is addressed. */
  begin?(ctx: Ctx<P, M>, c: C, op: ClientOp): X;
}

/** The sweeping timer's name. */
export const SWEEP_TIMER = 'retry';
/** The name of a request's own timer. */
export const requestTimer = (id: number): string => `op:${id}`;

/** The server after `id` in `servers` (the first when `id` is not there; '' when there are none). */
export function nextAfter(servers: readonly NodeId[], id: NodeId): NodeId {
  return servers[(servers.indexOf(id) + 1) % servers.length] ?? '';
}

/**
 * The client's handler, for a protocol's `on` to call with its client nodes' inputs. Messages
 * that answer no pending request, timers that are not its own and `start` are ignored.
 */
export function kvClient<P, M extends ProtocolMessage, C extends KvClientState<X>, A extends M, X = never>(
  spec: KvClientSpec<P, M, C, A, X>,
): (ctx: Ctx<P, M>, c: C, input: Input<M>) => void {
  const maxHops = spec.maxHops ?? 3;
  const retry = spec.retry;
  const answers = spec.answers;
  const byReq = 'req' in answers;

  const send = (ctx: Ctx<P, M>, c: C, r: KvRequest<X>): void => {
    r.sentUs = ctx.now();
    ctx.send(r.to, spec.request(ctx, c, r));
  };

  /** Drops a request after its last try: no answer goes to the workload, whose timeout records it as unknown. */
  const giveUp = (ctx: Ctx<P, M>, c: C, at: number): void => {
    const r = c.pending[at]!;
    c.pending.splice(at, 1);
    ctx.note(`#${r.id} given up after ${r.tries} tries`);
  };

  /** Re-sends after a timeout, to where the protocol says. */
  const resend = (ctx: Ctx<P, M>, c: C, r: KvRequest<X>): void => {
    r.to = spec.address(ctx, c, r, 'timeout');
    r.tries += 1;
    r.hops = 0;
    c.retries += 1;
    send(ctx, c, r);
  };

  const onOperation = (ctx: Ctx<P, M>, c: C, op: ClientOp): void => {
    const now = ctx.now();
    const r: KvRequest<X> = {
      req: c.nextReq,
      id: op.id,
      op: op.op,
      key: op.key,
      value: op.value ?? '',
      to: '',
      tries: 1,
      hops: 0,
      firstUs: now,
      sentUs: now,
    };
    if (spec.begin !== undefined) r.data = spec.begin(ctx, c, op);
    r.to = spec.address(ctx, c, r, 'new');
    if (r.to === '') {
      ctx.reply(op, { ok: false });
      return;
    }
    const first = c.pending.length === 0;
    c.pending.push(r); // request numbers only grow: the list stays in order
    c.nextReq += 1;
    send(ctx, c, r);
    if (retry === undefined) return;
    if (retry.timer === 'per-request') ctx.setTimer(requestTimer(r.id), retry.afterUs(ctx.params));
    else if (first) ctx.setTimer(SWEEP_TIMER, retry.afterUs(ctx.params));
  };

  /** `op:<id>`: this request's send got no answer in time. */
  const onRequestTimer = (ctx: Ctx<P, M>, c: C, name: string, retry: KvRetry<P>): void => {
    const id = Number(name.slice(3));
    const at = c.pending.findIndex((r) => r.id === id);
    if (at < 0) return;
    const r = c.pending[at]!;
    if (r.tries >= (retry.maxTries?.(ctx.params) ?? Number.POSITIVE_INFINITY)) {
      giveUp(ctx, c, at);
      return;
    }
    resend(ctx, c, r);
    ctx.setTimer(name, retry.afterUs(ctx.params));
  };

  /** `retry`: re-send every request whose last send is old enough, then wait for the next. */
  const onSweep = (ctx: Ctx<P, M>, c: C, retry: KvRetry<P>): void => {
    const afterUs = retry.afterUs(ctx.params);
    const maxTries = retry.maxTries?.(ctx.params) ?? Number.POSITIVE_INFINITY;
    const now = ctx.now();
    let nextUs = Number.POSITIVE_INFINITY;
    for (let k = 0; k < c.pending.length; ) {
      const r = c.pending[k]!;
      if (now - r.sentUs >= afterUs) {
        if (r.tries >= maxTries) {
          giveUp(ctx, c, k);
          continue;
        }
        resend(ctx, c, r);
      }
      nextUs = Math.min(nextUs, r.sentUs + afterUs - now);
      k++;
    }
    if (nextUs !== Number.POSITIVE_INFINITY) ctx.setTimer(SWEEP_TIMER, Math.max(1, nextUs));
  };

  const onAnswer = (ctx: Ctx<P, M>, c: C, from: NodeId, m: A): void => {
    const n = byReq ? answers.req(m) : answers.id(m);
    const at = byReq ? c.pending.findIndex((r) => r.req === n) : c.pending.findIndex((r) => r.id === n);
    if (at < 0) return; // a late or duplicate answer
    const r = c.pending[at]!;
    const a = spec.read(ctx, c, r, from, m);
    if (a.leader !== undefined) c.leader = a.leader;
    if ('done' in a) {
      c.pending.splice(at, 1);
      c.lastLatencyUs = ctx.now() - r.firstUs;
      ctx.reply(r, a.done);
      if (retry?.timer === 'per-request') ctx.cancelTimer(requestTimer(r.id));
      else if (retry?.timer === 'sweep' && c.pending.length === 0) ctx.cancelTimer(SWEEP_TIMER);
      return;
    }
    if (!('redirect' in a) || r.hops >= maxHops) return;
    r.to = a.redirect;
    r.hops += 1;
    send(ctx, c, r);
  };

  /** After a restart, requests that survived (a protocol that keeps `pending` durable) wait again. */
  const onRestart = (ctx: Ctx<P, M>, c: C): void => {
    if (retry === undefined || c.pending.length === 0) return;
    const afterUs = retry.afterUs(ctx.params);
    if (retry.timer === 'sweep') ctx.setTimer(SWEEP_TIMER, afterUs);
    else for (const r of c.pending) ctx.setTimer(requestTimer(r.id), afterUs);
  };

  return (ctx, c, input) => {
    switch (input.kind) {
      case 'client':
        onOperation(ctx, c, input.op);
        return;
      case 'message':
        if (answers.types.includes(input.msg.type)) onAnswer(ctx, c, input.from, input.msg as A);
        return;
      case 'timer':
        if (retry === undefined) return;
        if (retry.timer === 'sweep') {
          if (input.name === SWEEP_TIMER) onSweep(ctx, c, retry);
        } else if (input.name.startsWith('op:')) onRequestTimer(ctx, c, input.name, retry);
        return;
      case 'restart':
        onRestart(ctx, c);
        return;
      default:
        return; // start: nothing to do until the workload sends an operation
    }
  };
}
