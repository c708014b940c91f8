import type { CheckEvent, ClusterView, Invariant, NodeView } from '../../../protocol';
import { chainAt, chainHash, entryAt, lastLogIndex, termAt } from './log';
import type { RaftState, ServerState } from './types';

/**
 * The properties of the paper's Figure 3 (Ongaro & Ousterhout 2014), checked after every step.
 * Each check compares the server that just stepped with the other servers (crashed ones too:
 * they hold their persistent state), using the checker-only chain hashes of log entries
 * (log.ts) and the ghost record (types.ts Ghost), so a check costs O(servers).
 *
 * A check runs at the steps that can break it, which the protocol states (server.ts emits):
 * - election-safety when a server is `elected` (the only step that adds a term to the terms a
 *   server led);
 * - log-matching when the step `appended` entries or installed or took a `snapshot`;
 * - state-machine-safety when the step changed the log or snapshot, or `committed`;
 * - leader-completeness at every step of a leader (another server's commit record changes
 *   without the leader stepping, and is found at the leader's next step).
 * A pair of servers was compared when one of the two last changed what the check reads, and a
 * run stops at its first violation, so this finds what checking every pair at every step
 * finds, at the same step; `raftInvariants({ everyStep: true })` checks at every step, and
 * invariants.test.ts compares the two on runs that break the properties.
 */

function server(v: NodeView<RaftState>): ServerState | null {
  return v.state.kind === 'server' ? v.state : null;
}

function has(events: readonly CheckEvent[], type: string): boolean {
  for (const e of events) if (e.type === type) return true;
  return false;
}

/** True when `term` is in the ascending list (searched from the end: recent terms are there). */
function hasTerm(list: readonly number[], term: number): boolean {
  for (let k = list.length - 1; k >= 0; k--) {
    const t = list[k]!;
    if (t === term) return true;
    if (t < term) return false;
  }
  return false;
}

/** Election Safety (§5.2): at most one leader can be elected in a given term. */
function electionSafety(view: ClusterView<RaftState>): string | null {
  const { nodes, changed } = view;
  const s = server(changed);
  if (s === null || s.role !== 'leader') return null;
  for (const v of nodes) {
    if (v === changed) continue;
    const o = server(v);
    if (o !== null && hasTerm(o.ghost.ledTerms, s.currentTerm))
      return `${changed.id} and ${v.id} were both leader in term ${s.currentTerm}`;
  }
  return null;
}

/** Entries re-hashed per step when checking every step: the log's last ones. */
const EVERY_STEP_TAIL = 64;

/**
 * The first index whose entry or predecessor this step changed, from the step's events
 * (`appended` from an index; a `snapshot` under the entry after it), or null when the step
 * changed neither the log nor the snapshot.
 */
function firstChanged(events: readonly CheckEvent[]): number | null {
  let from = Number.POSITIVE_INFINITY;
  for (const e of events) {
    if (e.type === 'appended') from = Math.min(from, e.from as number);
    else if (e.type === 'snapshot') from = Math.min(from, (e.lastIncludedIndex as number) + 1);
  }
  return from === Number.POSITIVE_INFINITY ? null : from;
}

/**
 * Log Matching (§5.3): if two logs contain an entry with the same index and term, the logs are
 * identical in all entries up through that index. Checked as: each entry from `from` on holds
 * the chain hash its leader gave it on top of this log's entry before it (it was appended
 * after the prefix it was created on), and where the stepping server and another one hold the
 * entry at the shorter log's end with the same term, their chain hashes (which stand for the
 * whole prefix) are equal.
 */
function logMatching(view: ClusterView<RaftState>, from: number): string | null {
  const { nodes, changed } = view;
  const s = server(changed);
  if (s === null) return null;
  const last = lastLogIndex(s);
  for (let i = Math.max(from, s.snapshot.lastIncludedIndex + 1); i <= last; i++) {
    const e = entryAt(s, i)!;
    if (e.chain !== chainHash(chainAt(s, i - 1), e.term, e.command))
      return `${changed.id} holds entry ${i} (term ${e.term}) after a prefix it was not created on`;
  }
  for (const v of nodes) {
    if (v === changed) continue;
    const o = server(v);
    if (o === null) continue;
    const i = Math.min(last, lastLogIndex(o));
    if (i === 0) continue;
    const t = termAt(s, i);
    if (t < 0 || t !== termAt(o, i)) continue;
    if (chainAt(s, i) !== chainAt(o, i))
      return `${changed.id} and ${v.id} both hold entry ${i} of term ${t} but their logs differ before it`;
  }
  return null;
}

