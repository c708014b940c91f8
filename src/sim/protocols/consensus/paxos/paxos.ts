import { z } from 'zod';
import {
  type Ctx,
  type DefaultTopology,
  type Input,
  NEMESIS_EVENTS,
  type NodeView,
  type Protocol,
  type StateField,
} from '../../../protocol';
import { initKvClient, type KvClientState, kvClient } from '../../../toolkit/kv-client';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { majority } from '../../../toolkit/quorum';
import { link, placed } from '../../../toolkit/topology';
import { type Ballot, ballotStr, cmpBallot, sameBallot } from './ballot';

/**
 * Single-decree Paxos (Lamport, "Paxos Made Simple", 2001, §2). Proposers, acceptors and
 * learners are separate roles; clients hand their value to a proposer, which runs
 * phase 1 (prepare/promise) and phase 2 (accept/accepted) with a ballot (round, proposer id).
 * Learners learn a value when a majority of acceptors accepted it at one ballot.
 *
 * Liveness (§2.4 "progress"): a proposer that times out or is told of a higher ballot backs
 * off for a random time drawn from ctx.rng and retries with a higher ballot; when that happens
 * because another proposer's ballot pre-empted ours it is a *duel*, noted in the trace and
 * counted. There is no distinguished proposer: duels are the point of the lesson.
 *
 * Stable storage (§2.3): an acceptor's promise and accepted proposal, and a proposer's highest
 * round, survive a crash (the `durable` fields below). Each node's state is one of four shapes,
 * by role; a handler changes its node's state in place.
 */
export const PaxosParams = z.object({
  /** A proposer abandons a ballot that has not reached a majority in this long (local clock). */
  proposerTimeoutMs: z.number().int().min(1).max(60_000).default(200),
  /** Shortest random backoff before a proposer retries with a higher ballot. */
  backoffMsMin: z.number().int().min(0).max(60_000).default(10),
  /** Longest random backoff before a proposer retries with a higher ballot. */
  backoffMsMax: z.number().int().min(0).max(60_000).default(120),
  /** A client re-sends an unanswered request to the next proposer (or learner) after this long. */
  clientRetryMs: z.number().int().min(1).max(60_000).default(400),
  /** A client gives up on an operation after this many sends (its outcome stays unknown). */
  clientMaxTries: z.number().int().min(1).max(1000).default(8),
  /** A learner that has learned nothing asks the acceptors what they accepted this often. */
  learnerPollMs: z.number().int().min(1).max(60_000).default(500),
  /**
   * Bug switch: an acceptor's promise is not kept in stable storage. After a restart it only
   * remembers the ballot of the proposal it accepted, so it may accept a proposal numbered
   * below a promise it made before the crash (breaks §2.3 "an acceptor must remember this
   * information even if it fails and then restarts").
   */
  bugForgetPromiseOnRestart: z.boolean().default(false),
});
/** Paxos params. */
export type PaxosParams = z.infer<typeof PaxosParams>;

/** A proposal an acceptor accepted. */
export interface Accepted {
  /** Its ballot. */
  b: Ballot;
  /** Its value. */
  v: string;
}

/** Paxos messages. */
export type PaxosMsg =
  /** Client → proposer: please get this value chosen (id is the workload's op id). */
  | { type: 'request'; id: number; value: string }
  /** Proposer → client: the value chosen (the client's own or another). */
  | { type: 'result'; id: number; chosen: string }
  /** Client → learner: what have you learned? */
  | { type: 'read'; id: number }
  /** Learner → client: the learned value, null if none yet. */
  | { type: 'readReply'; id: number; value: string | null }
  /** Phase 1a: prepare request with ballot b (§2.3). */
  | { type: 'prepare'; b: Ballot }
  /** Phase 1b: promise not to accept below b, with the highest-numbered proposal accepted. */
  | { type: 'promise'; b: Ballot; accepted: Accepted | null }
  /** Phase 2a: accept request for (b, v). */
  | { type: 'accept'; b: Ballot; v: string }
  /** Phase 2b: (b, v) was accepted; sent to the proposer and every learner (§2.4). */
  | { type: 'accepted'; b: Ballot; v: string }
  /**
   * A request for ballot b was ignored because the acceptor promised a higher ballot (§2.3
   * note). `settled`: the acceptor already accepted a value at that higher ballot, so the
   * rival ballot is past phase 2 there (we are late rather than duelling).
   */
  | { type: 'nack'; b: Ballot; promised: Ballot; phase: 1 | 2; settled: boolean }
  /** Learner → acceptor: tell me what you accepted (catch-up after loss or a restart). */
  | { type: 'sync' };

