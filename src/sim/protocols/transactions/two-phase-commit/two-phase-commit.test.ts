import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../../shared/scenario/schema';
import { registerProtocol } from '../../../catalog';
import '../../../checkers/builtin';
import { Simulation } from '../../../simulation';
import { seriesLast, seriesMean } from '../../../test/summary';
import { handle, type RecorderWorld } from '../../../toolkit/recorder';
import {
  type CoordinatorState,
  type ParticipantState,
  type TwoPcMsg,
  type TwoPcState,
  type TwoPhaseCommitParams,
  twoPcAskTheOthers,
  twoPcBlocking,
  twoPcClients,
  twoPcForgetLog,
  twoPhaseCommit,
} from '.';

registerProtocol(twoPhaseCommit);

const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
const NODES = { coord: 'coordinator', p1: 'participant', p2: 'participant', p3: 'participant' };
const PARTS = ['p1', 'p2', 'p3'];
const params = (over: Partial<TwoPhaseCommitParams> = {}) => twoPhaseCommit.params.parse(over);
const world = (
  self: string,
  over: Partial<TwoPhaseCommitParams> = {},
  nowUs = 0,
): RecorderWorld<TwoPhaseCommitParams> => ({
  self,
  nodes: NODES,
  params: params(over),
  nowUs,
});
const coordinator = (over: Partial<TwoPhaseCommitParams> = {}) =>
  twoPhaseCommit.init({
    id: 'coord',
    role: 'coordinator',
    params: params(over),
    nodes: Object.keys(NODES),
  }) as CoordinatorState;
const participant = (id = 'p1') =>
  twoPhaseCommit.init({
    id,
    role: 'participant',
    params: params(),
    nodes: Object.keys(NODES),
  }) as ParticipantState;
const msg = (from: string, m: TwoPcMsg) => ({ kind: 'message' as const, from, msg: m });
const timer = (name: string) => ({ kind: 'timer' as const, name });
const write = { kind: 'write' as const, key: 'k1', value: 'T1' };
const prepare: TwoPcMsg = { type: 'Prepare', tid: 'T1', op: write, participants: PARTS };
const types = (out: { sent: { to: string; msg: TwoPcMsg }[] }) =>
  out.sent.map((s) => `${s.to}:${s.msg.type}`);

/** A participant that has voted YES on T1 (its YES record on disk). */
function uncertainParticipant(id = 'p1'): ParticipantState {
  const s = participant(id);
  handle(twoPhaseCommit, s, msg('coord', prepare), world(id));
  handle(twoPhaseCommit, s, timer('force:T1'), world(id));
  return s;
}

/** A coordinator that has sent T1's VOTE-REQ. */
function collecting(over: Partial<TwoPhaseCommitParams> = {}): CoordinatorState {
  const s = coordinator(over);
  handle(twoPhaseCommit, s, timer('next-txn'), world('coord', over));
  return s;
}

/** A node's state at the end of a run. */
const stateOf = (sim: Simulation, id: string) => sim.nodeState(id)?.state as TwoPcState;

function run(sc: ReturnType<typeof twoPcBlocking>, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs, 2_000_000);
  return sim;
}

