import { describe, expect, it } from 'vitest';
import type { TraceEvent } from './kernel/trace';
import { builtinScenarios } from './scenarios';
import { Simulation, sameTraceRow } from './simulation';

describe('divergence', () => {
  it('finds none between a run and a fork with a no-op change', () => {
    const sc = builtinScenarios()[0]!;
    const base = new Simulation(sc);
    base.step(2000);
    const fork = base.fork(700, { kind: 'params', params: {} });
    fork.step(1300);
    const d = base.divergence(fork);
    expect(d.compared).toBe(base.traceRows);
    expect(d.compared).toBeGreaterThan(2000);
    expect(d).toMatchObject({ row: null, index: null, timeUs: null, a: null, b: null });
  });

  it('puts a crash forked at event k at the fault event, k + 1', () => {
    const sc = builtinScenarios()[0]!;
    const base = new Simulation(sc);
    base.step(2000);
    const k = 1000;
    const fork = base.fork(k, { kind: 'fault', fault: { kind: 'crash', node: 'n2' } });
    fork.step(1000);
    const d = base.divergence(fork);
    expect(d.index).toBe(k + 1);
    expect(d.b).toMatchObject({ kind: 'fault', index: k + 1 });
    expect(d.b!.detail).toMatch(/crash n2/);
    expect(d.a!.index).toBe(k + 1);
    expect(d.a!.kind).not.toBe('fault');
    // Every row before it is the same in both runs.
    expect(fork.traceWindow({ from: 0, to: k + 1 }, 1e6)).toEqual(
      base.traceWindow({ from: 0, to: k + 1 }, 1e6),
    );
    // Symmetric: the rows swap sides.
    const back = fork.divergence(base);
    expect(back.row).toBe(d.row);
    expect(back.a).toEqual(d.b);
  });

  it('finds where a parameter change first shows, after the fork point', () => {
    const sc = builtinScenarios()[3]!;
    const base = new Simulation(sc);
    base.step(3000);
    const fork = base.fork(800, { kind: 'params', params: { bugNoRelay: true } });
    fork.step(2200);
    const d = base.divergence(fork);
    expect(d.row).not.toBeNull();
    expect(d.index!).toBeGreaterThan(800);
    const before = base.traceWindow({ from: 0, to: d.index! }, 1e6);
    expect(fork.traceWindow({ from: 0, to: d.index! }, 1e6)).toEqual(before);
    expect(d.a).not.toEqual(d.b);
  });

  it('compares only the rows both runs have while neither has ended', () => {
    const sc = builtinScenarios()[0]!;
    const a = new Simulation(sc);
    const b = new Simulation(sc);
    a.step(500);
    b.step(900);
    const d = a.divergence(b);
    expect(d.row).toBeNull();
    expect(d.compared).toBe(a.traceRows);
  });

  it('counts rows past the end of a run that has ended as the difference', () => {
    const sc = { ...builtinScenarios()[0]!, limits: { ...builtinScenarios()[0]!.limits, maxEvents: 300 } };
    const short = new Simulation(sc);
    short.step(1000);
    expect(short.done).toBe(true);
    const long = new Simulation(builtinScenarios()[0]!);
    long.step(600);
    const d = short.divergence(long);
    expect(d.row).toBe(short.traceRows);
    expect(d.a).toBeNull();
    expect(d.b).toEqual(long.traceWindow({ from: 0, to: 1e9 }, 1e6)[short.traceRows]);
  });

  it('compares rows on index, time, kind, node, peer, message type and detail, not send id', () => {
    const row: TraceEvent = {
      row: 4,
      index: 3,
      timeUs: 1200,
      kind: 'send',
      node: 'n1',
      peer: 'n2',
      msgType: 'ping',
      sendId: 7,
      detail: 'x',
    };
    expect(sameTraceRow(row, { ...row })).toBe(true);
    expect(sameTraceRow(row, { ...row, sendId: 8, row: 5 })).toBe(true);
    for (const change of [
      { index: 4 },
      { timeUs: 1201 },
      { kind: 'deliver' as const },
      { node: 'n3' },
      { peer: 'n3' },
      { peer: undefined },
      { msgType: 'pong' },
      { detail: 'y' },
      { detail: undefined },
    ])
      expect(sameTraceRow(row, { ...row, ...change }), JSON.stringify(change)).toBe(false);
  });

  it('compares columns (Trace.sameRowAs) exactly as rows (sameTraceRow)', () => {
    const sc = builtinScenarios()[3]!;
    const base = new Simulation(sc);
    base.step(2500);
    const forks = [
      base.fork(600, { kind: 'params', params: { bugNoRelay: true } }),
      base.fork(900, { kind: 'seed', seed: 77 }),
      base.fork(1200, { kind: 'fault', fault: { kind: 'crash', node: 'n2' } }),
    ];
    const ta = base.kernelForTests.trace;
    let differing = 0;
    for (const f of forks) {
      f.step(1500);
      const tb = f.kernelForTests.trace;
      for (let r = 0; r < Math.min(ta.length, tb.length); r++) {
        const same = sameTraceRow(ta.row(r), tb.row(r));
        if (!same) differing++;
        expect(ta.sameRowAs(tb, r), `row ${r}`).toBe(same);
      }
    }
    expect(differing).toBeGreaterThan(100);
  });
});
