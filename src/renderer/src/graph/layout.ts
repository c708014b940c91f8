/**
 * Auto layout with elkjs. The wrapper is pure apart from elk's own (deterministic) work:
 * topology in, positions out; the graph store applies them as one undoable edit.
 *
 * Two algorithms: 'layered' (elk's Sugiyama layering; clients on one side, the cluster in the
 * middle, switches between: reads well for request/response protocols) and 'force' (elk's
 * force model: symmetric clusters like a Raft group come out as a ring-ish cloud).
 */
import ELK from 'elkjs/lib/elk.bundled.js';

/** Which elk algorithm. */
export type LayoutAlgorithm = 'layered' | 'force';

/** A node to place: its size on the canvas. */
export interface LayoutNode {
  /** Node id. */
  id: string;
  /** Width, flow units. */
  width: number;
  /** Height, flow units. */
  height: number;
}

/** Space between nodes, flow units. */
export const LAYOUT_SPACING = 48;

let elk: InstanceType<typeof ELK> | null = null;

/** Positions (top-left corners, snapped to the 16-unit grid) for every node. */
export async function layoutTopology(
  nodes: readonly LayoutNode[],
  links: readonly { id: string; a: string; b: string }[],
  algorithm: LayoutAlgorithm = 'layered',
): Promise<Map<string, { x: number; y: number }>> {
  elk ??= new ELK();
  const options: Record<string, string> =
    algorithm === 'layered'
      ? {
          'elk.algorithm': 'layered',
          'elk.direction': 'RIGHT',
          'elk.spacing.nodeNode': String(LAYOUT_SPACING),
          'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYOUT_SPACING * 2),
          'elk.spacing.componentComponent': String(LAYOUT_SPACING * 2),
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        }
      : {
          'elk.algorithm': 'force',
          'elk.force.iterations': '300',
          'elk.spacing.nodeNode': String(LAYOUT_SPACING * 2),
          'elk.randomSeed': '1',
        };
  const ids = new Set(nodes.map((n) => n.id));
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: options,
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: links
      .filter((l) => ids.has(l.a) && ids.has(l.b))
      .map((l) => ({ id: l.id, sources: [l.a], targets: [l.b] })),
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const c of graph.children ?? []) {
    out.set(c.id, { x: Math.round((c.x ?? 0) / 16) * 16, y: Math.round((c.y ?? 0) / 16) * 16 });
  }
  return out;
}

/** Whether any two boxes overlap (for tests and a sanity check). */
export function overlaps(boxes: readonly { x: number; y: number; width: number; height: number }[]): boolean {
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        return true;
    }
  return false;
}