describe('two-phase commit: the rules (Bernstein et al. §7.4)', () => {
  it('phase 1: the coordinator writes start-2PC, sends VOTE-REQ to every participant and waits for the votes', () => {
    const s = coordinator();
    const out = handle(twoPhaseCommit, s, timer('next-txn'), world('coord'));
    expect(s.log).toEqual([
      { tid: 'T1', type: 'start-2pc', participants: PARTS, coordinator: 'coord', op: write },
    ]);
    expect(types(out)).toEqual(['p1:Prepare', 'p2:Prepare', 'p3:Prepare']);
    expect(out.timers).toContainEqual({ name: 'votes:T1', afterUs: 100_000 });
    expect(out.timers).toContainEqual({ name: 'next-txn', afterUs: 150_000 });
  });

  it('a participant locks, forces its YES record, and only then votes YES', () => {
    const s = participant();
    const first = handle(twoPhaseCommit, s, msg('coord', prepare), world('p1'));
    expect(first.sent).toEqual([]);
    expect(s.locks).toEqual({ k1: 'T1' });
    expect(s.log).toEqual([]);
    expect(first.timers).toEqual([{ name: 'force:T1', afterUs: 10_000 }]);
    const out = handle(twoPhaseCommit, s, timer('force:T1'), world('p1'));
    expect(s.log.map((r) => r.type)).toEqual(['yes']);
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'VoteYes', tid: 'T1', value: null } }]);
    expect(out.timers).toEqual([{ name: 'decide:T1', afterUs: 100_000 }]);
    expect(s.txns.T1?.phase).toBe('uncertain');
  });

  it('a participant votes NO on a locked key, and one that votes NO aborts at once', () => {
    const s = uncertainParticipant();
    const out = handle(twoPhaseCommit, s, msg('coord', { ...prepare, tid: 'T2' } as TwoPcMsg), world('p1'));
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'VoteNo', tid: 'T2', cause: 'lock-conflict' } }]);
    expect(s.locks).toEqual({ k1: 'T1' });
    expect(s.log.map((r) => `${r.tid}:${r.type}`)).toEqual(['T1:yes', 'T2:abort']);
    expect(out.events).toEqual([{ type: 'decided', tid: 'T2', outcome: 'abort', participants: PARTS }]);
  });

  it('a scripted NO (noVotes "T1@p2") is voted without locking', () => {
    const s = participant('p2');
    const out = handle(twoPhaseCommit, s, msg('coord', prepare), world('p2', { noVotes: ['T1@p2'] }));
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'VoteNo', tid: 'T1', cause: 'scripted' } }]);
    expect(s.locks).toEqual({});
  });

  it('COMMIT only once every vote is YES, and only after the COMMIT record is on disk', () => {
    const s = collecting();
    expect(
      handle(twoPhaseCommit, s, msg('p1', { type: 'VoteYes', tid: 'T1', value: null }), world('coord'))
        .timers,
    ).toEqual([]);
    handle(twoPhaseCommit, s, msg('p2', { type: 'VoteYes', tid: 'T1', value: null }), world('coord'));
    const last = handle(
      twoPhaseCommit,
      s,
      msg('p3', { type: 'VoteYes', tid: 'T1', value: null }),
      world('coord'),
    );
    expect(last.sent).toEqual([]);
    expect(last.timers).toContainEqual({ name: 'force:T1', afterUs: 10_000 });
    expect(s.log.some((r) => r.type === 'commit')).toBe(false);
    const out = handle(twoPhaseCommit, s, timer('force:T1'), world('coord', {}, 30_000));
    expect(s.log.map((r) => r.type)).toEqual(['start-2pc', 'commit']);
    expect(types(out)).toEqual(['p1:Commit', 'p2:Commit', 'p3:Commit']);
    expect(s.stats.committed).toBe(1);
    expect(s.stats.commitLatencyUs).toBe(30_000);
  });

  it('bugCommitBeforeAllVotes: the first YES starts the COMMIT', () => {
    const s = collecting({ bugCommitBeforeAllVotes: true });
    const out = handle(
      twoPhaseCommit,
      s,
      msg('p1', { type: 'VoteYes', tid: 'T1', value: null }),
      world('coord', { bugCommitBeforeAllVotes: true }),
    );
    expect(out.timers).toContainEqual({ name: 'force:T1', afterUs: 10_000 });
  });

  it('one NO aborts: ABORT to everyone who did not vote NO, counted by cause', () => {
    const s = collecting();
    handle(twoPhaseCommit, s, msg('p1', { type: 'VoteYes', tid: 'T1', value: null }), world('coord'));
    const out = handle(
      twoPhaseCommit,
      s,
      msg('p2', { type: 'VoteNo', tid: 'T1', cause: 'chose-no' }),
      world('coord'),
    );
    expect(types(out)).toEqual(['p1:Abort', 'p3:Abort']);
    expect(s.log.map((r) => r.type)).toEqual(['start-2pc', 'abort']);
    expect(s.stats.aborts['vote-no']).toBe(1);
    expect(out.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'abort', participants: PARTS }]);
  });

  it('a vote that never comes: the coordinator aborts when its vote timeout fires', () => {
    const s = collecting();
    const out = handle(twoPhaseCommit, s, timer('votes:T1'), world('coord'));
    expect(types(out)).toEqual(['p1:Abort', 'p2:Abort', 'p3:Abort']);
    expect(s.stats.aborts['vote-timeout']).toBe(1);
  });

  it('the coordinator re-sends its decision until every participant acknowledges, then writes END', () => {
    const s = collecting();
    for (const p of PARTS)
      handle(twoPhaseCommit, s, msg(p, { type: 'VoteYes', tid: 'T1', value: null }), world('coord'));
    handle(twoPhaseCommit, s, timer('force:T1'), world('coord'));
    handle(twoPhaseCommit, s, msg('p1', { type: 'Ack', tid: 'T1' }), world('coord'));
    expect(types(handle(twoPhaseCommit, s, timer('resend:T1'), world('coord')))).toEqual([
      'p2:Commit',
      'p3:Commit',
    ]);
    handle(twoPhaseCommit, s, msg('p2', { type: 'Ack', tid: 'T1' }), world('coord'));
    handle(twoPhaseCommit, s, msg('p3', { type: 'Ack', tid: 'T1' }), world('coord'));
    expect(s.log.map((r) => r.type)).toEqual(['start-2pc', 'commit', 'end']);
    expect(s.txns).toEqual({});
  });

  it("an idle participant's badge counts the keys it holds in words that agree", () => {
    const s = participant();
    expect(twoPhaseCommit.summary(s, true).text).toBe('idle · 0 keys');
    s.data.k1 = 'T1';
    expect(twoPhaseCommit.summary(s, true).text).toBe('idle · 1 key');
    s.data.k2 = 'T2';
    expect(twoPhaseCommit.summary(s, true).text).toBe('idle · 2 keys');
  });

  it('an uncertain participant asks the coordinator and, cooperatively, every other participant', () => {
    const s = uncertainParticipant();
    expect(types(handle(twoPhaseCommit, s, timer('decide:T1'), world('p1', {}, 5)))).toEqual([
      'coord:DecisionRequest',
      'p2:DecisionRequest',
      'p3:DecisionRequest',
    ]);
    expect(s.txns.T1?.blockedSinceUs).toBe(5);
    expect(twoPhaseCommit.summary(s, true)).toEqual({ text: 'blocked (holding locks)', tone: 'bad' });
    const alone = uncertainParticipant();
    const out = handle(
      twoPhaseCommit,
      alone,
      timer('decide:T1'),
      world('p1', { termination: 'coordinator-only' }),
    );
    expect(types(out)).toEqual(['coord:DecisionRequest']);
  });

  it('termination: uncertain answers Uncertain, a decided one the decision, one that has not voted aborts', () => {
    const unsure = uncertainParticipant('p2');
    expect(
      types(handle(twoPhaseCommit, unsure, msg('p1', { type: 'DecisionRequest', tid: 'T1' }), world('p2'))),
    ).toEqual(['p1:Uncertain']);
    handle(twoPhaseCommit, unsure, msg('coord', { type: 'Abort', tid: 'T1' }), world('p2'));
    expect(
      types(handle(twoPhaseCommit, unsure, msg('p1', { type: 'DecisionRequest', tid: 'T1' }), world('p2'))),
    ).toEqual(['p1:Abort']);
    // p3 is still forcing its YES record: it has not voted, so it may abort, and tells the coordinator too.
    const voting = participant('p3');
    handle(twoPhaseCommit, voting, msg('coord', prepare), world('p3'));
    const out = handle(
      twoPhaseCommit,
      voting,
      msg('p1', { type: 'DecisionRequest', tid: 'T1' }),
      world('p3'),
    );
    expect(out.sent).toEqual([
      { to: 'p1', msg: { type: 'Abort', tid: 'T1' } },
      { to: 'coord', msg: { type: 'VoteNo', tid: 'T1', cause: 'termination' } },
    ]);
    expect(voting.locks).toEqual({});
    // Its YES record never reaches the disk, and a later VOTE-REQ is answered NO.
    expect(handle(twoPhaseCommit, voting, timer('force:T1'), world('p3')).sent).toEqual([]);
    expect(voting.audit.votes.T1).toBe('no');
  });

  it('a participant that learns COMMIT forces it, then applies the write, releases the lock and acknowledges', () => {
    const s = uncertainParticipant();
    expect(handle(twoPhaseCommit, s, msg('p2', { type: 'Commit', tid: 'T1' }), world('p1')).sent).toEqual([]);
    const out = handle(twoPhaseCommit, s, timer('force:T1'), world('p1'));
    expect(s.data).toEqual({ k1: 'T1' });
    expect(s.locks).toEqual({});
    expect(out.sent).toEqual([{ to: 'coord', msg: { type: 'Ack', tid: 'T1' } }]);
  });

  it('recovery: the coordinator aborts what it had not decided and re-sends what it had', () => {
    const s = collecting();
    handle(twoPhaseCommit, s, timer('next-txn'), world('coord')); // T2
    for (const p of PARTS)
      handle(twoPhaseCommit, s, msg(p, { type: 'VoteYes', tid: 'T1', value: null }), world('coord'));
    handle(twoPhaseCommit, s, timer('force:T1'), world('coord'));
    // Crash: only the durable fields remain, over a fresh state.
    const after = { ...coordinator(), log: [...s.log], nextTxn: s.nextTxn, stats: s.stats, audit: s.audit };
    const out = handle(twoPhaseCommit, after, { kind: 'restart' }, world('coord'));
    expect(types(out)).toEqual(['p1:Commit', 'p2:Commit', 'p3:Commit', 'p1:Abort', 'p2:Abort', 'p3:Abort']);
    expect(after.stats.aborts.recovery).toBe(1);
    expect(after.txns.T1?.phase).toBe('committed');
  });

  it('recovery: an uncertain participant locks again and asks at once; bugForgetLogOnRestart forgets it voted', () => {
    const s = uncertainParticipant();
    const fresh = () => ({ ...participant(), log: [...s.log], data: s.data, stats: s.stats, audit: s.audit });
    const back = fresh();
    const out = handle(twoPhaseCommit, back, { kind: 'restart' }, world('p1'));
    expect(back.locks).toEqual({ k1: 'T1' });
    expect(out.timers).toEqual([{ name: 'decide:T1', afterUs: 0 }]);
    const forgot = fresh();
    handle(twoPhaseCommit, forgot, { kind: 'restart' }, world('p1', { bugForgetLogOnRestart: true }));
    expect(forgot.log).toEqual([]);
    expect(forgot.locks).toEqual({});
    // The COMMIT then finds no record: it aborts here, which the atomicity checker sees.
    const out2 = handle(twoPhaseCommit, forgot, msg('coord', { type: 'Commit', tid: 'T1' }), world('p1'));
    expect(out2.events).toEqual([{ type: 'decided', tid: 'T1', outcome: 'abort', participants: PARTS }]);
  });
});

