import type { ClusterView, Invariant, NodeView } from '../../../protocol';
import { firstBrokenLink, hashAt, lastIndex, termAt } from './log';
import { stepInputOf, stepKeptThrough } from './server';
import type { RaftState, ServerState } from './types';

/**
 * The properties of the paper's Figure 3, checked after every step. Each check compares the
 * node that just stepped with the other servers only, using the checker-only hashes of the log
 * (log.ts) and ghost state (types.ts Ghost), so a check is O(servers) per step.
 *
 * Pairwise checks that depend only on the log, snapshot and ghost of the two servers are
 * skipped when the step left those of the stepping server unchanged (the same objects: states
 * are immutable). By induction this gives exactly the same verdicts, at the same events, as
 * checking every time: every pair of current values was checked when one of the two last
 * changed (the server that changed was the one stepping), the run stops at the first
 * violation, and every pair check is symmetric. Restores and forks put back states that were
 * all checked. election-safety is skipped at a leader's steps that kept its list of led terms
 * (see there). leader-completeness is never skipped (it runs at leader steps only, and a
 * follower's ghost commit record changes without the leader stepping: the check must find it
 * at the leader's next step, as before). withFullChecks turns the skips off;
 * invariants.test.ts compares both ways on the bug-switch runs.
 */

/** Skip unchanged pairs (off only inside withFullChecks). */
let skipUnchanged = true;

/**
 * Runs fn with every pairwise check made at every step, as if nothing were skipped (tests
 * compare the verdicts and traces of both ways).
 */
export function withFullChecks<T>(fn: () => T): T {
  const was = skipUnchanged;
  skipUnchanged = false;
  try {
    return fn();
  } finally {
    skipUnchanged = was;
  }
}

/** True when the last step of this server kept its log, snapshot and (if asked) ghost objects. */
function unchanged(s: ServerState, ghostToo: boolean): boolean {
  if (!skipUnchanged) return false;
  const prev = stepInputOf(s);
  return prev !== null && prev.log === s.log && prev.snap === s.snap && (!ghostToo || prev.ghost === s.ghost);
}

