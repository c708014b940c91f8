import { z } from 'zod';
import type { Ctx, Input, Liveness, NodeView, Protocol, StateField } from '../../../protocol';
import { initKvClient } from '../../../toolkit/kv-client';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { star } from '../../../toolkit/topology';
import type { Outcome } from '../shared/atomic-commit';
import * as ac from '../shared/atomic-commit';
import { keepSpan, type LockSpanBase, type Outage, openSpan, stepped } from '../shared/locks-view';
import { type ClientState, type TxnRequestMsg, type TxnResultMsg, txnClient } from '../shared/txn-client';
import { locksView } from './locks-view';

/** The clients' messages and state, the same for the three commit protocols. */
export type { ClientState, TxnRequestMsg, TxnResultMsg } from '../shared/txn-client';

/**
 * Two-phase commit with a distributed-transaction log, after Bernstein, Hadzilacos & Goodman,
 * "Concurrency Control and Recovery in Database Systems" (1987), ch. 7 "Distributed
 * Recovery", and Gray, "Notes on Data Base Operating Systems" (1978), §5.8.3.3 "Two-phase
 * commit":
 * - §7.3 the atomic commitment properties AC1-AC5 (what the checkers check);
 * - §7.4 "The Two Phase Commit Protocol": the coordinator sends VOTE-REQ (here `Prepare`), each
 *   participant votes YES or NO; the coordinator decides COMMIT only if every vote is YES,
 *   otherwise ABORT, and tells the participants, who acknowledge; a participant that voted NO
 *   aborts at once, one that voted YES is *uncertain* until it hears the decision;
 * - §7.4 "Timeout actions": a coordinator waiting for votes may abort; a participant that has
 *   not voted may abort; an uncertain participant may not decide alone and runs a termination
 *   protocol: ask the coordinator (simple termination) or every other participant too
 *   (cooperative termination: anyone who knows the decision, or has not voted and so aborts,
 *   answers; if everyone asked is uncertain, it is blocked);
 * - §7.4 "Recovery" with the DT log: a participant forces its YES record before voting and its
 *   COMMIT record before acknowledging; the coordinator forces its COMMIT record before
 *   sending COMMIT. After a crash a node reads its log: a decision is re-sent (coordinator)
 *   or known (participant); a coordinator with no decision aborts; an uncertain participant
 *   asks; a participant with no YES record aborts on its own.
 * Participants hold exclusive locks on what a transaction touches from its VOTE-REQ to its
 * decision (strict two-phase locking, ch. 3); a request for a locked key is voted NO at once
 * (no waiting). See docs/protocols/two-phase-commit.md.
 */
export const TwoPhaseCommitParams = z.object({
  /** How long a forced log write takes (the disk's flush), milliseconds. */
  forceMs: z.number().min(0).max(1000).default(10).describe('A forced write delays the message it precedes.'),
  /** How long the coordinator waits for every vote before it aborts (§7.4 timeout actions), ms. */
  voteTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** How long an uncertain participant waits for the decision before it asks, and between asks, ms. */
  decisionTimeoutMs: z.number().min(1).max(60_000).default(100),
  /** How often the coordinator re-sends a decision to participants that have not acknowledged it, ms. */
  resendMs: z.number().min(1).max(60_000).default(100),
  /** Termination protocol: ask the coordinator only, or every other participant too (§7.4). */
  termination: z.enum(['cooperative', 'coordinator-only']).default('cooperative'),
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
  /** How long after the last fault every transaction must be decided everywhere (the liveness bound), ms. */
  settleMs: z.number().min(0).max(600_000).default(1000),
  /** Bug switch: the coordinator commits on the first YES, before every vote is in. */
  bugCommitBeforeAllVotes: z.boolean().default(false),
  /** Bug switch: a node that restarts has lost its DT log (as if it were never forced). */
  bugForgetLogOnRestart: z.boolean().default(false),
});
/** Two-phase commit params. */
export type TwoPhaseCommitParams = z.infer<typeof TwoPhaseCommitParams>;
type P = TwoPhaseCommitParams;

/** A crash as the node tells it, and how many lock spans and crashes the Locks view keeps. */
export { LOCK_SPANS_KEPT, OUTAGES_KEPT, type Outage } from '../shared/locks-view';
/** A decision. */
export type { Outcome };

/** What a transaction does at each participant: write a key, or read it. */
export interface TxnOp {
  /** Read or write. */
  kind: 'read' | 'write';
  /** The key. */
  key: string;
  /** The value written ('' for a read). */
  value: string;
}

/**
 * A record of the DT log (§7.4). `start-2pc` (coordinator: the participants and the work),
 * `yes` (participant: its vote, with what it needs to redo the work), `commit`, `abort`, and
 * `end` (coordinator: every participant acknowledged, the transaction can be forgotten).
 */
export interface LogRecord {
  /** The transaction. */
  tid: string;
  /** What the record says. */
  type: 'start-2pc' | 'yes' | 'commit' | 'abort' | 'end';
  /** start-2pc and yes: the participants. */
  participants?: string[];
  /** start-2pc and yes: the coordinator. */
  coordinator?: string;
  /** start-2pc and yes: the work. */
  op?: TxnOp;
}

/** Why the coordinator aborted a transaction. */
export type AbortCause = 'vote-no' | 'lock-conflict' | 'vote-timeout' | 'recovery' | 'termination';
/** Why a participant voted NO. */
export type NoCause = 'chose-no' | 'scripted' | 'lock-conflict' | 'termination';

/**
 * What a node did, for the checkers only: every vote it cast and every decision it reached,
 * kept across crashes and never forgotten, not even by bugForgetLogOnRestart (it is the
 * world's record of what the node told others, not the node's own disk).
 */
export type Audit = ac.CommitAudit<'yes' | 'no'>;

