/**
 * Tests for the WGL/Lowe/Porcupine-style linearizability checker.
 *
 * Sources for the hand-written histories:
 * - [HW90] Herlihy & Wing, "Linearizability: a correctness condition for concurrent objects",
 *   TOPLAS 12(3), 1990: Fig. 1 (queue histories (a)-(d)) — here in register form — and the
 *   locality theorem (a history is linearizable iff each object's subhistory is).
 * - [DDIA] Kleppmann, "Designing Data-Intensive Applications", ch. 9: Fig. 9-1 (stale read
 *   after a completed write), Fig. 9-2 (a read concurrent with a write may return either
 *   value), Fig. 9-3 (once any read has returned the new value, later reads must too: the
 *   "new-old inversion" is a violation), Fig. 9-4 (registers with compare-and-set).
 * - [Jepsen] Knossos / Jepsen convention: an operation that never returned (:info) may or may
 *   not have taken effect; modelled as a call with its return at +infinity.
 * - [Lowe17] Lowe, "Testing for linearizability", CCPE 29(4), 2017 (the algorithm; the
 *   property tests follow its methodology of generating histories from a linearizable
 *   implementation and cross-checking against a brute-force search).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable, type KvOp, type LinResult, startLinearizabilityCheck } from './linearizability';
import { benchLinearizability, makeBenchHistory, makeKvBenchHistory } from './linearizability-bench';

// ---------------------------------------------------------------------------------------
// Builders. Times are µs; `ret: null` = never returned.

let autoId = 0;
function mk(o: Omit<KvOp, 'id'> & { id?: number }): KvOp {
  return { ...o, id: o.id ?? autoId++ };
}
const get = (
  client: number,
  key: string,
  output: string | null,
  callUs: number,
  returnUs: number | null,
  id?: number,
) => mk({ id, client, kind: 'get', key, output, callUs, returnUs });
const put = (
  client: number,
  key: string,
  value: string,
  callUs: number,
  returnUs: number | null,
  id?: number,
) => mk({ id, client, kind: 'put', key, value, callUs, returnUs });
const append = (
  client: number,
  key: string,
  value: string,
  callUs: number,
  returnUs: number | null,
  id?: number,
) => mk({ id, client, kind: 'append', key, value, callUs, returnUs });
const cas = (
  client: number,
  key: string,
  expected: string | null,
  value: string,
  output: 'ok' | 'fail' | undefined,
  callUs: number,
  returnUs: number | null,
  id?: number,
) => mk({ id, client, kind: 'cas', key, expected, value, output, callUs, returnUs });

// ---------------------------------------------------------------------------------------
// Independent references used to validate results.

/** Sequential KV map semantics, written independently of the checker. */
function applySeq(store: Map<string, string>, op: KvOp): boolean {
  const cur = store.get(op.key) ?? null;
  const pending = op.returnUs === null;
  switch (op.kind) {
    case 'get':
      return pending || op.output === cur;
    case 'put':
      store.set(op.key, op.value!);
      return true;
    case 'append':
      store.set(op.key, (cur ?? '') + op.value!);
      return true;
    case 'cas': {
      const success = cur === (op.expected ?? null);
      if (!pending && (op.output === 'ok') !== success) return false;
      if (success) store.set(op.key, op.value!);
      return true;
    }
  }
}

/** a must come before b in any linearization: a returned strictly before b was called. */
const precedes = (a: KvOp, b: KvOp) => a.returnUs !== null && a.returnUs < b.callUs;

/** Brute force: some subset of pending ops plus all completed ops has a legal total order. */
function bruteForce(history: KvOp[]): boolean {
  const completed = history.filter((o) => o.returnUs !== null);
  const pending = history.filter((o) => o.returnUs === null);
  for (let mask = 0; mask < 1 << pending.length; mask++) {
    const chosen = [...completed, ...pending.filter((_, i) => mask & (1 << i))];
    const placed = new Array<boolean>(chosen.length).fill(false);
    const dfs = (store: Map<string, string>, count: number): boolean => {
      if (count === chosen.length) return true;
      for (let i = 0; i < chosen.length; i++) {
        if (placed[i]) continue;
        const op = chosen[i]!;
        if (chosen.some((o, j) => !placed[j] && j !== i && precedes(o, op))) continue;
        const next = new Map(store);
        if (!applySeq(next, op)) continue;
        placed[i] = true;
        const ok = dfs(next, count + 1);
        placed[i] = false;
        if (ok) return true;
      }
      return false;
    };
    if (dfs(new Map(), 0)) return true;
  }
  return false;
}