describe('two-phase commit: the invariants fire', () => {
  const check = (
    id: string,
    nodes: { id: string; role: string; state: TwoPcState }[],
    events: object[] = [],
  ) => {
    const view = nodes.map((n) => ({ ...n, up: true }));
    const inv = twoPhaseCommit.invariants.find((i) => i.id === id)!;
    return inv.check({ nodes: view, changed: view[0]!, nowUs: 0, events: events as never });
  };

  it('locks-only-undecided: a lock kept after its transaction is decided', () => {
    const s = uncertainParticipant();
    expect(check('locks-only-undecided', [{ id: 'p1', role: 'participant', state: s }])).toBeNull();
    delete s.txns.T1;
    expect(check('locks-only-undecided', [{ id: 'p1', role: 'participant', state: s }])).toBe(
      'p1 holds the lock on k1 for T1, which it has finished',
    );
  });

  it('validity: a COMMIT while a participant has not voted YES', () => {
    const c = coordinator();
    const p1 = uncertainParticipant('p1');
    const p2 = participant('p2');
    const commit = { type: 'decided', tid: 'T1', outcome: 'commit', participants: ['p1', 'p2'] };
    const nodes = [
      { id: 'coord', role: 'coordinator', state: c },
      { id: 'p1', role: 'participant', state: p1 },
      { id: 'p2', role: 'participant', state: p2 },
    ];
    expect(check('validity', nodes, [commit])).toBe('T1 committed at coord but p2 has not voted YES');
    p2.audit.votes.T1 = 'yes';
    expect(check('validity', nodes, [commit])).toBeNull();
  });
});

