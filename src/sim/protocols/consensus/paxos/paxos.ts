import { z } from 'zod';
import type {
  ClientReply,
  DefaultTopology,
  Effects,
  Input,
  NodeView,
  Outbound,
  StepEnv,
  StepProtocol,
  TimerCmd,
} from '../../../protocol';
import { type Ballot, ballotStr, cmpBallot, quorum, sameBallot } from './ballot';

/**
 * Single-decree Paxos (Lamport, "Paxos Made Simple", 2001, §2). Proposers, acceptors and
 * learners are separate roles; clients hand their value to a proposer, which runs
 * phase 1 (prepare/promise) and phase 2 (accept/accepted) with a ballot (round, proposer id).
 * Learners learn a value when a majority of acceptors accepted it at one ballot.
 *
 * Liveness (§2.4 "progress"): a proposer that times out or is told of a higher ballot backs
 * off for a random time drawn from env.rng and retries with a higher ballot; when that happens
 * because another proposer's ballot pre-empted ours it is a *duel*, noted in the trace and
 * counted. There is no distinguished proposer: duels are the point of the lesson.
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

/** An operation a client is waiting on. */
export interface ClientPending {
  /** Workload op id. */
  id: number;
  /** Write (propose a value) or read (ask a learner). */
  kind: 'write' | 'read';
  /** The value to propose (writes). */
  value: string;
  /** Sends so far. */
  tries: number;
  /** Where the last send went. */
  target: string;
  /** Local time of the first send, microseconds. */
  sentAtUs: number;
}

/** A client. */
export interface ClientState {
  /** Role tag. */
  role: 'client';
  /** Operations in progress, by op id. */
  ops: Record<string, ClientPending>;
  /** Operations started (round-robin over proposers starts here). */
  started: number;
  /** Latency of the last answered operation, local clock, milliseconds. */
  lastLatencyMs: number;
  /** Re-sends after a timeout (statistic). */
  retries: number;
}

/** Any Paxos node. */
export type PaxosState = ProposerState | AcceptorState | LearnerState | ClientState;

type Env = StepEnv<PaxosParams>;
type Fx = Effects<PaxosState, PaxosMsg>;

const ms = (x: number) => x * 1000;

// ------------------------------------------------------------------ proposer

function backoff(s: ProposerState, env: Env, notes: string[]): Fx {
  const lo = Math.min(env.params.backoffMsMin, env.params.backoffMsMax);
  const hi = Math.max(env.params.backoffMsMin, env.params.backoffMsMax);
  const waitUs = env.rng.int(ms(lo), ms(hi));
  return {
    state: { ...s, phase: 'backoff' },
    timers: [
      { kind: 'cancel', name: 'phase' },
      { kind: 'set', name: 'retry', afterUs: waitUs },
    ],
    notes: [...notes, `backoff ${Math.round(waitUs / 1000)}ms`],
  };
}

function startBallot(s: ProposerState, env: Env): Fx {
  // §2.3: begin phase 1 with a number higher than any used or seen.
  const round = Math.max(s.round, s.roundSeen) + 1;
  const b: Ballot = { r: round, p: env.self };
  const acceptors = env.nodesWithRole('acceptor');
  return {
    state: {
      ...s,
      round,
      ballot: b,
      phase: 'prepare',
      value: null,
      promises: {},
      accepts: [],
      ballotsStarted: s.ballotsStarted + 1,
    },
    send: acceptors.map((to) => ({ to, msg: { type: 'prepare', b } })),
    timers: [
      { kind: 'cancel', name: 'retry' },
      { kind: 'set', name: 'phase', afterUs: ms(env.params.proposerTimeoutMs) },
    ],
    notes: [`ballot ${ballotStr(b)}: prepare`],
  };
}

/** Answers waiting requests: client nodes by message, the proposer's own workload ops (client '') by reply. */
function answerClients(
  pending: ProposerState['pending'],
  chosen: string,
): { send: Outbound<PaxosMsg>[]; reply: ClientReply[] } {
  const send: Outbound<PaxosMsg>[] = [];
  const reply: ClientReply[] = [];
  for (const p of pending) {
    if (p.client === '') reply.push({ id: p.id, ok: p.value === chosen });
    else send.push({ to: p.client, msg: { type: 'result', id: p.id, chosen } });
  }
  return { send, reply };
}

