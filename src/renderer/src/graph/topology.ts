/**
 * Pure edits of the canvas graph: fresh ids and names, link rules, renames. The graph
 * store calls these; they never touch React or the DOM, so they are unit-tested under node.
 */
import { linkLabel } from './mappers';
import type { LabFlowEdge, LabFlowNode } from './types';

/** The next free id with a prefix ('n' -> n3 when n1 and n2 exist). */
export function nextId(prefix: string, existing: Iterable<string>): string {
  let max = 0;
  const re = new RegExp(`^${prefix}(\\d+)$`);
  for (const id of existing) {
    const m = re.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  let n = max + 1;
  const taken = new Set(existing);
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

/** The first of base-1, base-2, ... that no node is called yet. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  const stem =
    base
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '-')
      .replace(/[^a-z0-9-]/g, '') || 'node';
  for (let i = 1; ; i++) {
    const candidate = `${stem}-${i}`;
    if (!names.has(candidate)) return candidate;
  }
}

/** Why two nodes cannot be linked, or null when they can. Links are undirected. */
export function linkProblem(edges: readonly LabFlowEdge[], a: string, b: string): string | null {
  if (a === b) return 'A node cannot link to itself.';
  const dup = edges.some((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));
  return dup ? 'These nodes are already linked.' : null;
}

/** Renames a node and relabels the links that touch it. Returns new arrays. */
export function renameNode(
  nodes: readonly LabFlowNode[],
  edges: readonly LabFlowEdge[],
  id: string,
  name: string,
): { nodes: LabFlowNode[]; edges: LabFlowEdge[] } {
  const nextNodes = nodes.map((n) =>
    n.id === id ? { ...n, ariaLabel: name, data: { ...n.data, name } } : n,
  );
  const names = new Map(nextNodes.map((n) => [n.id, n.data.name]));
  const nextEdges = edges.map((e) =>
    e.source === id || e.target === id
      ? { ...e, ariaLabel: linkLabel(names.get(e.source) ?? e.source, names.get(e.target) ?? e.target) }
      : e,
  );
  return { nodes: nextNodes, edges: nextEdges };
}

/** Why a name cannot be given to a node, or null when it can. */
export function nameProblem(nodes: readonly LabFlowNode[], id: string, name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'A name cannot be empty.';
  if (trimmed.length > 40) return 'Keep names to 40 characters.';
  if (nodes.some((n) => n.id !== id && n.data.name === trimmed))
    return `Another node is already called ${trimmed}.`;
  return null;
}

/** How many nodes have each role. */
export function roleCounts(nodes: readonly LabFlowNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.data.role, (counts.get(n.data.role) ?? 0) + 1);
  return counts;
}
