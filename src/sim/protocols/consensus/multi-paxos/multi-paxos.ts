import { z } from 'zod';
import {
  type ClientOp,
  type Ctx,
  type DefaultTopology,
  type Input,
  NEMESIS_EVENTS,
  type NodeView,
  type Protocol,
  type StateField,
} from '../../../protocol';
import { initKvClient, type KvClientState, kvClient, nextAfter } from '../../../toolkit/kv-client';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { majority } from '../../../toolkit/quorum';
import { link, placed } from '../../../toolkit/topology';
import { type Ballot, ballotStr, cmpBallot, sameBallot } from '../paxos/ballot';

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
 *
 * A replica's promise, accepted proposals and decided log survive a crash (the `durable`
 * fields below); a handler changes its node's state in place. For the checkers a replica
 * states what a step did as events: `{ type: 'accepted', slot, b, cmd }` when it accepts a
 * new proposal in a slot, `{ type: 'decided', slot, cmd }` for each slot it learns is decided.
 */
export const MultiPaxosParams = z.object({
  /** The leader sends a heartbeat (and re-sends unanswered phase 2 messages) this often. */
  heartbeatMs: z.number().int().min(1).max(60_000).default(30),
  /** Shortest election timeout: no heartbeat for this long and a replica runs phase 1. */
  electionTimeoutMsMin: z.number().int().min(1).max(60_000).default(150),
  /** Longest election timeout (each wait is drawn uniformly from the range with ctx.rng). */
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

/** What answers a client. */
type ClientAnswer = Extract<MultiPaxosMsg, { type: 'response' | 'redirect' }>;

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
  /**
   * Ghost vote history for the checker, never read by the protocol: per slot, every
   * `ballot=command` this acceptor ever accepted (durable, like a write-ahead log would be).
   */
  votes: Record<string, string[]>;
  /** Ballots started (statistic, durable). */
  ballotsStarted: number;
  /** Times our ballot was pre-empted by another replica's (statistic, durable). */
  duels: number;
  /** Times this replica became leader (statistic, durable). */
  terms: number;
  /** Gaps filled with no-ops on takeover (statistic, durable). */
  noops: number;
}

/**
 * A client: the toolkit's key-value client (src/sim/toolkit/kv-client.ts): who it thinks leads
 * (`leader`), its operations in progress (`pending`), its re-sends after a timeout (`retries`).
 */
export interface MpClientState extends KvClientState {
  /** Role tag. */
  role: 'client';
}

/** Any Multi-Paxos node. */
export type MultiPaxosState = ReplicaState | MpClientState;

type MpCtx = Ctx<MultiPaxosParams, MultiPaxosMsg>;

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
  const need = majority(replicas.length);
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

/** Sets the election timer to a random timeout in [electionTimeoutMsMin, electionTimeoutMsMax]. */
function resetElectionTimer(ctx: MpCtx): void {
  const lo = Math.min(ctx.params.electionTimeoutMsMin, ctx.params.electionTimeoutMsMax);
  const hi = Math.max(ctx.params.electionTimeoutMsMin, ctx.params.electionTimeoutMsMax);
  ctx.setTimer('election', ctx.rng.int(ms(lo), ms(hi)));
}

/** Sends a message to every replica, this one included (it is an acceptor too). */
function toAll(ctx: MpCtx, msg: MultiPaxosMsg): void {
  for (const to of ctx.nodesWithRole('replica')) ctx.send(to, msg);
}

// ------------------------------------------------------------------ learner / state machine

/** Records decisions and executes the log as far as it is contiguous; answers waiting clients. */
function decide(ctx: MpCtx, s: ReplicaState, entries: readonly [number, Cmd][]): void {
  let any = false;
  for (const [slot, cmd] of entries) {
    if (slot < s.execNext || s.decided[slot] !== undefined) continue;
    s.decided[slot] = cmd;
    ctx.emit({ type: 'decided', slot, cmd });
    any = true;
  }
  if (!any) return;
  while (s.decided[s.execNext] !== undefined) {
    const cmd = s.decided[s.execNext]!;
    if (cmd.kind === 'op' && !(cmd.id in s.results)) {
      // Each request id is executed once (retries are deduplicated, as PMMC's replicas do).
      let out: string | null = null;
      if (cmd.op === 'put') s.kv[cmd.key] = cmd.value ?? '';
      else out = s.kv[cmd.key] ?? null;
      s.results[cmd.id] = out;
    }
    const client = cmd.kind === 'op' ? s.waiting[cmd.id] : undefined;
    if (cmd.kind === 'op' && client !== undefined) {
      const value = s.results[cmd.id] ?? null;
      // '' marks an operation the workload gave this replica directly (no client nodes).
      if (client === '') ctx.reply(cmd, cmd.op === 'get' ? { ok: true, value } : { ok: true });
      else ctx.send(client, { type: 'response', id: cmd.id, value });
      delete s.waiting[cmd.id];
    }
    s.execNext++;
  }
}

// ------------------------------------------------------------------ leader side

/** Phase 1a for every slot from the first undecided one (Paxos Made Simple §3), with a new ballot. */
function startPhase1(ctx: MpCtx, s: ReplicaState, why: string): void {
  const round = Math.max(s.round, s.promised?.r ?? 0, s.leaderBallot?.r ?? 0) + 1;
  const b: Ballot = { r: round, p: ctx.self };
  s.round = round;
  s.mode = 'candidate';
  s.ballot = b;
  s.promises = [];
  s.reported = {};
  s.proposals = {};
  s.ballotsStarted += 1;
  toAll(ctx, { type: 'p1a', b, from: s.execNext });
  ctx.cancelTimer('heartbeat');
  resetElectionTimer(ctx);
  ctx.note(`${why}: ballot ${ballotStr(b)} phase 1 for slots >= ${s.execNext}`);
}

/** A higher ballot is about: a candidate or leader below it gives up and follows. */
function stepDown(ctx: MpCtx, s: ReplicaState, higher: Ballot): void {
  if (s.mode === 'follower' || cmpBallot(higher, s.ballot) <= 0) return;
  const duel = higher.p !== ctx.self;
  ctx.note(
    duel
      ? `duel: ballot ${ballotStr(s.ballot)} pre-empted by ${ballotStr(higher)}${s.mode === 'leader' ? ' (leader steps down)' : ''}`
      : `ballot ${ballotStr(s.ballot)} superseded by ${ballotStr(higher)}`,
  );
  s.mode = 'follower';
  s.proposals = {};
  s.promises = [];
  s.reported = {};
  if (duel) s.duels += 1;
  ctx.cancelTimer('heartbeat');
  resetElectionTimer(ctx);
}

/** Phase 1 done: become leader, re-propose reported values, fill gaps with no-ops. */
function becomeLeader(ctx: MpCtx, s: ReplicaState): void {
  const b = s.ballot!;
  let maxSlot = s.execNext - 1;
  for (const k of Object.keys(s.reported)) maxSlot = Math.max(maxSlot, Number(k));
  const proposals: ReplicaState['proposals'] = {};
  let noops = 0;
  let kept = 0;
  for (let slot = s.execNext; slot <= maxSlot; slot++) {
    if (s.decided[slot] !== undefined) continue;
    const r = s.reported[slot];
    if (r === undefined && ctx.params.bugNoNoopFill) continue;
    // P2c per slot (Paxos Made Simple §3): the highest-ballot value reported, else a no-op.
    const cmd = r?.cmd ?? NOOP;
    if (r === undefined) noops++;
    else kept++;
    proposals[slot] = { cmd, acks: [] };
    toAll(ctx, { type: 'p2a', b, slot, cmd });
  }
  ctx.sendAll('replica', { type: 'heartbeat', b, commit: s.execNext });
  s.mode = 'leader';
  s.proposals = proposals;
  s.nextSlot = maxSlot + 1;
  s.leader = ctx.self;
  s.leaderBallot = b;
  s.terms += 1;
  s.noops += noops;
  ctx.cancelTimer('election');
  ctx.setTimer('heartbeat', ms(ctx.params.heartbeatMs));
  ctx.note(
    `leader at ${ballotStr(b)} (promised by ${s.promises.join(',')}): re-propose ${kept} slot(s), ${
      ctx.params.bugNoNoopFill ? 'no gap filling (bug)' : `${noops} no-op(s)`
    }, next slot ${maxSlot + 1}`,
  );
  ctx.emit({ type: NEMESIS_EVENTS.elected, ballot: b });
}

/** Phase 2a for a client command in the next free slot (a retry already in a slot just waits). */
function propose(ctx: MpCtx, s: ReplicaState, cmd: Cmd & { kind: 'op' }, client: string): void {
  s.waiting[cmd.id] = client;
  for (const p of Object.values(s.proposals)) if (p.cmd.kind === 'op' && p.cmd.id === cmd.id) return;
  const slot = s.nextSlot;
  s.nextSlot = slot + 1;
  s.proposals[slot] = { cmd, acks: [] };
  toAll(ctx, { type: 'p2a', b: s.ballot!, slot, cmd });
}

// ------------------------------------------------------------------ replica

/** The workload's operation as a command of this replica's own (client nodes build theirs the same way). */
function opCmd(client: string, op: Pick<ClientOp, 'id' | 'op' | 'key' | 'value'>): Cmd & { kind: 'op' } {
  return op.op === 'write'
    ? { kind: 'op', client, id: op.id, op: 'put', key: op.key, value: op.value ?? '' }
    : { kind: 'op', client, id: op.id, op: 'get', key: op.key };
}

function onReplica(ctx: MpCtx, s: ReplicaState, input: Input<MultiPaxosMsg>): void {
  switch (input.kind) {
    case 'start':
      resetElectionTimer(ctx);
      return;
    case 'restart': {
      // `promised` is declared durable (§2.3). The bug switch models a promise that never
      // reached the disk: recovery falls back to the highest ballot anything was accepted at.
      if (ctx.params.bugForgetPromiseOnRestart) {
        let promised: Ballot | null = null;
        for (const v of Object.values(s.accepted)) if (cmpBallot(v.b, promised) > 0) promised = v.b;
        if (!sameBallot(promised, s.promised)) {
          ctx.note(`restart: promise ${ballotStr(s.promised)} forgotten (bug), now ${ballotStr(promised)}`);
          // The promise on disk changed, so this step counts as a promise for the nemesis.
          ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: promised });
        }
        s.promised = promised;
      }
      resetElectionTimer(ctx);
      return;
    }
    case 'client':
      // Without client nodes the workload talks to every replica; the leader takes the
      // operation, the others refuse it (it certainly did not take effect).
      if (s.mode !== 'leader') ctx.reply(input.op, { ok: false });
      else propose(ctx, s, opCmd(ctx.self, input.op), '');
      return;
    case 'timer':
      if (input.name === 'election' && s.mode !== 'leader')
        startPhase1(ctx, s, s.mode === 'candidate' ? 'phase 1 timed out' : 'no heartbeat');
      else if (input.name === 'heartbeat' && s.mode === 'leader') {
        const b = s.ballot!;
        ctx.sendAll('replica', { type: 'heartbeat', b, commit: s.execNext });
        // Re-send phase 2 for slots still open (lost messages, restarted acceptors).
        const open = Object.keys(s.proposals)
          .map(Number)
          .sort((x, y) => x - y)
          .slice(0, 32);
        for (const slot of open) toAll(ctx, { type: 'p2a', b, slot, cmd: s.proposals[slot]!.cmd });
        ctx.setTimer('heartbeat', ms(ctx.params.heartbeatMs));
      }
      return;
    case 'message':
      break;
  }
  const m = input.msg;
  const from = input.from;
  const need = majority(ctx.nodesWithRole('replica').length);
  switch (m.type) {
    case 'request':
      if (m.cmd.id in s.results)
        ctx.send(from, { type: 'response', id: m.cmd.id, value: s.results[m.cmd.id]! });
      else if (s.mode !== 'leader') ctx.send(from, { type: 'redirect', id: m.cmd.id, leader: s.leader });
      else propose(ctx, s, m.cmd, from);
      return;
    case 'p1a': {
      // Phase 1b (§2.3) for every slot >= from, unless a higher ballot was promised.
      if (cmpBallot(m.b, s.promised) < 0) {
        ctx.send(from, { type: 'nack', b: m.b, promised: s.promised! });
        return;
      }
      // The promise rises to b here (P1a lets an acceptor accept above its promise): a promise
      // a restart must keep. An acceptance under a promise already made is not one: nothing a
      // restart could forget is new, and with one per slot the nemesis's crash after a promise
      // would fire on every command (as Raft's votes, not its appends, are its promises).
      if (!sameBallot(m.b, s.promised)) ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: m.b });
      s.promised = m.b;
      stepDown(ctx, s, m.b);
      const accepted: [number, SlotVote][] = [];
      for (const k of Object.keys(s.accepted))
        if (Number(k) >= m.from) accepted.push([Number(k), s.accepted[k]!]);
      accepted.sort((x, y) => x[0] - y[0]);
      ctx.send(from, { type: 'p1b', b: m.b, accepted });
      // A replica that grants a promise gives the candidate time before running for itself.
      if (from !== ctx.self) resetElectionTimer(ctx);
      return;
    }
    case 'p1b': {
      if (s.mode !== 'candidate' || !sameBallot(m.b, s.ballot) || s.promises.includes(from)) return;
      for (const [slot, v] of m.accepted)
        if (slot >= s.execNext && cmpBallot(v.b, s.reported[slot]?.b) > 0) s.reported[slot] = v;
      s.promises.push(from);
      s.promises.sort();
      if (s.promises.length >= need) becomeLeader(ctx, s);
      return;
    }
    case 'p2a': {
      // P1a (§2.2) per slot: accept unless a higher ballot was promised.
      if (cmpBallot(m.b, s.promised) < 0) {
        ctx.send(from, { type: 'nack', b: m.b, promised: s.promised! });
        return;
      }
      stepDown(ctx, s, m.b);
      const prev = s.accepted[m.slot];
      const fresh = prev === undefined || !sameBallot(prev.b, m.b);
      // The promise rises to b here (P1a lets an acceptor accept above its promise): a promise
      // a restart must keep. An acceptance under a promise already made is not one: nothing a
      // restart could forget is new, and with one per slot the nemesis's crash after a promise
      // would fire on every command (as Raft's votes, not its appends, are its promises).
      if (!sameBallot(m.b, s.promised)) ctx.emit({ type: NEMESIS_EVENTS.promised, ballot: m.b });
      s.promised = m.b;
      if (fresh) {
        s.accepted[m.slot] = { b: m.b, cmd: m.cmd };
        // The ghost vote history the one-value-per-slot checker reads.
        const votes = s.votes[m.slot] ?? [];
        votes.push(`${ballotStr(m.b)}=${cmdKey(m.cmd)}`);
        s.votes[m.slot] = votes;
        ctx.emit({ type: 'accepted', slot: m.slot, b: m.b, cmd: m.cmd });
      }
      s.leader = m.b.p;
      s.leaderBallot = m.b;
      ctx.send(from, { type: 'p2b', b: m.b, slot: m.slot });
      if (from !== ctx.self) resetElectionTimer(ctx);
      return;
    }
    case 'p2b': {
      const p = s.proposals[m.slot];
      if (s.mode !== 'leader' || !sameBallot(m.b, s.ballot) || p === undefined || p.acks.includes(from))
        return;
      p.acks.push(from);
      if (p.acks.length < need) return;
      // Accepted by a majority at our ballot: the slot is decided; tell the others.
      delete s.proposals[m.slot];
      ctx.sendAll('replica', { type: 'decision', slot: m.slot, cmd: p.cmd });
      decide(ctx, s, [[m.slot, p.cmd]]);
      return;
    }
    case 'nack':
      if (s.mode !== 'follower' && sameBallot(m.b, s.ballot)) stepDown(ctx, s, m.promised);
      return;
    case 'decision':
      decide(ctx, s, [[m.slot, m.cmd]]);
      return;
    case 'decisions':
      decide(ctx, s, m.entries);
      return;
    case 'heartbeat':
      if (cmpBallot(m.b, s.promised) < 0) {
        ctx.send(from, { type: 'nack', b: m.b, promised: s.promised! });
        return;
      }
      stepDown(ctx, s, m.b);
      s.leader = m.b.p;
      s.leaderBallot = m.b;
      if (m.commit > s.execNext) ctx.send(from, { type: 'catchup', from: s.execNext });
      resetElectionTimer(ctx);
      return;
    case 'catchup': {
      const entries: [number, Cmd][] = [];
      for (let slot = m.from; entries.length < ctx.params.catchUpMax; slot++) {
        const c = s.decided[slot];
        if (c === undefined) break;
        entries.push([slot, c]);
      }
      if (entries.length > 0) ctx.send(from, { type: 'decisions', entries });
      return;
    }
    default:
      return;
  }
}

