/**
 * What the library keeps of a run (src/shared/exercise/run-summary.ts), built from a live
 * simulation: totals, final metric values, checker verdicts and event counts. Exercise goals
 * are graded against exactly this, so its names are part of the exercise format:
 *   metrics: every counter and gauge by name (the gauges of a run with a workload include the
 *            common key-value metrics: `opLatencyP50Us`, `opLatencyP99Us`, `opsPerS`,
 *            `availability`, `msgsPerOp`, defined in kernel/kv-metrics.ts); each protocol
 *            metric's value at the end of the run; for other series `<id>` the last sample,
 *            and for latency-like series (unit us) also `<id>.mean`, `<id>.p50`, `<id>.p99`,
 *            `<id>.max` (for `opLatencyUs`, `.p50` and `.p99` equal the gauges above);
 *   eventCounts: trace rows by kind (`send`, `drop`, ...) and sends by message type (`msg:<type>`).
 */
import type { RunSummary } from '../shared/exercise/run-summary';
import { getProtocol } from './catalog';
import { quantile } from './kernel/kv-metrics';
import { type CheckProgress, type InPieces, runToEnd, type Simulation, type Verdict } from './simulation';

/** Rows read per trace window while counting. */
const WINDOW_EVENTS = 20_000;

export function summarizeRun(sim: Simulation): RunSummary {
  return runToEnd(summarizeRunInPieces(sim));
}

/** How far a summary under way got: the history checks first, then the events counted. */
export type SummaryProgress = CheckProgress | { checker: null; done: number; total: number };

/**
 * summarizeRun, a piece at a time (on a long run its history checks and its count of events
 * take seconds): the status, metrics and protocol metrics are read at once, then each call of
 * advance does at most about `work` steps of the history checks or counts at most `work`
 * events. The summary is of the event it was called at; the run should not go back meanwhile
 * (the sim host starts over when it does). `known`: the run's verdicts at this event when the
 * caller has them already (sim.invariants answered them), so the checks are not run again.
 */
export function summarizeRunInPieces(
  sim: Simulation,
  known?: Verdict[],
): InPieces<RunSummary> & { progress(): SummaryProgress } {
  const status = sim.status();
  const m = sim.metrics();
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(m.counters)) if (Number.isFinite(v)) metrics[k] = v;
  for (const [k, v] of Object.entries(m.gauges)) if (Number.isFinite(v)) metrics[k] = v;
  for (const s of m.series) {
    const finite = s.v.filter(Number.isFinite);
    if (finite.length === 0) continue;
    if (!(s.id in metrics)) metrics[s.id] = finite[finite.length - 1]!;
    if (s.unit === 'us') {
      const sorted = [...finite].sort((a, b) => a - b);
      metrics[`${s.id}.mean`] = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      metrics[`${s.id}.p50`] = quantile(sorted, 0.5);
      metrics[`${s.id}.p99`] = quantile(sorted, 0.99);
      metrics[`${s.id}.max`] = sorted[sorted.length - 1]!;
    }
  }

  // A protocol's metrics are sampled periodically; the summary wants their value at the end
  // of the run (a run stopped by a violation may end before the next sample).
  const protocol = getProtocol(sim.scenario.protocol);
  if (protocol) {
    const views = sim
      .nodeStates()
      .filter((n) => n.role !== 'switch' && !n.removed)
      .map((n) => ({
        id: n.id,
        role: n.role,
        up: n.up,
        state: n.state,
        localUs: n.localTimeUs,
        clockErrorUs: n.clockErrorUs,
        slewLeftUs: n.slewLeftUs,
      }));
    for (const spec of protocol.metrics) {
      const v = spec.read(views as never);
      if (Number.isFinite(v)) metrics[spec.id] = v;
    }
  }

  const outcome = status.violation
    ? 'violation'
    : status.stopReason === 'quiescent' || status.stopReason === 'time-limit'
      ? 'completed'
      : status.stopReason === null
        ? 'stopped'
        : 'limit';

  const checks = known === undefined ? sim.invariantsInPieces() : null;
  let verdicts: Verdict[] | null = known ?? null;
  const eventCounts: Record<string, number> = {};
  let from = 0; // the next event to count
  return {
    advance(work: number): RunSummary | null {
      verdicts ??= checks!.advance(work);
      if (verdicts === null) return null;
      let left = work;
      while (from <= status.eventIndex) {
        if (left <= 0) return null;
        const n = Math.min(WINDOW_EVENTS, left);
        left -= n;
        for (const row of sim.traceWindow({ from, to: from + n }, Number.MAX_SAFE_INTEGER)) {
          eventCounts[row.kind] = (eventCounts[row.kind] ?? 0) + 1;
          if (row.kind === 'send' && row.msgType) {
            const key = `msg:${row.msgType}`;
            eventCounts[key] = (eventCounts[key] ?? 0) + 1;
          }
        }
        from += n;
      }
      return {
        seed: status.seed,
        events: status.eventIndex,
        simulatedUs: Math.max(0, Math.floor(status.nowUs)),
        outcome,
        metrics,
        invariants: verdicts
          .filter((v) => v.ok !== null)
          .map((v) => ({
            id: v.id,
            ok: v.ok === true,
            message: v.ok ? '' : v.message,
            ...(v.atEvent === null ? {} : { atEvent: v.atEvent }),
          })),
        eventCounts,
      };
    },
    progress: () =>
      checks?.progress() ?? {
        checker: null,
        done: Math.min(from, status.eventIndex + 1),
        total: status.eventIndex + 1,
      },
  };
}
