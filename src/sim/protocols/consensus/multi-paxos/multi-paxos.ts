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
import { type Ballot, ballotStr, cmpBallot, quorum, sameBallot } from '../paxos/ballot';

/**
 * Multi-Paxos with a stable leader (Lamport, "Paxos Made Simple", 2001, §3; the structure of
 * van Renesse & Altinbuken, "Paxos Made Moderately Complex", 2015) driving a replicated
 * key-value store. Every node of role 'replica' is acceptor, learner and (potential) leader at
 * once, as in most deployments; nodes of role 'client' issue the workload's puts and gets.
 *
 * - Leader election by ballot: a replica that hears no heartbeat for a randomized election
 *   timeout runs phase 1 with a higher ballot for every slot from its first undecided one
 *   (§3: "phase 1 for infinitely many instances" at once). Heartbeats carry the leader's ballot
 *   and how far its log is executed; they are *not* leases: safety never depends on timing,
 *   a deposed leader simply has its phase 2 messages refused (NACK) and steps down.
 * - On takeover the new leader re-proposes, in each slot, the value of the highest ballot its
 *   phase 1 quorum reported (P2c per slot) and fills the remaining gaps with no-ops (§3:
 *   "fills the gaps by proposing a special no-op command").
 * - Reads go through the log like writes, so the client history is linearizable. Client
 *   retries carry the same request id and the state machine executes each id once
 *   (PMMC's replicas dedupe commands the same way).
 */
export const MultiPaxosParams = z.object({
  /** The leader sends a heartbeat (and re-sends unanswered phase 2 messages) this often. */
  heartbeatMs: z.number().int().min(1).max(60_000).default(30),
  /** Shortest election timeout: no heartbeat for this long and a replica runs phase 1. */
  electionTimeoutMsMin: z.number().int().min(1).max(60_000).default(150),
  /** Longest election timeout (each wait is drawn uniformly from the range with env.rng). */
  electionTimeoutMsMax: z.number().int().min(1).max(60_000).default(300),
  /** A client re-sends an unanswered request to another replica after this long. */
  clientRetryMs: z.number().int().min(1).max(60_000).default(250),
  /** A client gives up on an operation after this many sends (its outcome stays unknown). */
  clientMaxTries: z.number().int().min(1).max(1000).default(12),
  /** Most decided slots sent in one catch-up message. */
  catchUpMax: z.number().int().min(1).max(10_000).default(64),
  /**
   * Bug switch: an acceptor's promise is not kept in stable storage; after a restart it only
   * remembers the highest ballot it accepted something at, so a deposed leader can get a
   * value chosen in a slot the new leader has already filled differently.
   */
  bugForgetPromiseOnRestart: z.boolean().default(false),
  /**
   * Bug switch: on takeover the new leader re-proposes only the slots its quorum reported and
   * does not fill gaps with no-ops, so a hole left by the old leader is never decided and the
   * log stops executing there (a liveness bug: clients time out).
   */
  bugNoNoopFill: z.boolean().default(false),
});
/** Multi-Paxos params. */
export type MultiPaxosParams = z.infer<typeof MultiPaxosParams>;

/** A command in the log: a client operation or a no-op that fills a gap. */
export type Cmd =
  | { kind: 'noop' }
  | {
      kind: 'op';
      /** Client node that issued it. */
      client: string;
      /** Workload op id (unique in the run; the dedupe key). */
      id: number;
      /** Put or get. */
      op: 'put' | 'get';
      /** Key. */
      key: string;
      /** Value (puts). */
      value?: string;
    };

/** A slot's accepted proposal. */
export interface SlotVote {
  /** Ballot it was accepted at. */
  b: Ballot;
  /** The command. */
  cmd: Cmd;
}

/** Multi-Paxos messages. */
export type MultiPaxosMsg =
  /** Client → replica. */
  | { type: 'request'; cmd: Cmd & { kind: 'op' } }
  /** Leader → client: the operation executed; value read (gets). */
  | { type: 'response'; id: number; value: string | null }
  /** Non-leader → client: try this leader ('' unknown). */
  | { type: 'redirect'; id: number; leader: string }
  /** Phase 1a for every slot >= from. */
  | { type: 'p1a'; b: Ballot; from: number }
  /** Phase 1b: promise, with every accepted proposal for slots >= from. */
  | { type: 'p1b'; b: Ballot; accepted: [number, SlotVote][] }
  /** Phase 2a for one slot. */
  | { type: 'p2a'; b: Ballot; slot: number; cmd: Cmd }
  /** Phase 2b: accepted. */
  | { type: 'p2b'; b: Ballot; slot: number }
  /** Refusal: the acceptor promised a higher ballot. */
  | { type: 'nack'; b: Ballot; promised: Ballot }
  /** Leader → all: slot decided. */
  | { type: 'decision'; slot: number; cmd: Cmd }
  /** Leader → all: I lead at ballot b; my log is executed below `commit`. */
  | { type: 'heartbeat'; b: Ballot; commit: number }
  /** Replica → leader: send me the decisions from this slot on. */
  | { type: 'catchup'; from: number }
  /** Leader → replica: decided slots. */
  | { type: 'decisions'; entries: [number, Cmd][] };

