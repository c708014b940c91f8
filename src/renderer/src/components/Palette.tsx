/**
 * The left sidebar: the parts palette (the protocol's roles and the generic parts, dragged
 * onto the canvas) and, on its other tab, the library.
 */
import { useReactFlow } from '@xyflow/react';
import { type DragEvent, useMemo, useRef } from 'react';
import { CANVAS_ID, canvasCentre, NODE_HEIGHT, NODE_WIDTH, PALETTE_MIME } from '../app/placement';
import { paletteRoles, roleTone } from '../graph/roles';
import { roleCounts } from '../graph/topology';
import type { PaletteRole } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { type SidebarTab, useLibrary } from '../stores/library-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { GripIcon } from './icons';
import { LibraryPanel } from './LibraryPanel';

const SIDEBAR_TABS: { id: SidebarTab; label: string }[] = [
  { id: 'parts', label: 'Parts' },
  { id: 'library', label: 'Library' },
];

/** Parts | Library (WAI-ARIA tabs: arrows move between the two). */
function SidebarTabs() {
  const tab = useLibrary((s) => s.sidebar);
  const set = useLibrary((s) => s.set);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  return (
    <div
      className="side-title side-tabs"
      role="tablist"
      aria-label="Sidebar"
      onKeyDown={(e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        e.preventDefault();
        const next = tab === 'parts' ? 'library' : 'parts';
        set({ sidebar: next });
        refs.current[next]?.focus();
      }}
    >
      {SIDEBAR_TABS.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[t.id] = el;
          }}
          type="button"
          role="tab"
          id={`sidebar-tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls={`sidebar-panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          className="side-tab"
          onClick={() => set({ sidebar: t.id })}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

function limitText(role: PaletteRole): string {
  if (role.generic) return 'Shared segment';
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
  // An open exercise that locks the topology offers no parts (the grade would fail on $locks).
  const locked = useLibrary((s) => s.doc?.exercise?.locks.includes('topology') ?? false);
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
        draggable={!full && !locked}
        disabled={full || locked}
        onDragStart={onDragStart}
        onClick={onAdd}
        aria-describedby={`${CANVAS_ID}-palette-hint`}
        title={
          locked
            ? 'The exercise locks the topology'
            : full
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
  const sidebar = useLibrary((s) => s.sidebar);
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
      <SidebarTabs />
      {sidebar === 'library' && (
        <div
          className="side-body lib-body"
          role="tabpanel"
          id="sidebar-panel-library"
          aria-labelledby="sidebar-tab-library"
        >
          <LibraryPanel />
        </div>
      )}
      <div
        className="side-body"
        role="tabpanel"
        id="sidebar-panel-parts"
        aria-labelledby="sidebar-tab-parts"
        hidden={sidebar !== 'parts'}
      >
        {protocol ? (
          section(`${protocol.title} roles`, own)
        ) : (
          <p className="muted pad">Loading the catalog…</p>
        )}
        {section('Generic', generic)}
        <p className="palette-hint" id={`${CANVAS_ID}-palette-hint`}>
          Drag a part onto the canvas, or focus it and press Enter to add it at the centre. Connect nodes by
          dragging from a node's edge dot onto another node.
        </p>
      </div>
    </aside>
  );
}
