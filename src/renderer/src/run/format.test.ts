import { describe, expect, it } from 'vitest';
import { formatMetric, formatTick } from './format';

describe('metric numbers', () => {
  it('shows whole counts exactly, so a chart head and its counter can agree', () => {
    expect(formatMetric(10_763)).toBe('10,763');
    expect(formatMetric(10_993)).toBe('10,993');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(2.83249)).toBe('2.832');
    expect(formatMetric(0.000123456)).toBe('0.0001235');
  });

  it('keeps axis ticks to at most 4 characters before a unit letter', () => {
    expect(['0', '950', '2500', '9999'].map(Number).map(formatTick)).toEqual(['0', '950', '2500', '9999']);
    expect(formatTick(10_000)).toBe('10k');
    expect(formatTick(12_500)).toBe('12.5k');
    expect(formatTick(250_000)).toBe('250k');
    expect(formatTick(1_500_000)).toBe('1.5M');
    expect(formatTick(-20_000)).toBe('-20k');
    expect(formatTick(0.25)).toBe('0.25');
    for (let v = 1; v < 1e12; v *= 7.3)
      expect(formatTick(Math.round(v)).replace(/[kMG]$/, '').length).toBeLessThanOrEqual(4);
  });
});
