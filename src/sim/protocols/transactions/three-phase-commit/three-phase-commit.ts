import { z } from 'zod';
import type { Ctx, Input, Liveness, NodeView, Protocol, StateField } from '../../../protocol';
import { initKvClient } from '../../../toolkit/kv-client';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import type { Outcome } from '../shared/atomic-commit';
import * as ac from '../shared/atomic-commit';
import { keepSpan, type LockSpanBase, type Outage, openSpan, stepped } from '../shared/locks-view';
import { type ClientState, type TxnRequestMsg, type TxnResultMsg, txnClient } from '../shared/txn-client';
import { type Audit, type TxnOp, twoPcTopology } from '../two-phase-commit';
import { threePcLocksView } from './locks-view';

/** The clients' messages and state, the same for the three commit protocols. */
export type { ClientState, TxnRequestMsg, TxnResultMsg } from '../shared/txn-client';

/**
 * Three-phase commit, after D. Skeen, "Nonblocking commit protocols", SIGMOD 1981, and
 * Bernstein, Hadzilacos & Goodman, "Concurrency Control and Recovery in Database Systems"
 * (1987), ch. 7 §7.5 "The Three Phase Commit Protocol":
 * - Skeen §3 / BHG §7.5: 2PC blocks because an uncertain participant cannot tell whether
 *   anyone has committed. 3PC adds a state between them: no process commits while another is
 *   still uncertain. The states are Skeen's q (initial), w (wait: voted YES, uncertain),
 *   p (prepared to commit: *committable*), a (aborted) and c (committed); no state is adjacent
 *   to both a and c, and no non-committable state is adjacent to c (Skeen's nonblocking rule).
 * - Phases (BHG §7.5): the coordinator sends VOTE-REQ (here `CanCommit`); each participant
 *   votes YES (forcing its YES record first) or NO. If every vote is YES the coordinator sends
 *   PRE-COMMIT (`PreCommit`), each participant moves to p and acknowledges (`Ack`); then the
 *   coordinator forces COMMIT and sends it (`DoCommit`).
 * - Timeout actions (BHG §7.5): a coordinator waiting for votes aborts; one waiting for ACKs
 *   ignores the missing ones (those participants count as failed) and commits; a participant
 *   waiting for PRE-COMMIT (in w) or for COMMIT (in p) runs the termination protocol.
 * - The termination protocol (BHG §7.5): the operational participants elect a new coordinator
 *   (here: the lowest id among those that answer a state request within `stateWaitMs`), which
 *   collects their states and decides: TR1 some aborted -> abort; TR2 some committed ->
 *   commit; TR3 all uncertain -> abort; TR4 some committable, none committed -> send
 *   PRE-COMMIT to the uncertain ones, collect their ACKs, then commit.
 * - Recovery (BHG §7.5): a participant without a YES record aborts on its own; one with a
 *   decision knows it; one with YES and no decision (it may have been uncertain or committable:
 *   the p state is not logged) asks the others and does not take part in the termination
 *   protocol until it learns the decision. A coordinator with a decision re-sends it; one
 *   without asks the participants, who may have decided without it.
 * 3PC never blocks when processes only crash (and timeouts are right); under a partition both
 * sides may run the termination protocol and decide differently: that is the protocol, not a
 * bug, and why Paxos Commit exists (Gray & Lamport 2006). See docs/protocols/three-phase-commit.md.
 */
export const ThreePhaseCommitParams = z.object({
  /** How long a forced log write takes (the disk's flush), milliseconds. */
  forceMs: z.number().min(0).max(1000).default(10).describe('A forced write delays the message it precedes.'),
  /** How long the coordinator waits for every vote before it aborts (§7.5 timeout actions), ms. */
  voteTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** How long the coordinator waits for the ACKs of PRE-COMMIT before it commits anyway (§7.5), ms. */
  ackTimeoutMs: z
    .number()
    .min(1)
    .max(60_000)
    .default(200)
    .describe('After this the coordinator ignores missing ACKs and commits.'),
  /** How long a participant in w or p waits for the coordinator before it runs the termination protocol, ms. */
  decisionTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** How long the termination protocol waits for the participants' states (the election), ms. */
  stateWaitMs: z
    .number()
    .min(1)
    .max(60_000)
    .default(20)
    .describe('Whoever answers in time is operational; the lowest id of them is the new coordinator.'),
  /** How often a decision is re-sent to those who have not acknowledged it, and a recovering node asks, ms. */
  resendMs: z.number().min(1).max(60_000).default(100),
  /** Chance that a participant votes NO on its own (its local work failed). */
  voteNoProbability: z.number().min(0).max(1).default(0),
  /** Scripted NO votes, as "T3@p2": participant p2 votes NO on the third transaction. */
  noVotes: z
    .array(
      z.string().regex(/^T[1-9][0-9]*@.+$/, 'write a scripted NO as T<number>@<participant>, e.g. T3@p2'),
    )
    .max(100)
    .default([]),
  /** The coordinator begins a transaction of its own this often, ms (0: only clients' transactions). */
  txnEveryMs: z.number().min(0).max(60_000).default(150).describe('0: only clients begin transactions.'),
  /** Keys the coordinator's own transactions write, in turn (k1, k2, ...). */
  scheduleKeys: z.number().int().min(1).max(100).default(3),
  /** How long after the last fault every transaction must be decided at every operational node, ms. */
  settleMs: z.number().min(0).max(600_000).default(1000),
  /** Bug switch: no PRE-COMMIT round (2PC in 3PC's clothes): all-uncertain participants may not abort, so they block. */
  bugSkipPreCommit: z.boolean().default(false),
  /** Bug switch: the termination protocol ignores committable states (TR4) and aborts unless someone committed. */
  bugTerminationIgnoresPrecommit: z.boolean().default(false),
});
/** Three-phase commit params. */
export type ThreePhaseCommitParams = z.infer<typeof ThreePhaseCommitParams>;
type P = ThreePhaseCommitParams;

/** A process's state for one transaction (Skeen's q, w, p, a, c). */
export type TxnStateLetter = 'q' | 'w' | 'p' | 'a' | 'c';

/**
 * A record of the DT log (BHG §7.5, as §7.4): `start-3pc` (coordinator: participants and work),
 * `yes` (participant, forced before voting), `commit` (forced), `abort`, `end` (coordinator:
 * every participant acknowledged the decision). The committable state p is not logged.
 */
export interface LogRecord {
  /** The transaction. */
  tid: string;
  /** What the record says. */
  type: 'start-3pc' | 'yes' | 'commit' | 'abort' | 'end';
  /** start-3pc and yes: the participants. */
  participants?: string[];
  /** start-3pc and yes: the coordinator. */
  coordinator?: string;
  /** start-3pc and yes: the work. */
  op?: TxnOp;
}

/** Why a transaction aborted (at the coordinator, or by the termination protocol). */
export type AbortCause = 'vote-no' | 'lock-conflict' | 'vote-timeout' | 'termination';
/** Why a participant voted NO. */
export type NoCause = 'chose-no' | 'scripted' | 'lock-conflict' | 'termination';

/** Who is waiting for a transaction's outcome at the coordinator. */
export type Origin =
  | { kind: 'schedule' }
  | { kind: 'client'; node: string; req: number }
  | { kind: 'op'; id: number };