/** A replica: acceptor + learner + leader candidate + key-value state machine. */
export interface ReplicaState {
  /** Role tag. */
  role: 'replica';
  /** Highest ballot promised (durable). */
  promised: Ballot | null;
  /** Accepted proposal per slot (durable). */
  accepted: Record<string, SlotVote>;
  /** Highest round this replica tried as a candidate (durable: ballots are never reused). */
  round: number;
  /** follower, candidate (phase 1 running) or leader (phase 1 done). */
  mode: 'follower' | 'candidate' | 'leader';
  /** Our ballot as candidate or leader. */
  ballot: Ballot | null;
  /** Phase 1 replies for our ballot, by replica. */
  promises: string[];
  /** Highest-ballot accepted proposal per slot among the phase 1 replies. */
  reported: Record<string, SlotVote>;
  /** Leader: next slot for a new command. */
  nextSlot: number;
  /** Leader: slots in phase 2, with the replicas that accepted. */
  proposals: Record<string, { cmd: Cmd; acks: string[] }>;
  /** Requests to answer when executed: op id → client. */
  waiting: Record<string, string>;
  /** Who we believe leads ('' unknown). */
  leader: string;
  /** The ballot of that leader. */
  leaderBallot: Ballot | null;
  /** Decided commands by slot (durable). */
  decided: Record<string, Cmd>;
  /** First slot not yet executed: every slot below it is decided and applied (durable). */
  execNext: number;
  /** The key-value store (durable). */
  kv: Record<string, string>;
  /** Executed op ids and their results (get: value read; put: null) (durable; dedupes retries). */
  results: Record<string, string | null>;
  /** Slots this step decided (for the checker; reset every step). */
  justDecided: number[];
  /**
   * Ghost vote history for the checker, never read by the protocol: per slot, every
   * `ballot=command` this acceptor ever accepted (durable, like a write-ahead log would be).
   */
  votes: Record<string, string[]>;
  /** Slot this step accepted a proposal in, or -1 (for the checker; reset every step). */
  justAccepted: number;
  /** Ballots started (statistic, durable). */
  ballotsStarted: number;
  /** Times our ballot was pre-empted by another replica's (statistic, durable). */
  duels: number;
  /** Times this replica became leader (statistic, durable). */
  terms: number;
  /** Gaps filled with no-ops on takeover (statistic, durable). */
  noops: number;
}

/** An operation a client is waiting on. */
export interface MpClientOp {
  /** The command. */
  cmd: Cmd & { kind: 'op' };
  /** Sends so far. */
  tries: number;
  /** Where the last send went. */
  target: string;
  /** Immediate re-sends after redirects since the last timer. */
  hops: number;
  /** Local time of the first send, microseconds. */
  sentAtUs: number;
}

/** A client. */
export interface MpClientState {
  /** Role tag. */
  role: 'client';
  /** Who we think leads. */
  leaderHint: string;
  /** Operations in progress by op id. */
  ops: Record<string, MpClientOp>;
  /** Latency of the last answered operation, local clock, milliseconds. */
  lastLatencyMs: number;
  /** Re-sends after a timeout (statistic). */
  retries: number;
}

/** Any Multi-Paxos node. */
export type MultiPaxosState = ReplicaState | MpClientState;

type Env = StepEnv<MultiPaxosParams>;
type Fx = Effects<MultiPaxosState, MultiPaxosMsg>;
type Out = Outbound<MultiPaxosMsg>;

const ms = (x: number) => x * 1000;
const NOOP: Cmd = { kind: 'noop' };

/** A command as text: `noop`, `put k=v (c1#3)`, `get k (c1#4)`. */
export function cmdStr(c: Cmd): string {
  if (c.kind === 'noop') return 'noop';
  return c.op === 'put'
    ? `put ${c.key}=${c.value} (${c.client}#${c.id})`
    : `get ${c.key} (${c.client}#${c.id})`;
}

/** A command's identity: `noop`, or client and op id (`c1#3`). */
export function cmdKey(c: Cmd): string {
  return c.kind === 'noop' ? 'noop' : `${c.client}#${c.id}`;
}

