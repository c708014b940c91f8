/**
 * The run's membership on the canvas (issue 15 item 2), pure: the nodes and links a run added
 * (add-node and add-link faults) are drawn while the run has them at the current event, and
 * the scenario's links a run removed are hidden; stepping back before the fault takes them
 * away again. A node the run removed stays drawn, marked "removed" (LabNode), since it is part
 * of the topology the person edits. No React, no DOM.
 */
import type { SimLinks, SimNode } from '../../../shared/api';
import { linkLabel, toFlowNode } from './mappers';
import type { LabFlowEdge, LabFlowNode } from './types';

/** A node the run added, as the canvas draws it. */
export interface AddedNode {
  id: string;
  name: string;
  role: string;
  x: number;
  y: number;
}

/** A link the run added. */
export interface AddedLink {
  id: string;
  a: string;
  b: string;
}

/** The run's links where they differ from the scenario's: what it added, and every present id. */
export interface RunLinks {
  added: AddedLink[];
  present: ReadonlySet<string>;
}

/** The nodes the run added and has at the current event, in the order it added them. */
export function addedNodesOf(nodes: Readonly<Record<string, SimNode>>): AddedNode[] {
  const out: AddedNode[] = [];
  for (const n of Object.values(nodes))
    if (n.added) out.push({ id: n.id, name: n.name, role: n.role, x: n.x, y: n.y });
  return out;
}

/** A key that changes exactly when the added nodes drawn would change. */
export function addedNodesKey(nodes: readonly AddedNode[]): string {
  return nodes.map((n) => `${n.id}\u0000${n.name}\u0000${n.role}\u0000${n.x}\u0000${n.y}`).join('\u0001');
}

/** The run's links (sim.links: every present link; a link a fault added has no scenario loss rate). */
export function runLinksOf(links: SimLinks['links']): RunLinks {
  return {
    added: links.filter((l) => l.scenarioLossRate === null).map((l) => ({ id: l.id, a: l.a, b: l.b })),
    present: new Set(links.map((l) => l.id)),
  };
}

/** A key that changes exactly when the links drawn would change. */
export function runLinksKey(links: RunLinks | null): string {
  if (links === null) return '';
  return `${[...links.present].join('\u0000')}\u0001${links.added.map((l) => `${l.id}:${l.a}:${l.b}`).join('\u0000')}`;
}

/**
 * The canvas nodes for the added nodes, reusing the previous objects of nodes that did not
 * change (xyflow keeps what it measured and whether it is selected on the object).
 */
export function addedFlowNodes(prev: readonly LabFlowNode[], added: readonly AddedNode[]): LabFlowNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  return added.map((a) => {
    const old = before.get(a.id);
    if (
      old &&
      old.data.name === a.name &&
      old.data.role === a.role &&
      old.position.x === a.x &&
      old.position.y === a.y
    )
      return old;
    return {
      ...toFlowNode({ id: a.id, name: a.name, role: a.role, x: a.x, y: a.y }),
      // The run's, not the topology's: it is not moved, rewired or deleted from the canvas.
      draggable: false,
      connectable: false,
      deletable: false,
      className: 'is-run-added',
    };
  });
}

/**
 * The canvas links: the scenario's (hidden when the run removed them), then the ones the run
 * added between nodes the canvas draws. `names` gives the accessible names of their ends.
 */
export function canvasEdges(
  edges: readonly LabFlowEdge[],
  links: RunLinks | null,
  names: ReadonlyMap<string, string>,
): LabFlowEdge[] {
  if (links === null) return edges as LabFlowEdge[];
  const scenario = new Set(edges.map((e) => e.id));
  const out: LabFlowEdge[] = edges.map((e) => {
    const hidden = !links.present.has(e.id);
    return (e.hidden ?? false) === hidden ? e : { ...e, hidden };
  });
  for (const l of links.added) {
    if (scenario.has(l.id) || !names.has(l.a) || !names.has(l.b)) continue;
    out.push({
      id: l.id,
      type: 'link',
      source: l.a,
      target: l.b,
      ariaLabel: `${linkLabel(names.get(l.a) ?? l.a, names.get(l.b) ?? l.b)} (added by the run)`,
      selectable: false,
      deletable: false,
      focusable: false,
      data: {},
    });
  }
  return out;
}
