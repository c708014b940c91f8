/**
 * The common metrics of every key-value run (a scenario with a workload), whatever the
 * protocol: computed by the kernel from the client history and its counters, never by a
 * protocol (docs/kernel.md "Metrics"). Names and definitions:
 * - `opLatencyP50Us`, `opLatencyP99Us`: the median and 99th percentile (nearest rank) of the
 *   latency of the operations answered so far, ok or failed, from invocation to answer in
 *   virtual time (the `opLatencyUs` series; an operation never answered has no latency);
 * - `opsPerS`: throughput, operations answered (ok or failed) per second of virtual time since
 *   the workload started;
 * - `availability`: the share of finished operations answered ok, out of those answered ok,
 *   answered failed, or given up on at the workload's timeout (pending ones are not counted);
 * - `msgsPerOp`: messages sent (every protocol message, background traffic included) per
 *   operation invoked.
 * A metric with nothing to measure yet (no answer, no time, no operation) is absent.
 */

/** The nearest-rank quantile of ascending values: the smallest value with at least q of them at or below it (0 when empty). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** What the metrics are computed from. */
export interface KvTotals {
  /** Operations invoked. */
  invoked: number;
  /** Answered ok. */
  ok: number;
  /** Answered failed (`ok: false`). */
  failed: number;
  /** Given up on at the workload's timeout, never answered. */
  unknown: number;
  /** Messages sent. */
  sent: number;
  /** Virtual time since the workload started, microseconds. */
  spanUs: number;
}

/** The common key-value metrics by name, from the latencies of the answered operations (any order) and the totals. */
export function kvMetrics(latenciesUs: ArrayLike<number>, t: KvTotals): Record<string, number> {
  const out: Record<string, number> = {};
  if (latenciesUs.length > 0) {
    const sorted = Float64Array.from(latenciesUs).sort();
    out.opLatencyP50Us = quantile(sorted, 0.5);
    out.opLatencyP99Us = quantile(sorted, 0.99);
  }
  const answered = t.ok + t.failed;
  if (t.spanUs > 0) out.opsPerS = answered / (t.spanUs / 1e6);
  if (answered + t.unknown > 0) out.availability = t.ok / (answered + t.unknown);
  if (t.invoked > 0) out.msgsPerOp = t.sent / t.invoked;
  return out;
}