/** What answers a client. */
type ClientAnswer = Extract<PaxosMsg, { type: 'result' | 'readReply' }>;

/** What a proposer is doing. */
export type ProposerPhase = 'idle' | 'prepare' | 'accept' | 'backoff' | 'done';

/** A proposer. */
export interface ProposerState {
  /** Role tag. */
  role: 'proposer';
  /** Highest round this proposer has tried (durable: §2.3 "remembers ... the highest-numbered proposal it has tried to issue"). */
  round: number;
  /** Highest round seen in any reply (volatile). */
  roundSeen: number;
  /** The current ballot, null before the first. */
  ballot: Ballot | null;
  /** What the proposer is doing. */
  phase: ProposerPhase;
  /** Value of the first client request: proposed when no acceptor reports an accepted value. */
  own: string | null;
  /** The value sent in phase 2 of the current ballot. */
  value: string | null;
  /** Phase 1b replies for the current ballot, by acceptor. */
  promises: Record<string, Accepted | null>;
  /** Acceptors that accepted the current ballot. */
  accepts: string[];
  /** The chosen value once this proposer knows it. */
  chosen: string | null;
  /** Client requests waiting for the outcome. */
  pending: { client: string; id: number; value: string }[];
  /** Ballots started (statistic; kept across crashes so the metric only grows). */
  ballotsStarted: number;
  /** Times a ballot of ours was pre-empted by another proposer's higher ballot (statistic). */
  duels: number;
}

/** An acceptor. */
export interface AcceptorState {
  /** Role tag. */
  role: 'acceptor';
  /** Highest ballot promised (durable, §2.3). */
  promised: Ballot | null;
  /** Highest-numbered proposal accepted (durable, §2.3). */
  accepted: Accepted | null;
  /**
   * Every proposal this acceptor ever accepted, in order. Ghost state for the checker (which
   * decides "chosen" from it, §2.2), not used by the protocol; it survives crashes.
   */
  votes: Accepted[];
}

/** A learner. */
export interface LearnerState {
  /** Role tag. */
  role: 'learner';
  /** Acceptors that reported accepting each ballot ("3.p1" → value and acceptor ids). */
  tally: Record<string, { v: string; from: string[] }>;
  /** The learned value (durable). */
  learned: string | null;
  /** Ballot at which the value was learned. */
  learnedAt: Ballot | null;
  /** Every distinct value this learner ever learned (ghost for the checker; durable). */
  everLearned: string[];
}

/**
 * A client: the toolkit's key-value client (src/sim/toolkit/kv-client.ts). Its operations in
 * progress are `pending`; `nextReq - 1` operations have started since it (re)started (the
 * round robin over proposers starts there).
 */
export interface ClientState extends KvClientState {
  /** Role tag. */
  role: 'client';
}

/** Any Paxos node. */
export type PaxosState = ProposerState | AcceptorState | LearnerState | ClientState;

type PaxosCtx = Ctx<PaxosParams, PaxosMsg>;

const ms = (x: number) => x * 1000;

// ------------------------------------------------------------------ proposer

