/**
 * The placement lessons' claims (consistent hashing, sharding) that no test backed over seeds
 * (docs/protocols/lesson-claims.md lists every claim and the test that backs it).
 */
import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../src/sim/catalog';
import { chQuickStart, consistentHashing, movedKeys } from '../../src/sim/protocols/consistent-hashing';
import { sharding, shardingQuickStart } from '../../src/sim/protocols/sharding';
import { Simulation } from '../../src/sim/simulation';
import { seriesLast } from '../../src/sim/test/summary';

registerProtocol(consistentHashing);
registerProtocol(sharding);

const SCHEMES = ['ring', 'rendezvous', 'jump'] as const;

describe('consistent hashing: "switch scheme to rendezvous and jump"', () => {
  const paramsFor = (scheme: string) => consistentHashing.params.parse({ scheme });
  const four = ['n1', 'n2', 'n3', 'n4'];
  const five = [...four, 'n5'];

  it('every scheme moves about 1/5 of the keys when n5 joins; only jump pays for removing a node in the middle (20 key spaces)', () => {
    // Placement depends on the keys, not on the run's seed: vary the key space instead.
    for (let s = 1; s <= 20; s++) {
      const keys = Array.from({ length: 1000 }, (_, i) => `k${s}-${i}`);
      for (const scheme of SCHEMES) {
        const join = movedKeys(paramsFor(scheme), four, five, keys).moved.length / keys.length;
        expect(Math.abs(join - 1 / 5), `key space ${s}, ${scheme} join: ${join}`).toBeLessThan(0.05);
        const leave =
          movedKeys(
            paramsFor(scheme),
            five,
            five.filter((n) => n !== 'n2'),
            keys,
          ).moved.length / keys.length;
        // Jump numbers its buckets 0..n-1: dropping n2 renumbers n3..n5, and most keys move.
        if (scheme === 'jump') expect(leave, `key space ${s}, jump leave`).toBeGreaterThan(0.6);
        else expect(Math.abs(leave - 1 / 5), `key space ${s}, ${scheme} leave: ${leave}`).toBeLessThan(0.07);
      }
    }
  });

  it('the quick start shows it: keysMoved after the join and after n2 leaves, per scheme (seeds 1..3)', () => {
    for (const seed of [1, 2, 3]) {
      const moved = SCHEMES.map((scheme) => {
        const sim = new Simulation(chQuickStart({ scheme }), { seed });
        sim.runUntil(4_000_000); // after n5 joins at 3 s
        const atJoin = seriesLast(sim, 'keysMoved');
        sim.runUntil(Number.MAX_SAFE_INTEGER); // n2 leaves at 5 s
        return {
          atJoin,
          leave: seriesLast(sim, 'keysMoved') - atJoin,
          modulo: seriesLast(sim, 'keysMovedModuloN'),
        };
      });
      for (const m of moved) expect(m.atJoin, `seed ${seed}`).toBeLessThan(m.modulo / 3);
      const [ring, rendezvous, jump] = moved;
      expect(jump!.leave, `seed ${seed}`).toBeGreaterThan(3 * Math.max(ring!.leave, rendezvous!.leave));
    }
  });
});

describe('consistent hashing: "set vnodes to 1 and compare keysStddevRel with vnodes 64 and 256"', () => {
  it('more points per node, smoother keys per node (seeds 1..3)', () => {
    for (const seed of [1, 2, 3]) {
      const sd = (vnodes: number) => {
        const sim = new Simulation(chQuickStart({ vnodes }), { seed });
        sim.runUntil(Number.MAX_SAFE_INTEGER);
        return seriesLast(sim, 'keysStddevRel');
      };
      const [one, sixtyFour, many] = [sd(1), sd(64), sd(256)];
      expect(one, `seed ${seed}`).toBeGreaterThan(sixtyFour!);
      expect(sixtyFour, `seed ${seed}`).toBeGreaterThan(many!);
      expect(many, `seed ${seed}`).toBeLessThan(0.1);
    }
  });
});

describe('sharding: "use the range strategy with sequential keys"', () => {
  /** Per 0.2 s window: the shard that took the most requests and its share of them. */
  const windows = (sim: Simulation) => {
    const loads = [1, 2, 3].map((k) => sim.metrics().series.find((s) => s.id === `shard${k}Load`)!.v);
    const out: { busiest: number; share: number }[] = [];
    for (let i = 2; i < loads[0]!.length; i += 2) {
      const d = loads.map((v) => v[i]! - v[i - 2]!);
      const total = d.reduce((a, b) => a + b, 0);
      if (total > 0) out.push({ busiest: d.indexOf(Math.max(...d)), share: Math.max(...d) / total });
    }
    return out;
  };

  it('each moment one shard takes the writes, and that hotspot moves from shard to shard (seeds 1..10)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation(shardingQuickStart({ strategy: 'range' }, 'sequential'), { seed });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      const w = windows(sim);
      const mean = w.reduce((a, x) => a + x.share, 0) / w.length;
      expect(mean, `seed ${seed}`).toBeGreaterThan(0.75);
      // Not "the last shard": the key index cycles through the key space, so every shard takes its turn.
      expect(new Set(w.map((x) => x.busiest)).size, `seed ${seed}`).toBe(3);
    }
  });
});
