import { describe, expect, it } from 'vitest';
import { type TimelineViewData, TimelineViewSchema } from '../../shared/api/views';
import type { Scenario } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import '../checkers/builtin';
import type { NodeView } from '../protocol';
import { lambda, lambdaQuickStart } from '../protocols/lambda';
import { paxosCommit, paxosCommitTmCrash } from '../protocols/transactions/paxos-commit';
import { threePcCoordinatorCrash, threePhaseCommit } from '../protocols/transactions/three-phase-commit';
import { twoPcAskTheOthers, twoPcClients, twoPhaseCommit } from '../protocols/transactions/two-phase-commit';
import { Simulation } from '../simulation';
import { crashMarkers, downBars, downSpans } from './downtime';

/**
 * A timeline draws a crash at its time (NodeView.downsUs, docs/kernel.md "Faults"), not at the
 * node's last step before it, which is all a node's own state can know.
 */

registerProtocol(twoPhaseCommit);
registerProtocol(threePhaseCommit);
registerProtocol(paxosCommit);
registerProtocol(lambda);

const view = (over: Partial<NodeView<unknown>>): NodeView<unknown> => ({
  id: 'n',
  role: 'r',
  up: true,
  state: {},
  ...over,
});

describe('downSpans: a node’s times down for a timeline', () => {
  it('takes the kernel’s times when the view has them, the past and the current one', () => {
    const n = view({
      up: false,
      downsUs: [
        { downUs: 100, upUs: 200 },
        { downUs: 300, upUs: null },
      ],
      downSinceUs: 300,
    });
    // The state's guesses (last steps) are ignored: the kernel knows better.
    expect(downSpans(n, { outages: [{ fromUs: 90, toUs: 200 }], lastStepUs: 250 })).toEqual([
      { fromUs: 100, toUs: 200, exact: true },
      { fromUs: 300, toUs: null, exact: true },
    ]);
  });

  it('in a view built by hand, falls back on what the state recorded: the last step before each crash', () => {
    const n = view({ up: false });
    const spans = downSpans(n, { outages: [{ fromUs: 90, toUs: 200 }], lastStepUs: 250 });
    expect(spans).toEqual([
      { fromUs: 90, toUs: 200, exact: false },
      { fromUs: 250, toUs: null, exact: false },
    ]);
    expect(crashMarkers('n', spans, 'n').map((m) => m.label)).toEqual([
      "n's last step before crashing",
      'n restarts',
      "n's last step before crashing",
    ]);
    expect(downBars('n', spans)[0]!.title).toBe(
      "n crashed after its last step at 0.1 ms and restarted at 0.2 ms (the event log has the crash's own time)",
    );
  });

  it('names an exact crash as one, and puts markers on a row only when asked', () => {
    const spans = downSpans(view({ up: false, downsUs: [{ downUs: 1500, upUs: null }] }));
    expect(crashMarkers('c', spans)).toEqual([{ atUs: 1500, label: 'c crashes' }]);
    expect(crashMarkers('c', spans, 'c')).toEqual([{ atUs: 1500, label: 'c crashes', row: 'c' }]);
    expect(downBars('c', spans)).toEqual([
      {
        row: 'c',
        startUs: 1500,
        endUs: null,
        label: 'down',
        tone: 'neutral',
        title: 'c crashed at 1.5 ms and is still down',
      },
    ]);
  });
});

/** The Locks tab of a run now, as the app gets it (kernel views), checked against the API's schema. */
function locks(sim: Simulation): TimelineViewData {
  const read = sim.view('locks');
  return TimelineViewSchema.parse(read);
}

/** True times of the `fault` rows that crash or restart `node`. */
function faultTimes(sim: Simulation, node: string): { crash: number[]; restart: number[] } {
  const out = { crash: [] as number[], restart: [] as number[] };
  for (const r of sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1_000_000))
    if (r.kind === 'fault' && r.detail === `crash ${node}`) out.crash.push(r.timeUs);
    else if (r.kind === 'fault' && r.detail === `restart ${node}`) out.restart.push(r.timeUs);
  return out;
}

function runTo(sc: Scenario, us: number): Simulation {
  const sim = new Simulation(sc, { seed: 1 });
  sim.runUntil(us, 2_000_000);
  return sim;
}

