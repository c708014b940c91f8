import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
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
        let s = broadcast.init({
          id: 'a',
          role: 'node',
          params: broadcast.params.parse({}),
          nodes: ['a', 'b'],
        });
        const env = {
          self: 'a',
          role: 'node',
          peers: ['b'],
          nodesWithRole: () => ['a', 'b'],
          localTimeUs: 0,
          rng: undefined as never,
          params: broadcast.params.parse({}),
        };
        const want = new Set<number>();
        for (const n of ns) {
          s = broadcast.step(
            s,
            {
              kind: 'message',
              from: 'b',
              msg: { type: 'bcast', id: `b:${n}`, origin: 'b', n, key: 'k', value: 'v' },
            },
            env,
          ).state;
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
});
