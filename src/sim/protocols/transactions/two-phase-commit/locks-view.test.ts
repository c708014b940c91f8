import { describe, expect, it } from 'vitest';
import { type TimelineViewData, TimelineViewSchema } from '../../../../shared/api/views';
import type { Scenario } from '../../../../shared/scenario/schema';
import { registerProtocol } from '../../../catalog';
import '../../../checkers/builtin';
import { Simulation } from '../../../simulation';
import { handle, type RecorderWorld } from '../../../toolkit/recorder';
import {
  LOCK_SPANS_KEPT,
  locksView,
  type ParticipantState,
  type TwoPcMsg,
  type TwoPhaseCommitParams,
  twoPcBlocking,
  twoPcClients,
  twoPhaseCommit,
} from '.';

registerProtocol(twoPhaseCommit);

const NODES = { coord: 'coordinator', p1: 'participant', p2: 'participant', p3: 'participant' };
const PARTS = ['p1', 'p2', 'p3'];
const params = (over: Partial<TwoPhaseCommitParams> = {}) => twoPhaseCommit.params.parse(over);
const world = (
  nowUs: number,
  over: Partial<TwoPhaseCommitParams> = {},
): RecorderWorld<TwoPhaseCommitParams> => ({
  self: 'p1',
  nodes: NODES,
  params: params(over),
  nowUs,
});
const participant = () =>
  twoPhaseCommit.init({
    id: 'p1',
    role: 'participant',
    params: params(),
    nodes: Object.keys(NODES),
  }) as ParticipantState;
const prepare = (tid: string, key = 'k1'): TwoPcMsg => ({
  type: 'Prepare',
  tid,
  op: { kind: 'write', key, value: tid },
  participants: PARTS,
});
const msg = (m: TwoPcMsg) => ({ kind: 'message' as const, from: 'coord', msg: m });
const timer = (name: string) => ({ kind: 'timer' as const, name });

/** What the kernel does to a crashed node and back: its durable fields over a fresh state, then `restart`. */
function crashAndRestart(s: ParticipantState, atUs: number, over: Partial<TwoPhaseCommitParams> = {}) {
  const kept: Record<string, unknown> = {};
  for (const f of twoPhaseCommit.durable) if (f in s) kept[f] = (s as unknown as Record<string, unknown>)[f];
  const back = { ...participant(), ...kept } as ParticipantState;
  handle(twoPhaseCommit, back, { kind: 'restart' }, world(atUs, over));
  return back;
}

/** The view read from a run's nodes now, checked against the API's schema. */
function viewOf(sim: Simulation): TimelineViewData {
  const nodes = sim.nodeStates().map((n) => ({ id: n.id, role: n.role, up: n.up, state: n.state }));
  const read = locksView.read(nodes as never, params(), null);
  const data = TimelineViewSchema.parse(read);
  expect(data).toEqual(read);
  return data;
}
const barsOf = (d: TimelineViewData, row: string, tid: string) =>
  d.bars.filter((b) => b.row === row && b.label.startsWith(`${tid} `));

function runTo(sc: Scenario, seed: number, us: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(us, 2_000_000);
  return sim;
}

