/** The canvas graph: nodes and links as @xyflow/react renders them. Edits go through pure helpers. */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import { type Topology, toFlow, toFlowEdge, toFlowNode } from '../graph/mappers';
import { linkProblem, nextId, renameNode, uniqueName } from '../graph/topology';
import type { LabFlowEdge, LabFlowNode } from '../graph/types';

interface GraphState {
  /** Canvas nodes, in insertion order. */
  nodes: LabFlowNode[];
  /** Canvas links. */
  edges: LabFlowEdge[];
  /** Bumped on every load, so the canvas knows to fit the view. */
  loadCount: number;
  /** Replaces the graph with a topology. */
  load(topology: Topology): void;
  /** Applies xyflow's node changes (move, select, remove, measure). */
  onNodesChange(changes: NodeChange<LabFlowNode>[]): void;
  /** Applies xyflow's edge changes. */
  onEdgesChange(changes: EdgeChange<LabFlowEdge>[]): void;
  /** Links two nodes; returns why not when it cannot. */
  connect(a: string, b: string): string | null;
  /** Adds a node of a role at a position and selects it; returns its id. */
  addNode(role: string, roleLabel: string, position: { x: number; y: number }): string;
  /** Renames a node (the caller checked the name with nameProblem). */
  rename(id: string, name: string): void;
  /** Changes a node's role. */
  setRole(id: string, role: string): void;
  /** Selects exactly one node or link (or nothing). */
  selectOnly(kind: 'node' | 'edge' | null, id?: string): void;
}

export const useGraph = create<GraphState>()((set, get) => ({
  nodes: [],
  edges: [],
  loadCount: 0,
  load: (topology) => set((s) => ({ ...toFlow(topology), loadCount: s.loadCount + 1 })),
  onNodesChange: (changes) => set((s) => ({ nodes: applyNodeChanges(changes, s.nodes) })),
  onEdgesChange: (changes) => set((s) => ({ edges: applyEdgeChanges(changes, s.edges) })),
  connect: (a, b) => {
    const { nodes, edges } = get();
    const problem = linkProblem(edges, a, b);
    if (problem) return problem;
    const names = new Map(nodes.map((n) => [n.id, n.data.name]));
    const link = toFlowEdge(
      {
        id: nextId(
          'l',
          edges.map((e) => e.id),
        ),
        a,
        b,
      },
      names,
    );
    set({ edges: [...edges, link] });
    return null;
  },
  addNode: (role, roleLabel, position) => {
    const { nodes, edges } = get();
    const id = nextId(
      'n',
      nodes.map((n) => n.id),
    );
    const name = uniqueName(
      roleLabel,
      nodes.map((n) => n.data.name),
    );
    const node = toFlowNode({ id, name, role, x: position.x, y: position.y }, true);
    set({
      nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
      edges: edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
    return id;
  },
  rename: (id, name) => set((s) => renameNode(s.nodes, s.edges, id, name.trim())),
  setRole: (id, role) =>
    set((s) => ({ nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, role } } : n)) })),
  selectOnly: (kind, id) =>
    set((s) => ({
      nodes: s.nodes.map((n) => {
        const selected = kind === 'node' && n.id === id;
        return n.selected === selected ? n : { ...n, selected };
      }),
      edges: s.edges.map((e) => {
        const selected = kind === 'edge' && e.id === id;
        return e.selected === selected ? e : { ...e, selected };
      }),
    })),
}));
