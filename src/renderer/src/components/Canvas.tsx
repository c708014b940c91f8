/** The editor canvas: the topology as nodes and links, drop target of the palette. */
import {
  applyNodeChanges,
  Background,
  BackgroundVariant,
  type Connection,
  ConnectionMode,
  ControlButton,
  Controls,
  type EdgeChange,
  type EdgeTypes,
  MiniMap,
  type NodeChange,
  type NodeTypes,
  type OnSelectionChangeParams,
  Panel,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import {
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { autoLayout, copyNodes, pasteNodes, redoEdit, undoEdit } from '../app/editor';
import { linkMenu, nodeMenu } from '../app/faults';
import { CANVAS_ID, NODE_HEIGHT, NODE_WIDTH, PALETTE_MIME } from '../app/placement';
import { useRoles } from '../app/use-roles';
import { FIT_MAX_ZOOM, fitPadding, type Overlays, type Size } from '../graph/fit';
import { addedFlowNodes, canvasEdges } from '../graph/membership';
import { withBox } from '../graph/node-box';
import { roleTone } from '../graph/roles';
import type { LabFlowEdge, LabFlowNode } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { useMembership } from '../stores/run-store';
import { useSelection } from '../stores/selection-store';
import { selectTheme, useUi } from '../stores/ui-store';
import { ContextMenu, type MenuItem } from './ContextMenu';
import { EditToolbar } from './EditToolbar';
import { FAR_ZOOM, LabNode } from './LabNode';
import { LinkEdge } from './LinkEdge';
import { LinkLayer } from './LinkLayer';
import { MessageLayer } from './MessageLayer';

interface OpenMenu {
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
}

// Module scope: a new object per render would remount every node (xyflow docs).
const nodeTypes: NodeTypes = { lab: LabNode };
const edgeTypes: EdgeTypes = { link: LinkEdge };
const SNAP_GRID: [number, number] = [16, 16];
const MINIMAP_STYLE = { width: 168, height: 112 };
const DELETE_KEYS = ['Delete', 'Backspace'];
// Shift-click adds to the selection (Ctrl/⌘ too, xyflow's default); Shift-drag on the pane
// draws a selection box; a plain drag pans.
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const BOX_SELECT_KEY = 'Shift';

/** Whether a key press is meant for a text field rather than for the canvas. */
function inField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

/**
 * The editor's page shortcuts: undo/redo, copy/paste, select all, auto layout. Text fields
 * keep their own (Ctrl+Z in a field undoes typing), and an open dialog keeps the keyboard.
 */
function onEditorKey(e: globalThis.KeyboardEvent): void {
  if (e.altKey || inField(e.target) || useUi.getState().dialog) return;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'z') {
    e.preventDefault();
    if (e.shiftKey) redoEdit();
    else undoEdit();
  } else if (mod && key === 'y') {
    e.preventDefault();
    redoEdit();
  } else if (mod && key === 'c' && !e.shiftKey) {
    // Leave a text selection (the event log, the state tree) to the browser.
    if (window.getSelection()?.toString()) return;
    if (!useGraph.getState().nodes.some((n) => n.selected)) return;
    e.preventDefault();
    copyNodes();
  } else if (mod && key === 'v' && !e.shiftKey) {
    e.preventDefault();
    pasteNodes();
  } else if (mod && key === 'a' && !e.shiftKey) {
    e.preventDefault();
    useGraph.getState().selectAll();
  } else if (!mod && !e.shiftKey && key === 'l') {
    e.preventDefault();
    void autoLayout();
  }
}
/**
 * A drag that starts on the empty pane (a pan, or with Shift a selection box) keeps the
 * pointer on the pane until the button is released. Without the capture the browser works
 * out which element is under the pointer on every mouse move, walking all nodes and link
 * SVGs of the graph: on a 500-node graph that hit test was the largest part of a pan frame
 * (docs/workbench.md "Performance"). The pane is what every move of such a drag is for anyway;
 * clicks on the pane, and the drags of nodes and handles, are not affected.
 */
function capturePanDrag(e: PointerEvent): void {
  const t = e.target;
  if (e.button === 0 && t instanceof Element && t.classList.contains('react-flow__pane'))
    t.setPointerCapture(e.pointerId);
}

/**
 * Framing the graph when nothing is measured yet (xyflow's own first fit): 64 px at the top keep
 * the floating edit toolbar off the first row of nodes. Every later fit is `useFitGraph`'s, which
 * also keeps nodes out from under the minimap and the zoom controls (graph/fit.ts).
 */
export const FIT_OPTIONS = {
  padding: { top: '64px', bottom: '13%', x: '13%' },
  maxZoom: FIT_MAX_ZOOM,
  duration: 0,
} as const;

/** What floats over the canvas, measured from the flow element's edges (graph/fit.ts). */
function measureOverlays(flow: Element): { canvas: Size; overlays: Overlays } {
  const c = flow.getBoundingClientRect();
  const box = (sel: string) => flow.querySelector(sel)?.getBoundingClientRect();
  const mm = box('.react-flow__minimap');
  const ctl = box('.react-flow__controls');
  // xyflow's Panel takes its position's words as two classes ("top center"), not one.
  const bar = box('.react-flow__panel.top.center');
  return {
    canvas: { width: c.width, height: c.height },
    overlays: {
      // A minimap hidden by the narrow-window rule (styles.css) measures 0 wide: nothing to avoid.
      minimap: mm && mm.width > 0 ? { width: c.right - mm.left, height: c.bottom - mm.top } : null,
      controls: ctl ? { width: ctl.right - c.left, height: c.bottom - ctl.top } : null,
      toolbar: bar && bar.height > 0 ? bar.bottom - c.top : 52,
    },
  };
}

/**
 * Frames the graph clear of the minimap, the zoom controls and the edit toolbar (graph/fit.ts);
 * every fit of the canvas goes through it (the zoom controls' button and View › Fit too).
 */
export function useFitGraph(): (opts?: { duration?: number }) => Promise<boolean> {
  const { fitView, getNodes, getNodesBounds } = useReactFlow();
  return useCallback(
    (opts: { duration?: number } = {}) => {
      const flow = document.getElementById(CANVAS_ID)?.querySelector('.react-flow');
      const nodes = getNodes();
      if (!flow || nodes.length === 0) return fitView({ ...FIT_OPTIONS, ...opts });
      const { canvas, overlays } = measureOverlays(flow);
      const padding = fitPadding(canvas, getNodesBounds(nodes), overlays, FAR_ZOOM);
      return fitView({ padding, maxZoom: FIT_MAX_ZOOM, duration: opts.duration ?? 0 });
    },
    [fitView, getNodes, getNodesBounds],
  );
}

/**
 * The nodes and links the canvas draws: the topology's, plus what the run added and has at the
 * current event (graph/membership.ts). The run's nodes keep their own xyflow state here (what
 * it measured, whether selected); changes to them never reach the topology.
 */
function useShownGraph() {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const onNodesChange = useGraph((s) => s.onNodesChange);
  const onEdgesChange = useGraph((s) => s.onEdgesChange);
  const added = useMembership((s) => s.added);
  const links = useMembership((s) => s.links);
  const [runNodes, setRunNodes] = useState<LabFlowNode[]>([]);
  useEffect(() => setRunNodes((prev) => addedFlowNodes(prev, added)), [added]);
  const runIds = useMemo(() => new Set(runNodes.map((n) => n.id)), [runNodes]);
  const shownNodes = useMemo(
    () => (runNodes.length === 0 ? nodes : [...nodes, ...runNodes]),
    [nodes, runNodes],
  );
  const shownEdges = useMemo(() => {
    if (links === null) return edges;
    const names = new Map(shownNodes.map((n) => [n.id, n.data.name]));
    return canvasEdges(edges, links, names);
  }, [edges, links, shownNodes]);
  const onShownNodesChange = useCallback(
    (changes: NodeChange<LabFlowNode>[]) => {
      const mine = changes.filter((c) => c.type !== 'add' && runIds.has(c.id));
      const rest = mine.length === 0 ? changes : changes.filter((c) => !mine.includes(c));
      if (rest.length > 0) onNodesChange(rest);
      if (mine.length > 0) setRunNodes((prev) => applyNodeChanges(mine, prev).map(withBox));
    },
    [runIds, onNodesChange],
  );
  const onShownEdgesChange = useCallback(
    (changes: EdgeChange<LabFlowEdge>[]) => {
      const ids = new Set(edges.map((e) => e.id));
      const rest = changes.filter((c) => c.type === 'add' || ids.has(c.id));
      if (rest.length > 0) onEdgesChange(rest);
    },
    [edges, onEdgesChange],
  );
  return { nodes, shownNodes, shownEdges, runNodes, onShownNodesChange, onShownEdgesChange };
}

export function Canvas() {
  const { nodes, shownNodes, shownEdges, runNodes, onShownNodesChange, onShownEdgesChange } = useShownGraph();
  const loadCount = useGraph((s) => s.loadCount);
  const setSelection = useSelection((s) => s.set);
  const theme = useUi(selectTheme);
  const roles = useRoles();
  const { screenToFlowPosition } = useReactFlow();
  const fitView = useFitGraph();
  const sectionRef = useRef<HTMLElement>(null);
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);

  const openNodeMenu = useCallback((id: string, x: number, y: number) => {
    const node = useGraph.getState().nodes.find((n) => n.id === id);
    if (!node) return;
    setMenu({
      x,
      y,
      label: `Faults: ${node.data.name}`,
      items: nodeMenu(node, useSelection.getState().nodeIds),
    });
  }, []);
  const openEdgeMenu = useCallback((id: string, x: number, y: number) => {
    const edge = useGraph.getState().edges.find((e) => e.id === id);
    if (!edge) return;
    setMenu({ x, y, label: `Faults: ${edge.ariaLabel ?? id}`, items: linkMenu(edge) });
  }, []);
  const onNodeContextMenu = useCallback(
    (e: MouseEvent, n: LabFlowNode) => {
      e.preventDefault();
      openNodeMenu(n.id, e.clientX, e.clientY);
    },
    [openNodeMenu],
  );
  const onEdgeContextMenu = useCallback(
    (e: MouseEvent, edge: LabFlowEdge) => {
      e.preventDefault();
      openEdgeMenu(edge.id, e.clientX, e.clientY);
    },
    [openEdgeMenu],
  );
  // The keyboard's way in: the context-menu key or Shift+F10 on a focused node or link.
  const onKeyDown = (e: KeyboardEvent) => {
    if (!(e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10'))) return;
    const el = (e.target as HTMLElement).closest<HTMLElement | SVGElement>(
      '.react-flow__node, .react-flow__edge',
    );
    const id = el?.getAttribute('data-id');
    if (!el || !id) return;
    e.preventDefault();
    const r = el.getBoundingClientRect();
    if (el.classList.contains('react-flow__node')) openNodeMenu(id, r.left + r.width / 2, r.bottom);
    else openEdgeMenu(id, r.left + r.width / 2, r.top + r.height / 2);
  };

  useEffect(() => {
    window.addEventListener('keydown', onEditorKey);
    return () => window.removeEventListener('keydown', onEditorKey);
  }, []);

  // Deleting with the keyboard is one undo step (nodes and the links that go with them).
  const onBeforeDelete = useCallback(async () => {
    useGraph.getState().beginEdit(null);
    return true;
  }, []);

  // Whether the view is still as the last framing left it (see the resize observer below).
  const framed = useRef(true);

  // After an auto layout the graph is framed again, animated so the eye can follow.
  const fitCount = useGraph((s) => s.fitCount);
  useEffect(() => {
    if (fitCount > 0) {
      framed.current = true;
      // Wait a frame: xyflow measures the moved nodes before it can frame them.
      const raf = requestAnimationFrame(() => void fitView({ duration: 300 }));
      return () => cancelAnimationFrame(raf);
    }
  }, [fitCount, fitView]);

  // A new topology (first load, protocol switch, File > New) is framed in full.
  useEffect(() => {
    if (loadCount > 0) {
      framed.current = true;
      void fitView();
    }
  }, [loadCount, fitView]);

  // A node the run adds may land outside the frame: while the person has not panned or zoomed,
  // the graph is framed again when the run's nodes come or go (a join is worth seeing).
  const runKey = runNodes.map((n) => n.id).join(' ');
  const runKeyShown = useRef(runKey);
  useEffect(() => {
    if (runKey === runKeyShown.current) return;
    runKeyShown.current = runKey;
    if (!framed.current) return;
    const raf = requestAnimationFrame(() => void fitView({ duration: 200 }));
    return () => cancelAnimationFrame(raf);
  }, [runKey, fitView]);

  // While the person has not panned or zoomed since the graph was framed, a canvas that
  // changes size (the bottom panel resized, restored from the settings, collapsed) frames it
  // again, so the graph does not sit in a corner of the new canvas.
  const onMoveStart = useCallback((e: unknown) => {
    if (!e) return; // null: a programmatic move (fitView, setViewport)
    framed.current = false;
    // A class set on the element, not state: a pan must not re-render the canvas.
    sectionRef.current?.classList.add('is-moving');
  }, []);
  const onMoveEnd = useCallback(() => sectionRef.current?.classList.remove('is-moving'), []);
  useEffect(() => {
    const el = sectionRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let last = el.getBoundingClientRect();
    const ro = new ResizeObserver(() => {
      const now = el.getBoundingClientRect();
      const changed = Math.abs(now.height - last.height) > 1 || Math.abs(now.width - last.width) > 1;
      last = now;
      if (changed && framed.current) void fitView();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [fitView]);

  // While a link is being drawn every node is a drop target (LabNode's body handle): a class on
  // the canvas, not state, so starting a drag renders no node.
  const onConnectStart = useCallback(() => sectionRef.current?.classList.add('is-connecting'), []);
  const onConnectEnd = useCallback(() => sectionRef.current?.classList.remove('is-connecting'), []);

  const onConnect = useCallback((c: Connection) => {
    const problem = useGraph.getState().connect(c.source, c.target);
    if (problem) useUi.getState().toast(problem);
  }, []);

  const onSelectionChange = useCallback(
    ({ nodes: n, edges: e }: OnSelectionChangeParams) =>
      setSelection(
        n.map((x) => x.id),
        e.map((x) => x.id),
      ),
    [setSelection],
  );

  const onNodeDoubleClick = useCallback(
    (_: unknown, n: LabFlowNode) => useUi.getState().setRenaming(n.id),
    [],
  );

  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes(PALETTE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };

  const onDrop = (e: DragEvent) => {
    const roleId = e.dataTransfer.getData(PALETTE_MIME);
    const role = roles.find((r) => r.id === roleId);
    if (!role) return;
    e.preventDefault();
    const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
    useGraph.getState().addNode(role.id, role.label, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
  };

  const minimapClass = useCallback((n: LabFlowNode) => `mm-tone-${roleTone(n.data.role, roles)}`, [roles]);

  return (
    <section
      ref={sectionRef}
      id={CANVAS_ID}
      className="canvas"
      aria-label="Topology canvas"
      onDragOver={onDragOver}
      onDrop={onDrop}
      onKeyDown={onKeyDown}
      onPointerDown={capturePanDrag}
    >
      <ReactFlow<LabFlowNode, LabFlowEdge>
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onShownNodesChange}
        onEdgesChange={onShownEdgesChange}
        onConnect={onConnect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        onSelectionChange={onSelectionChange}
        onNodeDoubleClick={onNodeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneClick={closeMenu}
        zoomOnDoubleClick={false}
        connectionMode={ConnectionMode.Loose}
        connectionLineStyle={{ stroke: 'var(--accent)', strokeWidth: 1.5 }}
        snapToGrid
        snapGrid={SNAP_GRID}
        deleteKeyCode={DELETE_KEYS}
        onBeforeDelete={onBeforeDelete}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        selectionKeyCode={BOX_SELECT_KEY}
        fitView
        fitViewOptions={FIT_OPTIONS}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        minZoom={0.2}
        maxZoom={2.5}
        colorMode={theme}
        attributionPosition="top-right"
        ariaLabelConfig={{ 'controls.ariaLabel': 'Canvas zoom controls' }}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} />
        <LinkLayer />
        <MessageLayer />
        <Panel position="top-center">
          <EditToolbar />
        </Panel>
        <Controls position="bottom-left" showInteractive={false} showFitView={false}>
          <ControlButton
            className="react-flow__controls-fitview"
            onClick={() => void fitView({ duration: 200 })}
            title="Fit View"
            aria-label="Fit View"
          >
            <FitIcon />
          </ControlButton>
        </Controls>
        <MiniMap
          position="bottom-right"
          pannable
          zoomable
          nodeClassName={minimapClass}
          nodeBorderRadius={6}
          style={MINIMAP_STYLE}
          ariaLabel="Minimap"
        />
      </ReactFlow>
      {menu && (
        <ContextMenu x={menu.x} y={menu.y} label={menu.label} items={menu.items} onClose={closeMenu} />
      )}
      {nodes.length === 0 && loadCount > 0 && (
        <div className="canvas-empty">
          <p>The canvas is empty.</p>
          <p className="muted">
            Drag a part from the palette, or choose File › New for the default topology.
          </p>
        </div>
      )}
    </section>
  );
}

/** xyflow's fit-view picture, for the zoom controls' own Fit View button. */
function FitIcon() {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30" aria-hidden="true">
      <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
    </svg>
  );
}
