import { describe, expect, it } from 'vitest';
import { type Kv, kvEntries, kvGet, kvPut, kvPutOwned, kvShare } from './kv';

describe('Raft key-value store', () => {
  it('reads back every write like a plain record, past the flat form, and never changes an older store', () => {
    let kv: Kv = {};
    const flat: Record<string, string> = {};
    const kept: { kv: Kv; flat: Record<string, string> }[] = [];
    let x = 11;
    for (let step = 0; step < 600; step++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const key = `k${x % 150}`;
      kv = kvPut(kv, key, `v${step}`);
      flat[key] = `v${step}`;
      expect(kvGet(kv, key)).toBe(`v${step}`);
      if (step % 50 === 0) kept.push({ kv, flat: { ...flat } });
    }
    expect(kvEntries(kv)).toEqual(flat);
    expect(kvGet(kv, 'missing')).toBeUndefined();
    for (const k of kept) {
      expect(kvEntries(k.kv)).toEqual(k.flat);
      for (const key of Object.keys(k.flat)) expect(kvGet(k.kv, key)).toBe(k.flat[key]);
    }
    // A small store stays one flat record (what the inspector shows).
    expect(kvPut({ a: '1' }, 'b', '2')).toEqual({ a: '1', b: '2' });
    // The same writes give equal stores (servers compare their state machines).
    let other: Kv = {};
    for (const [key, value] of Object.entries(flat)) other = kvPut(other, key, value);
    expect(kvEntries(other)).toEqual(kvEntries(kv));
    expect(JSON.parse(JSON.stringify(kv))).toEqual(kv);
  });

  it('kvPutOwned gives the stores kvPut gives, and never changes a store once shared', () => {
    let copied: Kv = {};
    let owned: Kv = {};
    const shared: { kv: Kv; json: string }[] = [];
    let x = 7;
    for (let step = 0; step < 800; step++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const key = `k${x % 90}`;
      copied = kvPut(copied, key, `v${step}`);
      owned = kvPutOwned(owned, key, `v${step}`);
      // Same value and same form (flat below 17 keys, hashed after), key order included.
      expect(JSON.stringify(owned)).toBe(JSON.stringify(copied));
      if (step % 37 === 0) {
        // A snapshot or a checkpoint now holds the store: it must stay as it is.
        kvShare(owned);
        shared.push({ kv: owned, json: JSON.stringify(owned) });
      }
    }
    for (const k of shared) expect(JSON.stringify(k.kv)).toBe(k.json);
    // A store kvPutOwned did not make (a snapshot's, a message's) is never changed either.
    const given: Kv = { a: '1' };
    expect(kvPutOwned(given, 'a', '2')).toEqual({ a: '2' });
    expect(given).toEqual({ a: '1' });
  });
});
