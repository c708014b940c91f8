import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../../shared/scenario/schema';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { DEFAULT_LINK_NET, meanLatencyUs, routeFinder, scaleLatency, toFlow, toScenario } from './scenario';
import { nextId } from './topology';
import type { LinkNet } from './types';

const base: Scenario = ScenarioSchema.parse({
  schemaVersion: 1,
  name: 'test',
  topic: 'basics',
  protocol: 'ping-pong',
  params: { retryUs: 50_000 },
  seed: 7,
  topology: {
    nodes: [
      { id: 'n1', name: 'alpha', role: 'node', x: 0, y: 0, clockOffsetUs: 5, clockDriftPpm: 20 },
      { id: 'n2', name: 'beta', role: 'node', x: 200, y: 0 },
      { id: 'sw', name: 'switch', role: 'switch', x: 100, y: 100 },
    ],
    links: [
      { id: 'a', a: 'n1', b: 'sw', latency: { kind: 'uniform', minUs: 400, maxUs: 600 } },
      { id: 'b', a: 'n2', b: 'sw', latency: { kind: 'constant', us: 500 } },
      { id: 'c', a: 'n1', b: 'n2', latency: { kind: 'constant', us: 5000 } },
    ],
  },
  faults: [
    { atUs: 10, fault: { kind: 'crash', node: 'n2' } },
    { atUs: 20, fault: { kind: 'cut-link', link: 'c' } },
  ],
});

describe('toFlow / toScenario', () => {
  it('round-trips a scenario: clocks on nodes, network properties on links', () => {
    const { nodes, edges } = toFlow(base);
    expect(nodes[0]?.data).toMatchObject({ name: 'alpha', clockOffsetUs: 5, clockDriftPpm: 20 });
    expect(edges[0]?.data?.net?.latency).toEqual({ kind: 'uniform', minUs: 400, maxUs: 600 });
    expect(toScenario(nodes, edges, base)).toEqual(base);
  });

  it('gives new links the default network and new nodes default clocks', () => {
    const { nodes, edges } = toFlow(base);
    const id = nextId(
      'n',
      nodes.map((n) => n.id),
    );
    const added = [...nodes, { ...nodes[1]!, id, data: { name: 'gamma', role: 'node' } }];
    const links = [...edges, { id: 'l9', type: 'link' as const, source: id, target: 'sw' }];
    const s = toScenario(added, links, base);
    expect(s.topology.nodes.at(-1)).toMatchObject({ id, clockOffsetUs: 0, clockDriftPpm: 0 });
    expect(s.topology.links.at(-1)).toEqual({ id: 'l9', a: id, b: 'sw', ...DEFAULT_LINK_NET });
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(s.params).toEqual(base.params);
    expect(s.seed).toBe(7);
  });

  it('drops scripted faults that name a deleted node or link', () => {
    const { nodes, edges } = toFlow(base);
    const s = toScenario(
      nodes.filter((n) => n.id !== 'n2'),
      edges.filter((e) => e.id !== 'c'),
      base,
    );
    expect(s.faults).toEqual([]);
    expect(s.topology.links.map((l) => l.id)).toEqual(['a']);
  });
});

describe('routes', () => {
  it('follows the lowest mean latency, through switches', () => {
    const { edges } = toFlow(base);
    const route = routeFinder(edges);
    expect(route('n1', 'n2')).toEqual({ path: ['n1', 'sw', 'n2'], latencyUs: 1000 });
    expect(route('n2', 'n1').path).toEqual(['n2', 'sw', 'n1']);
  });

  it('draws a direct line when there is no path', () => {
    expect(routeFinder([])('x', 'y')).toEqual({ path: ['x', 'y'], latencyUs: 1000 });
  });

  it('knows the mean of each latency distribution', () => {
    expect(meanLatencyUs({ ...DEFAULT_LINK_NET, latency: { kind: 'uniform', minUs: 100, maxUs: 300 } })).toBe(
      200,
    );
    expect(meanLatencyUs(undefined)).toBe(1000);
    // A lognormal's mean is above its median, as the kernel weighs it (not the median).
    expect(
      meanLatencyUs({ ...DEFAULT_LINK_NET, latency: { kind: 'lognormal', medianUs: 10_000, sigma: 1 } }),
    ).toBeCloseTo(10_000 * Math.exp(0.5));
  });

  it('routes a long-tailed link as the kernel does: by its mean, not its median', () => {
    // Direct a-b: lognormal, median 10 ms, mean 16.5 ms. Through the switch: 2 x 6 ms = 12 ms.
    const net = (latency: LinkNet['latency']) => ({ ...DEFAULT_LINK_NET, latency });
    const route = routeFinder([
      { source: 'a', target: 'b', data: { net: net({ kind: 'lognormal', medianUs: 10_000, sigma: 1 }) } },
      { source: 'a', target: 'sw', data: { net: net({ kind: 'constant', us: 6_000 }) } },
      { source: 'sw', target: 'b', data: { net: net({ kind: 'constant', us: 6_000 }) } },
    ]);
    expect(route('a', 'b').path).toEqual(['a', 'sw', 'b']);
  });

  it('slows a link by scaling its latency distribution, shape kept (Slow down in the link menu)', () => {
    expect(scaleLatency({ kind: 'normal', meanUs: 6000, stdUs: 2500, minUs: 1000 }, 5)).toEqual({
      kind: 'normal',
      meanUs: 30_000,
      stdUs: 12_500,
      minUs: 5000,
    });
    expect(scaleLatency({ kind: 'lognormal', medianUs: 2000, sigma: 0.5 }, 5)).toEqual({
      kind: 'lognormal',
      medianUs: 10_000,
      sigma: 0.5,
    });
    for (const latency of [
      { kind: 'constant', us: 1000 },
      { kind: 'uniform', minUs: 100, maxUs: 300 },
      { kind: 'pareto', scaleUs: 1000, shape: 3, maxUs: 9000 },
    ] as const)
      expect(meanLatencyUs({ ...DEFAULT_LINK_NET, latency: scaleLatency(latency, 5) })).toBeCloseTo(
        5 * meanLatencyUs({ ...DEFAULT_LINK_NET, latency }),
      );
  });
});
