/**
 * The space-time diagram's data (Lamport, "Time, Clocks, and the Ordering of Events in a
 * Distributed System", 1978, Fig. 1 drawn sideways): one lane per node, messages as arrows from
 * (sender, send time) to (receiver, delivery time) tied by sendId, drops as arrows that end in a
 * cross, local events as marks, crashed intervals as spans. Pure: no DOM, no stores.
 *
 * Two steps so a long trace window is paired once and windowed cheaply on every zoom or pan:
 * `buildModel(rows, ...)` pairs the whole window; `windowed(model, ...)` cuts out what a view
 * of [fromUs, toUs] draws, capped.
 */
import type { TraceRow } from '../../../shared/api';
import { msgTypeSlot } from '../run/format';

/** One horizontal lane. */
export interface Lane {
  /** Node id. */
  id: string;
  /** Label shown (the node's name). */
  name: string;
}

/** A message: send to delivery, or to its drop, or still open (in flight at the window's end). */
export interface StArrow {
  /** Ties the rows together. */
  sendId: number;
  /** Sender node id. */
  from: string;
  /** Receiver node id. */
  to: string;
  /** Message type. */
  msgType: string;
  /** Colour slot 0..7 (the canvas's message palette). */
  slot: number;
  /** Virtual time of the send, µs. */
  sendUs: number;
  /** Event of the send. */
  sendEvent: number;
  /** Trace row of the send. */
  sendRow: number;
  /** Trace row of the delivery or drop (the send's row when open). */
  endRow: number;
  /** Virtual time of the delivery or drop, µs (the window's last time when open). */
  endUs: number;
  /** Event of the delivery or drop (the send's event when open). */
  endEvent: number;
  /** How it ended. */
  end: 'deliver' | 'drop' | 'open';
  /** Drop reason (loss, partition, down, ...). */
  reason?: string;
}

/** A local event on one lane (node null: a fault about no single node, drawn across lanes). */
export interface StMark {
  /** Event index. */
  event: number;
  /** Trace row. */
  row: number;
  /** Virtual time, µs. */
  timeUs: number;
  /** Node id, or null for a global fault (partition, heal, ...). */
  node: string | null;
  /** Row kind. */
  kind: TraceRow['kind'];
  /** Timer name, fault, note... */
  detail: string;
}

/** A span of time a node was down (crashed or removed). */
export interface CrashSpan {
  /** Node id. */
  node: string;
  /** From, µs. */
  fromUs: number;
  /** Until, µs; null while still down at the end of the rows. */
  toUs: number | null;
}

/** The whole trace window, paired. */
export interface SpaceTimeModel {
  /** Lanes top to bottom. */
  lanes: Lane[];
  /** Messages in send order. */
  arrows: StArrow[];
  /** Local events in trace order. */
  marks: StMark[];
  /** Down spans. */
  crashed: CrashSpan[];
  /** Time of the first and last row, µs (0, 0 when empty). */
  firstUs: number;
  lastUs: number;
}

/** Row kinds drawn as marks on a lane. */
export const MARK_KINDS: ReadonlySet<TraceRow['kind']> = new Set([
  'timer',
  'client',
  'reply',
  'fault',
  'note',
  'restart',
  'violation',
]);

/** Node ids in a natural order: n2 before n10. */
export function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const DOWN = /(?:^|: )(crash|remove-node) (\S+)/;
const UP = /(?:^|: )restart (\S+)/;

/**
 * Pairs the rows of a trace window. `nodes` are the canvas's nodes (switches left out by the
 * caller); nodes that appear only in the rows (added by a fault) get a lane too. `downNow` are
 * the nodes down at the last row: one crashed before the window began is shaded from its start.
 */