/** Checks that a successful result's witness really is a linearization of the history. */
function assertWitness(history: KvOp[], res: LinResult): void {
  expect(res.ok).toBe(true);
  const byId = new Map(history.map((o) => [o.id, o]));
  const lin = res.linearization!;
  const keys = new Set(history.map((o) => o.key));
  expect(Object.keys(lin).sort()).toEqual([...keys].sort());
  for (const key of keys) {
    const order = lin[key]!.map((id) => byId.get(id)!);
    expect(new Set(lin[key]).size).toBe(order.length);
    for (const op of order) expect(op.key).toBe(key);
    // Every completed op of the key appears; pending ones may be left out.
    for (const op of history) if (op.key === key && op.returnUs !== null) expect(lin[key]).toContain(op.id);
    // Real-time order is respected: nothing placed later returned before an earlier one was called.
    let maxCall = Number.NEGATIVE_INFINITY;
    const violations: number[] = [];
    for (const op of order) {
      if (op.returnUs !== null && op.returnUs < maxCall) violations.push(op.id);
      maxCall = Math.max(maxCall, op.callUs);
    }
    expect(violations).toEqual([]);
    // Replaying the order reproduces every output.
    const store = new Map<string, string>();
    for (const op of order) expect(applySeq(store, op)).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------

describe('checkLinearizable: basics and semantics', () => {
  it('accepts the empty history', () => {
    expect(checkLinearizable([])).toEqual({
      ok: true,
      keysChecked: 0,
      statesExplored: 0,
      linearization: {},
      keys: [],
    });
  });

  it('a get of a missing key returns null', () => {
    const h = [get(1, 'x', null, 0, 10, 1), put(1, 'x', 'a', 20, 30, 2), get(1, 'x', 'a', 40, 50, 3)];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.linearization).toEqual({ x: [1, 2, 3] });
    expect(checkLinearizable([get(1, 'x', 'a', 0, 10)]).ok).toBe(false);
  });

  it('accepts a sequential history of every kind and returns it as the witness', () => {
    const h = [
      put(1, 'x', 'a', 0, 1, 10),
      append(1, 'x', 'b', 2, 3, 11),
      get(2, 'x', 'ab', 4, 5, 12),
      cas(1, 'x', 'ab', 'c', 'ok', 6, 7, 13),
      cas(2, 'x', 'ab', 'd', 'fail', 8, 9, 14),
      cas(2, 'y', null, 'e', 'ok', 10, 11, 15), // expected null = "key missing"
      append(3, 'z', 'q', 12, 13, 16), // append to a missing key starts from ''
      get(3, 'z', 'q', 14, 15, 17),
      get(3, 'x', 'c', 16, 17, 18),
    ];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.keysChecked).toBe(3);
    expect(res.linearization).toEqual({ x: [10, 11, 12, 13, 14, 18], y: [15], z: [16, 17] });
  });

  it('rejects a sequential history with a wrong read', () => {
    const h = [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 3), get(1, 'x', 'a', 4, 5)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('throws on malformed input', () => {
    expect(() => checkLinearizable([put(1, 'x', 'a', 0, 1, 1), put(1, 'x', 'b', 2, 3, 1)])).toThrow(
      /duplicate/,
    );
    expect(() => checkLinearizable([put(1, 'x', 'a', 5, 1)])).toThrow(/returnUs < callUs/);
    expect(() =>
      checkLinearizable([mk({ client: 1, kind: 'get', key: 'x', callUs: 0, returnUs: 1 })]),
    ).toThrow(/output/);
    expect(() => checkLinearizable([cas(1, 'x', 'a', 'b', undefined, 0, 1)])).toThrow(/'ok' or 'fail'/);
    const bogus = { ...put(1, 'x', 'a', 0, 1), kind: 'toString' } as unknown as KvOp;
    expect(() => checkLinearizable([bogus])).toThrow(/unknown kind/);
    expect(() =>
      checkLinearizable([mk({ client: 1, kind: 'put', key: 'x', callUs: 0, returnUs: 1 })]),
    ).toThrow(/value/);
  });
});

describe('checkLinearizable: linearizable concurrent histories', () => {
  it('[DDIA 9-2] a read concurrent with a write may return the old or the new value', () => {
    for (const seen of [null, '1']) {
      const h = [put(1, 'x', '1', 10, 50), get(2, 'x', seen, 20, 30), get(3, 'x', '1', 60, 70)];
      assertWitness(h, checkLinearizable(h));
    }
  });

  it('overlapping writes: a later read may see either one', () => {
    for (const seen of ['a', 'b']) {
      const h = [put(1, 'x', 'a', 0, 50), put(2, 'x', 'b', 10, 40), get(3, 'x', seen, 60, 70)];
      assertWitness(h, checkLinearizable(h));
    }
    // ...and two sequential reads may see b then a only if a is ordered last (a's interval
    // covers b's, so yes).
    const h = [
      put(1, 'x', 'a', 0, 50),
      put(2, 'x', 'b', 10, 20),
      get(3, 'x', 'b', 21, 25),
      get(3, 'x', 'a', 30, 35),
    ];
    assertWitness(h, checkLinearizable(h));
  });

  it('[HW90 Fig. 1 style, register form] overlapping writes and reads by three clients', () => {
    // A: put(a) ----------- ; B:   put(b) ---- ; A: get→b ; B: get→b ; C: get→a overlapping A's put
    const h = [
      put(0, 'x', 'a', 0, 30, 1),
      put(1, 'x', 'b', 5, 15, 2),
      get(2, 'x', 'a', 10, 12, 3), // a is linearized before 10..12, b after it
      get(0, 'x', 'b', 35, 40, 4),
      get(1, 'x', 'b', 20, 45, 5),
    ];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.linearization!.x).toEqual([1, 3, 2, 5, 4]);
  });

  it('[HW90 Fig. 1 style, register form] a value may be read while its write is still running', () => {
    const h = [put(0, 'x', 'a', 0, 100), get(1, 'x', 'a', 10, 20), get(2, 'x', 'a', 30, 40)];
    assertWitness(h, checkLinearizable(h));
  });

  it('keys are independent (locality, [HW90 Thm. 1])', () => {
    // Real-time order across keys imposes nothing: x and y are each linearizable.
    const h = [
      put(1, 'x', '1', 0, 10),
      get(2, 'y', null, 20, 30),
      put(1, 'y', '1', 0, 40),
      get(2, 'x', '1', 5, 15),
      get(3, 'y', '1', 35, 50),
    ];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.keysChecked).toBe(2);
  });

  it('equal timestamps: touching intervals are concurrent; calls sort before returns', () => {
    // b's call equals a's return: concurrent, so b may be ordered before a.
    const h = [put(1, 'x', 'a', 0, 10), get(2, 'x', null, 10, 20)];
    assertWitness(h, checkLinearizable(h));
    // Zero-length operations work; one strictly after another is ordered.
    const z = [put(1, 'x', 'a', 5, 5), get(2, 'x', 'a', 6, 6), get(2, 'x', null, 5, 5)];
    assertWitness(z, checkLinearizable(z));
    expect(checkLinearizable([put(1, 'x', 'a', 5, 5), get(2, 'x', null, 6, 6)]).ok).toBe(false);
  });
});