/** A value to get chosen, from a client node or (client '') from the workload directly. */
function request(s: ProposerState, client: string, id: number, value: string, env: Env): Fx {
  if (s.chosen !== null) {
    const a = answerClients([{ client, id, value }], s.chosen);
    return { state: s, send: a.send, reply: a.reply };
  }
  const known = s.pending.some((p) => p.id === id && p.client === client);
  const next: ProposerState = {
    ...s,
    own: s.own ?? value,
    pending: known ? s.pending : [...s.pending, { client, id, value }],
  };
  return s.phase === 'idle' ? startBallot(next, env) : { state: next };
}

function proposerStep(s: ProposerState, input: Input<PaxosMsg>, env: Env): Fx {
  switch (input.kind) {
    case 'start':
    case 'restart':
      return { state: s };
    case 'client':
      // Without client nodes the workload talks to every node: a write becomes our own request;
      // a read is answered with what we know (a learner is the place to ask).
      if (input.op.op === 'write') return request(s, '', input.op.id, input.op.value ?? '', env);
      return { state: s, reply: [{ id: input.op.id, ok: true, value: s.chosen }] };
    case 'timer':
      if (input.name === 'phase' && (s.phase === 'prepare' || s.phase === 'accept'))
        return backoff(s, env, [
          `ballot ${ballotStr(s.ballot)}: timeout in phase ${s.phase === 'prepare' ? 1 : 2}`,
        ]);
      if (input.name === 'retry' && s.phase === 'backoff') return startBallot(s, env);
      return { state: s };
    case 'message':
      break;
  }
  const m = input.msg;
  const from = input.from;
  const acceptorCount = env.nodesWithRole('acceptor').length;
  switch (m.type) {
    case 'request':
      return request(s, from, m.id, m.value, env);
    case 'promise': {
      if (s.phase !== 'prepare' || !sameBallot(m.b, s.ballot)) return { state: s };
      const promises = { ...s.promises, [from]: m.accepted };
      const ids = Object.keys(promises).sort();
      if (ids.length < quorum(acceptorCount)) return { state: { ...s, promises } };
      // P2c (§2.2, §2.3): propose the value of the highest-numbered proposal accepted by any
      // acceptor in the majority, or our own value if none of them accepted anything.
      let best: Accepted | null = null;
      for (const id of ids) {
        const a = promises[id];
        if (a != null && cmpBallot(a.b, best?.b) > 0) best = a;
      }
      const value = best !== null ? best.v : (s.own ?? '');
      const b = s.ballot!;
      return {
        state: { ...s, promises, phase: 'accept', value },
        send: env.nodesWithRole('acceptor').map((to) => ({ to, msg: { type: 'accept', b, v: value } })),
        timers: [{ kind: 'set', name: 'phase', afterUs: ms(env.params.proposerTimeoutMs) }],
        notes: [
          `ballot ${ballotStr(b)}: promised by ${ids.join(',')}; propose ${value}${
            best !== null ? ` (accepted at ${ballotStr(best.b)})` : ' (own value)'
          }`,
        ],
      };
    }
    case 'accepted': {
      if (s.phase !== 'accept' || !sameBallot(m.b, s.ballot) || s.accepts.includes(from)) return { state: s };
      const accepts = [...s.accepts, from].sort();
      if (accepts.length < quorum(acceptorCount)) return { state: { ...s, accepts } };
      return {
        state: { ...s, accepts, phase: 'done', chosen: m.v, pending: [] },
        ...answerClients(s.pending, m.v),
        timers: [{ kind: 'cancel', name: 'phase' }],
        notes: [`ballot ${ballotStr(s.ballot)}: ${m.v} chosen (accepted by ${accepts.join(',')})`],
      };
    }
    case 'nack': {
      const roundSeen = Math.max(s.roundSeen, m.promised.r);
      if ((s.phase !== 'prepare' && s.phase !== 'accept') || !sameBallot(m.b, s.ballot))
        return { state: roundSeen === s.roundSeen ? s : { ...s, roundSeen } };
      const next = { ...s, roundSeen };
      if (m.promised.p !== env.self && m.phase === 1 && m.settled) {
        // The rival ballot already has a value accepted: we came late, nobody is duelling.
        return backoff(next, env, [
          `ballot ${ballotStr(s.ballot)}: too late, ${ballotStr(m.promised)} already has a value accepted`,
        ]);
      }
      if (m.promised.p !== env.self) {
        // Duelling proposers (§2.4): our ballot was pre-empted by another proposer's that is
        // still in progress (phase 1 rejection), or overtook us during phase 2.
        return backoff({ ...next, duels: s.duels + 1 }, env, [
          `duel: ballot ${ballotStr(s.ballot)} pre-empted by ${ballotStr(m.promised)}`,
        ]);
      }
      return backoff(next, env, [
        `ballot ${ballotStr(s.ballot)}: rejected (acceptor promised ${ballotStr(m.promised)})`,
      ]);
    }
    default:
      return { state: s };
  }
}