/**
 * The commands chosen in a slot (Paxos Made Simple §2.2 per instance: a majority of acceptors
 * accepted it at one ballot), from the replicas' ghost vote histories, with ballot and voters.
 */
export function chosenInSlot(
  nodes: readonly NodeView<MultiPaxosState>[],
  slot: number,
): { cmd: string; b: string; by: string[] }[] {
  const replicas = nodes.filter((v) => v.role === 'replica');
  const need = quorum(replicas.length);
  const byBallot = new Map<string, { cmd: string; by: string[] }>();
  for (const r of replicas) {
    for (const vote of (r.state as Partial<ReplicaState>).votes?.[slot] ?? []) {
      const eq = vote.indexOf('=');
      const key = vote.slice(0, eq);
      const e = byBallot.get(key) ?? { cmd: vote.slice(eq + 1), by: [] };
      if (!e.by.includes(r.id)) e.by.push(r.id);
      byBallot.set(key, e);
    }
  }
  const out: { cmd: string; b: string; by: string[] }[] = [];
  for (const key of [...byBallot.keys()].sort()) {
    const e = byBallot.get(key)!;
    if (e.by.length >= need) out.push({ cmd: e.cmd, b: key, by: e.by.sort() });
  }
  return out;
}

function electionTimer(env: Env): TimerCmd {
  const lo = Math.min(env.params.electionTimeoutMsMin, env.params.electionTimeoutMsMax);
  const hi = Math.max(env.params.electionTimeoutMsMin, env.params.electionTimeoutMsMax);
  return { kind: 'set', name: 'election', afterUs: env.rng.int(ms(lo), ms(hi)) };
}

function toAll(env: Env, msg: MultiPaxosMsg): Out[] {
  return env.nodesWithRole('replica').map((to) => ({ to, msg }));
}

// ------------------------------------------------------------------ learner / state machine

/** Records decisions and executes the log as far as it is contiguous; answers waiting clients. */
function decide(
  s: ReplicaState,
  entries: readonly [number, Cmd][],
): { s: ReplicaState; send: Out[]; reply: ClientReply[] } {
  let decided = s.decided;
  const just = [...s.justDecided];
  for (const [slot, cmd] of entries) {
    if (slot < s.execNext || decided[slot] !== undefined) continue;
    if (decided === s.decided) decided = { ...decided };
    decided[slot] = cmd;
    just.push(slot);
  }
  if (decided === s.decided) return { s, send: [], reply: [] };
  let { execNext, kv, results, waiting } = s;
  const send: Out[] = [];
  const reply: ClientReply[] = [];
  while (decided[execNext] !== undefined) {
    const cmd = decided[execNext]!;
    if (cmd.kind === 'op' && !(cmd.id in results)) {
      let out: string | null = null;
      if (cmd.op === 'put') kv = { ...kv, [cmd.key]: cmd.value ?? '' };
      else out = kv[cmd.key] ?? null;
      results = { ...results, [cmd.id]: out };
    }
    if (cmd.kind === 'op' && waiting[cmd.id] !== undefined) {
      const value = results[cmd.id] ?? null;
      // '' marks an operation the workload gave this replica directly (no client nodes).
      if (waiting[cmd.id] === '')
        reply.push(cmd.op === 'get' ? { id: cmd.id, ok: true, value } : { id: cmd.id, ok: true });
      else send.push({ to: waiting[cmd.id]!, msg: { type: 'response', id: cmd.id, value } });
      const { [cmd.id]: _, ...rest } = waiting;
      waiting = rest;
    }
    execNext++;
  }
  return { s: { ...s, decided, execNext, kv, results, waiting, justDecided: just }, send, reply };
}

// ------------------------------------------------------------------ leader side

function startPhase1(s: ReplicaState, env: Env, why: string): Fx {
  const round = Math.max(s.round, s.promised?.r ?? 0, s.leaderBallot?.r ?? 0) + 1;
  const b: Ballot = { r: round, p: env.self };
  return {
    state: {
      ...s,
      round,
      mode: 'candidate',
      ballot: b,
      promises: [],
      reported: {},
      proposals: {},
      ballotsStarted: s.ballotsStarted + 1,
    },
    send: toAll(env, { type: 'p1a', b, from: s.execNext }),
    timers: [{ kind: 'cancel', name: 'heartbeat' }, electionTimer(env)],
    notes: [`${why}: ballot ${ballotStr(b)} phase 1 for slots >= ${s.execNext}`],
  };
}

