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
 *   operation invoked;
 * - `staleReads`, `staleReadRate`: reads that returned a value older than a write that had
 *   completed before the read began, in real time (`staleReadCount`), and their share of the
 *   reads answered.
 * A metric with nothing to measure yet (no answer, no time, no operation) is absent.
 *
 * Over time, per window of KV_WINDOW_US of virtual time (`kvWindowSeries`), the same two sides
 * of CAP: `windowAvailability`, the share of the operations finished in the window (answered
 * ok, answered failed, given up on) that were answered ok, and `windowStaleReads`, the share of
 * the reads answered in the window that were stale. A window with nothing finished has no point.
 */
import type { KvOp } from '../checkers/history';

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

/** What `staleReadCount` finds. */
export interface StaleReads {
  /** Reads answered (ok) in the history. */
  reads: number;
  /** Of those, reads that returned a value older than a write completed before they began. */
  stale: number;
  /** Their ids, in history order. */
  ids: number[];
}

/**
 * Stale reads in real-time order, from the client history alone (no clocks of the nodes): a
 * read is stale when some write w' to its key completed before the read began, and the read
 * returned either nothing (the key missing) or the value of a write that completed before w'
 * began. A read concurrent with a write is never stale, and a read of a write whose outcome is
 * unknown cannot be shown older. Each stale read is a violation of linearizability that needs
 * no search: the named write had completed, so a later read must see it or something newer.
 * Writes carry unique values (the workload's `v<id>`), which identify the write a read saw.
 */
export function staleReadCount(history: readonly KvOp[]): StaleReads {
  const { reads, stale } = staleReadList(history);
  return { reads, stale: stale.length, ids: stale.map((s) => s.id) };
}

/** A stale read (staleReadList): the read, and the write it should have seen or something newer. */
export interface StaleRead {
  /** The read's operation id. */
  id: number;
  /**
   * The write to its key that completed before the read began and started last among those:
   * the read returned something older than it (or nothing).
   */
  newer: number;
}

/** The stale reads of staleReadCount, each with the write that shows it stale, in history order. */
export function staleReadList(history: readonly KvOp[]): { reads: number; stale: StaleRead[] } {
  // Per key: completed writes by answer time, with the latest start among those answered so far.
  const writes = new Map<string, KvOp[]>();
  const byValue = new Map<string, KvOp>();
  for (const op of history) {
    if (op.kind !== 'put') continue;
    if (op.value !== undefined) byValue.set(`${op.key}\u0000${op.value}`, op);
    if (op.returnUs === null) continue;
    const list = writes.get(op.key) ?? [];
    if (list.length === 0) writes.set(op.key, list);
    list.push(op);
  }
  const prefixLatest = new Map<string, { returnUs: number[]; latest: KvOp[] }>();
  for (const [key, list] of writes) {
    list.sort((a, b) => a.returnUs! - b.returnUs!);
    const latest: KvOp[] = [];
    let m: KvOp | undefined;
    for (const w of list) {
      if (m === undefined || w.callUs > m.callUs) m = w;
      latest.push(m);
    }
    prefixLatest.set(key, { returnUs: list.map((w) => w.returnUs!), latest });
  }
  let reads = 0;
  const stale: StaleRead[] = [];
  for (const op of history) {
    if (op.kind !== 'get' || op.returnUs === null) continue;
    reads++;
    const w = prefixLatest.get(op.key);
    if (w === undefined) continue;
    // Writes answered strictly before the read began: the latest start among them.
    let lo = 0;
    let hi = w.returnUs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w.returnUs[mid]! < op.callUs) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    const latest = w.latest[lo - 1]!;
    const out = op.output ?? null;
    if (out === null) {
      stale.push({ id: op.id, newer: latest.id });
      continue;
    }
    const seen = byValue.get(`${op.key}\u0000${out}`);
    if (seen !== undefined && seen.returnUs !== null && seen.returnUs < latest.callUs)
      stale.push({ id: op.id, newer: latest.id });
  }
  return { reads, stale };
}

/**
 * The window of the windowed key-value series, virtual microseconds: 100 ms, the kernel's
 * sampling interval (a named choice: short enough to show a partition of a second or two start
 * and end, long enough to hold a few operations of a small workload).
 */
export const KV_WINDOW_US = 100_000;

/** One finished operation, for kvWindowSeries. */
export interface FinishedOp {
  /** When it finished (answered, or given up on), virtual µs. */
  endUs: number;
  /** Answered ok, answered failed, or given up on. */
  outcome: 'ok' | 'failed' | 'unknown';
  /** A read answered ok: whether it was stale (staleReadList). Undefined for other operations. */
  stale?: boolean;
}

/**
 * The windowed availability and stale-read share (see the module comment) of the windows that
 * have ended by nowUs, each point at its window's end.
 */
export function kvWindowSeries(
  ops: readonly FinishedOp[],
  nowUs: number,
  windowUs = KV_WINDOW_US,
): { availability: { tUs: number[]; v: number[] }; staleReads: { tUs: number[]; v: number[] } } {
  const windows = Math.max(0, Math.floor(nowUs / windowUs));
  const finished = new Float64Array(windows);
  const ok = new Float64Array(windows);
  const reads = new Float64Array(windows);
  const stale = new Float64Array(windows);
  for (const op of ops) {
    const w = Math.floor(op.endUs / windowUs);
    if (w < 0 || w >= windows) continue;
    finished[w]!++;
    if (op.outcome === 'ok') ok[w]!++;
    if (op.stale !== undefined) {
      reads[w]!++;
      if (op.stale) stale[w]!++;
    }
  }
  const availability = { tUs: [] as number[], v: [] as number[] };
  const staleReads = { tUs: [] as number[], v: [] as number[] };
  for (let w = 0; w < windows; w++) {
    const end = (w + 1) * windowUs;
    if (finished[w]! > 0) {
      availability.tUs.push(end);
      availability.v.push(ok[w]! / finished[w]!);
    }
    if (reads[w]! > 0) {
      staleReads.tUs.push(end);
      staleReads.v.push(stale[w]! / reads[w]!);
    }
  }
  return { availability, staleReads };
}
