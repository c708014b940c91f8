import { describe, expect, it } from 'vitest';
import type { TimelineViewData } from '../../../../shared/api/views';
import { ScenarioSchema } from '../../../../shared/scenario/schema';
import { registerProtocol } from '../../../catalog';
import '../../../checkers/builtin';
import { Simulation } from '../../../simulation';
import { seriesLast, seriesMean } from '../../../test/summary';
import { handle, type RecorderWorld } from '../../../toolkit/recorder';
import { twoPcBlocking, twoPhaseCommit } from '../two-phase-commit';
import {
  type AcceptorState,
  type PaxosCommitMsg,
  type PaxosCommitParams,
  type PaxosCommitState,
  paxosCommit,
  paxosCommitClients,
  paxosCommitLocksView,
  paxosCommitSlowRm,
  paxosCommitTmCrash,
  paxosCommitTwoAcceptorsDown,
  type RmState,
  type TmState,
} from '.';

registerProtocol(paxosCommit);
registerProtocol(twoPhaseCommit);

const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
const NODES = { tm: 'tm', rm1: 'rm', rm2: 'rm', rm3: 'rm', a1: 'acceptor', a2: 'acceptor', a3: 'acceptor' };
const RMS = ['rm1', 'rm2', 'rm3'];
const params = (over: Partial<PaxosCommitParams> = {}) => paxosCommit.params.parse(over);
const world = (
  self: string,
  over: Partial<PaxosCommitParams> = {},
  nowUs = 0,
): RecorderWorld<PaxosCommitParams> => ({
  self,
  nodes: NODES,
  params: params(over),
  nowUs,
});
const init = <S extends PaxosCommitState>(id: string) =>
  paxosCommit.init({
    id,
    role: NODES[id as keyof typeof NODES],
    params: params(),
    nodes: Object.keys(NODES),
  }) as S;
const msg = (from: string, m: PaxosCommitMsg) => ({ kind: 'message' as const, from, msg: m });
const timer = (name: string) => ({ kind: 'timer' as const, name });
const write = { kind: 'write' as const, key: 'k1', value: 'T1' };
const prepare: PaxosCommitMsg = { type: 'Prepare', tid: 'T1', op: write, rms: RMS };
const types = (out: { sent: { to: string; msg: PaxosCommitMsg }[] }) =>
  out.sent.map((s) => `${s.to}:${s.msg.type}`);
const p2a = (rm: string, val: 'prepared' | 'aborted', bal = 0, leader = 'tm'): PaxosCommitMsg => ({
  type: 'Phase2a',
  tid: 'T1',
  bal,
  vals: { [rm]: val },
  rms: RMS,
  leader,
});
const p2b = (vals: Record<string, 'prepared' | 'aborted'>, bal = 0): PaxosCommitMsg => ({
  type: 'Phase2b',
  tid: 'T1',
  bal,
  vals,
  rms: RMS,
  reads: {},
});

/** An RM whose Prepared record for T1 is on disk and whose phase 2a went out. */
function preparedRm(id = 'rm1', over: Partial<PaxosCommitParams> = {}): RmState {
  const s = init<RmState>(id);
  handle(paxosCommit, s, msg('tm', prepare), world(id, over));
  handle(paxosCommit, s, timer('force:T1'), world(id, over));
  return s;
}

/** A TM that has sent T1's Prepare. */
function tmWithT1(over: Partial<PaxosCommitParams> = {}): TmState {
  const s = init<TmState>('tm');
  handle(paxosCommit, s, timer('next-txn'), world('tm', over));
  return s;
}

const stateOf = <S extends PaxosCommitState>(sim: Simulation, id: string) => sim.nodeState(id)?.state as S;

function run(sc: ReturnType<typeof paxosCommitTmCrash>, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs, 2_000_000);
  return sim;
}

