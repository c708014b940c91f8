import { describe, expect, it } from 'vitest';
import {
  cdfPath,
  cdfSeries,
  censoredLabel,
  type ElectionResult,
  logDomain,
  logTicks,
  logX,
  msLabel,
} from './cdf';

/** A series as the experiment answers it: censored trials counted in `trials`, not in `samplesMs`. */
const result = (minMs: number, maxMs: number, samples: number[], censored = 0): ElectionResult => {
  const trials = samples.length + censored;
  return {
    label: minMs === maxMs ? `${minMs} ms` : `${minMs}–${maxMs} ms`,
    panel: 'randomness',
    trials,
    samplesMs: samples,
    censored,
    capMs: 10_000,
    cdf: samples.map((ms, i) => ({ ms, p: (i + 1) / trials })),
    medianMs: 2 * censored < trials ? samples[Math.floor((trials - 1) / 2)]! : null,
  };
};

describe('Figure 16 series', () => {
  it('labels each line with its series label', () => {
    expect(cdfSeries([result(150, 300, [200])])[0]!.label).toBe('150–300 ms');
  });

  it('draws steps from p = 0 and merges equal times', () => {
    const [s] = cdfSeries([result(150, 300, [200, 200, 300, 400])]);
    expect(s!.points).toEqual([
      { ms: 200, p: 0 },
      { ms: 200, p: 0.5 },
      { ms: 300, p: 0.5 },
      { ms: 300, p: 0.75 },
      { ms: 400, p: 0.75 },
      { ms: 400, p: 1 },
    ]);
    expect(s!.trials).toBe(4);
  });

  it('counts censored trials: the line runs flat to the cap below 100%, and says how many', () => {
    const [s] = cdfSeries([result(150, 151, [500], 3)]);
    expect(s!.trials).toBe(4);
    expect(s!.points).toEqual([
      { ms: 500, p: 0 },
      { ms: 500, p: 0.25 },
      { ms: 10_000, p: 0.25 },
    ]);
    expect(s!.endP).toBe(0.25);
    expect(s!.medianMs).toBeNull();
    expect(censoredLabel(s!)).toBe('3 of 4 over 10 s');
    // Every trial censored: nothing to draw but the mark at the cap, at 0%.
    const [none] = cdfSeries([result(150, 150, [], 1000)]);
    expect(none!.points).toEqual([{ ms: 10_000, p: 0 }]);
    expect(censoredLabel(none!)).toBe('1000 of 1000 over 10 s');
    expect(censoredLabel(cdfSeries([result(150, 300, [200])])[0]!)).toBe('');
  });

  it('uses whole decades on a log x axis', () => {
    const series = cdfSeries([result(150, 300, [160, 4200])]);
    expect(logDomain(series)).toEqual([100, 10_000]);
    expect(logDomain([])).toEqual([100, 1000]);
    expect(logX(1000, [100, 10_000], 0, 200)).toBeCloseTo(100);
    expect(logX(50, [100, 10_000], 0, 200)).toBe(0);
    const ticks = logTicks([100, 10_000]);
    expect(ticks.filter((t) => t.major).map((t) => t.ms)).toEqual([100, 1000, 10_000]);
    expect(ticks.filter((t) => !t.major).map((t) => t.ms)).toEqual([200, 500, 2000, 5000]);
    expect(msLabel(100)).toBe('100 ms');
    expect(msLabel(10_000)).toBe('10 s');
  });

  it('makes an SVG path in the plot box (y grows down)', () => {
    const [s] = cdfSeries([result(100, 100, [100, 1000])]);
    const d = cdfPath(s!, [100, 1000], { x0: 0, x1: 100, y0: 0, y1: 50 });
    expect(d).toBe('M0.0 50.0 L0.0 25.0 L100.0 25.0 L100.0 0.0');
  });
});