describe('two-phase commit Locks view (a timeline)', () => {
  it('is declared as a timeline tab of the protocol', () => {
    expect(twoPhaseCommit.views?.map((v) => [v.id, v.title, v.kind])).toEqual([
      ['locks', 'Locks', 'timeline'],
    ]);
  });

  it('a lock span goes locked -> YES -> blocked -> released, in the tones the legend names', () => {
    const s = participant();
    handle(twoPhaseCommit, s, msg(prepare('T1')), world(1_000));
    handle(twoPhaseCommit, s, timer('force:T1'), world(11_000));
    handle(twoPhaseCommit, s, timer('decide:T1'), world(111_000));
    handle(twoPhaseCommit, s, msg({ type: 'Abort', tid: 'T1' }), world(900_000));
    expect(s.lockSpans).toEqual([
      {
        tid: 'T1',
        key: 'k1',
        lockedUs: 1_000,
        yesUs: 11_000,
        blockedUs: 111_000,
        decidedUs: 900_000,
        endUs: 900_000,
        outcome: 'abort',
      },
    ]);
    const view = locksView.read([{ id: 'p1', role: 'participant', up: true, state: s }], params(), null)!;
    expect(view.kind).toBe('timeline');
    const bars = (view as TimelineViewData).bars.map((b) => [b.startUs, b.endUs, b.tone, b.label]);
    expect(bars).toEqual([
      [1_000, 11_000, 'info', 'T1 k1'],
      [11_000, 111_000, 'warn', 'T1 k1 YES'],
      [111_000, 900_000, 'bad', 'T1 k1 blocked'],
    ]);
  });

  it('a YES on disk keeps the lock span open through a crash; a lock not yet voted on is lost with it', () => {
    const s = participant();
    handle(twoPhaseCommit, s, msg(prepare('T1', 'k1')), world(1_000));
    handle(twoPhaseCommit, s, timer('force:T1'), world(11_000));
    handle(twoPhaseCommit, s, msg(prepare('T2', 'k2')), world(20_000)); // crashes before T2's YES is forced
    const back = crashAndRestart(s, 50_000);
    expect(back.locks).toEqual({ k1: 'T1' });
    expect(back.lockSpans.map((sp) => sp.tid)).toEqual(['T1', 'T2']);
    const [t1, t2] = back.lockSpans;
    expect(t1).toMatchObject({ tid: 'T1', lockedUs: 1_000, yesUs: 11_000, endUs: null, outcome: null });
    expect(t2).toMatchObject({ tid: 'T2', lockedUs: 20_000, endUs: 20_000, outcome: 'lost' });
    expect(back.outages).toEqual([{ fromUs: 20_000, toUs: 50_000 }]);
    const view = locksView.read([{ id: 'p1', role: 'participant', up: true, state: back }], params(), null)!;
    expect((view as TimelineViewData).markers).toEqual([
      { atUs: 20_000, label: "p1's last step before crashing", row: 'p1' },
      { atUs: 50_000, label: 'p1 restarts', row: 'p1' },
    ]);
  });

  it('with bugForgetLogOnRestart the lock is lost in the crash too', () => {
    const s = participant();
    handle(twoPhaseCommit, s, msg(prepare('T1')), world(1_000, { bugForgetLogOnRestart: true }));
    handle(twoPhaseCommit, s, timer('force:T1'), world(11_000, { bugForgetLogOnRestart: true }));
    const back = crashAndRestart(s, 50_000, { bugForgetLogOnRestart: true });
    expect(back.lockSpans[0]).toMatchObject({ tid: 'T1', endUs: 11_000, outcome: 'lost' });
  });

  it('keeps the last LOCK_SPANS_KEPT spans of a participant, the newest included', () => {
    const sim = runTo(twoPcBlocking({ txnEveryMs: 20 }), 1, 2_500_000);
    const p1 = sim.nodeState('p1')?.state as ParticipantState;
    expect(p1.lockSpans.length).toBe(LOCK_SPANS_KEPT);
    const newest = Math.max(...p1.lockSpans.map((sp) => Number(sp.tid.slice(1))));
    const begun = (sim.nodeState('coord')!.state as { stats: { begun: number } }).stats.begun;
    expect(begun).toBeGreaterThan(LOCK_SPANS_KEPT);
    expect(newest).toBeGreaterThan(begun - 3);
  });

  it('the quick start, coordinator down: every participant holds T2 blocked, bars still open', () => {
    const d = viewOf(runTo(twoPcBlocking(), 1, 700_000));
    expect(d.rows.map((r) => [r.id, r.up])).toEqual([
      ['p1', true],
      ['p2', true],
      ['p3', true],
      ['coord', false],
    ]);
    expect(d.caption).toBe('Locks held per participant · 3 held now · 3 blocked');
    for (const p of PARTS) {
      const t2 = barsOf(d, p, 'T2');
      expect(t2.map((b) => b.tone)).toEqual(['info', 'warn', 'bad']);
      expect(t2.at(-1)?.endUs).toBeNull();
    }
    const down = d.bars.filter((b) => b.row === 'coord');
    expect(down.map((b) => [b.label, b.endUs])).toEqual([['down', null]]);
    expect(d.markers.map((m) => m.label)).toEqual(["coord's last step before crashing"]);
  });

  it('over seeds, the quick start shows the T2 locks held, blocked, until the coordinator returns', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const d = viewOf(runTo(twoPcBlocking(), seed, 2_500_000));
      const restart = d.markers.find((m) => m.label === 'coord restarts')?.atUs;
      expect(restart, `seed=${seed}`).toBe(1_200_000);
      const down = d.bars.find((b) => b.row === 'coord')!;
      expect(down.startUs, `seed=${seed}`).toBeLessThanOrEqual(325_000);
      expect(down.endUs).toBe(restart);
      for (const p of PARTS) {
        const t2 = barsOf(d, p, 'T2');
        const blocked = t2.find((b) => b.tone === 'bad');
        expect(blocked, `seed=${seed} ${p}`).toBeDefined();
        // Blocked while the coordinator was down, released only once it was back.
        expect(blocked!.startUs).toBeLessThan(restart!);
        expect(blocked!.endUs).toBeGreaterThanOrEqual(restart!);
        expect(t2[0]!.startUs).toBeLessThan(down.startUs + 10_000);
        // Every other transaction's lock is held for tens of milliseconds, never blocked.
        const others = d.bars.filter((b) => b.row === p && !b.label.startsWith('T2 '));
        expect(
          others.some((b) => b.tone === 'bad'),
          `seed=${seed} ${p}`,
        ).toBe(false);
      }
      expect(d.caption).toBe('Locks held per participant · 0 held now');
      expect(d.rows.every((r) => r.up)).toBe(true);
    }
  });

  it("the clients scenario: p3's crash shows as markers on its row, and the data fits the schema", () => {
    const d = viewOf(runTo(twoPcClients(), 1, 3_000_000));
    expect(d.markers.filter((m) => m.row === 'p3').map((m) => [m.label, m.atUs <= 1_000_000])).toEqual([
      ["p3's last step before crashing", true],
      ['p3 restarts', false],
    ]);
    expect(d.bars.filter((b) => b.row === 'coord')).toEqual([]);
  });
});