function stepDown(
  s: ReplicaState,
  higher: Ballot,
  env: Env,
  notes: string[],
): { s: ReplicaState; timers: TimerCmd[] } {
  if (s.mode === 'follower' || cmpBallot(higher, s.ballot) <= 0) return { s, timers: [] };
  const duel = higher.p !== env.self;
  notes.push(
    duel
      ? `duel: ballot ${ballotStr(s.ballot)} pre-empted by ${ballotStr(higher)}${s.mode === 'leader' ? ' (leader steps down)' : ''}`
      : `ballot ${ballotStr(s.ballot)} superseded by ${ballotStr(higher)}`,
  );
  return {
    s: { ...s, mode: 'follower', proposals: {}, promises: [], reported: {}, duels: s.duels + (duel ? 1 : 0) },
    timers: [{ kind: 'cancel', name: 'heartbeat' }, electionTimer(env)],
  };
}

/** Phase 1 done: become leader, re-propose reported values, fill gaps with no-ops. */
function becomeLeader(s: ReplicaState, env: Env): Fx {
  const b = s.ballot!;
  let maxSlot = s.execNext - 1;
  for (const k of Object.keys(s.reported)) maxSlot = Math.max(maxSlot, Number(k));
  const proposals: ReplicaState['proposals'] = {};
  const send: Out[] = [];
  let noops = 0;
  let kept = 0;
  for (let slot = s.execNext; slot <= maxSlot; slot++) {
    if (s.decided[slot] !== undefined) continue;
    const r = s.reported[slot];
    if (r === undefined && env.params.bugNoNoopFill) continue;
    // P2c per slot (Paxos Made Simple §3): the highest-ballot value reported, else a no-op.
    const cmd = r?.cmd ?? NOOP;
    if (r === undefined) noops++;
    else kept++;
    proposals[slot] = { cmd, acks: [] };
    send.push(...toAll(env, { type: 'p2a', b, slot, cmd }));
  }
  send.push(...toAll(env, { type: 'heartbeat', b, commit: s.execNext }).filter((o) => o.to !== env.self));
  return {
    state: {
      ...s,
      mode: 'leader',
      proposals,
      nextSlot: maxSlot + 1,
      leader: env.self,
      leaderBallot: b,
      terms: s.terms + 1,
      noops: s.noops + noops,
    },
    send,
    timers: [
      { kind: 'cancel', name: 'election' },
      { kind: 'set', name: 'heartbeat', afterUs: ms(env.params.heartbeatMs) },
    ],
    notes: [
      `leader at ${ballotStr(b)} (promised by ${s.promises.join(',')}): re-propose ${kept} slot(s), ${
        env.params.bugNoNoopFill ? 'no gap filling (bug)' : `${noops} no-op(s)`
      }, next slot ${maxSlot + 1}`,
    ],
  };
}

function propose(s: ReplicaState, cmd: Cmd & { kind: 'op' }, client: string, env: Env): Fx {
  const waiting = { ...s.waiting, [cmd.id]: client };
  for (const p of Object.values(s.proposals))
    if (p.cmd.kind === 'op' && p.cmd.id === cmd.id) return { state: { ...s, waiting } };
  const slot = s.nextSlot;
  const b = s.ballot!;
  return {
    state: { ...s, waiting, nextSlot: slot + 1, proposals: { ...s.proposals, [slot]: { cmd, acks: [] } } },
    send: toAll(env, { type: 'p2a', b, slot, cmd }),
  };
}

// ------------------------------------------------------------------ replica