describe('checkLinearizable: non-linearizable histories', () => {
  it('[DDIA 9-1] stale read after a completed write', () => {
    const h = [put(1, 'x', '1', 0, 10, 1), get(2, 'x', null, 20, 30, 2)];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBeUndefined();
    expect(res.failure!.key).toBe('x');
    expect(res.failure!.ops).toEqual([1, 2]);
    expect(res.failure!.message).toMatch(/get\("x"\) by client 2 \(op #2, 20–30µs\) returned null/);
    expect(res.failure!.message).toMatch(
      /wherever it could take effect, "x" was "1" \(last written by op #1/,
    );
    expect(res.failure!.message).not.toMatch(/cannot be completed/);
  });

  it('explains which writes were visible: "returned 3 but the latest writes were 1 and 2"', () => {
    const h = [
      put(4, 'x', '3', 0, 5, 3),
      put(1, 'x', '1', 10, 50, 1),
      put(3, 'x', '2', 10, 50, 2),
      get(2, 'x', '3', 60, 70, 4),
    ];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.failure!.message).toContain('get("x") by client 2 (op #4, 60–70µs) returned "3"');
    expect(res.failure!.message).toContain('"1" (last written by op #1');
    expect(res.failure!.message).toContain('"2" (last written by op #2');
    expect(res.failure!.ops).toEqual([1, 2, 4]);
  });

  it('says when a read returned a value nobody wrote', () => {
    const res = checkLinearizable([put(1, 'x', 'a', 0, 10), get(2, 'x', 'zzz', 20, 30)]);
    expect(res.failure!.message).toMatch(/no operation ever wrote "zzz"/);
  });

  it('[DDIA 9-3] new-old inversion: a read returns the old value after another read saw the new one', () => {
    const h = [
      put(1, 'x', '0', 0, 5, 1),
      put(1, 'x', '1', 10, 100, 2), // long-running write
      get(2, 'x', '1', 20, 30, 3), // sees the new value
      get(3, 'x', '0', 40, 50, 4), // starts after 3 returned, sees the old one
    ];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.failure!.ops).toEqual([2, 3, 4]); // the write, the read that saw it, the stale read
    expect(res.failure!.message).toMatch(/op #4.*returned "0"/);
    expect(res.failure!.message).toMatch(
      /"x" was "1" \(last written by op #2, put\("x", "1"\) at client 1\)/,
    );
    // Each operation with its part in a line, the offending read first (drawn on the diagram).
    expect(res.failure!.notes).toEqual([
      { op: 4, offending: true, why: 'got "0", but "x" was "1" wherever it could take effect' },
      { op: 2, offending: false, why: 'wrote "1", which "x" held where op #4 could take effect' },
      { op: 3, offending: false, why: 'the last to return before op #4 was called' },
    ]);
    // Each read alone is fine.
    expect(checkLinearizable(h.filter((o) => o.id !== 4)).ok).toBe(true);
    expect(checkLinearizable(h.filter((o) => o.id !== 3)).ok).toBe(true);
  });

  it('a cas that succeeds twice from the same expected value', () => {
    const h = [
      put(0, 'x', '0', 0, 5, 1),
      cas(1, 'x', '0', '1', 'ok', 10, 30, 2),
      cas(2, 'x', '0', '2', 'ok', 15, 25, 3),
    ];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.failure!.message).toMatch(/returned ok, but wherever it could take effect "x" was "1"/);
    // Op 3 does fit when ordered before op 2, but then op 2 cannot succeed.
    expect(res.failure!.message).toMatch(/the orderings in which it succeeds cannot be completed/);
    expect(res.failure!.ops).toEqual([1, 2, 3]);
  });

  it('a cas that failed although the expected value was certainly there', () => {
    const h = [put(0, 'x', '0', 0, 5, 1), cas(1, 'x', '0', '1', 'fail', 10, 20, 2)];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.failure!.message).toMatch(/returned fail, but .* held the expected value "0"/);
  });

  it('[DDIA 9-4] cas chain: a final read older than a read that completed before it', () => {
    const h = [
      put(0, 'x', '0', 0, 5),
      cas(1, 'x', '0', '2', 'ok', 10, 40),
      cas(2, 'x', '2', '4', 'ok', 20, 60),
      get(3, 'x', '4', 50, 55),
      get(4, 'x', '2', 70, 80),
    ];
    expect(checkLinearizable(h).ok).toBe(false);
    // Without the stale final read it is linearizable.
    assertWitness(h.slice(0, 4), checkLinearizable(h.slice(0, 4)));
  });

  it('reports the failing key, checking keys in sorted order', () => {
    const h = [
      put(1, 'b', '1', 0, 10),
      get(2, 'b', null, 20, 30),
      put(1, 'a', '1', 0, 10),
      get(2, 'a', '1', 20, 30),
    ];
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.failure!.key).toBe('b');
    expect(res.keysChecked).toBe(2);
    expect(res.linearization).toBeUndefined();
  });
});

