import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../catalog';
import '../../../checkers/builtin';
import { Simulation } from '../../../simulation';
import { seriesLast } from '../../../test/summary';
import { handle, type RecorderWorld } from '../../../toolkit/recorder';
import { twoPcBlocking, twoPhaseCommit } from '../two-phase-commit';
import {
  type CoordinatorState,
  type ParticipantState,
  type ThreePcMsg,
  type ThreePcState,
  type ThreePhaseCommitParams,
  threePcClients,
  threePcCoordinatorCrash,
  threePcLocksView,
  threePcParticipantCrash,
  threePcPartitionSplit,
  threePhaseCommit,
} from '.';

registerProtocol(threePhaseCommit);
registerProtocol(twoPhaseCommit);

const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
const NODES = { coord: 'coordinator', p1: 'participant', p2: 'participant', p3: 'participant' };
const PARTS = ['p1', 'p2', 'p3'];
type Over = Partial<ThreePhaseCommitParams>;
const params = (over: Over = {}) => threePhaseCommit.params.parse(over);
const world = (self: string, over: Over = {}, nowUs = 0): RecorderWorld<ThreePhaseCommitParams> => ({
  self,
  nodes: NODES,
  params: params(over),
  nowUs,
});
const init = (id: string) =>
  threePhaseCommit.init({
    id,
    role: NODES[id as keyof typeof NODES],
    params: params(),
    nodes: Object.keys(NODES),
  });
const coordinator = () => init('coord') as CoordinatorState;
const participant = (id = 'p1') => init(id) as ParticipantState;
const msg = (from: string, m: ThreePcMsg) => ({ kind: 'message' as const, from, msg: m });
const timer = (name: string) => ({ kind: 'timer' as const, name });
const write = { kind: 'write' as const, key: 'k1', value: 'T1' };
const canCommit: ThreePcMsg = { type: 'CanCommit', tid: 'T1', op: write, participants: PARTS };
const yes = (tid = 'T1'): ThreePcMsg => ({ type: 'Yes', tid, value: null });
const types = (out: { sent: { to: string; msg: ThreePcMsg }[] }) =>
  out.sent.map((s) => `${s.to}:${s.msg.type}`);
const h = (
  s: ThreePcState,
  input: Parameters<typeof threePhaseCommit.on>[2],
  self: string,
  over: Over = {},
  now = 0,
) => handle(threePhaseCommit, s, input, world(self, over, now));

/** A participant that voted YES on T1 (state w). */
function uncertain(id = 'p1', over: Over = {}): ParticipantState {
  const s = participant(id);
  h(s, msg('coord', canCommit), id, over);
  h(s, timer('force:T1'), id, over);
  return s;
}
/** A participant that got PRE-COMMIT for T1 (state p). */
function committable(id = 'p1'): ParticipantState {
  const s = uncertain(id);
  h(s, msg('coord', { type: 'PreCommit', tid: 'T1' }), id);
  return s;
}
/** A coordinator that has every YES on T1 (over: its params). */
function allYes(over: Over = {}) {
  const s = coordinator();
  h(s, timer('next-txn'), 'coord', over);
  let last = h(s, msg('p1', yes()), 'coord', over);
  for (const p of ['p2', 'p3']) last = h(s, msg(p, yes()), 'coord', over);
  return { s, last };
}
const report = (from: string, state: 'q' | 'w' | 'p' | 'a' | 'c', round = 1) =>
  msg(from, { type: 'StateReport', tid: 'T1', round, state });

function run(sc: ReturnType<typeof threePcCoordinatorCrash>, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs, 2_000_000);
  return sim;
}
const stateOf = (sim: Simulation, id: string) => sim.nodeState(id)?.state as ThreePcState;
const verdict = (sim: Simulation, id: string) => sim.invariants().find((v) => v.id === id);

