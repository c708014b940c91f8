/**
 * The producer's partitioner (Apache Kafka documentation, "Design" §4.4 "The Producer", "Load
 * balancing": the client decides which partition a message goes to, "by hashing the key").
 *
 * - A keyed record goes where Kafka's default partitioner puts it
 *   (`BuiltInPartitioner.partitionForKey`, formerly `DefaultPartitioner`):
 *   `toPositive(murmur2(keyBytes)) % numPartitions`, where `murmur2` is
 *   `org.apache.kafka.common.utils.Utils.murmur2` (MurmurHash2, 32-bit, seed 0x9747b28c, over
 *   the key's serialized bytes: UTF-8 for a string key) and `toPositive(n) = n & 0x7fffffff`.
 *   Checked against Kafka's own vectors (UtilsTest.testMurmur2) in partitioner.test.ts.
 * - A record without a key goes round-robin (the DefaultPartitioner before Kafka 2.4), or
 *   sticks to one partition until a batch is full (the sticky partitioner of KIP-480, here a
 *   batch of `batchSize` records).
 */
import { utf8 } from '../../hashing';

/** MurmurHash2 as Kafka computes it: a signed 32-bit integer, like Java's `int`. */
export function murmur2(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  const length = bytes.length;
  const seed = 0x9747b28c;
  // 'm' and 'r' are mixing constants generated offline (Utils.murmur2's comment).
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (bytes[i4]! & 0xff) +
      ((bytes[i4 + 1]! & 0xff) << 8) +
      ((bytes[i4 + 2]! & 0xff) << 16) +
      ((bytes[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The last few bytes of the input (Java's switch falls through).
  const rest = length % 4;
  const tail = length & ~3;
  if (rest >= 3) h ^= (bytes[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (bytes[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= bytes[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: the number with its sign bit cleared (not `Math.abs`: MIN_VALUE stays safe). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record: `toPositive(murmur2(key)) % numPartitions`. */
export function partitionForKey(key: string, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/** The partition of the `n`-th keyless record (n = 0, 1, ...), round-robin or sticky (KIP-480). */
export function partitionForKeyless(
  n: number,
  numPartitions: number,
  how: 'round-robin' | 'sticky',
  batchSize = 16,
): number {
  return how === 'round-robin' ? n % numPartitions : Math.floor(n / batchSize) % numPartitions;
}
