import { describe, expect, it } from 'vitest';
import type { Latency } from '../../shared/scenario/schema';
import { meanLatencyUs, sampleLatencyUs } from './latency';
import { Rng } from './rng';

function stats(d: Latency, n = 50_000) {
  const rng = new Rng(11, 'lat');
  const xs = Array.from({ length: n }, () => sampleLatencyUs(d, rng));
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  xs.sort((a, b) => a - b);
  return { mean, sd, min: xs[0]!, max: xs[n - 1]!, median: xs[n >> 1]!, p99: xs[Math.floor(n * 0.99)]! };
}

describe('latency distributions', () => {
  it('constant', () => {
    const s = stats({ kind: 'constant', us: 700 }, 100);
    expect([s.min, s.max]).toEqual([700, 700]);
  });
  it('uniform: bounds and mean', () => {
    const s = stats({ kind: 'uniform', minUs: 100, maxUs: 300 });
    expect(s.min).toBeGreaterThanOrEqual(100);
    expect(s.max).toBeLessThanOrEqual(300);
    expect(Math.abs(s.mean - 200)).toBeLessThan(2);
    // sd of U(100,300) = 200/sqrt(12) = 57.7
    expect(Math.abs(s.sd - 57.7)).toBeLessThan(1.5);
  });
  it('normal: mean and standard deviation', () => {
    const s = stats({ kind: 'normal', meanUs: 5000, stdUs: 400 });
    expect(Math.abs(s.mean - 5000)).toBeLessThan(10);
    expect(Math.abs(s.sd - 400)).toBeLessThan(10);
  });
  it('normal is truncated at minUs', () => {
    const s = stats({ kind: 'normal', meanUs: 100, stdUs: 400, minUs: 50 });
    expect(s.min).toBe(50);
  });
  it('lognormal: median and mean', () => {
    const d: Latency = { kind: 'lognormal', medianUs: 1000, sigma: 0.5 };
    const s = stats(d);
    expect(Math.abs(s.median - 1000) / 1000).toBeLessThan(0.03);
    expect(Math.abs(s.mean - meanLatencyUs(d)) / meanLatencyUs(d)).toBeLessThan(0.03);
  });
  it('pareto: scale is the minimum, the tail is heavy, the cap holds', () => {
    const d: Latency = { kind: 'pareto', scaleUs: 1000, shape: 2, maxUs: 1_000_000 };
    const s = stats(d);
    expect(s.min).toBeGreaterThanOrEqual(1000);
    expect(s.max).toBeLessThanOrEqual(1_000_000);
    // P(X > 10 x scale) = 10^-shape = 1%: the 99th percentile is about 10 x scale.
    expect(Math.abs(s.p99 - 10_000) / 10_000).toBeLessThan(0.1);
    expect(Math.abs(s.median - 1000 * Math.SQRT2) / 1414).toBeLessThan(0.03);
  });
});
