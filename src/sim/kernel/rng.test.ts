import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng (xoshiro128**)', () => {
  it('is deterministic per (seed, name) and independent across names', () => {
    const a = new Rng(42, 'node:n1');
    const b = new Rng(42, 'node:n1');
    const c = new Rng(42, 'node:n2');
    const d = new Rng(43, 'node:n1');
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xs);
    expect(Array.from({ length: 8 }, () => d.nextU32())).not.toEqual(xs);
  });

  it('save/load resumes the same sequence', () => {
    const a = new Rng(1, 'x');
    a.next();
    const s = a.save();
    const xs = [a.next(), a.next()];
    a.load(s);
    expect([a.next(), a.next()]).toEqual(xs);
  });

  it('draws uniform values in [0,1) with the right mean', () => {
    const r = new Rng(7, 'u');
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });
});
