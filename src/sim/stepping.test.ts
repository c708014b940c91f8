import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../shared/scenario/schema';
import { builtinScenarios } from './scenarios';
import { type Change, Simulation } from './simulation';
import { observe } from './test/helpers';

type Op =
  | { op: 'step'; n: number }
  | { op: 'back'; n: number }
  | { op: 'seek'; to: number }
  | { op: 'runUntil'; us: number }
  | { op: 'stepUntil'; kind: 'deliver' | 'fault' | 'drop' }
  | { op: 'inject'; fault: FaultInput };

const faults: FaultInput[] = [
  { kind: 'crash', node: 'n1' },
  { kind: 'restart', node: 'n1' },
  { kind: 'pause', node: 'n2' },
  { kind: 'resume', node: 'n2' },
  { kind: 'partition', groups: [['n1'], ['n2', 'n3']] },
  { kind: 'heal' },
  { kind: 'clock-step', node: 'n3', deltaUs: 5000 },
  { kind: 'degrade-link', link: 'n2-sw', lossRate: 0.3 },
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('step' as const), n: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant('back' as const), n: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ op: fc.constant('seek' as const), to: fc.integer({ min: 0, max: 2500 }) }),
  fc.record({ op: fc.constant('runUntil' as const), us: fc.integer({ min: 0, max: 3_000_000 }) }),
  fc.record({
    op: fc.constantFrom('stepUntil' as const),
    kind: fc.constantFrom('deliver' as const, 'fault' as const, 'drop' as const),
  }),
  fc.record({ op: fc.constant('inject' as const), fault: fc.constantFrom(...faults) }),
);

/** The straight run: from a fresh simulation, only forward, applying the same live changes. */
function straight(
  sc: ReturnType<typeof builtinScenarios>[number],
  log: { atEvent: number; change: Change }[],
  end: number,
) {
  const sim = new Simulation(sc, { checkpointEvery: 1_000_000 });
  // Changes logged past `end` belong to a future the run has not reached (after a step back).
  for (const x of log.filter((y) => y.atEvent <= end)) {
    sim.step(x.atEvent - sim.eventIndex);
    sim.applyLive(x.change);
  }
  sim.step(end - sim.eventIndex);
  return sim;
}

describe('stepping (property)', () => {
  const sc = builtinScenarios()[2]!; // ping-pong under a bad network: every feature on
  it('any sequence of step, step back, seek, run and inject ends in the state and trace of a straight run', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        const sim = new Simulation(sc, { checkpointEvery: 97, maxCheckpoints: 8 });
        for (const o of ops) {
          if (o.op === 'step') sim.step(o.n);
          else if (o.op === 'back') sim.stepBack(o.n);
          else if (o.op === 'seek') sim.seek(o.to);
          else if (o.op === 'runUntil') sim.runUntil(o.us, 3000);
          else if (o.op === 'stepUntil') sim.stepUntil({ kind: o.kind }, 500);
          else sim.inject(o.fault);
        }
        const ref = straight(sc, sim.injectionLog(), sim.eventIndex);
        expect(observe(sim), `seed=${sc.seed} ops=${JSON.stringify(ops)}`).toEqual(observe(ref));
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('seek to every event in a range matches the straight run at that event', () => {
    const sim = new Simulation(sc, { checkpointEvery: 50 });
    sim.step(600);
    for (const target of [599, 0, 1, 50, 51, 333, 600, 449]) {
      sim.seek(target);
      const ref = new Simulation(sc);
      ref.step(target);
      expect(observe(sim), `target ${target}`).toEqual(observe(ref));
    }
  });

  it('stepUntil stops at the first matching event', () => {
    const sim = new Simulation(sc);
    const r = sim.stepUntil({ kind: 'deliver', node: 'n2', msgType: 'pong' });
    expect(r.matched).toBe(true);
    const rows = sim.traceWindow({ from: sim.eventIndex, to: sim.eventIndex + 1 });
    expect(rows.some((x) => x.kind === 'deliver' && x.node === 'n2' && x.msgType === 'pong')).toBe(true);
    const earlier = sim.traceWindow({ from: 0, to: sim.eventIndex });
    expect(earlier.some((x) => x.kind === 'deliver' && x.node === 'n2' && x.msgType === 'pong')).toBe(false);
  });

  it('trace windows by index and by time agree', () => {
    const sim = new Simulation(sc);
    sim.step(500);
    const byIndex = sim.traceWindow({ from: 100, to: 200 });
    expect(byIndex[0]!.index).toBe(100);
    expect(byIndex.at(-1)!.index).toBe(199);
    const byTime = sim.traceWindow({ fromUs: byIndex[0]!.timeUs, toUs: byIndex.at(-1)!.timeUs + 1 });
    for (const r of byIndex) expect(byTime).toContainEqual(r);
  });
});

describe('fork', () => {
  it('shares the past and diverges after the change', () => {
    const sc = builtinScenarios()[0]!;
    const base = new Simulation(sc);
    base.step(3000);
    const fork = base.fork(1000, { kind: 'fault', fault: { kind: 'crash', node: 'n2' } });
    expect(fork.eventIndex).toBe(1000);
    expect(fork.traceWindow({ from: 0, to: 1001 }, 1e6)).toEqual(
      base.traceWindow({ from: 0, to: 1001 }, 1e6),
    );
    fork.step(2000);
    expect(fork.traceHash()).not.toBe(base.traceHash());
    expect(fork.nodeState('n2')!.up).toBe(false);
    expect(base.nodeState('n2')!.up).toBe(true);
    // The parent is untouched: it still equals a straight run.
    const ref = new Simulation(sc);
    ref.step(3000);
    expect(base.traceHash()).toBe(ref.traceHash());
  });

  it('a fork equals a straight run with the change made at that event', () => {
    const sc = builtinScenarios()[3]!; // closed-loop workload: history and series are copied too
    const base = new Simulation(sc, { checkpointEvery: 100 });
    base.step(1500);
    base.stepBack(300);
    for (const [at, change] of [
      [777, { kind: 'fault', fault: { kind: 'crash', node: 'n3' } }],
      [1100, { kind: 'params', params: { bugNoRelay: true } }],
      [1400, { kind: 'seed', seed: 5 }],
    ] as const) {
      const fork = base.fork(at, change as Change);
      const ref = new Simulation(sc);
      ref.step(at);
      ref.applyLive(change as Change);
      fork.step(800);
      ref.step(800);
      expect(observe(fork), `fork at ${at}`).toEqual(observe(ref));
    }
  });

  it('can change a parameter or the seed', () => {
    const sc = builtinScenarios()[2]!;
    const base = new Simulation(sc);
    base.step(2000);
    const f1 = base.fork(500, { kind: 'params', params: { retryUs: 1000 } });
    const f2 = base.fork(500, { kind: 'seed', seed: 99 });
    f1.step(1500);
    f2.step(1500);
    expect(new Set([base.traceHash(), f1.traceHash(), f2.traceHash()]).size).toBe(3);
  });
});