describe('the transactions protocols’ Locks tabs draw a crash at its time', () => {
  it('two-phase commit: the coordinator’s down bar starts at its crash, while down and after its restart', () => {
    const down = runTo(twoPcAskTheOthers(), 1_000_000);
    const lastStep = (down.nodeState('coord')!.state as { lastStepUs: number }).lastStepUs;
    expect(lastStep).toBeLessThan(307_000); // its last step came before the crash: the old guess
    const bar = locks(down).bars.find((b) => b.row === 'coord' && b.label === 'down')!;
    expect([bar.startUs, bar.endUs, bar.title]).toEqual([
      307_000,
      null,
      'coord crashed at 307.0 ms and is still down',
    ]);
    expect(locks(down).markers).toContainEqual({ atUs: 307_000, label: 'coord crashes' });

    const back = runTo(twoPcAskTheOthers(), 1_600_000);
    const bars = locks(back).bars.filter((b) => b.row === 'coord' && b.label === 'down');
    expect(bars.map((b) => [b.startUs, b.endUs])).toEqual([[307_000, 1_500_000]]);
    expect(locks(back).markers).toEqual(
      expect.arrayContaining([
        { atUs: 307_000, label: 'coord crashes' },
        { atUs: 1_500_000, label: 'coord restarts' },
      ]),
    );
  });

  it('two-phase commit: a participant’s crash and restart markers sit on its row at the fault times', () => {
    const sim = runTo(twoPcClients(), 1_600_000);
    const t = faultTimes(sim, 'p3');
    expect(t).toEqual({ crash: [1_000_000], restart: [1_400_000] });
    const onP3 = locks(sim).markers.filter((m) => m.row === 'p3');
    expect(onP3).toEqual([
      { atUs: 1_000_000, label: 'p3 crashes', row: 'p3' },
      { atUs: 1_400_000, label: 'p3 restarts', row: 'p3' },
    ]);
  });

  it('three-phase commit and Paxos Commit: the coordinator’s (TM’s) down bar starts at the crash row', () => {
    for (const [sc, node] of [
      [threePcCoordinatorCrash(), 'coord'],
      [paxosCommitTmCrash(), 'tm'],
    ] as const) {
      const sim = runTo(sc, 1_000_000);
      const { crash } = faultTimes(sim, node);
      expect(crash.length, sc.name).toBeGreaterThan(0);
      const starts = locks(sim)
        .bars.filter((b) => b.row === node && b.label === 'down')
        .map((b) => b.startUs);
      expect(starts, sc.name).toEqual(crash);
      // What the node's state guessed: its last step before the crash (the restart recorded it).
      const st = sim.nodeState(node)!;
      const s = st.state as { lastStepUs: number; outages: { fromUs: number }[] };
      const guess = st.up ? s.outages[s.outages.length - 1]!.fromUs : s.lastStepUs;
      expect(guess, sc.name).toBeLessThan(crash[crash.length - 1]!);
    }
  });
});

describe('the Lambda Layers tab draws the speed node’s crash at its time', () => {
  const speedBars = (sim: Simulation) =>
    TimelineViewSchema.parse(sim.view('layers'))
      .bars.filter((b) => b.row === 'speed')
      .map((b) => [b.label.split(' ·')[0], b.startUs, b.endUs]);

  it('while down: what it did ends at the crash, and a down bar runs from there', () => {
    const sim = runTo(lambdaQuickStart(), 3_300_000);
    expect(faultTimes(sim, 'speed').crash).toEqual([3_200_000]);
    expect(speedBars(sim)).toEqual([
      ['v1 live', expect.any(Number), 3_200_000],
      ['down', 3_200_000, null],
    ]);
  });

  it('after the restart: the down bar runs from the crash to the restart, not from the last step', () => {
    const sim = runTo(lambdaQuickStart(), 3_600_000);
    const bars = speedBars(sim);
    expect(bars.slice(0, 2)).toEqual([
      ['v1 live', expect.any(Number), 3_200_000],
      ['down', 3_200_000, 3_500_000],
    ]);
    // The state's own record starts the time down at the node's last step before the crash.
    const own = (sim.nodeState('speed')!.state as { bars: { label: string; startUs: number }[] }).bars;
    expect(own.find((b) => b.label === 'down')!.startUs).toBeLessThan(3_200_000);
  });
});
