import type { Latency } from './schema';

/**
 * A latency distribution's mean in microseconds: what the kernel weighs routes by, what a trace
 * row and the app's descriptions call its mean, and where the canvas draws a message. One
 * function for the kernel and the renderer, so they route and describe a link alike. A
 * lognormal's mean is median * exp(sigma^2 / 2), above its median; a Pareto tail of shape 1 or
 * less has no finite mean, so it counts as its cap, or 10x its scale without one.
 */
export function meanLatencyUs(d: Latency): number {
  switch (d.kind) {
    case 'constant':
      return d.us;
    case 'uniform':
      return (d.minUs + d.maxUs) / 2;
    case 'normal':
      return Math.max(d.minUs ?? 0, d.meanUs);
    case 'lognormal':
      return d.medianUs * Math.exp((d.sigma * d.sigma) / 2);
    case 'pareto':
      if (d.shape > 1) {
        const m = (d.scaleUs * d.shape) / (d.shape - 1);
        return d.maxUs !== undefined ? Math.min(m, d.maxUs) : m;
      }
      return d.maxUs ?? d.scaleUs * 10;
  }
}
