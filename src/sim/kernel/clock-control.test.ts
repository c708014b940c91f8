import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Fault, ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';
import { Simulation } from '../simulation';

/**
 * A protocol disciplines its own node's clock through ctx.clock (docs/kernel.md "Clocks and
 * timers"): a step or slew acts at once on the kernel's clock, pending timers keep their
 * deadlines in local time, and snapshots carry the clock.
 */

const Params = z.object({
  /** What the 'adjust' timer does at local time 100 µs. */
  action: z.enum(['none', 'step', 'slew', 'slew-then-step', 'bad-step', 'bad-rate']).default('none'),
  deltaUs: z.number().default(0),
  ratePpm: z.number().default(500),
});
type Params = z.infer<typeof Params>;

interface State {
  /** Each timer that fired: its name and the local clock when it did. */
  fired: { name: string; localUs: number }[];
  /** ctx.now() right after the adjustment, in the same handler. */
  afterAdjustUs: number;
  /** ctx.clock.slewLeftUs() right after the adjustment. */
  slewLeftUs: number;
}

const probe: Protocol<Params, State, { type: string }> = {
  id: 'test-clock-control',
  topic: 'test',
  title: 'Clock control probe',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: Params,
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ fired: [], afterAdjustUs: -1, slewLeftUs: 0 }),
  on(ctx, s, input) {
    if (input.kind === 'start') {
      ctx.setTimer('adjust', 100);
      ctx.setTimer('a', 1000);
      ctx.setTimer('b', 5000);
      return;
    }
    if (input.kind !== 'timer') return;
    s.fired.push({ name: input.name, localUs: ctx.now() });
    if (input.name !== 'adjust') return;
    const p = ctx.params;
    if (p.action === 'step') ctx.clock.step(p.deltaUs);
    if (p.action === 'slew') ctx.clock.slew(p.deltaUs, p.ratePpm);
    if (p.action === 'slew-then-step') {
      ctx.clock.slew(-1000, p.ratePpm);
      ctx.clock.step(p.deltaUs);
    }
    if (p.action === 'bad-step') ctx.clock.step(Number.NaN);
    if (p.action === 'bad-rate') ctx.clock.slew(p.deltaUs, 0);
    s.afterAdjustUs = ctx.now();
    s.slewLeftUs = ctx.clock.slewLeftUs();
    if (p.action === 'slew') ctx.setTimer('c', 1000); // set after the slew began: counts on the slewed clock
  },
  durable: [],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  // Checks and metrics read every node's clock from the view: no handler can.
  nodeMetrics: [
    {
      id: 'errorUs',
      unit: 'us',
      read: (n) => (n.up ? (n.clockErrorUs ?? null) : null),
      chart: { title: 'clock error', scale: 'asinh' },
    },
  ],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
  speed: 1,
};
registerProtocol(probe);

function sim(params: Partial<Params>, faults: { atUs: number; fault: Fault }[] = [], drift = 0): Simulation {
  return new Simulation(
    ScenarioSchema.parse({
      schemaVersion: 1,
      name: 'clock control probe',
      topic: 'test',
      protocol: probe.id,
      params: Params.parse(params),
      topology: {
        nodes: [{ id: 'n', role: 'node', x: 0, y: 0, clockDriftPpm: drift }],
        links: [],
      },
      faults,
      seed: 1,
      limits: { maxTimeUs: 10_000_000 },
    }),
  );
}

/** True time at which each timer fired, from the trace. */
function firedAt(s: Simulation): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of s.traceWindow({ from: 0, to: s.eventIndex + 1 }, 10_000))
    if (r.kind === 'timer') out[r.detail ?? ''] = r.timeUs;
  return out;
}

const stateOf = (s: Simulation) => s.nodeState('n')!.state as State;

