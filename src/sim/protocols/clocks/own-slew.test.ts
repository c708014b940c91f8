import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
import type { BerkeleyState } from './berkeley';
import { ownSlewLeft } from './own-slew';

describe("whose slew is it (a clock fault's or the protocol's)", () => {
  // A +10 ms slew at 500 ppm set at local time 1 s. By local 3 s (2 s on the clock, which runs
  // 500 ppm fast meanwhile) it has applied 500e-6 × 2,000,000 / 1.0005 = 999.5 µs: 9,000.5 left.
  const own = { deltaUs: 10_000, ratePpm: 500, at: 1_000_000 };

  it('the slew in progress is the own one while it is where the own one should be', () => {
    expect(ownSlewLeft(own, 3_000_000, 9000)).toEqual({ leftUs: 9000, ours: true, uncertainUs: 0 });
    // Finished: 10 ms take 20 s; at 25 s nothing is left, and nothing is in progress.
    expect(ownSlewLeft(own, 25_000_000, 0)).toEqual({ leftUs: 0, ours: true, uncertainUs: 0 });
    expect(ownSlewLeft(null, 3_000_000, 0)).toEqual({ leftUs: 0, ours: true, uncertainUs: 0 });
  });

  it("a fault's slew is told apart: the own one is taken to have run on, within what it applied", () => {
    // A clock-slew fault of +100 ms replaced it: 99 ms left is not where the own slew would be.
    const r = ownSlewLeft(own, 3_000_000, 99_000);
    expect(r.ours).toBe(false);
    expect(r.leftUs).toBeCloseTo(9000.5, 1);
    expect(r.uncertainUs).toBeCloseTo(999.5, 1);
    // A step (a clock-step fault) ended it: nothing in progress, where 9 ms should be left.
    expect(ownSlewLeft(own, 3_000_000, 0).ours).toBe(false);
    // The own slew had finished and a fault's is in progress: the own one is fully applied.
    expect(ownSlewLeft(own, 25_000_000, 40_000)).toEqual({ leftUs: 0, ours: false, uncertainUs: 10_000 });
  });

  it("Berkeley's corr. after a clock-slew fault replaced s3's slew: what its corrections did (seeds 1-10)", () => {
    // s3's first correction (+19.8 ms) is slewed; at 5 s a clock-slew fault of +100 ms at
    // 1,000 ppm replaces that slew, until s3's next Adjust replaces the fault's. corr. must count
    // s3's own corrections only: where they take the clock (its error + slew left) less where
    // the clock would be without them (offset + drift × t + what the fault's slew applied).
    for (let seed = 1; seed <= 10; seed++) {
      const sc = defaultScenario('berkeley');
      sc.faults = [
        { atUs: 5_000_000, fault: { kind: 'clock-slew', node: 's3', deltaUs: 100_000, ratePpm: 1000 } },
      ];
      const sim = new Simulation(sc, { seed });
      sim.runUntil(9_000_000);
      const rows = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1_000_000);
      const adjust = rows.find((r) => r.kind === 'note' && r.node === 's3' && r.timeUs > 5_000_000)!;
      const n = sim.nodeState('s3')!;
      const s3 = sc.topology.nodes.find((x) => x.id === 's3')!;
      const faultApplied = 1000e-6 * (adjust.timeUs - 5_000_000);
      // The node's clock is read at the last event's time, not at 9 s.
      const t = sim.status().nowUs;
      const without = (s3.clockOffsetUs ?? 0) + ((s3.clockDriftPpm ?? 0) * t) / 1e6 + faultApplied;
      const expected = n.clockErrorUs + n.slewLeftUs - without;
      // Off by at most what s3's own slew would have applied between the fault and the Adjust
      // (500 ppm × that), plus rounding.
      const slack = 500e-6 * (adjust.timeUs - 5_000_000) + 10;
      const corr = (n.state as BerkeleyState).correctionUs;
      expect(Math.abs(corr - expected), `seed=${seed} corr=${corr} expected=${expected}`).toBeLessThanOrEqual(
        slack,
      );
      // And s3 says why its count is approximate.
      expect(adjust.detail, `seed=${seed}`).toMatch(/^a clock fault replaced this clock's slew/);
    }
  });
});
