import { z } from 'zod';
import type { Ctx, Input, Invariant, Liveness, NodeView, Protocol, StateField } from '../../../protocol';
import { initKvClient } from '../../../toolkit/kv-client';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { star } from '../../../toolkit/topology';
import type { Outcome } from '../shared/atomic-commit';
import * as ac from '../shared/atomic-commit';
import { keepSpan, type Outage, openSpan, stepped } from '../shared/locks-view';
import { type ClientState, type TxnRequestMsg, type TxnResultMsg, txnClient } from '../shared/txn-client';
import type { LockSpan, TxnOp } from '../two-phase-commit/two-phase-commit';
import { paxosCommitLocksView } from './locks-view';

/** The clients' messages and state, the same for the three commit protocols. */
export type { ClientState, TxnRequestMsg, TxnResultMsg } from '../shared/txn-client';

/**
 * Paxos Commit, after J. Gray and L. Lamport, "Consensus on Transaction Commit", ACM TODS
 * 31(1), 2006:
 * - §2 the transaction commit problem: resource managers (RMs) go from *working* to *prepared*
 *   and then to *committed*, or to *aborted*; an RM commits only if every RM prepared
 *   (what the checkers check: atomicity, validity, durability);
 * - §3 two-phase commit, where one transaction manager (TM) decides and blocks everyone when it
 *   fails after every RM prepared (the sibling protocol two-phase-commit);
 * - §4.1 the Paxos consensus algorithm: 2F+1 acceptors, ballots, phase 1a/1b (a leader asks for
 *   promises and learns what was accepted), phase 2a/2b (a value proposed and accepted); ballot 0
 *   may skip phase 1, as no lower ballot exists; a value is chosen once F+1 acceptors accept it
 *   in one ballot;
 * - §4.2 Paxos Commit: one instance of Paxos per RM chooses whether that RM is Prepared or
 *   Aborted. The RM is the ballot-0 leader of its own instance: it sends its phase 2a message
 *   itself (the fast path). The acceptors send their phase 2b messages, bundled for every
 *   instance of the transaction, to the leader, which commits when every instance chose
 *   Prepared and aborts when one chose Aborted. A leader that does not learn an outcome runs
 *   phase 1 with a higher ballot for every instance it has not seen decided, and proposes
 *   Aborted in every instance that is free (§4.2: "it tries to get Aborted chosen");
 * - §4.3 the cost in the normal case, and §5 (Table I) the comparison with two-phase commit
 *   (docs/protocols/paxos-commit.md, bench/atomic-commit-cost.ts).
 * The TM is the first leader; the acceptors, in id order, are the next leaders, each
 * co-located with its acceptor (§4.2 leaves the election of a new leader to any algorithm: here
 * an RM that waits too long asks the next leader in turn). See docs/protocols/paxos-commit.md.
 */
export const PaxosCommitParams = z.object({
  /** How long a forced write takes (the disk's flush), milliseconds. */
  forceMs: z.number().min(0).max(1000).default(10).describe('A forced write delays the message it precedes.'),
  /** How long a leader waits for an outcome before it runs phase 1 with a higher ballot (§4.2), ms. */
  leaderTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** How long a prepared RM waits for the outcome before it asks the next leader, and between asks, ms. */
  decisionTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** Where an RM sends its ballot-0 phase 2a message: every acceptor, or F+1 of them (§4.3). */
  phase2aTo: z
    .enum(['all', 'majority'])
    .default('all')
    .describe('majority: F+1 acceptors, as §4.3 counts messages; all: the fast path survives F failures.'),
  /**
   * Where acceptors send their phase 2b: the leader, which sends the outcome (Paxos Commit), or
   * the leader and every RM, which learn the outcome themselves (Faster Paxos Commit, §4.3).
   */
  phase2bTo: z
    .enum(['leader', 'all'])
    .default('leader')
    .describe('all: Faster Paxos Commit, one message delay fewer, N(F+1) more messages.'),
  /** Chance that an RM aborts on its own (its local work failed). */
  voteNoProbability: z.number().min(0).max(1).default(0),
  /** Scripted aborts, as "T3@rm2": rm2 proposes Aborted in its instance of the third transaction. */
  noVotes: z
    .array(z.string().regex(/^T[1-9][0-9]*@.+$/, 'write a scripted abort as T<number>@<rm>, e.g. T3@rm2'))
    .max(100)
    .default([]),
  /** The TM begins a transaction of its own this often, ms (0: only clients' transactions). */
  txnEveryMs: z.number().min(0).max(60_000).default(150).describe('0: only clients begin transactions.'),
  /** Keys the TM's own transactions write, in turn (k1, k2, ...). */
  scheduleKeys: z.number().int().min(1).max(100).default(3),
  /** How long after the last fault every transaction must be decided (the liveness bound), ms. */
  settleMs: z.number().min(0).max(600_000).default(1000),
  /** Bug switch: an acceptor accepts a phase 2a message of a ballot lower than it promised. */
  bugAcceptLowerBallot: z.boolean().default(false),
  /** Bug switch: a leader commits once a majority of the RMs' instances chose Prepared. */
  bugCommitOnMajorityOfRMs: z.boolean().default(false),
});
/** Paxos Commit params. */
export type PaxosCommitParams = z.infer<typeof PaxosCommitParams>;
type P = PaxosCommitParams;

/** The value an RM's instance chooses (§4.2). */
export type Val = 'prepared' | 'aborted';

/** A record of an RM's log: Prepared (forced before its phase 2a), the outcome. */
export interface RmLogRecord {
  /** The transaction. */
  tid: string;
  /** What the record says. */
  type: 'prepared' | 'commit' | 'abort';
  /** prepared: the first leader (the TM), every RM and the work, for recovery. */
  tm?: string;
  /** prepared: every RM of the transaction. */
  rms?: string[];
  /** prepared: the work. */
  op?: TxnOp;
}

/** What a node did, for the checkers only (kept across crashes, read by no rule). */
export interface Audit {
  /** RMs: the value each proposed in its own instance at ballot 0, by transaction. */
  votes: Record<string, Val>;
  /** The first outcome reached, by transaction. */
  decisions: Record<string, Outcome>;
}

/** A transaction at an RM. */
export interface RmTxn {
  /** forcing its Prepared record, or prepared and waiting for the outcome. */
  phase: 'preparing' | 'prepared';
  /** The TM (the leader of ballot 0). */
  tm: string;
  /** Every RM. */
  rms: string[];
  /** The work. */
  op: TxnOp;
  /** When it locked, local clock, microseconds. */
  sinceUs: number;
  /** When it first asked a leader for the outcome, or null. */
  askedSinceUs: number | null;
  /** Leaders asked so far. */
  asked: number;
  /** Faster Paxos Commit: phase 2b answers heard, by instance and ballot (as a leader keeps them). */
  accepted: Record<string, Record<string, { val: Val; accs: string[] }>>;
  /** Faster Paxos Commit: the value each instance chose, as far as this RM learned. */
  chosen: Record<string, Val>;
}