/** Who is waiting for a transaction's outcome at the coordinator. */
export type Origin =
  | { kind: 'schedule' }
  | { kind: 'client'; node: string; req: number }
  | { kind: 'op'; id: number };

/** A transaction at the coordinator. */
export interface CoordinatorTxn {
  /** collecting votes, forcing the COMMIT record, or decided and waiting for acknowledgements. */
  phase: 'collecting' | 'forcing-commit' | 'committed' | 'aborted';
  /** The participants (every participant when it began). */
  participants: string[];
  /** The work. */
  op: TxnOp;
  /** Votes received. */
  votes: Record<string, 'yes' | 'no'>;
  /** The value each YES vote read (read transactions). */
  values: Record<string, string | null>;
  /** Participants the decision went to that have not acknowledged it. */
  awaiting: string[];
  /** Who waits for the outcome (null after a restart: nobody any more). */
  origin: Origin | null;
  /** When it began, local clock, microseconds. */
  beganUs: number;
}

/** The coordinator's counters (kept on disk, so the metrics survive its crash). */
export interface CoordinatorStats {
  /** Transactions begun. */
  begun: number;
  /** Transactions committed. */
  committed: number;
  /** Transactions aborted, by cause. */
  aborts: Record<AbortCause, number>;
  /** Sum of commit latencies (begin to COMMIT record forced), microseconds. */
  commitLatencyUs: number;
  /** 2PC messages sent (client answers not counted). */
  sent: number;
}

/** The coordinator (§7.4). */
export interface CoordinatorState {
  /** Discriminator. */
  kind: 'coordinator';
  /** The DT log (on disk; written once). */
  log: LogRecord[];
  /** Records being forced: on disk when their `force:<tid>` timer fires. */
  forcing: LogRecord[];
  /** The next transaction number (on disk). */
  nextTxn: number;
  /** Transactions not yet ended, by id (rebuilt from the log after a crash). */
  txns: Record<string, CoordinatorTxn>;
  /** Counters. */
  stats: CoordinatorStats;
  /** For the checkers. */
  audit: Audit;
  /** For the Locks view: when it last took a step, local clock, microseconds (kept across crashes). */
  lastStepUs: number;
  /** For the Locks view: its crashes, from its last step before each to its restart (the last OUTAGES_KEPT). */
  outages: Outage[];
}

/**
 * A lock a participant held for a transaction, for the Locks view (no rule reads it): taken at
 * VOTE-REQ, YES on disk and voted, the first decision request (blocked), the decision, the
 * release. Local clock, microseconds; null: not (yet) reached.
 */
export interface LockSpan extends LockSpanBase {
  /** The YES record reached the disk and the vote went out. */
  yesUs: number | null;
  /** The decision timeout expired and it first asked for the decision. */
  blockedUs: number | null;
  /** It learned the decision. */
  decidedUs: number | null;
}

/** A transaction at a participant. */
export interface ParticipantTxn {
  /** forcing its YES record, uncertain (voted YES), or forcing its COMMIT record. */
  phase: 'voting' | 'uncertain' | 'committing';
  /** The coordinator. */
  coordinator: string;
  /** Every participant (for the cooperative termination protocol). */
  participants: string[];
  /** The work. */
  op: TxnOp;
  /** When it locked, local clock, microseconds. */
  sinceUs: number;
  /** When it first asked for the decision (the decision timeout expired), or null. */
  blockedSinceUs: number | null;
  /** Rounds of decision requests sent. */
  asked: number;
  /** Participants that answered this round that they are uncertain too. */
  uncertain: string[];
}

/** A participant's counters. */
export interface ParticipantStats {
  /** 2PC messages sent. */
  sent: number;
  /** Time spent blocked (from the first decision request to the decision), microseconds. */
  blockedUs: number;
}

/** A participant (a resource manager with its DT log, §7.4). */
export interface ParticipantState {
  /** Discriminator. */
  kind: 'participant';
  /** The DT log (on disk; written once). */
  log: LogRecord[];
  /** Records being forced. */
  forcing: LogRecord[];
  /** The committed data (on disk). */
  data: Record<string, string>;
  /** Exclusive locks: key -> the transaction holding it (lost in a crash, taken again at recovery). */
  locks: Record<string, string>;
  /** Transactions voted on or being voted on and not yet decided here. */
  txns: Record<string, ParticipantTxn>;
  /** Counters. */
  stats: ParticipantStats;
  /** For the checkers. */
  audit: Audit;
  /** For the Locks view: its locks over time, the last LOCK_SPANS_KEPT (kept across crashes). */
  lockSpans: LockSpan[];
  /** For the Locks view: when it last took a step, local clock, microseconds (kept across crashes). */
  lastStepUs: number;
  /** For the Locks view: its crashes (the last OUTAGES_KEPT). */
  outages: Outage[];
}

/** A node of the protocol. */
export type TwoPcState = CoordinatorState | ParticipantState | ClientState;

/** Coordinator -> participant: VOTE-REQ (§7.4), with the participants and the work. */
export interface PrepareMsg {
  /** Message type. */
  type: 'Prepare';
  /** The transaction. */
  tid: string;
  /** What to do at this participant. */
  op: TxnOp;
  /** Every participant, for the termination protocol. */
  participants: string[];
}
/** Participant -> coordinator: YES, with the value read for a read transaction. */
export interface VoteYesMsg {
  /** Message type. */
  type: 'VoteYes';
  /** The transaction. */
  tid: string;
  /** A read's value under the lock (null: no such key, or a write). */
  value: string | null;
}
/** Participant -> coordinator: NO, and why. */
export interface VoteNoMsg {
  /** Message type. */
  type: 'VoteNo';
  /** The transaction. */
  tid: string;
  /** Why (the coordinator counts aborts by cause). */
  cause: NoCause;
}
/** The decision: coordinator -> participant, or participant -> participant in the termination protocol. */
export interface DecisionMsg {
  /** The decision. */
  type: 'Commit' | 'Abort';
  /** The transaction. */
  tid: string;
}
/** Participant -> coordinator: the decision is known and on disk here. */
export interface AckMsg {
  /** Message type. */
  type: 'Ack';
  /** The transaction. */
  tid: string;
}
/** Uncertain participant -> coordinator and participants: DECISION-REQ (§7.4). */
export interface DecisionRequestMsg {
  /** Message type. */
  type: 'DecisionRequest';
  /** The transaction. */
  tid: string;
}
/** Participant -> participant: I voted YES and do not know the decision either. */
export interface UncertainMsg {
  /** Message type. */
  type: 'Uncertain';
  /** The transaction. */
  tid: string;
}

