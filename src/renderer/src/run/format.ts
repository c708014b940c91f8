/** How run numbers are shown to people: virtual time, event indexes, speeds. Pure. */

/** Virtual time with a unit that fits: "t = 976 µs", "t = 12.345 ms", "t = 1.234567 s". */
export function formatTime(us: number): string {
  return `t = ${formatDuration(us)}`;
}

/** A duration in microseconds with a unit that keeps microsecond precision. */
export function formatDuration(us: number): string {
  const a = Math.abs(us);
  if (a < 1000) return `${Math.round(us)} µs`;
  if (a < 1_000_000) return `${(us / 1000).toFixed(3)} ms`;
  return `${(us / 1e6).toFixed(6)} s`;
}

/** A signed duration for clock errors: "+10.000 ms", "−250 µs". */
export function formatSignedDuration(us: number): string {
  const sign = us > 0 ? '+' : us < 0 ? '−' : '';
  return `${sign}${formatDuration(Math.abs(us))}`;
}

/** Thousands separated, locale-independent: 1,234,567. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A metric's value in a chart head or table: whole numbers exactly, with thousands separated
 * ("10,763", not a rounded "10760"), fractions from 1,000 up to the nearest whole ("12,346"),
 * smaller ones to 4 significant digits ("2.832", "0.9873").
 */
export function formatMetric(v: number): string {
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return formatCount(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

/**
 * A chart's axis tick: short, so the axis stays narrow ("950", "2500", "12k", "1.5M"); at most
 * 3 significant digits past 9,999.
 */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/** The event readout: "event 1,234". */
export function formatEvent(index: number): string {
  return `event ${formatCount(index)}`;
}

/** Speed shown to people (virtual seconds per wall second): 0.001x, 0.05x, 2.5x, 1000x. */
export function formatSpeed(x: number): string {
  if (x < 0.01) return `${Number(x.toPrecision(2))}x`;
  if (x < 1) return `${Number(x.toPrecision(2))}x`;
  if (x < 10) return `${Number(x.toFixed(1))}x`;
  return `${Math.round(x)}x`;
}

/** A stable colour slot (0..7) for a message type, so "ping" is the same colour every run. */
export function msgTypeSlot(msgType: string | undefined, slots = 8): number {
  if (!msgType) return 0;
  // FNV-1a: cheap and stable across sessions.
  let h = 0x811c9dc5;
  for (let i = 0; i < msgType.length; i++) {
    h ^= msgType.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % slots;
}