describe('Paxos Commit: the rules (Gray and Lamport §4)', () => {
  it('an RM locks, forces Prepared, then sends its ballot-0 phase 2a to every acceptor', () => {
    const s = init<RmState>('rm1');
    const first = handle(paxosCommit, s, msg('tm', prepare), world('rm1'));
    expect(first.sent).toEqual([]);
    expect(s.locks).toEqual({ k1: 'T1' });
    expect(first.timers).toEqual([{ name: 'force:T1', afterUs: 10_000 }]);
    const out = handle(paxosCommit, s, timer('force:T1'), world('rm1'));
    expect(s.log.map((r) => r.type)).toEqual(['prepared']);
    expect(out.sent.map((x) => x.to)).toEqual(['a1', 'a2', 'a3']);
    expect(out.sent[0]!.msg).toEqual(p2a('rm1', 'prepared'));
    expect(out.timers).toEqual([{ name: 'ask:T1', afterUs: 100_000 }]);
  });

  it('phase2aTo majority: the phase 2a goes to F+1 acceptors only (§4.3)', () => {
    const s = init<RmState>('rm1');
    handle(paxosCommit, s, msg('tm', prepare), world('rm1', { phase2aTo: 'majority' }));
    const out = handle(paxosCommit, s, timer('force:T1'), world('rm1', { phase2aTo: 'majority' }));
    expect(types(out)).toEqual(['a1:Phase2a', 'a2:Phase2a']);
  });

  it('an RM that aborts on its own proposes Aborted and decides at once, without locking', () => {
    const s = init<RmState>('rm2');
    const out = handle(paxosCommit, s, msg('tm', prepare), world('rm2', { noVotes: ['T1@rm2'] }));
    expect(types(out)).toEqual(['a1:Phase2a', 'a2:Phase2a', 'a3:Phase2a']);
    expect(out.sent[0]!.msg).toEqual(p2a('rm2', 'aborted'));
    expect(s.locks).toEqual({});
    expect(out.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'abort', rms: RMS }]);
  });

  it('an acceptor bundles its ballot-0 phase 2b for the whole transaction, after a forced write', () => {
    const s = init<AcceptorState>('a1');
    expect(handle(paxosCommit, s, msg('rm1', p2a('rm1', 'prepared')), world('a1')).timers).toEqual([]);
    handle(paxosCommit, s, msg('rm2', p2a('rm2', 'prepared')), world('a1'));
    const last = handle(paxosCommit, s, msg('rm3', p2a('rm3', 'prepared')), world('a1'));
    expect(last.sent).toEqual([]);
    expect(last.timers).toEqual([{ name: 'flush', afterUs: 10_000 }]);
    expect(s.aState.T1!.ins.rm3).toEqual({ mbal: 0, bal: 0, val: 'prepared' });
    const out = handle(paxosCommit, s, timer('flush'), world('a1'));
    expect(out.sent).toEqual([{ to: 'tm', msg: p2b({ rm1: 'prepared', rm2: 'prepared', rm3: 'prepared' }) }]);
  });

  it('an Aborted sends the bundle at once: one instance is enough to abort', () => {
    const s = init<AcceptorState>('a1');
    handle(paxosCommit, s, msg('rm1', p2a('rm1', 'prepared')), world('a1'));
    handle(paxosCommit, s, msg('rm2', p2a('rm2', 'aborted')), world('a1'));
    const out = handle(paxosCommit, s, timer('flush'), world('a1'));
    expect(out.sent).toEqual([{ to: 'tm', msg: p2b({ rm1: 'prepared', rm2: 'aborted' }) }]);
  });

  it('Faster Paxos Commit: the bundle goes to the TM and every RM, and an RM learns the outcome itself', () => {
    const over = { phase2bTo: 'all' as const };
    const a = init<AcceptorState>('a1');
    for (const rm of RMS) handle(paxosCommit, a, msg(rm, p2a(rm, 'prepared')), world('a1', over));
    const out = handle(paxosCommit, a, timer('flush'), world('a1', over));
    expect(types(out)).toEqual(['tm:Phase2b', 'rm1:Phase2b', 'rm2:Phase2b', 'rm3:Phase2b']);
    const rm = preparedRm('rm1', over);
    const all = { rm1: 'prepared', rm2: 'prepared', rm3: 'prepared' } as const;
    expect(handle(paxosCommit, rm, msg('a1', p2b(all)), world('rm1', over)).events).toEqual([]);
    const learned = handle(paxosCommit, rm, msg('a2', p2b(all)), world('rm1', over));
    expect(learned.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', rms: RMS }]);
    expect(rm.data).toEqual({ k1: 'T1' });
    // The TM learns too (for its client) but sends no Commit: the RMs have it.
    const tm = tmWithT1(over);
    handle(paxosCommit, tm, msg('a1', p2b(all)), world('tm', over));
    const decided = handle(paxosCommit, tm, msg('a2', p2b(all)), world('tm', over));
    expect(decided.sent).toEqual([]);
    expect(decided.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', rms: RMS }]);
  });

  it('phase 1b: an acceptor promises a higher ballot, reports what it accepted, then refuses ballot 0', () => {
    const s = init<AcceptorState>('a2');
    handle(paxosCommit, s, msg('rm1', p2a('rm1', 'prepared')), world('a2'));
    const p1a: PaxosCommitMsg = { type: 'Phase1a', tid: 'T1', bal: 5, ins: RMS, rms: RMS };
    handle(paxosCommit, s, msg('a1', p1a), world('a2'));
    const out = handle(paxosCommit, s, timer('flush'), world('a2'));
    expect(out.sent).toEqual([
      {
        to: 'a1',
        msg: {
          type: 'Phase1b',
          tid: 'T1',
          bal: 5,
          prior: {
            rm1: { bal: 0, val: 'prepared' },
            rm2: { bal: -1, val: 'none' },
            rm3: { bal: -1, val: 'none' },
          },
        },
      },
    ]);
    // A lower ballot: its phase 1a is ignored, its phase 2a refused.
    expect(handle(paxosCommit, s, msg('tm', { ...p1a, bal: 4 }), world('a2')).timers).toEqual([]);
    const late = handle(paxosCommit, s, msg('rm2', p2a('rm2', 'prepared')), world('a2'));
    expect(late.events.filter((e) => e.type === 'accepted')).toEqual([]);
    expect(s.aState.T1!.ins.rm2).toEqual({ mbal: 5, bal: -1, val: 'none' });
  });

  it('bugAcceptLowerBallot: the acceptor accepts a ballot-0 phase 2a after promising ballot 5', () => {
    const s = init<AcceptorState>('a2');
    const over = { bugAcceptLowerBallot: true };
    handle(
      paxosCommit,
      s,
      msg('a1', { type: 'Phase1a', tid: 'T1', bal: 5, ins: RMS, rms: RMS }),
      world('a2', over),
    );
    const late = handle(paxosCommit, s, msg('rm2', p2a('rm2', 'prepared')), world('a2', over));
    expect(late.events).toContainEqual({ type: 'accepted', tid: 'T1', rm: 'rm2', bal: 0, val: 'prepared' });
  });

  it('phase 2a after F+1 promises: the highest-ballot value where one was accepted, Aborted where free', () => {
    const s = init<AcceptorState>('a1');
    handle(paxosCommit, s, msg('rm1', { type: 'DecisionRequest', tid: 'T1', rms: RMS }), world('a1'));
    expect(s.lead.txns.T1?.bal).toBe(5); // round 1 x 4 leaders + index 1
    const prior = (rm1: number, rm3: number) => ({
      rm1: { bal: rm1, val: rm1 < 0 ? ('none' as const) : ('prepared' as const) },
      rm2: { bal: -1, val: 'none' as const },
      rm3: { bal: rm3, val: rm3 < 0 ? ('none' as const) : ('aborted' as const) },
    });
    expect(
      handle(
        paxosCommit,
        s,
        msg('a1', { type: 'Phase1b', tid: 'T1', bal: 5, prior: prior(0, -1) }),
        world('a1'),
      ).sent,
    ).toEqual([]);
    const out = handle(
      paxosCommit,
      s,
      msg('a2', { type: 'Phase1b', tid: 'T1', bal: 5, prior: prior(-1, 0) }),
      world('a1'),
    );
    expect(types(out)).toEqual(['a1:Phase2a', 'a2:Phase2a', 'a3:Phase2a']);
    expect(out.sent[0]!.msg).toEqual({
      type: 'Phase2a',
      tid: 'T1',
      bal: 5,
      vals: { rm1: 'prepared', rm2: 'aborted', rm3: 'aborted' },
      rms: RMS,
      leader: 'a1',
    });
  });

  it('the TM commits once every instance chose Prepared (F+1 acceptors each), not before', () => {
    const s = tmWithT1();
    const all = { rm1: 'prepared', rm2: 'prepared', rm3: 'prepared' } as const;
    expect(handle(paxosCommit, s, msg('a1', p2b(all)), world('tm')).sent).toEqual([]);
    const out = handle(paxosCommit, s, msg('a3', p2b(all)), world('tm', {}, 40_000));
    expect(types(out)).toEqual(['rm1:Commit', 'rm2:Commit', 'rm3:Commit']);
    expect(out.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', rms: RMS }]);
    expect(s.stats.committed).toBe(1);
  });

  it('one instance chose Aborted: the TM aborts; bugCommitOnMajorityOfRMs commits on two of three', () => {
    const mixed = { rm1: 'prepared', rm2: 'prepared', rm3: 'aborted' } as const;
    for (const [bug, outcome] of [
      [false, 'Abort'],
      [true, 'Commit'],
    ] as const) {
      const over = { bugCommitOnMajorityOfRMs: bug };
      const s = tmWithT1(over);
      handle(paxosCommit, s, msg('a1', p2b(mixed)), world('tm', over));
      const out = handle(paxosCommit, s, msg('a2', p2b(mixed)), world('tm', over));
      expect(types(out)).toEqual(RMS.map((rm) => `${rm}:${outcome}`));
    }
  });

  it('a leader that learns nothing in time runs phase 1 in a higher ballot of its own', () => {
    const s = tmWithT1();
    const out = handle(paxosCommit, s, timer('lead:T1'), world('tm'));
    expect(types(out)).toEqual(['a1:Phase1a', 'a2:Phase1a', 'a3:Phase1a']);
    expect(out.sent[0]!.msg).toMatchObject({ bal: 4, ins: RMS });
    expect(handle(paxosCommit, s, timer('lead:T1'), world('tm')).sent[0]!.msg).toMatchObject({ bal: 8 });
  });

  it('a prepared RM with no outcome asks the leaders in turn: a1, then a2', () => {
    const s = preparedRm();
    expect(types(handle(paxosCommit, s, timer('ask:T1'), world('rm1')))).toEqual(['a1:DecisionRequest']);
    expect(types(handle(paxosCommit, s, timer('ask:T1'), world('rm1')))).toEqual(['a2:DecisionRequest']);
    const out = handle(paxosCommit, s, msg('a2', { type: 'Commit', tid: 'T1' }), world('rm1'));
    expect(s.data).toEqual({ k1: 'T1' });
    expect(s.locks).toEqual({});
    expect(out.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', rms: RMS }]);
  });

  it('recovery: an RM with Prepared on disk and no outcome locks again and asks at once', () => {
    const s = preparedRm();
    for (const k of ['txns', 'locks', 'forcing'] as const) (s as unknown as Record<string, unknown>)[k] = {};
    s.forcing = [];
    const out = handle(paxosCommit, s, { kind: 'restart' }, world('rm1', {}, 50_000));
    expect(s.locks).toEqual({ k1: 'T1' });
    expect(out.timers).toEqual([{ name: 'ask:T1', afterUs: 0 }]);
  });

  it('a lock taken but not yet Prepared on disk is lost in a crash, and the Locks tab says so', () => {
    const s = init<RmState>('rm1');
    handle(paxosCommit, s, msg('tm', prepare), world('rm1', {}, 1_000));
    const t2: PaxosCommitMsg = { type: 'Prepare', tid: 'T2', op: { ...write, key: 'k2' }, rms: RMS };
    handle(paxosCommit, s, msg('tm', t2), world('rm1', {}, 5_000)); // crashes before either force fires
    const back = init<RmState>('rm1');
    for (const f of paxosCommit.durable)
      (back as unknown as Record<string, unknown>)[f] = s[f as keyof RmState];
    handle(paxosCommit, back, { kind: 'restart' }, world('rm1', {}, 50_000));
    expect(back.locks).toEqual({});
    expect(back.lockSpans).toMatchObject([
      { tid: 'T1', endUs: 5_000, outcome: 'lost' },
      { tid: 'T2', endUs: 5_000, outcome: 'lost' },
    ]);
    const view = paxosCommitLocksView.read(
      [{ id: 'rm1', role: 'rm', up: true, state: back }],
      params(),
      null,
    );
    expect((view as TimelineViewData).bars.map((b) => b.title)).toEqual([
      'T1 at rm1, lock on k1: locked, forcing its Prepared record from 1.0 ms to 5.0 ms · locked at 1.0 ms, lost when rm1 crashed, before its Prepared record was on disk',
    ]);
  });
});

describe('Paxos Commit: the checkers fire', () => {
  const check = (
    id: string,
    nodes: { id: string; role: string; state: PaxosCommitState }[],
    events: unknown[],
  ) => {
    const inv = paxosCommit.invariants.find((i) => i.id === id)!;
    const view = nodes.map((n) => ({ ...n, up: true }));
    return inv.check({ nodes: view, changed: view[0]!, nowUs: 0, events: events as never });
  };

  it('atomicity and durability: an outcome against another node, or against its own earlier one', () => {
    const rm1 = preparedRm('rm1');
    const rm2 = preparedRm('rm2');
    rm2.audit.decisions.T1 = 'abort';
    const commit = { type: 'decided', tid: 'T1', outcome: 'commit', rms: RMS };
    const nodes = [
      { id: 'rm1', role: 'rm', state: rm1 },
      { id: 'rm2', role: 'rm', state: rm2 },
    ];
    expect(check('atomicity', nodes, [commit])).toBe('T1 committed at rm1 but aborted at rm2');
    rm1.audit.decisions.T1 = 'abort';
    expect(check('durability', nodes, [commit])).toBe('rm1 aborted T1 before, and committed it now');
  });

  it('one-value-per-instance: Prepared chosen in ballot 0 and Aborted in ballot 4', () => {
    const accs = ['a1', 'a2', 'a3'].map((id) => init<AcceptorState>(id));
    accs[0]!.acceptedAudit['T1 rm3'] = { '0': 'prepared', '4': 'aborted' };
    accs[1]!.acceptedAudit['T1 rm3'] = { '0': 'prepared', '4': 'aborted' };
    const nodes = accs.map((s, k) => ({ id: `a${k + 1}`, role: 'acceptor', state: s }));
    const ev = [{ type: 'accepted', tid: 'T1', rm: 'rm3', bal: 0, val: 'prepared' }];
    expect(check('one-value-per-instance', nodes, ev)).toBe(
      "rm3's instance of T1 chose Prepared in ballot 0 and Aborted in ballot 4",
    );
    delete accs[1]!.acceptedAudit['T1 rm3']!['0'];
    expect(check('one-value-per-instance', nodes, ev)).toBeNull();
  });
});

describe('Paxos Commit: the TM crash blocks nobody, seeds 1-20', () => {
  it('the TM crashes after every RM prepared: a1 takes over and commits T2 within 200 ms', () => {
    for (const seed of SEEDS) {
      const sim = run(paxosCommitTmCrash(), seed);
      const at = `seed=${seed}`;
      expect(sim.violation, at).toBeNull();
      for (const id of RMS)
        expect(stateOf<RmState>(sim, id).audit.decisions.T2, `${at} ${id}`).toBe('commit');
      expect(stateOf<AcceptorState>(sim, 'a1').audit.decisions.T2, at).toBe('commit');
      expect(seriesLast(sim, 'takeovers'), at).toBe(1);
      // No lock is held while the TM is still down, 600 ms to 1.2 s.
      expect(seriesMean(sim, 'locksHeld', 600_000, 1_200_000), at).toBe(0);
      // Each RM waited about 45 ms after asking, not the 785 ms of two-phase commit.
      expect(seriesLast(sim, 'timeBlockedMs'), at).toBeLessThan(3 * 100);
      expect(sim.invariants().find((v) => v.id === 'every-transaction-decided')?.ok, at).toBe(true);
    }
  });

  it('Faster Paxos Commit: the RMs learn T2 from the acceptors before the TM could even tell them', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = run(paxosCommitTmCrash({ phase2bTo: 'all' }), seed);
      const at = `seed=${seed}`;
      expect(sim.violation, at).toBeNull();
      for (const id of RMS)
        expect(stateOf<RmState>(sim, id).audit.decisions.T2, `${at} ${id}`).toBe('commit');
      expect(seriesLast(sim, 'takeovers'), at).toBe(0);
      expect(seriesLast(sim, 'timeBlockedMs'), at).toBe(0);
      expect(sim.invariants().find((v) => v.id === 'every-transaction-decided')?.ok, at).toBe(true);
    }
  });

  it('where two-phase commit blocks on the same fault script for over ten times as long', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const blocked = seriesLast(run(twoPcBlocking(), seed), 'timeBlockedMs');
      const paxos = seriesLast(run(paxosCommitTmCrash(), seed), 'timeBlockedMs');
      expect(blocked, `seed=${seed}`).toBeGreaterThan(10 * paxos);
    }
  });

  it('F = 1 does not survive two acceptor crashes; F = 2 (five acceptors) does', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const three = run(paxosCommitTwoAcceptorsDown(), seed);
      const five = run(paxosCommitTwoAcceptorsDown({}, 5), seed);
      expect(three.violation ?? five.violation, `seed=${seed}`).toBeNull();
      expect(seriesLast(three, 'timeBlockedMs'), `seed=${seed}`).toBeGreaterThan(3000);
      expect(seriesLast(five, 'timeBlockedMs'), `seed=${seed}`).toBeLessThan(1000);
      expect(stateOf<AcceptorState>(five, 'a3').audit.decisions.T2, `seed=${seed}`).toBe('commit');
    }
  });
});