// ------------------------------------------------------------------ client

/**
 * A client, on the toolkit's key-value client. It sends each command to the replica it thinks
 * leads (the first replica when it has no idea), follows a redirect to the leader a replica
 * names, re-sends to the next replica after clientRetryMs without an answer (and takes it for
 * the leader), and gives up after clientMaxTries sends (the outcome stays unknown).
 */
const onClient = kvClient<MultiPaxosParams, MultiPaxosMsg, MpClientState, ClientAnswer>({
  retry: {
    timer: 'per-request',
    afterUs: (p) => ms(p.clientRetryMs),
    maxTries: (p) => p.clientMaxTries,
  },
  address(ctx, c, r, why) {
    const replicas = ctx.nodesWithRole('replica');
    // After a timeout the target may be down or cut off; try the next replica.
    c.leader =
      why === 'timeout' ? nextAfter(replicas, r.to) : c.leader !== '' ? c.leader : (replicas[0] ?? '');
    return c.leader;
  },
  request: (ctx, _c, r) => ({ type: 'request', cmd: opCmd(ctx.self, r) }),
  answers: { types: ['response', 'redirect'], id: (m) => m.id },
  read(_ctx, _c, r, from, m) {
    if (m.type === 'response')
      return { done: r.op === 'read' ? { ok: true, value: m.value } : { ok: true }, leader: from };
    // Follow a redirect at once, a few times per attempt; the retry timer covers the rest.
    return m.leader === '' || m.leader === from ? {} : { redirect: m.leader, leader: m.leader };
  },
});