/** A transaction at the coordinator. */
export interface CoordinatorTxn {
  /**
   * w: collecting votes; p: PRE-COMMIT sent, collecting ACKs; forcing-commit; c or a: decided,
   * waiting for the acknowledgements of the decision; recovering: no decision in the log after
   * a crash, asking the participants.
   */
  phase: 'w' | 'p' | 'forcing-commit' | 'c' | 'a' | 'recovering';
  /** The participants. */
  participants: string[];
  /** The work. */
  op: TxnOp;
  /** Votes received. */
  votes: Record<string, 'yes' | 'no'>;
  /** The value each YES vote read (read transactions). */
  values: Record<string, string | null>;
  /** ACKs of PRE-COMMIT received. */
  acks: string[];
  /** Participants the decision went to that have not acknowledged it. */
  awaiting: string[];
  /** Who waits for the outcome (null after a restart). */
  origin: Origin | null;
  /** When it began, local clock, microseconds. */
  beganUs: number;
}

/** The coordinator's counters (on disk, so the metrics survive its crash). */
export interface CoordinatorStats {
  /** Transactions begun. */
  begun: number;
  /** Transactions the coordinator committed. */
  committed: number;
  /** Transactions the coordinator aborted, by cause. */
  aborts: Record<Exclude<AbortCause, 'termination'>, number>;
  /** Sum of commit latencies (begin to COMMIT record forced), microseconds. */
  commitLatencyUs: number;
  /** 3PC messages sent (client answers not counted). */
  sent: number;
}

/** The coordinator. */
export interface CoordinatorState {
  /** Discriminator. */
  kind: 'coordinator';
  /** The DT log (on disk; written once). */
  log: LogRecord[];
  /** Records being forced: on disk when their `force:<tid>` timer fires. */
  forcing: LogRecord[];
  /** The next transaction number (on disk). */
  nextTxn: number;
  /** Transactions not yet ended, by id. */
  txns: Record<string, CoordinatorTxn>;
  /** Counters. */
  stats: CoordinatorStats;
  /** For the checkers: votes cast and decisions reached (never forgotten). */
  audit: Audit;
  /** For the Locks view: its last step, local clock, microseconds. */
  lastStepUs: number;
  /** For the Locks view: its crashes. */
  outages: Outage[];
}

/**
 * A lock a participant held, for the Locks view (no rule reads it): taken at VOTE-REQ, YES on
 * disk and voted, PRE-COMMIT (committable), the termination protocol's first round, the
 * decision, the release. Local clock, microseconds; null: not (yet) reached.
 */
export interface LockSpan3 extends LockSpanBase {
  /** The YES record reached the disk and the vote went out (state w). */
  yesUs: number | null;
  /** PRE-COMMIT arrived (state p). */
  precommitUs: number | null;
  /** The decision timeout expired: it ran the termination protocol. */
  blockedUs: number | null;
  /** It learned COMMIT (forcing its record). */
  decidedUs: number | null;
}

/** The termination protocol as one participant runs it for one transaction (BHG §7.5). */
export interface Termination {
  /** Rounds started (each after a decision timeout). */
  round: number;
  /** collecting: states asked for; precommitting: backup, TR4's PRE-COMMIT sent; waiting: for the backup. */
  phase: 'collecting' | 'precommitting' | 'waiting';
  /** The states reported this round, by participant (this one's own included). */
  states: Record<string, TxnStateLetter>;
  /** TR4: the participants sent PRE-COMMIT that have not acknowledged yet. */
  acks: string[];
  /** The backup chosen this round ('' before the election). */
  backup: string;
  /** bugSkipPreCommit: every state uncertain and no rule may decide (2PC's blocking). */
  blocked: boolean;
}

/** A transaction at a participant. */
export interface ParticipantTxn {
  /** q: locked, forcing YES; w: voted YES (uncertain); p: committable; c: COMMIT known, forcing its record. */
  state: 'q' | 'w' | 'p' | 'c';
  /** The coordinator. */
  coordinator: string;
  /** Every participant. */
  participants: string[];
  /** The work. */
  op: TxnOp;
  /** When it locked (or recovered), local clock, microseconds. */
  sinceUs: number;
  /** When it first ran the termination protocol or asked for the decision, or null. */
  blockedSinceUs: number | null;
  /** Recovered from the log with no decision: asks, takes no part in the termination protocol. */
  recovered: boolean;
  /** The termination protocol, once the coordinator fell silent. */
  term: Termination | null;
}

/** A participant's counters. */
export interface ParticipantStats {
  /** 3PC messages sent. */
  sent: number;
  /** Time spent waiting on the termination protocol or a recovery question, microseconds. */
  blockedUs: number;
  /** Transactions this participant decided as the termination protocol's coordinator. */
  backupCommits: number;
  /** Likewise, aborted. */
  backupAborts: number;
}

/** A participant (a resource manager with its DT log). */
export interface ParticipantState {
  /** Discriminator. */
  kind: 'participant';
  /** The DT log (on disk; written once). */
  log: LogRecord[];
  /** Records being forced. */
  forcing: LogRecord[];
  /** The committed data (on disk). */
  data: Record<string, string>;
  /** Exclusive locks: key -> transaction. */
  locks: Record<string, string>;
  /** Transactions under way here. */
  txns: Record<string, ParticipantTxn>;
  /** Counters. */
  stats: ParticipantStats;
  /** For the checkers. */
  audit: Audit;
  /** For the Locks view: its locks over time (the last LOCK_SPANS_KEPT). */
  lockSpans: LockSpan3[];
  /** For the Locks view: its last step. */
  lastStepUs: number;
  /** For the Locks view: its crashes. */
  outages: Outage[];
}

/** A node of the protocol. */
export type ThreePcState = CoordinatorState | ParticipantState | ClientState;

/** Coordinator -> participant: VOTE-REQ ("CanCommit?"), with the participants and the work. */
export interface CanCommitMsg {
  type: 'CanCommit';
  tid: string;
  op: TxnOp;
  participants: string[];
}
/** Participant -> coordinator: YES, with the value read for a read. */
export interface YesMsg {
  type: 'Yes';
  tid: string;
  value: string | null;
}
/** Participant -> coordinator: NO, and why. */
export interface NoMsg {
  type: 'No';
  tid: string;
  cause: NoCause;
}
/** Coordinator (or the termination protocol's backup) -> participant: PRE-COMMIT. */
export interface PreCommitMsg {
  type: 'PreCommit';
  tid: string;
}
/** Participant -> whoever sent it: ACK of PRE-COMMIT, or of the decision. */
export interface AckMsg {
  type: 'Ack';
  tid: string;
  of: 'precommit' | 'decision';
}
/** The decision: COMMIT (`DoCommit`) or ABORT. */
export interface DecisionMsg {
  type: 'DoCommit' | 'Abort';
  tid: string;
}
/** The termination protocol: STATE-REQ from an uncertain or committable participant. */
export interface StateReqMsg {
  type: 'StateReq';
  tid: string;
  round: number;
}
/** The answer to a STATE-REQ: the sender's state for the transaction. */
export interface StateReportMsg {
  type: 'StateReport';
  tid: string;
  round: number;
  state: TxnStateLetter;
}
/** Recovery: a node with no decision in its log asks. Decided nodes answer. */
export interface DecisionRequestMsg {
  type: 'DecisionRequest';
  tid: string;
}

/** Messages. */
export type ThreePcMsg =
  | CanCommitMsg
  | YesMsg
  | NoMsg
  | PreCommitMsg
  | AckMsg
  | DecisionMsg
  | StateReqMsg
  | StateReportMsg
  | DecisionRequestMsg
  | TxnRequestMsg
  | TxnResultMsg;

type C = Ctx<P, ThreePcMsg>;
type Node3pc = CoordinatorState | ParticipantState;

const us = (ms: number) => Math.round(ms * 1000);
const FORCE = 'force:';
const VOTES = 'votes:';
const ACKS = 'acks:';
const RESEND = 'resend:';
const DECIDE = 'decide:';
const ELECT = 'elect:';
const TR4 = 'tr4:';
const NEXT_TXN = 'next-txn';

export { LOCK_SPANS_KEPT, OUTAGES_KEPT } from '../shared/locks-view';

