import { describe, expect, it } from 'vitest';
import type { CheckEvent, ClusterView, NodeView } from '../../../protocol';
import { paxosCommit } from '../paxos-commit';
import { threePhaseCommit } from '../three-phase-commit';
import { twoPhaseCommit } from '../two-phase-commit';
import { atomicity, type CommitAudit, durability, locksOnlyUndecided, validity } from './atomic-commit';

/** A node of a made-up commit protocol: an audit, and a lock table when it is a participant. */
interface Node {
  audit?: CommitAudit<'yes' | 'no'>;
  locks?: Record<string, string>;
  txns?: Record<string, unknown>;
}
const auditOf = (s: Node) => s.audit;
const node = (id: string, role: string, state: Node, up = true): NodeView<Node> => ({ id, role, up, state });
const audit = (votes: Record<string, 'yes' | 'no'>, decisions: CommitAudit['decisions'] = {}) => ({
  votes,
  decisions,
});
const view = (
  changed: NodeView<Node>,
  others: NodeView<Node>[],
  events: CheckEvent[],
): ClusterView<Node> => ({
  nodes: [changed, ...others],
  changed,
  nowUs: 0,
  events,
});
const decided = (tid: string, outcome: 'commit' | 'abort', participants = ['p1', 'p2']): CheckEvent => ({
  type: 'decided',
  tid,
  outcome,
  participants,
});

const ac1 = atomicity<Node>({ title: 'AC1', auditOf });
const ac2 = durability<Node>({ title: 'AC2', auditOf });
const ac3 = (deciderRole?: string) =>
  validity<Node, 'yes' | 'no'>({
    title: 'AC3',
    auditOf,
    participantsField: 'participants',
    yes: 'yes',
    no: 'no',
    saidNo: 'voted NO',
    notYes: 'has not voted YES',
    deciderRole,
  });

describe('the atomic commitment properties (BHG §7.3), stated once', () => {
  it('AC1: a decision that differs from one reached elsewhere names both nodes', () => {
    const p1 = node('p1', 'participant', { audit: audit({ T1: 'yes' }, { T1: 'abort' }) });
    const c = node('coord', 'coordinator', { audit: audit({}, { T1: 'commit' }) });
    expect(ac1.check(view(c, [p1], [decided('T1', 'commit')]))).toBe(
      'T1 committed at coord but aborted at p1',
    );
    expect(ac1.check(view(c, [p1], [decided('T2', 'commit')]))).toBeNull();
    expect(ac1.check(view(p1, [c], [decided('T1', 'abort')]))).toBe(
      'T1 aborted at p1 but committed at coord',
    );
  });

  it('AC2: a node that decides otherwise than it did before is caught, the first decision kept', () => {
    const p1 = node('p1', 'participant', { audit: audit({ T1: 'yes' }, { T1: 'commit' }) });
    expect(ac2.check(view(p1, [], [decided('T1', 'abort')]))).toBe(
      'p1 committed T1 before, and aborted it now',
    );
    expect(ac2.check(view(p1, [], [decided('T1', 'commit')]))).toBeNull();
    expect(ac2.check(view(node('c1', 'client', {}), [], [decided('T1', 'abort')]))).toBeNull();
  });

  it('AC3: a commit needs every participant named in the decision to have voted YES', () => {
    const p1 = node('p1', 'participant', { audit: audit({ T1: 'yes' }) });
    const p2 = node('p2', 'participant', { audit: audit({ T1: 'no' }) });
    const p3 = node('p3', 'participant', { audit: audit({}) });
    const c = node('coord', 'coordinator', { audit: audit({}) });
    expect(ac3().check(view(c, [p1, p2], [decided('T1', 'commit')]))).toBe(
      'T1 committed at coord but p2 voted NO',
    );
    expect(ac3().check(view(c, [p1, p3], [decided('T1', 'commit', ['p1', 'p3'])]))).toBe(
      'T1 committed at coord but p3 has not voted YES',
    );
    expect(ac3().check(view(c, [p1, p2], [decided('T1', 'abort')]))).toBeNull();
    expect(ac3().check(view(c, [p1], [decided('T1', 'commit', ['p1'])]))).toBeNull();
  });

  it('AC3 with a decider role checks only that role’s decisions; without one, everyone’s', () => {
    const p1 = node('p1', 'participant', { audit: audit({ T1: 'yes' }) });
    const p2 = node('p2', 'participant', { audit: audit({ T1: 'no' }) });
    const event = [decided('T1', 'commit')];
    expect(ac3('coordinator').check(view(p1, [p2], event))).toBeNull();
    expect(ac3().check(view(p1, [p2], event))).toBe('T1 committed at p1 but p2 voted NO');
  });

  it('strict 2PL: a participant that is up holds locks only for transactions it has not finished', () => {
    const inv = locksOnlyUndecided<Node>((n) =>
      n.role === 'participant' ? { locks: n.state.locks ?? {}, txns: n.state.txns ?? {} } : undefined,
    );
    const held = { locks: { k1: 'T1', k2: 'T2' }, txns: { T2: {} } };
    expect(inv.check(view(node('p1', 'participant', held), [], []))).toBe(
      'p1 holds the lock on k1 for T1, which it has finished',
    );
    expect(inv.check(view(node('p1', 'participant', held, false), [], []))).toBeNull();
    expect(inv.check(view(node('coord', 'coordinator', held), [], []))).toBeNull();
    expect(
      inv.check(view(node('p1', 'participant', { locks: { k2: 'T2' }, txns: { T2: {} } }), [], [])),
    ).toBeNull();
  });

  it('each protocol keeps its ids (exercise goals and bug plans name them) and its paper’s titles', () => {
    const of = (p: { invariants: readonly { id: string; title: string }[] }) =>
      p.invariants.map((i) => [i.id, i.title]);
    const ac = [
      ['atomicity', 'Atomicity: no transaction commits at one node and aborts at another (AC1)'],
      ['validity', 'Validity: a transaction commits only if every participant voted YES (AC3)'],
      ['durability', 'Durability: a node never reverses a decision, crashes included (AC2)'],
      ['locks-only-undecided', 'A participant holds locks only for transactions not yet decided there'],
    ];
    expect(of(twoPhaseCommit)).toEqual(ac);
    expect(of(threePhaseCommit)).toEqual(ac);
    expect(of(paxosCommit)).toEqual([
      ['validity', 'Validity: a transaction commits only if every RM proposed Prepared'],
      ['atomicity', 'Atomicity: no transaction commits at one node and aborts at another'],
      ['durability', 'Durability: a node never reverses an outcome, crashes included'],
      ['one-value-per-instance', "Paxos safety: each RM's instance chooses at most one value"],
    ]);
  });
});
