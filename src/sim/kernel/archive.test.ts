import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archiveState, LOG_CHUNK, lookCopy, restoreState, setLogVerification } from './archive';

/** States with a log, as Raft keeps one: entries with a term and a command. */
const entry = (term: number, k: number) => ({ term, command: { key: `k${k}`, value: `v${k}` } });

describe('checkpoint archives of contract-v2 states', () => {
  it('restore gives back an equal state that shares no changeable object with the archive', () => {
    const s = { term: 3, votedFor: 's2', log: [entry(1, 1), entry(3, 2)], kv: { a: '1' } };
    const a = archiveState(s, ['log'], undefined);
    const r = restoreState(a) as typeof s;
    expect(r).toEqual(s);
    r.kv.a = 'changed';
    r.log.push(entry(3, 3));
    r.term = 4;
    expect(restoreState(a)).toEqual({
      term: 3,
      votedFor: 's2',
      log: [entry(1, 1), entry(3, 2)],
      kv: { a: '1' },
    });
  });

  it('a later archive shares every unchanged chunk of a log with the one before', () => {
    const log = Array.from({ length: 3 * LOG_CHUNK + 10 }, (_, k) => entry(1, k));
    const s = { log };
    const a1 = archiveState(s, ['log'], undefined) as unknown as { log: { chunks: unknown[][] } };
    s.log.length = LOG_CHUNK * 2 + 5; // truncate inside chunk 2, then append
    s.log.push(entry(2, -2));
    const a2 = archiveState(s, ['log'], a1 as never) as unknown as { log: { chunks: unknown[][] } };
    expect(a2.log.chunks[0]).toBe(a1.log.chunks[0]);
    expect(a2.log.chunks[1]).toBe(a1.log.chunks[1]);
    expect(a2.log.chunks[2]).not.toBe(a1.log.chunks[2]);
    expect(a2.log.chunks[3]).not.toBe(a1.log.chunks[3]);
    expect((restoreState(a2 as never) as typeof s).log).toEqual(s.log);
  });

  it('freezes archived log entries, so changing a written entry throws', () => {
    const s = { log: [entry(1, 1)] };
    archiveState(s, ['log'], undefined);
    expect(() => {
      s.log[0]!.term = 9;
    }).toThrow(TypeError);
    expect(() => {
      s.log[0]!.command.value = 'x';
    }).toThrow(TypeError);
    // The list itself stays the protocol's to change: append, truncate, replace.
    s.log.push(entry(2, 2));
    s.log.length = 1;
    expect(s.log).toHaveLength(1);
  });

  it('the inspector copy is a separate list with the same entries', () => {
    const s = { log: [entry(1, 1)], n: 1 };
    const c = lookCopy(s, ['log']) as typeof s;
    expect(c).toEqual(s);
    s.log.push(entry(1, 2));
    s.n = 2;
    expect(c.log).toHaveLength(1);
    expect(c.n).toBe(1);
  });

  it('any sequence of appends, truncations and cuts from the front restores exactly from every archive', () => {
    type Op = { kind: 'append'; n: number } | { kind: 'truncate'; to: number } | { kind: 'cut'; n: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 900 }) }),
      fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }),
      fc.record({ kind: fc.constant('cut' as const), n: fc.nat() }),
    );
    for (const verify of [true, false]) {
      setLogVerification(verify);
      fc.assert(
        fc.property(fc.array(op, { maxLength: 30 }), (ops: Op[]) => {
          const s = { log: [] as ReturnType<typeof entry>[] };
          let prev: ReturnType<typeof archiveState> | undefined;
          const kept: [ReturnType<typeof archiveState>, string][] = [];
          let t = 0;
          for (const o of ops) {
            t++;
            if (o.kind === 'append') for (let k = 0; k < o.n; k++) s.log.push(entry(t, k));
            else if (o.kind === 'truncate') s.log.length = Math.min(s.log.length, o.to % (s.log.length + 1));
            else s.log.splice(0, o.n % (s.log.length + 1));
            prev = archiveState(s, ['log'], prev);
            kept.push([prev, JSON.stringify(s)]);
          }
          for (const [a, json] of kept) expect(JSON.stringify(restoreState(a))).toBe(json);
        }),
        { seed: 11, numRuns: 60 },
      );
    }
    setLogVerification(true);
  });

  it('a log changed inside a full chunk is refused when verification is on (the tests run with it)', () => {
    const s = { log: Array.from({ length: LOG_CHUNK + 5 }, (_, k) => entry(1, k)) };
    const a = archiveState(s, ['log'], undefined);
    s.log[10] = entry(2, 10); // not at an end: against the contract of Protocol.logs
    expect(() => archiveState(s, ['log'], a)).toThrow(/state\.log changed at entry 10, inside the log/);
  });
});