/** A resource manager (§2, §4.2). */
export interface RmState {
  /** Discriminator. */
  kind: 'rm';
  /** Its log (on disk; written once). */
  log: RmLogRecord[];
  /** Records being forced: on disk when their `force:<tid>` timer fires. */
  forcing: RmLogRecord[];
  /** The committed data (on disk). */
  data: Record<string, string>;
  /** Exclusive locks: key -> the transaction holding it. */
  locks: Record<string, string>;
  /** Transactions not yet decided here. */
  txns: Record<string, RmTxn>;
  /** Counters: messages sent, time spent waiting for an outcome after asking (µs). */
  stats: { sent: number; waitedUs: number };
  /** For the checkers. */
  audit: Audit;
  /** For the Locks view: its locks over time (the last LOCK_SPANS_KEPT). */
  lockSpans: LockSpan[];
  /** For the Locks view: its last step, local clock, microseconds. */
  lastStepUs: number;
  /** For the Locks view: its crashes (the last OUTAGES_KEPT). */
  outages: Outage[];
}

/** One acceptor's state for one instance (the paper's aState[ins][acc]: mbal, bal, val). */
export interface InstanceState {
  /** The highest ballot it took part in (promised or accepted). */
  mbal: number;
  /** The ballot of the value it accepted last, -1 for none. */
  bal: number;
  /** The value accepted in `bal`, 'none' for none. */
  val: Val | 'none';
}

/** The acceptor's instances of one transaction. */
export interface AcceptorTxn {
  /** Every RM (the instances). */
  rms: string[];
  /** The TM, where ballot-0 phase 2b messages go. */
  tm: string;
  /** By RM: mbal, bal, val. */
  ins: Record<string, InstanceState>;
  /** RMs whose ballot-0 acceptance went out in a phase 2b bundle. */
  reported: string[];
  /** What each RM read, for a read transaction (relayed to the TM). */
  reads: Record<string, string | null>;
}

/** Who waits for a transaction's outcome at the TM. */
export type Origin =
  | { kind: 'schedule' }
  | { kind: 'client'; node: string; req: number }
  | { kind: 'op'; id: number };

/** A leader's view of one transaction (§4.2). */
export interface LeaderTxn {
  /** Every RM (the instances). */
  rms: string[];
  /** The ballot of its current attempt (0: waiting on the RMs' own ballot 0). */
  bal: number;
  /** phase 1: collecting promises for `bal`; phase 2: its 2a sent; waiting: on ballot 0. */
  phase: 'waiting' | 'phase1' | 'phase2' | 'decided';
  /** Phase 1b answers for `bal`: by acceptor, what each had accepted per instance. */
  promises: Record<string, Record<string, { bal: number; val: Val | 'none' }>>;
  /** Phase 2b answers: by instance, by ballot, the acceptors that accepted, and the value. */
  accepted: Record<string, Record<string, { val: Val; accs: string[] }>>;
  /** The value chosen in each instance, once F+1 acceptors accepted it in one ballot. */
  chosen: Record<string, Val>;
  /** The outcome, once known. */
  outcome: Outcome | null;
  /** Who waits for the outcome (the TM's own transactions; null elsewhere or after a crash). */
  origin: Origin | null;
  /** The work (reads answer a value). */
  op: TxnOp | null;
  /** What the RMs read, for a read transaction (from the ballot-0 phase 2b bundles). */
  reads: Record<string, string | null>;
  /** When it began or was taken over, local clock, microseconds. */
  sinceUs: number;
}

/** What a leader keeps in memory: the transactions it leads or learned the outcome of. */
export interface Leadership {
  /** Transactions, by id. */
  txns: Record<string, LeaderTxn>;
}

/** The TM (§4.2: the initial leader). */
export interface TmState {
  /** Discriminator. */
  kind: 'tm';
  /** The next transaction number (on disk). */
  nextTxn: number;
  /** Leader state. */
  lead: Leadership;
  /** The highest ballot round it used (on disk, so no ballot is used twice): round × leaders + index. */
  round: number;
  /** Counters (on disk, so the metrics survive its crash). */
  stats: TmStats;
  /** For the checkers. */
  audit: Audit;
  /** For the Locks view. */
  lastStepUs: number;
  /** For the Locks view: its crashes. */
  outages: Outage[];
}

/** The TM's counters. */
export interface TmStats {
  /** Transactions begun. */
  begun: number;
  /** Transactions the TM committed. */
  committed: number;
  /** Transactions the TM aborted. */
  aborted: number;
  /** Sum of commit latencies (begin to outcome known at the TM), microseconds. */
  commitLatencyUs: number;
  /** Messages sent. */
  sent: number;
}

/** An acceptor (§4.1), and the leader co-located with it. */
export interface AcceptorState {
  /** Discriminator. */
  kind: 'acceptor';
  /** Its instances, by transaction (on disk). */
  aState: Record<string, AcceptorTxn>;
  /** Replies waiting for the forced write of what they report (lost in a crash). */
  outbox: { to: string; msg: PaxosCommitMsg }[];
  /** The co-located leader. */
  lead: Leadership;
  /** The co-located leader's highest ballot round (on disk). */
  round: number;
  /** Counters: messages sent, forced writes, transactions it took over as leader. */
  stats: { sent: number; writes: number; takeovers: number };
  /** For the checkers: every (ballot, value) it accepted, by "tid rm". */
  acceptedAudit: Record<string, Record<string, Val>>;
  /** For the checkers: outcomes its leader reached. */
  audit: Audit;
}

/** A node of the protocol. */
export type PaxosCommitState = RmState | TmState | AcceptorState | ClientState;

/** TM -> RM: prepare (§4.2), with every RM and the work. */
export interface PrepareMsg {
  /** Message type. */
  type: 'Prepare';
  /** The transaction. */
  tid: string;
  /** What to do at this RM. */
  op: TxnOp;
  /** Every RM. */
  rms: string[];
}
/** Phase 2a: an RM at ballot 0 (its own instance), or a leader at a higher ballot (several). */
export interface Phase2aMsg {
  /** Message type. */
  type: 'Phase2a';
  /** The transaction. */
  tid: string;
  /** The ballot. */
  bal: number;
  /** The value proposed, by instance (RM). */
  vals: Record<string, Val>;
  /** Every RM of the transaction. */
  rms: string[];
  /** Where the phase 2b answers go: the TM for ballot 0, the leader of the ballot otherwise. */
  leader: string;
  /** Ballot 0, a read transaction: the value the RM read under its lock. */
  read?: string | null;
}
/** Phase 2b: an acceptor accepted these values in this ballot (bundled for the transaction). */
export interface Phase2bMsg {
  /** Message type. */
  type: 'Phase2b';
  /** The transaction. */
  tid: string;
  /** The ballot. */
  bal: number;
  /** The values accepted, by instance. */
  vals: Record<string, Val>;
  /** Every RM of the transaction. */
  rms: string[];
  /** Ballot 0: what each RM read under its lock, for a read transaction (as 2PC's vote carries it). */
  reads: Record<string, string | null>;
}
/** Phase 1a: a leader asks for promises for a ballot in the instances listed. */
export interface Phase1aMsg {
  /** Message type. */
  type: 'Phase1a';
  /** The transaction. */
  tid: string;
  /** The ballot. */
  bal: number;
  /** The instances. */
  ins: string[];
  /** Every RM. */
  rms: string[];
}
/** Phase 1b: an acceptor's promise, with what it accepted in each instance. */
export interface Phase1bMsg {
  /** Message type. */
  type: 'Phase1b';
  /** The transaction. */
  tid: string;
  /** The ballot promised. */
  bal: number;
  /** By instance: the ballot and value it accepted last (-1, 'none': nothing). */
  prior: Record<string, { bal: number; val: Val | 'none' }>;
}
/** The outcome, leader -> RM. */
export interface OutcomeMsg {
  /** The outcome. */
  type: 'Commit' | 'Abort';
  /** The transaction. */
  tid: string;
}
/** A prepared RM -> a leader: what is the outcome? (take over if you do not know) */
export interface DecisionRequestMsg {
  /** Message type. */
  type: 'DecisionRequest';
  /** The transaction. */
  tid: string;
  /** Every RM. */
  rms: string[];
}