describe('checkLinearizable: pending operations (never returned)', () => {
  it('a pending write may have taken effect ...', () => {
    const h = [put(1, 'x', 'a', 0, null, 1), get(2, 'x', 'a', 50, 60, 2)];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.linearization!.x).toEqual([1, 2]);
  });

  it('... or not, and is left out of the witness when unneeded', () => {
    const h = [put(1, 'x', 'a', 0, null, 1), get(2, 'x', null, 50, 60, 2)];
    const res = checkLinearizable(h);
    assertWitness(h, res);
    expect(res.linearization!.x).toEqual([2]);
  });

  it('... and can take effect long after its call', () => {
    const h = [put(1, 'x', 'a', 0, null), get(2, 'x', null, 50, 60), get(2, 'x', 'a', 1000, 1001)];
    assertWitness(h, checkLinearizable(h));
  });

  it('but not before it was called, nor undone once observed', () => {
    expect(checkLinearizable([get(2, 'x', 'a', 0, 10), put(1, 'x', 'a', 20, null)]).ok).toBe(false);
    const h = [put(1, 'x', 'a', 0, null), get(2, 'x', 'a', 50, 60), get(2, 'x', null, 70, 80)];
    expect(checkLinearizable(h).ok).toBe(false);
  });

  it('pending cas and append may or may not have applied; pending gets constrain nothing', () => {
    const base = [put(0, 'x', '0', 0, 5), cas(1, 'x', '0', '1', undefined, 10, null)];
    for (const seen of ['1', '0']) {
      const h = [...base, get(2, 'x', seen, 20, 30)];
      assertWitness(h, checkLinearizable(h));
    }
    const ap = [append(0, 'x', 'p', 0, null), append(1, 'x', 'q', 0, 10), get(2, 'x', 'qp', 20, 30)];
    assertWitness(ap, checkLinearizable(ap));
    // A pending get's output (even a nonsense one) is ignored.
    const pg = [get(0, 'x', 'nonsense', 0, null), put(1, 'x', 'a', 5, 6)];
    assertWitness(pg, checkLinearizable(pg));
  });

  it('a pending cas cannot make an impossible value appear', () => {
    const h = [put(0, 'x', '0', 0, 5), cas(1, 'x', '9', '1', undefined, 10, null), get(2, 'x', '1', 20, 30)];
    expect(checkLinearizable(h).ok).toBe(false);
  });
});

