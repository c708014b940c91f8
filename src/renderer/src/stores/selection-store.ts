/** What is selected on the canvas, as xyflow reports it. The inspector reads this. */
import { create } from 'zustand';

interface SelectionState {
  /** Selected node ids. */
  nodeIds: string[];
  /** Selected link ids. */
  edgeIds: string[];
  /** Replaces the selection. */
  set(nodeIds: string[], edgeIds: string[]): void;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const useSelection = create<SelectionState>()((set, get) => ({
  nodeIds: [],
  edgeIds: [],
  set: (nodeIds, edgeIds) => {
    const s = get();
    // xyflow reports selection on every change; keep the arrays stable when nothing moved.
    if (same(s.nodeIds, nodeIds) && same(s.edgeIds, edgeIds)) return;
    set({ nodeIds, edgeIds });
  },
}));