/** Messages. */
export type PaxosCommitMsg =
  | PrepareMsg
  | Phase2aMsg
  | Phase2bMsg
  | Phase1aMsg
  | Phase1bMsg
  | OutcomeMsg
  | DecisionRequestMsg
  | TxnRequestMsg
  | TxnResultMsg;

type C = Ctx<P, PaxosCommitMsg>;
type Sender = RmState | TmState | AcceptorState;

const us = (ms: number) => Math.round(ms * 1000);
const FORCE = 'force:';
const LEAD = 'lead:';
const ASK = 'ask:';
const FLUSH = 'flush';
const NEXT_TXN = 'next-txn';
/** The messages of the commit protocol proper (counted per transaction; client traffic is not). */
export const COMMIT_MESSAGES = ['Prepare', 'Phase2a', 'Phase2b', 'Phase1a', 'Phase1b', 'Commit', 'Abort'];

/** Sends a message and counts it; a message to the node itself is a local call and is not counted (§4.3). */
function send(ctx: C, s: Sender, to: string, msg: PaxosCommitMsg): void {
  if (to !== ctx.self) s.stats.sent += 1;
  ctx.send(to, msg);
}

/** The leaders in turn: the TM, then the acceptors in id order (each co-located with a leader). */
export function leadersOf(ctx: { nodesWithRole(role: string): readonly string[] }): string[] {
  return [...ctx.nodesWithRole('tm'), ...ctx.nodesWithRole('acceptor')];
}
/** F, the failures tolerated: 2F+1 acceptors (§4.1). */
export const faultsTolerated = (acceptors: number) => Math.floor((acceptors - 1) / 2);

/** Records an outcome reached here (for the checkers: atomicity, validity, durability). */
function decidedHere(ctx: C, audit: Audit, tid: string, outcome: Outcome, rms: readonly string[]): void {
  audit.decisions[tid] ??= outcome;
  ctx.emit({ type: 'decided', tid, outcome, rms: [...rms] });
}

const describeOp = (op: TxnOp) => (op.kind === 'write' ? `write ${op.key}=${op.value}` : `read ${op.key}`);

// ------------------------------------------------------------------ leader (TM or acceptor)

function newLeaderTxn(ctx: C, rms: string[], origin: Origin | null, op: TxnOp | null): LeaderTxn {
  return {
    rms,
    bal: 0,
    phase: 'waiting',
    promises: {},
    accepted: {},
    chosen: {},
    outcome: null,
    origin,
    op,
    reads: {},
    sinceUs: ctx.now(),
  };
}

/** A new ballot of this leader's, higher than any it used or saw: round × leaders + its index. */
function nextBallot(ctx: C, s: TmState | AcceptorState, above: number): number {
  const leaders = leadersOf(ctx);
  const index = Math.max(0, leaders.indexOf(ctx.self));
  s.round = Math.max(s.round + 1, Math.floor(above / leaders.length) + 1);
  return s.round * leaders.length + index;
}

/**
 * Phase 1a (§4.1, §4.2): the leader did not learn the outcome in time; it asks every acceptor
 * for promises in a new ballot, for every instance not known chosen.
 */
function startPhase1(ctx: C, s: TmState | AcceptorState, tid: string, t: LeaderTxn): void {
  const open = t.rms.filter((rm) => t.chosen[rm] === undefined);
  t.bal = nextBallot(ctx, s, t.bal);
  t.phase = 'phase1';
  t.promises = {};
  for (const a of ctx.nodesWithRole('acceptor'))
    send(ctx, s, a, { type: 'Phase1a', tid, bal: t.bal, ins: open, rms: [...t.rms] });
  ctx.setTimer(LEAD + tid, us(ctx.params.leaderTimeoutMs));
  ctx.note(`${tid}: phase 1 in ballot ${t.bal} for ${open.join(', ')}`);
}

/**
 * Phase 2a after F+1 promises (§4.1): in each instance, the value of the highest ballot any of
 * them accepted (forced); where none accepted anything the instance is free, and the leader
 * proposes Aborted (§4.2).
 */
function onPhase1b(ctx: C, s: TmState | AcceptorState, from: string, m: Phase1bMsg): void {
  const t = s.lead.txns[m.tid];
  if (t === undefined || t.phase !== 'phase1' || m.bal !== t.bal) return;
  t.promises[from] = m.prior;
  const acceptors = ctx.nodesWithRole('acceptor');
  const promised = Object.keys(t.promises);
  if (promised.length < faultsTolerated(acceptors.length) + 1) return;
  const vals: Record<string, Val> = {};
  const ins = Object.keys(m.prior);
  for (const rm of ins) {
    let best: { bal: number; val: Val | 'none' } = { bal: -1, val: 'none' };
    for (const a of promised) {
      const p = t.promises[a]![rm];
      if (p !== undefined && p.bal > best.bal) best = p;
    }
    vals[rm] = best.val === 'none' ? 'aborted' : best.val;
  }
  t.phase = 'phase2';
  for (const a of acceptors)
    send(ctx, s, a, { type: 'Phase2a', tid: m.tid, bal: t.bal, vals, rms: [...t.rms], leader: ctx.self });
  const free = ins.filter(
    (rm) => vals[rm] === 'aborted' && promised.every((a) => t.promises[a]![rm]?.bal === -1),
  );
  ctx.note(
    `${m.tid}: ballot ${t.bal} proposes ${ins.map((rm) => `${rm}=${vals[rm]}`).join(', ')}${free.length > 0 ? ` (free: ${free.join(', ')})` : ''}`,
  );
}

/**
 * Learning (§4.1): counts a phase 2b; an instance is chosen once F+1 acceptors accepted one
 * value in one ballot. Shared by the leaders and, in Faster Paxos Commit, the RMs.
 */
function learn(
  ctx: C,
  l: { rms: string[]; accepted: LeaderTxn['accepted']; chosen: LeaderTxn['chosen'] },
  from: string,
  m: Phase2bMsg,
): void {
  const f = faultsTolerated(ctx.nodesWithRole('acceptor').length);
  for (const [rm, val] of Object.entries(m.vals)) {
    if (!l.rms.includes(rm)) l.rms.push(rm);
    l.accepted[rm] ??= {};
    const byBal = l.accepted[rm]!;
    byBal[String(m.bal)] ??= { val, accs: [] };
    const entry = byBal[String(m.bal)]!;
    if (!entry.accs.includes(from)) entry.accs.push(from);
    if (entry.accs.length >= f + 1 && l.chosen[rm] === undefined) l.chosen[rm] = entry.val;
  }
}

/**
 * The outcome the chosen values give (§4.2): commit when every instance chose Prepared, abort
 * as soon as one chose Aborted, else not yet. The bug commits on more than half Prepared.
 */