describe('two-phase commit: the blocking case, seeds 1-20', () => {
  it('the coordinator crashes after every YES: participants hold their locks, blocked, until it returns', () => {
    for (const seed of SEEDS) {
      const sim = run(twoPcBlocking(), seed);
      const at = `seed=${seed}`;
      expect(sim.violation, at).toBeNull();
      // T2's lock on k2 at each of the three participants, from about 315 ms to 1.2 s.
      expect(seriesMean(sim, 'locksHeld', 400_000, 1_200_000), at).toBe(3);
      expect(seriesMean(sim, 'blockedTxns', 500_000, 1_200_000), at).toBe(3);
      // After the restart the locks are held only while a transaction is under way.
      expect(seriesMean(sim, 'locksHeld', 1_300_000), at).toBeLessThan(1);
      expect(seriesLast(sim, 'blockedTxns'), at).toBe(0);
      // Each participant was blocked from its first decision request (~415 ms) to the ABORT (~1.205 s).
      expect(seriesLast(sim, 'timeBlockedMs'), at).toBeGreaterThan(3 * 780);
      expect(seriesLast(sim, 'timeBlockedMs'), at).toBeLessThan(3 * 800);
      expect(seriesLast(sim, 'abortsRecovery'), at).toBe(1);
      // Once the coordinator is back, every transaction is decided everywhere (AC5), checked.
      expect(sim.invariants().find((v) => v.id === 'every-transaction-decided')?.ok, at).toBe(true);
      expect(seriesLast(sim, 'commits'), at).toBeGreaterThanOrEqual(3); // T1, then T3 and T4 after the restart
      for (const id of ['coord', ...PARTS]) {
        const st = stateOf(sim, id);
        if (st.kind !== 'client') expect(st.audit.decisions.T2, `${at} ${id}`).toBe('abort');
      }
    }
  });

  it('crashed after its COMMIT record is on disk, the coordinator re-sends COMMIT on restart', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sc = twoPcBlocking();
      // Crash at 332 ms and block the COMMITs on the way: cut the coordinator off first.
      const late = ScenarioSchema.parse({
        ...sc,
        faults: [
          { atUs: 326_000, fault: { kind: 'partition', id: 'cut', groups: [['coord'], PARTS] } },
          { atUs: 336_000, fault: { kind: 'crash', node: 'coord' } },
          { atUs: 400_000, fault: { kind: 'heal', id: 'cut' } },
          { atUs: 1_200_000, fault: { kind: 'restart', node: 'coord' } },
        ],
      });
      const sim = run(late, seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const notes = sim
        .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1e6)
        .filter((r) => r.kind === 'note');
      expect(
        notes.some((r) => r.detail === 'T2: commit found in the log; re-sent'),
        `seed=${seed}`,
      ).toBe(true);
      const p1 = stateOf(sim, 'p1') as ParticipantState;
      expect(p1.audit.decisions.T2, `seed=${seed}`).toBe('commit');
    }
  });

  it('cooperative termination decides without the coordinator when someone knows; coordinator-only blocks', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const alone = run(twoPcAskTheOthers(), seed);
      const asked = run(twoPcAskTheOthers({ termination: 'cooperative' }), seed);
      expect(alone.violation ?? asked.violation, `seed=${seed}`).toBeNull();
      expect(seriesLast(alone, 'timeBlockedMs'), `seed=${seed}`).toBeGreaterThan(2000);
      expect(seriesLast(asked, 'timeBlockedMs'), `seed=${seed}`).toBeLessThan(50);
    }
  });
});