// ------------------------------------------------------------------ acceptor

function nack(s: AcceptorState, b: Ballot, phase: 1 | 2): PaxosMsg {
  return { type: 'nack', b, promised: s.promised!, phase, settled: sameBallot(s.accepted?.b, s.promised) };
}

function acceptorStep(s: AcceptorState, input: Input<PaxosMsg>, env: Env): Fx {
  if (input.kind === 'restart') {
    if (!env.params.bugForgetPromiseOnRestart) return { state: s };
    // The bug: recovery finds no promise on disk and falls back to the accepted ballot.
    const promised = s.accepted?.b ?? null;
    if (sameBallot(promised, s.promised)) return { state: s };
    return {
      state: { ...s, promised },
      notes: [`restart: promise ${ballotStr(s.promised)} forgotten (bug), now ${ballotStr(promised)}`],
    };
  }
  if (input.kind === 'client') return { state: s, reply: [{ id: input.op.id, ok: false }] };
  if (input.kind !== 'message') return { state: s };
  const m = input.msg;
  const from = input.from;
  switch (m.type) {
    case 'prepare':
      // Phase 1b (§2.3): promise if b is not below any promise made, and report the
      // highest-numbered proposal accepted. A repeated prepare for the promised ballot gets
      // the same answer again (harmless; the network may duplicate or the proposer re-send).
      if (cmpBallot(m.b, s.promised) >= 0) {
        return {
          state: sameBallot(m.b, s.promised) ? s : { ...s, promised: m.b },
          send: [{ to: from, msg: { type: 'promise', b: m.b, accepted: s.accepted } }],
        };
      }
      return {
        state: s,
        send: [{ to: from, msg: nack(s, m.b, 1) }],
      };
    case 'accept': {
      // P1a (§2.2): accept unless a prepare with a higher number was promised.
      if (cmpBallot(m.b, s.promised) < 0)
        return {
          state: s,
          send: [{ to: from, msg: nack(s, m.b, 2) }],
        };
      const acc: Accepted = { b: m.b, v: m.v };
      const fresh = !sameBallot(s.accepted?.b, m.b);
      const learners = env.nodesWithRole('learner');
      return {
        state: fresh ? { ...s, promised: m.b, accepted: acc, votes: [...s.votes, acc] } : s,
        send: [
          { to: from, msg: { type: 'accepted', b: m.b, v: m.v } },
          ...learners.map((to) => ({ to, msg: { type: 'accepted' as const, b: m.b, v: m.v } })),
        ],
      };
    }
    case 'sync':
      return s.accepted === null
        ? { state: s }
        : { state: s, send: [{ to: from, msg: { type: 'accepted', b: s.accepted.b, v: s.accepted.v } }] };
    default:
      return { state: s };
  }
}

// ------------------------------------------------------------------ learner

function learnerStep(s: LearnerState, input: Input<PaxosMsg>, env: Env): Fx {
  const poll: TimerCmd = { kind: 'set', name: 'poll', afterUs: ms(env.params.learnerPollMs) };
  switch (input.kind) {
    case 'start':
    case 'restart':
      return { state: s, timers: s.learned === null ? [poll] : [] };
    case 'timer':
      if (input.name !== 'poll' || s.learned !== null) return { state: s };
      return {
        state: s,
        send: env.nodesWithRole('acceptor').map((to) => ({ to, msg: { type: 'sync' } })),
        timers: [poll],
      };
    case 'client':
      // Without client nodes the workload talks to every node: a learner answers reads and
      // refuses writes (it cannot propose).
      return {
        state: s,
        reply: [
          input.op.op === 'read'
            ? { id: input.op.id, ok: true, value: s.learned }
            : { id: input.op.id, ok: false },
        ],
      };
    case 'message':
      break;
  }
  const m = input.msg;
  if (m.type === 'read')
    return { state: s, send: [{ to: input.from, msg: { type: 'readReply', id: m.id, value: s.learned } }] };
  if (m.type !== 'accepted') return { state: s };
  const key = ballotStr(m.b);
  const t = s.tally[key] ?? { v: m.v, from: [] };
  if (t.from.includes(input.from)) return { state: s };
  const entry = { v: t.v, from: [...t.from, input.from].sort() };
  const tally = { ...s.tally, [key]: entry };
  // §2.4: a value is learned once a majority of acceptors have accepted it (at one ballot).
  if (entry.from.length < quorum(env.nodesWithRole('acceptor').length) || s.learned === entry.v)
    return { state: { ...s, tally } };
  const everLearned = s.everLearned.includes(entry.v) ? s.everLearned : [...s.everLearned, entry.v];
  return {
    state: { ...s, tally, learned: s.learned ?? entry.v, learnedAt: s.learnedAt ?? m.b, everLearned },
    timers: [{ kind: 'cancel', name: 'poll' }],
    notes: [`learned ${entry.v} (ballot ${key}, accepted by ${entry.from.join(',')})`],
  };
}