/** §2.4: abandon the ballot and wait a random time before trying a higher one. */
function backoff(ctx: PaxosCtx, s: ProposerState, why: string): void {
  const lo = Math.min(ctx.params.backoffMsMin, ctx.params.backoffMsMax);
  const hi = Math.max(ctx.params.backoffMsMin, ctx.params.backoffMsMax);
  const waitUs = ctx.rng.int(ms(lo), ms(hi));
  s.phase = 'backoff';
  ctx.cancelTimer('phase');
  ctx.setTimer('retry', waitUs);
  ctx.note(why);
  ctx.note(`backoff ${Math.round(waitUs / 1000)}ms`);
}

/** Phase 1a (§2.3): a new ballot, higher than any used or seen, sent to every acceptor. */
function startBallot(ctx: PaxosCtx, s: ProposerState): void {
  const round = Math.max(s.round, s.roundSeen) + 1;
  const b: Ballot = { r: round, p: ctx.self };
  s.round = round;
  s.ballot = b;
  s.phase = 'prepare';
  s.value = null;
  s.promises = {};
  s.accepts = [];
  s.ballotsStarted += 1;
  ctx.sendAll('acceptor', { type: 'prepare', b });
  ctx.cancelTimer('retry');
  ctx.setTimer('phase', ms(ctx.params.proposerTimeoutMs));
  ctx.note(`ballot ${ballotStr(b)}: prepare`);
}

/** Answers waiting requests: client nodes by message, the proposer's own workload ops (client '') by reply. */
function answerClients(ctx: PaxosCtx, pending: ProposerState['pending'], chosen: string): void {
  for (const p of pending) {
    if (p.client === '') ctx.reply(p, { ok: p.value === chosen });
    else ctx.send(p.client, { type: 'result', id: p.id, chosen });
  }
}

/** A value to get chosen, from a client node or (client '') from the workload directly. */
function request(ctx: PaxosCtx, s: ProposerState, client: string, id: number, value: string): void {
  if (s.chosen !== null) {
    answerClients(ctx, [{ client, id, value }], s.chosen);
    return;
  }
  if (s.own === null) s.own = value;
  if (!s.pending.some((p) => p.id === id && p.client === client)) s.pending.push({ client, id, value });
  if (s.phase === 'idle') startBallot(ctx, s);
}

