/**
 * Whose slew is it? The kernel's clock has one slew in progress at a time, as BSD's adjtime
 * does: a `clock-slew` fault (another program calling adjtime) replaces the protocol's slew,
 * and a clock step abandons it; ctx.clock.slewLeftUs() then reports what is left of the
 * fault's slew, or 0. A protocol that counts what its corrections did (the badge's "corr.")
 * keeps the slew it set last and checks, before it uses slewLeftUs(), that the slew in
 * progress is where its own would be by now.
 */

/** The slew a node set last: how far, how fast, and its clock then. */
export interface OwnSlew {
  deltaUs: number;
  ratePpm: number;
  /** The node's clock when it set the slew. */
  at: number;
}

/** What is left of the node's own slew now, and whether the clock's slew in progress is it. */
export interface OwnSlewLeft {
  /** What the node's own slew still has to do, signed µs (0: none, or finished). */
  leftUs: number;
  /** False when something else (a clock fault) replaced or ended the node's slew. */
  ours: boolean;
  /** When not ours: how far `leftUs` can be from what the replaced slew really left, µs. */
  uncertainUs: number;
}

/**
 * A slew of r ppm moves the clock r µs per second of true time, while the clock runs r ppm
 * fast (plus its drift), so by local time `now` it has applied r·(now − at)/(1 + r) of its
 * delta, give or take drift × that (under a microsecond for a few seconds at 500 ppm). When
 * the clock's slew left (`clockLeftUs`) is not within 2 µs + 0.1% of what the node's own should
 * have left, the slew in progress is not the node's: the own slew is taken to have run on until
 * now, which is wrong by at most what it would have applied since it was replaced.
 */
export function ownSlewLeft(own: OwnSlew | null, now: number, clockLeftUs: number): OwnSlewLeft {
  if (own === null) return { leftUs: 0, ours: clockLeftUs === 0, uncertainUs: 0 };
  const rate = own.ratePpm * 1e-6;
  const applied = Math.min(Math.abs(own.deltaUs), (rate * Math.max(0, now - own.at)) / (1 + rate));
  const leftUs = Math.sign(own.deltaUs) * (Math.abs(own.deltaUs) - applied);
  if (Math.abs(clockLeftUs - leftUs) <= 2 + 1e-3 * applied)
    return { leftUs: clockLeftUs, ours: true, uncertainUs: 0 };
  return { leftUs, ours: false, uncertainUs: applied };
}
