import type { RunSummary } from '../../../shared/exercise/run-summary';
import type { Simulation } from '../../simulation';

/**
 * A run summary for grading built-in exercises in tests. The host's own summary builder was
 * not written yet when these protocols were; this one follows RunSummary's field docs:
 * metrics are the last sample of every series plus the kernel counters, event counts are by
 * trace kind and by `msg:<type>` (sends), invariants are the protocol's verdicts.
 */
export function summarize(sim: Simulation): RunSummary {
  const m = sim.metrics();
  const metrics: Record<string, number> = { ...m.counters };
  for (const s of m.series) metrics[s.id] = s.v.at(-1) ?? 0;
  const eventCounts: Record<string, number> = {};
  for (const r of sim.traceWindow({ from: 0, to: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER)) {
    eventCounts[r.kind] = (eventCounts[r.kind] ?? 0) + 1;
    if (r.kind === 'send' && r.msgType !== undefined)
      eventCounts[`msg:${r.msgType}`] = (eventCounts[`msg:${r.msgType}`] ?? 0) + 1;
  }
  const v = sim.violation;
  return {
    seed: sim.seed,
    events: sim.eventIndex,
    simulatedUs: sim.nowUs,
    outcome: v !== null ? 'violation' : 'completed',
    metrics,
    invariants: sim
      .invariants()
      .filter((x) => x.kind === 'invariant')
      .map((x) =>
        x.ok === false
          ? { id: x.id, ok: false, message: x.message, atEvent: x.atEvent ?? 0 }
          : { id: x.id, ok: true, message: '' },
      ),
    eventCounts,
  };
}

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