describe('two-phase commit: clients, checks and bug switches', () => {
  it('clients with NO votes and a participant crash: every check holds and the history is linearizable', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = run(twoPcClients(), seed);
      const at = `seed=${seed}`;
      expect(sim.violation, at).toBeNull();
      const verdicts = sim.invariants();
      for (const id of ['linearizability', 'every-transaction-decided', 'client-ops-answered'])
        expect(verdicts.find((v) => v.id === id)?.ok, `${at} ${id}`).toBe(true);
      expect(seriesLast(sim, 'commits'), at).toBeGreaterThan(20);
      expect(seriesLast(sim, 'abortsVoteNo'), at).toBeGreaterThan(0);
      expect(seriesLast(sim, 'abortsVoteTimeout') + seriesLast(sim, 'abortsTermination'), at).toBeGreaterThan(
        0,
      );
    }
  });

  it('under the nemesis (crashes, partitions, loss bursts until 1.5 s) every check holds, liveness included', () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const sc = twoPcClients({ settleMs: 1000 });
      const sim = run(
        ScenarioSchema.parse({
          ...sc,
          workload: { ...sc.workload, stopUs: 5_000_000 },
          nemesis: {
            enabled: true,
            crashRatePerS: 3,
            meanDowntimeUs: 200_000,
            partitionRatePerS: 2,
            meanPartitionUs: 200_000,
            lossRatePerS: 2,
            stopUs: 1_500_000,
          },
          limits: { maxTimeUs: 6_000_000 },
        }),
        seed,
      );
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const verdicts = sim.invariants();
      expect(verdicts.find((v) => v.id === 'linearizability')?.ok, `seed=${seed}`).toBe(true);
      if (verdicts.find((v) => v.id === 'every-transaction-decided')?.ok === true) checked++;
    }
    expect(checked).toBeGreaterThan(SEEDS.length / 2);
  });

  it('every-transaction-decided fires when a transaction stays undecided after the faults stop', () => {
    // p3 is cut off for good and the coordinator waits a minute for its vote.
    const sc = twoPcBlocking({ voteTimeoutMs: 60_000, settleMs: 500 });
    const stuck = ScenarioSchema.parse({
      ...sc,
      faults: [
        { atUs: 100_000, fault: { kind: 'partition', id: 'cut', groups: [['p3'], ['coord', 'p1', 'p2']] } },
      ],
    });
    const sim = run(stuck, 1);
    expect(sim.violation?.invariant).toBe('every-transaction-decided');
  });

  it('bugCommitBeforeAllVotes is caught (validity or atomicity) with NO votes about', () => {
    let caught = 0;
    for (const seed of SEEDS) {
      const sim = run(twoPcClients({ bugCommitBeforeAllVotes: true }), seed);
      if (sim.violation !== null) {
        expect(['validity', 'atomicity']).toContain(sim.violation.invariant);
        caught++;
      }
    }
    expect(caught).toBe(SEEDS.length);
  });

  it('bugForgetLogOnRestart: a participant that forgets its YES breaks atomicity; with its log it does not', () => {
    for (const seed of SEEDS) {
      const broken = run(twoPcForgetLog({}, 318_000), seed);
      expect(broken.violation?.invariant, `seed=${seed}`).toBe('atomicity');
      expect(
        run(twoPcForgetLog({ bugForgetLogOnRestart: false }, 318_000), seed).violation,
        `seed=${seed}`,
      ).toBeNull();
    }
  });

  it('bugForgetLogOnRestart: a coordinator that forgets its COMMIT reverses it (durability)', () => {
    const sc = twoPcBlocking({ bugForgetLogOnRestart: true });
    // Every COMMIT is lost on the cut; the participants, still uncertain, ask the restarted coordinator.
    const sim = run(
      ScenarioSchema.parse({
        ...sc,
        faults: [
          { atUs: 326_000, fault: { kind: 'partition', id: 'cut', groups: [['coord'], PARTS] } },
          { atUs: 336_000, fault: { kind: 'crash', node: 'coord' } },
          { atUs: 400_000, fault: { kind: 'heal', id: 'cut' } },
          { atUs: 600_000, fault: { kind: 'restart', node: 'coord' } },
        ],
      }),
      1,
    );
    expect(sim.violation?.invariant).toBe('durability');
    expect(sim.violation?.message).toBe('coord committed T2 before, and aborted it now');
  });
});
