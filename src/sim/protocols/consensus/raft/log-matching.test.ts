import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/rng';
import type { NodeView, StepEnv } from '../../../protocol';
import { logMatching, withFullChecks } from './invariants';
import { type Entry, logAppend, newEntry } from './log';
import { initServer, stepServer } from './server';
import { type RaftMsg, RaftParams, type RaftState, type ServerState } from './types';

/**
 * log-matching re-hashes only the links a step wrote after the entries it kept (invariants.ts).
 * A follower that stores an entry not chained onto its predecessor must be caught, by that
 * path and by the full check alike, whether the step appended after its log or cut a
 * conflicting suffix first.
 */

const SERVERS = ['s1', 's2', 's3', 's4', 's5'];

const env: StepEnv<RaftParams> = {
  self: 's2',
  role: 'server',
  peers: SERVERS.filter((x) => x !== 's2'),
  nodesWithRole: () => SERVERS,
  localTimeUs: 1_000_000,
  rng: new Rng(1, 's2'),
  params: RaftParams.parse({}),
};

/** A follower in `term` whose log holds no-op entries of the given terms. */
function follower(terms: number[], term: number): ServerState {
  let s: ServerState = { ...initServer(false), term };
  for (const t of terms) s = { ...s, log: logAppend(s.log, [newEntry(s, t, { kind: 'noop' })]) };
  return s;
}

/** Steps the follower with an AppendEntries from s1 and runs log-matching on the result. */
function verdict(s: ServerState, prevIndex: number, prevTerm: number, entries: Entry[]): string | null {
  const m: RaftMsg = { type: 'AppendEntries', term: 3, prevIndex, prevTerm, entries, commit: 0, seq: 1 };
  const out = stepServer(s, { kind: 'message', from: 's1', msg: m }, env).state;
  const view: NodeView<RaftState> = { id: 's2', role: 'server', up: true, state: out };
  const cluster = { nodes: [view], changed: view, nowUs: 0, events: [] };
  const fast = logMatching.check(cluster);
  expect(withFullChecks(() => logMatching.check(cluster))).toBe(fast);
  return fast;
}

describe('Raft log-matching on the entries a step wrote', () => {
  const terms = Array.from({ length: 100 }, (_, k) => 1 + Math.floor(k / 40));
  const s = follower(terms, 3);
  const good = newEntry(s, 3, { kind: 'noop' });
  const bad: Entry = { ...good, h: (good.h ^ 1) >>> 0 };

  it('accepts an entry chained onto the log, and catches one that is not', () => {
    expect(verdict(s, 100, 3, [good])).toBeNull();
    expect(verdict(s, 100, 3, [bad])).toMatch(/s2 holds entry 101 \(term 3\) after a prefix/);
    // The broken entry followed by a well-chained one: the first broken link is named.
    const after: Entry = newEntry({ ...s, log: logAppend(s.log, [bad]) }, 3, { kind: 'noop' });
    expect(verdict(s, 100, 3, [bad, after])).toMatch(/holds entry 101 /);
  });

  it('catches a broken entry written after cutting a conflicting suffix', () => {
    // Entries 91..100 are of term 3; the leader's entry 91 is of term 2 but hashed on nothing.
    const cut: Entry = { term: 2, cmd: { kind: 'noop' }, c: 1, h: 7 };
    expect(verdict(s, 90, 3, [cut])).toMatch(/holds entry 91 \(term 2\)/);
  });
});
