/** The canvas graph: nodes and links as @xyflow/react renders them. Edits go through pure helpers. */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { Scenario } from '../../../shared/scenario/schema';
import { type Topology, toFlow, toFlowEdge, toFlowNode } from '../graph/mappers';
import { toFlow as scenarioToFlow } from '../graph/scenario';
import { linkProblem, nextId, renameNode, uniqueName } from '../graph/topology';
import type { LabFlowEdge, LabFlowNode } from '../graph/types';

interface GraphState {
  /** Canvas nodes, in insertion order. */
  nodes: LabFlowNode[];
  /** Canvas links. */
  edges: LabFlowEdge[];
  /** Bumped on every load, so the canvas knows to fit the view. */
  loadCount: number;
  /**
   * The scenario document the graph edits: params, workload, faults, limits come from here,
   * the topology from the graph (graph/scenario.ts toScenario). Null until a protocol loads.
   */
  base: Scenario | null;
  /** Bumped on every edit that changes what a run would simulate (nodes, links, roles). */
  topoRev: number;
  /** Replaces the graph with a topology. */
  load(topology: Topology): void;
  /** Replaces the document with a scenario (its topology becomes the graph). */
  loadScenario(scenario: Scenario): void;
  /** Sets one protocol param (a bug switch) in the document. */
  setParam(key: string, value: unknown): void;
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
  base: null,
  topoRev: 0,
  load: (topology) =>
    set((s) => ({ ...toFlow(topology), loadCount: s.loadCount + 1, topoRev: s.topoRev + 1 })),
  loadScenario: (scenario) =>
    set((s) => ({
      ...scenarioToFlow(scenario),
      base: scenario,
      loadCount: s.loadCount + 1,
      topoRev: s.topoRev + 1,
    })),
  setParam: (key, value) =>
    set((s) => (s.base ? { base: { ...s.base, params: { ...s.base.params, [key]: value } } } : {})),
  onNodesChange: (changes) =>
    set((s) => ({
      nodes: applyNodeChanges(changes, s.nodes),
      topoRev: s.topoRev + (changes.some((c) => c.type === 'add' || c.type === 'remove') ? 1 : 0),
    })),
  onEdgesChange: (changes) =>
    set((s) => ({
      edges: applyEdgeChanges(changes, s.edges),
      topoRev: s.topoRev + (changes.some((c) => c.type === 'add' || c.type === 'remove') ? 1 : 0),
    })),
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
    set((s) => ({ edges: [...edges, link], topoRev: s.topoRev + 1 }));
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
    set((s) => ({
      nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
      edges: edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      topoRev: s.topoRev + 1,
    }));
    return id;
  },
  rename: (id, name) => set((s) => renameNode(s.nodes, s.edges, id, name.trim())),
  setRole: (id, role) =>
    set((s) => ({
      nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, role } } : n)),
      topoRev: s.topoRev + 1,
    })),
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
