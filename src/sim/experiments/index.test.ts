import { describe, expect, it } from 'vitest';
import { listProtocols } from '../catalog';
import { experimentSteps, experimentsOf, rangeLabel, runExperiment, startExperiment } from '.';

describe('experiments', () => {
  it('Raft lists its Figure 16 experiment through the catalog; other protocols none', () => {
    const raft = listProtocols().find((p) => p.id === 'raft')!;
    expect(raft.experiments.map((e) => e.id)).toEqual(['raft-election-timeouts']);
    expect(experimentsOf('ping-pong')).toEqual([]);
    const e = raft.experiments[0]!;
    expect(e.trialsChoices).toContain(e.defaultTrials);
    // The paper ran 1000 trials per range.
    expect(e.defaultTrials).toBe(1000);
    expect(e.panels.map((p) => p.id)).toEqual(['randomness', 'scale']);
  });

  it('labels timeout ranges as the paper does', () => {
    expect(rangeLabel({ minMs: 150, maxMs: 300 })).toBe('150–300 ms');
    expect(rangeLabel({ minMs: 150, maxMs: 150 })).toBe('150 ms');
  });

  it('runs by id: both graphs of the figure, every trial of every range counted', () => {
    const series = runExperiment('raft-election-timeouts', { trials: 5, seed: 3 })!;
    expect(series.map((s) => `${s.panel}: ${s.label}`)).toEqual([
      'randomness: 150 ms',
      'randomness: 150–151 ms',
      'randomness: 150–155 ms',
      'randomness: 150–175 ms',
      'randomness: 150–200 ms',
      'randomness: 150–300 ms',
      'scale: 12–24 ms',
      'scale: 25–50 ms',
      'scale: 50–100 ms',
      'scale: 100–200 ms',
      'scale: 150–300 ms',
    ]);
    for (const s of series) {
      expect(s.trials).toBe(5);
      expect(s.samplesMs.length + s.censored).toBe(5);
      expect(s.capMs).toBe(10_000);
    }
    // 150–300 ms is one line drawn in both graphs, as in the paper.
    const both = series.filter((s) => s.label === '150–300 ms');
    expect({ ...both[0], panel: '' }).toEqual({ ...both[1], panel: '' });
    expect(runExperiment('no-such-experiment', { trials: 5, seed: 1 })).toBeUndefined();
  });

  it('runs in steps a host can interleave: one trial each, with progress, to the same result', () => {
    const steps = experimentSteps('raft-election-timeouts', { trials: 5, seed: 3 })!;
    let last = { done: 0, total: 0 };
    let n = 0;
    for (;;) {
      const r = steps.next();
      if (r.done) {
        expect(r.value).toEqual(runExperiment('raft-election-timeouts', { trials: 5, seed: 3 }));
        break;
      }
      expect(r.value.done).toBe(last.done + 1);
      last = r.value;
      n++;
    }
    expect(n).toBe(50);
    expect(last).toEqual({ done: 50, total: 50 });
  });

  it('starts a run a host can slice and cancel: its size known up front, the same series', () => {
    const run = startExperiment('raft-election-timeouts', { trials: 5, seed: 3 })!;
    expect(run.total).toBe(50);
    let pauses = 0;
    let r = run.trials.next();
    while (!r.done) {
      pauses++;
      r = run.trials.next();
    }
    expect(pauses).toBe(run.total);
    expect(r.value).toEqual(runExperiment('raft-election-timeouts', { trials: 5, seed: 3 }));
    expect(startExperiment('no-such-experiment', { trials: 5, seed: 1 })).toBeUndefined();
  });
});