function replicaStep(s0: ReplicaState, input: Input<MultiPaxosMsg>, env: Env): Fx {
  const s =
    s0.justDecided.length > 0 || s0.justAccepted >= 0 ? { ...s0, justDecided: [], justAccepted: -1 } : s0;
  switch (input.kind) {
    case 'start':
      return { state: s, timers: [electionTimer(env)] };
    case 'restart': {
      if (!env.params.bugForgetPromiseOnRestart) return { state: s, timers: [electionTimer(env)] };
      // The bug: no promise on disk; recovery falls back to the highest accepted ballot.
      let promised: Ballot | null = null;
      for (const v of Object.values(s.accepted)) if (cmpBallot(v.b, promised) > 0) promised = v.b;
      return {
        state: { ...s, promised },
        timers: [electionTimer(env)],
        notes: sameBallot(promised, s.promised)
          ? []
          : [`restart: promise ${ballotStr(s.promised)} forgotten (bug), now ${ballotStr(promised)}`],
      };
    }
    case 'client': {
      // Without client nodes the workload talks to every replica; the leader takes the
      // operation, the others refuse it (it certainly did not take effect).
      const op = input.op;
      if (s.mode !== 'leader') return { state: s, reply: [{ id: op.id, ok: false }] };
      const cmd: Cmd & { kind: 'op' } =
        op.op === 'write'
          ? { kind: 'op', client: env.self, id: op.id, op: 'put', key: op.key, value: op.value ?? '' }
          : { kind: 'op', client: env.self, id: op.id, op: 'get', key: op.key };
      return propose(s, cmd, '', env);
    }
    case 'timer':
      if (input.name === 'election' && s.mode !== 'leader')
        return startPhase1(s, env, s.mode === 'candidate' ? 'phase 1 timed out' : 'no heartbeat');
      if (input.name === 'heartbeat' && s.mode === 'leader') {
        const b = s.ballot!;
        const send = toAll(env, { type: 'heartbeat', b, commit: s.execNext }).filter(
          (o) => o.to !== env.self,
        );
        // Re-send phase 2 for slots still open (lost messages, restarted acceptors).
        const open = Object.keys(s.proposals)
          .map(Number)
          .sort((x, y) => x - y)
          .slice(0, 32);
        for (const slot of open)
          send.push(...toAll(env, { type: 'p2a', b, slot, cmd: s.proposals[slot]!.cmd }));
        return {
          state: s,
          send,
          timers: [{ kind: 'set', name: 'heartbeat', afterUs: ms(env.params.heartbeatMs) }],
        };
      }
      return { state: s };
    case 'message':
      break;
  }
  const m = input.msg;
  const from = input.from;
  const need = quorum(env.nodesWithRole('replica').length);
  switch (m.type) {
    case 'request': {
      if (m.cmd.id in s.results)
        return {
          state: s,
          send: [{ to: from, msg: { type: 'response', id: m.cmd.id, value: s.results[m.cmd.id]! } }],
        };
      if (s.mode !== 'leader')
        return { state: s, send: [{ to: from, msg: { type: 'redirect', id: m.cmd.id, leader: s.leader } }] };
      return propose(s, m.cmd, from, env);
    }
    case 'p1a': {
      if (cmpBallot(m.b, s.promised) < 0)
        return { state: s, send: [{ to: from, msg: { type: 'nack', b: m.b, promised: s.promised! } }] };
      const notes: string[] = [];
      const down = stepDown({ ...s, promised: m.b }, m.b, env, notes);
      const accepted: [number, SlotVote][] = [];
      for (const k of Object.keys(s.accepted))
        if (Number(k) >= m.from) accepted.push([Number(k), s.accepted[k]!]);
      accepted.sort((x, y) => x[0] - y[0]);
      // A replica that grants a promise gives the candidate time before running for itself.
      const timers = from === env.self ? down.timers : [...down.timers, electionTimer(env)];
      return { state: down.s, send: [{ to: from, msg: { type: 'p1b', b: m.b, accepted } }], timers, notes };
    }
    case 'p1b': {
      if (s.mode !== 'candidate' || !sameBallot(m.b, s.ballot) || s.promises.includes(from))
        return { state: s };
      let reported = s.reported;
      for (const [slot, v] of m.accepted) {
        if (slot < s.execNext) continue;
        if (cmpBallot(v.b, reported[slot]?.b) > 0) {
          if (reported === s.reported) reported = { ...reported };
          reported[slot] = v;
        }
      }
      const next = { ...s, promises: [...s.promises, from].sort(), reported };
      return next.promises.length >= need ? becomeLeader(next, env) : { state: next };
    }
    case 'p2a': {
      if (cmpBallot(m.b, s.promised) < 0)
        return { state: s, send: [{ to: from, msg: { type: 'nack', b: m.b, promised: s.promised! } }] };
      const notes: string[] = [];
      const down = stepDown(s, m.b, env, notes);
      const prev = s.accepted[m.slot];
      const same = prev !== undefined && sameBallot(prev.b, m.b);
      const vote = `${ballotStr(m.b)}=${cmdKey(m.cmd)}`;
      const state: ReplicaState = {
        ...down.s,
        promised: m.b,
        accepted: same ? s.accepted : { ...s.accepted, [m.slot]: { b: m.b, cmd: m.cmd } },
        votes: same ? s.votes : { ...s.votes, [m.slot]: [...(s.votes[m.slot] ?? []), vote] },
        justAccepted: same ? -1 : m.slot,
        leader: m.b.p,
        leaderBallot: m.b,
      };
      const timers = from === env.self ? down.timers : [...down.timers, electionTimer(env)];
      return { state, send: [{ to: from, msg: { type: 'p2b', b: m.b, slot: m.slot } }], timers, notes };
    }
    case 'p2b': {
      const p = s.proposals[m.slot];
      if (s.mode !== 'leader' || !sameBallot(m.b, s.ballot) || p === undefined || p.acks.includes(from))
        return { state: s };
      const acks = [...p.acks, from];
      if (acks.length < need)
        return { state: { ...s, proposals: { ...s.proposals, [m.slot]: { cmd: p.cmd, acks } } } };
      const { [m.slot]: _, ...proposals } = s.proposals;
      const d = decide({ ...s, proposals }, [[m.slot, p.cmd]]);
      const others = toAll(env, { type: 'decision', slot: m.slot, cmd: p.cmd }).filter(
        (o) => o.to !== env.self,
      );
      return { state: d.s, send: [...others, ...d.send], reply: d.reply };
    }
    case 'nack': {
      if (s.mode === 'follower' || !sameBallot(m.b, s.ballot)) return { state: s };
      const notes: string[] = [];
      const down = stepDown(s, m.promised, env, notes);
      return { state: down.s, timers: down.timers, notes };
    }
    case 'decision': {
      const d = decide(s, [[m.slot, m.cmd]]);
      return { state: d.s, send: d.send, reply: d.reply };
    }
    case 'decisions': {
      const d = decide(s, m.entries);
      return { state: d.s, send: d.send, reply: d.reply };
    }
    case 'heartbeat': {
      if (cmpBallot(m.b, s.promised) < 0)
        return { state: s, send: [{ to: from, msg: { type: 'nack', b: m.b, promised: s.promised! } }] };
      const notes: string[] = [];
      const down = stepDown(s, m.b, env, notes);
      const state = { ...down.s, leader: m.b.p, leaderBallot: m.b };
      const send: Out[] =
        m.commit > s.execNext ? [{ to: from, msg: { type: 'catchup', from: s.execNext } }] : [];
      return { state, send, timers: [...down.timers, electionTimer(env)], notes };
    }
    case 'catchup': {
      const entries: [number, Cmd][] = [];
      for (let slot = m.from; entries.length < env.params.catchUpMax; slot++) {
        const c = s.decided[slot];
        if (c === undefined) break;
        entries.push([slot, c]);
      }
      return entries.length === 0
        ? { state: s }
        : { state: s, send: [{ to: from, msg: { type: 'decisions', entries } }] };
    }
    default:
      return { state: s };
  }
}

