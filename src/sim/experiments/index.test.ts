import { describe, expect, it } from 'vitest';
import { listProtocols } from '../catalog';
import { experimentsOf, rangeLabel, runExperiment, startExperiment } from '.';

describe('experiments', () => {
  it('Raft lists its Figure 16 experiment through the catalog; other protocols none', () => {
    const raft = listProtocols().find((p) => p.id === 'raft')!;
    expect(raft.experiments.map((e) => e.id)).toEqual(['raft-election-timeouts']);
    expect(experimentsOf('ping-pong')).toEqual([]);
    expect(raft.experiments[0]!.trialsChoices).toContain(raft.experiments[0]!.defaultTrials);
  });

  it('labels timeout ranges as the paper does', () => {
    expect(rangeLabel({ minMs: 150, maxMs: 300 })).toBe('150–300 ms');
    expect(rangeLabel({ minMs: 150, maxMs: 150 })).toBe('150 ms');
  });

  it('runs by id: one series per range, each with its trials; an unknown id gives undefined', () => {
    const series = runExperiment('raft-election-timeouts', { trials: 5, seed: 3 })!;
    expect(series.map((s) => s.label)).toEqual([
      '150 ms',
      '150–151 ms',
      '150–155 ms',
      '150–175 ms',
      '150–200 ms',
      '150–300 ms',
    ]);
    // With no spread (150 ms) the cluster can stay leaderless and the experiment stops that range
    // early: the Fidelity issue's "trials dropped" finding, to be fixed there, not enshrined here.
    for (const s of series) expect(s.samplesMs.length).toBeGreaterThanOrEqual(1);
    expect(series.at(-1)!.samplesMs).toHaveLength(5);
    expect(runExperiment('no-such-experiment', { trials: 5, seed: 1 })).toBeUndefined();
  });

  it('runs a trial at a time for a host: at most `total` pauses, the same series as a straight run', () => {
    const run = startExperiment('raft-election-timeouts', { trials: 5, seed: 3 })!;
    expect(run.total).toBe(30);
    let pauses = 0;
    let r = run.trials.next();
    while (!r.done) {
      pauses++;
      r = run.trials.next();
    }
    expect(pauses).toBeGreaterThan(0);
    expect(pauses).toBeLessThanOrEqual(run.total);
    expect(r.value).toEqual(runExperiment('raft-election-timeouts', { trials: 5, seed: 3 }));
    expect(startExperiment('no-such-experiment', { trials: 5, seed: 1 })).toBeUndefined();
  });
});
