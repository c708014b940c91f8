import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fireTimeUs, localAt, newClock, setDrift, slewClock, stepClock, trueAt } from './clock';

describe('clocks', () => {
  it('drift: a +100 ppm clock gains 100 us per second', () => {
    const c = newClock(5, 100);
    expect(localAt(c, 1_000_000)).toBeCloseTo(1_000_105, 6);
    expect(trueAt(c, 1_000_105)).toBeCloseTo(1_000_000, 6);
  });

  it('step jumps the local clock at the given time', () => {
    const c = stepClock(newClock(0, 0), 1000, -300);
    expect(localAt(c, 1000)).toBe(700);
    expect(localAt(c, 2000)).toBe(1700);
  });

  it('slew applies a correction at the slew rate, then returns to drift only', () => {
    // -2,000 us at 500 ppm takes 4 s of true time.
    let c = newClock(0, 10);
    c = slewClock(c, 1_000_000, -2000, 500);
    expect(c.slewEndUs).toBe(5_000_000);
    // During the slew the clock runs at 1 + (10 - 500)/1e6.
    expect(localAt(c, 3_000_000)).toBeCloseTo(1_000_010 + 2_000_000 * (1 - 490e-6), 6);
    // After it, the full correction has been applied and only drift remains.
    expect(localAt(c, 9_000_000)).toBeCloseTo(9_000_000 * (1 + 10e-6) - 2000, 6);
    // The local clock never runs backwards during a negative slew.
    expect(localAt(c, 3_000_001)).toBeGreaterThan(localAt(c, 3_000_000));
  });

  it('drift change rebases without a jump', () => {
    const c0 = newClock(0, 50);
    const c1 = setDrift(c0, 2_000_000, -50);
    expect(localAt(c1, 2_000_000)).toBeCloseTo(localAt(c0, 2_000_000), 9);
    expect(localAt(c1, 3_000_000) - localAt(c1, 2_000_000)).toBeCloseTo(1_000_000 - 50, 6);
  });

  it('fireTimeUs is the first integer true time at which the local clock reaches the deadline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50_000, max: 50_000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        (driftPpm, offsetUs, nowUs, afterUs, slewUs) => {
          let c = newClock(offsetUs, driftPpm);
          if (slewUs !== 0) c = slewClock(c, 0, slewUs, 5000);
          const deadline = localAt(c, nowUs) + afterUs;
          const t = fireTimeUs(c, nowUs, deadline);
          expect(Number.isInteger(t)).toBe(true);
          expect(localAt(c, t)).toBeGreaterThanOrEqual(deadline);
          if (t - 1 >= nowUs) expect(localAt(c, t - 1)).toBeLessThan(deadline);
        },
      ),
      { seed: 3, numRuns: 500 },
    );
  });
});
