/** The parts palette: the protocol's roles and the generic parts, dragged onto the canvas. */
import { useReactFlow } from '@xyflow/react';
import { type DragEvent, useMemo, useRef } from 'react';
import { CANVAS_ID, canvasCentre, NODE_HEIGHT, NODE_WIDTH, PALETTE_MIME } from '../app/placement';
import { paletteRoles, roleTone } from '../graph/roles';
import { roleCounts } from '../graph/topology';
import type { PaletteRole } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { GripIcon } from './icons';

function limitText(role: PaletteRole): string {
  if (role.generic) return role.id === 'client' ? 'Sends requests' : 'Shared segment';
  if (role.max === null) return role.min > 0 ? `at least ${role.min}` : 'any number';
  if (role.min === role.max) return `exactly ${role.min}`;
  return `${role.min}–${role.max}`;
}

function PaletteItem({
  role,
  tone,
  count,
  onAdd,
}: {
  role: PaletteRole;
  tone: string;
  count: number;
  onAdd(): void;
}) {
  const full = role.max !== null && count >= role.max;
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(PALETTE_MIME, role.id);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        type="button"
        className="palette-item"
        data-tone={tone}
        draggable={!full}
        disabled={full}
        onDragStart={onDragStart}
        onClick={onAdd}
        aria-describedby={`${CANVAS_ID}-palette-hint`}
        title={
          full
            ? `This protocol allows at most ${role.max} ${role.label}`
            : `Drag onto the canvas, or press Enter`
        }
      >
        <span className="palette-badge" aria-hidden="true">
          {role.label.slice(0, 1).toUpperCase()}
        </span>
        <span className="palette-text">
          {/* The name is the visible text with "Add" in front (no aria-label, so they never disagree). */}
          <span className="palette-label">
            <span className="sr-only">Add </span>
            {role.label}
          </span>
          <span className="palette-sub">{limitText(role)}</span>
        </span>
        <span className="palette-count" aria-hidden="true">
          {count > 0 ? count : ''}
        </span>
        <span className="palette-grip">
          <GripIcon />
        </span>
      </button>
    </li>
  );
}

export function Palette() {
  const protocol = useSession(selectProtocol);
  const nodes = useGraph((s) => s.nodes);
  const addNode = useGraph((s) => s.addNode);
  const { screenToFlowPosition } = useReactFlow();
  const adds = useRef(0);
  const roles = useMemo(() => paletteRoles(protocol), [protocol]);
  const counts = useMemo(() => roleCounts(nodes), [nodes]);
  const own = roles.filter((r) => !r.generic);
  const generic = roles.filter((r) => r.generic);

  const addAtCentre = (role: PaletteRole) => {
    const centre = canvasCentre(adds.current++);
    if (!centre) return;
    const p = screenToFlowPosition(centre);
    addNode(role.id, role.label, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
  };

  const section = (title: string, list: PaletteRole[]) => (
    <section className="palette-section" aria-label={title}>
      <h2 className="panel-heading">{title}</h2>
      <ul className="palette-list">
        {list.map((r) => (
          <PaletteItem
            key={r.id}
            role={r}
            tone={roleTone(r.id, roles)}
            count={counts.get(r.id) ?? 0}
            onAdd={() => addAtCentre(r)}
          />
        ))}
      </ul>
    </section>
  );

  return (
    <aside className="side palette" aria-label="Palette">
      <div className="side-title">Parts</div>
      <div className="side-body">
        {protocol ? (
          section(`${protocol.title} roles`, own)
        ) : (
          <p className="muted pad">Loading the catalog…</p>
        )}
        {section('Generic', generic)}
        <p className="palette-hint" id={`${CANVAS_ID}-palette-hint`}>
          Drag a part onto the canvas, or focus it and press Enter to add it at the centre. Connect nodes by
          dragging from one node's edge dot to another.
        </p>
      </div>
    </aside>
  );
}