describe('checkLinearizable: state cap and determinism', () => {
  /** 12 concurrent writes, then a read of a value none of them wrote: exhaustive search. */
  const hard = (): KvOp[] => {
    const h: KvOp[] = [];
    for (let i = 0; i < 12; i++) h.push(put(i, 'x', `v${i}`, 0, 100, i));
    h.push(get(99, 'x', 'nope', 200, 210, 99));
    return h;
  };

  it('reports exhausted (unknown, not ok) when the cap is hit', () => {
    const res = checkLinearizable(hard(), { maxStates: 1000 });
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBe(true);
    expect(res.statesExplored).toBeLessThanOrEqual(1000);
    expect(res.failure!.message).toMatch(/Gave up on key "x"/);
  });

  it('with enough budget the same history is a definite violation', () => {
    const res = checkLinearizable(hard());
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBeUndefined();
    expect(res.statesExplored).toBeGreaterThan(1000);
    expect(res.failure!.ops).toContain(99);
  });

  it('is deterministic and independent of input order', () => {
    const h = makeBenchHistory(7, 300, 5, 3);
    const a = checkLinearizable(h);
    const b = checkLinearizable(structuredClone(h));
    expect(b).toEqual(a);
    const reversed = [...h].reverse();
    expect(checkLinearizable(reversed)).toEqual(a);
    const bad = structuredClone(h);
    const g = bad.find((o) => o.kind === 'get' && o.returnUs !== null)!;
    g.output = 'never-written';
    const f1 = checkLinearizable(bad);
    expect(f1.ok).toBe(false);
    expect(checkLinearizable([...bad].reverse())).toEqual(f1);
  });

  it('does not mutate its input', () => {
    const h = makeBenchHistory(3, 200);
    const copy = structuredClone(h);
    checkLinearizable(h);
    expect(h).toEqual(copy);
  });
});

/**
 * A key that is expensive to decide: `writers` concurrent puts, then a read of a value none of
 * them wrote. Proving that read impossible means trying every subset of the puts (2^writers
 * configurations and more), ids from 10,000 on.
 */
function expensiveKey(key: string, writers: number): KvOp[] {
  const h: KvOp[] = [];
  for (let i = 0; i < writers; i++) h.push(put(i, key, `v${i}`, 0, 100, 10_000 + i));
  h.push(get(99, key, 'never-written', 200, 210, 10_000 + writers));
  return h;
}

