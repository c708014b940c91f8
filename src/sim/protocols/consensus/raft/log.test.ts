import { describe, expect, it } from 'vitest';
import {
  chainHash,
  EMPTY_SNAPSHOT,
  type Entry,
  entriesBetween,
  entryAt,
  hashAt,
  lastIndex,
  logAppend,
  logCompact,
  logEntries,
  logOf,
  logTruncate,
  termAt,
  upToDate,
} from './log';

/** The chunked immutable log (§5.3 indexes, §7 compaction). */

const entry = (i: number): Entry => ({ term: 1 + Math.floor(i / 100), cmd: { kind: 'noop' }, c: i, h: i });
const entries = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => entry(from + k));

describe('Raft log', () => {
  it('appends across chunk boundaries without changing the old log', () => {
    const a = logOf(entries(1, 250));
    const b = logAppend(a, entries(251, 600));
    expect(a.n).toBe(250);
    expect(logEntries(a)).toEqual(entries(1, 250));
    expect(logEntries(b)).toEqual(entries(1, 600));
    expect(b.chunks.slice(0, -1).every((c) => c.length === 256)).toBe(true);
    const s = { log: b, snap: EMPTY_SNAPSHOT };
    expect(lastIndex(s)).toBe(600);
    expect(entryAt(s, 257)).toEqual(entry(257));
    expect(termAt(s, 0)).toBe(0);
    expect(termAt(s, 601)).toBe(-1);
    expect(entriesBetween(s, 255, 258)).toEqual(entries(255, 258));
  });

  it('truncates (§5.3 conflict deletion) and appends again', () => {
    const a = logOf(entries(1, 600));
    const t = logTruncate(a, 300);
    expect(logEntries(t)).toEqual(entries(1, 300));
    expect(logTruncate(a, 600)).toBe(a);
    expect(logEntries(logAppend(logTruncate(a, 256), entries(257, 260)))).toEqual(entries(1, 260));
    expect(logTruncate(a, 0).n).toBe(0);
  });

  it('compacts whole chunks at or below the snapshot; the snapshot answers for them (§7)', () => {
    const a = logOf(entries(1, 600));
    const c = logCompact(a, 520);
    expect(c.base).toBe(513);
    const snap = { ...EMPTY_SNAPSHOT, index: 520, term: 6, h: 520 };
    const s = { log: c, snap };
    expect(lastIndex(s)).toBe(600);
    expect(entryAt(s, 520)).toBeUndefined();
    expect(termAt(s, 520)).toBe(6);
    expect(hashAt(s, 519)).toBe(-1);
    expect(entryAt(s, 521)).toEqual(entry(521));
    expect(entriesBetween(s, 500, 523)).toEqual(entries(521, 523));
    const all = logCompact(a, 600);
    expect({ base: all.base, n: all.n }).toEqual({ base: 601, n: 0 });
    expect(lastIndex({ log: all, snap: { ...snap, index: 600 } })).toBe(600);
  });

  it('up-to-date compares last terms, then lengths (§5.4.1); chain hashes depend on the prefix', () => {
    const s = { log: logOf(entries(1, 150)), snap: EMPTY_SNAPSHOT }; // last term 2
    expect(upToDate(s, 3, 1)).toBe(true);
    expect(upToDate(s, 2, 150)).toBe(true);
    expect(upToDate(s, 2, 149)).toBe(false);
    expect(upToDate(s, 1, 1000)).toBe(false);
    expect(chainHash(1, 2, 3)).not.toBe(chainHash(2, 2, 3));
  });
});

describe('Raft log against a plain array', () => {
  it('appends, truncates and compacts like a flat list of entries, and never changes an older log', () => {
    // A deterministic walk of the three operations across chunk and tail boundaries (sizes
    // around 256), checked against a plain array; every older log must keep its entries.
    let log = logOf([]);
    let flat: Entry[] = [];
    let base = 1;
    let snap = 0;
    let x = 7;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const kept: { log: typeof log; flat: Entry[]; base: number }[] = [];
    let next = 1;
    for (let step = 0; step < 400; step++) {
      const r = rnd(10);
      if (r < 6) {
        const k = [1, 1, 2, 64, 255, 256, 300][rnd(7)]!;
        const add = Array.from({ length: k }, () => entry(next++));
        log = logAppend(log, add);
        flat = flat.concat(add);
      } else if (r < 9) {
        const last = base - 1 + rnd(flat.length + 2);
        log = logTruncate(log, Math.max(snap, last));
        flat = flat.slice(0, Math.max(0, Math.min(flat.length, Math.max(snap, last) - base + 1)));
      } else if (flat.length > 0) {
        snap = base - 1 + rnd(flat.length + 1);
        log = logCompact(log, snap);
        const end = base + flat.length - 1;
        if (end <= snap) {
          base = snap + 1;
          flat = [];
        } else {
          // Whole chunks of 256 at or below the snapshot go, never the last one.
          const chunks = Math.ceil(flat.length / 256);
          let d = 0;
          while (d < chunks - 1 && base + (d + 1) * 256 - 1 <= snap) d++;
          flat = flat.slice(d * 256);
          base += d * 256;
        }
      }
      expect(log.base, `step ${step}`).toBe(base);
      expect(log.n, `step ${step}`).toBe(flat.length);
      expect(logEntries(log), `step ${step}`).toEqual(flat);
      const s = { log, snap: { ...EMPTY_SNAPSHOT, index: Math.min(snap, base - 1) } };
      for (let i = base; i < base + flat.length; i++) expect(entryAt(s, i)).toBe(flat[i - base]);
      expect(log.chunks.every((c) => c.length === 256)).toBe(true);
      expect(log.tail.length).toBeLessThan(256);
      kept.push({ log, flat, base });
    }
    for (const k of kept) {
      expect(logEntries(k.log)).toEqual(k.flat);
      expect(k.log.base).toBe(k.base);
    }
  });
});