function outcomeOf(ctx: C, rms: readonly string[], chosen: Record<string, Val>): Outcome | null {
  const prepared = rms.filter((rm) => chosen[rm] === 'prepared').length;
  const commit = ctx.params.bugCommitOnMajorityOfRMs ? prepared * 2 > rms.length : prepared === rms.length;
  if (commit) return 'commit';
  return rms.some((rm) => chosen[rm] === 'aborted') ? 'abort' : null;
}

/** Phase 2b at a leader (§4.2): learn, and decide once the chosen values say. */
function onPhase2b(ctx: C, s: TmState | AcceptorState, from: string, m: Phase2bMsg): void {
  let t = s.lead.txns[m.tid];
  if (t === undefined) {
    // Only the TM gets ballot-0 answers for a transaction it no longer knows (it crashed).
    if (s.kind !== 'tm') return;
    t = newLeaderTxn(ctx, [...m.rms], null, null);
    s.lead.txns[m.tid] = t;
  }
  if (t.outcome !== null) return;
  for (const [rm, v] of Object.entries(m.reads)) t.reads[rm] ??= v;
  learn(ctx, t, from, m);
  decideIfKnown(ctx, s, m.tid, t);
}

/**
 * Commit when every instance chose Prepared; abort as soon as one chose Aborted (§4.2). The
 * bug commits once more than half of them chose Prepared.
 */
function decideIfKnown(ctx: C, s: TmState | AcceptorState, tid: string, t: LeaderTxn): void {
  const outcome = outcomeOf(ctx, t.rms, t.chosen);
  if (outcome === null) return;
  t.outcome = outcome;
  t.phase = 'decided';
  ctx.cancelTimer(LEAD + tid);
  decidedHere(ctx, s.audit, tid, outcome, t.rms);
  // Faster Paxos Commit: the RMs heard the phase 2b themselves; an RM that missed them asks.
  if (ctx.params.phase2bTo === 'leader')
    for (const rm of t.rms) send(ctx, s, rm, { type: outcome === 'commit' ? 'Commit' : 'Abort', tid });
  if (s.kind === 'tm') {
    if (outcome === 'commit') {
      s.stats.committed += 1;
      s.stats.commitLatencyUs += ctx.now() - t.sinceUs;
    } else s.stats.aborted += 1;
  }
  // A read answers the value read under the lock; a read whose value did not reach this leader
  // answers failed (it changed nothing, so "did not happen" is true of it).
  const read = t.op?.kind === 'read' ? t.rms.find((rm) => rm in t.reads) : undefined;
  const ok = outcome === 'commit' && (t.op?.kind !== 'read' || read !== undefined);
  answer(ctx, t.origin, ok, read === undefined ? null : (t.reads[read] ?? null));
  t.origin = null;
  ctx.note(
    `${tid} ${outcome === 'commit' ? 'commits' : 'aborts'} (${t.rms.map((rm) => `${rm}=${t.chosen[rm] ?? '?'}`).join(', ')})`,
  );
}

/** A prepared RM asks: answer if the outcome is known here, else take over with phase 1. */
function onDecisionRequest(ctx: C, s: TmState | AcceptorState, from: string, m: DecisionRequestMsg): void {
  const t = s.lead.txns[m.tid];
  if (t?.outcome != null) {
    send(ctx, s, from, { type: t.outcome === 'commit' ? 'Commit' : 'Abort', tid: m.tid });
    return;
  }
  if (t !== undefined && t.phase !== 'waiting') return; // its own phase 1 or 2 is under way
  const lt = t ?? newLeaderTxn(ctx, [...m.rms], null, null);
  s.lead.txns[m.tid] = lt;
  if (s.kind === 'acceptor') s.stats.takeovers += 1;
  ctx.note(`${m.tid}: ${from} asks for the outcome; takes over as leader`);
  startPhase1(ctx, s, m.tid, lt);
}

/** Tells whoever waits for a transaction how it ended (the TM's own transactions). */
function answer(ctx: C, origin: Origin | null, ok: boolean, value: string | null): void {
  if (origin === null || origin.kind === 'schedule') return;
  if (origin.kind === 'client') ctx.send(origin.node, { type: 'TxnResult', req: origin.req, ok, value });
  else ctx.reply(origin, ok ? { ok: true, value } : { ok: false });
}

/** Leader inputs shared by the TM and the co-located leaders; true when handled. */
function leaderOn(ctx: C, s: TmState | AcceptorState, input: Input<PaxosCommitMsg>): boolean {
  if (input.kind === 'timer' && input.name.startsWith(LEAD)) {
    const tid = input.name.slice(LEAD.length);
    const t = s.lead.txns[tid];
    if (t !== undefined && t.outcome === null) startPhase1(ctx, s, tid, t);
    return true;
  }
  if (input.kind !== 'message') return false;
  const m = input.msg;
  if (m.type === 'Phase1b') onPhase1b(ctx, s, input.from, m);
  else if (m.type === 'Phase2b') onPhase2b(ctx, s, input.from, m);
  else if (m.type === 'DecisionRequest') onDecisionRequest(ctx, s, input.from, m);
  else return false;
  return true;
}

// ------------------------------------------------------------------ TM

/** The TM begins a transaction: Prepare to every RM (§4.2), then waits on their ballot 0. */
function begin(ctx: C, s: TmState, op: TxnOp, origin: Origin): void {
  const rms = [...ctx.nodesWithRole('rm')];
  if (rms.length === 0 || ctx.nodesWithRole('acceptor').length === 0) {
    answer(ctx, origin, false, null);
    return;
  }
  const tid = `T${s.nextTxn}`;
  s.nextTxn += 1;
  s.stats.begun += 1;
  s.lead.txns[tid] = newLeaderTxn(ctx, rms, origin, op);
  for (const rm of rms) send(ctx, s, rm, { type: 'Prepare', tid, op, rms });
  ctx.setTimer(LEAD + tid, us(ctx.params.leaderTimeoutMs));
  ctx.note(`${tid} begins: ${describeOp(op)} at ${rms.join(', ')}`);
}

function tmOn(ctx: C, s: TmState, input: Input<PaxosCommitMsg>): void {
  const p = ctx.params;
  stepped(ctx, s, input);
  if (leaderOn(ctx, s, input)) return;
  switch (input.kind) {
    case 'start':
    case 'restart':
      // The TM keeps no transaction on disk (§4.2: the acceptors' state is the stable one);
      // prepared RMs that wait too long ask the next leader.
      if (p.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(p.txnEveryMs));
      return;
    case 'client':
      begin(
        ctx,
        s,
        { kind: input.op.op, key: input.op.key, value: input.op.value ?? '' },
        { kind: 'op', id: input.op.id },
      );
      return;
    case 'timer':
      if (input.name === NEXT_TXN) {
        const key = `k${((s.nextTxn - 1) % p.scheduleKeys) + 1}`;
        begin(ctx, s, { kind: 'write', key, value: `T${s.nextTxn}` }, { kind: 'schedule' });
        if (p.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(p.txnEveryMs));
      }
      return;
    case 'message':
      if (input.msg.type === 'TxnRequest') {
        const m = input.msg;
        begin(
          ctx,
          s,
          { kind: m.op, key: m.key, value: m.value },
          { kind: 'client', node: input.from, req: m.req },
        );
      }
      return;
  }
}

// ------------------------------------------------------------------ acceptor

const freshInstance = (): InstanceState => ({ mbal: 0, bal: -1, val: 'none' });