// ------------------------------------------------------------------ topology

/** Three replicas and two clients around a switch. */
export function multiPaxosTopology(): DefaultTopology {
  const nodes = [
    placed('c1', 'client', 100, 150),
    placed('c2', 'client', 100, 350),
    placed('r1', 'replica', 550, 100),
    placed('r2', 'replica', 650, 250),
    placed('r3', 'replica', 550, 400),
    placed('sw', 'switch', 350, 250),
  ];
  return {
    nodes,
    links: nodes
      .filter((n) => n.id !== 'sw')
      .map((n) => link(n.id, 'sw', { kind: 'uniform', minUs: 1000, maxUs: 3000 })),
  };
}

// ------------------------------------------------------------------ protocol

/** What survives a crash: the fields of any role that its disk holds (a node keeps those it has). */
const DURABLE: readonly StateField<MultiPaxosState>[] = [
  'role',
  'promised',
  'accepted',
  'round',
  'decided',
  'execNext',
  'kv',
  'results',
  'votes',
  'ballotsStarted',
  'duels',
  'terms',
  'noops',
  'retries',
];

export const multiPaxos: Protocol<MultiPaxosParams, MultiPaxosState, MultiPaxosMsg> = {
  id: 'multi-paxos',
  topic: 'consensus',
  title: 'Multi-Paxos (stable leader, replicated key-value store)',
  version: 1,
  // Election timeouts of 150-300 ms and hops of about 4 ms: at 0.05x the first leader (about
  // 220 ms in) is chosen 4.4 s after Play and a hop takes 80 ms on screen.
  speed: 0.05,
  roles: [
    { id: 'replica', label: 'Replica', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: MultiPaxosParams,
  defaultTopology: multiPaxosTopology,
  quickStart() {
    // Two clients reading and writing five keys through the replicated log.
    return {
      workload: { kind: 'closed', concurrency: 2, readFraction: 0.5, keys: { pattern: 'key-{i}', count: 5 } },
    };
  },
  init(n) {
    if (n.role === 'client') return { role: 'client', ...initKvClient() };
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
      votes: {},
      ballotsStarted: 0,
      duels: 0,
      terms: 0,
      noops: 0,
    };
  },
  on(ctx, s, input) {
    if (s.role === 'replica') onReplica(ctx, s, input);
    else onClient(ctx, s, input);
  },
  // What a replica writes to stable storage (a field absent from a role's state is skipped):
  // `promised` and `accepted` (§2.3; the bug switch that forgets the promise acts on 'restart',
  // see onReplica), `round` (ballots are never reused), the decided log and what executing it
  // built (`execNext`, `kv`, `results`), the checker's ghost `votes` and the statistics. A
  // client keeps its retry count.
  durable: DURABLE,
  liveness: [clientOpsAnswered((p) => 10 * p.electionTimeoutMsMax * 1000)],
  invariants: [
    {
      id: 'one-value-per-slot',
      title: 'At most one command is chosen per log slot (a majority of replicas accepted it at one ballot)',
      check({ nodes, events }) {
        // After a replica accepted in a slot ('accepted' event), the commands chosen there.
        for (const e of events) {
          if (e.type !== 'accepted') continue;
          const slot = e.slot as number;
          const chosen = chosenInSlot(nodes, slot);
          const distinct = [...new Set(chosen.map((c) => c.cmd))];
          if (distinct.length <= 1) continue;
          const a = chosen.find((c) => c.cmd === distinct[0])!;
          const b = chosen.find((c) => c.cmd === distinct[1])!;
          return `slot ${slot}: ${a.cmd} chosen at ${a.b} (${a.by.join(',')}) and ${b.cmd} at ${b.b} (${b.by.join(',')})`;
        }
        return null;
      },
    },
    {
      id: 'logs-agree',
      title: 'Replicas never decide different commands in the same log slot',
      check({ changed, nodes, events }) {
        // Each slot this step decided ('decided' event) against every other replica's log.
        for (const e of events) {
          if (e.type !== 'decided') continue;
          const slot = e.slot as number;
          const mine = e.cmd as Cmd;
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
        return c.reduce((n, v) => n + ((v.state as MpClientState).lastLatencyUs ?? 0) / 1000, 0) / c.length;
      },
    },
  ],
  summary(s, up) {
    if (!up) return { text: `${s.role} · crashed`, tone: 'bad' };
    if (s.role === 'client')
      return {
        text: `client · ${s.pending.length} waiting · leader? ${s.leader || '-'}`,
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
    // The replica that finished phase 1 leads its ballot's round (it emits 'elected' then); it
    // emits 'promised' when its promise or an acceptance changes: what a restart must keep.
    leads: (s) => (s.role === 'replica' && s.mode === 'leader' && s.ballot !== null ? s.ballot.r : null),
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
