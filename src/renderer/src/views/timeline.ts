/**
 * A timeline view's geometry (`sim.view` of kind 'timeline', a Gantt chart): one row per node,
 * a bar per span, markers as dashed lines with labels stacked so they do not overlap. The time
 * axis runs from 0 to the current time (or the last thing drawn, if later). Pure: no DOM.
 */
import type { TimelineViewData } from '../../../shared/api';
import { timeTicks } from './spacetime';

/** Where a timeline's parts go in a box `width` wide. */
export interface TimelineLayout {
  /** The axis's end, µs (its start is 0). */
  endUs: number;
  /** Time → x. */
  x(us: number): number;
  /** Ticks on the axis, µs. */
  ticks: number[];
  /** Top of row k. */
  rowY(k: number): number;
  /** Bars with their geometry: open bars end at `nowUs`. */
  bars: { k: number; row: number; x: number; w: number; open: boolean }[];
  /** Markers with their x and the label line (0 the top one). */
  markers: { k: number; x: number; level: number }[];
  /** The whole drawing's size. */
  width: number;
  height: number;
}

export const LABEL_W = 78;
export const ROW_H = 24;
export const LEVEL_H = 13;
const AXIS_H = 18;
/** A label's width in the view's 11 px font, roughly. */
export const textWidth = (text: string): number => text.length * 6.2 + 8;

/** Lays out a timeline at the current time `nowUs` in a box `width` wide. */
export function timelineLayout(data: TimelineViewData, nowUs: number, width: number): TimelineLayout {
  let endUs = Math.max(1, nowUs);
  for (const b of data.bars) endUs = Math.max(endUs, b.startUs, b.endUs ?? 0);
  for (const m of data.markers) endUs = Math.max(endUs, m.atUs);
  const W = Math.max(width, LABEL_W + 240);
  const plotW = W - LABEL_W - 20;
  const x = (us: number) => LABEL_W + (Math.min(Math.max(us, 0), endUs) / endUs) * plotW;

  // Marker labels, in time order, each on the first line where it does not overlap the last.
  const order = data.markers.map((m, k) => ({ m, k })).sort((a, b) => a.m.atUs - b.m.atUs || a.k - b.k);
  const lineEnds: number[] = [];
  const markers = order.map(({ m, k }) => {
    const mx = x(m.atUs);
    const w = textWidth(m.label);
    // A label right of its line, or left of it when it would run off the edge.
    const left = mx + w > W ? mx - w : mx;
    let level = lineEnds.findIndex((end) => end <= left);
    if (level < 0) level = lineEnds.length;
    lineEnds[level] = left + w + 4;
    return { k, x: mx, level };
  });
  const top = AXIS_H + Math.max(lineEnds.length, 1) * LEVEL_H + 6;
  const rowIndex = new Map(data.rows.map((r, k) => [r.id, k]));
  const bars = data.bars.flatMap((b, k) => {
    const row = rowIndex.get(b.row);
    if (row === undefined) return [];
    const x0 = x(b.startUs);
    const x1 = x(b.endUs ?? nowUs);
    return [{ k, row, x: x0, w: Math.max(2, x1 - x0), open: b.endUs === null }];
  });
  return {
    endUs,
    x,
    ticks: timeTicks(0, endUs, Math.max(2, Math.floor(plotW / 90))),
    rowY: (k) => top + k * ROW_H,
    bars,
    markers,
    width: W,
    height: top + data.rows.length * ROW_H + 8,
  };
}
