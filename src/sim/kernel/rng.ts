/**
 * Seeded PRNG streams: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018; reference C at prng.di.unimi.it). Why this one: 32-bit operations only
 * (Math.imul, shifts), so it is fast in JS without BigInt; 128 bits of state, so a stream is
 * four numbers that a checkpoint copies; period 2^128 - 1; passes BigCrush.
 *
 * Streams are forked by name: the state of stream `name` under run seed `seed` is derived by
 * SplitMix32 over a hash of (seed, name). A stream per node and per link means that adding a
 * node does not reshuffle the draws of the others.
 */

/** FNV-1a 32-bit hash of a string (used to name streams and in trace hashing). */
export function fnv1a(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** SplitMix32 step (Steele, Lea & Flood 2014, 32-bit variant): good seeds from poor ones. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A snapshot of a stream: its four state words. */
export type RngState = [number, number, number, number];

/** One xoshiro128** stream. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, name = '') {
    let x = (fnv1a(name) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
    x = splitmix32(x ^ seed);
    this.a = x;
    x = splitmix32(x);
    this.b = x;
    x = splitmix32(x);
    this.c = x;
    x = splitmix32(x);
    this.d = x;
    // The all-zero state is the one fixed point of xoshiro; never start there.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p (no draw when p is 0 or 1, so zero-rate features cost nothing). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** Standard normal draw (Box-Muller; the second value is discarded to keep state small). */
  normal(): number {
    let u = this.next();
    if (u === 0) u = 1 / 4294967296;
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential draw with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A shuffled copy (Fisher-Yates from the last item down: one draw per item but the first). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let k = out.length - 1; k > 0; k--) {
      const j = Math.floor(this.next() * (k + 1));
      [out[k], out[j]] = [out[j]!, out[k]!];
    }
    return out;
  }

  /** Picks one element. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** The four state words (for checkpoints). */
  save(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** Writes the four state words at buf[off..off+3] (int32 bit patterns survive as uint32). */
  /** True when the state equals the one saveInto wrote at buf[off..off+3]. */
  equalsAt(buf: Uint32Array, off: number): boolean {
    return (
      buf[off] === this.a && buf[off + 1] === this.b && buf[off + 2] === this.c && buf[off + 3] === this.d
    );
  }

  saveInto(buf: Uint32Array, off: number): void {
    buf[off] = this.a;
    buf[off + 1] = this.b;
    buf[off + 2] = this.c;
    buf[off + 3] = this.d;
  }

  /** Reads the four state words from buf[off..off+3]. */
  loadFrom(buf: Uint32Array, off: number): void {
    this.a = buf[off]!;
    this.b = buf[off + 1]!;
    this.c = buf[off + 2]!;
    this.d = buf[off + 3]!;
  }

  /** Restores a saved state. */
  load(s: RngState): void {
    this.a = s[0];
    this.b = s[1];
    this.c = s[2];
    this.d = s[3];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