/** Messages. */
export type TwoPcMsg =
  | PrepareMsg
  | VoteYesMsg
  | VoteNoMsg
  | DecisionMsg
  | AckMsg
  | DecisionRequestMsg
  | UncertainMsg
  | TxnRequestMsg
  | TxnResultMsg;

type C = Ctx<P, TwoPcMsg>;
type Node2pc = CoordinatorState | ParticipantState;

const us = (ms: number) => Math.round(ms * 1000);
const FORCE = 'force:';
const VOTES = 'votes:';
const RESEND = 'resend:';
const DECIDE = 'decide:';
const NEXT_TXN = 'next-txn';

/** Sends a 2PC message and counts it (messages per transaction). */
function send(ctx: C, s: Node2pc, to: string, msg: TwoPcMsg): void {
  s.stats.sent += 1;
  ctx.send(to, msg);
}

/** Starts a forced write: the record is on disk, and what follows it happens, when `force:<tid>` fires. */
function force(ctx: C, s: Node2pc, rec: LogRecord): void {
  s.forcing.push(rec);
  ctx.setTimer(FORCE + rec.tid, us(ctx.params.forceMs));
}

/** Records a decision reached here (for the checkers: atomicity, validity, durability). */
function decided(ctx: C, s: Node2pc, tid: string, outcome: Outcome, participants: readonly string[]): void {
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
  type: o === 'commit' ? 'Commit' : 'Abort',
  tid,
});
const describeOp = (op: TxnOp) => (op.kind === 'write' ? `write ${op.key}=${op.value}` : `read ${op.key}`);

// ------------------------------------------------------------------ coordinator

/** Phase 1 (§7.4): write start-2PC, send VOTE-REQ to every participant, wait for the votes. */
function begin(ctx: C, s: CoordinatorState, op: TxnOp, origin: Origin): void {
  const participants = [...ctx.nodesWithRole('participant')];
  if (participants.length === 0) {
    answer(ctx, origin, false, null);
    return;
  }
  const tid = `T${s.nextTxn}`;
  s.nextTxn += 1;
  s.stats.begun += 1;
  s.log.push({ tid, type: 'start-2pc', participants, coordinator: ctx.self, op });
  s.txns[tid] = {
    phase: 'collecting',
    participants,
    op,
    votes: {},
    values: {},
    awaiting: [],
    origin,
    beganUs: ctx.now(),
  };
  for (const p of participants) send(ctx, s, p, { type: 'Prepare', tid, op, participants });
  ctx.setTimer(VOTES + tid, us(ctx.params.voteTimeoutMs));
  ctx.note(`${tid} begins: ${describeOp(op)} at ${participants.join(', ')}`);
}

/** Tells whoever waits for a transaction how it ended. */
function answer(ctx: C, origin: Origin | null, ok: boolean, value: string | null): void {
  if (origin === null || origin.kind === 'schedule') return;
  if (origin.kind === 'client') ctx.send(origin.node, { type: 'TxnResult', req: origin.req, ok, value });
  else ctx.reply(origin, ok ? { ok: true, value } : { ok: false });
}

