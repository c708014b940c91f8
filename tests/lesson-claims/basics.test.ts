/**
 * The basics lessons' claims that no other test backed, each as a property over seeds
 * (docs/protocols/lesson-claims.md lists every claim and the test that backs it).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/cli/run-seed';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import { type Scenario, ScenarioSchema } from '../../src/shared/scenario/schema';
import { defaultScenario } from '../../src/sim/catalog';
import type { HeartbeatState } from '../../src/sim/protocols/failure-detector/heartbeat';
import type { PingPongState } from '../../src/sim/protocols/ping-pong/ping-pong';
import { Simulation } from '../../src/sim/simulation';

const LIB = join(dirname(fileURLToPath(import.meta.url)), '../../resources/library');
const SEEDS = Array.from({ length: 10 }, (_, k) => k + 1);

const runToEnd = (sc: Scenario, seed: number) => {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
};
const seriesOf = (sim: Simulation, id: string) => {
  const s = sim.metrics().series.find((x) => x.id === id);
  if (!s) throw new Error(`no series ${id}`);
  return s;
};

describe('ping-pong: "Round-trip time is the sum of both one-way latencies"', () => {
  /** n1 and n2 on one switch, constant latencies a (n1's link) and b (n2's link). */
  const pair = (a: number, b: number, o: { driftPpm?: number; lossRate?: number; retryUs?: number } = {}) => {
    const base = defaultScenario('ping-pong');
    return ScenarioSchema.parse({
      ...base,
      params: { ...base.params, ...(o.retryUs === undefined ? {} : { retryUs: o.retryUs }) },
      topology: {
        nodes: base.topology.nodes
          .filter((n) => n.id !== 'n3')
          .map((n) => (n.id === 'n1' ? { ...n, clockDriftPpm: o.driftPpm ?? 0 } : n)),
        links: base.topology.links
          .filter((l) => l.a !== 'n3' && l.b !== 'n3')
          .map((l) => ({
            ...l,
            latency: { kind: 'constant', us: l.a === 'n1' || l.b === 'n1' ? a : b },
            lossRate: l.a === 'n1' || l.b === 'n1' ? (o.lossRate ?? 0) : 0,
          })),
      },
      limits: { ...base.limits, maxTimeUs: 1_000_000 },
    });
  };
  // Latencies that differ from seed to seed.
  const latencies = (seed: number) => [200 + ((seed * 137) % 900), 300 + ((seed * 311) % 1700)] as const;

  it('each node measures exactly twice the sum of its path’s link latencies (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const [a, b] = latencies(seed);
      const sim = runToEnd(pair(a, b), seed);
      for (const id of ['n1', 'n2']) {
        const s = sim.nodeState(id)!.state as PingPongState;
        expect(s.rounds, `seed ${seed} ${id}`).toBeGreaterThan(10);
        // One way is n1 -> switch -> n2: a + b; the round trip is both ways.
        expect(s.lastRttUs, `seed ${seed} ${id} (a=${a}, b=${b})`).toBe(2 * (a + b));
      }
    }
  });

  it('"a drift of 50000 ppm": that node reads the same round trips 5% longer on its own clock (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const [a, b] = latencies(seed);
      const sim = runToEnd(pair(a, b, { driftPpm: 50_000 }), seed);
      const n1 = sim.nodeState('n1')!.state as PingPongState;
      const n2 = sim.nodeState('n2')!.state as PingPongState;
      expect(n2.lastRttUs, `seed ${seed}`).toBe(2 * (a + b));
      expect(
        Math.abs(n1.lastRttUs - 1.05 * 2 * (a + b)),
        `seed ${seed}: ${n1.lastRttUs}`,
      ).toBeLessThanOrEqual(1);
    }
  });

  it('"a lost message stalls the pair until the retry timer fires": lossRate 0.2 means retries, and without retries a stall for good (seeds 1..10)', () => {
    const retryUs = 50_000;
    for (const seed of SEEDS) {
      const [a, b] = latencies(seed);
      const sim = new Simulation(pair(a, b, { lossRate: 0.2, retryUs }), { seed });
      // Watch n1: record its rounds every millisecond; a stall is a gap with no new round.
      let last = 0;
      let lastAt = 0;
      let longestStall = 0;
      for (let t = 1000; t <= 1_000_000; t += 1000) {
        sim.runUntil(t);
        const r = (sim.nodeState('n1')!.state as PingPongState).rounds;
        if (r !== last) {
          longestStall = Math.max(longestStall, t - lastAt);
          last = r;
          lastAt = t;
        }
      }
      const s = sim.nodeState('n1')!.state as PingPongState;
      // Retries: more pings than rounds; the pair goes on after each loss.
      expect(s.seq - s.rounds, `seed ${seed}: retries`).toBeGreaterThan(0);
      expect(s.rounds, `seed ${seed}`).toBeGreaterThan(20);
      // A stall lasts until the retry fires (plus the round trip after it), never longer than a few retries.
      expect(longestStall, `seed ${seed}`).toBeGreaterThanOrEqual(retryUs);
      expect(longestStall, `seed ${seed}`).toBeLessThan(8 * retryUs);
      // Without the retry timer the first loss stalls the pair for good.
      const stuck = runToEnd(pair(a, b, { lossRate: 0.2, retryUs: 0 }), seed);
      const n1 = stuck.nodeState('n1')!.state as PingPongState;
      expect(n1.seq, `seed ${seed}: one ping, never re-sent`).toBe(n1.rounds + 1);
      expect(n1.rounds, `seed ${seed}`).toBeLessThan(s.rounds);
    }
  });
});

