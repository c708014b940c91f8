/**
 * The scenario document being edited: the canvas graph (nodes and links as @xyflow/react
 * renders them) plus the rest of the scenario (`base`). Edits go through pure helpers, and
 * every edit records the document before it in an undo history (graph/history.ts).
 */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { Scenario } from '../../../shared/scenario/schema';
import { type Clip, copyClip, PASTE_OFFSET, pasteClip } from '../graph/clipboard';
import { type ScriptEntry, withEntries } from '../graph/fault-script';
import { emptyHistory, type History, record, redo, undo } from '../graph/history';
import { type Topology, toFlow, toFlowEdge, toFlowNode } from '../graph/mappers';
import { withBox } from '../graph/node-box';
import { toFlow as scenarioToFlow, toScenario } from '../graph/scenario';
import { linkProblem, nextId, renameNode, uniqueName } from '../graph/topology';
import type { LabFlowEdge, LabFlowNode, LinkNet } from '../graph/types';

/** The parts of the scenario besides the topology that the inspector edits. */
export type BasePatch = Partial<Pick<Scenario, 'workload' | 'nemesis' | 'limits' | 'seed' | 'params'>>;

interface GraphState {
  /**
   * Parts of the scenario an open exercise locks ('topology', 'params', 'params.<key>',
   * 'seed', 'workload', ...). Edits to them are refused here, so no view can change them;
   * moving nodes stays allowed (positions are outside a topology lock).
   */
  locks: readonly string[];
  /** Sets the locks (an exercise opened or closed). */
  setLocks(locks: readonly string[]): void;
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
  /** Bumped when the canvas should frame the graph again without a load (after auto layout). */
  fitCount: number;
  /** Marks the topology as the person's own work (a protocol switch then maps it rather than replacing it). */
  markEdited(): void;
  /** Asks the canvas to frame the whole graph (animated). */
  requestFit(): void;
  /** Bumped on every edit that changes what a run would simulate (nodes, links, roles, clocks, network). */
  topoRev: number;
  /** Undo/redo stacks of whole scenarios. Cleared when a new document loads. */
  history: History<Scenario>;
  /** The topology as loaded, to tell an untouched quick start from the person's own work. */
  loadedTopology: string | null;
  /** Replaces the graph with a topology. */
  load(topology: Topology): void;
  /** Replaces the document with a scenario (its topology becomes the graph); clears the history. */
  loadScenario(scenario: Scenario): void;
  /** Sets one protocol param in the document. */
  setParam(key: string, value: unknown): void;
  /** Replaces parts of the document besides the topology (workload, nemesis, limits, seed). */
  patchBase(patch: BasePatch, key: string): void;
  /** Adds faults to the scenario's fault script (kept in time order; ones already there are skipped). */
  addScriptFaults(entries: readonly ScriptEntry[]): void;
  /** Removes the fault script's entry at an index of base.faults. */
  removeScriptFault(index: number): void;
  /** Applies xyflow's node changes (move, select, remove, measure). */
  onNodesChange(changes: NodeChange<LabFlowNode>[]): void;
  /** Applies xyflow's edge changes. */
  onEdgesChange(changes: EdgeChange<LabFlowEdge>[]): void;
  /** Records the document before an edit xyflow is about to make (deleting the selection). */
  beginEdit(key?: string | null): void;
  /** Links two nodes; returns why not when it cannot. */
  connect(a: string, b: string): string | null;
  /** Adds a node of a role at a position and selects it; returns its id. */
  addNode(role: string, roleLabel: string, position: { x: number; y: number }): string;
  /** Renames a node (the caller checked the name with nameProblem). */
  rename(id: string, name: string): void;
  /** Changes a node's role. */
  setRole(id: string, role: string): void;
  /** Sets a node's clock (offset µs, drift ppm). */
  setNodeClock(id: string, clock: { clockOffsetUs?: number; clockDriftPpm?: number }, key: string): void;
  /** Replaces a link's network properties. */
  setLinkNet(id: string, net: LinkNet, key: string): void;
  /** Moves nodes (auto layout) as one undoable edit. */
  setPositions(positions: ReadonlyMap<string, { x: number; y: number }>): void;
  /** Copies the selected nodes (and the links among them); returns how many. */
  copySelection(): number;
  /** Pastes the clipboard, offset from the copy, selecting what was pasted; returns how many. */
  paste(): number;
  /** Undoes one edit; false when there is nothing to undo. */
  undo(): boolean;
  /** Redoes one edit; false when there is nothing to redo. */
  redo(): boolean;
  /** Selects every node and link. */
  selectAll(): void;
  /** Selects exactly one node or link (or nothing). */
  selectOnly(kind: 'node' | 'edge' | null, id?: string): void;
}

/** The lab's clipboard and how many times it was pasted (each paste moves further). */
let clip: Clip | null = null;
let pasteCount = 0;
/** Whether a drag is under way (one undo step per drag, not per frame). */
let dragging = false;

type Doc = Pick<GraphState, 'nodes' | 'edges' | 'base'>;