/** Phase 2, abort: write ABORT (no force needed: no record means abort), tell everyone who did not vote NO. */
function coordinatorAbort(
  ctx: C,
  s: CoordinatorState,
  tid: string,
  t: CoordinatorTxn,
  cause: AbortCause,
): void {
  t.phase = 'aborted';
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

/** Waits for the acknowledgements of a decision, re-sending it every resendMs; writes END when all are in. */
function awaitAcks(ctx: C, s: CoordinatorState, tid: string, t: CoordinatorTxn): void {
  if (t.awaiting.length > 0) {
    ctx.setTimer(RESEND + tid, us(ctx.params.resendMs));
    return;
  }
  s.log.push({ tid, type: 'end' });
  ctx.cancelTimer(RESEND + tid);
  delete s.txns[tid];
}

function onVote(ctx: C, s: CoordinatorState, from: string, m: VoteYesMsg | VoteNoMsg): void {
  const t = s.txns[m.tid];
  if (t === undefined || t.phase !== 'collecting' || !t.participants.includes(from)) return;
  if (m.type === 'VoteNo') {
    t.votes[from] = 'no';
    const cause: AbortCause =
      m.cause === 'lock-conflict' ? 'lock-conflict' : m.cause === 'termination' ? 'termination' : 'vote-no';
    coordinatorAbort(ctx, s, m.tid, t, cause);
    return;
  }
  t.votes[from] = 'yes';
  t.values[from] = m.value;
  const all = t.participants.every((p) => t.votes[p] === 'yes');
  // COMMIT only if every participant voted YES (AC3); the bug decides on the first YES.
  if (!all && !ctx.params.bugCommitBeforeAllVotes) return;
  t.phase = 'forcing-commit';
  ctx.cancelTimer(VOTES + m.tid);
  force(ctx, s, { tid: m.tid, type: 'commit' });
}

/** The COMMIT record is on disk: the transaction is committed; tell everyone and the client. */
function committed(ctx: C, s: CoordinatorState, tid: string): void {
  const t = s.txns[tid];
  if (t === undefined) return;
  t.phase = 'committed';
  s.stats.committed += 1;
  s.stats.commitLatencyUs += ctx.now() - t.beganUs;
  decided(ctx, s, tid, 'commit', t.participants);
  t.awaiting = [...t.participants];
  for (const p of t.participants) send(ctx, s, p, { type: 'Commit', tid });
  const first = t.participants.find((p) => p in t.values);
  answer(ctx, t.origin, true, t.op.kind === 'read' && first !== undefined ? (t.values[first] ?? null) : null);
  t.origin = null;
  ctx.note(`${tid} commits`);
  awaitAcks(ctx, s, tid, t);
}

/** Recovery (§7.4): a decision without END is re-sent; a transaction without a decision is aborted. */
function coordinatorRecover(ctx: C, s: CoordinatorState): void {
  if (ctx.params.bugForgetLogOnRestart && s.log.length > 0) {
    s.log = [];
    ctx.note('restarts without its log (bugForgetLogOnRestart)');
  }
  const started = new Map<string, LogRecord>();
  const decision = new Map<string, Outcome>();
  const ended = new Set<string>();
  for (const r of s.log) {
    if (r.type === 'start-2pc') started.set(r.tid, r);
    else if (r.type === 'commit' || r.type === 'abort') decision.set(r.tid, r.type);
    else if (r.type === 'end') ended.add(r.tid);
  }
  for (const [tid, r] of started) {
    if (ended.has(tid)) continue;
    const t: CoordinatorTxn = {
      phase: 'collecting',
      participants: r.participants ?? [],
      op: r.op ?? { kind: 'write', key: '', value: '' },
      votes: {},
      values: {},
      awaiting: [],
      origin: null,
      beganUs: ctx.now(),
    };
    s.txns[tid] = t;
    const o = decision.get(tid);
    if (o === undefined) {
      coordinatorAbort(ctx, s, tid, t, 'recovery');
      continue;
    }
    t.phase = o === 'commit' ? 'committed' : 'aborted';
    t.awaiting = [...t.participants];
    for (const p of t.awaiting) send(ctx, s, p, decisionMsg(tid, o));
    ctx.note(`${tid}: ${o} found in the log; re-sent`);
    awaitAcks(ctx, s, tid, t);
  }
}

function coordinatorOn(ctx: C, s: CoordinatorState, input: Input<TwoPcMsg>): void {
  const p = ctx.params;
  stepped(ctx, s, input);
  switch (input.kind) {
    case 'start':
    case 'restart':
      if (input.kind === 'restart') coordinatorRecover(ctx, s);
      if (p.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(p.txnEveryMs));
      return;
    case 'client':
      begin(
        ctx,
        s,
        { kind: input.op.op, key: input.op.key, value: input.op.value ?? '' },
        {
          kind: 'op',
          id: input.op.id,
        },
      );
      return;
    case 'timer': {
      const name = input.name;
      if (name === NEXT_TXN) {
        // The coordinator's own schedule: transaction n writes k((n-1) mod scheduleKeys + 1) = Tn.
        const key = `k${((s.nextTxn - 1) % p.scheduleKeys) + 1}`;
        begin(ctx, s, { kind: 'write', key, value: `T${s.nextTxn}` }, { kind: 'schedule' });
        if (p.txnEveryMs > 0) ctx.setTimer(NEXT_TXN, us(p.txnEveryMs));
      } else if (name.startsWith(FORCE)) {
        const tid = name.slice(FORCE.length);
        const k = s.forcing.findIndex((r) => r.tid === tid);
        if (k < 0) return;
        const [rec] = s.forcing.splice(k, 1);
        s.log.push(rec!);
        committed(ctx, s, tid);
      } else if (name.startsWith(VOTES)) {
        const tid = name.slice(VOTES.length);
        const t = s.txns[tid];
        if (t?.phase === 'collecting') coordinatorAbort(ctx, s, tid, t, 'vote-timeout');
      } else if (name.startsWith(RESEND)) {
        const tid = name.slice(RESEND.length);
        const t = s.txns[tid];
        if (t === undefined || (t.phase !== 'committed' && t.phase !== 'aborted')) return;
        for (const q of t.awaiting)
          send(ctx, s, q, decisionMsg(tid, t.phase === 'committed' ? 'commit' : 'abort'));
        ctx.setTimer(RESEND + tid, us(p.resendMs));
      }
      return;
    }
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
        case 'VoteYes':
        case 'VoteNo':
          onVote(ctx, s, input.from, m);
          return;
        case 'Ack': {
          const t = s.txns[m.tid];
          if (t === undefined || !t.awaiting.includes(input.from)) return;
          t.awaiting = t.awaiting.filter((q) => q !== input.from);
          awaitAcks(ctx, s, m.tid, t);
          return;
        }
        case 'DecisionRequest': {
          const t = s.txns[m.tid];
          if (t !== undefined && (t.phase === 'collecting' || t.phase === 'forcing-commit')) return; // not decided yet
          const o = loggedDecision(s.log, m.tid);
          if (o !== null) {
            send(ctx, s, input.from, decisionMsg(m.tid, o));
            return;
          }
          // No record of it at all: it never reached a decision here, so it is aborted (§7.4).
          s.log.push({ tid: m.tid, type: 'abort' });
          decided(ctx, s, m.tid, 'abort', ctx.nodesWithRole('participant'));
          send(ctx, s, input.from, { type: 'Abort', tid: m.tid });
          ctx.note(`${m.tid}: no record of it; answers ABORT`);
          return;
        }
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ participant

/** For the Locks view: a lock taken now (the oldest finished span makes room). */
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
    blockedUs: null,
    decidedUs: null,
    endUs: null,
    outcome: null,
  });
}

