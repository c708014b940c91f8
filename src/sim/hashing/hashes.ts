/**
 * Pure hash functions for the sharding and consistent-hashing labs. Strings are hashed as
 * their UTF-8 bytes; every function returns an unsigned 32-bit integer. Written from the
 * algorithms' specifications (sources cited per function); test vectors in hashes.test.ts.
 */

/** UTF-8 bytes of a string (no TextEncoder dependency, so it runs anywhere). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? utf8(data) : data;
}

// ------------------------------------------------------------------ CRC-32 (IEEE 802.3)

const CRC_TABLE = (() => {
  // Reflected polynomial 0xEDB88320 (the bit-reversed 0x04C11DB7 of IEEE 802.3 / ISO-HDLC).
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32/ISO-HDLC, the IEEE 802.3 CRC used by zip, PNG and Ethernet (check value 0xCBF43926). */
export function crc32(data: string | Uint8Array): number {
  const b = bytesOf(data);
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ------------------------------------------------------------------ MurmurHash3 x86_32

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 (Austin Appleby, SMHasher, MurmurHash3.cpp), little-endian blocks. */
export function murmur3(data: string | Uint8Array, seed = 0): number {
  const b = bytesOf(data);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = b.length >> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k = b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
    k = Math.imul(k, c1);
    k = rotl32(k, 15);
    k = Math.imul(k, c2);
    h ^= k;
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  // The tail: up to three bytes, little-endian (the reference's fall-through switch).
  const rest = b.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= b[tail + 2]! << 16;
    if (rest >= 2) k ^= b[tail + 1]! << 8;
    k ^= b[tail]!;
    k = Math.imul(k, c1);
    k = rotl32(k, 15);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= b.length;
  return fmix32(h);
}

// ------------------------------------------------------------------ xxHash32

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function read32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function round32(acc: number, lane: number): number {
  acc = (acc + Math.imul(lane, P2)) >>> 0;
  acc = rotl32(acc, 13);
  return Math.imul(acc, P1) >>> 0;
}

/** XXH32 (Yann Collet, xxHash specification doc/xxhash_spec.md, "XXH32 algorithm description"). */
export function xxhash32(data: string | Uint8Array, seed = 0): number {
  const b = bytesOf(data);
  const len = b.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) >>> 0;
    let v2 = (seed + P2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round32(v1, read32(b, i));
      v2 = round32(v2, read32(b, i + 4));
      v3 = round32(v3, read32(b, i + 8));
      v4 = round32(v4, read32(b, i + 12));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) >>> 0;
  } else h = (seed + P5) >>> 0;
  h = (h + len) >>> 0;
  for (; i + 4 <= len; i += 4) {
    h = (h + Math.imul(read32(b, i), P3)) >>> 0;
    h = Math.imul(rotl32(h, 17), P4) >>> 0;
  }
  for (; i < len; i++) {
    h = (h + Math.imul(b[i]!, P5)) >>> 0;
    h = Math.imul(rotl32(h, 11), P1) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

// ------------------------------------------------------------------ choice of hash

/** Hash functions a lab can choose. */
export const HASH_NAMES = ['crc32', 'murmur3', 'xxhash32'] as const;
/** A hash function's name. */
export type HashName = (typeof HASH_NAMES)[number];

/** The named hash of a string. */
export function hashOf(name: HashName, text: string): number {
  switch (name) {
    case 'crc32':
      return crc32(text);
    case 'murmur3':
      return murmur3(text);
    case 'xxhash32':
      return xxhash32(text);
  }
}

// ------------------------------------------------------------------ jump consistent hash

const JUMP_MUL = 2862933555777941757n;
const MASK64 = (1n << 64n) - 1n;

/**
 * Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", 2014, Figure 1): the bucket in [0, buckets) of a 64-bit key. The 64-bit LCG
 * runs in BigInt; the loop runs O(ln buckets) times.
 */
export function jumpHash(key: bigint | number, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError('buckets must be a positive integer');
  let k = BigInt.asUintN(64, BigInt(key));
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MUL + 1n) & MASK64;
    j = Math.floor(((b + 1) * 2147483648) / (Number(k >> 33n) + 1));
  }
  return b;
}

/** A 64-bit key for jump hash from a string: two independent 32-bit hashes side by side. */
export function key64(text: string): bigint {
  return (BigInt(murmur3(text, 0)) << 32n) | BigInt(xxhash32(text, 0));
}

// ------------------------------------------------------------------ rendezvous hashing

/**
 * Rendezvous (highest random weight) hashing (Thaler & Ravishankar, "Using Name-Based
 * Mappings to Increase Hit Rates", IEEE/ACM ToN 1998): the node with the highest
 * hash(node, key) wins; ties go to the smaller node id. Returns '' for no nodes.
 */
export function rendezvous(key: string, nodes: readonly string[], hash: HashName = 'murmur3'): string {
  let best = '';
  let bestW = -1;
  for (const n of nodes) {
    const w = hashOf(hash, `${n}\u0000${key}`);
    if (w > bestW || (w === bestW && n < best)) {
      best = n;
      bestW = w;
    }
  }
  return best;
}

/** The `count` highest-weight nodes for a key, best first (replica sets under rendezvous hashing). */
export function rendezvousTop(
  key: string,
  nodes: readonly string[],
  count: number,
  hash: HashName = 'murmur3',
): string[] {
  return nodes
    .map((n) => ({ n, w: hashOf(hash, `${n}\u0000${key}`) }))
    .sort((a, b) => b.w - a.w || (a.n < b.n ? -1 : 1))
    .slice(0, count)
    .map((x) => x.n);
}