function server(v: NodeView<RaftState>): ServerState | null {
  return v.state.kind === 'server' ? v.state : null;
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

/** Election Safety: at most one leader can be elected in a given term (§5.2). */
export const electionSafety: Invariant<RaftState> = {
  id: 'election-safety',
  title: 'At most one leader is elected in a term (Figure 3, §5.2)',
  check({ nodes, changed }: ClusterView<RaftState>) {
    const s = server(changed);
    if (s === null || s.role !== 'leader') return null;
    // Two servers that led in the same term are caught at the step where the second one became
    // leader, the only step that adds a term to a server's list (becomeLeader): a step that kept
    // the list cannot make a new pair.
    if (skipUnchanged) {
      const prev = stepInputOf(s);
      if (prev !== null && prev.ghost.ledTerms === s.ghost.ledTerms) return null;
    }
    for (const v of nodes) {
      if (v === changed) continue;
      const o = server(v);
      if (o !== null && hasTerm(o.ghost.ledTerms, s.term))
        return `${changed.id} and ${v.id} were both leader in term ${s.term}`;
    }
    return null;
  },
};

/** Logs whose chains were verified (a memo: states are immutable, so a log array never changes). */
const verifiedLogs = new WeakSet<object>();
/** Entries re-hashed per changed log; a step appends at most maxEntriesPerAppend of them. */
const VERIFY_TAIL = 64;

/**
 * Log Matching: if two logs contain an entry with the same index and term, the logs are
 * identical in all entries up through that index (§5.3). Checked as: each log's hash chain is
 * intact at its tail (the entries just written chain onto the ones before them), and where the
 * stepping server and another server both hold an entry at the shorter log's end with the same
 * term, their chain hashes (which cover the whole prefix) are equal.
 */
export const logMatching: Invariant<RaftState> = {
  id: 'log-matching',
  title: 'Logs with an entry of the same index and term agree on every entry up to it (Figure 3, §5.3)',
  check({ nodes, changed }: ClusterView<RaftState>) {
    const s = server(changed);
    if (s === null) return null;
    const prev = skipUnchanged ? stepInputOf(s) : null;
    if (prev !== null && prev.log === s.log && prev.snap === s.snap) return null;
    const li = lastIndex(s);
    // A step that replaced the log made a new log object (log.ts never returns an older one),
    // which the memo cannot hold; a step that kept it keeps a log checked before. So the memo
    // is only consulted for states that no step of this module just produced.
    if (prev !== null ? prev.log !== s.log : !verifiedLogs.has(s.log)) {
      let lo = Math.max(s.snap.index + 1, li - VERIFY_TAIL + 1);
      if (prev !== null && prev.snap === s.snap) {
        // The links through the step's kept prefix are the input log's own (same entries, same
        // predecessors); those inside the input's window were verified when the input was made
        // (every state held was checked: the run stops at the first violation). So when this
        // window does not reach below the input's, only the links after the kept prefix can be
        // broken: the first broken link found is the same as with the whole window.
        const prevLo = Math.max(prev.snap.index + 1, lastIndex(prev) - VERIFY_TAIL + 1);
        const kept = stepKeptThrough();
        if (lo >= prevLo && kept < li) lo = Math.max(lo, kept + 1);
      }
      // Entry i chains onto entry i-1 (or the snapshot): the predecessor's hash is carried along.
      if (lo <= li) {
        const bad = firstBrokenLink(s, lo, li, hashAt(s, lo - 1));
        if (bad >= 0)
          return `${changed.id} holds entry ${bad} (term ${termAt(s, bad)}) after a prefix it was not created on`;
      }
      if (prev === null) verifiedLogs.add(s.log);
    }
    // The stepping server's term and hash at index i, looked up once per i (most servers hold as
    // many entries as the one stepping, so i is mostly the same).
    let atI = -1;
    let t = -1;
    let h = -1;
    for (const v of nodes) {
      if (v === changed) continue;
      const o = server(v);
      if (o === null) continue;
      const i = Math.min(li, lastIndex(o));
      if (i === 0) continue;
      if (i !== atI) {
        atI = i;
        t = termAt(s, i);
        h = t < 0 ? -1 : hashAt(s, i);
      }
      if (t < 0 || t !== termAt(o, i)) continue;
      if (h !== hashAt(o, i))
        return `${changed.id} and ${v.id} both hold entry ${i} of term ${t} but their logs differ before it`;
    }
    return null;
  },
};

/**
 * Leader Completeness: if an entry is committed in a term, it is in the log of the leader of
 * every higher term (§5.4). Each server's ghost records the highest index it knew committed and
 * its term at the time (the entry was committed in that term or earlier); a leader of a higher
 * term must hold that entry.
 */
export const leaderCompleteness: Invariant<RaftState> = {
  id: 'leader-completeness',
  title: 'A leader holds every entry committed in earlier terms (Figure 3, §5.4)',
  check({ nodes, changed }: ClusterView<RaftState>) {
    const s = server(changed);
    if (s === null || s.role !== 'leader') return null;
    for (const v of nodes) {
      const o = server(v);
      if (o === null) continue;
      const g = o.ghost.commit;
      if (g.index === 0 || g.term >= s.term) continue;
      if (g.index > lastIndex(s))
        return `leader ${changed.id} of term ${s.term} lacks entry ${g.index}, which ${v.id} knew committed in term ${g.term}`;
      const h = hashAt(s, g.index);
      if (h >= 0 && h !== g.h)
        return `leader ${changed.id} of term ${s.term} holds another entry at ${g.index} than the one ${v.id} knew committed in term ${g.term}`;
    }
    return null;
  },
};

/** The chain hash of index i as server o knows it applied (-1 when it cannot tell). */
function appliedHash(o: ServerState, i: number): number {
  const g = o.ghost.commit;
  return i === g.index ? g.h : hashAt(o, i);
}

/**
 * State Machine Safety: if a server has applied a log entry at a given index, no other server
 * ever applies a different entry for that index (§5.4.3). Compared at the lower of the two
 * servers' highest committed indexes (ghost, so crashed servers count too); the chain hash at
 * an index covers every entry before it.
 */
export const stateMachineSafety: Invariant<RaftState> = {
  id: 'state-machine-safety',
  title: 'No two servers apply different entries at the same index (Figure 3, §5.4.3)',
  check({ nodes, changed }: ClusterView<RaftState>) {
    const s = server(changed);
    if (s === null || s.ghost.commit.index === 0 || unchanged(s, true)) return null;
    const gi = s.ghost.commit.index;
    // The stepping server's hash at index i, looked up once per i.
    let atI = -1;
    let a = -1;
    for (const v of nodes) {
      if (v === changed) continue;
      const o = server(v);
      if (o === null || o.ghost.commit.index === 0) continue;
      const i = Math.min(gi, o.ghost.commit.index);
      if (i !== atI) {
        atI = i;
        a = appliedHash(s, i);
      }
      const b = appliedHash(o, i);
      if (a >= 0 && b >= 0 && a !== b)
        return `${changed.id} and ${v.id} applied different entries at index ${i}`;
    }
    return null;
  },
};

/** Every invariant, in the order the paper's Figure 3 lists them. */
export const RAFT_INVARIANTS: Invariant<RaftState>[] = [
  electionSafety,
  logMatching,
  leaderCompleteness,
  stateMachineSafety,
];