function snapshot(s: Doc): Scenario | null {
  return s.base ? toScenario(s.nodes, s.edges, s.base) : null;
}

/** The history with the document before an edit recorded (unchanged if there is no document). */
function recorded(s: Doc & { history: History<Scenario> }, key: string | null = null): History<Scenario> {
  const snap = snapshot(s);
  return snap ? record(s.history, snap, key, performance.now()) : s.history;
}

/** What a run simulates from the topology: everything but positions and names. */
function simSignature(sc: Scenario): string {
  return JSON.stringify([
    sc.topology.nodes.map(({ x: _x, y: _y, name: _n, ...rest }) => rest),
    sc.topology.links,
  ]);
}

/** The whole topology (positions and names too). */
function topologySignature(sc: Scenario): string {
  return JSON.stringify(sc.topology);
}

/** Everything but the topology, to tell a params edit from a topology edit. */
function baseSignature(sc: Scenario): string {
  const { topology: _t, ...rest } = sc;
  return JSON.stringify(rest);
}

/** What a refused edit of a locked part says. */
export const LOCKED = 'Locked by the exercise.';

/** Whether a part of the scenario is locked ('params.x' is locked by 'params' too). */
export function isLocked(locks: readonly string[], part: string): boolean {
  return locks.some((l) => l === part || part.startsWith(`${l}.`));
}