describe('three-phase commit: the rules (Skeen 1981; Bernstein et al. §7.5)', () => {
  it('phase 1 as in 2PC: start-3PC logged, VOTE-REQ (CanCommit) to every participant, a vote timeout', () => {
    const s = coordinator();
    const out = h(s, timer('next-txn'), 'coord');
    expect(s.log.map((r) => r.type)).toEqual(['start-3pc']);
    expect(types(out)).toEqual(['p1:CanCommit', 'p2:CanCommit', 'p3:CanCommit']);
    expect(out.timers).toContainEqual({ name: 'votes:T1', afterUs: 100_000 });
  });

  it('a participant locks, forces YES, then votes and waits in w with a decision timeout', () => {
    const s = participant();
    expect(h(s, msg('coord', canCommit), 'p1').sent).toEqual([]);
    expect(s.txns.T1?.state).toBe('q');
    const out = h(s, timer('force:T1'), 'p1');
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'Yes', tid: 'T1', value: null } }]);
    expect(s.txns.T1?.state).toBe('w');
    expect(out.timers).toEqual([{ name: 'decide:T1', afterUs: 100_000 }]);
  });

  it('every YES: PRE-COMMIT to all and an ACK timeout, no COMMIT yet (phase 2)', () => {
    const { s, last } = allYes();
    expect(types(last)).toEqual(['p1:PreCommit', 'p2:PreCommit', 'p3:PreCommit']);
    expect(last.timers).toContainEqual({ name: 'acks:T1', afterUs: 200_000 });
    expect(s.log.map((r) => r.type)).toEqual(['start-3pc']);
    expect(s.txns.T1?.phase).toBe('p');
  });

  it('every ACK: force COMMIT, then DoCommit (phase 3); a missing ACK is ignored at the ACK timeout', () => {
    const { s } = allYes();
    for (const p of PARTS) h(s, msg(p, { type: 'Ack', tid: 'T1', of: 'precommit' }), 'coord');
    expect(s.forcing.map((r) => r.type)).toEqual(['commit']);
    const out = h(s, timer('force:T1'), 'coord', {}, 40_000);
    expect(types(out)).toEqual(['p1:DoCommit', 'p2:DoCommit', 'p3:DoCommit']);
    expect(s.stats.commitLatencyUs).toBe(40_000);
    const late = allYes().s;
    h(late, msg('p1', { type: 'Ack', tid: 'T1', of: 'precommit' }), 'coord');
    const timeout = h(late, timer('acks:T1'), 'coord');
    expect(late.forcing.map((r) => r.type)).toEqual(['commit']);
    expect(timeout.notes[0]).toContain('no ACK from p2, p3');
  });

  it('bugSkipPreCommit: every YES goes straight to forcing COMMIT, as in 2PC', () => {
    const { s, last } = allYes({ bugSkipPreCommit: true });
    expect(last.sent).toEqual([]);
    expect(s.forcing.map((r) => r.type)).toEqual(['commit']);
  });

  it('PRE-COMMIT moves w to p and is acknowledged; DoCommit forces COMMIT, applies, releases and acks', () => {
    const s = uncertain();
    const out = h(s, msg('coord', { type: 'PreCommit', tid: 'T1' }), 'p1');
    expect(s.txns.T1?.state).toBe('p');
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'Ack', tid: 'T1', of: 'precommit' } }]);
    h(s, msg('coord', { type: 'DoCommit', tid: 'T1' }), 'p1');
    const done = h(s, timer('force:T1'), 'p1');
    expect(s.data).toEqual({ k1: 'T1' });
    expect(s.locks).toEqual({});
    expect(done.sent).toEqual([{ to: 'coord', msg: { type: 'Ack', tid: 'T1', of: 'decision' } }]);
    expect(done.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', participants: PARTS }]);
  });

  it('the coordinator falls silent: the participant asks every other participant for its state', () => {
    const s = committable();
    const out = h(s, timer('decide:T1'), 'p1', {}, 7);
    expect(types(out)).toEqual(['p2:StateReq', 'p3:StateReq']);
    expect(out.timers).toContainEqual({ name: 'elect:T1', afterUs: 20_000 });
    expect(s.txns.T1?.blockedSinceUs).toBe(7);
    expect(s.txns.T1?.term?.states).toEqual({ p1: 'p' });
  });

  it('STATE-REQ is answered with the state; one that has not voted aborts first and says a', () => {
    const s = committable('p2');
    expect(h(s, msg('p1', { type: 'StateReq', tid: 'T1', round: 1 }), 'p2').sent).toEqual([
      { to: 'p1', msg: { type: 'StateReport', tid: 'T1', round: 1, state: 'p' } },
    ]);
    const voting = participant('p3');
    h(voting, msg('coord', canCommit), 'p3');
    const out = h(voting, msg('p1', { type: 'StateReq', tid: 'T1', round: 1 }), 'p3');
    expect(types(out)).toEqual(['coord:No', 'p1:StateReport']);
    expect((out.sent[1]!.msg as { state: string }).state).toBe('a');
    expect(voting.locks).toEqual({});
  });

  it('the lowest id answering is the new coordinator; the others wait for it', () => {
    const s = committable('p2');
    h(s, timer('decide:T1'), 'p2');
    h(s, report('p1', 'p'), 'p2');
    h(s, report('p3', 'p'), 'p2');
    expect(h(s, timer('elect:T1'), 'p2').sent).toEqual([]);
    expect(s.txns.T1?.term?.backup).toBe('p1');
    expect(s.txns.T1?.term?.phase).toBe('waiting');
  });

  it('TR3: every state uncertain, abort', () => {
    const s = uncertain();
    h(s, timer('decide:T1'), 'p1');
    h(s, report('p2', 'w'), 'p1');
    const out = h(s, timer('elect:T1'), 'p1');
    expect(types(out)).toEqual(['p2:Abort', 'p3:Abort']);
    expect(out.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'abort', participants: PARTS }]);
    expect(out.notes[0]).toContain('(TR3)');
  });

  it('TR4: some committable: PRE-COMMIT the uncertain ones, and commit once they acknowledge', () => {
    const s = uncertain();
    h(s, timer('decide:T1'), 'p1');
    h(s, report('p2', 'p'), 'p1');
    h(s, report('p3', 'w'), 'p1');
    const out = h(s, timer('elect:T1'), 'p1');
    expect(types(out)).toEqual(['p3:PreCommit']);
    expect(s.txns.T1?.state).toBe('p');
    const acked = h(s, msg('p3', { type: 'Ack', tid: 'T1', of: 'precommit' }), 'p1');
    expect(types(acked)).toEqual(['p2:DoCommit', 'p3:DoCommit']);
    expect(s.txns.T1?.state).toBe('c');
  });

  it('TR1 and TR2: an aborted state aborts, a committed one commits', () => {
    const a = committable();
    h(a, timer('decide:T1'), 'p1');
    h(a, report('p2', 'a'), 'p1');
    expect(types(h(a, timer('elect:T1'), 'p1'))).toEqual(['p2:Abort', 'p3:Abort']);
    const c = uncertain();
    h(c, timer('decide:T1'), 'p1');
    h(c, report('p3', 'c'), 'p1');
    expect(types(h(c, timer('elect:T1'), 'p1'))).toEqual(['p2:DoCommit', 'p3:DoCommit']);
  });

  it('bugTerminationIgnoresPrecommit: committable states are ignored and the backup aborts', () => {
    const bug = { bugTerminationIgnoresPrecommit: true };
    const s = committable();
    h(s, timer('decide:T1'), 'p1', bug);
    h(s, report('p2', 'p'), 'p1', bug);
    const out = h(s, timer('elect:T1'), 'p1', bug);
    expect(types(out)).toEqual(['p2:Abort', 'p3:Abort']);
    expect(out.notes[0]).toContain('bugTerminationIgnoresPrecommit');
  });

  it('bugSkipPreCommit: all uncertain may not abort: blocked, holding the lock', () => {
    const bug = { bugSkipPreCommit: true };
    const s = uncertain('p1', bug);
    h(s, timer('decide:T1'), 'p1', bug);
    h(s, report('p2', 'w'), 'p1', bug);
    const out = h(s, timer('elect:T1'), 'p1', bug);
    expect(out.sent).toEqual([]);
    expect(s.locks).toEqual({ k1: 'T1' });
    expect(threePhaseCommit.summary(s, true)).toEqual({ text: 'blocked (holding locks)', tone: 'bad' });
  });

  it('recovery: a participant with YES and no decision locks again and asks everyone, and answers no STATE-REQ', () => {
    const s = committable();
    const restarted = {
      ...participant(),
      log: s.log,
      lockSpans: s.lockSpans,
      audit: s.audit,
      stats: s.stats,
    };
    h(restarted, { kind: 'restart' }, 'p1');
    expect(restarted.locks).toEqual({ k1: 'T1' });
    expect(restarted.txns.T1?.state).toBe('w');
    expect(types(h(restarted, timer('decide:T1'), 'p1'))).toEqual([
      'coord:DecisionRequest',
      'p2:DecisionRequest',
      'p3:DecisionRequest',
    ]);
    expect(h(restarted, msg('p2', { type: 'StateReq', tid: 'T1', round: 1 }), 'p1').sent).toEqual([]);
  });

  it('a recovery question to a participant that has not voted YES: it aborts on its own and answers ABORT', () => {
    const never = participant('p3');
    const out = h(never, msg('p2', { type: 'DecisionRequest', tid: 'T1' }), 'p3');
    expect(out.sent).toEqual([{ to: 'p2', msg: { type: 'Abort', tid: 'T1' } }]);
    expect(never.log.map((r) => `${r.tid}:${r.type}`)).toEqual(['T1:abort']);
    const forcing = participant('p3');
    h(forcing, msg('coord', canCommit), 'p3');
    expect(types(h(forcing, msg('p2', { type: 'DecisionRequest', tid: 'T1' }), 'p3'))).toEqual([
      'coord:No',
      'p2:Abort',
    ]);
    expect(forcing.locks).toEqual({});
    // One that voted YES does not answer: its own termination protocol decides.
    expect(h(uncertain('p3'), msg('p2', { type: 'DecisionRequest', tid: 'T1' }), 'p3').sent).toEqual([]);
  });

  it('recovery: a coordinator with no decision asks, and takes the participants’ decision', () => {
    const { s } = allYes();
    const restarted = { ...coordinator(), log: s.log, nextTxn: s.nextTxn, stats: s.stats, audit: s.audit };
    const out = h(restarted, { kind: 'restart' }, 'coord');
    expect(types(out)).toEqual(['p1:DecisionRequest', 'p2:DecisionRequest', 'p3:DecisionRequest']);
    const learnt = h(restarted, msg('p2', { type: 'DoCommit', tid: 'T1' }), 'coord');
    expect(restarted.log.map((r) => r.type)).toEqual(['start-3pc', 'commit']);
    expect(learnt.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'commit', participants: PARTS }]);
  });
});

