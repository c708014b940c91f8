import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/rng';
import type { ClusterView, NodeView } from '../../../protocol';
import { handle } from '../../../toolkit/recorder';
import { RAFT_INVARIANTS, raftInvariants } from './invariants';
import { type Command, type LogEntry, newEntry } from './log';
import { raft } from './raft';
import { initServer } from './server';
import { RaftParams, type RaftState, type ServerState } from './types';

/**
 * log-matching re-hashes the entries a step wrote (it learns which from the step's `appended`
 * event). A follower that stores an entry not chained onto its predecessor must be caught,
 * that way and by the check at every step alike, whether the step appended after its log or
 * cut a conflicting suffix first; and two servers holding an entry of the same index and term
 * on different prefixes are caught by their chain hashes.
 */

const NODES = { s1: 'server', s2: 'server', s3: 'server', s4: 'server', s5: 'server' };
const params = RaftParams.parse({});
const byEvents = RAFT_INVARIANTS.find((i) => i.id === 'log-matching')!;
const everyStep = raftInvariants({ everyStep: true }).find((i) => i.id === 'log-matching')!;

/** A follower in `term` whose log holds entries of the given terms (no-ops, or `command` at `at`). */
function follower(terms: number[], term: number, at = -1, command?: Command): ServerState {
  const s = initServer();
  s.currentTerm = term;
  for (const [k, t] of terms.entries())
    s.log.push(newEntry(s, t, k === at && command ? command : { kind: 'noop' }));
  return s;
}

/** Hands s2 an AppendEntries from s1 and runs log-matching on the result (both ways). */
function verdict(
  s: ServerState,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: LogEntry[],
  others: ServerState[] = [],
): string | null {
  const state = structuredClone(s);
  const m = {
    type: 'AppendEntries' as const,
    term: 3,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit: 0,
    seq: 1,
  };
  const out = handle(
    raft,
    state,
    { kind: 'message', from: 's1', msg: m },
    {
      self: 's2',
      nodes: NODES,
      params,
      rng: new Rng(1, 's2'),
    },
  );
  const view: NodeView<RaftState> = { id: 's2', role: 'server', up: true, state };
  const rest = others.map(
    (o, k): NodeView<RaftState> => ({ id: `s${k + 3}`, role: 'server', up: true, state: o }),
  );
  const cluster: ClusterView<RaftState> = {
    nodes: [view, ...rest],
    changed: view,
    nowUs: 0,
    events: out.events,
  };
  const found = byEvents.check(cluster);
  expect(everyStep.check(cluster)).toBe(found);
  return found;
}

describe('Raft log-matching on the entries a step wrote', () => {
  const terms = Array.from({ length: 100 }, (_, k) => 1 + Math.floor(k / 40));
  const s = follower(terms, 3);
  const good = newEntry(s, 3, { kind: 'noop' });
  const bad: LogEntry = { ...good, chain: good.chain ^ 1 };

  it('accepts an entry chained onto the log, and catches one that is not', () => {
    expect(verdict(s, 100, 3, [good])).toBeNull();
    expect(verdict(s, 100, 3, [bad])).toMatch(/s2 holds entry 101 \(term 3\) after a prefix/);
    // The broken entry followed by a well-chained one: the first broken link is named.
    const after = newEntry({ log: [...s.log, bad], snapshot: s.snapshot }, 3, { kind: 'noop' });
    expect(verdict(s, 100, 3, [bad, after])).toMatch(/holds entry 101 /);
  });

  it('catches a broken entry written after cutting a conflicting suffix', () => {
    // Entries 91..100 are of term 3; the leader's entry 91 is of term 2 but hashed on nothing.
    const cut: LogEntry = { term: 2, command: { kind: 'noop' }, chain: 7 };
    expect(verdict(s, 90, 3, [cut])).toMatch(/holds entry 91 \(term 2\)/);
  });

  it('catches two servers that hold an entry of the same index and term on different prefixes', () => {
    // s3's entry 50 is another command than s2's: every chain hash from 50 on differs.
    const put: Command = { kind: 'put', client: 'c1', reqId: 1, key: 'k', value: 'v', ack: 1 };
    const other = follower(terms, 3, 49, put);
    expect(verdict(s, 100, 3, [good], [other])).toBe(
      's2 and s3 both hold entry 100 of term 3 but their logs differ before it',
    );
    expect(verdict(s, 100, 3, [good], [follower(terms, 3)])).toBeNull();
  });
});
