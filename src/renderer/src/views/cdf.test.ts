import { describe, expect, it } from 'vitest';
import { cdfPath, cdfSeries, type ElectionResult, logDomain, logTicks, logX, msLabel } from './cdf';

const result = (minMs: number, maxMs: number, samples: number[], capped = 0): ElectionResult => ({
  label: minMs === maxMs ? `${minMs} ms` : `${minMs}–${maxMs} ms`,
  samplesMs: samples,
  cdf: samples.map((ms, i) => ({ ms, p: (i + 1) / samples.length })),
  medianMs: samples[Math.floor((samples.length - 1) / 2)] ?? 0,
  capped,
});

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

  it('leaves capped trials off the line, so it stops below 1', () => {
    const [s] = cdfSeries([result(150, 150, [500, 10_000, 10_000, 10_000], 3)]);
    expect(s!.points.at(-1)).toEqual({ ms: 500, p: 0.25 });
    expect(s!.capped).toBe(3);
    const [none] = cdfSeries([result(150, 150, [10_000, 10_000], 2)]);
    expect(none!.points).toEqual([]);
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