/** Releases a transaction's lock and forgets it (it is decided here, `outcome`). */
function release(ctx: C, s: ParticipantState, tid: string, outcome: Outcome): void {
  const t = s.txns[tid];
  if (t !== undefined && s.locks[t.op.key] === tid) delete s.locks[t.op.key];
  delete s.txns[tid];
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) {
    sp.endUs = ctx.now();
    sp.decidedUs ??= sp.endUs;
    sp.outcome = outcome;
  }
}

/** Adds the time a transaction spent blocked to the counter. */
function unblock(ctx: C, s: ParticipantState, t: ParticipantTxn): void {
  if (t.blockedSinceUs !== null) s.stats.blockedUs += Math.max(0, ctx.now() - t.blockedSinceUs);
}

/** Decides ABORT here: write ABORT, release the lock. */
function participantAbort(ctx: C, s: ParticipantState, tid: string, participants: readonly string[]): void {
  const t = s.txns[tid];
  if (t !== undefined) {
    unblock(ctx, s, t);
    ctx.cancelTimer(DECIDE + tid);
    ctx.cancelTimer(FORCE + tid);
    s.forcing = s.forcing.filter((r) => r.tid !== tid);
  }
  s.log.push({ tid, type: 'abort' });
  release(ctx, s, tid, 'abort');
  decided(ctx, s, tid, 'abort', participants);
}

/** VOTE-REQ: vote NO (scripted, by chance, or on a locked key) or lock, force YES, then vote YES. */
function onPrepare(ctx: C, s: ParticipantState, from: string, m: PrepareMsg): void {
  if (s.txns[m.tid] !== undefined) return; // a duplicate
  const p = ctx.params;
  const known = loggedDecision(s.log, m.tid);
  let cause: NoCause | null = null;
  if (known !== null)
    cause = 'termination'; // it aborted here on a decision request before this arrived
  else if (p.noVotes.includes(`${m.tid}@${ctx.self}`)) cause = 'scripted';
  else if (s.locks[m.op.key] !== undefined) cause = 'lock-conflict';
  else if (p.voteNoProbability > 0 && ctx.rng.chance(p.voteNoProbability)) cause = 'chose-no';
  if (cause !== null) {
    // A participant that votes NO aborts at once (§7.4): it needs nobody's decision.
    s.audit.votes[m.tid] ??= 'no';
    if (known === null) participantAbort(ctx, s, m.tid, m.participants);
    send(ctx, s, from, { type: 'VoteNo', tid: m.tid, cause });
    ctx.note(`${m.tid}: votes NO (${cause})`);
    return;
  }
  s.locks[m.op.key] = m.tid;
  spanBegins(s, m.tid, m.op.key, ctx.now(), null);
  s.txns[m.tid] = {
    phase: 'voting',
    coordinator: from,
    participants: m.participants,
    op: m.op,
    sinceUs: ctx.now(),
    blockedSinceUs: null,
    asked: 0,
    uncertain: [],
  };
  force(ctx, s, { tid: m.tid, type: 'yes', coordinator: from, participants: m.participants, op: m.op });
}

/** The YES record is on disk: vote YES and wait, uncertain, for the decision. */
function votedYes(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  t.phase = 'uncertain';
  s.audit.votes[tid] ??= 'yes';
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.yesUs = ctx.now();
  const value = t.op.kind === 'read' ? (s.data[t.op.key] ?? null) : null;
  send(ctx, s, t.coordinator, { type: 'VoteYes', tid, value });
  ctx.setTimer(DECIDE + tid, us(ctx.params.decisionTimeoutMs));
}

/** The COMMIT record is on disk: apply the work, release the lock, acknowledge. */
function committedHere(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  if (t.op.kind === 'write') s.data[t.op.key] = t.op.value;
  unblock(ctx, s, t);
  release(ctx, s, tid, 'commit');
  decided(ctx, s, tid, 'commit', t.participants);
  send(ctx, s, t.coordinator, { type: 'Ack', tid });
}

/** COMMIT or ABORT, from the coordinator or (termination protocol) from another participant. */
function onDecision(ctx: C, s: ParticipantState, from: string, m: DecisionMsg): void {
  const t = s.txns[m.tid];
  const o: Outcome = m.type === 'Commit' ? 'commit' : 'abort';
  if (t === undefined) {
    const known = loggedDecision(s.log, m.tid);
    if (known === null) {
      // No record of it: as far as this log knows it never voted YES, so it aborted here.
      participantAbort(ctx, s, m.tid, ctx.nodesWithRole('participant'));
      ctx.note(`${m.tid}: ${o.toUpperCase()} for a transaction it has no record of; aborted here`);
    }
    // A re-sent decision it already has on disk: acknowledge again.
    if (ctx.nodesWithRole('coordinator').includes(from)) send(ctx, s, from, { type: 'Ack', tid: m.tid });
    return;
  }
  if (t.phase === 'committing') return; // acknowledges once its COMMIT record is on disk
  if (o === 'commit') {
    unblock(ctx, s, t);
    t.blockedSinceUs = null;
    t.phase = 'committing';
    const sp = openSpan(s.lockSpans, m.tid);
    if (sp !== undefined) sp.decidedUs = ctx.now();
    ctx.cancelTimer(DECIDE + m.tid);
    ctx.cancelTimer(FORCE + m.tid);
    s.forcing = s.forcing.filter((r) => r.tid !== m.tid);
    force(ctx, s, { tid: m.tid, type: 'commit' });
    if (from !== t.coordinator) ctx.note(`${m.tid}: learns COMMIT from ${from}`);
    return;
  }
  const coordinator = t.coordinator;
  participantAbort(ctx, s, m.tid, t.participants);
  if (from !== coordinator) ctx.note(`${m.tid}: learns ABORT from ${from}`);
  send(ctx, s, coordinator, { type: 'Ack', tid: m.tid });
}

