/** Microseconds as milliseconds with two decimals, for notes and badges: 1234 → "1.23 ms". */
export function ms(us: number): string {
  return `${(us / 1000).toFixed(2)} ms`;
}

/** A signed correction or error: +1.23 ms, −0.40 ms. */
export function signedMs(us: number): string {
  return `${us >= 0 ? '+' : '−'}${ms(Math.abs(us))}`;
}

/** A correction in the units the canvas's clock badge uses: −1.300720 s, +250.600 ms. */
export function signedDuration(us: number): string {
  const sign = us >= 0 ? '+' : '−';
  const a = Math.abs(us);
  return a >= 1_000_000 ? `${sign}${(a / 1e6).toFixed(6)} s` : `${sign}${(a / 1000).toFixed(3)} ms`;
}
