/**
 * The replicated key-value store of a Raft server, as an immutable value. States are never
 * mutated, so every applied write makes a new store; copying one flat object of every key per
 * write made the store the largest cost of a long run. A small store is a plain record (what
 * the inspector and the tests see); past FLAT_MAX keys it becomes KV_GROUPS groups of
 * KV_BUCKETS plain records, chosen by a hash of the key, and a write copies one record, its
 * group and the group list (8 + 8 references; a flat list of 32 buckets copied 32). Both
 * forms are plain JSON. The form depends only on the number of keys, so two servers that
 * applied the same writes hold equal stores.
 *
 * A server's step may instead change its store in place (kvPutOwned) while that store is held by
 * its state alone: the first such write copies the whole store (every level), later ones change
 * the copy. kvShare marks a store as held elsewhere too (a snapshot of the log, a kernel
 * checkpoint), after which the next write copies again.
 */

/** A record of keys and values. */
type Rec = Readonly<Record<string, string>>;

/** A flat record, or (past FLAT_MAX keys) KV_GROUPS arrays of KV_BUCKETS records by key hash. */
export type Kv = Rec | readonly (readonly Rec[])[];

/** Most keys held in the flat form. */
const FLAT_MAX = 16;
/** Groups of the hashed form, and records per group (powers of two; 64 records in all). */
const KV_GROUPS = 8;
const KV_BUCKET_BITS = 3;
const KV_BUCKETS = 1 << KV_BUCKET_BITS;

/** Bucket number of a key: group in the high bits, record in the low ones. */
function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (KV_GROUPS * KV_BUCKETS - 1);
}

/** The value of a key, or undefined (a property read, as on a flat record). */
export function kvGet(kv: Kv, key: string): string | undefined {
  if (Array.isArray(kv)) {
    const b = bucketOf(key);
    return (kv as readonly (readonly Rec[])[])[b >>> KV_BUCKET_BITS]![b & (KV_BUCKETS - 1)]![key];
  }
  return (kv as Rec)[key];
}

/** A new store with key set to value (the argument is not changed). */
export function kvPut(kv: Kv, key: string, value: string): Kv {
  if (Array.isArray(kv)) {
    const b = bucketOf(key);
    const groups = (kv as readonly (readonly Rec[])[]).slice();
    const group = groups[b >>> KV_BUCKET_BITS]!.slice();
    const rec: Record<string, string> = { ...group[b & (KV_BUCKETS - 1)]! };
    rec[key] = value;
    group[b & (KV_BUCKETS - 1)] = rec;
    groups[b >>> KV_BUCKET_BITS] = group;
    return groups;
  }
  const out: Record<string, string> = { ...(kv as Rec) };
  out[key] = value;
  let n = 0;
  for (const _ in out) n++;
  if (n <= FLAT_MAX) return out;
  const groups: Record<string, string>[][] = [];
  for (let g = 0; g < KV_GROUPS; g++) {
    const group: Record<string, string>[] = [];
    for (let r = 0; r < KV_BUCKETS; r++) group.push({});
    groups.push(group);
  }
  for (const k in out) {
    const b = bucketOf(k);
    groups[b >>> KV_BUCKET_BITS]![b & (KV_BUCKETS - 1)]![k] = out[k]!;
  }
  return groups;
}

/** Every key and value as one flat record (for tests and inspection). */
export function kvEntries(kv: Kv): Record<string, string> {
  if (!Array.isArray(kv)) return { ...(kv as Rec) };
  const out: Record<string, string> = {};
  for (const g of kv as readonly (readonly Rec[])[]) for (const r of g) Object.assign(out, r);
  return out;
}

/** Stores that only one server state holds, made by kvPutOwned (see the module comment). */
const owned = new WeakSet<object>();

/** From now on kv may be held by more than one state (or snapshot): it is never changed again. */
export function kvShare(kv: Kv): void {
  owned.delete(kv);
}

/** A copy of every level of a store (so every level can be changed in place). */
function deepCopy(kv: Kv): Kv {
  if (!Array.isArray(kv)) return { ...(kv as Rec) };
  return (kv as readonly (readonly Rec[])[]).map((g) => g.map((r) => ({ ...r })));
}

/**
 * kvPut for a store that the caller's state holds alone: the same store value as kvPut gives,
 * made by changing `kv` in place when an earlier kvPutOwned made it and kvShare has not been
 * called on it since; else by changing a full copy.
 */
export function kvPutOwned(kv: Kv, key: string, value: string): Kv {
  if (!owned.has(kv)) {
    kv = deepCopy(kv);
    owned.add(kv);
  }
  if (Array.isArray(kv)) {
    const b = bucketOf(key);
    (kv as Record<string, string>[][])[b >>> KV_BUCKET_BITS]![b & (KV_BUCKETS - 1)]![key] = value;
    return kv;
  }
  const flat = kv as Record<string, string>;
  if (flat[key] === undefined) {
    let n = 0;
    for (const _ in flat) n++;
    if (n >= FLAT_MAX) {
      // The store outgrows the flat form: kvPut builds the hashed form (a new value).
      const next = kvPut(flat, key, value);
      owned.add(next);
      return next;
    }
  }
  flat[key] = value;
  return flat;
}