describe('three-phase commit: the nonblocking check', () => {
  const live = threePhaseCommit.liveness!.find((l) => l.id === 'every-transaction-decided')!;
  const view = (parts: ParticipantState[]) => ({
    nodes: [
      { id: 'coord', role: 'coordinator', up: false, state: coordinator() as ThreePcState },
      ...parts.map((state, k) => ({
        id: `p${k + 1}`,
        role: 'participant',
        up: true,
        state: state as ThreePcState,
      })),
    ],
    nowUs: 2_000_000,
  });
  it('fires when a participant that never crashed holds a transaction undecided past settleMs', () => {
    const msg = live.check(view([uncertain('p1'), uncertain('p2'), uncertain('p3')]) as never, params());
    expect(msg).toMatch(/p1 has held T1 undecided \(state w/);
  });
  it('exempts a total failure: every participant up recovered without a decision (Skeen §3)', () => {
    const recovered = () => {
      const s = uncertain();
      s.txns.T1!.recovered = true;
      return s;
    };
    expect(live.check(view([recovered(), recovered(), recovered()]) as never, params())).toBeNull();
    expect(live.check(view([recovered(), uncertain('p2'), recovered()]) as never, params())).toMatch(
      /T1 undecided/,
    );
  });
});

describe('three-phase commit: what the lesson claims, over seeds 1-20', () => {
  it('the coordinator crashes after every YES: the participants commit T2 without it, and nothing blocks', () => {
    for (const seed of SEEDS) {
      const sim = run(threePcCoordinatorCrash(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      for (const p of PARTS)
        expect((stateOf(sim, p) as ParticipantState).audit.decisions.T2, `seed=${seed} ${p}`).toBe('commit');
      expect((stateOf(sim, 'coord') as CoordinatorState).audit.decisions.T2, `seed=${seed}`).toBe('commit');
      expect(verdict(sim, 'every-transaction-decided')?.ok, `seed=${seed}`).toBe(true);
      expect(seriesLast(sim, 'commitsTermination'), `seed=${seed}`).toBe(1);
      // Each participant waited only for the termination protocol: well under 100 ms.
      expect(seriesLast(sim, 'timeBlockedMs'), `seed=${seed}`).toBeLessThan(100);
    }
  });

  it('the same faults on the same topology block two-phase commit until the coordinator returns', () => {
    const sim2 = run(twoPcBlocking(), 1);
    const sim3 = run(threePcCoordinatorCrash(), 1);
    expect(seriesLast(sim2, 'timeBlockedMs')).toBeGreaterThan(10 * seriesLast(sim3, 'timeBlockedMs'));
    expect(sim3.scenario.topology).toEqual(sim2.scenario.topology);
    expect(sim3.scenario.faults).toEqual(sim2.scenario.faults);
  });

  it('a partition after the votes and before PRE-COMMIT: one side commits, the other aborts (atomicity)', () => {
    for (const seed of SEEDS) {
      const sim = run(threePcPartitionSplit(), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('atomicity');
      expect(sim.violation?.message, `seed=${seed}`).toMatch(/T2 committed at p1 but aborted at p[23]/);
    }
  });

  it('a partition before T2 begins splits nothing: both sides abort it', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(threePcPartitionSplit({}, 250_000), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('a participant crashes between its YES and its ACK: the others commit by termination, as the coordinator does', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = run(threePcParticipantCrash(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      for (const id of ['coord', ...PARTS])
        expect((stateOf(sim, id) as ParticipantState).audit.decisions.T2, `seed=${seed} ${id}`).toBe(
          'commit',
        );
    }
  });

  it('clients: every check holds, the history included', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(threePcClients(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability')?.ok, `seed=${seed}`).toBe(true);
    }
  });
});

describe('three-phase commit: each bug switch is caught', () => {
  it('bugSkipPreCommit blocks the participants: the nonblocking liveness check fails, seeds 1-20', () => {
    for (const seed of SEEDS) {
      const sim = run(threePcCoordinatorCrash({ bugSkipPreCommit: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('every-transaction-decided');
    }
  });

  it('bugTerminationIgnoresPrecommit aborts what the coordinator commits: atomicity, seeds 1-20', () => {
    for (const seed of SEEDS) {
      const sim = run(threePcParticipantCrash({ bugTerminationIgnoresPrecommit: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('atomicity');
    }
  });
});

describe('three-phase commit: the Locks tab', () => {
  it('after the crash the participants’ T2 locks go w, p, termination, COMMIT, and the coordinator row shows it down', () => {
    const sim = new Simulation(threePcCoordinatorCrash(), { seed: 1 });
    sim.runUntil(1_000_000);
    const nodes = ['coord', ...PARTS].map((id) => ({
      id,
      role: NODES[id as keyof typeof NODES],
      up: id !== 'coord',
      state: stateOf(sim, id),
    }));
    const data = threePcLocksView.read(nodes as never, params(), null);
    expect(data?.kind).toBe('timeline');
    if (data?.kind !== 'timeline') return;
    const t2 = data.bars.filter((b) => b.row === 'p1' && b.label.startsWith('T2'));
    expect(t2.map((b) => b.tone)).toEqual(['info', 'warn', 'good', 'bad', 'good']);
    const red = t2[3]!;
    expect(red.endUs! - red.startUs).toBeLessThan(50_000);
    expect(data.bars.some((b) => b.row === 'coord' && b.label === 'down' && b.endUs === null)).toBe(true);
  });
});