function acceptorTxn(s: AcceptorState, tid: string, rms: readonly string[], tm: string): AcceptorTxn {
  s.aState[tid] ??= { rms: [...rms], tm, ins: {}, reported: [], reads: {} };
  const t = s.aState[tid]!;
  for (const rm of rms) t.ins[rm] ??= freshInstance();
  if (t.tm === '' && tm !== '') t.tm = tm;
  return t;
}

/** Queues a reply until the forced write of what it reports (one write for all that is queued). */
function reply(ctx: C, s: AcceptorState, to: string, msg: PaxosCommitMsg): void {
  if (s.outbox.length === 0) {
    s.stats.writes += 1;
    ctx.setTimer(FLUSH, us(ctx.params.forceMs));
  }
  s.outbox.push({ to, msg });
}

/** Phase 1b (§4.1): promise a ballot higher than any taken part in, and report what was accepted. */
function onPhase1a(ctx: C, s: AcceptorState, from: string, m: Phase1aMsg): void {
  const t = acceptorTxn(s, m.tid, m.rms, '');
  const prior: Phase1bMsg['prior'] = {};
  for (const rm of m.ins) {
    const i = t.ins[rm]!;
    if (i.mbal >= m.bal) return; // promised this ballot or a higher one already
  }
  for (const rm of m.ins) {
    const i = t.ins[rm]!;
    i.mbal = m.bal;
    prior[rm] = { bal: i.bal, val: i.val };
  }
  ctx.emit({ type: 'promised' });
  reply(ctx, s, from, { type: 'Phase1b', tid: m.tid, bal: m.bal, prior });
}

/**
 * Phase 2b (§4.1): accept the values of a ballot not lower than any promised. Ballot-0 answers
 * go to the TM bundled (§4.3): once every RM's value is in, or at the first Aborted; a higher
 * ballot's answer goes to its leader at once.
 */
function onPhase2a(ctx: C, s: AcceptorState, m: Phase2aMsg): void {
  const t = acceptorTxn(s, m.tid, m.rms, m.bal === 0 ? m.leader : '');
  const took: Record<string, Val> = {};
  for (const [rm, val] of Object.entries(m.vals)) {
    t.ins[rm] ??= freshInstance();
    const i = t.ins[rm]!;
    if (i.mbal > m.bal && !ctx.params.bugAcceptLowerBallot) {
      ctx.note(`${m.tid}: refuses ${rm}'s ballot ${m.bal}: it promised ballot ${i.mbal}`);
      continue;
    }
    i.mbal = Math.max(i.mbal, m.bal);
    i.bal = m.bal;
    i.val = val;
    took[rm] = val;
    const key = `${m.tid} ${rm}`;
    s.acceptedAudit[key] ??= {};
    s.acceptedAudit[key]![String(m.bal)] = val;
    ctx.emit({ type: 'accepted', tid: m.tid, rm, bal: m.bal, val });
  }
  if (Object.keys(took).length === 0) return;
  ctx.emit({ type: 'promised' });
  if (m.bal > 0) {
    for (const to of phase2bTargets(ctx, m.leader, t.rms))
      reply(ctx, s, to, { type: 'Phase2b', tid: m.tid, bal: m.bal, vals: took, rms: t.rms, reads: {} });
    return;
  }
  for (const rm of Object.keys(took)) if (m.read !== undefined) t.reads[rm] = m.read;
  const ready = t.rms.filter((rm) => !t.reported.includes(rm) && t.ins[rm]!.bal === 0);
  const all = t.rms.every((rm) => t.reported.includes(rm) || t.ins[rm]!.bal === 0);
  const anAbort = ready.some((rm) => t.ins[rm]!.val === 'aborted');
  if (ready.length === 0 || (!all && !anAbort)) return;
  const vals: Record<string, Val> = {};
  const reads: Record<string, string | null> = {};
  for (const rm of ready) {
    vals[rm] = t.ins[rm]!.val as Val;
    if (rm in t.reads) reads[rm] = t.reads[rm]!;
  }
  t.reported.push(...ready);
  for (const to of phase2bTargets(ctx, t.tm, t.rms))
    reply(ctx, s, to, { type: 'Phase2b', tid: m.tid, bal: 0, vals, rms: t.rms, reads });
}

/** The leader of the ballot, and in Faster Paxos Commit every RM too (§4.3). */
function phase2bTargets(ctx: C, leader: string, rms: readonly string[]): string[] {
  return ctx.params.phase2bTo === 'all' ? [leader, ...rms.filter((rm) => rm !== leader)] : [leader];
}

function acceptorOn(ctx: C, s: AcceptorState, input: Input<PaxosCommitMsg>): void {
  if (leaderOn(ctx, s, input)) return;
  if (input.kind === 'timer' && input.name === FLUSH) {
    const out = s.outbox;
    s.outbox = [];
    for (const o of out) send(ctx, s, o.to, o.msg);
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false });
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  if (m.type === 'Phase1a') onPhase1a(ctx, s, input.from, m);
  else if (m.type === 'Phase2a') onPhase2a(ctx, s, m);
}

// ------------------------------------------------------------------ RM

function spanBegins(s: RmState, tid: string, key: string, nowUs: number, yesUs: number | null): void {
  keepSpan(s.lockSpans, {
    tid,
    key,
    lockedUs: nowUs,
    yesUs,
    blockedUs: null,
    decidedUs: null,
    endUs: null,
    outcome: null,
  });
}

/** The outcome in the log, or null. */
export function loggedOutcome(log: readonly RmLogRecord[], tid: string): Outcome | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const r = log[i]!;
    if (r.tid === tid && r.type !== 'prepared') return r.type;
  }
  return null;
}

/** The outcome is known here: write it, apply a commit, release the lock. */
function rmDecides(ctx: C, s: RmState, tid: string, outcome: Outcome, rms: readonly string[]): void {
  const t = s.txns[tid];
  if (t !== undefined) {
    if (outcome === 'commit' && t.op.kind === 'write') s.data[t.op.key] = t.op.value;
    if (t.askedSinceUs !== null) s.stats.waitedUs += Math.max(0, ctx.now() - t.askedSinceUs);
    if (s.locks[t.op.key] === tid) delete s.locks[t.op.key];
    ctx.cancelTimer(ASK + tid);
    ctx.cancelTimer(FORCE + tid);
    s.forcing = s.forcing.filter((r) => r.tid !== tid);
    delete s.txns[tid];
  }
  s.log.push({ tid, type: outcome });
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) {
    sp.endUs = ctx.now();
    sp.decidedUs ??= sp.endUs;
    sp.outcome = outcome;
  }
  decidedHere(ctx, s.audit, tid, outcome, rms);
}

