import type { Latency } from '../../shared/scenario/schema';
import type { Rng } from './rng';

/**
 * Draws one latency in integer microseconds (>= 0). Constant latencies draw nothing from the
 * stream, so a constant-latency link costs no randomness.
 * - uniform: min + U*(max-min)
 * - normal: mean + std*N(0,1), truncated below at minUs (default 0)
 * - lognormal: median * exp(sigma*N(0,1)), a long tail controlled by sigma
 * - pareto: scale / U^(1/shape) (inverse CDF), capped at maxUs when given; heavy-tailed
 */
export function sampleLatencyUs(d: Latency, rng: Rng): number {
  switch (d.kind) {
    case 'constant':
      return d.us;
    case 'uniform':
      return d.maxUs <= d.minUs ? d.minUs : Math.floor(d.minUs + rng.next() * (d.maxUs - d.minUs + 1));
    case 'normal':
      return Math.max(d.minUs ?? 0, Math.round(d.meanUs + d.stdUs * rng.normal()));
    case 'lognormal':
      return Math.max(0, Math.round(d.medianUs * Math.exp(d.sigma * rng.normal())));
    case 'pareto': {
      const u = 1 - rng.next(); // (0, 1]
      const v = Math.round(d.scaleUs / u ** (1 / d.shape));
      return d.maxUs !== undefined ? Math.min(v, d.maxUs) : v;
    }
  }
}

/** The distribution's mean in microseconds (route weights): shared with the renderer. */
export { meanLatencyUs } from '../../shared/scenario/latency';