describe('broadcast: copies and agreement', () => {
  const mesh = (sets: string[] = []) =>
    loadScenarioFile(join(LIB, 'broadcast-mesh.dslab.json'), sets).scenario;

  it('"eager relaying costs n² messages": (n−1)² copies per write on a full mesh of n nodes (seeds 1..10)', () => {
    const base = mesh();
    const quiet = ScenarioSchema.parse({ ...base, faults: [] });
    const n = quiet.topology.nodes.filter((x) => x.role === 'node').length;
    for (const seed of SEEDS) {
      const sim = runToEnd(quiet, seed);
      const writes = sim.history().filter((o) => o.kind === 'put').length;
      expect(writes, `seed ${seed}`).toBeGreaterThan(20);
      // The origin sends n−1 copies; each of the n−1 others relays to all but the origin and itself.
      expect(sim.metrics().counters.sent, `seed ${seed}`).toBe(writes * (n - 1) ** 2);
    }
  });

  it('"every live node delivers what n1 managed to send before it crashed" (broadcast-mesh, seeds 1..20)', () => {
    const sc = mesh();
    for (let seed = 1; seed <= 20; seed++) {
      const r = runSeed(sc, seed);
      expect(r.violation, `seed ${seed}`).toBeNull();
      expect(r.invariants.find((v) => v.id === 'agreement')?.ok, `seed ${seed}`).toBe(true);
      expect(r.metrics.counters.faults, `seed ${seed}: n1 crashed`).toBe(2);
    }
  });
});

describe('heartbeat detector: mistakes, then learning', () => {
  const run = (seed: number, change: Partial<Scenario> = {}) => {
    const base = defaultScenario('heartbeat-detector');
    return runToEnd(ScenarioSchema.parse({ ...base, ...change }), seed);
  };
  /** Time of the last increase of the mistakes metric. */
  const lastMistakeUs = (sim: Simulation) => {
    const s = seriesOf(sim, 'wrongSuspicions');
    let at = 0;
    for (let k = 1; k < s.v.length; k++) if (s.v[k]! > s.v[k - 1]!) at = s.tUs[k]!;
    return at;
  };

  it('"the first rounds: processes suspect each other", "then the mistakes stopping" (seeds 1..20)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = run(seed);
      const s = seriesOf(sim, 'wrongSuspicions');
      const endUs = s.tUs.at(-1)!;
      // Mistakes in the first half second, none in the second half of the run.
      const early = s.v[s.tUs.findIndex((t) => t >= 500_000)]!;
      expect(early, `seed ${seed}`).toBeGreaterThan(0);
      expect(lastMistakeUs(sim), `seed ${seed}`).toBeLessThan(endUs / 2);
    }
  });

  it('"slow one link down (latency 30 ms)": its two ends make new mistakes, lengthen their delay, and stop (seeds 1..10)', () => {
    const base = defaultScenario('heartbeat-detector');
    const slowAtUs = 1_000_000;
    const faults = [
      ...base.faults,
      {
        atUs: slowAtUs,
        fault: {
          kind: 'degrade-link' as const,
          link: 'p1-p2',
          latency: { kind: 'constant' as const, us: 30_000 },
        },
      },
    ];
    const state = (sim: Simulation, id: string) => sim.nodeState(id)!.state as HeartbeatState;
    for (const seed of SEEDS) {
      const sim = new Simulation(ScenarioSchema.parse({ ...base, faults }), { seed });
      sim.runUntil(slowAtUs - 1);
      const before = ['p1', 'p2'].map((id) => ({ ...state(sim, id) }));
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `seed ${seed}`).toBeNull();
      ['p1', 'p2'].forEach((id, k) => {
        expect(state(sim, id).mistakes, `seed ${seed} ${id}`).toBeGreaterThan(before[k]!.mistakes);
        expect(state(sim, id).delayUs, `seed ${seed} ${id}`).toBeGreaterThan(before[k]!.delayUs);
      });
      // It adapts within a second and a half, and both properties of ◇P hold at the end.
      expect(lastMistakeUs(sim), `seed ${seed}`).toBeLessThan(slowAtUs + 1_500_000);
      const verdicts = sim.invariants().filter((v) => v.kind === 'liveness');
      expect(
        verdicts.map((v) => v.ok),
        `seed ${seed}`,
      ).toEqual([true, true]);
    }
  });

  it('"crash p2 and restart it: its delay survives the crash, so it does not relearn the network" (seeds 1..10)', () => {
    const base = defaultScenario('heartbeat-detector');
    const faults = [
      ...base.faults,
      { atUs: 1_500_000, fault: { kind: 'crash' as const, node: 'p2' } },
      { atUs: 1_700_000, fault: { kind: 'restart' as const, node: 'p2' } },
    ];
    for (const seed of SEEDS) {
      const sim = new Simulation(ScenarioSchema.parse({ ...base, faults }), { seed });
      sim.runUntil(1_499_000);
      const before = sim.nodeState('p2')!.state as HeartbeatState;
      const delay = before.delayUs;
      const mistakes = before.mistakes;
      expect(delay, `seed ${seed}: it had learnt`).toBeGreaterThan(base.params.deltaUs as number);
      sim.runUntil(1_701_000);
      const back = sim.nodeState('p2')!;
      expect(back.up, `seed ${seed}`).toBe(true);
      expect((back.state as HeartbeatState).delayUs, `seed ${seed}`).toBe(delay);
      sim.runUntil(2_900_000);
      // No relearning: p2 makes no new mistake after its restart.
      expect((sim.nodeState('p2')!.state as HeartbeatState).mistakes, `seed ${seed}`).toBe(mistakes);
    }
  });
});
