import { describe, expect, it } from 'vitest';
import { utf8 } from '../../hashing';
import { murmur2, partitionForKey, partitionForKeyless, toPositive } from './partitioner';

describe('Kafka default partitioner', () => {
  // Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java,
  // testMurmur2 (commit f55581dc73953c3509a4702433aeeeddc2970779): Utils.murmur2 of each input.
  const KAFKA_UTILS_TEST: [string | Uint8Array, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    [new Uint8Array([97, 98, 99]), 479470107],
  ];

  it("murmur2 gives Kafka's Utils.murmur2 on Kafka's own test vectors (UtilsTest.testMurmur2)", () => {
    for (const [input, want] of KAFKA_UTILS_TEST) expect(murmur2(input), String(input)).toBe(want);
  });

  it('hashes the UTF-8 bytes of a string key', () => {
    expect(murmur2('héllo')).toBe(murmur2(utf8('héllo')));
    expect(murmur2('héllo')).not.toBe(murmur2(Uint8Array.from([...'héllo'].map((c) => c.charCodeAt(0)))));
  });

  it('toPositive clears the sign bit (Utils.toPositive), so MIN_VALUE maps to 0, not to itself', () => {
    expect(toPositive(-973932308)).toBe(1173551340);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(479470107)).toBe(479470107);
  });

  it('a keyed record goes to toPositive(murmur2(key)) % partitions, the same partition every time', () => {
    expect(partitionForKey('21', 12)).toBe(1173551340 % 12);
    expect(partitionForKey('foobar', 7)).toBe(toPositive(-790332482) % 7);
    const seen = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const p = partitionForKey(`key-${i}`, 6);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(6);
      expect(partitionForKey(`key-${i}`, 6)).toBe(p);
      seen.add(p);
    }
    expect(seen.size).toBe(6);
  });

  it('keyless records go round-robin, or stick to a partition for a batch (KIP-480)', () => {
    expect(Array.from({ length: 7 }, (_, n) => partitionForKeyless(n, 3, 'round-robin'))).toEqual([
      0, 1, 2, 0, 1, 2, 0,
    ]);
    expect(Array.from({ length: 7 }, (_, n) => partitionForKeyless(n, 3, 'sticky', 2))).toEqual([
      0, 0, 1, 1, 2, 2, 0,
    ]);
  });
});
