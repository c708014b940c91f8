/**
 * The nodes a list offers (the event log's node filter, the space-time lanes, "Step to next…"):
 * the topology's, then those the run added and has at the current event (graph/membership.ts).
 */
import { useMemo } from 'react';
import { useGraph } from '../stores/graph-store';
import { useMembership } from '../stores/run-store';

/** A node as a list shows it. */
export interface ListedNode {
  id: string;
  name: string;
  role: string;
}

export function useListedNodes(): ListedNode[] {
  const graph = useGraph((s) => s.nodes);
  const added = useMembership((s) => s.added);
  return useMemo(() => {
    const out: ListedNode[] = graph.map((n) => ({ id: n.id, name: n.data.name, role: n.data.role }));
    const ids = new Set(out.map((n) => n.id));
    for (const a of added) if (!ids.has(a.id)) out.push({ id: a.id, name: a.name, role: a.role });
    return out;
  }, [graph, added]);
}