export function buildModel(
  rows: readonly TraceRow[],
  nodes: readonly Lane[],
  downNow: ReadonlySet<string> = new Set(),
): SpaceTimeModel {
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  const seen = new Set(nodes.map((n) => n.id));
  const arrows: StArrow[] = [];
  const open = new Map<number, StArrow>();
  const marks: StMark[] = [];
  const crashed: CrashSpan[] = [];
  const downSince = new Map<string, number>();
  const firstUs = rows[0]?.timeUs ?? 0;
  const lastUs = rows[rows.length - 1]?.timeUs ?? 0;

  for (const r of rows) {
    if (r.kind === 'send' && r.sendId !== undefined) {
      const to = r.peer ?? r.node;
      const a: StArrow = {
        sendId: r.sendId,
        from: r.node,
        to,
        msgType: r.msgType ?? '',
        slot: msgTypeSlot(r.msgType),
        sendUs: r.timeUs,
        sendEvent: r.index,
        sendRow: r.row,
        endUs: lastUs,
        endEvent: r.index,
        endRow: r.row,
        end: 'open',
      };
      arrows.push(a);
      open.set(r.sendId, a);
      seen.add(r.node);
      seen.add(to);
      continue;
    }
    if ((r.kind === 'deliver' || r.kind === 'drop') && r.sendId !== undefined) {
      const a = open.get(r.sendId);
      if (!a) continue; // its send is before the window: nothing to tie it to
      open.delete(r.sendId);
      a.endUs = r.timeUs;
      a.endEvent = r.index;
      a.endRow = r.row;
      a.end = r.kind;
      if (r.kind === 'drop') a.reason = r.detail ?? 'drop';
      continue;
    }
    if (r.kind === 'fault') {
      const down = DOWN.exec(r.detail ?? '');
      const up = UP.exec(r.detail ?? '');
      if (down?.[2] && !downSince.has(down[2])) downSince.set(down[2], r.timeUs);
      if (up?.[1]) closeSpan(up[1], r.timeUs);
    } else if (r.kind === 'restart') closeSpan(r.node, r.timeUs);
    if (MARK_KINDS.has(r.kind)) {
      const onLane = r.node !== '' && (seen.has(r.node) || r.kind !== 'fault');
      if (onLane) seen.add(r.node);
      marks.push({
        event: r.index,
        row: r.row,
        timeUs: r.timeUs,
        node: onLane ? r.node : null,
        kind: r.kind,
        detail: r.detail ?? '',
      });
    }
  }
  for (const [node, fromUs] of downSince) crashed.push({ node, fromUs, toUs: null });
  for (const node of downNow) {
    if (!downSince.has(node) && !crashed.some((c) => c.node === node && c.toUs === null))
      crashed.push({ node, fromUs: firstUs, toUs: null });
  }
  crashed.sort((a, b) => a.fromUs - b.fromUs || a.node.localeCompare(b.node));

  const lanes = sortIds(seen)
    .filter((id) => id !== '')
    .map((id) => ({ id, name: names.get(id) ?? id }));
  return { lanes, arrows, marks, crashed, firstUs, lastUs };

  function closeSpan(node: string, atUs: number) {
    const from = downSince.get(node);
    if (from === undefined) {
      // Restarted without a crash in the window: it was down since the window began.
      if (!crashed.some((c) => c.node === node)) crashed.push({ node, fromUs: firstUs, toUs: atUs });
      return;
    }
    downSince.delete(node);
    crashed.push({ node, fromUs: from, toUs: atUs });
  }
}

/** What one view of the diagram draws. */
export interface SpaceTimeWindow {
  /** Arrows overlapping the window, at most the cap (the ones nearest the cursor). */
  arrows: StArrow[];
  /** Marks inside the window, at most the cap. */
  marks: StMark[];
  /** Down spans overlapping the window, clipped to it. */
  crashed: { node: string; fromUs: number; toUs: number }[];
  /** Arrows left out by the cap. */
  arrowsOmitted: number;
  /** Marks left out by the cap. */
  marksOmitted: number;
}