/** Cooperative termination (§7.4): answer an uncertain participant if this one can. */
function onDecisionRequest(ctx: C, s: ParticipantState, from: string, m: DecisionRequestMsg): void {
  const t = s.txns[m.tid];
  if (t?.phase === 'uncertain') {
    send(ctx, s, from, { type: 'Uncertain', tid: m.tid });
    return;
  }
  if (t?.phase === 'committing') {
    send(ctx, s, from, { type: 'Commit', tid: m.tid });
    return;
  }
  const o = loggedDecision(s.log, m.tid);
  if (o !== null) {
    send(ctx, s, from, decisionMsg(m.tid, o));
    return;
  }
  // Not voted yet (or never asked to): it may abort on its own, and says so (§7.4).
  const coordinator = t?.coordinator;
  participantAbort(ctx, s, m.tid, t?.participants ?? ctx.nodesWithRole('participant'));
  send(ctx, s, from, { type: 'Abort', tid: m.tid });
  if (coordinator !== undefined) {
    s.audit.votes[m.tid] ??= 'no';
    send(ctx, s, coordinator, { type: 'VoteNo', tid: m.tid, cause: 'termination' });
  }
  ctx.note(`${m.tid}: had not voted; aborts and tells ${from}`);
}

/** The decision did not come: ask the coordinator, and under cooperative termination every other participant. */
function askForDecision(ctx: C, s: ParticipantState, tid: string, t: ParticipantTxn): void {
  if (t.phase !== 'uncertain') return;
  t.blockedSinceUs ??= ctx.now();
  const sp = openSpan(s.lockSpans, tid);
  if (sp !== undefined) sp.blockedUs ??= t.blockedSinceUs;
  t.asked += 1;
  t.uncertain = [];
  const others = ctx.params.termination === 'cooperative' ? t.participants.filter((q) => q !== ctx.self) : [];
  for (const q of [t.coordinator, ...others]) send(ctx, s, q, { type: 'DecisionRequest', tid });
  if (t.asked === 1) ctx.note(`${tid}: no decision yet; asks ${[t.coordinator, ...others].join(', ')}`);
  ctx.setTimer(DECIDE + tid, us(ctx.params.decisionTimeoutMs));
}

function onUncertain(ctx: C, s: ParticipantState, from: string, m: UncertainMsg): void {
  const t = s.txns[m.tid];
  if (t === undefined || t.phase !== 'uncertain' || t.uncertain.includes(from)) return;
  t.uncertain.push(from);
  if (t.asked === 1 && t.participants.every((q) => q === ctx.self || t.uncertain.includes(q)))
    ctx.note(
      `${m.tid}: blocked: every participant voted YES and none knows the decision; waits for ${t.coordinator}`,
    );
}

/** Recovery (§7.4): decisions are on disk; a YES without a decision is uncertain: lock again and ask. */
function participantRecover(ctx: C, s: ParticipantState, lastStepUs: number): void {
  if (ctx.params.bugForgetLogOnRestart && s.log.length > 0) {
    s.log = [];
    ctx.note('restarts without its log (bugForgetLogOnRestart)');
  }
  const yes = new Map<string, LogRecord>();
  for (const r of s.log) {
    if (r.type === 'yes') yes.set(r.tid, r);
    else if (r.type === 'commit' || r.type === 'abort') yes.delete(r.tid);
  }
  for (const [tid, r] of yes) {
    const op = r.op ?? { kind: 'write' as const, key: '', value: '' };
    s.locks[op.key] = tid;
    // The Locks view: a YES on disk binds it through the crash, so its lock span goes on.
    const sp = openSpan(s.lockSpans, tid);
    if (sp === undefined) spanBegins(s, tid, op.key, ctx.now(), ctx.now());
    else {
      sp.decidedUs = null;
      sp.yesUs ??= sp.lockedUs;
    }
    s.txns[tid] = {
      phase: 'uncertain',
      coordinator: r.coordinator ?? '',
      participants: r.participants ?? [],
      op,
      sinceUs: ctx.now(),
      blockedSinceUs: null,
      asked: 0,
      uncertain: [],
    };
    ctx.setTimer(DECIDE + tid, 0);
    ctx.note(`${tid}: voted YES before the crash and has no decision; asks`);
  }
  // A lock with no YES on disk (or a forgotten log) was lost with the process.
  for (const sp of s.lockSpans)
    if (sp.endUs === null && !yes.has(sp.tid)) {
      sp.endUs = Math.max(sp.lockedUs, lastStepUs);
      sp.outcome = 'lost';
    }
}

function participantOn(ctx: C, s: ParticipantState, input: Input<TwoPcMsg>): void {
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
    case 'timer': {
      const name = input.name;
      if (name.startsWith(FORCE)) {
        const tid = name.slice(FORCE.length);
        const k = s.forcing.findIndex((r) => r.tid === tid);
        const t = s.txns[tid];
        if (k < 0 || t === undefined) return;
        const [rec] = s.forcing.splice(k, 1);
        s.log.push(rec!);
        if (rec!.type === 'yes') votedYes(ctx, s, tid, t);
        else committedHere(ctx, s, tid, t);
      } else if (name.startsWith(DECIDE)) {
        const tid = name.slice(DECIDE.length);
        const t = s.txns[tid];
        if (t !== undefined) askForDecision(ctx, s, tid, t);
      }
      return;
    }
    case 'message': {
      const m = input.msg;
      switch (m.type) {
        case 'Prepare':
          onPrepare(ctx, s, input.from, m);
          return;
        case 'Commit':
        case 'Abort':
          onDecision(ctx, s, input.from, m);
          return;
        case 'DecisionRequest':
          onDecisionRequest(ctx, s, input.from, m);
          return;
        case 'Uncertain':
          onUncertain(ctx, s, input.from, m);
          return;
        default:
          return;
      }
    }
  }
}