function send(ctx: C, s: Node3pc, to: string, msg: ThreePcMsg): void {
  s.stats.sent += 1;
  ctx.send(to, msg);
}

function force(ctx: C, s: Node3pc, rec: LogRecord): void {
  s.forcing.push(rec);
  ctx.setTimer(FORCE + rec.tid, us(ctx.params.forceMs));
}

/** Takes a forced record off the queue and puts it on disk; null if none is pending for `tid`. */
function forced(s: Node3pc, tid: string): LogRecord | null {
  const k = s.forcing.findIndex((r) => r.tid === tid);
  if (k < 0) return null;
  const [rec] = s.forcing.splice(k, 1);
  s.log.push(rec!);
  return rec!;
}

/** Records a decision reached here (for the checkers). */
function decided(ctx: C, s: Node3pc, tid: string, outcome: Outcome, participants: readonly string[]): void {
  s.audit.decisions[tid] ??= outcome;
  ctx.emit({ type: 'decided', tid, outcome, participants: [...participants] });
}

/** The decision the log holds for a transaction, or null. */
export function loggedDecision(log: readonly LogRecord[], tid: string): Outcome | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const r = log[i]!;
    if (r.tid === tid && (r.type === 'commit' || r.type === 'abort')) return r.type;
  }
  return null;
}

const decisionMsg = (tid: string, o: Outcome): DecisionMsg => ({
  type: o === 'commit' ? 'DoCommit' : 'Abort',
  tid,
});
const describeOp = (op: TxnOp) => (op.kind === 'write' ? `write ${op.key}=${op.value}` : `read ${op.key}`);
const NO_OP: TxnOp = { kind: 'write', key: '', value: '' };

// ------------------------------------------------------------------ coordinator

/** Phase 1: write start-3PC, send VOTE-REQ (CanCommit?) to every participant. */
function begin(ctx: C, s: CoordinatorState, op: TxnOp, origin: Origin): void {
  const participants = [...ctx.nodesWithRole('participant')];
  if (participants.length === 0) {
    answer(ctx, origin, false, null);
    return;
  }
  const tid = `T${s.nextTxn}`;
  s.nextTxn += 1;
  s.stats.begun += 1;
  s.log.push({ tid, type: 'start-3pc', participants, coordinator: ctx.self, op });
  s.txns[tid] = {
    phase: 'w',
    participants,
    op,
    votes: {},
    values: {},
    acks: [],
    awaiting: [],
    origin,
    beganUs: ctx.now(),
  };
  for (const p of participants) send(ctx, s, p, { type: 'CanCommit', tid, op, participants });
  ctx.setTimer(VOTES + tid, us(ctx.params.voteTimeoutMs));
  ctx.note(`${tid} begins: ${describeOp(op)} at ${participants.join(', ')}`);
}

function answer(ctx: C, origin: Origin | null, ok: boolean, value: string | null): void {
  if (origin === null || origin.kind === 'schedule') return;
  if (origin.kind === 'client') ctx.send(origin.node, { type: 'TxnResult', req: origin.req, ok, value });
  else ctx.reply(origin, ok ? { ok: true, value } : { ok: false });
}

/** Waits for the acknowledgements of a decision, re-sending it; writes END when all are in. */
function awaitAcks(ctx: C, s: CoordinatorState, tid: string, t: CoordinatorTxn): void {
  if (t.awaiting.length > 0) {
    ctx.setTimer(RESEND + tid, us(ctx.params.resendMs));
    return;
  }
  s.log.push({ tid, type: 'end' });
  ctx.cancelTimer(RESEND + tid);
  delete s.txns[tid];
}

/** ABORT at the coordinator (a NO vote or the vote timeout): no force needed, no record means abort. */
function coordinatorAbort(
  ctx: C,
  s: CoordinatorState,
  tid: string,
  t: CoordinatorTxn,
  cause: Exclude<AbortCause, 'termination'>,
): void {
  t.phase = 'a';
  s.log.push({ tid, type: 'abort' });
  s.stats.aborts[cause] += 1;
  decided(ctx, s, tid, 'abort', t.participants);
  ctx.cancelTimer(VOTES + tid);
  t.awaiting = t.participants.filter((p) => t.votes[p] !== 'no');
  for (const p of t.awaiting) send(ctx, s, p, { type: 'Abort', tid });
  answer(ctx, t.origin, false, null);
  t.origin = null;
  ctx.note(`${tid} aborts (${cause})`);
  awaitAcks(ctx, s, tid, t);
}

/** Every vote is YES: phase 2, PRE-COMMIT (§7.5); the bug skips it and commits as 2PC does. */
function onVote(ctx: C, s: CoordinatorState, from: string, m: YesMsg | NoMsg): void {
  const t = s.txns[m.tid];
  if (t === undefined || t.phase !== 'w' || !t.participants.includes(from)) return;
  if (m.type === 'No') {
    t.votes[from] = 'no';
    coordinatorAbort(ctx, s, m.tid, t, m.cause === 'lock-conflict' ? 'lock-conflict' : 'vote-no');
    return;
  }
  t.votes[from] = 'yes';
  t.values[from] = m.value;
  if (!t.participants.every((p) => t.votes[p] === 'yes')) return;
  ctx.cancelTimer(VOTES + m.tid);
  if (ctx.params.bugSkipPreCommit) {
    t.phase = 'forcing-commit';
    force(ctx, s, { tid: m.tid, type: 'commit' });
    return;
  }
  t.phase = 'p';
  for (const p of t.participants) send(ctx, s, p, { type: 'PreCommit', tid: m.tid });
  ctx.setTimer(ACKS + m.tid, us(ctx.params.ackTimeoutMs));
  ctx.note(`${m.tid}: every vote is YES; PRE-COMMIT`);
}

/** Phase 3: every ACK is in (or the ACK timeout passed: the silent ones count as failed): force COMMIT. */
function onAllAcked(ctx: C, s: CoordinatorState, tid: string, t: CoordinatorTxn, timedOut: boolean): void {
  t.phase = 'forcing-commit';
  ctx.cancelTimer(ACKS + tid);
  if (timedOut) {
    const silent = t.participants.filter((p) => !t.acks.includes(p));
    ctx.note(`${tid}: no ACK from ${silent.join(', ')}; commits without them (§7.5 timeout action)`);
  }
  force(ctx, s, { tid, type: 'commit' });
}

/** The COMMIT record is on disk: committed; send COMMIT (DoCommit) and answer the client. */
function committed(ctx: C, s: CoordinatorState, tid: string): void {
  const t = s.txns[tid];
  if (t === undefined) return;
  t.phase = 'c';
  s.stats.committed += 1;
  s.stats.commitLatencyUs += ctx.now() - t.beganUs;
  decided(ctx, s, tid, 'commit', t.participants);
  t.awaiting = [...t.participants];
  for (const p of t.participants) send(ctx, s, p, { type: 'DoCommit', tid });
  const first = t.participants.find((p) => p in t.values);
  answer(ctx, t.origin, true, t.op.kind === 'read' && first !== undefined ? (t.values[first] ?? null) : null);
  t.origin = null;
  ctx.note(`${tid} commits`);
  awaitAcks(ctx, s, tid, t);
}

/**
 * Recovery (§7.5): a decision without END is re-sent; a transaction without a decision may have
 * been decided by the termination protocol meanwhile, so the coordinator asks the participants.
 */
