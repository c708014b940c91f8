/**
 * A partition replica's log by offset. Offsets only grow along the log, but after retention
 * (the oldest segments deleted: the log start offset moves) and compaction (older records of a
 * key removed) the record of offset o is no longer at position o. Design §4.8 "Log Compaction"
 * and the broker configuration (`cleanup.policy`, `retention.ms`, `retention.bytes`,
 * `segment.bytes`, `delete.retention.ms`).
 */
import type { LogRecord, ReplicaLog } from './types';

/** The log start offset: the first offset not deleted by retention (0 when nothing was). */
export const logStart = (r: ReplicaLog): number => r.logStartOffset ?? 0;

/** The log end offset (LEO): the offset the next record gets. */
export function logEndOffset(r: ReplicaLog): number {
  const last = r.log[r.log.length - 1];
  return last === undefined ? logStart(r) : last.offset + 1;
}

/** The position in `r.log` of the first record at or after `offset`. */
export function positionOf(r: ReplicaLog, offset: number): number {
  // Without gaps (no compaction) the record of offset o is at o - start.
  const guess = offset - (r.log[0]?.offset ?? 0);
  if (guess <= 0) return 0;
  if (guess >= r.log.length) {
    if (r.log.length === 0 || r.log[r.log.length - 1]!.offset < offset) return r.log.length;
  } else if (r.log[guess]!.offset === offset && (guess === 0 || r.log[guess - 1]!.offset < offset))
    return guess;
  let lo = 0;
  let hi = r.log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r.log[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The record of `offset`, or undefined (never written, truncated, deleted or compacted away). */
export function recordAt(r: ReplicaLog, offset: number): LogRecord | undefined {
  const rec = r.log[positionOf(r, offset)];
  return rec?.offset === offset ? rec : undefined;
}

/** At most `max` records from `offset` on, below `below`. */
export function recordsFrom(r: ReplicaLog, offset: number, max: number, below = Number.POSITIVE_INFINITY) {
  const out: LogRecord[] = [];
  for (let k = positionOf(r, offset); k < r.log.length && out.length < max; k++) {
    const rec = r.log[k]!;
    if (rec.offset >= below) break;
    out.push(rec);
  }
  return out;
}

/** Removes the records at and after `offset` (KIP-101 truncation); how many went. */
export function truncateTo(r: ReplicaLog, offset: number): number {
  const at = positionOf(r, offset);
  const gone = r.log.length - at;
  r.log.splice(at);
  return gone;
}

/**
 * Whether the log still answers for record `offset` of `key`: it holds it (with `value`), or
 * retention deleted it (below the log start), or compaction replaced it by a later record of the
 * same key. False when it lacks it otherwise (it was lost).
 */
export function keeps(r: ReplicaLog, offset: number, key: string, value: string): boolean {
  const rec = recordAt(r, offset);
  if (rec !== undefined) return rec.value === value && rec.key === key;
  if (offset < logStart(r)) return true;
  if (offset >= logEndOffset(r)) return false;
  for (let k = positionOf(r, offset); k < r.log.length; k++) if (r.log[k]!.key === key) return true;
  return false;
}

/** The segment size in offsets: segment k holds offsets [k·size, (k+1)·size). */
export interface CleanerConfig {
  /** cleanup.policy. */
  policy: 'delete' | 'compact' | 'compact,delete';
  /** retention.ms, µs (0: no time limit). */
  retentionUs: number;
  /** retention.bytes as a record count (0: no size limit). */
  retentionRecords: number;
  /** segment.bytes as offsets per segment. */
  segmentRecords: number;
  /** delete.retention.ms, µs: how long a tombstone is kept after its segment was cleaned. */
  deleteRetentionUs: number;
  /** Bug switch: compaction keeps each key's oldest record, not its latest. */
  bugKeepOldest?: boolean;
}

/**
 * The cleaner's pass over one replica (each broker cleans its own logs, as Kafka's log manager
 * and log cleaner do), never touching the active segment (the one the log end is in) nor records
 * at or above the high watermark. Retention (policy `delete`) deletes whole segments from the
 * log start: those whose newest record is older than retention.ms, then the oldest while the log
 * holds more than retention.bytes allows; the log start offset moves to the next segment's base.
 * Compaction (policy `compact`, §4.8) keeps, below the cleanable point, only the last record of
 * each key — the latest value — and the last record of each leader epoch (what Kafka's
 * leader-epoch cache keeps apart from the log, KIP-101); a tombstone (a record with no value)
 * goes once it is older than delete.retention.ms. Returns what was removed.
 */
export function clean(
  r: ReplicaLog,
  c: CleanerConfig,
  nowUs: number,
): { deleted: number; compacted: number; newStart: number } {
  const leo = logEndOffset(r);
  const activeBase = leo === 0 ? 0 : Math.floor((leo - 1) / c.segmentRecords) * c.segmentRecords;
  const cleanable = Math.min(activeBase, r.highWatermark);
  let deleted = 0;
  if (c.policy !== 'compact') {
    // Whole segments below the cleanable point, oldest first.
    let start = logStart(r);
    for (;;) {
      const base = Math.floor(start / c.segmentRecords) * c.segmentRecords;
      const end = base + c.segmentRecords;
      if (end > cleanable) break;
      const seg = recordsFrom(r, start, Number.POSITIVE_INFINITY, end);
      const expired = c.retentionUs > 0 && seg.every((rec) => rec.timestamp < nowUs - c.retentionUs);
      const tooBig = c.retentionRecords > 0 && r.log.length - deleted > c.retentionRecords;
      if (!expired && !tooBig) break;
      deleted += seg.length;
      start = end;
    }
    if (start > logStart(r)) {
      r.log.splice(0, positionOf(r, start));
      r.logStartOffset = start;
    }
  }
  let compacted = 0;
  if (c.policy !== 'delete') {
    const until = positionOf(r, cleanable);
    const lastOfKey = new Map<string, number>();
    const lastOfEpoch = new Map<number, number>();
    for (let k = 0; k < until; k++) {
      if (!c.bugKeepOldest || !lastOfKey.has(r.log[k]!.key)) lastOfKey.set(r.log[k]!.key, k);
      lastOfEpoch.set(r.log[k]!.epoch, k);
    }
    const kept: LogRecord[] = [];
    for (let k = 0; k < r.log.length; k++) {
      const rec = r.log[k]!;
      const keep =
        k >= until ||
        lastOfEpoch.get(rec.epoch) === k ||
        (lastOfKey.get(rec.key) === k &&
          !(rec.tombstone === true && rec.timestamp < nowUs - c.deleteRetentionUs));
      if (keep) kept.push(rec);
      else compacted += 1;
    }
    if (compacted > 0) r.log = kept;
  }
  return { deleted, compacted, newStart: logStart(r) };
}
