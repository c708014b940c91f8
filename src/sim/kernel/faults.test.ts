import { describe, expect, it } from 'vitest';
import type { Latency } from '../../shared/scenario/schema';
import { defaultScenario } from '../catalog';
import { Simulation } from '../simulation';
import { describeFault } from './faults';

/** The trace row of a latency degrade names the distribution and its mean, as the fault script does. */
const degrade = (latency: Latency, more: { lossRate?: number } = {}) =>
  describeFault({ kind: 'degrade-link', link: 'l1', ...more, latency });

describe('describeFault: a degrade-link with a latency', () => {
  it('names the distribution and its mean in ms', () => {
    expect(degrade({ kind: 'normal', meanUs: 30_000, stdUs: 5_000 })).toBe(
      'degrade-link l1 latency=normal(mean 30 ms)',
    );
    expect(degrade({ kind: 'constant', us: 500 }, { lossRate: 0.1 })).toBe(
      'degrade-link l1 loss=0.1 latency=constant(mean 0.5 ms)',
    );
    expect(degrade({ kind: 'uniform', minUs: 1_000, maxUs: 4_000 })).toBe(
      'degrade-link l1 latency=uniform(mean 2.5 ms)',
    );
  });

  it('gives a long tail its true mean, and says when a Pareto tail has none', () => {
    // A lognormal's mean is median * exp(sigma^2 / 2), above its median.
    expect(degrade({ kind: 'lognormal', medianUs: 10_000, sigma: 1 })).toBe(
      'degrade-link l1 latency=lognormal(mean 16.5 ms)',
    );
    expect(degrade({ kind: 'pareto', scaleUs: 2_000, shape: 2 })).toBe(
      'degrade-link l1 latency=pareto(mean 4 ms)',
    );
    expect(degrade({ kind: 'pareto', scaleUs: 2_000, shape: 1 })).toBe(
      'degrade-link l1 latency=pareto(mean unbounded)',
    );
  });

  it('is what the fault row of a run reads', () => {
    const sc = defaultScenario('ping-pong');
    const link = sc.topology.links[0]!.id;
    const sim = new Simulation({
      ...sc,
      faults: [
        {
          atUs: 1_000,
          fault: { kind: 'degrade-link', link, latency: { kind: 'normal', meanUs: 30_000, stdUs: 1_000 } },
        },
      ],
    });
    sim.runUntil(2_000);
    const rows = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }).filter((r) => r.kind === 'fault');
    expect(rows.map((r) => r.detail)).toEqual([`degrade-link ${link} latency=normal(mean 30 ms)`]);
  });
});
