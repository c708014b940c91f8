/**
 * Versions of a key, as Dynamo keeps them (DeCandia et al., "Dynamo: Amazon's Highly Available
 * Key-value Store", SOSP 2007, §4.4 "Data Versioning"). Every write makes a new, immutable
 * version. Two ways to tell which version is newer:
 *
 * - **last writer wins** (`lww`): a version carries the coordinator's local clock reading
 *   when it took the write (`ts`, ties broken by the coordinator's id). The larger wins; the
 *   other is dropped. Simple, but a coordinator whose clock runs behind stamps a later write
 *   with an older time, and that write is lost (§4.4: "last write wins" is what the paper's
 *   shopping-cart example cannot accept; §6 notes that some services use it).
 * - **version vectors** (`vv`, the paper's "vector clocks", §4.4): a list of (node, counter)
 *   pairs. A version whose vector is at least as large everywhere *descends* from the other,
 *   which it replaces (syntactic reconciliation). Two versions where neither descends from the
 *   other are concurrent: both are kept as *siblings*, a read returns all of them, and the
 *   client merges them (semantic reconciliation) and writes the result back with the merged
 *   vector as its context, which makes the new version descend from every sibling.
 */

/** A version vector: node id -> counter (§4.4 "a list of (node, counter) pairs"). */
export type VersionVector = Record<string, number>;

/** One version of a key's value. */
export interface Version {
  /** The value written. */
  value: string;
  /** The coordinator's local clock when it took the write, microseconds (last writer wins). */
  ts: number;
  /** The coordinator that took the write (ties of `ts`, and whose counter `vv` advanced). */
  by: string;
  /** The version vector (version vectors). */
  vv: VersionVector;
}

/** How conflicting versions are resolved: last writer wins, or siblings under version vectors. */
export type ConflictMode = 'lww' | 'vv';

/** `a` is at least `b` in every entry (a descends from b, or equals it). */
export function vvGe(a: VersionVector, b: VersionVector): boolean {
  for (const [node, n] of Object.entries(b)) if ((a[node] ?? 0) < n) return false;
  return true;
}

/** The entry-wise maximum of vectors (what a client's merged context is). */
export function vvJoin(vs: readonly VersionVector[]): VersionVector {
  const out: VersionVector = {};
  for (const v of vs) for (const [node, n] of Object.entries(v)) if ((out[node] ?? 0) < n) out[node] = n;
  return sortedVector(out);
}

/** A vector with its entries in node order (so equal vectors print and compare alike). */
export function sortedVector(v: VersionVector): VersionVector {
  const out: VersionVector = {};
  for (const k of Object.keys(v).sort()) out[k] = v[k]!;
  return out;
}

/** `a` is later than `b` under last writer wins: a larger timestamp, or the same and a larger coordinator id. */
export function lwwAfter(a: Version, b: Version): boolean {
  return a.ts > b.ts || (a.ts === b.ts && a.by > b.by);
}

/** The same write: equal vectors, timestamps, coordinators and values. */
export function sameVersion(a: Version, b: Version): boolean {
  return a.ts === b.ts && a.by === b.by && a.value === b.value && vvGe(a.vv, b.vv) && vvGe(b.vv, a.vv);
}

/** `a` makes `b` obsolete: `a` is `b`, or is later (lww), or descends from it (vv). */
export function covers(a: Version, b: Version, mode: ConflictMode): boolean {
  if (sameVersion(a, b)) return true;
  return mode === 'lww' ? lwwAfter(a, b) : vvGe(a.vv, b.vv);
}

/**
 * Reconciles versions (§4.4): under last writer wins the one latest version; under version
 * vectors every version that no other one covers (the siblings), in a fixed order. A replica
 * stores what this returns; a coordinator answers a read with it.
 */
export function reconcile(versions: readonly Version[], mode: ConflictMode): Version[] {
  if (versions.length === 0) return [];
  if (mode === 'lww') {
    let best = versions[0]!;
    for (const v of versions) if (lwwAfter(v, best)) best = v;
    return [best];
  }
  const out: Version[] = [];
  for (const v of versions) {
    if (out.some((o) => covers(o, v, mode))) continue;
    for (let k = out.length - 1; k >= 0; k--) if (covers(v, out[k]!, mode)) out.splice(k, 1);
    out.push(v);
  }
  return out.sort((a, b) => (a.by === b.by ? a.ts - b.ts : a.by < b.by ? -1 : 1));
}

/** Every version of `old` is covered by one of `now`: nothing was lost going from `old` to `now`. */
export function coversAll(now: readonly Version[], old: readonly Version[], mode: ConflictMode): boolean {
  return old.every((o) => now.some((n) => covers(n, o, mode)));
}

/** A short name of a version for notes: `v=a7 @n2:1.204s` or `v=a7 [n1:2,n3:1]`. */
export function describeVersion(v: Version, mode: ConflictMode): string {
  if (mode === 'lww') return `${v.value} @${v.by}:${(v.ts / 1e6).toFixed(4)}s`;
  const vv = Object.entries(v.vv)
    .map(([n, c]) => `${n}:${c}`)
    .join(',');
  return `${v.value} [${vv}]`;
}
