/**
 * A disciplined software clock: what a time protocol sets, kept apart from the hardware clock.
 *
 * The kernel models each node's hardware clock (offset, drift, steps; `ctx.now()` reads it),
 * but the protocol contract offers no way to step or slew it. So, as many real implementations
 * keep a "system clock" apart from the oscillator, the correction lives in the protocol's own
 * state: software time = hardware time + correction. Stepping changes the correction at once;
 * slewing (ntpd's and chrony's `adjtime`) spreads a correction over time at a bounded rate, so
 * the software clock never runs backwards (RFC 5905 §12: corrections above the step threshold,
 * 128 ms, are stepped; smaller ones are slewed at most 500 ppm).
 *
 * All times are local microseconds: the slew runs on the node's own oscillator.
 */

/** The correction a node applies to its hardware clock. Plain data, kept in a node's state. */
export interface SoftClock {
  /** Correction already applied (steps plus the part of past slews done), microseconds. */
  correctionUs: number;
  /** What the slew in progress still has to apply at `slewFromUs`, signed microseconds. */
  slewLeftUs: number;
  /** Hardware time at which `slewLeftUs` was measured. */
  slewFromUs: number;
  /** The slew rate, parts per million of hardware time. */
  slewPpm: number;
}

/** A clock with no correction yet. */
export function newSoftClock(): SoftClock {
  return { correctionUs: 0, slewLeftUs: 0, slewFromUs: 0, slewPpm: 0 };
}

/** The part of the slew in progress already applied at hardware time `hwUs`. */
function slewed(c: SoftClock, hwUs: number): number {
  if (c.slewLeftUs === 0) return 0;
  const most = Math.max(0, hwUs - c.slewFromUs) * (c.slewPpm / 1e6);
  return Math.sign(c.slewLeftUs) * Math.min(Math.abs(c.slewLeftUs), most);
}

/** The software clock's reading at hardware time `hwUs`. */
export function readClock(c: SoftClock, hwUs: number): number {
  return hwUs + c.correctionUs + slewed(c, hwUs);
}

/** The total correction at hardware time `hwUs` (applied so far, slew included). */
export function correctionAt(c: SoftClock, hwUs: number): number {
  return c.correctionUs + slewed(c, hwUs);
}

/** What the slew in progress still has to apply at hardware time `hwUs` (signed). */
export function slewLeft(c: SoftClock, hwUs: number): number {
  return c.slewLeftUs - slewed(c, hwUs);
}

/** Folds the part of the slew done by `hwUs` into the correction. */
function settle(c: SoftClock, hwUs: number): void {
  const done = slewed(c, hwUs);
  c.correctionUs += done;
  c.slewLeftUs -= done;
  c.slewFromUs = hwUs;
}

/** Steps the clock by `deltaUs` at once; a slew in progress is abandoned (its done part stays). */
export function stepClock(c: SoftClock, hwUs: number, deltaUs: number): void {
  settle(c, hwUs);
  c.correctionUs += deltaUs;
  c.slewLeftUs = 0;
}

/**
 * Slews the clock by `deltaUs` at `ratePpm`, replacing a slew in progress (as adjtime does):
 * the correction takes |deltaUs| / ratePpm × 10⁶ µs of hardware time.
 */
export function slewClock(c: SoftClock, hwUs: number, deltaUs: number, ratePpm: number): void {
  settle(c, hwUs);
  c.slewLeftUs = deltaUs;
  c.slewPpm = ratePpm;
}

/** The whole correction decided so far: applied, plus what the slew in progress will still apply. */
export function decidedCorrection(c: SoftClock): number {
  return c.correctionUs + c.slewLeftUs;
}
