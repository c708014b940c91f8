/**
 * Test helpers that read a finished run: the run summary the app grades exercises against,
 * and a metric series' largest, mean and last sample. Shared by the protocols' tests and the
 * golden exercise checks (a protocol folder never imports the Simulation itself).
 */
import type { RunSummary } from '../../shared/exercise/run-summary';
import { summarizeRun } from '../run-summary';
import type { Simulation } from '../simulation';

/** The host's run summary (what the app grades exercises against), for tests. */
export const summarize: (sim: Simulation) => RunSummary = summarizeRun;

/** Largest sample of a series (0 when absent). */
export function seriesMax(sim: Simulation, id: string): number {
  const s = sim.metrics().series.find((x) => x.id === id);
  return s === undefined || s.v.length === 0 ? 0 : Math.max(...s.v);
}

/** Mean sample of a series over samples with tUs in [fromUs, toUs) (0 when none). */
export function seriesMean(sim: Simulation, id: string, fromUs = 0, toUs = Number.POSITIVE_INFINITY): number {
  const s = sim.metrics().series.find((x) => x.id === id);
  if (s === undefined) return 0;
  let n = 0;
  let sum = 0;
  s.v.forEach((v, k) => {
    const t = s.tUs[k]!;
    if (t >= fromUs && t < toUs) {
      n++;
      sum += v;
    }
  });
  return n === 0 ? 0 : sum / n;
}

/** Last sample of a series (0 when absent). */
export function seriesLast(sim: Simulation, id: string): number {
  return (
    sim
      .metrics()
      .series.find((x) => x.id === id)
      ?.v.at(-1) ?? 0
  );
}
