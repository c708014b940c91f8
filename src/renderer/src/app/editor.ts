/**
 * Editor effects: switching protocol with the canvas mapped onto the new roles, auto layout,
 * clipboard and undo/redo commands. Components call these; the store stays plain state.
 */
import { call } from '../api/client';
import { type LayoutAlgorithm, layoutTopology } from '../graph/layout';
import { describeSwitch, switchProtocolTopology } from '../graph/switch-protocol';
import { currentScenario, isPristine, useGraph } from '../stores/graph-store';
import { useLibrary } from '../stores/library-store';
import { useSession } from '../stores/session-store';
import { useUi } from '../stores/ui-store';
import { chooseProtocol } from './actions';
import { newEmptyCanvas, openTopic, shortTitle } from './library';
import { applyScenarioSpeed } from './pace';
import { NODE_HEIGHT, NODE_WIDTH } from './placement';
import { reportError } from './report';

/**
 * Switches protocol within the topic. An untouched quick start is replaced by the new
 * protocol's own quick start (its topology was made for it). A canvas the person edited is
 * kept: nodes whose role the new protocol has (or client/switch) stay, the others are remapped
 * or removed (graph/switch-protocol.ts), and a toast says what happened; the open document
 * keeps its name and has unsaved changes. An empty canvas stays empty (a new one becomes the
 * new protocol's empty canvas; a saved item keeps its name, with no workload).
 * Otherwise params, workload and limits become the new protocol's defaults.
 */
export async function switchProtocol(id: string): Promise<void> {
  const graph = useGraph.getState();
  const session = useSession.getState();
  const protocol = session.protocols.find((p) => p.id === id);
  if (!protocol || id === session.protocolId) return;
  const current = currentScenario(graph);
  if (!current || (isPristine(graph) && current.topology.nodes.length > 0)) {
    await chooseProtocol(id);
    return;
  }
  if (current.topology.nodes.length === 0 && !useLibrary.getState().doc?.itemId) {
    await newEmptyCanvas(id);
    return;
  }
  session.setProtocolId(id);
  try {
    const fresh = await call('catalog.defaultScenario', { protocol: id });
    if (useSession.getState().protocolId !== id) return;
    const mapped = switchProtocolTopology(current.topology, protocol.roles);
    const ui = useUi.getState();
    if (current.topology.nodes.length === 0) {
      // Like File › New's empty canvas: no clients yet, so no workload or faults to go with them.
      useGraph
        .getState()
        .loadScenario({ ...fresh, topology: current.topology, workload: { kind: 'none' }, faults: [] });
      ui.toast(`Switched to ${shortTitle(protocol)}; the canvas stays empty.`);
    } else if (mapped.protocolNodes === 0) {
      useGraph.getState().loadScenario(fresh);
      ui.toast(`None of the nodes could run ${protocol.title}, so its default topology was loaded.`);
    } else {
      useGraph.getState().loadScenario({
        ...fresh,
        topology: { nodes: mapped.nodes, links: mapped.links },
      });
      // Still the person's topology: a further switch maps it again instead of replacing it.
      useGraph.getState().markEdited();
      ui.toast(describeSwitch(mapped, shortTitle(protocol)));
    }
    applyScenarioSpeed({ protocolChanged: true });
  } catch (err) {
    reportError('Could not switch protocol', err);
    return;
  }
  call('settings.set', { lastTopic: protocol.topic, lastProtocol: protocol.id }).catch((err) =>
    reportError('Could not save the protocol choice', err),
  );
}

/**
 * Switches topic: opens that topic's quick start, as its card in the welcome view does
 * (asking first about unsaved changes). Another topic's protocol rarely has a use for this
 * topology, so it is not carried over (protocols within one topic do: switchProtocol).
 */
export async function switchTopic(topic: string): Promise<void> {
  await openTopic(topic, { lesson: false });
}

/**
 * The layout the toolbar starts with: force. Most built-in topologies are clusters or meshes
 * (broadcast is a full mesh), which layered drawing strings out in a line; force draws them
 * as a symmetric cloud. Layered suits client → router → shard pipelines.
 */
export const DEFAULT_LAYOUT: LayoutAlgorithm = 'force';

/** Whether a layout is running (a second click waits for nothing). */
let layingOut = false;

/** Lays the topology out with elkjs as one undoable edit; returns whether it moved anything. */
export async function autoLayout(algorithm: LayoutAlgorithm = DEFAULT_LAYOUT): Promise<boolean> {
  if (layingOut) return false;
  const { nodes, edges } = useGraph.getState();
  if (nodes.length === 0) return false;
  layingOut = true;
  try {
    const positions = await layoutTopology(
      nodes.map((n) => ({
        id: n.id,
        width: n.measured?.width ?? NODE_WIDTH,
        height: n.measured?.height ?? NODE_HEIGHT,
      })),
      edges.map((e) => ({ id: e.id, a: e.source, b: e.target })),
      algorithm,
    );
    useGraph.getState().setPositions(positions);
    useGraph.getState().requestFit();
    return true;
  } catch (err) {
    reportError('Auto layout failed', err);
    return false;
  } finally {
    layingOut = false;
  }
}

/** Undo, with a word when there is nothing to undo. */
export function undoEdit(): void {
  if (!useGraph.getState().undo()) useUi.getState().toast('Nothing to undo.');
}

/** Redo, with a word when there is nothing to redo. */
export function redoEdit(): void {
  if (!useGraph.getState().redo()) useUi.getState().toast('Nothing to redo.');
}

/** Copies the selected nodes. */
export function copyNodes(): void {
  const n = useGraph.getState().copySelection();
  if (n > 0) useUi.getState().toast(`Copied ${n} node${n === 1 ? '' : 's'}.`);
}

/** Pastes the copied nodes. */
export function pasteNodes(): void {
  if (useGraph.getState().paste() === 0)
    useUi.getState().toast('Nothing to paste: select nodes and press Ctrl+C.');
}

/**
 * The editor's shortcuts, for the shortcuts dialog (Dialogs.tsx may import and list these).
 * `mod` is Ctrl (⌘ on a Mac).
 */
export const EDITOR_SHORTCUTS: readonly { keys: readonly string[]; what: string }[] = [
  { keys: ['mod', 'Z'], what: 'Undo' },
  { keys: ['mod', 'Shift', 'Z'], what: 'Redo' },
  { keys: ['mod', 'Y'], what: 'Redo' },
  { keys: ['mod', 'C'], what: 'Copy the selected nodes' },
  { keys: ['mod', 'V'], what: 'Paste (offset, new ids and names)' },
  { keys: ['mod', 'A'], what: 'Select all nodes and links' },
  { keys: ['Shift', 'click'], what: 'Add a node or link to the selection' },
  { keys: ['Shift', 'drag'], what: 'Select with a box' },
  { keys: ['Delete'], what: 'Delete the selection' },
  { keys: ['L'], what: 'Auto layout' },
];