/** Cuts out the part of the model in [fromUs, toUs]; keeps the `maxArrows` nearest `cursorUs`. */
export function windowed(
  model: SpaceTimeModel,
  fromUs: number,
  toUs: number,
  cursorUs: number,
  maxArrows = 2_000,
  maxMarks = 2_000,
): SpaceTimeWindow {
  let arrows = model.arrows.filter((a) => a.sendUs <= toUs && a.endUs >= fromUs);
  let arrowsOmitted = 0;
  if (arrows.length > maxArrows) {
    arrowsOmitted = arrows.length - maxArrows;
    const dist = (a: StArrow) =>
      cursorUs < a.sendUs ? a.sendUs - cursorUs : cursorUs > a.endUs ? cursorUs - a.endUs : 0;
    arrows = arrows
      .map((a, i) => ({ a, i, d: dist(a) }))
      .sort((x, y) => x.d - y.d || x.i - y.i)
      .slice(0, maxArrows)
      .sort((x, y) => x.i - y.i)
      .map((x) => x.a);
  }
  let marks = model.marks.filter((m) => m.timeUs >= fromUs && m.timeUs <= toUs);
  let marksOmitted = 0;
  if (marks.length > maxMarks) {
    marksOmitted = marks.length - maxMarks;
    marks = marks
      .map((m, i) => ({ m, i, d: Math.abs(m.timeUs - cursorUs) }))
      .sort((x, y) => x.d - y.d || x.i - y.i)
      .slice(0, maxMarks)
      .sort((x, y) => x.i - y.i)
      .map((x) => x.m);
  }
  const crashed = model.crashed
    .map((c) => ({ node: c.node, fromUs: c.fromUs, toUs: c.toUs ?? Math.max(toUs, model.lastUs) }))
    .filter((c) => c.fromUs <= toUs && c.toUs >= fromUs)
    .map((c) => ({ node: c.node, fromUs: Math.max(c.fromUs, fromUs), toUs: Math.min(c.toUs, toUs) }));
  return { arrows, marks, crashed, arrowsOmitted, marksOmitted };
}

/**
 * Where a dropped message's cross sits between its lanes (0 = sender, 1 = receiver): at the
 * receiver for a message that reached a down node, part-way for one lost or cut on the way.
 */
export function dropFraction(reason: string | undefined): number {
  return reason === 'down' ? 1 : 0.55;
}

/** Round tick positions ("nice" 1-2-5 steps) for a time axis; values in µs. */
export function timeTicks(fromUs: number, toUs: number, count = 6): number[] {
  const span = toUs - fromUs;
  if (!(span > 0) || count < 1) return [];
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let t = Math.ceil(fromUs / step) * step; t <= toUs + 1e-9; t += step)
    out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

/** A tick label in ms: "12", "12.5", "0.25". */
export function tickLabelMs(us: number): string {
  return `${Number((us / 1000).toPrecision(6))}`;
}

/**
 * The window for a span ending near the cursor: the cursor sits at 85% of the width (what just
 * happened is to its left), moved by a pan offset, never before time 0.
 */
export function viewWindow(
  cursorUs: number,
  spanUs: number,
  panUs: number,
): { fromUs: number; toUs: number } {
  const fromUs = Math.max(0, cursorUs - 0.85 * spanUs + panUs);
  return { fromUs, toUs: fromUs + spanUs };
}

/**
 * A first span that shows about `target` messages before the cursor (so a quiet protocol is
 * not an empty strip and a chatty one is not a smear), rounded to 1-2-5, within 1 ms .. 1 h.
 */
export function autoSpanUs(model: SpaceTimeModel, cursorUs: number, target = 120): number {
  let seen = 0;
  let fromUs = model.firstUs;
  for (let i = model.arrows.length - 1; i >= 0; i--) {
    const a = model.arrows[i]!;
    if (a.sendUs > cursorUs) continue;
    seen++;
    fromUs = a.sendUs;
    if (seen >= target) break;
  }
  if (seen < target) fromUs = model.firstUs;
  const wanted = Math.max(1_000, (cursorUs - fromUs) / 0.85);
  const pow = 10 ** Math.floor(Math.log10(wanted));
  const nice = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= wanted) ?? 10 * pow;
  return Math.min(3_600_000_000, nice);
}

/** A span for the readout, three significant digits: "78.1 ms", "5 s", "250 µs". */
export function spanLabel(us: number): string {
  if (us < 1000) return `${Number(us.toPrecision(3))} µs`;
  if (us < 1_000_000) return `${Number((us / 1000).toPrecision(3))} ms`;
  return `${Number((us / 1e6).toPrecision(3))} s`;
}
