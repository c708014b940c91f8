import type { CheckEvent, Invariant, NodeView } from '../../../protocol';

/**
 * The atomic commitment problem, stated once for every commit protocol of this topic
 * (two-phase commit, three-phase commit, Paxos Commit). After Bernstein, Hadzilacos & Goodman,
 * "Concurrency Control and Recovery in Database Systems" (1987), §7.3 "Atomic Commitment":
 * - AC1: all processes that reach a decision reach the same one;
 * - AC2: a process cannot reverse its decision after it has reached one;
 * - AC3: the commit decision can only be reached if all processes voted Yes;
 * - AC4: if there are no failures and all processes voted Yes, the decision is commit;
 * - AC5: once every failure is repaired and no new one occurs for long enough, all processes
 *   eventually reach a decision.
 * Gray & Lamport, "Consensus on Transaction Commit" (2006), §2 state the same problem for
 * resource managers: Stability (AC2), Consistency (AC1), an RM commits only if every RM
 * prepared (AC3), Non-triviality (AC4) and Non-blocking (AC5 without the repairs).
 *
 * AC1-AC3 are safety properties and are checked here, after every step, on what the nodes
 * said: each node keeps an `audit` (its votes and its first decisions, kept across crashes
 * and never forgotten) and emits a `decided` check event when it reaches a decision. What
 * differs between the protocols is a parameter: the title each protocol's paper gives a
 * property, what a vote is called, who may decide. AC5 (and 3PC's and Paxos Commit's
 * stronger promises) differ in substance and stay with each protocol, as does AC4, which the
 * liveness check and the tests of each protocol cover.
 */

/** A decision. */
export type Outcome = 'commit' | 'abort';

/** What a node did, as the checkers read it: the vote it cast and the first decision it reached, by transaction. */
export interface CommitAudit<Vote extends string = string> {
  /** Votes cast, by transaction. */
  votes: Record<string, Vote>;
  /** The first decision reached, by transaction. */
  decisions: Record<string, Outcome>;
}

/** Where the checkers find a node's audit; undefined for nodes that take no part (clients). */
export type AuditOf<S, Vote extends string = string> = (state: S) => CommitAudit<Vote> | undefined;

/** A `decided` check event: a node reached `outcome` for `tid` (its participants under a protocol's own field). */
interface Decided {
  tid: string;
  outcome: Outcome;
  [field: string]: unknown;
}

/** The `decided` check events of a step. */
function decisions(events: readonly CheckEvent[]): Decided[] {
  return events.filter((e) => e.type === 'decided') as unknown as Decided[];
}

const word = (o: Outcome) => (o === 'commit' ? 'committed' : 'aborted');

/** What a protocol's paper calls a property (the id is the same everywhere: exercise goals name it). */
interface Titled<S> {
  /** The property's one-line title, in the paper's words. */
  title: string;
  /** Where a node's audit is. */
  auditOf: AuditOf<S>;
}

/** AC1 (Consistency in Gray & Lamport §2): no two nodes reach different decisions for a transaction. */
export function atomicity<S>({ title, auditOf }: Titled<S>): Invariant<S> {
  return {
    id: 'atomicity',
    title,
    check({ changed, nodes, events }) {
      for (const e of decisions(events))
        for (const n of nodes) {
          if (n.id === changed.id) continue;
          const o = auditOf(n.state)?.decisions[e.tid];
          if (o !== undefined && o !== e.outcome)
            return `${e.tid} ${word(e.outcome)} at ${changed.id} but ${word(o)} at ${n.id}`;
        }
      return null;
    },
  };
}

/** AC2 (Stability in Gray & Lamport §2): a node never reverses a decision, after a crash either. */
export function durability<S>({ title, auditOf }: Titled<S>): Invariant<S> {
  return {
    id: 'durability',
    title,
    check({ changed, events }) {
      const audit = auditOf(changed.state);
      if (audit === undefined) return null;
      for (const e of decisions(events)) {
        const first = audit.decisions[e.tid];
        if (first !== undefined && first !== e.outcome)
          return `${changed.id} ${word(first)} ${e.tid} before, and ${word(e.outcome)} it now`;
      }
      return null;
    },
  };
}

/** What validity needs to know of a protocol's votes and deciders. */
export interface ValidityOf<S, Vote extends string> {
  /** The property's one-line title, in the paper's words. */
  title: string;
  /** Where a node's audit is. */
  auditOf: AuditOf<S, Vote>;
  /** The field of the `decided` event that lists the transaction's participants. */
  participantsField: string;
  /** The vote for commit (2PC's YES, Paxos Commit's Prepared) and the vote against. */
  yes: Vote;
  no: Vote;
  /** How the message says a participant voted against, and that it has not voted for. */
  saidNo: string;
  notYes: string;
  /** Only decisions of nodes of this role are checked (2PC: the coordinator); all when absent. */
  deciderRole?: string;
}

/** AC3: a transaction commits only if every participant voted for it (checked on every commit decision). */
export function validity<S, Vote extends string>(v: ValidityOf<S, Vote>): Invariant<S> {
  return {
    id: 'validity',
    title: v.title,
    check({ changed, nodes, events }) {
      if (v.deciderRole !== undefined && changed.role !== v.deciderRole) return null;
      for (const e of decisions(events)) {
        if (e.outcome !== 'commit') continue;
        for (const id of e[v.participantsField] as string[]) {
          const node = nodes.find((n) => n.id === id);
          const vote = node === undefined ? undefined : v.auditOf(node.state)?.votes[e.tid];
          if (vote !== v.yes)
            return `${e.tid} committed at ${changed.id} but ${id} ${vote === v.no ? v.saidNo : v.notYes}`;
        }
      }
      return null;
    },
  };
}

/** A participant's locks and the transactions it has not finished, as strict two-phase locking reads them. */
export interface LockTable {
  /** Key -> the transaction holding its lock. */
  locks: Record<string, string>;
  /** The transactions not yet decided here, by id. */
  txns: Record<string, unknown>;
}

/**
 * Strict two-phase locking (BHG ch. 3), which every commit protocol here relies on: a
 * participant releases a transaction's locks only once the transaction is decided there, and
 * so holds a lock only for a transaction it has not finished.
 */
export function locksOnlyUndecided<S>(lockTableOf: (n: NodeView<S>) => LockTable | undefined): Invariant<S> {
  return {
    id: 'locks-only-undecided',
    title: 'A participant holds locks only for transactions not yet decided there',
    check({ changed }) {
      const s = lockTableOf(changed);
      if (s === undefined || !changed.up) return null;
      for (const [key, tid] of Object.entries(s.locks))
        if (s.txns[tid] === undefined)
          return `${changed.id} holds the lock on ${key} for ${tid}, which it has finished`;
      return null;
    },
  };
}
