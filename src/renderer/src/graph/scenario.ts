/**
 * Pure mappers between the scenario document (src/shared/scenario/schema.ts) and the canvas
 * graph. The graph holds the topology; everything else (params, workload, faults, nemesis,
 * limits) stays in the base scenario the graph was loaded from. No React, no DOM.
 */
import { meanLatencyUs as meanOfLatency } from '../../../shared/scenario/latency';
import type { Scenario, ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';
import { toFlowEdge, toFlowNode } from './mappers';
import type { LabFlowEdge, LabFlowNode, LinkNet } from './types';

/**
 * Network properties of a link drawn on the canvas: a constant 1 ms, no loss, duplication
 * or reordering. Constant so a new link's messages are easy to follow; 1 ms because it is
 * the order of the built-in scenarios' LAN links (0.4–2 ms) and reads well at the default
 * speed. The scenario schema's own default is the same.
 */
export const DEFAULT_LINK_NET: LinkNet = {
  latency: { kind: 'constant', us: 1000 },
  lossRate: 0,
  dupRate: 0,
  reorderRate: 0,
  reorderDelayUs: 5000,
};

/** The canvas graph of a scenario: nodes keep their clocks, links their network properties. */
export function toFlow(scenario: Pick<Scenario, 'topology'>): { nodes: LabFlowNode[]; edges: LabFlowEdge[] } {
  const nodes = scenario.topology.nodes.map((n) => {
    const f = toFlowNode({ id: n.id, name: n.name || n.id, role: n.role, x: n.x, y: n.y });
    f.data = { ...f.data, clockOffsetUs: n.clockOffsetUs, clockDriftPpm: n.clockDriftPpm };
    return f;
  });
  const names = new Map(nodes.map((n) => [n.id, n.data.name]));
  const edges = scenario.topology.links
    .filter((l) => names.has(l.a) && names.has(l.b))
    .map((l) => {
      const e = toFlowEdge({ id: l.id, a: l.a, b: l.b }, names);
      const { id: _id, a: _a, b: _b, ...net } = l;
      return { ...e, data: { net } };
    });
  return { nodes, edges };
}

/** The scenario a graph describes: the base's settings with the graph's topology. */
export function toScenario(
  nodes: readonly LabFlowNode[],
  edges: readonly LabFlowEdge[],
  base: Scenario,
): Scenario {
  const ids = new Set(nodes.map((n) => n.id));
  const topoNodes: ScenarioNode[] = nodes.map((n) => ({
    id: n.id,
    name: n.data.name,
    role: n.data.role,
    x: Math.round(n.position.x),
    y: Math.round(n.position.y),
    clockOffsetUs: n.data.clockOffsetUs ?? 0,
    clockDriftPpm: n.data.clockDriftPpm ?? 0,
  }));
  const links: ScenarioLink[] = edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({ id: e.id, a: e.source, b: e.target, ...(e.data?.net ?? DEFAULT_LINK_NET) }));
  // Scripted faults that name a node or link the person deleted would make the scenario
  // unrunnable; they go with what they named.
  const linkIds = new Set(links.map((l) => l.id));
  const faults = base.faults.filter((f) => {
    const x = f.fault as { node?: unknown; link?: unknown };
    if (typeof x.node === 'string' && !ids.has(x.node)) return false;
    if (typeof x.link === 'string' && !linkIds.has(x.link)) return false;
    return true;
  });
  return { ...base, faults, topology: { nodes: topoNodes, links } };
}

/**
 * Mean latency of a link, microseconds (routes, messages in flight, descriptions): the
 * kernel's own function (src/shared/scenario/latency.ts), so the canvas routes as the kernel
 * does and calls the same figure a mean.
 */
export function meanLatencyUs(net: LinkNet | undefined): number {
  return meanOfLatency((net ?? DEFAULT_LINK_NET).latency);
}

/** The same distribution with every duration multiplied by k (its shape kept): a slowed link. */
export function scaleLatency(l: LinkNet['latency'], k: number): LinkNet['latency'] {
  const m = (us: number) => Math.round(us * k);
  switch (l.kind) {
    case 'constant':
      return { kind: 'constant', us: m(l.us) };
    case 'uniform':
      return { kind: 'uniform', minUs: m(l.minUs), maxUs: m(l.maxUs) };
    case 'normal':
      return {
        kind: 'normal',
        meanUs: m(l.meanUs),
        stdUs: m(l.stdUs),
        ...(l.minUs === undefined ? {} : { minUs: m(l.minUs) }),
      };
    case 'lognormal':
      return { kind: 'lognormal', medianUs: m(l.medianUs), sigma: l.sigma };
    case 'pareto':
      return {
        kind: 'pareto',
        scaleUs: m(l.scaleUs),
        shape: l.shape,
        ...(l.maxUs === undefined ? {} : { maxUs: m(l.maxUs) }),
      };
  }
}

/** A route between two nodes over the links, with the expected time to cross it. */
export interface Route {
  /** Node ids from the sender to the receiver, both included. */
  path: string[];
  /** Sum of the links' mean latencies, microseconds. */
  latencyUs: number;
}

/**
 * Shortest paths by mean latency (Dijkstra; ties broken by node id so the drawing is stable),
 * the way the kernel routes messages over the wired topology. Returns a lookup that caches
 * per source. Unreachable pairs get a direct line.
 */
export function routeFinder(
  edges: readonly { source: string; target: string; data?: { net?: LinkNet } }[],
): (from: string, to: string) => Route {
  const adj = new Map<string, { to: string; w: number }[]>();
  for (const e of edges) {
    const w = Math.max(1, meanLatencyUs(e.data?.net));
    for (const [a, b] of [
      [e.source, e.target],
      [e.target, e.source],
    ] as const) {
      const list = adj.get(a) ?? [];
      list.push({ to: b, w });
      adj.set(a, list);
    }
  }
  const cache = new Map<string, Map<string, { d: number; prev: string | null }>>();
  const fromSource = (src: string) => {
    let done = cache.get(src);
    if (done) return done;
    done = new Map();
    const open = new Map<string, { d: number; prev: string | null }>([[src, { d: 0, prev: null }]]);
    while (open.size > 0) {
      let best: string | null = null;
      let bestD = Number.POSITIVE_INFINITY;
      for (const [id, v] of open) {
        if (v.d < bestD || (v.d === bestD && best !== null && id < best)) {
          best = id;
          bestD = v.d;
        }
      }
      if (best === null) break;
      const cur = open.get(best)!;
      open.delete(best);
      done.set(best, cur);
      for (const { to, w } of adj.get(best) ?? []) {
        if (done.has(to)) continue;
        const d = cur.d + w;
        const o = open.get(to);
        if (!o || d < o.d) open.set(to, { d, prev: best });
      }
    }
    cache.set(src, done);
    return done;
  };
  return (from, to) => {
    const tree = fromSource(from);
    const end = tree.get(to);
    if (!end) return { path: [from, to], latencyUs: 1000 };
    const path: string[] = [];
    for (let cur: string | null = to; cur !== null; cur = tree.get(cur)?.prev ?? null) path.push(cur);
    return { path: path.reverse(), latencyUs: end.d };
  };
}
