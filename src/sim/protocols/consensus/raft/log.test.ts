import { describe, expect, it } from 'vitest';
import {
  chainAt,
  chainHash,
  entriesBetween,
  entryAt,
  type LogEntry,
  lastLogIndex,
  lastLogTerm,
  newEntry,
  noSnapshot,
  termAt,
  upToDate,
} from './log';

/** Log indexes (§5.3) with and without a snapshot in front (§7), and the checker's chain hashes. */

const entry = (i: number): LogEntry => ({
  term: 1 + Math.floor(i / 100),
  command: { kind: 'noop' },
  chain: i,
});
const entries = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => entry(from + k));

describe('Raft log', () => {
  it('indexes from 1 without a snapshot', () => {
    const s = { log: entries(1, 250), snapshot: noSnapshot() };
    expect(lastLogIndex(s)).toBe(250);
    expect(lastLogTerm(s)).toBe(3);
    expect(entryAt(s, 1)).toEqual(entry(1));
    expect(entryAt(s, 0)).toBeUndefined();
    expect(entryAt(s, 251)).toBeUndefined();
    expect(termAt(s, 0)).toBe(0);
    expect(termAt(s, 150)).toBe(2);
    expect(termAt(s, 251)).toBe(-1);
    expect(entriesBetween(s, 99, 102)).toEqual(entries(99, 102));
    expect(entriesBetween(s, 249, 300)).toEqual(entries(249, 250));
    expect(entriesBetween(s, 5, 4)).toEqual([]);
  });

  it('after a snapshot, entry i is log[i - lastIncludedIndex - 1]; the snapshot answers for its last index (§7)', () => {
    const snapshot = { ...noSnapshot(), lastIncludedIndex: 520, lastIncludedTerm: 6, chain: 520 };
    const s = { log: entries(521, 600), snapshot };
    expect(lastLogIndex(s)).toBe(600);
    expect(entryAt(s, 520)).toBeUndefined();
    expect(entryAt(s, 521)).toEqual(entry(521));
    expect(termAt(s, 520)).toBe(6);
    expect(termAt(s, 519)).toBe(-1);
    expect(chainAt(s, 520)).toBe(520);
    expect(chainAt(s, 519)).toBe(-1);
    expect(entriesBetween(s, 500, 523)).toEqual(entries(521, 523));
    expect(entriesBetween(s, 500, 510)).toEqual([]);
    // Everything compacted: the last index and term are the snapshot's.
    const all = { log: [], snapshot };
    expect(lastLogIndex(all)).toBe(520);
    expect(lastLogTerm(all)).toBe(6);
  });

  it('up-to-date compares last terms, then lengths (§5.4.1)', () => {
    const s = { log: entries(1, 150), snapshot: noSnapshot() }; // last term 2
    expect(upToDate(s, 3, 1)).toBe(true);
    expect(upToDate(s, 2, 150)).toBe(true);
    expect(upToDate(s, 2, 149)).toBe(false);
    expect(upToDate(s, 1, 1000)).toBe(false);
  });

  it('chain hashes depend on the whole prefix, the term and the command', () => {
    const noop = { kind: 'noop' } as const;
    const put = { kind: 'put', client: 'c1', reqId: 1, key: 'k', value: 'v', ack: 1 } as const;
    expect(chainHash(1, 2, noop)).not.toBe(chainHash(2, 2, noop));
    expect(chainHash(1, 2, noop)).not.toBe(chainHash(1, 3, noop));
    expect(chainHash(1, 2, noop)).not.toBe(chainHash(1, 2, put));
    const s = { log: [] as LogEntry[], snapshot: noSnapshot() };
    const e = newEntry(s, 1, put);
    expect(e).toEqual({ term: 1, command: put, chain: chainHash(0, 1, put) });
    s.log.push(e);
    expect(newEntry(s, 1, noop).chain).toBe(chainHash(e.chain, 1, noop));
  });
});