function onProposer(ctx: PaxosCtx, s: ProposerState, input: Input<PaxosMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      return;
    case 'client':
      // Without client nodes the workload talks to every node: a write becomes our own request;
      // a read is answered with what we know (a learner is the place to ask).
      if (input.op.op === 'write') request(ctx, s, '', input.op.id, input.op.value ?? '');
      else ctx.reply(input.op, { ok: true, value: s.chosen });
      return;
    case 'timer':
      if (input.name === 'phase' && (s.phase === 'prepare' || s.phase === 'accept'))
        backoff(ctx, s, `ballot ${ballotStr(s.ballot)}: timeout in phase ${s.phase === 'prepare' ? 1 : 2}`);
      else if (input.name === 'retry' && s.phase === 'backoff') startBallot(ctx, s);
      return;
    case 'message':
      break;
  }
  const m = input.msg;
  const from = input.from;
  const need = majority(ctx.nodesWithRole('acceptor').length);
  switch (m.type) {
    case 'request':
      request(ctx, s, from, m.id, m.value);
      return;
    case 'promise': {
      if (s.phase !== 'prepare' || !sameBallot(m.b, s.ballot)) return;
      s.promises[from] = m.accepted;
      const ids = Object.keys(s.promises).sort();
      if (ids.length < need) return;
      // P2c (§2.2, §2.3): propose the value of the highest-numbered proposal accepted by any
      // acceptor in the majority, or our own value if none of them accepted anything.
      let best: Accepted | null = null;
      for (const id of ids) {
        const a = s.promises[id];
        if (a != null && cmpBallot(a.b, best?.b) > 0) best = a;
      }
      const value = best !== null ? best.v : (s.own ?? '');
      const b = s.ballot!;
      s.phase = 'accept';
      s.value = value;
      // Phase 2a (§2.3).
      ctx.sendAll('acceptor', { type: 'accept', b, v: value });
      ctx.setTimer('phase', ms(ctx.params.proposerTimeoutMs));
      ctx.note(
        `ballot ${ballotStr(b)}: promised by ${ids.join(',')}; propose ${value}${
          best !== null ? ` (accepted at ${ballotStr(best.b)})` : ' (own value)'
        }`,
      );
      // Phase 2 of a ballot is this proposer's leadership of the round (nemesis.leads).
      ctx.emit({ type: NEMESIS_EVENTS.elected, ballot: b });
      return;
    }
    case 'accepted': {
      if (s.phase !== 'accept' || !sameBallot(m.b, s.ballot) || s.accepts.includes(from)) return;
      s.accepts.push(from);
      s.accepts.sort();
      if (s.accepts.length < need) return;
      // A majority accepted (b, v) at one ballot: v is chosen (§2.2).
      const pending = s.pending;
      s.phase = 'done';
      s.chosen = m.v;
      s.pending = [];
      answerClients(ctx, pending, m.v);
      ctx.cancelTimer('phase');
      ctx.note(`ballot ${ballotStr(s.ballot)}: ${m.v} chosen (accepted by ${s.accepts.join(',')})`);
      return;
    }
    case 'nack': {
      s.roundSeen = Math.max(s.roundSeen, m.promised.r);
      if ((s.phase !== 'prepare' && s.phase !== 'accept') || !sameBallot(m.b, s.ballot)) return;
      if (m.promised.p !== ctx.self && m.phase === 1 && m.settled) {
        // The rival ballot already has a value accepted: we came late, nobody is duelling.
        backoff(
          ctx,
          s,
          `ballot ${ballotStr(s.ballot)}: too late, ${ballotStr(m.promised)} already has a value accepted`,
        );
      } else if (m.promised.p !== ctx.self) {
        // Duelling proposers (§2.4): our ballot was pre-empted by another proposer's that is
        // still in progress (phase 1 rejection), or overtook us during phase 2.
        s.duels += 1;
        backoff(ctx, s, `duel: ballot ${ballotStr(s.ballot)} pre-empted by ${ballotStr(m.promised)}`);
      } else {
        backoff(
          ctx,
          s,
          `ballot ${ballotStr(s.ballot)}: rejected (acceptor promised ${ballotStr(m.promised)})`,
        );
      }
      return;
    }
    default:
      return;
  }
}

// ------------------------------------------------------------------ acceptor

function nack(s: AcceptorState, b: Ballot, phase: 1 | 2): PaxosMsg {
  return { type: 'nack', b, promised: s.promised!, phase, settled: sameBallot(s.accepted?.b, s.promised) };
}

function onAcceptor(ctx: PaxosCtx, s: AcceptorState, input: Input<PaxosMsg>): void {
  if (input.kind === 'restart') {
    // `promised` is declared durable (§2.3). The bug switch models a promise that never reached
    // the disk: recovery finds no promise and falls back to the accepted ballot.
    if (!ctx.params.bugForgetPromiseOnRestart) return;
    const promised = s.accepted?.b ?? null;
    if (sameBallot(promised, s.promised)) return;
    ctx.note(`restart: promise ${ballotStr(s.promised)} forgotten (bug), now ${ballotStr(promised)}`);
    s.promised = promised;
    // The promise on disk changed, so this step counts as a promise for the nemesis.
    ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: promised });
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false });
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  const from = input.from;
  switch (m.type) {
    case 'prepare':
      // Phase 1b (§2.3): promise if b is not below any promise made, and report the
      // highest-numbered proposal accepted. A repeated prepare for the promised ballot gets
      // the same answer again (harmless; the network may duplicate or the proposer re-send).
      if (cmpBallot(m.b, s.promised) < 0) {
        ctx.send(from, nack(s, m.b, 1));
        return;
      }
      if (!sameBallot(m.b, s.promised)) {
        s.promised = m.b;
        ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: m.b });
      }
      ctx.send(from, { type: 'promise', b: m.b, accepted: s.accepted });
      return;
    case 'accept': {
      // P1a (§2.2): accept unless a prepare with a higher number was promised.
      if (cmpBallot(m.b, s.promised) < 0) {
        ctx.send(from, nack(s, m.b, 2));
        return;
      }
      if (!sameBallot(s.accepted?.b, m.b)) {
        const acc: Accepted = { b: m.b, v: m.v };
        s.promised = m.b;
        s.accepted = acc;
        s.votes.push(acc);
        ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: m.b });
      }
      // Phase 2b, told to the proposer and to every learner (§2.4).
      const accepted: PaxosMsg = { type: 'accepted', b: m.b, v: m.v };
      ctx.send(from, accepted);
      for (const to of ctx.nodesWithRole('learner')) ctx.send(to, accepted);
      return;
    }
    case 'sync':
      if (s.accepted !== null) ctx.send(from, { type: 'accepted', b: s.accepted.b, v: s.accepted.v });
      return;
    default:
      return;
  }
}

