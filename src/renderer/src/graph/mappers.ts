/**
 * Pure mappers between the API's topology (nodes with role and position, undirected links)
 * and the canvas graph @xyflow/react renders. No React, no DOM: unit-tested under node.
 */
import type { DefaultTopology } from '../../../shared/api';
import { defaultBox } from './node-box';
import type { LabFlowEdge, LabFlowNode } from './types';

/** A topology as scenarios store it. */
export type Topology = DefaultTopology;

/** The accessible name of a link between two named nodes. */
export function linkLabel(aName: string, bName: string): string {
  return `Link ${aName} – ${bName}`;
}

/** One canvas node for a topology node. */
export function toFlowNode(n: Topology['nodes'][number], selected = false): LabFlowNode {
  return {
    id: n.id,
    type: 'lab',
    position: { x: n.x, y: n.y },
    data: { name: n.name, role: n.role },
    // xyflow puts ariaLabel on the node element: a node's accessible name is its name.
    ariaLabel: n.name,
    selected,
    // Its size and dots as drawn, so xyflow shows it and its links in the first render.
    ...defaultBox(),
  };
}

/** One canvas edge for a link, labelled with its ends' names. */
export function toFlowEdge(l: Topology['links'][number], names: ReadonlyMap<string, string>): LabFlowEdge {
  return {
    id: l.id,
    type: 'link',
    source: l.a,
    target: l.b,
    ariaLabel: linkLabel(names.get(l.a) ?? l.a, names.get(l.b) ?? l.b),
  };
}

/** The canvas graph for a topology. Links whose ends are missing are dropped. */
export function toFlow(t: Topology): { nodes: LabFlowNode[]; edges: LabFlowEdge[] } {
  const nodes = t.nodes.map((n) => toFlowNode(n));
  const names = new Map(t.nodes.map((n) => [n.id, n.name]));
  const edges = t.links.filter((l) => names.has(l.a) && names.has(l.b)).map((l) => toFlowEdge(l, names));
  return { nodes, edges };
}

/** The topology for a canvas graph: positions as placed, selection and view state dropped. */
export function fromFlow(nodes: readonly LabFlowNode[], edges: readonly LabFlowEdge[]): Topology {
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      name: n.data.name,
      role: n.data.role,
      x: n.position.x,
      y: n.position.y,
    })),
    links: edges.map((e) => ({ id: e.id, a: e.source, b: e.target })),
  };
}