describe('Paxos Commit: clients, the nemesis and the bug switches', () => {
  it('clients with aborts, a TM and an acceptor crash: every check holds and the history is linearizable', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(paxosCommitClients(), seed);
      const at = `seed=${seed}`;
      expect(sim.violation, at).toBeNull();
      const verdicts = sim.invariants();
      for (const id of ['linearizability', 'every-transaction-decided', 'client-ops-answered'])
        expect(verdicts.find((v) => v.id === id)?.ok, `${at} ${id}`).toBe(true);
      expect(seriesLast(sim, 'commits'), at).toBeGreaterThan(20);
      expect(seriesLast(sim, 'aborts'), at).toBeGreaterThan(0);
    }
  });

  it('under the nemesis (crashes, partitions, loss bursts until 1.5 s) every safety check holds', () => {
    let checked = 0;
    for (const seed of SEEDS.slice(0, 10)) {
      // Half the seeds run Faster Paxos Commit.
      const sc = paxosCommitClients(seed % 2 === 0 ? { phase2bTo: 'all' } : {});
      const sim = run(
        ScenarioSchema.parse({
          ...sc,
          faults: [],
          workload: { ...sc.workload, stopUs: 4_000_000 },
          nemesis: {
            enabled: true,
            crashRatePerS: 3,
            meanDowntimeUs: 200_000,
            partitionRatePerS: 2,
            meanPartitionUs: 200_000,
            lossRatePerS: 2,
            stopUs: 1_500_000,
          },
          limits: { maxTimeUs: 5_000_000 },
        }),
        seed,
      );
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const verdicts = sim.invariants();
      expect(verdicts.find((v) => v.id === 'linearizability')?.ok, `seed=${seed}`).toBe(true);
      if (verdicts.find((v) => v.id === 'every-transaction-decided')?.ok === true) checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('every-transaction-decided fires when no RM asks and the TM forgot the transaction', () => {
    const sim = run(paxosCommitTmCrash({ decisionTimeoutMs: 60_000, settleMs: 500 }), 1);
    expect(sim.violation?.invariant).toBe('every-transaction-decided');
  });

  it('bugAcceptLowerBallot: an impatient leader and a slow RM make an instance choose both values', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const broken = run(paxosCommitSlowRm({ leaderTimeoutMs: 50, bugAcceptLowerBallot: true }), seed);
      expect(broken.violation?.invariant, `seed=${seed}`).toBe('one-value-per-instance');
      const fixed = run(paxosCommitSlowRm({ leaderTimeoutMs: 50 }), seed);
      expect(fixed.violation, `seed=${seed}`).toBeNull();
      expect(stateOf<RmState>(fixed, 'rm3').audit.decisions.T1, `seed=${seed}`).toBe('abort');
    }
  });

  it('bugCommitOnMajorityOfRMs: the slow rm3 aborts last, and validity catches the commit', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const over = { noVotes: ['T1@rm3'], leaderTimeoutMs: 200 };
      const sim = run(paxosCommitSlowRm({ ...over, bugCommitOnMajorityOfRMs: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('validity');
      expect(sim.violation?.message, `seed=${seed}`).toBe('T1 committed at tm but rm3 proposed Aborted');
      const fixed = run(paxosCommitSlowRm(over), seed);
      expect(fixed.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('the Locks tab: the RMs hold T2 only while they ask, and the TM row shows it down', () => {
    const sim = run(paxosCommitTmCrash(), 1);
    const view = sim.view('locks');
    expect(view?.kind).toBe('timeline');
    if (view?.kind !== 'timeline') return;
    const asking = view.bars.filter((b) => b.tone === 'bad');
    expect(asking.map((b) => b.row)).toEqual(RMS);
    for (const b of asking) expect((b.endUs ?? 0) - b.startUs).toBeLessThan(100_000);
    expect(view.bars.find((b) => b.row === 'tm')?.label).toBe('down');
  });
});