// ------------------------------------------------------------------ learner

function onLearner(ctx: PaxosCtx, s: LearnerState, input: Input<PaxosMsg>): void {
  const pollUs = ms(ctx.params.learnerPollMs);
  switch (input.kind) {
    case 'start':
    case 'restart':
      if (s.learned === null) ctx.setTimer('poll', pollUs);
      return;
    case 'timer':
      if (input.name !== 'poll' || s.learned !== null) return;
      ctx.sendAll('acceptor', { type: 'sync' });
      ctx.setTimer('poll', pollUs);
      return;
    case 'client':
      // Without client nodes the workload talks to every node: a learner answers reads and
      // refuses writes (it cannot propose).
      ctx.reply(input.op, input.op.op === 'read' ? { ok: true, value: s.learned } : { ok: false });
      return;
    case 'message':
      break;
  }
  const m = input.msg;
  if (m.type === 'read') {
    ctx.send(input.from, { type: 'readReply', id: m.id, value: s.learned });
    return;
  }
  if (m.type !== 'accepted') return;
  const key = ballotStr(m.b);
  let t = s.tally[key];
  if (t === undefined) {
    t = { v: m.v, from: [] };
    s.tally[key] = t;
  }
  if (t.from.includes(input.from)) return;
  t.from.push(input.from);
  t.from.sort();
  // §2.4: a value is learned once a majority of acceptors have accepted it (at one ballot).
  if (t.from.length < majority(ctx.nodesWithRole('acceptor').length) || s.learned === t.v) return;
  if (!s.everLearned.includes(t.v)) s.everLearned.push(t.v);
  s.learned ??= t.v;
  s.learnedAt ??= m.b;
  ctx.cancelTimer('poll');
  ctx.note(`learned ${t.v} (ballot ${key}, accepted by ${t.from.join(',')})`);
}

// ------------------------------------------------------------------ client

/** Where a client sends an operation: writes to a proposer (to get chosen), reads to a learner. */
const clientServers = (ctx: PaxosCtx, kind: 'read' | 'write') =>
  ctx.nodesWithRole(kind === 'write' ? 'proposer' : 'learner');

/**
 * A client, on the toolkit's key-value client. It hands each write to a proposer and asks a
 * learner for reads; with no answer within clientRetryMs it re-sends to the next one, and gives
 * up after clientMaxTries sends (the outcome stays unknown).
 */
