import { describe, expect, it } from 'vitest';
import { LatencySchema, LinkSchema } from '../../../shared/scenario/schema';
import {
  fieldError,
  LATENCY_FIELDS,
  LATENCY_KINDS,
  latencyFieldText,
  latencyOfKind,
  latencyProblem,
  msToUs,
  parseNumber,
  percentToRate,
  rateToPercent,
  usToMs,
  withLatencyField,
} from './form-values';
import { meanLatencyUs } from './scenario';

describe('form value conversions', () => {
  it('converts µs and ms both ways without float noise', () => {
    expect(usToMs(1500)).toBe(1.5);
    expect(usToMs(400)).toBe(0.4);
    expect(msToUs(0.4)).toBe(400);
    expect(msToUs(1.0005)).toBe(1001);
    expect(msToUs(usToMs(123_456))).toBe(123_456);
  });

  it('converts rates and percents both ways', () => {
    expect(rateToPercent(0.1)).toBe(10);
    expect(rateToPercent(0.07)).toBe(7);
    expect(percentToRate(10)).toBe(0.1);
    expect(percentToRate(33.3)).toBe(0.333);
  });

  it('parses number fields', () => {
    expect(parseNumber(' 12 ')).toEqual({ value: 12 });
    expect(parseNumber('')).toEqual({ error: 'Enter a number.' });
    expect(parseNumber('', true)).toEqual({ value: undefined });
    expect(parseNumber('abc')).toEqual({ error: '"abc" is not a number.' });
  });

  it('words zod issues in the units the field shows', () => {
    const r = LinkSchema.shape.lossRate.safeParse(1.5);
    expect(r.success).toBe(false);
    expect(fieldError(r.error, 'lossRate', 0.01, '%')).toBe('Must be at most 100 %.');
    const n = LatencySchema.safeParse({ kind: 'constant', us: -1000 });
    expect(fieldError(n.error, 'us', 1000, 'ms')).toBe('Must be at least 0 ms.');
  });

  it('edits latency fields in ms and stores µs', () => {
    let l = latencyOfKind('uniform', 1000);
    const [min, max] = LATENCY_FIELDS.uniform;
    l = withLatencyField(l, min!, 5);
    l = withLatencyField(l, max!, 10);
    expect(l).toEqual({ kind: 'uniform', minUs: 5000, maxUs: 10_000 });
    expect(latencyFieldText(l, min!)).toBe('5');
    expect(LatencySchema.safeParse(l).success).toBe(true);
    expect(latencyProblem({ kind: 'uniform', minUs: 10, maxUs: 5 })?.key).toBe('maxUs');
  });

  it('switching kind keeps about the same mean, and every kind validates', () => {
    for (const k of LATENCY_KINDS) {
      const l = latencyOfKind(k.id, 2000);
      expect(LatencySchema.safeParse(l).success).toBe(true);
      // Exact but for the rounding of a lognormal's median to whole µs.
      const mean = meanLatencyUs({ latency: l, lossRate: 0, dupRate: 0, reorderRate: 0, reorderDelayUs: 0 });
      expect(Math.abs(mean - 2000), k.id).toBeLessThan(1);
    }
  });
});
