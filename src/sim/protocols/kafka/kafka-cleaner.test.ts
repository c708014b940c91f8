/**
 * Retention and compaction (Design §4.8; retention.ms, retention.bytes, segment.bytes,
 * cleanup.policy): the cleaner's pass on one log (log.ts `clean`), and the two scenarios over
 * seeds: a compacted topic stays linearizable and keeps the latest value of every key; with
 * retention the log start offset moves and a consumer behind it resets.
 */
import '../../checkers/builtin';
import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../catalog';
import { Simulation } from '../../simulation';
import { kafka, kafkaCompactedTopic, kafkaRetention } from '.';
import { type CleanerConfig, clean, keeps, logEndOffset, logStart, recordAt, recordsFrom } from './log';
import type { BrokerState, ConsumerState, ControllerState, LogRecord, ReplicaLog } from './types';

registerProtocol(kafka);

/** Records of keys `keys` at offsets 0.., epoch 0, appended at `ts(offset)` µs. */
function replica(keys: string[], hw = keys.length, ts = (o: number) => o * 1000): ReplicaLog {
  return {
    log: keys.map(
      (key, offset): LogRecord => ({ offset, epoch: 0, timestamp: ts(offset), key, value: `v${offset}` }),
    ),
    highWatermark: hw,
  };
}
const config = (c: Partial<CleanerConfig>): CleanerConfig => ({
  policy: 'delete',
  retentionUs: 0,
  retentionRecords: 0,
  segmentRecords: 4,
  deleteRetentionUs: 0,
  ...c,
});
const offsets = (r: ReplicaLog) => r.log.map((x) => x.offset);

describe('retention (cleanup.policy=delete)', () => {
  it('by size: deletes whole segments from the start while the log holds too many, and moves the log start', () => {
    const r = replica(Array.from({ length: 14 }, (_, k) => `k${k}`));
    const out = clean(r, config({ retentionRecords: 6 }), 0);
    // Segments [0,4) [4,8) [8,12) [12,14): two go (14 → 10 → 6 records), the third would leave 2.
    expect(out).toEqual({ deleted: 8, compacted: 0, newStart: 8 });
    expect(logStart(r)).toBe(8);
    expect(offsets(r)).toEqual([8, 9, 10, 11, 12, 13]);
    expect(logEndOffset(r)).toBe(14);
  });

  it('by time: deletes the segments whose newest record is older than retention.ms, oldest first', () => {
    const r = replica(Array.from({ length: 14 }, (_, k) => `k${k}`));
    // now 10 ms, retention 4.5 ms: records before 5.5 ms are expired: segment [0,4) wholly, [4,8) not.
    clean(r, config({ retentionUs: 4500 }), 10_000);
    expect(logStart(r)).toBe(4);
  });

  it('never deletes the active segment nor a segment reaching the high watermark', () => {
    const r = replica(
      Array.from({ length: 10 }, (_, k) => `k${k}`),
      6,
    );
    clean(r, config({ retentionRecords: 1 }), 0);
    expect(logStart(r)).toBe(4); // [4,8) reaches the HW (6): kept
    const young = replica(['a', 'b', 'c']);
    clean(young, config({ retentionRecords: 1 }), 0);
    expect(logStart(young)).toBe(0); // all in the active segment
  });
});

