/**
 * The editor's toolbar, floating at the top centre of the canvas: undo, redo and auto layout
 * (force or layered, elkjs). It sits on the canvas rather than in the header because it acts
 * on the canvas, and the header is full at 1440 px with the run controls.
 */
import { useId, useState } from 'react';
import { autoLayout, DEFAULT_LAYOUT, redoEdit, undoEdit } from '../app/editor';
import type { LayoutAlgorithm } from '../graph/layout';
import { selectCanRedo, selectCanUndo, useGraph } from '../stores/graph-store';
import { LayoutIcon, RedoIcon, UndoIcon } from './editor-icons';

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

export function EditToolbar() {
  const canUndo = useGraph(selectCanUndo);
  const canRedo = useGraph(selectCanRedo);
  const empty = useGraph((s) => s.nodes.length === 0);
  const [algorithm, setAlgorithm] = useState<LayoutAlgorithm>(DEFAULT_LAYOUT);
  const layoutId = useId();
  return (
    <div className="edit-bar" role="toolbar" aria-label="Edit">
      <button
        type="button"
        className="icon-btn"
        aria-label="Undo"
        title={`Undo (${MOD}Z)`}
        disabled={!canUndo}
        onClick={undoEdit}
      >
        <UndoIcon />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Redo"
        title={`Redo (${MOD}Shift+Z or ${MOD}Y)`}
        disabled={!canRedo}
        onClick={redoEdit}
      >
        <RedoIcon />
      </button>
      <span className="edit-bar-sep" aria-hidden="true" />
      <button
        type="button"
        className="edit-bar-btn"
        title="Arrange the nodes with elkjs (L); undo puts them back"
        disabled={empty}
        onClick={() => void autoLayout(algorithm)}
      >
        <LayoutIcon />
        <span>Auto layout</span>
      </button>
      <label className="sr-only" htmlFor={layoutId}>
        Layout algorithm
      </label>
      <select
        id={layoutId}
        className="select edit-bar-algo"
        value={algorithm}
        title="Force: a symmetric cloud (clusters, meshes). Layered: clients on one side, the cluster in layers."
        onChange={(e) => setAlgorithm(e.target.value as LayoutAlgorithm)}
      >
        <option value="force">Force</option>
        <option value="layered">Layered</option>
      </select>
    </div>
  );
}