const onClient = kvClient<PaxosParams, PaxosMsg, ClientState, ClientAnswer>({
  retry: {
    timer: 'per-request',
    afterUs: (p) => ms(p.clientRetryMs),
    maxTries: (p) => p.clientMaxTries,
  },
  address(ctx, _c, r, why) {
    const list = clientServers(ctx, r.op);
    if (why === 'timeout') return list[(Math.max(0, list.indexOf(r.to)) + 1) % list.length]!;
    // Round-robin: consecutive operations go to different proposers (so concurrent writes
    // from one client can duel, as two clients' would).
    return list.length === 0 ? '' : list[(r.req - 1) % list.length]!;
  },
  request: (_ctx, _c, r) =>
    r.op === 'write' ? { type: 'request', id: r.id, value: r.value } : { type: 'read', id: r.id },
  answers: { types: ['result', 'readReply'], id: (m) => m.id },
  read(_ctx, _c, r, _from, m) {
    // A write is ok when its own value was chosen; when another value was chosen it certainly
    // did not take effect (at most one value is ever chosen), so it fails.
    return { done: m.type === 'result' ? { ok: m.chosen === r.value } : { ok: true, value: m.value } };
  },
});

// ------------------------------------------------------------------ checker helpers

/** Number of acceptors in the cluster (crashed ones count: quorums are of all acceptors). */
function acceptorViews(nodes: readonly NodeView<PaxosState>[]): NodeView<PaxosState>[] {
  return nodes.filter((v) => v.role === 'acceptor');
}

/**
 * The values chosen so far (§2.2: "a value is chosen when a single proposal with that value
 * has been accepted by a majority of the acceptors"), from the acceptors' vote histories, with
 * the ballot and acceptors that made each one chosen.
 */
export function chosenValues(
  nodes: readonly NodeView<PaxosState>[],
): { v: string; b: string; by: string[] }[] {
  const acceptors = acceptorViews(nodes);
  const need = majority(acceptors.length);
  const byBallot = new Map<string, { v: string; by: string[] }>();
  for (const a of acceptors) {
    const votes = (a.state as Partial<AcceptorState>).votes ?? [];
    for (const vote of votes) {
      const key = ballotStr(vote.b);
      const e = byBallot.get(key) ?? { v: vote.v, by: [] };
      if (!e.by.includes(a.id)) e.by.push(a.id);
      byBallot.set(key, e);
    }
  }
  const out: { v: string; b: string; by: string[] }[] = [];
  for (const key of [...byBallot.keys()].sort()) {
    const e = byBallot.get(key)!;
    if (e.by.length >= need) out.push({ v: e.v, b: key, by: e.by.sort() });
  }
  return out;
}

// ------------------------------------------------------------------ topology

/** Every node's link to the switch: 1-3 ms one way. */
const LATENCY = { kind: 'uniform' as const, minUs: 1000, maxUs: 3000 };

/** Two proposers, three acceptors, one learner and one client around a switch. */
export function paxosTopology(): DefaultTopology {
  const nodes = [
    placed('c1', 'client', 100, 250),
    placed('p1', 'proposer', 300, 100),
    placed('p2', 'proposer', 300, 400),
    placed('a1', 'acceptor', 600, 100),
    placed('a2', 'acceptor', 650, 250),
    placed('a3', 'acceptor', 600, 400),
    placed('l1', 'learner', 850, 250),
    placed('sw', 'switch', 450, 250),
  ];
  return { nodes, links: nodes.filter((n) => n.id !== 'sw').map((n) => link(n.id, 'sw', LATENCY)) };
}

// ------------------------------------------------------------------ protocol
/** What survives a crash: the fields of any role that its disk holds (a node keeps those it has). */
const DURABLE: readonly StateField<PaxosState>[] = [
  'role',
  'round',
  'ballotsStarted',
  'duels',
  'promised',
  'accepted',
  'votes',
  'learned',
  'learnedAt',
  'everLearned',
  'retries',
];

