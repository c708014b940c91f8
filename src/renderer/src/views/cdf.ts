/**
 * An experiment's figure as data (such as Raft's Figure 16): one cumulative-distribution step
 * line per series, in one graph per panel, on a log-scale time axis with the cumulative percent
 * of all trials up the side, as the paper draws it. Pure: no DOM.
 */
import type { ExperimentSeries } from '../../../shared/api';

export type ElectionResult = ExperimentSeries;

/** One series' line. */
export interface CdfSeries {
  /** "150–300 ms". */
  label: string;
  /** The panel (graph) it is drawn in. */
  panel: string;
  /** Median over all trials, ms; null when half or more were censored. */
  medianMs: number | null;
  /** Trials that reached the cap without a result (censored). */
  censored: number;
  /** Trials in all. */
  trials: number;
  /** The cap, ms. */
  capMs: number;
  /**
   * Step points (ms, cumulative fraction of all trials), starting at p = 0. With censored
   * trials the line runs on flat to the cap, where the censored marker sits: the rest of the
   * trials are somewhere beyond it.
   */
  points: { ms: number; p: number }[];
  /** The fraction of trials with a result within the cap (where the line ends). */
  endP: number;
}

/** Series from the experiment's answer (its CDF is over all trials, censored ones included). */
export function cdfSeries(results: readonly ElectionResult[]): CdfSeries[] {
  return results.map((r) => {
    const points: { ms: number; p: number }[] = [];
    let p = 0;
    for (const c of r.cdf) {
      const last = points[points.length - 1];
      if (last && last.ms === c.ms) last.p = c.p;
      else points.push({ ms: c.ms, p }, { ms: c.ms, p: c.p }); // horizontal, then the step up
      p = c.p;
    }
    const endP = r.trials === 0 ? 0 : (r.trials - r.censored) / r.trials;
    if (r.censored > 0) points.push({ ms: r.capMs, p: endP });
    return {
      label: r.label,
      panel: r.panel,
      medianMs: r.medianMs,
      censored: r.censored,
      trials: r.trials,
      capMs: r.capMs,
      points,
      endP,
    };
  });
}

/** "37 of 1000 over 10 s": a series' censored trials, or '' when none. */
export function censoredLabel(s: Pick<CdfSeries, 'censored' | 'trials' | 'capMs'>): string {
  return s.censored === 0 ? '' : `${s.censored} of ${s.trials} over ${msLabel(s.capMs)}`;
}

/** The x domain in ms: whole decades around every point (at least 100 ms .. 1 s). */
export function logDomain(series: readonly CdfSeries[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of series)
    for (const p of s.points) {
      if (p.ms > 0) lo = Math.min(lo, p.ms);
      hi = Math.max(hi, p.ms);
    }
  if (!Number.isFinite(lo)) return [100, 1000];
  const min = 10 ** Math.floor(Math.log10(Math.min(lo, 100)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(hi, 1000)));
  return [min, max];
}

/** Maps ms to x in [x0, x1] on a log scale over the domain. */
export function logX(ms: number, domain: [number, number], x0: number, x1: number): number {
  const l0 = Math.log10(domain[0]);
  const l1 = Math.log10(domain[1]);
  const v = Math.log10(Math.min(domain[1], Math.max(domain[0], ms)));
  return x0 + ((v - l0) / (l1 - l0)) * (x1 - x0);
}

/** Ticks on a log axis: each decade (labelled) and its 2x and 5x (unlabelled). */
export function logTicks(domain: [number, number]): { ms: number; major: boolean }[] {
  const out: { ms: number; major: boolean }[] = [];
  for (let d = domain[0]; d <= domain[1] * 1.0001; d *= 10) {
    out.push({ ms: d, major: true });
    for (const m of [2, 5]) if (d * m < domain[1]) out.push({ ms: d * m, major: false });
  }
  return out;
}

/** A tick label: 100 ms, 1 s, 10 s. */
export function msLabel(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

/** An SVG path ("M x y L x y ...") for a series in a plot box. */
export function cdfPath(
  s: CdfSeries,
  domain: [number, number],
  box: { x0: number; x1: number; y0: number; y1: number },
): string {
  return s.points
    .map((p, i) => {
      const x = logX(p.ms, domain, box.x0, box.x1);
      const y = box.y1 - p.p * (box.y1 - box.y0);
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
    })
    .join(' ');
}