function coordinatorRecover(ctx: C, s: CoordinatorState): void {
  const started = new Map<string, LogRecord>();
  const decision = new Map<string, Outcome>();
  const ended = new Set<string>();
  for (const r of s.log) {
    if (r.type === 'start-3pc') started.set(r.tid, r);
    else if (r.type === 'commit' || r.type === 'abort') decision.set(r.tid, r.type);
    else if (r.type === 'end') ended.add(r.tid);
  }
  for (const [tid, r] of started) {
    if (ended.has(tid)) continue;
    const o = decision.get(tid);
    const t: CoordinatorTxn = {
      phase: o === undefined ? 'recovering' : o === 'commit' ? 'c' : 'a',
      participants: r.participants ?? [],
      op: r.op ?? NO_OP,
      votes: {},
      values: {},
      acks: [],
      awaiting: [...(r.participants ?? [])],
      origin: null,
      beganUs: ctx.now(),
    };
    s.txns[tid] = t;
    if (o === undefined) {
      for (const p of t.participants) send(ctx, s, p, { type: 'DecisionRequest', tid });
      ctx.setTimer(RESEND + tid, us(ctx.params.resendMs));
      ctx.note(`${tid}: no decision in the log; asks the participants`);
      continue;
    }
    for (const p of t.awaiting) send(ctx, s, p, decisionMsg(tid, o));
    ctx.note(`${tid}: ${o} found in the log; re-sent`);
    awaitAcks(ctx, s, tid, t);
  }
}

/** A recovering coordinator learns the decision from a participant: log it, collect the acks. */
function coordinatorLearns(ctx: C, s: CoordinatorState, from: string, m: DecisionMsg): void {
  const t = s.txns[m.tid];
  if (t?.phase !== 'recovering') return;
  const o: Outcome = m.type === 'DoCommit' ? 'commit' : 'abort';
  t.phase = o === 'commit' ? 'c' : 'a';
  s.log.push({ tid: m.tid, type: o });
  decided(ctx, s, m.tid, o, t.participants);
  ctx.note(`${m.tid}: learns ${o.toUpperCase()} from ${from} (decided without it)`);
  for (const p of t.awaiting) send(ctx, s, p, decisionMsg(m.tid, o));
  awaitAcks(ctx, s, m.tid, t);
}

function coordinatorTimer(ctx: C, s: CoordinatorState, name: string): void {
  const p = ctx.params;
  if (name === NEXT_TXN) {
    // The coordinator's own schedule: transaction n writes k((n-1) mod scheduleKeys + 1) = Tn.
    const key = `k${((s.nextTxn - 1) % p.scheduleKeys) + 1}`;
    begin(ctx, s, { kind: 'write', key, value: `T${s.nextTxn}` }, { kind: 'schedule' });
    if (p.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(p.txnEveryMs));
    return;
  }
  const [prefix, tid] = [name.slice(0, name.indexOf(':') + 1), name.slice(name.indexOf(':') + 1)];
  const t = s.txns[tid];
  if (prefix === FORCE) {
    if (forced(s, tid) !== null) committed(ctx, s, tid);
  } else if (prefix === VOTES) {
    if (t?.phase === 'w') coordinatorAbort(ctx, s, tid, t, 'vote-timeout');
  } else if (prefix === ACKS) {
    if (t?.phase === 'p') onAllAcked(ctx, s, tid, t, true);
  } else if (prefix === RESEND && t !== undefined) {
    if (t.phase === 'recovering')
      for (const q of t.participants) send(ctx, s, q, { type: 'DecisionRequest', tid });
    else if (t.phase === 'c' || t.phase === 'a')
      for (const q of t.awaiting) send(ctx, s, q, decisionMsg(tid, t.phase === 'c' ? 'commit' : 'abort'));
    else return;
    ctx.setTimer(RESEND + tid, us(p.resendMs));
  }
}