describe('checkLinearizable: keys are independent (P-compositionality)', () => {
  it('an expensive first key does not stop a later illegal key from deciding the history', () => {
    // Keys "0".."9" from the benchmark generator, one of them with a violation; "!hot" sorts
    // first and needs far more than the budget.
    const { history, badKeys } = makeKvBenchHistory(3, { clients: 10, ops: 400, badKeys: 1 });
    const h = [...expensiveKey('!hot', 16), ...history];
    for (const maxStates of [5_000, 40_000]) {
      const res = checkLinearizable(h, { maxStates });
      expect(res.ok).toBe(false);
      expect(res.exhausted).toBeUndefined();
      expect(res.failure!.key).toBe(badKeys[0]);
      const hot = res.keys.find((k) => k.key === '!hot')!;
      // Within one round's budget "!hot" has run out for good; with more, it was left for later.
      expect(hot.verdict).toBe(maxStates === 5_000 ? 'exhausted' : 'unchecked');
      expect(res.keys.find((k) => k.key === badKeys[0])!.verdict).toBe('illegal');
    }
  });

  it('reports per key which keys were decided and which ran out of budget', () => {
    const { history } = makeKvBenchHistory(5, { clients: 10, ops: 300, keys: 3 });
    const h = [...expensiveKey('!hot', 14), ...history];
    const res = checkLinearizable(h, { maxStates: 3_000 });
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBe(true);
    expect(res.keys).toEqual([
      { key: '!hot', verdict: 'exhausted', states: 3_000, reason: 'states' },
      { key: '0', verdict: 'linearizable', states: expect.any(Number) },
      { key: '1', verdict: 'linearizable', states: expect.any(Number) },
      { key: '2', verdict: 'linearizable', states: expect.any(Number) },
    ]);
    expect(res.keysChecked).toBe(4);
    expect(res.failure!.key).toBe('!hot');
    expect(res.failure!.message).toMatch(
      /Gave up on key "!hot" after 3000 states.*3 of 4 keys were proven linearizable/,
    );
    // With the budget it needs, the same key is a definite violation.
    expect(checkLinearizable(h).failure!.key).toBe('!hot');
  });

  it('a search that reaches its memory bound is undecided, not an exception', () => {
    const h = expensiveKey('x', 14);
    const res = checkLinearizable(h, { maxMemoryBytes: 256 * 1024 });
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBe(true);
    expect(res.keys).toEqual([
      { key: 'x', verdict: 'exhausted', states: expect.any(Number), reason: 'memory' },
    ]);
    expect(res.failure!.message).toMatch(/memory bound/);
  });

  it('values with equal hashes are still told apart (Thue–Morse strings)', () => {
    // t and u (its complement) of length 128 collide in both polynomial hashes mod 2^32.
    let t = 'a';
    let u = 'b';
    for (let k = 0; k < 7; k++) [t, u] = [t + u, u + t];
    const half = 64;
    const built = [append(1, 'x', t.slice(0, half), 0, 10), append(1, 'x', t.slice(half), 20, 30)];
    expect(checkLinearizable([...built, get(2, 'x', t, 40, 50)]).ok).toBe(true);
    expect(checkLinearizable([...built, get(2, 'x', u, 40, 50)]).ok).toBe(false);
    expect(checkLinearizable([put(1, 'x', t, 0, 10), get(2, 'x', u, 20, 30)]).ok).toBe(false);
  });
});