/** Prepare (§4.2): abort on its own (RMChooseToAbort), or lock, force Prepared, then send phase 2a. */
function onPrepare(ctx: C, s: RmState, from: string, m: PrepareMsg): void {
  if (s.txns[m.tid] !== undefined || loggedOutcome(s.log, m.tid) !== null) return;
  const p = ctx.params;
  let cause: string | null = null;
  if (p.noVotes.includes(`${m.tid}@${ctx.self}`)) cause = 'scripted';
  else if (s.locks[m.op.key] !== undefined) cause = 'lock conflict';
  else if (p.voteNoProbability > 0 && ctx.rng.chance(p.voteNoProbability)) cause = 'chose to';
  if (cause !== null) {
    s.audit.votes[m.tid] ??= 'aborted';
    rmDecides(ctx, s, m.tid, 'abort', m.rms);
    phase2a(ctx, s, m.tid, 'aborted', m.rms, from);
    ctx.note(`${m.tid}: aborts (${cause}); proposes Aborted in its instance`);
    return;
  }
  s.locks[m.op.key] = m.tid;
  spanBegins(s, m.tid, m.op.key, ctx.now(), null);
  s.txns[m.tid] = {
    phase: 'preparing',
    tm: from,
    rms: m.rms,
    op: m.op,
    sinceUs: ctx.now(),
    askedSinceUs: null,
    asked: 0,
    accepted: {},
    chosen: {},
  };
  s.forcing.push({ tid: m.tid, type: 'prepared', tm: from, rms: m.rms, op: m.op });
  ctx.setTimer(FORCE + m.tid, us(p.forceMs));
}

/** The RM's ballot-0 phase 2a in its own instance (§4.2), to every acceptor or F+1 of them (§4.3). */
function phase2a(ctx: C, s: RmState, tid: string, val: Val, rms: string[], tm: string, op?: TxnOp): void {
  const acceptors = ctx.nodesWithRole('acceptor');
  const to =
    ctx.params.phase2aTo === 'majority'
      ? acceptors.slice(0, faultsTolerated(acceptors.length) + 1)
      : acceptors;
  const msg: Phase2aMsg = { type: 'Phase2a', tid, bal: 0, vals: { [ctx.self]: val }, rms, leader: tm };
  if (op?.kind === 'read') msg.read = s.data[op.key] ?? null;
  for (const a of to) send(ctx, s, a, msg);
}

/** Prepared is on disk: propose Prepared and wait for the outcome. */
function prepared(ctx: C, s: RmState, tid: string, t: RmTxn): void {
  t.phase = 'prepared';
  s.audit.votes[tid] ??= 'prepared';
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.yesUs = ctx.now();
  phase2a(ctx, s, tid, 'prepared', t.rms, t.tm, t.op);
  ctx.setTimer(ASK + tid, us(ctx.params.decisionTimeoutMs));
}

/** No outcome yet: ask the next leader in turn (the TM's successors first), who takes over. */
function ask(ctx: C, s: RmState, tid: string, t: RmTxn): void {
  const leaders = leadersOf(ctx);
  t.asked += 1;
  t.askedSinceUs ??= ctx.now();
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.blockedUs ??= t.askedSinceUs;
  const k = leaders.indexOf(t.tm);
  const to = leaders[(Math.max(0, k) + t.asked) % leaders.length]!;
  send(ctx, s, to, { type: 'DecisionRequest', tid, rms: t.rms });
  if (t.asked === 1) ctx.note(`${tid}: no outcome yet; asks ${to}`);
  ctx.setTimer(ASK + tid, us(ctx.params.decisionTimeoutMs));
}

/** Recovery: Prepared without an outcome binds it: lock again and ask. */
function rmRecover(ctx: C, s: RmState, lastStepUs: number): void {
  const open = new Map<string, RmLogRecord>();
  for (const r of s.log) {
    if (r.type === 'prepared') open.set(r.tid, r);
    else open.delete(r.tid);
  }
  for (const [tid, r] of open) {
    const op = r.op ?? { kind: 'write' as const, key: '', value: '' };
    s.locks[op.key] = tid;
    const sp = openSpan(s.lockSpans, tid);
    if (sp === undefined) spanBegins(s, tid, op.key, ctx.now(), ctx.now());
    s.txns[tid] = {
      phase: 'prepared',
      tm: r.tm ?? '',
      rms: r.rms ?? [],
      op,
      sinceUs: ctx.now(),
      askedSinceUs: null,
      asked: 0,
      accepted: {},
      chosen: {},
    };
    ctx.setTimer(ASK + tid, 0);
    ctx.note(`${tid}: prepared before the crash, no outcome; asks`);
  }
  for (const sp of s.lockSpans)
    if (sp.endUs === null && !open.has(sp.tid)) {
      sp.endUs = Math.max(sp.lockedUs, lastStepUs);
      sp.outcome = 'lost';
    }
}

function rmOn(ctx: C, s: RmState, input: Input<PaxosCommitMsg>): void {
  const last = stepped(ctx, s, input);
  switch (input.kind) {
    case 'start':
      return;
    case 'restart':
      rmRecover(ctx, s, last);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'timer': {
      if (input.name.startsWith(FORCE)) {
        const tid = input.name.slice(FORCE.length);
        const k = s.forcing.findIndex((r) => r.tid === tid);
        const t = s.txns[tid];
        if (k < 0 || t === undefined) return;
        s.log.push(s.forcing.splice(k, 1)[0]!);
        prepared(ctx, s, tid, t);
      } else if (input.name.startsWith(ASK)) {
        const tid = input.name.slice(ASK.length);
        const t = s.txns[tid];
        if (t?.phase === 'prepared') ask(ctx, s, tid, t);
      }
      return;
    }
    case 'message': {
      const m = input.msg;
      if (m.type === 'Prepare') onPrepare(ctx, s, input.from, m);
      else if (m.type === 'Phase2b') {
        // Faster Paxos Commit (§4.3): the RM learns the outcome from the acceptors itself.
        const t = s.txns[m.tid];
        if (t === undefined) return;
        learn(ctx, { rms: [...t.rms], accepted: t.accepted, chosen: t.chosen }, input.from, m);
        const outcome = outcomeOf(ctx, t.rms, t.chosen);
        if (outcome !== null) {
          rmDecides(ctx, s, m.tid, outcome, t.rms);
          ctx.note(`${m.tid}: learns ${outcome.toUpperCase()} from the acceptors`);
        }
      } else if (m.type === 'Commit' || m.type === 'Abort') {
        const outcome: Outcome = m.type === 'Commit' ? 'commit' : 'abort';
        const t = s.txns[m.tid];
        if (t === undefined) {
          if (loggedOutcome(s.log, m.tid) === null)
            rmDecides(ctx, s, m.tid, outcome, ctx.nodesWithRole('rm'));
          return;
        }
        const by = input.from !== t.tm ? ` from ${input.from}` : '';
        rmDecides(ctx, s, m.tid, outcome, t.rms);
        if (by !== '') ctx.note(`${m.tid}: learns ${m.type.toUpperCase()}${by}`);
      }
      return;
    }
  }
}

// ------------------------------------------------------------------ client

const clientKv = txnClient<P, PaxosCommitMsg>('tm');

// ------------------------------------------------------------------ checks
// The transaction commit problem of §2, as stated once for the topic (with BHG's AC1-AC3) in
// ../shared/atomic-commit.ts, over this protocol's audit; then Paxos's own safety (§4.1).

const auditOf = (s: PaxosCommitState): Audit | undefined => (s.kind === 'client' ? undefined : s.audit);

/** §2 Consistency: no RM commits while another aborts (nor a leader decides otherwise). */
const atomicity = ac.atomicity<PaxosCommitState>({
  title: 'Atomicity: no transaction commits at one node and aborts at another',
  auditOf,
});

/** §2: an RM commits only if every RM prepared: a commit needs every RM's own Prepared. */
const validity = ac.validity<PaxosCommitState, Val>({
  title: 'Validity: a transaction commits only if every RM proposed Prepared',
  auditOf,
  participantsField: 'rms',
  yes: 'prepared',
  no: 'aborted',
  saidNo: 'proposed Aborted',
  notYes: 'has not prepared',
});

