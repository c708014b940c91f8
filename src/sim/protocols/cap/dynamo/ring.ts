import { hashOf } from '../../../hashing';

/**
 * Dynamo's partitioning and replication (DeCandia et al., SOSP 2007, §4.2 "Partitioning
 * Algorithm", §4.3 "Replication"): every node takes `vnodes` points ("virtual nodes") on a ring
 * of hashes; a key is stored on the first N distinct nodes met walking clockwise from the key's
 * hash, its *preference list*. Walking on past those N gives the nodes a sloppy quorum borrows
 * when some of them are down (§4.6).
 */

/** A point of a node on the ring. */
export interface RingPoint {
  /** The hash of `<node>#<i>` (MurmurHash3), an unsigned 32-bit integer. */
  pos: number;
  /** The node it stands for. */
  node: string;
}

/** The ring of `nodes`, `vnodes` points each, sorted by position (ties by node id). */
export function buildRing(nodes: readonly string[], vnodes: number): RingPoint[] {
  const ring: RingPoint[] = [];
  for (const node of nodes)
    for (let i = 0; i < vnodes; i++) ring.push({ pos: hashOf('murmur3', `${node}#${i}`), node });
  return ring.sort((a, b) => a.pos - b.pos || (a.node < b.node ? -1 : 1));
}

/**
 * Every node once, in the order met walking clockwise from the key's hash (§4.3): the first N
 * are the key's preference list, the rest are the stand-ins of a sloppy quorum (§4.6).
 */
export function walk(ring: readonly RingPoint[], key: string): string[] {
  const n = ring.length;
  if (n === 0) return [];
  const h = hashOf('murmur3', key);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ring[mid]!.pos < h) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const node = ring[(lo + k) % n]!.node;
    if (!out.includes(node)) out.push(node);
  }
  return out;
}

/** The key's preference list: its N home replicas (fewer when the ring has fewer nodes). */
export function preferenceList(ring: readonly RingPoint[], key: string, n: number): string[] {
  return walk(ring, key).slice(0, n);
}
