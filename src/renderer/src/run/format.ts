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

/** A metric's value: whole numbers as counts (1,234), fractions to four significant digits (0.9873, 183.3). */
export function formatMetric(n: number): string {
  if (Number.isInteger(n) || Math.abs(n) >= 1000) return formatCount(Math.round(n));
  return String(Number(n.toPrecision(4)));
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