describe('benchmark workload', () => {
  it('makeBenchHistory is deterministic and realistic', () => {
    const h = makeBenchHistory(1);
    expect(h).toHaveLength(1000);
    expect(makeBenchHistory(1)).toEqual(h);
    expect(makeBenchHistory(2)).not.toEqual(h);
    expect(new Set(h.map((o) => o.client)).size).toBe(5);
    expect(new Set(h.map((o) => o.key)).size).toBe(4);
    // Genuinely concurrent: many pairs of operations on the same key overlap.
    const sorted = [...h].sort((a, b) => a.callUs - b.callUs);
    let overlaps = 0;
    for (let i = 1; i < sorted.length; i++) if (!precedes(sorted[i - 1]!, sorted[i]!)) overlaps++;
    expect(overlaps).toBeGreaterThan(500);
  });

  it('a 1,000-operation, 5-client history checks ok with a small search', { timeout: 10_000 }, () => {
    for (let seed = 1; seed <= 5; seed++) {
      const h = makeBenchHistory(seed);
      const res = checkLinearizable(h);
      assertWitness(h, res);
      // Deterministic proxy for speed: the search stays near-linear in the history length.
      expect(res.statesExplored).toBeLessThan(10 * h.length);
    }
    expect(benchLinearizability()).toMatchObject({ ops: 1000, ok: true });
  });

  it('copes with 10 clients hammering a single key', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const h = makeBenchHistory(seed, 1000, 10, 1);
      const res = checkLinearizable(h);
      assertWitness(h, res);
      expect(res.statesExplored).toBeLessThan(50_000);
    }
  });

  it('makeKvBenchHistory: Porcupine-like, deterministic, the bad one is the ok one plus the bug', () => {
    const ok = makeKvBenchHistory(1);
    const bad = makeKvBenchHistory(1, { badKeys: 3 });
    expect(ok.history).toHaveLength(2000);
    expect(makeKvBenchHistory(1)).toEqual(ok);
    expect(new Set(ok.history.map((o) => o.client)).size).toBe(50);
    expect([...new Set(ok.history.map((o) => o.key))].sort()).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(new Set(ok.history.map((o) => o.kind))).toEqual(new Set(['get', 'put', 'append']));
    expect(ok.badKeys).toEqual([]);
    expect(bad.badKeys).toHaveLength(3);
    // Same operations at the same times; only reads after the doubled appends differ.
    const differ = bad.history.filter((o, i) => JSON.stringify(o) !== JSON.stringify(ok.history[i]));
    expect(differ.length).toBeGreaterThan(0);
    for (const o of differ) {
      expect(o.kind).toBe('get');
      expect(bad.badKeys).toContain(o.key);
    }
  });

  it('decides both kv benchmark histories with the default budget', { timeout: 30_000 }, () => {
    const ok = checkLinearizable(makeKvBenchHistory(1).history);
    expect(ok.ok).toBe(true);
    expect(ok.keys.every((k) => k.verdict === 'linearizable')).toBe(true);
    const { history, badKeys } = makeKvBenchHistory(1, { badKeys: 3 });
    const bad = checkLinearizable(history);
    expect(bad.ok).toBe(false);
    expect(bad.exhausted).toBeUndefined();
    expect(badKeys).toContain(bad.failure!.key);
    expect(bad.failure!.message).toMatch(/returned/);
  });

  it('a mutated read in a 1,000-operation history is found', () => {
    const h = makeBenchHistory(11);
    const g = h.filter((o) => o.kind === 'get' && o.returnUs !== null)[250]!;
    g.output = 'never-written';
    const res = checkLinearizable(h);
    expect(res.ok).toBe(false);
    expect(res.exhausted).toBeUndefined();
    expect(res.failure!.key).toBe(g.key);
  });
});

// ---------------------------------------------------------------------------------------
// Property tests (fast-check).

type Cmd = {
  kind: KvOp['kind'];
  key: number;
  val: number;
  casGuess: number;
  before: number;
  after: number;
  /** 0 (probability 1/16): the op never returns. */
  pendingDie: number;
  applies: boolean;
};
const cmdArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constantFrom<KvOp['kind']>('get', 'get', 'put', 'cas', 'append'),
  key: fc.nat(2),
  val: fc.nat(3),
  casGuess: fc.nat(3),
  before: fc.nat(40),
  after: fc.nat(40),
  pendingDie: fc.nat(15),
  applies: fc.boolean(),
});

/**
 * Executes commands one at a time against a sequential map at linearization points 10µs
 * apart, then widens each interval by random jitter around its point: the result has real
 * concurrency yet is linearizable by construction (the methodology of [Lowe17]). Some ops
 * never return; of those, `applies` decides whether they took effect.
 */
function historyFrom(cmds: Cmd[]): KvOp[] {
  const store = new Map<string, string>();
  const written: string[] = [];
  return cmds.map((c, i) => {
    const key = `k${c.key}`;
    const lin = 10 * (i + 1);
    const pending = c.pendingDie === 0;
    const op: KvOp = {
      id: i,
      client: i % 4,
      kind: c.kind,
      key,
      callUs: Math.max(0, lin - c.before),
      returnUs: pending ? null : lin + c.after,
    };
    const applies = !pending || c.applies;
    const cur = store.get(key) ?? null;
    switch (c.kind) {
      case 'get':
        op.output = pending ? undefined : cur;
        break;
      case 'put':
        op.value = `v${i}`;
        written.push(op.value);
        if (applies) store.set(key, op.value);
        break;
      case 'append':
        op.value = `a${c.val}`;
        if (applies) store.set(key, (cur ?? '') + op.value);
        break;
      case 'cas': {
        op.value = `v${i}`;
        op.expected =
          c.casGuess === 0
            ? null
            : c.casGuess === 1 || written.length === 0
              ? cur
              : written[c.val % written.length]!;
        const ok = cur === (op.expected ?? null);
        if (!pending) op.output = ok ? 'ok' : 'fail';
        if (ok && applies) store.set(key, op.value);
        written.push(op.value);
        break;
      }
    }
    return op;
  });
}