/** §2 Stability: a node never reverses an outcome, crashes included. */
const durability = ac.durability<PaxosCommitState>({
  title: 'Durability: a node never reverses an outcome, crashes included',
  auditOf,
});

/**
 * Paxos safety (§4.1): in each instance at most one value is chosen, a value being chosen in a
 * ballot once F+1 acceptors accepted it there.
 */
const oneValuePerInstance: Invariant<PaxosCommitState> = {
  id: 'one-value-per-instance',
  title: "Paxos safety: each RM's instance chooses at most one value",
  check({ nodes, events }) {
    const acceptors = nodes.filter((n): n is NodeView<AcceptorState> => n.state.kind === 'acceptor');
    const quorum = faultsTolerated(acceptors.length) + 1;
    for (const e of events) {
      if (e.type !== 'accepted') continue;
      const key = `${e.tid as string} ${e.rm as string}`;
      const count = new Map<string, number>();
      for (const a of acceptors)
        for (const [bal, val] of Object.entries(a.state.acceptedAudit?.[key] ?? {}))
          count.set(`${bal}:${val}`, (count.get(`${bal}:${val}`) ?? 0) + 1);
      const chosen = new Map<Val, string>();
      for (const [bv, c] of count) {
        if (c < quorum) continue;
        const [bal, val] = bv.split(':') as [string, Val];
        if (!chosen.has(val)) chosen.set(val, bal);
      }
      if (chosen.size > 1)
        return `${e.rm as string}'s instance of ${e.tid as string} chose Prepared in ballot ${chosen.get('prepared')} and Aborted in ballot ${chosen.get('aborted')}`;
    }
    return null;
  },
};

/**
 * Non-blocking (§2, §4.2): once the faults stop, every transaction is decided at every RM that
 * is up, within settleMs, whenever at most F acceptors are down, whether the TM is up or not.
 */
const everyTxnDecided: Liveness<PaxosCommitState, P> = {
  id: 'every-transaction-decided',
  title: 'With at most F acceptors down, every transaction is decided at every RM that is up (non-blocking)',
  withinUs: (p) => us(p.settleMs),
  check({ nodes, nowUs }, p) {
    const acceptors = nodes.filter((n) => n.state.kind === 'acceptor');
    if (acceptors.filter((n) => !n.up).length > faultsTolerated(acceptors.length)) return null;
    const bound = us(p.settleMs);
    for (const n of nodes) {
      const s = n.state;
      if (!n.up || s.kind !== 'rm') continue;
      for (const [tid, t] of Object.entries(s.txns))
        if (nowUs - t.sinceUs > bound)
          return `${n.id} has held ${tid} undecided (locking ${t.op.key}) for ${((nowUs - t.sinceUs) / 1e6).toFixed(2)} s`;
    }
    return null;
  },
};

// ------------------------------------------------------------------ metrics, topology, definition

function tmOf(nodes: readonly NodeView<PaxosCommitState>[]): TmState | undefined {
  for (const n of nodes) if (n.state.kind === 'tm') return n.state;
  return undefined;
}
const rmsOf = (nodes: readonly NodeView<PaxosCommitState>[]) =>
  nodes.filter((n): n is NodeView<RmState> => n.state.kind === 'rm');

/**
 * Two-phase commit's layout with the acceptors added: three RMs in a row above the switch,
 * a1 and a2 beside it, a3 and the TM below (clients further down). Hops of about 5 ms.
 */
export function paxosCommitTopology(clients = 0, acceptors = 3) {
  const spots = [
    { x: 60, y: 190 },
    { x: 640, y: 190 },
    { x: 60, y: 330 },
    { x: 640, y: 330 },
    { x: 60, y: 470 },
  ];
  const placed = [
    { id: 'tm', role: 'tm', x: 350, y: 330 },
    { id: 'rm1', role: 'rm', x: 60, y: 40 },
    { id: 'rm2', role: 'rm', x: 350, y: 40 },
    { id: 'rm3', role: 'rm', x: 640, y: 40 },
    ...Array.from({ length: acceptors }, (_, k) => ({
      id: `a${k + 1}`,
      role: 'acceptor',
      ...(spots[k] ?? { x: 60 + 240 * (k - spots.length), y: 610 }),
    })),
    ...Array.from({ length: clients }, (_, k) => ({
      id: `c${k + 1}`,
      role: 'client',
      x: 350 + k * 290,
      y: 470,
    })),
  ];
  return star(
    placed,
    { id: 'sw', x: 350, y: 190 },
    { kind: 'normal', meanUs: 2500, stdUs: 250, minUs: 1000 },
  );
}

// What survives a crash: an RM's log and data, the acceptors' instances, a leader's round,
// the counters, the checkers' record and the Locks view's; a client's requests.
const DURABLE: StateField<PaxosCommitState>[] = [
  'kind',
  'log',
  'data',
  'aState',
  'round',
  'nextTxn',
  'stats',
  'audit',
  'acceptedAudit',
  'lockSpans',
  'lastStepUs',
  'outages',
  'nextReq',
  'pending',
];

const emptyAudit = (): Audit => ({ votes: {}, decisions: {} });

