import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { registerProtocol } from '../../catalog';
import { Simulation } from '../../simulation';
import { seriesLast, seriesMax, seriesMean } from '../../test/summary';
import { handle } from '../../toolkit/recorder';
import {
  ownerOf,
  type RouterState,
  type ShardingMsg,
  type ShardState,
  scanTargets,
  sharding,
  shardingAddShard,
  shardingDirectory,
  shardingQuickStart,
  shardingScenarios,
  wantedTable,
} from '.';

registerProtocol(sharding);
const SEEDS = Array.from({ length: 50 }, (_, k) => k + 1);
const keys = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
const table = (params: Record<string, unknown>, shards: string[]) =>
  wantedTable(sharding.params.parse(params), shards);

function run(sc: ReturnType<typeof shardingQuickStart>, seed = sc.seed): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
}

describe('sharding: routing strategies (DDIA ch. 6)', () => {
  it('hash modulo N: owner = shards[hash(key) mod N] (§"Partitioning by Hash of Key")', () => {
    const t = table({ hash: 'crc32' }, ['s1', 's2', 's3']);
    // crc32("user-0") mod 3 picks the slot.
    for (const k of keys(50)) expect(['s1', 's2', 's3']).toContain(ownerOf(k, t));
    const counts = { s1: 0, s2: 0, s3: 0 } as Record<string, number>;
    for (const k of keys(3000)) counts[ownerOf(k, t)]!++;
    for (const c of Object.values(counts)) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('range: split points cut the key space in string order (§"Partitioning by Key Range")', () => {
    const t = table({ strategy: 'range', rangeSplits: ['user-3', 'user-5'] }, ['s1', 's2', 's3']);
    expect(ownerOf('user-0', t)).toBe('s1');
    expect(ownerOf('user-299', t)).toBe('s1');
    expect(ownerOf('user-3', t)).toBe('s2');
    expect(ownerOf('user-499', t)).toBe('s2');
    expect(ownerOf('user-5', t)).toBe('s3');
    expect(ownerOf('user-99', t)).toBe('s3'); // lexicographic, not numeric
  });

  it('directory: the longest matching prefix wins; unknown prefixes fall back to the hash', () => {
    const t = table({ strategy: 'directory', directory: { 'eu-': 's1', 'eu-west-': 's3', 'us-': 's2' } }, [
      's1',
      's2',
      's3',
    ]);
    expect(ownerOf('eu-42', t)).toBe('s1');
    expect(ownerOf('eu-west-7', t)).toBe('s3');
    expect(ownerOf('us-1', t)).toBe('s2');
    expect(ownerOf('ap-1', t)).toBe(ownerOf('ap-1', table({}, ['s1', 's2', 's3'])));
  });

  it('a range scan asks one shard per intersecting range, and every shard under hashing', () => {
    const r = table({ strategy: 'range', rangeSplits: ['user-3', 'user-5'] }, ['s1', 's2', 's3']);
    expect(scanTargets('user-1', 'user-2', r)).toEqual(['s1']);
    expect(scanTargets('user-2', 'user-4', r)).toEqual(['s1', 's2']);
    expect(scanTargets('user-1', 'user-2', table({}, ['s1', 's2', 's3']))).toEqual(['s1', 's2', 's3']);
  });

  it('moving from N to N+1 shards: modulo moves about N/(N+1) of the keys (§"How not to do it: hash mod N")', () => {
    for (const n of [2, 3, 5, 8]) {
      const ids = Array.from({ length: n + 1 }, (_, i) => `s${i + 1}`);
      for (const hash of ['crc32', 'murmur3', 'xxhash32']) {
        const a = table({ hash }, ids.slice(0, n));
        const b = table({ hash }, ids);
        const moved = keys(5000).filter((k) => ownerOf(k, a) !== ownerOf(k, b)).length / 5000;
        expect(Math.abs(moved - n / (n + 1)), `${hash} n=${n}`).toBeLessThan(0.03);
      }
    }
  });
});

describe('sharding: the rules, one input at a time', () => {
  const params = sharding.params.parse({});
  const nodes = { router: 'router', s1: 'shard', s2: 'shard', s3: 'shard', c1: 'client' };
  const ids = Object.keys(nodes).sort();
  const init = (id: string) =>
    sharding.init({ id, role: nodes[id as keyof typeof nodes], params, nodes: ids });
  const world = (self: string, p = params) => ({ self, nodes, params: p });
  const msg = (from: string, m: ShardingMsg) => ({ kind: 'message' as const, from, msg: m });
  const t3 = { version: 2, ...table({}, ['s1', 's2', 's3']) };

  it('the router routes a key to its owner, versions writes and counts the load (§"Request Routing")', () => {
    const r = init('router') as RouterState;
    handle(sharding, r, { kind: 'start' }, world('router'));
    expect(r.table.shards).toEqual(['s1', 's2', 's3']);
    const put = handle(
      sharding,
      r,
      msg('c1', { type: 'put', opId: 7, key: 'user-1', value: 'v' }),
      world('router'),
    );
    const owner = ownerOf('user-1', r.table);
    expect(put.sent).toEqual([
      { to: owner, msg: { type: 'shardPut', opId: 7, client: 'c1', key: 'user-1', value: 'v', ver: 1 } },
    ]);
    const get = handle(sharding, r, msg('c1', { type: 'get', opId: 8, key: 'user-1' }), world('router'));
    expect(get.sent).toEqual([
      { to: owner, msg: { type: 'shardGet', opId: 8, client: 'c1', key: 'user-1' } },
    ]);
    expect(r).toMatchObject({ nextVer: 2, routed: 2, window: { [owner]: 2 } });
  });

  it('a shard applying a newer table hands each key it no longer owns to its owner, in key order (§"Rebalancing Partitions")', () => {
    const s = init('s1') as ShardState;
    const ks = keys(12);
    s.table = { version: 1, ...table({}, ['s1']) };
    for (const [i, k] of ks.entries()) s.data[k] = { value: `v${i}`, ver: i + 1 };
    const out = handle(sharding, s, msg('router', { type: 'table', table: t3 }), world('s1'));
    const leaving = ks.filter((k) => ownerOf(k, t3) !== 's1').sort();
    expect(leaving.length).toBeGreaterThan(0);
    expect(out.sent.map((o) => [o.to, (o.msg as { key: string }).key])).toEqual(
      leaving.map((k) => [ownerOf(k, t3), k]),
    );
    expect(Object.keys(s.data).sort()).toEqual(ks.filter((k) => ownerOf(k, t3) === 's1').sort());
    expect(s).toMatchObject({ table: t3, tableSeen: 2, movedOut: leaving.length });
    expect(out.notes).toEqual([`s1 hands ${leaving.length} key(s) over for table v2`]);
    // The same table again changes nothing.
    expect(handle(sharding, s, msg('router', { type: 'table', table: t3 }), world('s1')).sent).toEqual([]);
  });

  it('a handed-over older value never overwrites a newer write; a key or request for another shard goes on to it', () => {
    const s = init('s1') as ShardState;
    s.table = t3;
    const mine = keys(50).find((k) => ownerOf(k, t3) === 's1')!;
    const theirs = keys(50).find((k) => ownerOf(k, t3) === 's2')!;
    s.data[mine] = { value: 'new', ver: 5 };
    handle(sharding, s, msg('s2', { type: 'transfer', key: mine, value: 'old', ver: 3 }), world('s1'));
    expect(s.data[mine]).toEqual({ value: 'new', ver: 5 });
    expect(s.movedIn).toBe(1);
    const req: ShardingMsg = { type: 'shardGet', opId: 1, client: 'c1', key: theirs };
    expect(handle(sharding, s, msg('router', req), world('s1')).sent).toEqual([{ to: 's2', msg: req }]);
    const tr: ShardingMsg = { type: 'transfer', key: theirs, value: 'x', ver: 9 };
    expect(handle(sharding, s, msg('s3', tr), world('s1')).sent).toEqual([{ to: 's2', msg: tr }]);
    expect(s).toMatchObject({ forwarded: 2, served: 0 });
    // Under bugStaleRoutingTable the shard serves it itself, and ignores a newer table.
    const bug = { ...params, bugStaleRoutingTable: true };
    const served = handle(sharding, s, msg('router', req), world('s1', bug));
    expect(served.sent).toEqual([{ to: 'c1', msg: { type: 'result', opId: 1, value: null } }]);
    handle(sharding, s, msg('router', { type: 'table', table: { ...t3, version: 3 } }), world('s1', bug));
    expect(s).toMatchObject({ table: t3, tableSeen: 3 });
  });
});

describe('sharding: runs', () => {
  it('the metrics read a crashed router and crashed shards: the add-shard scenario under a nemesis runs to its end', () => {
    // Seeds 1 and 5 threw: a crashed router's state holds only its durable fields, and the load
    // metrics read its window (TypeError), a crashed shard's request count (NaN).
    const base = shardingAddShard();
    const sc = ScenarioSchema.parse({
      ...base,
      nemesis: { enabled: true, crashRatePerS: 2, meanDowntimeUs: 300_000, partitionRatePerS: 1 },
    });
    for (const seed of [1, 5]) {
      const sim = new Simulation(sc, { seed });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.stopReason, `seed=${seed}`).toBe('time-limit');
      const m = sim.metrics().series;
      const routerDown = sim
        .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1e9)
        .some((r) => r.kind === 'fault' && r.node === 'router' && /crash/.test(r.detail ?? ''));
      expect(routerDown, `seed=${seed}: the nemesis crashed the router`).toBe(true);
      for (const id of ['loadImbalance', 'loadImbalanceTotal', 'forwarded', 'shard1RatePerS'])
        expect(m.find((x) => x.id === id)!.v.every(Number.isFinite), `seed=${seed} ${id}`).toBe(true);
    }
  });

  it('uniform keys under hashing: keys and load are balanced (imbalance near 1)', () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const sim = run(shardingQuickStart(), seed);
      expect(sim.violation).toBeNull();
      expect(seriesLast(sim, 'keyImbalance'), `seed=${seed}`).toBeLessThan(1.2);
      expect(seriesLast(sim, 'scanFanout')).toBe(3);
    }
  });

  it('zipf keys: load piles onto the shard with the hottest key while keys stay balanced', () => {
    let worse = 0;
    for (const seed of SEEDS.slice(0, 20)) {
      const sim = run(shardingQuickStart({}, 'zipf'), seed);
      // Load over the last second, averaged while the workload runs, against keys at the end.
      if (seriesMean(sim, 'loadImbalance', 1_000_000, 6_000_000) > seriesLast(sim, 'keyImbalance') + 0.1)
        worse++;
    }
    expect(worse).toBeGreaterThanOrEqual(18);
  });

  it('sequential keys under range sharding: each moment one shard takes all the writes (a moving hotspot)', () => {
    const sim = run(shardingQuickStart({ strategy: 'range' }, 'sequential'));
    const loads = [1, 2, 3].map((k) => sim.metrics().series.find((s) => s.id === `shard${k}Load`)!.v);
    // Over 0.2 s windows the busiest shard takes most requests (about 1/3 under uniform keys).
    const share = (ls: number[][]) => {
      let sum = 0;
      let windows = 0;
      for (let i = 2; i < ls[0]!.length; i += 2) {
        const d = ls.map((v) => v[i]! - v[i - 2]!);
        const total = d.reduce((a, b) => a + b, 0);
        if (total === 0) continue;
        windows++;
        sum += Math.max(...d) / total;
      }
      return sum / windows;
    };
    const uni = run(shardingQuickStart({ strategy: 'range' }, 'uniform'));
    const uniLoads = [1, 2, 3].map((k) => uni.metrics().series.find((s) => s.id === `shard${k}Load`)!.v);
    expect(share(loads)).toBeGreaterThan(0.75);
    expect(share(uniLoads)).toBeLessThan(0.55);
    // The windowed loadImbalance metric shows it while the cumulative one hides it.
    const during = (x: Simulation, id: string) => seriesMean(x, id, 1_000_000, 6_000_000);
    expect(during(sim, 'loadImbalance')).toBeGreaterThan(1.6);
    expect(seriesLast(sim, 'loadImbalanceTotal')).toBeLessThan(1.3);
    expect(during(run(shardingQuickStart({}, 'sequential')), 'loadImbalance')).toBeLessThan(1.5);
  });

  it('adding a shard mid-run (add-node): about 3/4 of the keys move under modulo, with one transfer message each', () => {
    for (const seed of SEEDS.slice(0, 15)) {
      const sc = shardingAddShard();
      const sim = new Simulation(sc, { seed });
      sim.runUntil(3_000_000);
      const before: Record<string, string> = {};
      for (const id of ['s1', 's2', 's3'])
        for (const k of Object.keys((sim.nodeState(id)!.state as ShardState).data)) before[k] = id;
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const t = table({}, ['s1', 's2', 's3', 's4']);
      const expected = Object.keys(before).filter((k) => ownerOf(k, t) !== before[k]).length;
      const transfers = sim
        .traceWindow({ from: 0, to: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER)
        .filter((r) => r.kind === 'send' && r.msgType === 'transfer').length;
      expect(seriesLast(sim, 'keysMoved'), `seed=${seed}`).toBe(expected);
      expect(transfers).toBe(expected);
      expect(expected / Object.keys(before).length).toBeGreaterThan(0.65);
      expect(seriesLast(sim, 'shardCount')).toBe(4);
      // Afterwards every key is on its owner (the key-placement invariant checked it all along).
      for (const id of ['s1', 's2', 's3', 's4'])
        for (const k of Object.keys((sim.nodeState(id)!.state as ShardState).data))
          expect(ownerOf(k, t)).toBe(id);
    }
  });

  it('resharding by a live param change (shardCount 2 -> 3), with message loss and reordering: placement holds', () => {
    for (const seed of SEEDS.slice(0, 25)) {
      const base = shardingQuickStart({ shardCount: 2 });
      const sc = ScenarioSchema.parse({
        ...base,
        topology: {
          ...base.topology,
          links: base.topology.links.map((l) => ({ ...l, reorderRate: 0.2, reorderDelayUs: 3000 })),
        },
      });
      const sim = new Simulation(sc, { seed });
      sim.runUntil(2_500_000);
      sim.applyLive({ kind: 'params', params: { shardCount: 3 } });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `reproduce with seed=${seed}`).toBeNull();
      expect(seriesLast(sim, 'reshards')).toBe(1);
      expect(seriesMax(sim, 'keysMoved')).toBeGreaterThan(0);
    }
  });

  it('directory by region: each region on its shard, keys follow the regions (150/100/50), a region scan asks one shard', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(shardingDirectory(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const data = (id: string) => Object.keys((sim.nodeState(id)!.state as ShardState).data);
      expect(data('s1').every((k) => k.startsWith('eu-'))).toBe(true);
      expect(data('s2').every((k) => k.startsWith('us-'))).toBe(true);
      expect(data('s3').every((k) => k.startsWith('ap-'))).toBe(true);
      expect(data('s1').length).toBeGreaterThan(data('s2').length);
      expect(data('s2').length).toBeGreaterThan(data('s3').length);
      expect(seriesLast(sim, 'keyImbalance')).toBeGreaterThan(1.3);
      // The scan of [eu-, eu-~) is not a range strategy: it still asks every shard.
      expect(seriesLast(sim, 'scanFanout')).toBe(3);
    }
  });

  it('every read returns a value written to its key (or null) before the read returned', () => {
    const sim = run(shardingQuickStart({}, 'zipf'), 3);
    const ops = sim.history();
    let checked = 0;
    for (const g of ops) {
      if (g.kind !== 'get' || g.output === undefined || g.output === null || g.returnUs === null) continue;
      const w = ops.find((p) => p.kind === 'put' && p.value === g.output);
      expect(w?.key, `#${g.id}`).toBe(g.key);
      expect(w!.callUs).toBeLessThanOrEqual(g.returnUs);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('bug switch bugStaleRoutingTable: key-placement catches it at the first reshard (seed found by search)', () => {
    const found = SEEDS.find(
      (seed) =>
        run(shardingAddShard({ bugStaleRoutingTable: true }), seed).violation?.invariant === 'key-placement',
    );
    expect(found).toBe(1); // reproduce with seed=1
  });
});

describe('sharding: properties (fast-check)', () => {
  it('every key has exactly one owner in the table, for any strategy and shard set', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('hash', 'range', 'directory'),
        fc.integer({ min: 1, max: 12 }),
        (key, strategy, n) => {
          const ids = Array.from({ length: n }, (_, i) => `s${i + 1}`);
          const t = table({ strategy }, ids);
          const o = ownerOf(key, t);
          return ids.includes(o) && scanTargets(key, `${key}\u0000`, t).includes(o);
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });
});

describe('sharding: random reshard schedules (fast-check over seeds)', () => {
  it('placement holds and every surviving key ends on its owner, for random strategies, shard counts and times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('hash', 'range', 'directory'),
        fc.constantFrom('crc32', 'murmur3', 'xxhash32'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 500_000, max: 5_000_000 }),
        (seed, strategy, hash, from, to, atUs) => {
          const base = shardingQuickStart({ strategy, hash, shardCount: from, scanEveryUs: 0 });
          const sc = ScenarioSchema.parse({
            ...base,
            workload: { ...base.workload, ratePerS: 100 },
            topology: {
              ...base.topology,
              links: base.topology.links.map((l) => ({ ...l, reorderRate: 0.1, reorderDelayUs: 2000 })),
            },
          });
          const sim = new Simulation(sc, { seed });
          sim.runUntil(atUs);
          sim.applyLive({ kind: 'params', params: { shardCount: to } });
          sim.runUntil(Number.MAX_SAFE_INTEGER);
          if (sim.violation !== null) throw new Error(`seed=${seed}: ${sim.violation.message}`);
          const t = table({ strategy, hash }, ['s1', 's2', 's3'].slice(0, to));
          for (const id of ['s1', 's2', 's3'])
            for (const k of Object.keys((sim.nodeState(id)!.state as ShardState).data))
              if (ownerOf(k, t) !== id) throw new Error(`seed=${seed}: ${k} on ${id}`);
        },
      ),
      { numRuns: 30, seed: 5 },
    );
  });
});

describe('sharding: determinism', () => {
  it('replay from a checkpoint reaches the same hash', () => {
    const sim = new Simulation(shardingAddShard(), { checkpointEvery: 500 });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    const end = sim.eventIndex;
    const hash = sim.traceHash();
    sim.seek(Math.floor(end / 2));
    sim.seek(end);
    expect(sim.traceHash()).toBe(hash);
  });

  for (const sc of shardingScenarios()) {
    it(`${sc.name} (${sc.params.strategy}): same seed, same trace hash`, () => {
      const a = run(sc);
      expect(run(sc).traceHash(), `seed=${sc.seed}`).toBe(a.traceHash());
      expect(run(sc, sc.seed + 1).traceHash()).not.toBe(a.traceHash());
    });
  }
});