function coordinatorOn(ctx: C, s: CoordinatorState, input: Input<ThreePcMsg>): void {
  stepped(ctx, s, input);
  switch (input.kind) {
    case 'start':
    case 'restart':
      if (input.kind === 'restart') coordinatorRecover(ctx, s);
      if (ctx.params.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(ctx.params.txnEveryMs));
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
      coordinatorTimer(ctx, s, input.name);
      return;
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'TxnRequest':
          begin(
            ctx,
            s,
            { kind: m.op, key: m.key, value: m.value },
            { kind: 'client', node: input.from, req: m.req },
          );
          return;
        case 'Yes':
        case 'No':
          onVote(ctx, s, input.from, m);
          return;
        case 'Ack': {
          const t = s.txns[m.tid];
          if (t === undefined) return;
          if (m.of === 'precommit' && t.phase === 'p') {
            if (!t.acks.includes(input.from)) t.acks.push(input.from);
            if (t.participants.every((q) => t.acks.includes(q))) onAllAcked(ctx, s, m.tid, t, false);
          } else if (m.of === 'decision' && t.awaiting.includes(input.from)) {
            t.awaiting = t.awaiting.filter((q) => q !== input.from);
            awaitAcks(ctx, s, m.tid, t);
          }
          return;
        }
        case 'DoCommit':
        case 'Abort':
          coordinatorLearns(ctx, s, input.from, m);
          return;
        case 'DecisionRequest': {
          const o = loggedDecision(s.log, m.tid);
          if (o !== null) send(ctx, s, input.from, decisionMsg(m.tid, o));
          return; // undecided here: the participants' own termination protocol decides
        }
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ participant

function spanBegins(
  s: ParticipantState,
  tid: string,
  key: string,
  nowUs: number,
  yesUs: number | null,
): void {
  keepSpan(s.lockSpans, {
    tid,
    key,
    lockedUs: nowUs,
    yesUs,
    precommitUs: null,
    blockedUs: null,
    decidedUs: null,
    endUs: null,
    outcome: null,
  });
}

/** Ends a transaction here: release its lock, stop its timers, count the time it waited. */
function finish(ctx: C, s: ParticipantState, tid: string, outcome: Outcome): void {
  const t = s.txns[tid];
  if (t !== undefined) {
    if (t.blockedSinceUs !== null) s.stats.blockedUs += Math.max(0, ctx.now() - t.blockedSinceUs);
    if (s.locks[t.op.key] === tid) delete s.locks[t.op.key];
  }
  delete s.txns[tid];
  for (const timer of [DECIDE, ELECT, TR4, FORCE]) ctx.cancelTimer(timer + tid);
  s.forcing = s.forcing.filter((r) => r.tid !== tid);
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) {
    sp.endUs = ctx.now();
    sp.decidedUs ??= sp.endUs;
    sp.outcome = outcome;
  }
}

/** Decides ABORT here. */
function participantAbort(ctx: C, s: ParticipantState, tid: string, participants: readonly string[]): void {
  finish(ctx, s, tid, 'abort');
  s.log.push({ tid, type: 'abort' });
  decided(ctx, s, tid, 'abort', participants);
}

/** Learns COMMIT: force the COMMIT record; the work is applied and the lock released once it is on disk. */
function learnCommit(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  if (t.state === 'c') return;
  t.state = 'c';
  if (t.blockedSinceUs !== null) s.stats.blockedUs += Math.max(0, ctx.now() - t.blockedSinceUs);
  t.blockedSinceUs = null;
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.decidedUs = ctx.now();
  for (const timer of [DECIDE, ELECT, TR4]) ctx.cancelTimer(timer + tid);
  force(ctx, s, { tid, type: 'commit' });
}

/** The state this participant reports for a transaction (Skeen's letters). */
function stateOf(s: ParticipantState, tid: string): TxnStateLetter {
  const t = s.txns[tid];
  if (t !== undefined) return t.state;
  const o = loggedDecision(s.log, tid);
  return o === 'commit' ? 'c' : o === 'abort' ? 'a' : 'q';
}

/** VOTE-REQ: vote NO, or lock, force YES, then vote YES. */
function onCanCommit(ctx: C, s: ParticipantState, from: string, m: CanCommitMsg): void {
  if (s.txns[m.tid] !== undefined) return;
  const p = ctx.params;
  const known = loggedDecision(s.log, m.tid);
  let cause: NoCause | null = null;
  if (known !== null) cause = 'termination';
  else if (p.noVotes.includes(`${m.tid}@${ctx.self}`)) cause = 'scripted';
  else if (s.locks[m.op.key] !== undefined) cause = 'lock-conflict';
  else if (p.voteNoProbability > 0 && ctx.rng.chance(p.voteNoProbability)) cause = 'chose-no';
  if (cause !== null) {
    s.audit.votes[m.tid] ??= 'no';
    if (known === null) participantAbort(ctx, s, m.tid, m.participants);
    send(ctx, s, from, { type: 'No', tid: m.tid, cause });
    ctx.note(`${m.tid}: votes NO (${cause})`);
    return;
  }
  s.locks[m.op.key] = m.tid;
  spanBegins(s, m.tid, m.op.key, ctx.now(), null);
  s.txns[m.tid] = {
    state: 'q',
    coordinator: from,
    participants: m.participants,
    op: m.op,
    sinceUs: ctx.now(),
    blockedSinceUs: null,
    recovered: false,
    term: null,
  };
  force(ctx, s, { tid: m.tid, type: 'yes', coordinator: from, participants: m.participants, op: m.op });
}

/** A forced record reached the disk: YES (vote, enter w) or COMMIT (apply, release, acknowledge). */
function participantForced(ctx: C, s: ParticipantState, tid: string): void {
  const t = s.txns[tid];
  if (t === undefined) return;
  const rec = forced(s, tid);
  if (rec === null) return;
  if (rec.type === 'yes') {
    t.state = 'w';
    s.audit.votes[tid] ??= 'yes';
    const sp = openSpan(s.lockSpans, tid);
    if (sp !== undefined) sp.yesUs = ctx.now();
    const value = t.op.kind === 'read' ? (s.data[t.op.key] ?? null) : null;
    send(ctx, s, t.coordinator, { type: 'Yes', tid, value });
    ctx.setTimer(DECIDE + tid, us(ctx.params.decisionTimeoutMs));
    return;
  }
  if (t.op.kind === 'write') s.data[t.op.key] = t.op.value;
  const { participants, coordinator } = t;
  finish(ctx, s, tid, 'commit');
  decided(ctx, s, tid, 'commit', participants);
  send(ctx, s, coordinator, { type: 'Ack', tid, of: 'decision' });
}

/** PRE-COMMIT (from the coordinator, or from the termination protocol's backup, TR4): enter p, ACK. */
function onPreCommit(ctx: C, s: ParticipantState, from: string, m: PreCommitMsg): void {
  const t = s.txns[m.tid];
  if (t === undefined || t.state === 'q' || t.state === 'c') return;
  if (t.state === 'w') {
    t.state = 'p';
    const sp = openSpan(s.lockSpans, m.tid);
    if (sp !== undefined) sp.precommitUs ??= ctx.now();
  }
  send(ctx, s, from, { type: 'Ack', tid: m.tid, of: 'precommit' });
  // The coordinator is alive: wait for COMMIT afresh. From a backup, the backup's round goes on.
  if (from === t.coordinator && t.term === null)
    ctx.setTimer(DECIDE + m.tid, us(ctx.params.decisionTimeoutMs));
}

/** COMMIT or ABORT from the coordinator, the backup, or a decided participant answering a question. */
function onDecision(ctx: C, s: ParticipantState, from: string, m: DecisionMsg): void {
  const t = s.txns[m.tid];
  const o: Outcome = m.type === 'DoCommit' ? 'commit' : 'abort';
  const fromCoordinator = ctx.nodesWithRole('coordinator').includes(from);
  if (t === undefined) {
    if (loggedDecision(s.log, m.tid) === null) {
      participantAbort(ctx, s, m.tid, ctx.nodesWithRole('participant'));
      ctx.note(`${m.tid}: ${o.toUpperCase()} for a transaction it has no record of; aborted here`);
    }
    if (fromCoordinator) send(ctx, s, from, { type: 'Ack', tid: m.tid, of: 'decision' });
    return;
  }
  if (!fromCoordinator) ctx.note(`${m.tid}: learns ${o.toUpperCase()} from ${from}`);
  if (o === 'commit') {
    learnCommit(ctx, s, m.tid, t);
    return;
  }
  if (t.state === 'c') return;
  participantAbort(ctx, s, m.tid, t.participants);
  if (fromCoordinator) send(ctx, s, from, { type: 'Ack', tid: m.tid, of: 'decision' });
}

/**
 * The coordinator fell silent (BHG §7.5 timeout actions): run the termination protocol. A new
 * round asks every other participant for its state; whoever answers within stateWaitMs is
 * operational, and the lowest id of them (this one included) is the new coordinator.
 */
function startTermination(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  t.blockedSinceUs ??= ctx.now();
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.blockedUs ??= t.blockedSinceUs;
  if (t.recovered) {
    // Recovery: ask everyone; take no part in the termination protocol (§7.5).
    for (const q of [t.coordinator, ...t.participants.filter((x) => x !== ctx.self)])
      send(ctx, s, q, { type: 'DecisionRequest', tid });
    ctx.setTimer(DECIDE + tid, us(ctx.params.resendMs));
    return;
  }
  const round = (t.term?.round ?? 0) + 1;
  t.term = {
    round,
    phase: 'collecting',
    states: { [ctx.self]: t.state },
    acks: [],
    backup: '',
    blocked: false,
  };
  const others = t.participants.filter((q) => q !== ctx.self);
  for (const q of others) send(ctx, s, q, { type: 'StateReq', tid, round });
  if (round === 1)
    ctx.note(
      `${tid}: no word from ${t.coordinator} in state ${t.state}; termination protocol: asks ${others.join(', ')} for their states`,
    );
  ctx.setTimer(ELECT + tid, us(ctx.params.stateWaitMs));
  ctx.setTimer(DECIDE + tid, us(ctx.params.decisionTimeoutMs));
}

/** STATE-REQ: report this participant's state. One that has not voted aborts first (it may, §7.5). */
function onStateReq(ctx: C, s: ParticipantState, from: string, m: StateReqMsg): void {
  const t = s.txns[m.tid];
  if (t?.recovered) return; // not operational for the termination protocol until it knows the decision
  if (t === undefined && loggedDecision(s.log, m.tid) === null) {
    participantAbort(ctx, s, m.tid, ctx.nodesWithRole('participant'));
    ctx.note(`${m.tid}: asked by ${from} before any VOTE-REQ; aborts`);
  } else if (t?.state === 'q') {
    const { coordinator, participants } = t;
    s.audit.votes[m.tid] ??= 'no';
    participantAbort(ctx, s, m.tid, participants);
    send(ctx, s, coordinator, { type: 'No', tid: m.tid, cause: 'termination' });
    ctx.note(`${m.tid}: had not voted; aborts and tells ${from}`);
  }
  send(ctx, s, from, { type: 'StateReport', tid: m.tid, round: m.round, state: stateOf(s, m.tid) });
}

function onStateReport(s: ParticipantState, from: string, m: StateReportMsg): void {
  const term = s.txns[m.tid]?.term;
  if (term == null || term.round !== m.round || term.phase !== 'collecting') return;
  term.states[from] = m.state;
}

/**
 * A recovering node asks (§7.5): a decided participant answers; one that has not voted YES may
 * abort on its own (nobody can have committed without its YES) and says so; one in w or p
 * lets its own termination protocol decide.
 */
function onDecisionRequest(ctx: C, s: ParticipantState, from: string, m: DecisionRequestMsg): void {
  const o = loggedDecision(s.log, m.tid);
  const t = s.txns[m.tid];
  if (o !== null) send(ctx, s, from, decisionMsg(m.tid, o));
  else if (t?.state === 'c') send(ctx, s, from, decisionMsg(m.tid, 'commit'));
  else if (t === undefined || t.state === 'q') {
    const coordinator = t?.coordinator;
    s.audit.votes[m.tid] ??= 'no';
    participantAbort(ctx, s, m.tid, t?.participants ?? ctx.nodesWithRole('participant'));
    if (coordinator !== undefined && coordinator !== from)
      send(ctx, s, coordinator, { type: 'No', tid: m.tid, cause: 'termination' });
    send(ctx, s, from, { type: 'Abort', tid: m.tid });
    ctx.note(`${m.tid}: asked by ${from} before voting YES; aborts`);
  }
}

/** The election and the decision rules TR1–TR4 (BHG §7.5), at the end of a round's state collection. */
function elect(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  const term = t.term;
  if (term === null || term.phase !== 'collecting') return;
  const operational = Object.keys(term.states).sort();
  term.backup = operational[0]!;
  if (term.backup !== ctx.self) {
    term.phase = 'waiting';
    return;
  }
  const states = Object.values(term.states);
  const listed = operational.map((q) => `${q}=${term.states[q]}`).join(' ');
  const others = t.participants.filter((q) => q !== ctx.self);
  const decide = (o: Outcome, rule: string) => {
    ctx.note(`${tid}: new coordinator (lowest id answering); states ${listed}: ${rule}`);
    if (o === 'commit') s.stats.backupCommits += 1;
    else s.stats.backupAborts += 1;
    for (const q of others) send(ctx, s, q, decisionMsg(tid, o));
    if (o === 'commit') learnCommit(ctx, s, tid, t);
    else participantAbort(ctx, s, tid, t.participants);
  };
  if (states.includes('a')) {
    decide('abort', 'some aborted, abort (TR1)');
    return;
  }
  if (states.includes('c')) {
    decide('commit', 'some committed, commit (TR2)');
    return;
  }
  const committable = states.includes('p') && !ctx.params.bugTerminationIgnoresPrecommit;
  if (committable) {
    // TR4: PRE-COMMIT the uncertain ones, collect their ACKs, then commit.
    const uncertain = operational.filter((q) => term.states[q] === 'w' && q !== ctx.self);
    if (t.state === 'w') {
      t.state = 'p';
      const sp = openSpan(s.lockSpans, tid);
      if (sp !== undefined) sp.precommitUs ??= ctx.now();
    }
    if (uncertain.length === 0) {
      decide('commit', 'some committable, none uncertain: commit (TR4)');
      return;
    }
    term.phase = 'precommitting';
    term.acks = uncertain;
    for (const q of uncertain) send(ctx, s, q, { type: 'PreCommit', tid });
    ctx.note(
      `${tid}: new coordinator (lowest id answering); states ${listed}: some committable, PRE-COMMIT ${uncertain.join(', ')} first (TR4)`,
    );
    ctx.setTimer(TR4 + tid, us(ctx.params.stateWaitMs));
    return;
  }
  if (ctx.params.bugSkipPreCommit) {
    // Without a committable state, an uncertain process cannot tell whether the coordinator
    // committed: this is 2PC, and it blocks.
    term.phase = 'waiting';
    term.blocked = true;
    if (term.round === 1)
      ctx.note(`${tid}: blocked: states ${listed}, all uncertain, and the coordinator may have committed`);
    return;
  }
  decide(
    'abort',
    ctx.params.bugTerminationIgnoresPrecommit && states.includes('p')
      ? 'none committed: abort (bugTerminationIgnoresPrecommit: the committable ones are ignored)'
      : 'all uncertain, abort (TR3)',
  );
}

/** Recovery (§7.5): YES without a decision: lock again and ask; no YES: abort on its own. */
function participantRecover(ctx: C, s: ParticipantState, lastStepUs: number): void {
  const yes = new Map<string, LogRecord>();
  for (const r of s.log) {
    if (r.type === 'yes') yes.set(r.tid, r);
    else if (r.type === 'commit' || r.type === 'abort') yes.delete(r.tid);
  }
  for (const [tid, r] of yes) {
    const op = r.op ?? NO_OP;
    s.locks[op.key] = tid;
    const sp = openSpan(s.lockSpans, tid);
    if (sp === undefined) spanBegins(s, tid, op.key, ctx.now(), ctx.now());
    else sp.yesUs ??= sp.lockedUs;
    s.txns[tid] = {
      state: 'w',
      coordinator: r.coordinator ?? '',
      participants: r.participants ?? [],
      op,
      sinceUs: ctx.now(),
      blockedSinceUs: null,
      recovered: true,
      term: null,
    };
    ctx.setTimer(DECIDE + tid, 0);
    ctx.note(`${tid}: voted YES before the crash and has no decision; asks`);
  }
  for (const sp of s.lockSpans)
    if (sp.endUs === null && !yes.has(sp.tid)) {
      sp.endUs = Math.max(sp.lockedUs, lastStepUs);
      sp.outcome = 'lost';
    }
}

function participantTimer(ctx: C, s: ParticipantState, name: string): void {
  const [prefix, tid] = [name.slice(0, name.indexOf(':') + 1), name.slice(name.indexOf(':') + 1)];
  const t = s.txns[tid];
  if (t === undefined) return;
  if (prefix === FORCE) participantForced(ctx, s, tid);
  else if (prefix === DECIDE && (t.state === 'w' || t.state === 'p')) startTermination(ctx, s, tid, t);
  else if (prefix === ELECT) elect(ctx, s, tid, t);
  else if (prefix === TR4 && t.term?.phase === 'precommitting') {
    s.stats.backupCommits += 1;
    ctx.note(`${tid}: ACKs of PRE-COMMIT in; commit (TR4)`);
    for (const q of t.participants.filter((x) => x !== ctx.self)) send(ctx, s, q, decisionMsg(tid, 'commit'));
    learnCommit(ctx, s, tid, t);
  }
}

function participantOn(ctx: C, s: ParticipantState, input: Input<ThreePcMsg>): void {
  const lastStepUs = stepped(ctx, s, input);
  switch (input.kind) {
    case 'start':
      return;
    case 'restart':
      participantRecover(ctx, s, lastStepUs);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false }); // transactions begin at the coordinator
      return;
    case 'timer':
      participantTimer(ctx, s, input.name);
      return;
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'CanCommit':
          onCanCommit(ctx, s, input.from, m);
          return;
        case 'PreCommit':
          onPreCommit(ctx, s, input.from, m);
          return;
        case 'DoCommit':
        case 'Abort':
          onDecision(ctx, s, input.from, m);
          return;
        case 'StateReq':
          onStateReq(ctx, s, input.from, m);
          return;
        case 'StateReport':
          onStateReport(s, input.from, m);
          return;
        case 'Ack': {
          // TR4 at the backup: every uncertain one it PRE-COMMITted has acknowledged.
          const t = s.txns[m.tid];
          const term = t?.term;
          if (t === undefined || term == null || term.phase !== 'precommitting' || m.of !== 'precommit')
            return;
          term.acks = term.acks.filter((q) => q !== input.from);
          if (term.acks.length === 0) {
            ctx.cancelTimer(TR4 + m.tid);
            participantTimer(ctx, s, TR4 + m.tid);
          }
          return;
        }
        case 'DecisionRequest':
          onDecisionRequest(ctx, s, input.from, m);
          return;
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ client

const clientKv = txnClient<P, ThreePcMsg>('coordinator');

// ------------------------------------------------------------------ checks
// The atomic commitment properties AC1-AC3 of BHG §7.3, as stated once for the topic in
// ../shared/atomic-commit.ts, over this protocol's audit; strict two-phase locking (ch. 3).

const auditOf = (s: ThreePcState): Audit | undefined => (s.kind === 'client' ? undefined : s.audit);

/** AC1: all processes that reach a decision reach the same one. */
const atomicity = ac.atomicity<ThreePcState>({
  title: 'Atomicity: no transaction commits at one node and aborts at another (AC1)',
  auditOf,
});

/** AC3: COMMIT only if every participant voted YES (whoever decides: coordinator or backup). */
const validity = ac.validity<ThreePcState, 'yes' | 'no'>({
  title: 'Validity: a transaction commits only if every participant voted YES (AC3)',
  auditOf,
  participantsField: 'participants',
  yes: 'yes',
  no: 'no',
  saidNo: 'voted NO',
  notYes: 'has not voted YES',
});

/** AC2: a process cannot reverse its decision. */
const durability = ac.durability<ThreePcState>({
  title: 'Durability: a node never reverses a decision, crashes included (AC2)',
  auditOf,
});

/** Strict two-phase locking: a participant holds a lock only for a transaction it has not finished. */
const locksOnlyUndecided = ac.locksOnlyUndecided<ThreePcState>((n) =>
  n.state.kind === 'participant' ? n.state : undefined,
);

/**
 * After a total failure (every participant failed while holding the transaction undecided)
 * nobody operational may decide it: Skeen's nonblocking theorem (§3) assumes some site stays
 * up, and BHG §7.5 make the recovered processes wait for the last one to fail. True when no
 * node that is up knows the decision, holds the transaction without having crashed, or has
 * no record of it (such a participant would abort it when asked).
 */
function totalFailure(nodes: readonly NodeView<ThreePcState>[], tid: string): boolean {
  for (const n of nodes) {
    const s = n.state;
    if (!n.up || s.kind === 'client') continue;
    if (loggedDecision(s.log, tid) !== null) return false;
    if (s.kind === 'participant') {
      const t = s.txns[tid];
      if (t === undefined || !t.recovered) return false;
    } else if (s.txns[tid] !== undefined && s.txns[tid]!.phase !== 'recovering') return false;
  }
  return true;
}

/**
 * Nonblocking (Skeen §3; AC5 of BHG §7.3 with 3PC's promise): once the faults stop, every
 * transaction is decided at every node that is up, the coordinator's crash included: the
 * operational participants decide without it. A total failure is exempt (above). Ages are
 * read on the nodes' own clocks.
 */
const everyTxnDecided: Liveness<ThreePcState, P> = {
  id: 'every-transaction-decided',
  title:
    'Once the faults stop, every transaction is decided at every node that is up, coordinator down or not',
  withinUs: (p) => us(p.settleMs),
  check({ nodes, nowUs }, p) {
    const bound = us(p.settleMs);
    const age = (since: number) => `${((nowUs - since) / 1e6).toFixed(2)} s`;
    for (const n of nodes) {
      if (!n.up) continue;
      const s = n.state;
      if (s.kind === 'participant') {
        for (const [tid, t] of Object.entries(s.txns))
          if (nowUs - t.sinceUs > bound && !totalFailure(nodes, tid))
            return `${n.id} has held ${tid} undecided (state ${t.state}, locking ${t.op.key}) for ${age(t.sinceUs)}`;
      } else if (s.kind === 'coordinator') {
        for (const [tid, t] of Object.entries(s.txns))
          if (t.phase !== 'c' && t.phase !== 'a' && nowUs - t.beganUs > bound && !totalFailure(nodes, tid))
            return `${n.id} has not decided ${tid} after ${age(t.beganUs)}`;
      }
    }
    return null;
  },
};

// ------------------------------------------------------------------ metrics

function coordinatorOf(nodes: readonly NodeView<ThreePcState>[]): CoordinatorState | undefined {
  for (const n of nodes) if (n.state.kind === 'coordinator') return n.state;
  return undefined;
}
function participantsOf(nodes: readonly NodeView<ThreePcState>[]): NodeView<ParticipantState>[] {
  return nodes.filter((n): n is NodeView<ParticipantState> => n.state.kind === 'participant');
}
const sumParts = (n: readonly NodeView<ThreePcState>[], f: (s: ParticipantState) => number) =>
  participantsOf(n).reduce((a, v) => a + f(v.state), 0);
const coordAborts = (n: readonly NodeView<ThreePcState>[]) => {
  const a = coordinatorOf(n)?.stats?.aborts;
  return a === undefined ? 0 : Object.values(a).reduce((x, y) => x + y, 0);
};
const abortMetric = (id: string, cause: Exclude<AbortCause, 'termination'>) => ({
  id,
  unit: 'transactions',
  read: (n: readonly NodeView<ThreePcState>[]) => coordinatorOf(n)?.stats?.aborts?.[cause] ?? 0,
});
const isWaiting = (t: ParticipantTxn) => (t.state === 'w' || t.state === 'p') && t.blockedSinceUs !== null;

// What survives a crash: the DT log, the data, the counters, the checkers' and the view's record.
const DURABLE: StateField<ThreePcState>[] = [
  'kind',
  'log',
  'data',
  'nextTxn',
  'stats',
  'audit',
  'lockSpans',
  'lastStepUs',
  'outages',
  'nextReq',
  'pending',
];

const emptyAudit = (): Audit => ({ votes: {}, decisions: {} });

export const threePhaseCommit: Protocol<P, ThreePcState, ThreePcMsg> = {
  id: 'three-phase-commit',
  topic: 'transactions',
  title: 'Three-phase commit',
  version: 1,
  // Hops of about 5 ms, forced writes of 10 ms: at 0.05x a hop takes 0.1 s on screen; T2
  // begins 6 s after Play, the coordinator crashes 6.5 s in, the participants commit 9 s in.
  speed: 0.05,
  roles: [
    { id: 'coordinator', label: 'Coordinator', min: 1, max: 1 },
    { id: 'participant', label: 'Participant', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ThreePhaseCommitParams,
  // The same topology as two-phase commit's quick start, for the contrast.
  defaultTopology: () => twoPcTopology(),
  quickStart() {
    // Two-phase commit's quick start, fault for fault. T2 begins at 300 ms; every YES is in at
    // about 320 ms and PRE-COMMIT leaves at once; the coordinator crashes at 325 ms, with
    // PRE-COMMIT in flight and before any COMMIT. The participants' termination protocol
    // commits T2 at about 445 ms without it. It restarts at 1.2 s, finds no decision in its log
    // and learns COMMIT from the participants. The run goes on to 2.5 s so that the liveness
    // properties, due settleMs (1 s) after the restart, are checked.
    return {
      name: 'Three-phase commit: the coordinator crashes after every YES',
      faults: [
        { atUs: 325_000, fault: { kind: 'crash', node: 'coord' } },
        { atUs: 1_200_000, fault: { kind: 'restart', node: 'coord' } },
      ],
      maxTimeUs: 2_500_000,
    };
  },
  init(n) {
    if (n.role === 'coordinator')
      return {
        kind: 'coordinator',
        log: [],
        forcing: [],
        nextTxn: 1,
        txns: {},
        stats: {
          sent: 0,
          begun: 0,
          committed: 0,
          commitLatencyUs: 0,
          aborts: { 'vote-no': 0, 'lock-conflict': 0, 'vote-timeout': 0 },
        },
        audit: emptyAudit(),
        lastStepUs: 0,
        outages: [],
      };
    if (n.role === 'participant')
      return {
        kind: 'participant',
        log: [],
        forcing: [],
        data: {},
        locks: {},
        txns: {},
        stats: { sent: 0, blockedUs: 0, backupCommits: 0, backupAborts: 0 },
        audit: emptyAudit(),
        lockSpans: [],
        lastStepUs: 0,
        outages: [],
      };
    return { kind: 'client', ...initKvClient() };
  },
  on(ctx, s, input) {
    if (s.kind === 'coordinator') coordinatorOn(ctx, s, input);
    else if (s.kind === 'participant') participantOn(ctx, s, input);
    else clientKv(ctx, s, input);
  },
  durable: DURABLE,
  logs: ['log'],
  invariants: [atomicity, validity, durability, locksOnlyUndecided],
  liveness: [everyTxnDecided, clientOpsAnswered((p) => us(p.settleMs))],
  historyCheckers: ['linearizability'],
  notPromised(_p, scenario): Record<string, string> {
    // Operations whose coordinator crashed are never answered: the client's timeout records them.
    const partitions = scenario.faults.some((f) => f.fault.kind.startsWith('partition'));
    return partitions
      ? {
          linearizability:
            'under a partition both sides may decide, differently: 3PC assumes crashes only (Skeen 1981 §3, BHG §7.5)',
        }
      : {};
  },
  views: [threePcLocksView],
  metrics: [
    {
      id: 'locksHeld',
      unit: 'locks',
      read: (n) => participantsOf(n).reduce((a, v) => a + (v.up ? Object.keys(v.state.locks).length : 0), 0),
    },
    {
      id: 'blockedTxns',
      unit: 'transactions',
      read: (n) =>
        participantsOf(n).reduce(
          (a, v) => a + (v.up ? Object.values(v.state.txns).filter(isWaiting).length : 0),
          0,
        ),
    },
    { id: 'timeBlockedMs', unit: 'ms', read: (n) => sumParts(n, (s) => s.stats?.blockedUs ?? 0) / 1000 },
    { id: 'transactions', unit: 'transactions', read: (n) => coordinatorOf(n)?.stats?.begun ?? 0 },
    {
      id: 'commits',
      unit: 'transactions',
      read: (n) =>
        (coordinatorOf(n)?.stats?.committed ?? 0) + sumParts(n, (s) => s.stats?.backupCommits ?? 0),
    },
    {
      id: 'aborts',
      unit: 'transactions',
      read: (n) => coordAborts(n) + sumParts(n, (s) => s.stats?.backupAborts ?? 0),
    },
    abortMetric('abortsVoteNo', 'vote-no'),
    abortMetric('abortsLockConflict', 'lock-conflict'),
    abortMetric('abortsVoteTimeout', 'vote-timeout'),
    {
      id: 'abortsTermination',
      unit: 'transactions',
      read: (n) => sumParts(n, (s) => s.stats?.backupAborts ?? 0),
    },
    {
      id: 'commitsTermination',
      unit: 'transactions',
      read: (n) => sumParts(n, (s) => s.stats?.backupCommits ?? 0),
    },
    {
      id: 'commitLatencyMs',
      unit: 'ms',
      read: (n) => {
        const c = coordinatorOf(n)?.stats;
        return c === undefined || c.committed === 0 ? 0 : c.commitLatencyUs / c.committed / 1000;
      },
    },
    {
      id: 'msgsPerTxn',
      unit: 'messages',
      read: (n) => {
        const begun = coordinatorOf(n)?.stats?.begun ?? 0;
        let sent = 0;
        for (const v of n) if (v.state.kind !== 'client') sent += v.state.stats?.sent ?? 0;
        return begun === 0 ? 0 : sent / begun;
      },
    },
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'coordinator') {
      const open = Object.entries(s.txns).find(([, t]) => t.phase !== 'c' && t.phase !== 'a');
      if (open !== undefined) {
        const [tid, t] = open;
        if (t.phase === 'w')
          return {
            text: `${tid} w · votes ${Object.values(t.votes).filter((v) => v === 'yes').length}/${t.participants.length}`,
            tone: 'warn',
          };
        if (t.phase === 'p')
          return { text: `${tid} p · ACKs ${t.acks.length}/${t.participants.length}`, tone: 'warn' };
        if (t.phase === 'recovering') return { text: `${tid} · asking for the decision`, tone: 'warn' };
        return { text: `${tid} · forcing COMMIT`, tone: 'warn' };
      }
      const aborted = Object.values(s.stats.aborts).reduce((a, b) => a + b, 0);
      return { text: `${s.stats.committed} committed · ${aborted} aborted`, tone: 'good' };
    }
    if (s.kind === 'participant') {
      const txns = Object.entries(s.txns);
      if (txns.length > 0) {
        const [tid, t] = txns[0]!;
        if (t.recovered) return { text: `${tid} recovered · asking`, tone: 'warn' };
        if (t.term !== null && t.state !== 'c') {
          if (t.term.blocked) return { text: 'blocked (holding locks)', tone: 'bad' };
          return { text: `${tid} ${t.state} · termination`, tone: 'warn' };
        }
        const what = {
          q: 'q · forcing YES',
          w: 'w · voted YES',
          p: 'p · precommitted',
          c: 'c · forcing COMMIT',
        }[t.state];
        return { text: `${tid} ${what}`, tone: 'warn' };
      }
      const held = Object.keys(s.data).length;
      return { text: `idle · ${held} ${held === 1 ? 'key' : 'keys'}`, tone: 'neutral' };
    }
    return { text: `${s.pending.length} pending`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugSkipPreCommit',
      title:
        'No PRE-COMMIT round: two-phase commit in three-phase clothes; with the coordinator down, the uncertain participants block (nonblocking liveness breaks)',
    },
    {
      param: 'bugTerminationIgnoresPrecommit',
      title:
        'The termination protocol ignores committable participants and aborts although the coordinator may have committed (atomicity breaks)',
    },
  ],
  lesson: {
    summary:
      'Three-phase commit removes two-phase commit\'s blocking. Between "voted YES" (uncertain) and "committed" it puts a third state, precommitted: the coordinator tells everyone PRE-COMMIT and collects acknowledgements before anyone commits. So no one commits while someone is still uncertain, and if the coordinator crashes the participants can decide alone: they elect a new coordinator, which commits if any of them was precommitted and aborts if all were uncertain. The price is a third round of messages, and an assumption: processes crash but the network does not split. Under a partition both sides decide on their own, and they may disagree. That is three-phase commit, not a bug in it.',
    watch: [
      'CanCommit, Yes, PreCommit, Ack, DoCommit: one round more than two-phase commit (msgsPerTxn, commitLatencyMs)',
      'The coordinator crashing at 325 ms, the same moment as in the two-phase commit quick start, with every participant precommitted',
      'The participants running the termination protocol 100 ms later (StateReq, StateReport) and p1, the lowest id, committing T2 for everyone',
      'The Locks tab: the red stretch (termination) lasts about 20 ms, where two-phase commit held its locks until the coordinator came back',
    ],
    tryThis: [
      'Turn on bugSkipPreCommit: with no precommitted state the participants are all uncertain, cannot rule out that the coordinator committed, and block; the restarted coordinator has no decision in its log either, so the nonblocking check fails a second after its restart',
      'Move the crash to 318 ms, before every vote has reached the coordinator: the participants are all uncertain and abort T2 (TR3), safely, since no one can have committed; the restarted coordinator learns ABORT from them',
      'Move the crash to 335 ms, while the coordinator forces its COMMIT record: COMMIT never leaves, yet the participants, all precommitted, commit T2 on their own, the decision the coordinator was about to take',
      'Open three-phase-commit-partition-split: a partition cuts {coord, p1} from {p2, p3} after the votes left and before PRE-COMMIT; p1 is precommitted and commits, p2 and p3 are uncertain and abort. Atomicity fires. This is the protocol, not a bug: three-phase commit promises nothing under partitions, which is why Paxos Commit exists',
      'Open three-phase-commit-participant-crash and turn on bugTerminationIgnoresPrecommit: p3 crashes between its YES and its ACK, p1 and p2 (precommitted) abort by termination while the coordinator, tired of waiting for the ACK, commits',
    ],
  },
};