export const paxosCommit: Protocol<P, PaxosCommitState, PaxosCommitMsg> = {
  id: 'paxos-commit',
  topic: 'transactions',
  title: 'Paxos Commit',
  version: 1,
  // As two-phase commit: hops of about 5 ms at 0.05x take 0.1 s on screen; the TM crashes
  // about 6.5 s after Play and a1 has committed T2 about 2.5 s later.
  speed: 0.05,
  roles: [
    { id: 'tm', label: 'Transaction manager (leader)', min: 1, max: 1 },
    { id: 'rm', label: 'Resource manager', min: 1, max: null },
    { id: 'acceptor', label: 'Acceptor (and backup leader)', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: PaxosCommitParams,
  defaultTopology: () => paxosCommitTopology(),
  quickStart() {
    // Two-phase commit's fault script: T2 begins at 300 ms; the RMs' Prepared records are on
    // disk and their phase 2a messages sent by about 316 ms; the TM crashes at 325 ms, before
    // the acceptors' bundled phase 2b messages reach it, and restarts at 1.2 s.
    return {
      name: 'Paxos Commit: the TM crashes after every RM prepared',
      faults: [
        { atUs: 325_000, fault: { kind: 'crash', node: 'tm' } },
        { atUs: 1_200_000, fault: { kind: 'restart', node: 'tm' } },
      ],
      maxTimeUs: 2_500_000,
    };
  },
  init(n) {
    const lead = (): Leadership => ({ txns: {} });
    if (n.role === 'tm')
      return {
        kind: 'tm',
        nextTxn: 1,
        lead: lead(),
        round: 0,
        stats: { begun: 0, committed: 0, aborted: 0, commitLatencyUs: 0, sent: 0 },
        audit: emptyAudit(),
        lastStepUs: 0,
        outages: [],
      };
    if (n.role === 'rm')
      return {
        kind: 'rm',
        log: [],
        forcing: [],
        data: {},
        locks: {},
        txns: {},
        stats: { sent: 0, waitedUs: 0 },
        audit: emptyAudit(),
        lockSpans: [],
        lastStepUs: 0,
        outages: [],
      };
    if (n.role === 'acceptor')
      return {
        kind: 'acceptor',
        aState: {},
        outbox: [],
        lead: lead(),
        round: 0,
        stats: { sent: 0, writes: 0, takeovers: 0 },
        acceptedAudit: {},
        audit: emptyAudit(),
      };
    return { kind: 'client', ...initKvClient() };
  },
  on(ctx, s, input) {
    if (s.kind === 'tm') tmOn(ctx, s, input);
    else if (s.kind === 'rm') rmOn(ctx, s, input);
    else if (s.kind === 'acceptor') acceptorOn(ctx, s, input);
    else clientKv(ctx, s, input);
  },
  durable: DURABLE,
  logs: ['log'],
  invariants: [validity, atomicity, durability, oneValuePerInstance],
  liveness: [everyTxnDecided, clientOpsAnswered((p) => us(p.settleMs))],
  historyCheckers: ['linearizability'],
  views: [paxosCommitLocksView],
  metrics: [
    {
      id: 'locksHeld',
      unit: 'locks',
      read: (n) => rmsOf(n).reduce((a, v) => a + (v.up ? Object.keys(v.state.locks).length : 0), 0),
    },
    {
      id: 'waitingTxns',
      unit: 'transactions',
      read: (n) =>
        rmsOf(n).reduce(
          (a, v) =>
            a + (v.up ? Object.values(v.state.txns).filter((t) => t.askedSinceUs !== null).length : 0),
          0,
        ),
    },
    {
      id: 'timeBlockedMs',
      unit: 'ms',
      read: (n) => rmsOf(n).reduce((a, v) => a + (v.state.stats?.waitedUs ?? 0), 0) / 1000,
    },
    { id: 'transactions', unit: 'transactions', read: (n) => tmOf(n)?.stats?.begun ?? 0 },
    {
      id: 'commits',
      unit: 'transactions',
      read: (n) => rmsOf(n)[0]?.state.log?.filter((r) => r.type === 'commit').length ?? 0,
    },
    {
      id: 'aborts',
      unit: 'transactions',
      read: (n) => rmsOf(n)[0]?.state.log?.filter((r) => r.type === 'abort').length ?? 0,
    },
    {
      id: 'takeovers',
      unit: 'transactions',
      read: (n) =>
        n.reduce((a, v) => a + (v.state.kind === 'acceptor' ? (v.state.stats?.takeovers ?? 0) : 0), 0),
    },
    {
      id: 'commitLatencyMs',
      unit: 'ms',
      read: (n) => {
        const c = tmOf(n)?.stats;
        return c === undefined || c.committed === 0 ? 0 : c.commitLatencyUs / c.committed / 1000;
      },
    },
    {
      id: 'msgsPerTxn',
      unit: 'messages',
      read: (n) => {
        const begun = tmOf(n)?.stats?.begun ?? 0;
        let sent = 0;
        for (const v of n) if (v.state.kind !== 'client') sent += v.state.stats?.sent ?? 0;
        return begun === 0 ? 0 : sent / begun;
      },
    },
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'tm' || s.kind === 'acceptor') {
      const open = Object.entries(s.lead.txns).find(([, t]) => t.outcome === null && t.phase !== 'waiting');
      if (open !== undefined)
        return { text: `${open[0]} · ballot ${open[1].bal} ${open[1].phase}`, tone: 'warn' };
      if (s.kind === 'tm') {
        const waiting = Object.entries(s.lead.txns).find(([, t]) => t.outcome === null);
        if (waiting !== undefined) {
          const n = Object.keys(waiting[1].chosen).length;
          return { text: `${waiting[0]} · chosen ${n}/${waiting[1].rms.length}`, tone: 'warn' };
        }
        return { text: `${s.stats.committed} committed · ${s.stats.aborted} aborted`, tone: 'good' };
      }
      const led = s.stats.takeovers;
      return {
        text: `accepted ${Object.keys(s.aState).length} txns${led > 0 ? ` · led ${led}` : ''}`,
        tone: 'neutral',
      };
    }
    if (s.kind === 'rm') {
      const txns = Object.entries(s.txns);
      if (txns.length > 0) {
        const [tid, t] = txns[0]!;
        if (t.askedSinceUs !== null) return { text: `${tid} prepared · asking leaders`, tone: 'bad' };
        return {
          text: `${tid} ${t.phase === 'preparing' ? 'forcing Prepared' : 'prepared'} · lock ${t.op.key}`,
          tone: 'warn',
        };
      }
      const held = Object.keys(s.data).length;
      return { text: `idle · ${held} ${held === 1 ? 'key' : 'keys'}`, tone: 'neutral' };
    }
    return { text: `${s.pending.length} pending`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugAcceptLowerBallot',
      title:
        'An acceptor accepts a ballot lower than it promised: an instance can choose both values (Paxos safety breaks)',
    },
    {
      param: 'bugCommitOnMajorityOfRMs',
      title: 'A leader commits once most instances chose Prepared, not all (validity and atomicity break)',
    },
  ],
  lesson: {
    summary:
      "Paxos Commit (Gray and Lamport, 2006) is two-phase commit with the transaction manager's single disk replaced by Paxos. Each resource manager's Prepared-or-Aborted is decided by its own instance of Paxos, run by 2F+1 acceptors. The RM proposes its value itself, in ballot 0, straight to the acceptors; they tell the leader, which commits once every instance chose Prepared. If the leader dies, another leader runs phase 1 with a higher ballot, learns what was chosen (or gets Aborted chosen where nothing was) and finishes the transaction: nobody blocks while at most F acceptors are down. The price is one more message delay and about F+1 times as many messages.",
    watch: [
      'Prepare, Phase2a from each RM to the acceptors, one bundled Phase2b per acceptor, Commit: four message delays from the TM',
      "The TM crashing at 325 ms, after every RM's Prepared is on disk and its Phase2a sent",
      'The RMs asking a1 (DecisionRequest) 100 ms later; a1 runs phase 1 in ballot 5, finds Prepared accepted in every instance, gets it chosen again and commits T2',
      "The Locks tab: the red 'asking' stretch lasts about 40 ms, where two-phase commit's blocked stretch lasted until the coordinator came back",
      'msgsPerTxn against two-phase commit: 18 instead of 12 per transaction with three RMs and three acceptors (bench/atomic-commit-cost.ts has the table for other N and F)',
    ],
    tryThis: [
      'Open two-phase commit next to this one (same fault script): its participants block from 415 ms to 1.2 s; here the RMs learn that T2 committed at about 465 ms',
      'Set phase2bTo to all (Faster Paxos Commit, §4.3): the acceptors tell the RMs directly, and the RMs know T2 committed at about 335 ms, before the TM would have told them; count the messages in msgsPerTxn',
      'Crash a1 too at 400 ms (Faults): rm1 asks a2 next, which takes over in ballot 6; with F = 1 one acceptor may fail',
      'Set noVotes to ["T2@rm3"]: rm3 proposes Aborted, and a1 finds Aborted accepted in its instance, so T2 aborts everywhere',
      'Turn on bugCommitOnMajorityOfRMs with noVotes ["T2@rm3"]: a1 commits on two Prepared of three and validity stops the run',
      'Open the exercise "Break it: the impatient leader": with bugAcceptLowerBallot, a leader timeout shorter than the slow rm3 needs lets its instance choose both values, and Paxos safety stops the run',
    ],
  },
};
