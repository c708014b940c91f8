import { describe, expect, it } from 'vitest';
import { type Kv, kvEntries, kvGet, kvPut } from './kv';

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
});
