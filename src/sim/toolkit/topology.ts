import type { Latency, ScenarioLink, ScenarioNode } from '../../shared/scenario/schema';
import type { DefaultTopology } from '../protocol';

/** A node of a quick-start topology: id, role and where the canvas draws it. */
export interface PlacedNode {
  /** Node id (also its name). */
  id: string;
  /** Role. */
  role: string;
  /** Canvas position. */
  x: number;
  y: number;
}

function node(n: PlacedNode): ScenarioNode {
  return placed(n.id, n.role, n.x, n.y);
}

/** A node named by its id, with a true clock, drawn at (x, y): what most quick-start topologies are made of. */
export function placed(id: string, role: string, x: number, y: number): ScenarioNode {
  return { id, name: id, role, x, y, clockOffsetUs: 0, clockDriftPpm: 0 };
}

/**
 * A node whose clock starts off true time (offset) and runs fast or slow (drift), for protocols
 * about clocks: the kernel models the clock, the protocol only sees its local time.
 */
export function clockedNode(
  id: string,
  role: string,
  x: number,
  y: number,
  clockOffsetUs: number,
  clockDriftPpm: number,
): ScenarioNode {
  return { ...node({ id, role, x, y }), clockOffsetUs, clockDriftPpm };
}

/** A link with the given latency and an otherwise perfect network. */
export function link(a: string, b: string, latency: Latency, id = `${a}-${b}`): ScenarioLink {
  return { id, a, b, latency, lossRate: 0, dupRate: 0, reorderRate: 0, reorderDelayUs: 5000 };
}

/** Every node wired to every other: any single cut leaves a route. */
export function fullMesh(nodes: readonly PlacedNode[], latency: Latency): DefaultTopology {
  return {
    nodes: nodes.map(node),
    links: nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => link(a.id, b.id, latency))),
  };
}

/** Every node wired to one switch (a shared segment) at `hub`. */
export function star(
  nodes: readonly PlacedNode[],
  hub: { id: string; x: number; y: number },
  latency: Latency,
): DefaultTopology {
  return {
    nodes: [...nodes.map(node), { ...node({ ...hub, role: 'switch' }), name: 'switch' }],
    links: nodes.map((n) => link(n.id, hub.id, latency, `${n.id}-${hub.id}`)),
  };
}

/** Nodes on a square's corners, clockwise from the top left (four-node quick starts). */
export function square(
  ids: readonly string[],
  role: string,
  left = 100,
  top = 100,
  side = 300,
): PlacedNode[] {
  const at = [
    [left, top],
    [left + side, top],
    [left + side, top + side],
    [left, top + side],
  ];
  return ids.map((id, k) => ({ id, role, x: at[k % 4]![0]!, y: at[k % 4]![1]! }));
}