// ------------------------------------------------------------------ client

function clientTarget(env: Env, kind: 'write' | 'read', k: number): string {
  const list = env.nodesWithRole(kind === 'write' ? 'proposer' : 'learner');
  return list.length === 0 ? '' : list[k % list.length]!;
}

function clientSend(p: ClientPending): PaxosMsg {
  return p.kind === 'write' ? { type: 'request', id: p.id, value: p.value } : { type: 'read', id: p.id };
}

function clientStep(s: ClientState, input: Input<PaxosMsg>, env: Env): Fx {
  switch (input.kind) {
    case 'start':
    case 'restart':
      return { state: s };
    case 'client': {
      const op = input.op;
      const kind = op.op;
      // Round-robin: consecutive operations go to different proposers (so concurrent writes
      // from one client can duel, as two clients' would).
      const target = clientTarget(env, kind, s.started);
      if (target === '') return { state: s, reply: [{ id: op.id, ok: false }] };
      const p: ClientPending = {
        id: op.id,
        kind,
        value: op.value ?? '',
        tries: 1,
        target,
        sentAtUs: env.localTimeUs,
      };
      return {
        state: { ...s, ops: { ...s.ops, [op.id]: p }, started: s.started + 1 },
        send: [{ to: target, msg: clientSend(p) }],
        timers: [{ kind: 'set', name: `op:${op.id}`, afterUs: ms(env.params.clientRetryMs) }],
      };
    }
    case 'timer': {
      const id = input.name.startsWith('op:') ? input.name.slice(3) : '';
      const p = s.ops[id];
      if (p === undefined) return { state: s };
      if (p.tries >= env.params.clientMaxTries) {
        const { [id]: _, ...ops } = s.ops;
        return { state: { ...s, ops }, notes: [`#${id} given up after ${p.tries} tries`] };
      }
      const list = env.nodesWithRole(p.kind === 'write' ? 'proposer' : 'learner');
      const target = list[(Math.max(0, list.indexOf(p.target)) + 1) % list.length]!;
      const next = { ...p, tries: p.tries + 1, target };
      return {
        state: { ...s, ops: { ...s.ops, [id]: next }, retries: s.retries + 1 },
        send: [{ to: target, msg: clientSend(next) }],
        timers: [{ kind: 'set', name: input.name, afterUs: ms(env.params.clientRetryMs) }],
      };
    }
    case 'message':
      break;
  }
  const m = input.msg;
  if (m.type !== 'result' && m.type !== 'readReply') return { state: s };
  const p = s.ops[m.id];
  if (p === undefined) return { state: s };
  const { [m.id]: _, ...ops } = s.ops;
  // A write is ok when its own value was chosen; when another value was chosen it certainly
  // did not take effect (at most one value is ever chosen), so it fails.
  const reply: ClientReply =
    m.type === 'result' ? { id: m.id, ok: m.chosen === p.value } : { id: m.id, ok: true, value: m.value };
  return {
    state: { ...s, ops, lastLatencyMs: (env.localTimeUs - p.sentAtUs) / 1000 },
    reply: [reply],
    timers: [{ kind: 'cancel', name: `op:${m.id}` }],
  };
}

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
  const need = quorum(acceptors.length);
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

