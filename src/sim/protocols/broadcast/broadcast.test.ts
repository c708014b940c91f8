import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import type { BroadcastState } from './broadcast';

describe('broadcast', () => {
  it('every node delivers every message when nothing fails (agreement, validity)', () => {
    const sim = new Simulation(defaultScenario('broadcast'));
    sim.runUntil(3_000_000);
    const states = sim.nodeStates().map((n) => n.state as BroadcastState);
    const ops = sim.history().filter((o) => o.kind === 'put' && o.returnUs !== null).length;
    expect(ops).toBeGreaterThan(10);
    // Writes issued in the last few ms may still be in flight; all earlier ones are everywhere.
    for (const s of states) expect(s.delivered).toBeGreaterThanOrEqual(ops - 2);
    expect(new Set(states.map((s) => JSON.stringify(s.got))).size).toBeLessThanOrEqual(2);
  });

  it('delivered-id ranges stay exact under any arrival order', async () => {
    const mod = await import('./broadcast');
    const { broadcast } = mod;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 80 }), (ns) => {
        const params = broadcast.params.parse({});
        const s = broadcast.init({ id: 'a', role: 'node', params, nodes: ['a', 'b'] });
        const world = { self: 'a', nodes: { a: 'node', b: 'node' }, params };
        const want = new Set<number>();
        for (const n of ns) {
          const msg = { type: 'bcast' as const, id: `b:${n}`, origin: 'b', n, key: 'k', value: 'v' };
          handle(broadcast, s, { kind: 'message', from: 'b', msg }, world);
          want.add(n);
        }
        const r = s.got.b ?? [];
        const have = new Set<number>();
        for (let k = 0; k < r.length; k += 2) {
          expect(r[k]!).toBeLessThanOrEqual(r[k + 1]!);
          if (k > 0) expect(r[k]!).toBeGreaterThan(r[k - 1]! + 1); // disjoint and not adjacent
          for (let n = r[k]!; n <= r[k + 1]!; n++) have.add(n);
        }
        expect([...have].sort((x, y) => x - y)).toEqual([...want].sort((x, y) => x - y));
        expect(s.delivered).toBe(want.size);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('relays by Algorithm 3.2: the origin sends to all, a first delivery relays to all but the origin, a copy is dropped', async () => {
    const { broadcast } = await import('./broadcast');
    const params = broadcast.params.parse({});
    const nodes = { a: 'node', b: 'node', c: 'node', d: 'node', cl: 'client' };
    const init = (id: string) =>
      broadcast.init({ id, role: 'node', params, nodes: Object.keys(nodes).sort() });
    const a = init('a');
    const op = { id: 1, client: 'cl', op: 'write' as const, key: 'x', value: 'v1' };
    const out = handle(broadcast, a, { kind: 'client', op }, { self: 'a', nodes, params });
    expect(out.sent.map((o) => o.to)).toEqual(['b', 'c', 'd']);
    expect(out.replies).toEqual([{ id: 1, result: { ok: true } }]);
    expect(a).toMatchObject({ next: 2, delivered: 1, kv: { x: 'v1' } });
    const m = out.sent[0]!.msg;
    const b = init('b');
    const relay = handle(broadcast, b, { kind: 'message', from: 'a', msg: m }, { self: 'b', nodes, params });
    expect(relay.sent.map((o) => o.to)).toEqual(['c', 'd']);
    expect(b).toMatchObject({ delivered: 1, relays: 1, kv: { x: 'v1' } });
    const again = handle(broadcast, b, { kind: 'message', from: 'c', msg: m }, { self: 'b', nodes, params });
    expect(again.sent).toEqual([]);
    expect(b.delivered).toBe(1);
    // The bug switches: no relaying; a copy delivered twice.
    const noRelay = { ...params, bugNoRelay: true };
    expect(
      handle(
        broadcast,
        init('c'),
        { kind: 'message', from: 'a', msg: m },
        { self: 'c', nodes, params: noRelay },
      ).sent,
    ).toEqual([]);
    const noDedupe = { ...params, bugNoDedupe: true };
    handle(broadcast, b, { kind: 'message', from: 'd', msg: m }, { self: 'b', nodes, params: noDedupe });
    expect(b).toMatchObject({ delivered: 2, duplicates: 1 });
  });
});