export const paxos: Protocol<PaxosParams, PaxosState, PaxosMsg> = {
  id: 'paxos',
  topic: 'consensus',
  title: 'Paxos (single decree)',
  version: 1,
  // Hops of about 4 ms: at 0.02x a hop takes 0.2 s on screen, and the two phases of the first
  // ballot (four hops) about a second.
  speed: 0.02,
  roles: [
    { id: 'proposer', label: 'Proposer', min: 1, max: null },
    { id: 'acceptor', label: 'Acceptor', min: 1, max: null },
    { id: 'learner', label: 'Learner', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: PaxosParams,
  defaultTopology: paxosTopology,
  quickStart() {
    // Two clients asking to choose a value for one key, x.
    return { workload: { kind: 'closed', concurrency: 2, readFraction: 0.2, keys: { list: ['x'] } } };
  },
  init(n) {
    switch (n.role) {
      case 'acceptor':
        return { role: 'acceptor', promised: null, accepted: null, votes: [] };
      case 'learner':
        return { role: 'learner', tally: {}, learned: null, learnedAt: null, everLearned: [] };
      case 'client':
        return { role: 'client', ...initKvClient() };
      default:
        return {
          role: 'proposer',
          round: 0,
          roundSeen: 0,
          ballot: null,
          phase: 'idle',
          own: null,
          value: null,
          promises: {},
          accepts: [],
          chosen: null,
          pending: [],
          ballotsStarted: 0,
          duels: 0,
        };
    }
  },
  on(ctx, s, input) {
    switch (s.role) {
      case 'proposer':
        onProposer(ctx, s, input);
        return;
      case 'acceptor':
        onAcceptor(ctx, s, input);
        return;
      case 'learner':
        onLearner(ctx, s, input);
        return;
      case 'client':
        onClient(ctx, s, input);
        return;
    }
  },
  // What each role writes to stable storage (a field absent from a role's state is skipped):
  // proposer `round` (§2.3: the highest ballot tried must survive, or a restarted proposer could
  // reuse it); acceptor `promised` and `accepted` (§2.3: on disk before the reply is sent; the
  // bug switch that forgets the promise acts on 'restart', see onAcceptor); learner `learned`.
  // Statistics and the checkers' ghost histories (`votes`, `everLearned`) are kept too.
  durable: DURABLE,
  liveness: [clientOpsAnswered(() => 3_000_000)],
  invariants: [
    {
      id: 'at-most-one-chosen',
      title: 'At most one value is chosen (a majority of acceptors accepted it at one ballot)',
      check({ changed, nodes }) {
        if (changed.role !== 'acceptor') return null;
        const chosen = chosenValues(nodes);
        const distinct = [...new Set(chosen.map((c) => c.v))];
        if (distinct.length <= 1) return null;
        const a = chosen.find((c) => c.v === distinct[0])!;
        const b = chosen.find((c) => c.v === distinct[1])!;
        return `two values chosen: ${a.v} at ${a.b} (${a.by.join(',')}) and ${b.v} at ${b.b} (${b.by.join(',')})`;
      },
    },
    {
      id: 'learners-agree',
      title: 'A learner learns at most one value, and only a chosen one',
      check({ changed, nodes }) {
        const s = changed.state;
        if (changed.role === 'learner') {
          const ever = (s as Partial<LearnerState>).everLearned ?? [];
          if (ever.length > 1) return `${changed.id} learned two values: ${ever.join(' then ')}`;
          const v = (s as Partial<LearnerState>).learned;
          if (v != null && !chosenValues(nodes).some((c) => c.v === v))
            return `${changed.id} learned ${v}, never chosen`;
        } else if (changed.role === 'proposer') {
          const v = (s as Partial<ProposerState>).chosen;
          if (v != null && !chosenValues(nodes).some((c) => c.v === v))
            return `${changed.id} thinks ${v} was chosen, it was not`;
        }
        return null;
      },
    },
  ],
  historyCheckers: [],
  metrics: [
    {
      id: 'ballotsStarted',
      unit: 'ballots',
      read: (nodes) =>
        nodes.reduce((n, v) => n + ((v.state as Partial<ProposerState>).ballotsStarted ?? 0), 0),
    },
    {
      id: 'duels',
      unit: 'duels',
      read: (nodes) => nodes.reduce((n, v) => n + ((v.state as Partial<ProposerState>).duels ?? 0), 0),
    },
    {
      id: 'chosenValues',
      unit: 'values',
      read: (nodes) => new Set(chosenValues(nodes).map((c) => c.v)).size,
    },
    {
      id: 'learnersLearned',
      unit: 'learners',
      read: (nodes) =>
        nodes.filter((v) => v.role === 'learner' && (v.state as Partial<LearnerState>).learned != null)
          .length,
    },
    {
      id: 'clientLatencyMs',
      unit: 'ms',
      read(nodes) {
        const c = nodes.filter((v) => v.role === 'client' && v.up);
        if (c.length === 0) return 0;
        return c.reduce((n, v) => n + ((v.state as ClientState).lastLatencyUs ?? 0) / 1000, 0) / c.length;
      },
    },
  ],
  summary(s, up) {
    if (!up) return { text: `${s.role} · crashed`, tone: 'bad' };
    switch (s.role) {
      case 'proposer':
        if (s.chosen !== null)
          return { text: `proposer ${ballotStr(s.ballot)} · chosen ${s.chosen}`, tone: 'good' };
        return {
          text: `proposer ${ballotStr(s.ballot)} · ${s.phase === 'prepare' ? 'phase 1' : s.phase === 'accept' ? 'phase 2' : s.phase}`,
          tone: s.phase === 'backoff' ? 'warn' : 'neutral',
        };
      case 'acceptor':
        return {
          text: `acceptor · promised ${ballotStr(s.promised)} · ${s.accepted === null ? 'none accepted' : `accepted ${s.accepted.v}@${ballotStr(s.accepted.b)}`}`,
          tone: s.accepted === null ? 'neutral' : 'good',
        };
      case 'learner':
        return s.learned === null
          ? { text: 'learner · nothing learned', tone: 'neutral' }
          : { text: `learner · learned ${s.learned}@${ballotStr(s.learnedAt)}`, tone: 'good' };
      case 'client':
        return { text: `client · ${s.pending.length} waiting`, tone: 'neutral' };
    }
  },
  nemesis: {
    // A proposer in phase 2 leads its ballot's round (it emits 'elected' when it gets there);
    // an acceptor emits 'promised' when its promise or acceptance changes (§2.3: what must
    // survive a crash).
    leads: (s) => (s.role === 'proposer' && s.phase === 'accept' && s.ballot !== null ? s.ballot.r : null),
  },
  bugs: [
    {
      param: 'bugForgetPromiseOnRestart',
      title: 'Acceptors forget their promise when they restart: two values can be chosen',
    },
  ],
  lesson: {
    summary:
      'Single-decree Paxos chooses one value even when messages are lost and nodes crash. A proposer first asks a majority of acceptors to promise to ignore lower ballots (phase 1) and learns what they already accepted; then it asks them to accept a value (phase 2), which must be the highest-ballot value it was told about. Any two majorities share an acceptor, and that shared acceptor is what carries the chosen value from one ballot to the next.',
    watch: [
      'The ballot on each proposer badge, and which ballot each acceptor has promised',
      'Phase 1 replies that carry an accepted value: the proposer must propose that value, not its own',
      '"duel:" notes in the trace and the duels metric when both proposers are active',
      'The learner badge: it learns only once a majority accepted at one ballot',
    ],
    tryThis: [
      'Make two proposers duel: use a closed workload with concurrency 2 (or two clients), set backoffMsMin and backoffMsMax to 0, and try a few seeds: on some the proposers pre-empt each other two or three times before a value is chosen',
      'Restore a random backoff (10–120 ms): on every seed a proposer is pre-empted at most once before a value is chosen. Randomness breaks the symmetry',
      'Crash one acceptor before the first request: two of three is still a majority, so a value is chosen. Crash two and nothing can be chosen until one comes back',
      'Crash an acceptor after it promised, restart it, and check in the inspector that the promise survived',
      'Turn on bugForgetPromiseOnRestart, add crash/restart faults (or the nemesis), and let the at-most-one-chosen checker stop the run when a second value gets chosen',
    ],
  },
};
