/**
 * The renderer's window on a run's trace: a contiguous run of events' rows, fetched in
 * windows with sim.trace and kept up to a cap. Pure functions; the run store holds one.
 *
 * Events (kernel event indexes, 1-based) are the unit: the cache covers every row of events
 * firstEvent..lastEvent. Rows of events after the run's current event stay as "ahead" after a
 * step back or seek (replay is deterministic, live changes included), until a live change
 * rewrites the future; see dropFrom.
 */
import type { TraceRow } from '../../../shared/api';

/** Most rows kept in memory; older events are dropped from the front (about 10 MB). */
export const MAX_CACHE_ROWS = 50_000;
/** A forward gap larger than this is not fetched row by row: the cache restarts at the tail. */
export const MAX_GAP_EVENTS = 5_000;
/** Events fetched when the cache restarts at the tail, or when loading earlier events. */
export const TAIL_EVENTS = 2_000;
/** Most rows one sim.trace call may return. */
export const FETCH_MAX_ROWS = 20_000;

export interface TraceCache {
  /** The run these rows belong to. */
  simId: string | null;
  /** Rows in trace order. */
  rows: TraceRow[];
  /** First event whose rows are all here (1 when the cache starts at the beginning). */
  firstEvent: number;
  /** Last event whose rows are all here (firstEvent - 1 when empty). */
  lastEvent: number;
}

export const EMPTY_CACHE: TraceCache = { simId: null, rows: [], firstEvent: 1, lastEvent: 0 };

/** What to fetch next to cover the run's current event, or null when covered. */
export function nextFetch(
  cache: TraceCache,
  simId: string,
  eventIndex: number,
): { from: number; to: number; restart: boolean } | null {
  if (cache.simId !== simId || eventIndex < cache.firstEvent - 1) {
    const from = Math.max(1, eventIndex - TAIL_EVENTS + 1);
    return eventIndex < 1 ? null : { from, to: eventIndex + 1, restart: true };
  }
  if (eventIndex <= cache.lastEvent) return null;
  if (eventIndex - cache.lastEvent > MAX_GAP_EVENTS) {
    return { from: Math.max(1, eventIndex - TAIL_EVENTS + 1), to: eventIndex + 1, restart: true };
  }
  return { from: cache.lastEvent + 1, to: eventIndex + 1, restart: false };
}

/** The cache after a fetch of events from..to-1 answered with rows. */
export function applyFetch(
  cache: TraceCache,
  simId: string,
  fetch: { from: number; to: number; restart: boolean },
  rows: TraceRow[],
): TraceCache {
  let to = fetch.to;
  let got = rows;
  if (rows.length >= FETCH_MAX_ROWS && rows.length > 0) {
    // Truncated: the last event may be partial, so keep only whole events.
    const lastIdx = rows[rows.length - 1]!.index;
    const whole = rows.filter((r) => r.index < lastIdx);
    if (whole.length > 0) {
      got = whole;
      to = lastIdx;
    }
  }
  const base =
    fetch.restart || cache.simId !== simId ? { ...EMPTY_CACHE, simId, firstEvent: fetch.from } : cache;
  const next: TraceCache = {
    simId,
    rows: base.rows.length === 0 ? got : base.rows.concat(got),
    firstEvent: base.rows.length === 0 ? fetch.from : base.firstEvent,
    lastEvent: to - 1,
  };
  return capFront(next, MAX_CACHE_ROWS);
}

/** Drops whole events from the front until at most max rows remain. */
export function capFront(cache: TraceCache, max: number): TraceCache {
  if (cache.rows.length <= max) return cache;
  const cut = cache.rows.length - max;
  const firstKept = cache.rows[cut]!.index;
  // Keep events whole: start at the first row of the event at the cut (or the next one).
  let start = cut;
  while (start > 0 && cache.rows[start - 1]!.index === firstKept) start--;
  if (start === 0) start = cut;
  const rows = cache.rows.slice(start);
  return { ...cache, rows, firstEvent: rows[0]?.index ?? cache.lastEvent + 1 };
}

/** Forgets the rows of events from `event` on (a live change there rewrote the future). */
export function dropFrom(cache: TraceCache, event: number): TraceCache {
  if (event > cache.lastEvent) return cache;
  const rows = cache.rows.filter((r) => r.index < event);
  return { ...cache, rows, lastEvent: Math.max(cache.firstEvent - 1, event - 1) };
}

/** The cache after loading earlier events (rows of events from..firstEvent-1) at its front. */
export function prepend(cache: TraceCache, from: number, rows: TraceRow[]): TraceCache {
  return { ...cache, rows: rows.concat(cache.rows), firstEvent: from };
}

/** Index of the last row whose event is at or before `event` (binary search), or -1. */
export function lastRowAtOrBefore(rows: readonly TraceRow[], event: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.index <= event) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** A message the canvas draws moving along its route. */
export interface Flight {
  /** Ties it to its send row. */
  sendId: number;
  /** Sender node id. */
  from: string;
  /** Receiver node id. */
  to: string;
  /** Message type (colours it). */
  msgType: string;
  /** Virtual time of the send, microseconds. */
  sentUs: number;
}

/** A drop the canvas marks with a red ×. */
export interface DropMark {
  /** The dropped message's send id. */
  sendId: number;
  /** Sender. */
  from: string;
  /** Intended receiver. */
  to: string;
  /** Why: loss, partition, no-route, down, ... */
  reason: string;
  /** How many events ago it happened (0 = the current event); the mark fades with age. */
  age: number;
}

/** Most messages animated at once; the newest win. */
export const MAX_FLIGHTS = 300;
/** Rows scanned backwards from the current event to find messages in flight. */
export const FLIGHT_SCAN_ROWS = 20_000;
/** Drops of this many most recent events are marked. */
export const DROP_EVENTS = 40;

/**
 * Messages in flight at an event: sends with no delivery or drop yet, among the last
 * FLIGHT_SCAN_ROWS rows up to the event. Also the drops of the last DROP_EVENTS events.
 */
export function flightsAt(
  rows: readonly TraceRow[],
  event: number,
): { flights: Flight[]; drops: DropMark[] } {
  const end = lastRowAtOrBefore(rows, event);
  const start = Math.max(0, end - FLIGHT_SCAN_ROWS + 1);
  const done = new Set<number>();
  const flights: Flight[] = [];
  const drops: DropMark[] = [];
  // Walk backwards: an ending seen first means its send (earlier) is not in flight.
  for (let i = end; i >= start; i--) {
    const r = rows[i]!;
    if (r.sendId === undefined) continue;
    if (r.kind === 'deliver') done.add(r.sendId);
    else if (r.kind === 'drop') {
      done.add(r.sendId);
      if (event - r.index < DROP_EVENTS && drops.length < MAX_FLIGHTS)
        drops.push({
          sendId: r.sendId,
          from: r.node,
          to: r.peer ?? r.node,
          reason: r.detail ?? 'drop',
          age: event - r.index,
        });
    } else if (r.kind === 'send' && !done.has(r.sendId) && flights.length < MAX_FLIGHTS) {
      flights.push({
        sendId: r.sendId,
        from: r.node,
        to: r.peer ?? r.node,
        msgType: r.msgType ?? '',
        sentUs: r.timeUs,
      });
    }
  }
  return { flights, drops };
}