describe('ctx.clock: a protocol steps and slews its own clock', () => {
  it('without an adjustment the timers fire at their local deadlines (the baseline)', () => {
    const s = sim({});
    s.runUntil(10_000_000);
    expect(firedAt(s)).toEqual({ adjust: 100, a: 1000, b: 5000 });
  });

  it('a step moves the clock at once: now() reads it in the same handler, the inspector after', () => {
    const s = sim({ action: 'step', deltaUs: 2000 });
    s.runUntil(10_000_000);
    expect(stateOf(s).afterAdjustUs).toBe(2100);
    expect(s.nodeState('n')!.clockErrorUs).toBe(2000);
  });

  it('a step forward past a pending deadline fires that timer at once; later ones keep their local deadline', () => {
    // At true 100 the clock jumps from 100 to 2,100: 'a' (due at local 1,000) is overdue and
    // fires at true 100; 'b' (local 5,000) fires when the clock reads 5,000, at true 3,000.
    const s = sim({ action: 'step', deltaUs: 2000 });
    s.runUntil(10_000_000);
    expect(firedAt(s)).toEqual({ adjust: 100, a: 100, b: 3000 });
    expect(stateOf(s).fired.map((f) => [f.name, f.localUs])).toEqual([
      ['adjust', 100],
      ['a', 2100],
      ['b', 5000],
    ]);
  });

  it('a step back makes pending timers wait longer, until the clock reads their deadline again', () => {
    const s = sim({ action: 'step', deltaUs: -3000 });
    s.runUntil(10_000_000);
    expect(firedAt(s)).toEqual({ adjust: 100, a: 4000, b: 8000 });
    expect(stateOf(s).fired.find((f) => f.name === 'a')!.localUs).toBe(1000);
  });

  it('a slew runs the clock at the rate until the correction is done, and never backwards', () => {
    // −1,000 µs at 100,000 ppm (10 %) takes 10,000 µs of true time: from true 100 to 10,100
    // the clock runs at 0.9. 'a' (local 1,000) comes at true 100 + 900 / 0.9 = 1,100; 'c', set
    // at local 100 for 1,000 µs of the slewed clock, at 100 + 1,000 / 0.9; 'b' (local 5,000) at
    // 100 + 4,900 / 0.9.
    // (A no-op fault at 20 ms moves time past the slew's end.)
    const s = sim({ action: 'slew', deltaUs: -1000, ratePpm: 100_000 }, [
      { atUs: 20_000, fault: { kind: 'clock-drift', node: 'n', driftPpm: 0 } },
    ]);
    s.runUntil(10_000_000);
    expect(stateOf(s).afterAdjustUs).toBe(100);
    expect(stateOf(s).slewLeftUs).toBe(-1000);
    const at = firedAt(s);
    expect(at.a).toBe(1100);
    expect(at.c).toBe(Math.ceil(100 + 1000 / 0.9));
    expect(at.b).toBe(Math.ceil(100 + 4900 / 0.9));
    // Done: the clock is 1,000 µs behind true time, and stays there (no drift).
    expect(s.nodeState('n')!.clockErrorUs).toBe(-1000);
  });

  it("a step abandons a slew in progress (settimeofday clears adjtime's offset)", () => {
    const s = sim({ action: 'slew-then-step', deltaUs: 300 }, [
      { atUs: 20_000, fault: { kind: 'clock-drift', node: 'n', driftPpm: 0 } },
    ]);
    s.runUntil(10_000_000);
    expect(stateOf(s).slewLeftUs).toBe(0);
    expect(s.nodeState('n')!.clockErrorUs).toBe(300);
  });

  it('a scripted clock fault acts on the same clock: it adds to what the protocol set', () => {
    const s = sim({ action: 'step', deltaUs: 2000 }, [
      { atUs: 50_000, fault: { kind: 'clock-step', node: 'n', deltaUs: -500 } },
    ]);
    s.runUntil(10_000_000);
    expect(s.nodeState('n')!.clockErrorUs).toBe(1500);
  });

  it('snapshots carry the clock: stepping back before the step and forward again gives the same run', () => {
    const straight = sim({ action: 'slew', deltaUs: -1000, ratePpm: 100_000 }, [], 40);
    straight.runUntil(10_000_000);
    const s = sim({ action: 'slew', deltaUs: -1000, ratePpm: 100_000 }, [], 40);
    s.runUntil(10_000_000);
    const end = s.eventIndex;
    s.seek(1); // before the slew
    expect(s.nodeState('n')!.clockErrorUs).toBe(0);
    s.seek(end);
    expect(s.nodeState('n')!.clockErrorUs).toBe(straight.nodeState('n')!.clockErrorUs);
    expect(s.traceHash()).toBe(straight.traceHash());
  });

  it('per-node metrics: a series per node, read from the kernel clock, no sample while the node is down', () => {
    const s = sim({ action: 'step', deltaUs: 2000 }, [
      { atUs: 450_000, fault: { kind: 'crash', node: 'n' } },
      { atUs: 650_000, fault: { kind: 'restart', node: 'n' } },
      { atUs: 900_000, fault: { kind: 'clock-drift', node: 'n', driftPpm: 0 } },
    ]);
    s.runUntil(10_000_000);
    const series = s.metrics().series.find((x) => x.id === 'errorUs.n')!;
    expect(series).toMatchObject({ unit: 'us', node: 'n', chart: { title: 'clock error', scale: 'asinh' } });
    // A sample at the first 100 ms boundary each event crosses: 0 (before the start), 100 ms (at
    // the crash), none at 500 ms (the restart's: the node is down), 700 ms (the last fault's).
    // The step at 100 µs shows from 100 ms on, and the clock kept it through the crash.
    expect(series.tUs).toEqual([0, 100_000, 700_000]);
    expect(series.v).toEqual([0, 2000, 2000]);
  });

  it('refuses a step or a rate that is not a number of µs, naming the node and the call', () => {
    expect(() => sim({ action: 'bad-step' }).runUntil(10_000_000)).toThrow(
      'n: ctx.clock.step(NaN): the step must be a finite number of µs',
    );
    expect(() => sim({ action: 'bad-rate', deltaUs: 10 }).runUntil(10_000_000)).toThrow(
      'n: ctx.clock.slew(10, 0): the rate must be above 0 and at most 100000 ppm',
    );
  });
});