// ------------------------------------------------------------------ client

const clientKv = txnClient<P, TwoPcMsg>('coordinator');

// ------------------------------------------------------------------ checks
// The atomic commitment properties AC1-AC3 of §7.3, as stated once for the topic in
// ../shared/atomic-commit.ts, over this protocol's audit; strict two-phase locking (ch. 3).

const auditOf = (s: TwoPcState): Audit | undefined => (s.kind === 'client' ? undefined : s.audit);

/** AC1: all processes that reach a decision reach the same one. */
const atomicity = ac.atomicity<TwoPcState>({
  title: 'Atomicity: no transaction commits at one node and aborts at another (AC1)',
  auditOf,
});

/** AC3: the decision is COMMIT only if every participant voted YES (the coordinator decides). */
const validity = ac.validity<TwoPcState, 'yes' | 'no'>({
  title: 'Validity: a transaction commits only if every participant voted YES (AC3)',
  auditOf,
  participantsField: 'participants',
  yes: 'yes',
  no: 'no',
  saidNo: 'voted NO',
  notYes: 'has not voted YES',
  deciderRole: 'coordinator',
});

/** AC2: a process cannot reverse its decision (after a crash either). */
const durability = ac.durability<TwoPcState>({
  title: 'Durability: a node never reverses a decision, crashes included (AC2)',
  auditOf,
});

/** Strict two-phase locking: a participant holds a lock only for a transaction it has not finished. */
const locksOnlyUndecided = ac.locksOnlyUndecided<TwoPcState>((n) =>
  n.state.kind === 'participant' ? n.state : undefined,
);

/**
 * AC5: once every failure is repaired and none happens for long enough, every transaction is
 * decided everywhere. Checked while every node is up: with the coordinator down, 2PC owes its
 * uncertain participants nothing (it blocks). Ages are read on the nodes' own clocks.
 */
const everyTxnDecided: Liveness<TwoPcState, P> = {
  id: 'every-transaction-decided',
  title: 'Once every node is up and the faults stop, every transaction is decided at every node (AC5)',
  withinUs: (p) => us(p.settleMs),
  check({ nodes, nowUs }, p) {
    if (nodes.some((n) => !n.up)) return null;
    const bound = us(p.settleMs);
    for (const n of nodes) {
      const s = n.state;
      if (s.kind === 'participant') {
        for (const [tid, t] of Object.entries(s.txns))
          if (nowUs - t.sinceUs > bound)
            return `${n.id} has held ${tid} undecided (locking ${t.op.key}) for ${((nowUs - t.sinceUs) / 1e6).toFixed(2)} s`;
      } else if (s.kind === 'coordinator') {
        for (const [tid, t] of Object.entries(s.txns))
          if ((t.phase === 'collecting' || t.phase === 'forcing-commit') && nowUs - t.beganUs > bound)
            return `${n.id} has not decided ${tid} after ${((nowUs - t.beganUs) / 1e6).toFixed(2)} s`;
      }
    }
    return null;
  },
};

// ------------------------------------------------------------------ metrics, topology

function coordinatorOf(nodes: readonly NodeView<TwoPcState>[]): CoordinatorState | undefined {
  for (const n of nodes) if (n.state.kind === 'coordinator') return n.state;
  return undefined;
}
function participantsOf(nodes: readonly NodeView<TwoPcState>[]): NodeView<ParticipantState>[] {
  return nodes.filter((n): n is NodeView<ParticipantState> => n.state.kind === 'participant');
}
const isBlocked = (t: ParticipantTxn) => t.phase === 'uncertain' && t.blockedSinceUs !== null;
const abortMetric = (id: string, cause: AbortCause) => ({
  id,
  unit: 'transactions',
  read: (n: readonly NodeView<TwoPcState>[]) => coordinatorOf(n)?.stats?.aborts?.[cause] ?? 0,
});

/**
 * Three participants in a row above a switch, the coordinator below it (and clients to its
 * left): the canvas's minimap, bottom right, covers nobody. Hops of about 5 ms.
 */
export function twoPcTopology(clients = 0) {
  const placed = [
    { id: 'coord', role: 'coordinator', x: 350, y: 330 },
    { id: 'p1', role: 'participant', x: 60, y: 60 },
    { id: 'p2', role: 'participant', x: 350, y: 40 },
    { id: 'p3', role: 'participant', x: 640, y: 60 },
    ...Array.from({ length: clients }, (_, k) => ({
      id: `c${k + 1}`,
      role: 'client',
      x: 60 + k * 140,
      y: 330,
    })),
  ];
  return star(
    placed,
    { id: 'sw', x: 350, y: 190 },
    { kind: 'normal', meanUs: 2500, stdUs: 250, minUs: 1000 },
  );
}

