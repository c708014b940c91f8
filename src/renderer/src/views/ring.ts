/**
 * A ring view's geometry (`sim.view` of kind 'ring'): virtual nodes as ticks on the
 * circle, keys as dots just inside it, keys moved by the last membership change as short
 * arrows from the old owner's colour to the new, and the counts. Pure: no DOM.
 *
 * Angles come in degrees [0, 360), clockwise from the top (docs/protocols/consistent-hashing.md).
 */
import type { RingViewData } from '../../../shared/api';
import { sortIds } from './spacetime';

export type RingInfo = RingViewData;

/** A point on the drawing. */
export interface Pt {
  x: number;
  y: number;
}

/** A point at `angleDeg` (clockwise from 12 o'clock) and radius r around (cx, cy). */
export function polar(cx: number, cy: number, r: number, angleDeg: number): Pt {
  const a = (angleDeg * Math.PI) / 180;
  return { x: cx + r * Math.sin(a), y: cy - r * Math.cos(a) };
}

/** Drawing sizes: the circle's centre and radius. */
export interface RingFrame {
  cx: number;
  cy: number;
  r: number;
}

/** The ring laid out for drawing. */
export interface RingLayout {
  /**
   * Physical nodes in id order, each with its colour slot, the keys the ring places on it and,
   * when the view says, the keys it stores (null: down, or not said).
   */
  nodes: { id: string; slot: number; keys: number; held: number | null; vnodes: number; member: boolean }[];
  /** Virtual-node ticks, outward from the circle. */
  ticks: { label: string; node: string; slot: number; a: Pt; b: Pt }[];
  /** Key dots inside the circle. */
  keys: { key: string; owner: string; slot: number; at: Pt; moved: boolean }[];
  /** Moved keys: from a point outside (old owner's colour) to the key's dot (new owner's). */
  moves: { key: string; from: string; to: string; fromSlot: number; toSlot: number; a: Pt; b: Pt }[];
  /** Moved arrows left out by the cap. */
  movesOmitted: number;
}

/** Colour slots: physical nodes in id order take slots 0..7 (then wrap). */
export function nodeSlots(ids: Iterable<string>): Map<string, number> {
  return new Map(sortIds(new Set(ids)).map((id, i) => [id, i % 8]));
}

/** Lays the ring out in a frame; at most `maxMoves` moved-key arrows. */
export function ringLayout(ring: RingInfo, f: RingFrame, maxMoves = 400): RingLayout {
  const ids = new Set<string>([...ring.members, ...(ring.previousMembers ?? [])]);
  for (const v of ring.vnodes) ids.add(v.node);
  for (const k of ring.keys) ids.add(k.owner);
  for (const m of ring.moved) {
    ids.add(m.from);
    ids.add(m.to);
  }
  const slots = nodeSlots(ids);
  const slot = (id: string) => slots.get(id) ?? 0;
  const members = new Set(ring.members);
  const keyCount = new Map<string, number>();
  for (const k of ring.keys) keyCount.set(k.owner, (keyCount.get(k.owner) ?? 0) + 1);
  const vnodeCount = new Map<string, number>();
  for (const v of ring.vnodes) vnodeCount.set(v.node, (vnodeCount.get(v.node) ?? 0) + 1);

  const movedTo = new Map(ring.moved.map((m) => [m.key, m]));
  const rKey = f.r * 0.86;
  const ticks = ring.vnodes.map((v) => ({
    label: v.label,
    node: v.node,
    slot: slot(v.node),
    a: polar(f.cx, f.cy, f.r - 5, v.angle),
    b: polar(f.cx, f.cy, f.r + 9, v.angle),
  }));
  const angleOf = new Map(ring.keys.map((k) => [k.key, k.angle]));
  const keys = ring.keys.map((k) => ({
    key: k.key,
    owner: k.owner,
    slot: slot(k.owner),
    at: polar(f.cx, f.cy, rKey, k.angle),
    moved: movedTo.has(k.key),
  }));
  const moves: RingLayout['moves'] = [];
  for (const m of ring.moved) {
    if (moves.length >= maxMoves) break;
    const angle = angleOf.get(m.key);
    if (angle === undefined) continue;
    moves.push({
      key: m.key,
      from: m.from,
      to: m.to,
      fromSlot: slot(m.from),
      toSlot: slot(m.to),
      a: polar(f.cx, f.cy, f.r * 0.6, angle),
      b: polar(f.cx, f.cy, rKey - 4, angle),
    });
  }
  const nodes = [...slots.keys()].map((id) => ({
    id,
    slot: slot(id),
    keys: keyCount.get(id) ?? 0,
    held: ring.held?.[id] ?? null,
    vnodes: vnodeCount.get(id) ?? 0,
    member: members.has(id),
  }));
  return { nodes, ticks, keys, moves, movesOmitted: Math.max(0, ring.moved.length - moves.length) };
}

/** Bar widths (0..1 of the longest) for values side by side. */
export function barFractions(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max > 0 ? Math.max(0, v) / max : 0));
}
