/**
 * The replicated key-value store of a Raft server, as an immutable value. States are never
 * mutated, so every applied write makes a new store; copying one flat object of every key per
 * write made the store the largest cost of a long run. A small store is a plain record (what
 * the inspector and the tests see); past FLAT_MAX keys it becomes KV_BUCKETS plain records
 * chosen by a hash of the key, and a write copies one bucket and the bucket list only. Both
 * forms are plain JSON. The form depends only on the number of keys, so two servers that
 * applied the same writes hold equal stores.
 */

/** A flat record, or (past FLAT_MAX keys) an array of KV_BUCKETS records by key hash. */
export type Kv = Readonly<Record<string, string>> | readonly Readonly<Record<string, string>>[];

/** Most keys held in the flat form. */
const FLAT_MAX = 16;
/** Buckets of the hashed form (a power of two). */
const KV_BUCKETS = 32;

function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (KV_BUCKETS - 1);
}

/** The value of a key, or undefined (a property read, as on a flat record). */
export function kvGet(kv: Kv, key: string): string | undefined {
  if (Array.isArray(kv)) return (kv as readonly Record<string, string>[])[bucketOf(key)]![key];
  return (kv as Record<string, string>)[key];
}

/** A new store with key set to value (the argument is not changed). */
export function kvPut(kv: Kv, key: string, value: string): Kv {
  if (Array.isArray(kv)) {
    const buckets = (kv as readonly Record<string, string>[]).slice();
    const k = bucketOf(key);
    const b: Record<string, string> = { ...buckets[k]! };
    b[key] = value;
    buckets[k] = b;
    return buckets;
  }
  const out: Record<string, string> = { ...(kv as Record<string, string>) };
  out[key] = value;
  let n = 0;
  for (const _ in out) n++;
  if (n <= FLAT_MAX) return out;
  const buckets: Record<string, string>[] = [];
  for (let b = 0; b < KV_BUCKETS; b++) buckets.push({});
  for (const k in out) buckets[bucketOf(k)]![k] = out[k]!;
  return buckets;
}

/** Every key and value as one flat record (for tests and inspection). */
export function kvEntries(kv: Kv): Record<string, string> {
  if (!Array.isArray(kv)) return { ...(kv as Record<string, string>) };
  const out: Record<string, string> = {};
  for (const b of kv as readonly Record<string, string>[]) Object.assign(out, b);
  return out;
}