// What survives a crash: the DT log, the data, the transaction counter, the counters, the
// checkers' record; a client keeps its request numbers and requests in flight.
const DURABLE: StateField<TwoPcState>[] = [
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

export const twoPhaseCommit: Protocol<P, TwoPcState, TwoPcMsg> = {
  id: 'two-phase-commit',
  topic: 'transactions',
  title: 'Two-phase commit',
  version: 1,
  // Hops of about 5 ms and forced writes of 10 ms: at 0.05x a hop takes 0.1 s on screen, the
  // first transaction begins 3 s after Play and the coordinator crashes about 7 s in.
  speed: 0.05,
  roles: [
    { id: 'coordinator', label: 'Coordinator', min: 1, max: 1 },
    { id: 'participant', label: 'Participant', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: TwoPhaseCommitParams,
  defaultTopology: () => twoPcTopology(),
  quickStart() {
    // T2 begins at 300 ms; every YES vote is in by about 321 ms (a hop, a forced YES, a hop) and
    // the COMMIT record would be on disk at about 331 ms: the coordinator crashes in between,
    // at 325 ms, and comes back at 1.2 s. The run goes on to 2.5 s so that the liveness
    // properties, due settleMs (1 s) after the restart, are checked.
    return {
      name: 'Two-phase commit: the coordinator crashes after every YES',
      faults: [
        { atUs: 325_000, fault: { kind: 'crash', node: 'coord' } },
        { atUs: 1_200_000, fault: { kind: 'restart', node: 'coord' } },
      ],
      maxTimeUs: 2_500_000,
    };
  },
  init(n) {
    const stats = { sent: 0 };
    if (n.role === 'coordinator')
      return {
        kind: 'coordinator',
        log: [],
        forcing: [],
        nextTxn: 1,
        txns: {},
        stats: {
          ...stats,
          begun: 0,
          committed: 0,
          commitLatencyUs: 0,
          aborts: { 'vote-no': 0, 'lock-conflict': 0, 'vote-timeout': 0, recovery: 0, termination: 0 },
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
        stats: { ...stats, blockedUs: 0 },
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
  views: [locksView],
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
          (a, v) => a + (v.up ? Object.values(v.state.txns).filter(isBlocked).length : 0),
          0,
        ),
    },
    {
      id: 'timeBlockedMs',
      unit: 'ms',
      read: (n) => participantsOf(n).reduce((a, v) => a + (v.state.stats?.blockedUs ?? 0), 0) / 1000,
    },
    { id: 'transactions', unit: 'transactions', read: (n) => coordinatorOf(n)?.stats?.begun ?? 0 },
    { id: 'commits', unit: 'transactions', read: (n) => coordinatorOf(n)?.stats?.committed ?? 0 },
    {
      id: 'aborts',
      unit: 'transactions',
      read: (n) => {
        const a = coordinatorOf(n)?.stats?.aborts;
        return a === undefined ? 0 : Object.values(a).reduce((x, y) => x + y, 0);
      },
    },
    abortMetric('abortsVoteNo', 'vote-no'),
    abortMetric('abortsLockConflict', 'lock-conflict'),
    abortMetric('abortsVoteTimeout', 'vote-timeout'),
    abortMetric('abortsRecovery', 'recovery'),
    abortMetric('abortsTermination', 'termination'),
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
      const open = Object.entries(s.txns).find(
        ([, t]) => t.phase === 'collecting' || t.phase === 'forcing-commit',
      );
      if (open !== undefined) {
        const [tid, t] = open;
        const yes = Object.values(t.votes).filter((v) => v === 'yes').length;
        return t.phase === 'collecting'
          ? { text: `${tid} · votes ${yes}/${t.participants.length}`, tone: 'warn' }
          : { text: `${tid} · forcing COMMIT`, tone: 'warn' };
      }
      const aborted = Object.values(s.stats.aborts).reduce((a, b) => a + b, 0);
      return { text: `${s.stats.committed} committed · ${aborted} aborted`, tone: 'good' };
    }
    if (s.kind === 'participant') {
      const txns = Object.entries(s.txns);
      if (txns.some(([, t]) => isBlocked(t))) return { text: 'blocked (holding locks)', tone: 'bad' };
      if (txns.length > 0) {
        const [tid, t] = txns[0]!;
        const what =
          t.phase === 'voting' ? 'forcing YES' : t.phase === 'uncertain' ? 'voted YES' : 'forcing COMMIT';
        return { text: `${tid} ${what} · lock ${t.op.key}`, tone: 'warn' };
      }
      const held = Object.keys(s.data).length;
      return { text: `idle · ${held} ${held === 1 ? 'key' : 'keys'}`, tone: 'neutral' };
    }
    return { text: `${s.pending.length} pending`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugCommitBeforeAllVotes',
      title:
        'The coordinator commits on the first YES, before every vote is in (validity and atomicity break)',
    },
    {
      param: 'bugForgetLogOnRestart',
      title:
        'A restarted node has lost its DT log: the coordinator forgets a COMMIT, a participant its YES (atomicity or durability break)',
    },
  ],
  lesson: {
    summary:
      'Two-phase commit makes a transaction all-or-nothing across machines. The coordinator asks every participant to prepare; each one locks what it touches, writes YES to its log and votes. Only if every vote is YES does the coordinator write COMMIT and tell everyone; one NO, or a vote that never comes, means ABORT. The price: a participant that voted YES may not decide alone. If the coordinator crashes before telling anyone, the participants are stuck holding their locks until it comes back: 2PC blocks.',
    watch: [
      'Prepare, VoteYes, Commit, Ack: four message delays and two forced log writes per transaction',
      'The coordinator crashing after every YES arrived but before its COMMIT record reached the disk',
      'The participants turning "blocked (holding locks)", asking each other (DecisionRequest) and all answering Uncertain',
      'locksHeld and blockedTxns staying up until the coordinator restarts, reads its log and aborts (abortsRecovery)',
      "The Locks tab: every participant's T2 lock turning red (blocked) and staying red until the coordinator is back",
    ],
    tryThis: [
      "Move the coordinator's crash to 335 ms, after its COMMIT record is on disk: the participants commit, and on restart the coordinator finds COMMIT in its log and re-sends it to collect the acknowledgements",
      'Set noVotes to ["T2@p3"] and move the crash to 307 ms, before any vote arrives: p3 knows T2 aborted, and p1 and p2 learn it from p3 through the cooperative termination protocol instead of blocking',
      'Then switch termination to coordinator-only: p1 and p2 block until the coordinator returns, although p3 knew the answer all along',
      'Turn on bugForgetLogOnRestart and crash p1 at 318 ms, restarting it at 325 ms: it forgets that it voted YES, and atomicity stops the run',
      'Open the clients scenario and turn on bugCommitBeforeAllVotes: validity breaks at the first transaction with a NO vote',
    ],
  },
};