/**
 * Leader Completeness (§5.4): if an entry is committed in a term, it is in the log of the
 * leader of every higher term. Each server's ghost records the highest index it knew committed
 * and its term at the time (the entry was committed in that term or earlier); a leader of a
 * higher term must hold that entry.
 */
function leaderCompleteness(view: ClusterView<RaftState>): string | null {
  const { nodes, changed } = view;
  const s = server(changed);
  if (s === null || s.role !== 'leader') return null;
  for (const v of nodes) {
    const o = server(v);
    if (o === null) continue;
    const g = o.ghost.commit;
    if (g.index === 0 || g.term >= s.currentTerm) continue;
    if (g.index > lastLogIndex(s))
      return `leader ${changed.id} of term ${s.currentTerm} lacks entry ${g.index}, which ${v.id} knew committed in term ${g.term}`;
    const h = chainAt(s, g.index);
    if (h >= 0 && h !== g.chain)
      return `leader ${changed.id} of term ${s.currentTerm} holds another entry at ${g.index} than the one ${v.id} knew committed in term ${g.term}`;
  }
  return null;
}

/** The chain hash of index i as server o knows it applied (-1 when it cannot tell). */
function appliedChain(o: ServerState, i: number): number {
  const g = o.ghost.commit;
  return i === g.index ? g.chain : chainAt(o, i);
}

/**
 * State Machine Safety (§5.4.3): if a server has applied a log entry at a given index, no other
 * server ever applies a different entry for that index. Compared at the lower of the two
 * servers' highest committed indexes (ghost, so crashed servers count too); the chain hash at
 * an index stands for every entry before it.
 */
function stateMachineSafety(view: ClusterView<RaftState>): string | null {
  const { nodes, changed } = view;
  const s = server(changed);
  if (s === null || s.ghost.commit.index === 0) return null;
  for (const v of nodes) {
    if (v === changed) continue;
    const o = server(v);
    if (o === null || o.ghost.commit.index === 0) continue;
    const i = Math.min(s.ghost.commit.index, o.ghost.commit.index);
    const a = appliedChain(s, i);
    const b = appliedChain(o, i);
    if (a >= 0 && b >= 0 && a !== b)
      return `${changed.id} and ${v.id} applied different entries at index ${i}`;
  }
  return null;
}

/** Options of raftInvariants. */
export interface RaftInvariantOptions {
  /**
   * Check at every step, whatever the step did (log-matching then re-hashes the log's last 64
   * entries): slower; the tests compare its verdicts with the default's.
   */
  everyStep?: boolean;
}

/** The Figure 3 invariants, in the order the figure lists them. */
export function raftInvariants(options: RaftInvariantOptions = {}): Invariant<RaftState>[] {
  const every = options.everyStep === true;
  return [
    {
      id: 'election-safety',
      title: 'At most one leader is elected in a term (Figure 3, §5.2)',
      check: (view) => (every || has(view.events, 'elected') ? electionSafety(view) : null),
    },
    {
      id: 'log-matching',
      title: 'Logs with an entry of the same index and term agree on every entry up to it (Figure 3, §5.3)',
      check(view) {
        if (!every) {
          const from = firstChanged(view.events);
          return from === null ? null : logMatching(view, from);
        }
        const s = server(view.changed);
        return s === null ? null : logMatching(view, lastLogIndex(s) - EVERY_STEP_TAIL + 1);
      },
    },
    {
      id: 'leader-completeness',
      title: 'A leader holds every entry committed in earlier terms (Figure 3, §5.4)',
      check: leaderCompleteness,
    },
    {
      id: 'state-machine-safety',
      title: 'No two servers apply different entries at the same index (Figure 3, §5.4.3)',
      check: (view) =>
        every || firstChanged(view.events) !== null || has(view.events, 'committed')
          ? stateMachineSafety(view)
          : null,
    },
  ];
}

/** The Figure 3 invariants as the protocol checks them. */
export const RAFT_INVARIANTS: Invariant<RaftState>[] = raftInvariants();