const link = (a: string, b: string) => ({
  id: `${a}-${b}`,
  a,
  b,
  latency: { kind: 'uniform' as const, minUs: 1000, maxUs: 3000 },
  lossRate: 0,
  dupRate: 0,
  reorderRate: 0,
  reorderDelayUs: 5000,
});

const node = (id: string, role: string, x: number, y: number) => ({
  id,
  name: id,
  role,
  x,
  y,
  clockOffsetUs: 0,
  clockDriftPpm: 0,
});

/** Two proposers, three acceptors, one learner and one client around a switch. */
export function paxosTopology(): DefaultTopology {
  const nodes = [
    node('c1', 'client', 100, 250),
    node('p1', 'proposer', 300, 100),
    node('p2', 'proposer', 300, 400),
    node('a1', 'acceptor', 600, 100),
    node('a2', 'acceptor', 650, 250),
    node('a3', 'acceptor', 600, 400),
    node('l1', 'learner', 850, 250),
    node('sw', 'switch', 450, 250),
  ];
  return { nodes, links: nodes.filter((n) => n.id !== 'sw').map((n) => link(n.id, 'sw')) };
}

// ------------------------------------------------------------------ protocol

export const paxos: StepProtocol<PaxosParams, PaxosState, PaxosMsg> = {
  id: 'paxos',
  topic: 'consensus',
  title: 'Paxos (single decree)',
  version: 1,
  roles: [
    { id: 'proposer', label: 'Proposer', min: 1, max: null },
    { id: 'acceptor', label: 'Acceptor', min: 1, max: null },
    { id: 'learner', label: 'Learner', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: PaxosParams,
  defaultTopology: paxosTopology,
  init(n) {
    switch (n.role) {
      case 'acceptor':
        return { role: 'acceptor', promised: null, accepted: null, votes: [] };
      case 'learner':
        return { role: 'learner', tally: {}, learned: null, learnedAt: null, everLearned: [] };
      case 'client':
        return { role: 'client', ops: {}, started: 0, lastLatencyMs: 0, retries: 0 };
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
  step(s, input, env) {
    switch (s.role) {
      case 'proposer':
        return proposerStep(s, input, env);
      case 'acceptor':
        return acceptorStep(s, input, env);
      case 'learner':
        return learnerStep(s, input, env);
      case 'client':
        return clientStep(s, input, env);
    }
  },
  durable(s) {
    switch (s.role) {
      case 'proposer':
        // §2.3: the highest ballot tried must survive, or a restarted proposer could reuse it.
        return { role: s.role, round: s.round, ballotsStarted: s.ballotsStarted, duels: s.duels };
      case 'acceptor':
        // §2.3: promised and accepted go to stable storage before the reply is sent. (The bug
        // switch models a promise that never reached the disk: see acceptorStep 'restart'.)
        return { role: s.role, promised: s.promised, accepted: s.accepted, votes: s.votes };
      case 'learner':
        return { role: s.role, learned: s.learned, learnedAt: s.learnedAt, everLearned: s.everLearned };
      case 'client':
        return { role: s.role, retries: s.retries };
    }
  },
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
        return c.reduce((n, v) => n + ((v.state as ClientState).lastLatencyMs ?? 0), 0) / c.length;
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
        return { text: `client · ${Object.keys(s.ops).length} waiting`, tone: 'neutral' };
    }
  },
  nemesis: {
    // A proposer in phase 2 leads its ballot's round; an acceptor's promise and acceptance are
    // what must survive a crash (§2.3).
    leads: (s) => (s.role === 'proposer' && s.phase === 'accept' && s.ballot !== null ? s.ballot.r : null),
    promised: (before, after) =>
      after.role === 'acceptor' &&
      before.role === 'acceptor' &&
      (!sameBallot(after.promised, before.promised) || after.accepted !== before.accepted),
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
      'Make two proposers duel: use a closed workload with concurrency 2 (or two clients), set backoffMsMin and backoffMsMax to 0, and watch duels climb while no value is chosen for a while',
      'Restore a random backoff (10–120 ms) and see how one proposer wins quickly: randomness breaks the symmetry',
      'Crash one acceptor before the first request: two of three is still a majority, so a value is chosen. Crash two and nothing can be chosen until one comes back',
      'Crash an acceptor after it promised, restart it, and check in the inspector that the promise survived',
      'Turn on bugForgetPromiseOnRestart, add crash/restart faults (or the nemesis), and let the at-most-one-chosen checker stop the run when a second value gets chosen',
    ],
  },
};