export const useGraph = create<GraphState>()((set, get) => {
  const topologyLocked = () => isLocked(get().locks, 'topology');
  /** Shows a snapshot from the history without reframing the view. */
  const restore = (target: Scenario, history: History<Scenario>) => {
    const s = get();
    const current = snapshot(s);
    const flow = scenarioToFlow(target);
    const sameSim = current !== null && simSignature(current) === simSignature(target);
    // Keep the base object when only the topology changed, so the run is not reset as if
    // the params had changed (run.ts compares base identities).
    const sameBase = s.base !== null && current !== null && baseSignature(current) === baseSignature(target);
    set({
      nodes: flow.nodes,
      edges: flow.edges,
      base: sameBase ? s.base : target,
      history,
      topoRev: s.topoRev + (sameSim ? 0 : 1),
    });
  };
  return {
    locks: [],
    setLocks: (locks) => set({ locks: [...locks] }),
    nodes: [],
    edges: [],
    loadCount: 0,
    base: null,
    topoRev: 0,
    history: emptyHistory<Scenario>(),
    loadedTopology: null,
    fitCount: 0,
    markEdited: () => set({ loadedTopology: null }),
    requestFit: () => set((s) => ({ fitCount: s.fitCount + 1 })),
    load: (topology) =>
      set((s) => ({
        ...toFlow(topology),
        locks: [],
        loadCount: s.loadCount + 1,
        topoRev: s.topoRev + 1,
        history: emptyHistory<Scenario>(),
      })),
    loadScenario: (scenario) =>
      set((s) => {
        const flow = scenarioToFlow(scenario);
        return {
          ...flow,
          locks: [],
          base: scenario,
          loadCount: s.loadCount + 1,
          topoRev: s.topoRev + 1,
          history: emptyHistory<Scenario>(),
          loadedTopology: topologySignature(toScenario(flow.nodes, flow.edges, scenario)),
        };
      }),
    setParam: (key, value) =>
      set((s) =>
        s.base && !isLocked(s.locks, `params.${key}`)
          ? {
              history: recorded(s, `param:${key}`),
              base: { ...s.base, params: { ...s.base.params, [key]: value } },
            }
          : {},
      ),
    patchBase: (patch, key) =>
      set((s) =>
        s.base && !Object.keys(patch).some((part) => isLocked(s.locks, part))
          ? { history: recorded(s, key), base: { ...s.base, ...patch } }
          : {},
      ),
    addScriptFaults: (entries) =>
      set((s) => {
        if (!s.base || isLocked(s.locks, 'faults')) return {};
        const faults = withEntries(s.base.faults, entries);
        if (faults.length === s.base.faults.length) return {};
        return { history: recorded(s), base: { ...s.base, faults } };
      }),
    removeScriptFault: (index) =>
      set((s) =>
        s.base && !isLocked(s.locks, 'faults') && index >= 0 && index < s.base.faults.length
          ? { history: recorded(s), base: { ...s.base, faults: s.base.faults.filter((_, i) => i !== index) } }
          : {},
      ),
    onNodesChange: (input) =>
      set((s) => {
        // A locked topology keeps its nodes: only moves and selection go through.
        const changes = topologyLocked()
          ? input.filter((c) => c.type !== 'remove' && c.type !== 'add')
          : input;
        let history = s.history;
        for (const c of changes) {
          if (c.type !== 'position' || !c.position) continue;
          if (c.dragging && !dragging) {
            // The first frame of a drag records the document before it; later frames join it.
            dragging = true;
            history = recorded(s, null);
          } else if (!c.dragging && !dragging) {
            // Arrow-key nudges: consecutive ones are one step.
            history = recorded(s, 'nudge');
          }
        }
        if (changes.some((c) => c.type === 'position' && c.dragging === false)) dragging = false;
        let nodes = applyNodeChanges(changes, s.nodes);
        // A node xyflow measured at another size gets handles for that size (graph/node-box.ts).
        if (changes.some((c) => c.type === 'dimensions')) nodes = nodes.map(withBox);
        return {
          history,
          nodes,
          topoRev: s.topoRev + (changes.some((c) => c.type === 'add' || c.type === 'remove') ? 1 : 0),
        };
      }),
    onEdgesChange: (input) =>
      set((s) => {
        const changes = topologyLocked()
          ? input.filter((c) => c.type !== 'remove' && c.type !== 'add')
          : input;
        return {
          edges: applyEdgeChanges(changes, s.edges),
          topoRev: s.topoRev + (changes.some((c) => c.type === 'add' || c.type === 'remove') ? 1 : 0),
        };
      }),
    beginEdit: (key = null) => set((s) => ({ history: recorded(s, key) })),
    connect: (a, b) => {
      if (topologyLocked()) return LOCKED;
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
      set((s) => ({ history: recorded(s), edges: [...edges, link], topoRev: s.topoRev + 1 }));
      return null;
    },
    addNode: (role, roleLabel, position) => {
      if (topologyLocked()) return '';
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
        history: recorded(s),
        nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
        edges: edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        topoRev: s.topoRev + 1,
      }));
      return id;
    },
    rename: (id, name) =>
      set((s) =>
        topologyLocked()
          ? {}
          : { history: recorded(s, `name:${id}`), ...renameNode(s.nodes, s.edges, id, name.trim()) },
      ),
    setRole: (id, role) =>
      set((s) =>
        topologyLocked()
          ? {}
          : {
              history: recorded(s),
              nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, role } } : n)),
              topoRev: s.topoRev + 1,
            },
      ),
    setNodeClock: (id, clock, key) =>
      set((s) =>
        topologyLocked()
          ? {}
          : {
              history: recorded(s, key),
              nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...clock } } : n)),
              topoRev: s.topoRev + 1,
            },
      ),
    setLinkNet: (id, net, key) =>
      set((s) =>
        topologyLocked()
          ? {}
          : {
              history: recorded(s, key),
              edges: s.edges.map((e) => (e.id === id ? { ...e, data: { ...e.data, net } } : e)),
              topoRev: s.topoRev + 1,
            },
      ),
    setPositions: (positions) =>
      set((s) => ({
        history: recorded(s),
        nodes: s.nodes.map((n) => {
          const p = positions.get(n.id);
          return p ? { ...n, position: { ...p } } : n;
        }),
      })),
    copySelection: () => {
      const s = get();
      const snap = snapshot(s);
      if (!snap) return 0;
      clip = copyClip(snap.topology, new Set(s.nodes.filter((n) => n.selected).map((n) => n.id)));
      pasteCount = 0;
      return clip?.nodes.length ?? 0;
    },
    paste: () => {
      const s = get();
      const snap = snapshot(s);
      if (!snap || !clip || !s.base || topologyLocked()) return 0;
      pasteCount++;
      const added = pasteClip(clip, snap.topology, PASTE_OFFSET * pasteCount);
      const all = scenarioToFlow({
        topology: { nodes: [...snap.topology.nodes, ...added.nodes], links: added.links },
      });
      const fresh = new Set(added.nodes.map((n) => n.id));
      const flow = { nodes: all.nodes.filter((n) => fresh.has(n.id)) };
      const links = all.edges;
      set({
        history: recorded(s),
        nodes: [
          ...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          ...flow.nodes.map((n) => ({ ...n, selected: true })),
        ],
        edges: [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...links],
        topoRev: s.topoRev + 1,
      });
      return added.nodes.length;
    },
    undo: () => {
      const s = get();
      const current = snapshot(s);
      const r = current ? undo(s.history, current) : null;
      if (!r) return false;
      restore(r.state, r.history);
      return true;
    },
    redo: () => {
      const s = get();
      const current = snapshot(s);
      const r = current ? redo(s.history, current) : null;
      if (!r) return false;
      restore(r.state, r.history);
      return true;
    },
    selectAll: () =>
      set((s) => ({
        nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
        edges: s.edges.map((e) => (e.selected ? e : { ...e, selected: true })),
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
  };
});

/** Whether the canvas still shows the topology as loaded (nothing added, moved, renamed, rewired). */
export function isPristine(s: Pick<GraphState, 'nodes' | 'edges' | 'base' | 'loadedTopology'>): boolean {
  const snap = snapshot(s);
  return snap === null || topologySignature(snap) === s.loadedTopology;
}

/** The scenario the canvas describes now, or null before a protocol loads. */
export function currentScenario(s: Doc): Scenario | null {
  return snapshot(s);
}

/** Selector: whether there is something to undo. */
export const selectCanUndo = (s: GraphState): boolean => s.history.past.length > 0;
/** Selector: whether there is something to redo. */
export const selectCanRedo = (s: GraphState): boolean => s.history.future.length > 0;