const historyArb = fc.array(cmdArb, { minLength: 1, maxLength: 60 }).map(historyFrom);

describe('checkLinearizable: properties', () => {
  it('histories produced by a linearizable store are always linearizable', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const res = checkLinearizable(h);
        assertWitness(h, res);
      }),
      { numRuns: 400, seed: 20260127 },
    );
  });

  it('changing a completed read to a value never written makes the history fail', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (h, pick) => {
        const reads = h.filter((o) => o.kind === 'get' && o.returnUs !== null);
        fc.pre(reads.length > 0);
        const target = reads[pick % reads.length]!;
        target.output = 'never-written'; // no value in the generator contains this string
        const res = checkLinearizable(h);
        expect(res.ok).toBe(false);
        expect(res.exhausted).toBeUndefined();
        expect(res.failure!.key).toBe(target.key);
        expect(res.failure!.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('agrees with a brute-force search on small random (often illegal) histories', () => {
    const small = fc.record({
      kind: fc.constantFrom<KvOp['kind']>('get', 'put', 'cas', 'append'),
      key: fc.constantFrom('x', 'x', 'y'),
      value: fc.constantFrom('a', 'b'),
      expected: fc.constantFrom<string | null>(null, 'a', 'b'),
      read: fc.constantFrom<string | null>(null, 'a', 'b', 'ab', 'ba'),
      casOk: fc.boolean(),
      callUs: fc.nat(12),
      dur: fc.nat(8),
      pending: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.array(small, { minLength: 1, maxLength: 6 }), (rows) => {
        const h: KvOp[] = rows.map((r, id) => {
          const returnUs = r.pending === 0 ? null : r.callUs + r.dur;
          const op: KvOp = { id, client: id, kind: r.kind, key: r.key, callUs: r.callUs, returnUs };
          if (r.kind === 'get') op.output = r.read;
          else op.value = r.value;
          if (r.kind === 'cas') {
            op.expected = r.expected;
            if (returnUs !== null) op.output = r.casOk ? 'ok' : 'fail';
          }
          return op;
        });
        const res = checkLinearizable(h);
        expect(res.exhausted).toBeUndefined();
        expect(res.ok).toBe(bruteForce(h));
        if (res.ok) assertWitness(h, res);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe('startLinearizabilityCheck: the same check a piece at a time', () => {
  /** Runs a check in pieces of `work` steps; how many pieces it took and the result. */
  function inPieces(history: KvOp[], work: number, opts = {}) {
    const check = startLinearizabilityCheck(history, opts);
    let pieces = 0;
    const progress: number[] = [];
    for (;;) {
      pieces++;
      const r = check.advance(work);
      progress.push(check.progress().done);
      if (r !== null) return { r, pieces, progress, total: check.progress().total };
    }
  }

  it('stops after the steps it is given and answers what one piece answers', () => {
    for (const badKeys of [0, 2]) {
      const { history } = makeKvBenchHistory(5, { clients: 10, ops: 300, keys: 4, badKeys });
      const whole = checkLinearizable(history);
      const { r, pieces, progress, total } = inPieces(history, 50);
      expect(pieces).toBeGreaterThan(10);
      expect(r).toEqual(whole);
      expect(total).toBe(4);
      // Keys decided only go up, to the count the result names.
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(whole.keysChecked);
    }
  });

  it('carries a key over to the next round in pieces too (a budget too small for one round)', () => {
    const { history } = makeKvBenchHistory(5, { clients: 10, ops: 300, keys: 3 });
    const opts = { maxStates: 50_000 };
    expect(inPieces(history, 7, opts).r).toEqual(checkLinearizable(history, opts));
  });

  it('an answered check keeps its answer', () => {
    const check = startLinearizabilityCheck([put(0, 'k', 'a', 0, 1), get(1, 'k', 'a', 2, 3)]);
    const r = check.advance(Number.POSITIVE_INFINITY);
    expect(r?.ok).toBe(true);
    expect(check.advance(1)).toBe(r);
  });
});
