/**
 * A node on the canvas: its name and role in the role's colour, with dots to connect from;
 * during a run, the protocol's badge, a crashed or paused marker, a cut-off marker (the node
 * is on the minority side of a partition or cut) and the clock error.
 */
import { Handle, type NodeProps, Position, useStore } from '@xyflow/react';
import { Fragment, type KeyboardEvent, memo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useRoles } from '../app/use-roles';
import { BODY_HANDLE } from '../graph/node-box';
import { roleLabel, roleTone } from '../graph/roles';
import { nameProblem } from '../graph/topology';
import type { LabFlowNode } from '../graph/types';
import { formatSignedDuration } from '../run/format';
import { useGraph } from '../stores/graph-store';
import { useCanvasNodes, useRun } from '../stores/run-store';
import { useUi } from '../stores/ui-store';
import { ClockIcon, CrashIcon, PauseIcon, Svg } from './icons';

/** A broken link: the node is cut off (local: only this view uses it). */
const CutOffIcon = () => (
  <Svg size={11}>
    <path d="M6.5 9.5l-2 2a2 2 0 01-3-3l2-2M9.5 6.5l2-2a2 2 0 013 3l-2 2M5 3v2M3 5h2M11 13v-2M13 11h-2" />
  </Svg>
);

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

const nameOf = (id: string) => useGraph.getState().nodes.find((n) => n.id === id)?.data.name ?? id;

/**
 * Below this zoom a node's badge shows only its tone and the clock chip only its icon: their
 * text would be under 5 px high, and rendering it as it changes (every badge of a 500-node
 * graph, every 150 ms while playing) was most of the page's work (docs/workbench.md
 * "Performance"). Zooming in shows the text again.
 */
export const FAR_ZOOM = 0.45;

/** Whether the canvas is zoomed out below FAR_ZOOM. */
const selectFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;

/**
 * The fields of the run's node this view shows, compared one by one: every update brings
 * new node objects for all nodes, and only the nodes whose badge, state or clock changed
 * should render again (not all 500). Nodes follow the run through useCanvasNodes (at most
 * every NODE_REFRESH_MS while playing). Zoomed out far, the texts are left out, so a node
 * renders only when its tone or state changes.
 */
function selectMarks(id: string, far: boolean) {
  return (s: ReturnType<typeof useCanvasNodes.getState>) => {
    const n = s.nodes[id];
    return n
      ? {
          up: n.up,
          removed: n.removed,
          paused: n.paused,
          role: n.role,
          text: far ? '' : n.badge.text,
          tone: n.badge.tone,
          clockErrorUs: far ? Math.sign(n.clockErrorUs) : n.clockErrorUs,
        }
      : null;
  };
}

/**
 * A badge's text, whole: it wraps onto more lines rather than being cut ("acceptor · prom…"),
 * and breaks only between its " · " parts while a part fits the node.
 */
function BadgeText({ text }: { text: string }) {
  const parts = text.split(' · ');
  return parts.map((p, i) => {
    const last = i === parts.length - 1;
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order.
      <Fragment key={i}>
        <span className="badge-part">{last ? p : `${p}\u00a0·`}</span>
        {last ? '' : ' '}
      </Fragment>
    );
  });
}

/** The run's view of this node: badge, up/paused, clock error (null with no run). */
function RunMarks({ id }: { id: string }) {
  const far = useStore(selectFar);
  const sim = useCanvasNodes(useShallow(selectMarks(id, far)));
  const cut = useRun((s) => s.cutOff[id]);
  if (!sim) return null;
  const crashed = !sim.up && !sim.removed;
  return (
    <div className="lab-node-run">
      {sim.removed ? (
        <span className="node-flag is-bad">removed</span>
      ) : crashed ? (
        <span className="node-flag is-bad">
          <CrashIcon /> crashed
        </span>
      ) : sim.paused ? (
        <span className="node-flag is-warn">
          <PauseIcon /> paused
        </span>
      ) : sim.role !== 'switch' ? (
        far ? (
          <span className="node-badge is-far" data-tone-run={sim.tone} />
        ) : (
          <span className="node-badge" data-tone-run={sim.tone} title="The protocol's summary of this node">
            <BadgeText text={sim.text} />
          </span>
        )
      ) : null}
      {cut?.minority && !sim.removed && (
        <span
          className="node-flag is-cut-off"
          title={`Cut off: cannot exchange messages with ${cut.from.map(nameOf).join(', ')}`}
        >
          <CutOffIcon /> cut off
        </span>
      )}
      {sim.clockErrorUs !== 0 &&
        (far ? (
          <span className="node-clock">
            <ClockIcon />
          </span>
        ) : (
          <span className="node-clock" title="Local clock minus true time">
            <ClockIcon /> {formatSignedDuration(sim.clockErrorUs)}
          </span>
        ))}
    </div>
  );
}

function LabNodeView({ id, data, selected }: NodeProps<LabFlowNode>) {
  const roles = useRoles();
  const editing = useUi((s) => s.renamingId === id);
  const setRenaming = useUi((s) => s.setRenaming);
  const cutOff = useRun((s) => s.cutOff[id]?.minority ?? false);
  const state = useCanvasNodes((s) => {
    const n = s.nodes[id];
    if (!n) return '';
    if (n.removed) return ' is-removed';
    const cut = cutOff ? ' is-cut-off' : '';
    if (!n.up) return ` is-crashed${cut}`;
    return (n.paused ? ' is-paused' : '') + cut;
  });
  const tone = roleTone(data.role, roles);
  return (
    <div className={`lab-node${selected ? ' is-selected' : ''}${state}`} data-tone={tone}>
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
        <RunMarks id={id} />
      </div>
      {SIDES.map((s) => (
        <Handle key={s.id} id={s.id} type="source" position={s.position} className="lab-handle" />
      ))}
      {/* The whole node as a drop target while a link is being drawn (xyflow prefers the handle
          under the pointer); it starts nothing, and is hidden otherwise (graph/node-box.ts). */}
      <Handle
        id={BODY_HANDLE}
        type="source"
        position={Position.Top}
        className="lab-body-handle"
        isConnectableStart={false}
      />
    </div>
  );
}

export const LabNode = memo(LabNodeView);
