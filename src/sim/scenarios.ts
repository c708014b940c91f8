import { type Scenario, ScenarioSchema } from '../shared/scenario/schema';
import { defaultScenario } from './catalog';

/**
 * Ping-pong on n nodes joined by one switch (a star), constant 500 us links: the benchmark
 * workload. retryUs 0 so each event is one message and nothing else.
 */
export function pingPongStar(
  n: number,
  opts: { seed?: number; maxTimeUs?: number; maxEvents?: number } = {},
): Scenario {
  const ids = Array.from({ length: n }, (_, k) => `n${String(k).padStart(5, '0')}`);
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: `ping-pong x${n}`,
    topic: 'basics',
    protocol: 'ping-pong',
    params: { retryUs: 0 },
    topology: {
      nodes: [
        ...ids.map((id, k) => ({ id, role: 'node', x: k, y: 0 })),
        { id: 'sw', role: 'switch', x: 0, y: 100 },
      ],
      links: ids.map((id) => ({ id: `l-${id}`, a: id, b: 'sw', latency: { kind: 'constant', us: 250 } })),
    },
    seed: opts.seed ?? 1,
    limits: {
      maxTimeUs: opts.maxTimeUs ?? 1e12,
      maxEvents: opts.maxEvents ?? 1e9,
      maxTraceRows: 1e9,
    },
  });
}

/**
 * The built-in scenarios every determinism test runs: the quick starts plus stress variants
 * that exercise every network feature, faults, clocks, workloads and the nemesis.
 */
export function builtinScenarios(): Scenario[] {
  const pp = defaultScenario('ping-pong');
  const bc = defaultScenario('broadcast');
  const ppStress = ScenarioSchema.parse({
    ...pp,
    name: 'ping-pong under a bad network',
    topology: {
      nodes: pp.topology.nodes.map((n, k) => ({ ...n, clockDriftPpm: k * 3000, clockOffsetUs: k * 777 })),
      links: pp.topology.links.map((l, k) => ({
        ...l,
        latency: [
          { kind: 'lognormal', medianUs: 800, sigma: 0.8 },
          { kind: 'pareto', scaleUs: 300, shape: 1.5, maxUs: 50_000 },
          { kind: 'normal', meanUs: 1000, stdUs: 400 },
        ][k % 3],
        lossRate: 0.05,
        dupRate: 0.05,
        reorderRate: 0.1,
      })),
    },
    faults: [
      { atUs: 1_000_000, fault: { kind: 'crash', node: 'n2' } },
      { atUs: 1_500_000, fault: { kind: 'restart', node: 'n2' } },
      { atUs: 2_000_000, fault: { kind: 'partition-oneway', id: 'ow', from: ['n1'], to: ['n3'] } },
      { atUs: 2_500_000, fault: { kind: 'heal', id: 'ow' } },
      { atUs: 3_000_000, fault: { kind: 'pause', node: 'n3' } },
      { atUs: 3_200_000, fault: { kind: 'resume', node: 'n3' } },
      { atUs: 3_500_000, fault: { kind: 'clock-slew', node: 'n1', deltaUs: -20_000, ratePpm: 5000 } },
      { atUs: 4_000_000, fault: { kind: 'clock-step', node: 'n2', deltaUs: 30_000 } },
      { atUs: 4_500_000, fault: { kind: 'cut-link', link: 'n1-sw', direction: 'a-to-b' } },
      { atUs: 5_000_000, fault: { kind: 'heal' } },
      { atUs: 5_500_000, fault: { kind: 'degrade-link', link: 'n3-sw', lossRate: 0.5 } },
      {
        atUs: 6_000_000,
        fault: { kind: 'add-node', node: { id: 'n4', role: 'node', x: 700, y: 100 } },
      },
      { atUs: 6_000_000, fault: { kind: 'add-link', link: { id: 'n4-sw', a: 'n4', b: 'sw' } } },
      { atUs: 7_000_000, fault: { kind: 'remove-link', link: 'n4-sw' } },
      { atUs: 7_500_000, fault: { kind: 'remove-node', node: 'n4' } },
    ],
    nemesis: {
      enabled: true,
      crashRatePerS: 0.5,
      meanDowntimeUs: 300_000,
      partitionRatePerS: 0.5,
      meanPartitionUs: 300_000,
      lossRatePerS: 0.5,
      clockSkewRatePerS: 0.5,
    },
  });
  const bcClosed = ScenarioSchema.parse({
    ...bc,
    name: 'broadcast with closed-loop clients and a partition',
    workload: {
      kind: 'closed',
      concurrency: 2,
      thinkTimeUs: 10_000,
      readFraction: 0.5,
      keys: { pattern: 'user-{i}', count: 50, distribution: 'zipf' },
      timeoutUs: 200_000,
    },
    faults: [
      {
        atUs: 2_000_000,
        fault: {
          kind: 'partition',
          id: 'split',
          groups: [
            ['n1', 'n2'],
            ['n3', 'n4'],
          ],
        },
      },
      { atUs: 4_000_000, fault: { kind: 'heal', id: 'split' } },
      { atUs: 5_000_000, fault: { kind: 'crash', node: 'n4' } },
      { atUs: 6_000_000, fault: { kind: 'restart', node: 'n4' } },
    ],
    limits: { maxTimeUs: 8_000_000 },
  });
  return [pp, bc, ppStress, bcClosed];
}
