/**
 * Playback speed per scenario, pure: which key a scenario's speed is kept under, the speed a
 * scenario opens at, and the kept map after a choice. The effects are in app/pace.ts.
 */
import { SPEED_MAX_X, SPEED_MIN_X, SPEEDS_KEPT } from '../../../shared/api';

/** Speeds by scenario key, the most recently chosen last. */
export type Speeds = Readonly<Record<string, number>>;

/**
 * The key a scenario's speed is kept under: its library item (`item:<id>`), or, for a new
 * document not saved yet, its protocol (`new:<protocol>`: a protocol's quick start). Null when
 * there is neither.
 */
export function speedKey(itemId: string | null | undefined, protocolId: string | null): string | null {
  if (itemId) return `item:${itemId}`;
  return protocolId ? `new:${protocolId}` : null;
}

/** Clamps a speed to what the slider offers. */
export function clampSpeed(x: number): number {
  return Math.min(SPEED_MAX_X, Math.max(SPEED_MIN_X, x));
}

/** The speed a scenario opens at: the one chosen for it before, else its protocol's. */
export function openingSpeed(speeds: Speeds, key: string | null, protocolSpeed: number): number {
  const chosen = key === null ? undefined : speeds[key];
  return clampSpeed(chosen ?? protocolSpeed);
}

/**
 * The map after choosing `x` for `key` (null: forget the key): the key moves to the end, and
 * the least recently chosen go once more than SPEEDS_KEPT are kept.
 */
export function rememberSpeed(speeds: Speeds, key: string, x: number | null): Record<string, number> {
  const next: Record<string, number> = {};
  for (const [k, v] of Object.entries(speeds)) if (k !== key) next[k] = v;
  if (x !== null) next[key] = clampSpeed(x);
  const keys = Object.keys(next);
  for (const k of keys.slice(0, Math.max(0, keys.length - SPEEDS_KEPT))) delete next[k];
  return next;
}