describe('compaction (cleanup.policy=compact, §4.8)', () => {
  it('keeps the latest record of each key below the cleanable point, offsets unchanged and increasing', () => {
    const r = replica(['a', 'b', 'a', 'c', 'b', 'a', 'd', 'a', 'a', 'b']);
    // Active segment [8,12): records 8, 9 stay; below 8 the latest a is 7, b 4, c 3, d 6.
    const out = clean(r, config({ policy: 'compact' }), 0);
    expect(offsets(r)).toEqual([3, 4, 6, 7, 8, 9]);
    expect(out.compacted).toBe(4);
    expect(recordAt(r, 4)?.key).toBe('b');
    expect(recordAt(r, 5)).toBeUndefined();
    expect(recordsFrom(r, 5, 2).map((x) => x.offset)).toEqual([6, 7]);
    // Every record written is still answered for: held, or replaced by a later one of its key.
    for (let o = 0; o < 10; o++)
      expect(keeps(r, o, ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'a', 'a', 'b'][o]!, `v${o}`)).toBe(true);
    expect(keeps(r, 3, 'c', 'other')).toBe(false);
  });

  it('keeps the last record of each leader epoch (KIP-101 needs where an epoch ends)', () => {
    const r = replica(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
    r.log[1]!.epoch = 1;
    for (const x of r.log.slice(2)) x.epoch = 2;
    clean(r, config({ policy: 'compact' }), 0);
    expect(offsets(r)).toEqual([0, 1, 7, 8]);
  });

  it('drops a tombstone once it is older than delete.retention.ms', () => {
    const r = replica(['a', 'b', 'a', 'b', 'c', 'c', 'c', 'c', 'c']);
    r.log[2]!.tombstone = true; // a deleted at 2 ms
    clean(r, config({ policy: 'compact', deleteRetentionUs: 5000 }), 5000);
    expect(offsets(r)).toEqual([2, 3, 7, 8]);
    clean(r, config({ policy: 'compact', deleteRetentionUs: 5000 }), 8000);
    expect(offsets(r)).toEqual([3, 7, 8]);
  });

  it('with bugCompactKeepOldest keeps the oldest record of a key instead', () => {
    const r = replica(['a', 'a', 'a', 'a', 'a']);
    clean(r, config({ policy: 'compact', bugKeepOldest: true }), 0);
    expect(r.log.map((x) => x.value)).toContain('v0');
  });
});

const run = (s: ReturnType<typeof kafkaRetention>, seed: number) => {
  const sim = new Simulation(s, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
};
const verdict = (sim: Simulation, id: string) => sim.invariants().find((v) => v.id === id)?.ok;

describe('the compacted-topic scenario', () => {
  it('compacts every broker’s logs, every check holds and the reads stay linearizable (seeds 1-3)', () => {
    for (const seed of [1, 2, 3]) {
      const sim = run(kafkaCompactedTopic(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(true);
      expect(verdict(sim, 'cleaned-log'), `seed=${seed}`).toBe(true);
      for (const b of ['b1', 'b2', 'b3'])
        expect((sim.nodeState(b)!.state as BrokerState).compacted, `${b} seed=${seed}`).toBeGreaterThan(0);
    }
  });

  it('bugCompactKeepOldest is caught by cleaned-log (seeds 1-3)', () => {
    for (const seed of [1, 2, 3])
      expect(
        run(kafkaCompactedTopic({ bugCompactKeepOldest: true }), seed).violation?.invariant,
        `seed=${seed}`,
      ).toBe('cleaned-log');
  });
});

describe('the retention scenario', () => {
  it('the log start moves past the group’s offset; g1 resets to it, skips only deleted records, and catches up (seeds 1-3)', () => {
    for (const seed of [1, 2, 3]) {
      const sim = run(kafkaRetention(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'group-consumes-every-record'), `seed=${seed}`).toBe(true);
      expect(verdict(sim, 'committed-once-per-group'), `seed=${seed}`).toBe(true);
      const g1 = sim.nodeState('g1')!.state as ConsumerState;
      expect(g1.resets, `seed=${seed}`).toBeGreaterThan(0);
      const c = sim.nodeState('ctl')!.state as ControllerState;
      for (const p of c.partitions) {
        const r = (sim.nodeState(p.leader)!.state as BrokerState).replicas[p.partition]!;
        expect(logStart(r), `seed=${seed} p${p.partition}`).toBeGreaterThan(0);
        expect(r.log.length, `seed=${seed} p${p.partition}`).toBeLessThanOrEqual(40 + 10);
      }
    }
  });

  it('with auto.offset.reset=latest g1 skips records still in the log: committed-once-per-group says so (seed 1)', () => {
    const sim = run(kafkaRetention({ autoOffsetReset: 'latest' }), 1);
    expect(sim.violation?.invariant).toBe('committed-once-per-group');
    expect(sim.violation?.message).toContain('skipped');
  });
});