// ------------------------------------------------------------------ client

function clientStep(s: MpClientState, input: Input<MultiPaxosMsg>, env: Env): Fx {
  const replicas = env.nodesWithRole('replica');
  const next = (id: string) => replicas[(replicas.indexOf(id) + 1) % replicas.length] ?? '';
  switch (input.kind) {
    case 'start':
    case 'restart':
      return { state: s };
    case 'client': {
      const op = input.op;
      const target = s.leaderHint !== '' ? s.leaderHint : (replicas[0] ?? '');
      if (target === '') return { state: s, reply: [{ id: op.id, ok: false }] };
      const cmd: Cmd & { kind: 'op' } =
        op.op === 'write'
          ? { kind: 'op', client: env.self, id: op.id, op: 'put', key: op.key, value: op.value ?? '' }
          : { kind: 'op', client: env.self, id: op.id, op: 'get', key: op.key };
      const o: MpClientOp = { cmd, tries: 1, target, hops: 0, sentAtUs: env.localTimeUs };
      return {
        state: { ...s, leaderHint: target, ops: { ...s.ops, [op.id]: o } },
        send: [{ to: target, msg: { type: 'request', cmd } }],
        timers: [{ kind: 'set', name: `op:${op.id}`, afterUs: ms(env.params.clientRetryMs) }],
      };
    }
    case 'timer': {
      const id = input.name.startsWith('op:') ? input.name.slice(3) : '';
      const o = s.ops[id];
      if (o === undefined) return { state: s };
      if (o.tries >= env.params.clientMaxTries) {
        const { [id]: _, ...ops } = s.ops;
        return { state: { ...s, ops }, notes: [`#${id} given up after ${o.tries} tries`] };
      }
      // No answer: the target may be down or cut off; try the next replica.
      const target = next(o.target);
      const no = { ...o, tries: o.tries + 1, target, hops: 0 };
      return {
        state: { ...s, leaderHint: target, ops: { ...s.ops, [id]: no }, retries: s.retries + 1 },
        send: [{ to: target, msg: { type: 'request', cmd: o.cmd } }],
        timers: [{ kind: 'set', name: input.name, afterUs: ms(env.params.clientRetryMs) }],
      };
    }
    case 'message':
      break;
  }
  const m = input.msg;
  if (m.type === 'redirect') {
    const o = s.ops[m.id];
    if (o === undefined || m.leader === '' || m.leader === input.from) return { state: s };
    const hint = { ...s, leaderHint: m.leader };
    // Follow a redirect at once, a few times per attempt; the retry timer covers the rest.
    if (o.hops >= 3) return { state: hint };
    const no = { ...o, target: m.leader, hops: o.hops + 1 };
    return {
      state: { ...hint, ops: { ...s.ops, [m.id]: no } },
      send: [{ to: m.leader, msg: { type: 'request', cmd: o.cmd } }],
    };
  }
  if (m.type !== 'response') return { state: s };
  const o = s.ops[m.id];
  if (o === undefined) return { state: s };
  const { [m.id]: _, ...ops } = s.ops;
  return {
    state: { ...s, ops, leaderHint: input.from, lastLatencyMs: (env.localTimeUs - o.sentAtUs) / 1000 },
    reply: [o.cmd.op === 'get' ? { id: m.id, ok: true, value: m.value } : { id: m.id, ok: true }],
    timers: [{ kind: 'cancel', name: `op:${m.id}` }],
  };
}

