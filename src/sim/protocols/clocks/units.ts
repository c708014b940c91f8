/** Microseconds as milliseconds with two decimals, for notes and badges: 1234 → "1.23 ms". */
export function ms(us: number): string {
  return `${(us / 1000).toFixed(2)} ms`;
}

/** A signed correction or error: +1.23 ms, −0.40 ms. */
export function signedMs(us: number): string {
  return `${us >= 0 ? '+' : '−'}${ms(Math.abs(us))}`;
}
