/**
 * A link drawn centre to centre and clipped at both nodes' borders. Links are undirected,
 * so which handle a drag started from does not matter (xyflow's floating-edge example).
 */
import { BaseEdge, type EdgeProps, getStraightPath, type InternalNode, useInternalNode } from '@xyflow/react';
import { memo } from 'react';
import type { LabFlowEdge } from '../graph/types';
import { linkStates, useRun } from '../stores/run-store';

/** Where the line from this node's centre towards the other's centre leaves this node's box. */
function borderPoint(node: InternalNode, other: InternalNode): { x: number; y: number } {
  const w = (node.measured.width ?? 0) / 2;
  const h = (node.measured.height ?? 0) / 2;
  const cx = node.internals.positionAbsolute.x + w;
  const cy = node.internals.positionAbsolute.y + h;
  const ox = other.internals.positionAbsolute.x + (other.measured.width ?? 0) / 2;
  const oy = other.internals.positionAbsolute.y + (other.measured.height ?? 0) / 2;
  const dx = ox - cx;
  const dy = oy - cy;
  if ((dx === 0 && dy === 0) || w === 0 || h === 0) return { x: cx, y: cy };
  const scale = 1 / Math.max(Math.abs(dx) / w, Math.abs(dy) / h);
  return { x: cx + dx * scale, y: cy + dy * scale };
}

const MARK_TEXT: Record<string, string> = {
  cut: 'cut',
  'cut-a-b': 'cut one way',
  'cut-b-a': 'cut one way',
  degraded: 'loss 20%',
};

function LinkEdgeView({ id, source, target, selected, markerEnd }: EdgeProps<LabFlowEdge>) {
  const a = useInternalNode(source);
  const b = useInternalNode(target);
  // The link's injected fault at the current event, if any.
  const mark = useRun((s) => linkStates(s.linkMarks, s.status?.eventIndex ?? 0).get(id));
  if (!a || !b) return null;
  const p = borderPoint(a, b);
  const q = borderPoint(b, a);
  const [path, labelX, labelY] = getStraightPath({ sourceX: p.x, sourceY: p.y, targetX: q.x, targetY: q.y });
  const cls = `lab-link${selected ? ' is-selected' : ''}${mark ? ` is-${mark}` : ''}`;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={cls} interactionWidth={16} />
      {mark && (
        <g className={`link-mark is-${mark}`} transform={`translate(${labelX} ${labelY})`}>
          <rect x={-34} y={-9} width={68} height={18} rx={9} />
          <text textAnchor="middle" dy="0.35em">
            {MARK_TEXT[mark]}
          </text>
        </g>
      )}
    </>
  );
}

export const LinkEdge = memo(LinkEdgeView);
