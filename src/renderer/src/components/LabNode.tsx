/** A node on the canvas: its name and role in the role's colour, with dots to connect from. */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { type KeyboardEvent, memo, useRef, useState } from 'react';
import { useRoles } from '../app/use-roles';
import { roleLabel, roleTone } from '../graph/roles';
import { nameProblem } from '../graph/topology';
import type { LabFlowNode } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { useUi } from '../stores/ui-store';

const SIDES = [
  { id: 't', position: Position.Top },
  { id: 'r', position: Position.Right },
  { id: 'b', position: Position.Bottom },
  { id: 'l', position: Position.Left },
] as const;

function NameEditor({ id, name, onDone }: { id: string; name: string; onDone(): void }) {
  const [draft, setDraft] = useState(name);
  // Enter or Esc ends the edit; a blur that follows (the field unmounting) must not commit again.
  const finished = useRef(false);
  const finish = () => {
    finished.current = true;
    onDone();
  };
  const commit = () => {
    if (finished.current) return;
    const next = draft.trim();
    if (next !== name) {
      const problem = nameProblem(useGraph.getState().nodes, id, next);
      if (problem) useUi.getState().toast(problem, 'error');
      else useGraph.getState().rename(id, next);
    }
    finish();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // Keep Delete/Backspace/arrows inside the field instead of reaching the canvas.
    e.stopPropagation();
    if (e.key === 'Enter') commit();
    if (e.key === 'Escape') finish();
  };
  return (
    <input
      className="node-name-input nodrag nopan"
      aria-label="Node name"
      value={draft}
      // biome-ignore lint/a11y/noAutofocus: the field appears because the person asked to rename.
      autoFocus
      onFocus={(e) => e.target.select()}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={onKeyDown}
    />
  );
}

function LabNodeView({ id, data, selected }: NodeProps<LabFlowNode>) {
  const roles = useRoles();
  const editing = useUi((s) => s.renamingId === id);
  const setRenaming = useUi((s) => s.setRenaming);
  const tone = roleTone(data.role, roles);
  return (
    <div className={`lab-node${selected ? ' is-selected' : ''}`} data-tone={tone}>
      <span className="lab-node-badge" aria-hidden="true">
        {roleLabel(data.role, roles).slice(0, 1).toUpperCase()}
      </span>
      <div className="lab-node-text">
        {editing ? (
          <NameEditor id={id} name={data.name} onDone={() => setRenaming(null)} />
        ) : (
          <span className="lab-node-name" title="Double-click (or F2) to rename">
            {data.name}
          </span>
        )}
        <span className="lab-node-role">{roleLabel(data.role, roles)}</span>
      </div>
      {SIDES.map((s) => (
        <Handle key={s.id} id={s.id} type="source" position={s.position} className="lab-handle" />
      ))}
    </div>
  );
}

export const LabNode = memo(LabNodeView);
