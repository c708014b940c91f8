/**
 * Node clocks. A clock maps true (simulation) time t to the node's local time, piecewise
 * linearly: from a reference point (t0, l0) it runs at rate 1 + (driftPpm + slewPpm)/1e6
 * until the slew ends (slewEndUs), then at 1 + driftPpm/1e6. A step jumps l0; a slew
 * (as ntpd/chrony's adjtime do) spreads a correction over time at a bounded rate, so the local
 * clock never runs backwards. Clock states are immutable plain objects: every change returns a
 * new one, so checkpoints copy references.
 */
export interface ClockState {
  /** True time of the reference point, microseconds. */
  t0Us: number;
  /** Local time at the reference point, microseconds (fractional). */
  l0Us: number;
  /** Drift in parts per million; positive runs fast. */
  driftPpm: number;
  /** Extra rate while a slew is in progress, ppm (signed), 0 when none. */
  slewPpm: number;
  /** True time at which the slew ends, or -1. */
  slewEndUs: number;
}

/** A clock that starts at `offsetUs` ahead of true time 0 and drifts at `driftPpm`. */
export function newClock(offsetUs: number, driftPpm: number): ClockState {
  return { t0Us: 0, l0Us: offsetUs, driftPpm, slewPpm: 0, slewEndUs: -1 };
}

/** Local time (fractional microseconds) at true time tUs (tUs >= t0Us). */
export function localAt(c: ClockState, tUs: number): number {
  const r1 = 1 + (c.driftPpm + c.slewPpm) / 1e6;
  if (c.slewEndUs < 0 || tUs <= c.slewEndUs) return c.l0Us + (tUs - c.t0Us) * r1;
  const lEnd = c.l0Us + (c.slewEndUs - c.t0Us) * r1;
  return lEnd + (tUs - c.slewEndUs) * (1 + c.driftPpm / 1e6);
}

/** True time (fractional) at which the local clock reads localUs (inverse of localAt). */
export function trueAt(c: ClockState, localUs: number): number {
  const r1 = 1 + (c.driftPpm + c.slewPpm) / 1e6;
  if (c.slewEndUs >= 0) {
    const lEnd = c.l0Us + (c.slewEndUs - c.t0Us) * r1;
    if (localUs > lEnd) return c.slewEndUs + (localUs - lEnd) / (1 + c.driftPpm / 1e6);
  }
  return c.t0Us + (localUs - c.l0Us) / r1;
}

/** The same clock with its reference point moved to tUs (a finished slew is dropped). */
export function rebase(c: ClockState, tUs: number): ClockState {
  const l = localAt(c, tUs);
  const slewing = c.slewEndUs >= 0 && tUs < c.slewEndUs;
  return {
    t0Us: tUs,
    l0Us: l,
    driftPpm: c.driftPpm,
    slewPpm: slewing ? c.slewPpm : 0,
    slewEndUs: slewing ? c.slewEndUs : -1,
  };
}

/** Steps the clock by deltaUs at true time tUs. */
export function stepClock(c: ClockState, tUs: number, deltaUs: number): ClockState {
  const b = rebase(c, tUs);
  return { ...b, l0Us: b.l0Us + deltaUs };
}

/**
 * Slews the clock by deltaUs at ratePpm starting at tUs: the correction takes
 * |deltaUs| / ratePpm * 1e6 microseconds of true time. A new slew replaces one in progress.
 */
export function slewClock(c: ClockState, tUs: number, deltaUs: number, ratePpm: number): ClockState {
  const b = rebase(c, tUs);
  if (deltaUs === 0) return { ...b, slewPpm: 0, slewEndUs: -1 };
  return {
    ...b,
    slewPpm: Math.sign(deltaUs) * ratePpm,
    slewEndUs: tUs + (Math.abs(deltaUs) / ratePpm) * 1e6,
  };
}

/** What the slew in progress still has to apply at true time tUs, signed µs (0 when none). */
export function slewLeftAt(c: ClockState, tUs: number): number {
  if (c.slewEndUs < 0 || tUs >= c.slewEndUs) return 0;
  return ((c.slewEndUs - Math.max(tUs, c.t0Us)) * c.slewPpm) / 1e6;
}

/** Changes the drift from tUs on. */
export function setDrift(c: ClockState, tUs: number, driftPpm: number): ClockState {
  return { ...rebase(c, tUs), driftPpm };
}

/**
 * The first integer true time >= nowUs at which the local clock reads at least localUs:
 * when a timer with that local deadline fires.
 */
export function fireTimeUs(c: ClockState, nowUs: number, localUs: number): number {
  let t = Math.max(nowUs, Math.ceil(trueAt(c, localUs)));
  // Float rounding can leave us one microsecond off either way; settle it exactly.
  while (localAt(c, t) < localUs) t++;
  while (t - 1 >= nowUs && localAt(c, t - 1) >= localUs) t--;
  return t;
}