// ------------------------------------------------------------------ topology

const node = (id: string, role: string, x: number, y: number) => ({
  id,
  name: id,
  role,
  x,
  y,
  clockOffsetUs: 0,
  clockDriftPpm: 0,
});

/** Three replicas and two clients around a switch. */
export function multiPaxosTopology(): DefaultTopology {
  const nodes = [
    node('c1', 'client', 100, 150),
    node('c2', 'client', 100, 350),
    node('r1', 'replica', 550, 100),
    node('r2', 'replica', 650, 250),
    node('r3', 'replica', 550, 400),
    node('sw', 'switch', 350, 250),
  ];
  return {
    nodes,
    links: nodes
      .filter((n) => n.id !== 'sw')
      .map((n) => ({
        id: `${n.id}-sw`,
        a: n.id,
        b: 'sw',
        latency: { kind: 'uniform' as const, minUs: 1000, maxUs: 3000 },
        lossRate: 0,
        dupRate: 0,
        reorderRate: 0,
        reorderDelayUs: 5000,
      })),
  };
}

// ------------------------------------------------------------------ protocol

export const multiPaxos: StepProtocol<MultiPaxosParams, MultiPaxosState, MultiPaxosMsg> = {
  id: 'multi-paxos',
  topic: 'consensus',
  title: 'Multi-Paxos (stable leader, replicated key-value store)',
  version: 1,
  roles: [
    { id: 'replica', label: 'Replica', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: MultiPaxosParams,
  defaultTopology: multiPaxosTopology,
  init(n) {
    if (n.role === 'client') return { role: 'client', leaderHint: '', ops: {}, lastLatencyMs: 0, retries: 0 };
    return {
      role: 'replica',
      promised: null,
      accepted: {},
      round: 0,
      mode: 'follower',
      ballot: null,
      promises: [],
      reported: {},
      nextSlot: 0,
      proposals: {},
      waiting: {},
      leader: '',
      leaderBallot: null,
      decided: {},
      execNext: 0,
      kv: {},
      results: {},
      justDecided: [],
      votes: {},
      justAccepted: -1,
      ballotsStarted: 0,
      duels: 0,
      terms: 0,
      noops: 0,
    };
  },
  step(s, input, env) {
    return s.role === 'replica' ? replicaStep(s, input, env) : clientStep(s, input, env);
  },
  durable(s) {
    if (s.role === 'client') return { role: s.role, retries: s.retries };
    return {
      role: s.role,
      promised: s.promised,
      accepted: s.accepted,
      round: s.round,
      decided: s.decided,
      execNext: s.execNext,
      kv: s.kv,
      results: s.results,
      votes: s.votes,
      ballotsStarted: s.ballotsStarted,
      duels: s.duels,
      terms: s.terms,
      noops: s.noops,
    };
  },
  invariants: [
    {
      id: 'one-value-per-slot',
      title: 'At most one command is chosen per log slot (a majority of replicas accepted it at one ballot)',
      check({ changed, nodes }) {
        const slot = (changed.state as Partial<ReplicaState>).justAccepted ?? -1;
        if (slot < 0) return null;
        const chosen = chosenInSlot(nodes, slot);
        const distinct = [...new Set(chosen.map((c) => c.cmd))];
        if (distinct.length <= 1) return null;
        const a = chosen.find((c) => c.cmd === distinct[0])!;
        const b = chosen.find((c) => c.cmd === distinct[1])!;
        return `slot ${slot}: ${a.cmd} chosen at ${a.b} (${a.by.join(',')}) and ${b.cmd} at ${b.b} (${b.by.join(',')})`;
      },
    },
    {
      id: 'logs-agree',
      title: 'Replicas never decide different commands in the same log slot',
      check({ changed, nodes }) {
        const s = changed.state as Partial<ReplicaState>;
        const just = s.justDecided;
        if (just === undefined || just.length === 0) return null;
        for (const slot of just) {
          const mine = s.decided![slot]!;
          for (const v of nodes) {
            if (v === changed || v.role !== 'replica') continue;
            const other = (v.state as Partial<ReplicaState>).decided?.[slot];
            if (other !== undefined && cmdKey(other) !== cmdKey(mine))
              return `slot ${slot}: ${changed.id} decided ${cmdStr(mine)}, ${v.id} decided ${cmdStr(other)}`;
          }
        }
        return null;
      },
    },
  ],
  historyCheckers: ['linearizability'],
  metrics: [
    {
      id: 'ballotsStarted',
      unit: 'ballots',
      read: (nodes) =>
        nodes.reduce((n, v) => n + ((v.state as Partial<ReplicaState>).ballotsStarted ?? 0), 0),
    },
    {
      id: 'duels',
      unit: 'duels',
      read: (nodes) => nodes.reduce((n, v) => n + ((v.state as Partial<ReplicaState>).duels ?? 0), 0),
    },
    {
      id: 'leaderChanges',
      unit: 'elections',
      read: (nodes) => nodes.reduce((n, v) => n + ((v.state as Partial<ReplicaState>).terms ?? 0), 0),
    },
    {
      id: 'chosenSlots',
      unit: 'slots',
      read: (nodes) =>
        nodes.reduce((n, v) => Math.max(n, (v.state as Partial<ReplicaState>).execNext ?? 0), 0),
    },
    {
      id: 'noopsFilled',
      unit: 'slots',
      read: (nodes) => nodes.reduce((n, v) => n + ((v.state as Partial<ReplicaState>).noops ?? 0), 0),
    },
    {
      id: 'clientLatencyMs',
      unit: 'ms',
      read(nodes) {
        const c = nodes.filter((v) => v.role === 'client' && v.up);
        if (c.length === 0) return 0;
        return c.reduce((n, v) => n + ((v.state as MpClientState).lastLatencyMs ?? 0), 0) / c.length;
      },
    },
  ],
  summary(s, up) {
    if (!up) return { text: `${s.role} · crashed`, tone: 'bad' };
    if (s.role === 'client')
      return {
        text: `client · ${Object.keys(s.ops).length} waiting · leader? ${s.leaderHint || '-'}`,
        tone: 'neutral',
      };
    const log = `${s.execNext} executed`;
    if (s.mode === 'leader') return { text: `leader ${ballotStr(s.ballot)} · ${log}`, tone: 'good' };
    if (s.mode === 'candidate') return { text: `candidate ${ballotStr(s.ballot)} · ${log}`, tone: 'warn' };
    return {
      text: `follower of ${s.leader || '?'} · promised ${ballotStr(s.promised)} · ${log}`,
      tone: 'neutral',
    };
  },
  nemesis: {
    // The replica that finished phase 1 leads its ballot's round; promises and acceptances
    // are what a restart must keep.
    leads: (s) => (s.role === 'replica' && s.mode === 'leader' && s.ballot !== null ? s.ballot.r : null),
    promised: (before, after) =>
      after.role === 'replica' &&
      before.role === 'replica' &&
      (!sameBallot(after.promised, before.promised) || after.accepted !== before.accepted),
  },
  bugs: [
    {
      param: 'bugForgetPromiseOnRestart',
      title: 'Acceptors forget their promise when they restart: a slot can get two different commands',
    },
    {
      param: 'bugNoNoopFill',
      title: 'A new leader leaves gaps unfilled: the log stops executing at the first hole',
    },
  ],
  lesson: {
    summary:
      'Multi-Paxos runs one Paxos instance per log slot but pays for phase 1 only when leadership changes: a new leader asks a majority to promise its ballot for every slot at once, learns what they already accepted, re-proposes those values and fills the gaps with no-ops. After that each client command costs one round of phase 2. Reads go through the log too, so the key-value store is linearizable.',
    watch: [
      'Leader badges and the leaderChanges metric: one leader at a time in a healthy run',
      'The takeover note: how many slots the new leader re-proposes and how many no-ops it fills',
      '"duel:" notes when two replicas run for leader at the same time',
      'chosenSlots growing steadily, and the client latency when the leader changes',
    ],
    tryThis: [
      'Crash the leader and watch a follower take over after its election timeout; check the re-proposed slots and no-ops in the trace',
      'Set electionTimeoutMsMin and electionTimeoutMsMax equal (say 150) and crash the leader: candidates now time out together and duel',
      'Partition the leader away from the others, then heal: the old leader’s next heartbeat is refused and it steps down',
      'Turn on bugForgetPromiseOnRestart and run with crash/restart faults and a partition: the one-value-per-slot checker stops the run',
      'Turn on bugNoNoopFill and crash the leader under load: the log can stall at a hole and client operations time out',
    ],
  },
};
