/**
 * A link drawn centre to centre and clipped at both nodes' borders. Links are undirected,
 * so which handle a drag started from does not matter (xyflow's floating-edge example).
 * This SVG is what a person clicks, right-clicks, focuses and selects; a plain link's line
 * is painted by the link canvas (LinkLayer), a cut or degraded one here.
 */
import {
  BaseEdge,
  type EdgeProps,
  getStraightPath,
  type InternalNode,
  type ReactFlowState,
  useStore,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import { shallow } from 'zustand/shallow';
import { borderPoint } from '../graph/link-geometry';
import type { LabFlowEdge } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { type LinkState, useRun } from '../stores/run-store';

/** A node's box for the shared link geometry. */
function boxOf(n: InternalNode) {
  return {
    x: n.internals.positionAbsolute.x,
    y: n.internals.positionAbsolute.y,
    w: n.measured.width ?? 0,
    h: n.measured.height ?? 0,
  };
}

/** The short label on a faulty link. */
function markText(l: LinkState): string {
  if (l.state === 'cut') return 'cut';
  if (l.state === 'cut-one-way') return 'cut one way';
  if (l.lossRate !== l.scenarioLossRate) return `loss ${Math.round(l.lossRate * 100)}%`;
  if (slowed(l)) return `slow ${formatMs(l.meanLatencyUs)}`;
  return 'degraded';
}

/** Its latency differs from the scenario's (a "Slow down" from its menu or a script). */
function slowed(l: LinkState): boolean {
  return l.scenarioMeanLatencyUs !== null && l.meanLatencyUs !== l.scenarioMeanLatencyUs;
}

/** Milliseconds, short: 30 ms, 2.5 ms. */
function formatMs(us: number): string {
  return `${Number((us / 1000).toPrecision(3))} ms`;
}

/** The link's tooltip: what is cut, which way, and by what. */
function markTitle(l: LinkState, nameOf: (id: string) => string): string {
  const by =
    l.cutBy.length === 2
      ? ' (a cut and a partition)'
      : l.cutBy[0] === 'partition'
        ? ' (a partition)'
        : l.cutBy[0] === 'link'
          ? ' (a cut)'
          : '';
  const a = nameOf(l.a);
  const b = nameOf(l.b);
  if (l.state === 'cut') return `Cut both ways${by}`;
  if (l.state === 'cut-one-way')
    return l.cutDirection === 'a-to-b'
      ? `Cut one way: ${a} → ${b} is dropped${by}`
      : `Cut one way: ${b} → ${a} is dropped${by}`;
  const loss = `loss ${Math.round(l.lossRate * 100)}% (scenario ${Math.round((l.scenarioLossRate ?? 0) * 100)}%)`;
  const latency = slowed(l)
    ? `, mean latency ${formatMs(l.meanLatencyUs)} (scenario ${formatMs(l.scenarioMeanLatencyUs ?? 0)})`
    : '';
  return `Degraded: ${loss}${latency}`;
}

/** The CSS state class: is-cut, is-cut-a-b, is-cut-b-a or is-degraded. */
function markClass(l: LinkState): string {
  if (l.state === 'cut') return 'cut';
  if (l.state === 'cut-one-way') return l.cutDirection === 'a-to-b' ? 'cut-a-b' : 'cut-b-a';
  return 'degraded';
}

const nameOf = (id: string) => useGraph.getState().nodes.find((n) => n.id === id)?.data.name ?? id;

/** The link's ends on the two nodes' borders, [x1, y1, x2, y2] (null until both are measured). */
function selectEnds(source: string, target: string) {
  return (s: ReactFlowState): number[] | null => {
    const a = s.nodeLookup.get(source);
    const b = s.nodeLookup.get(target);
    if (!a || !b) return null;
    const p = borderPoint(boxOf(a), boxOf(b));
    const q = borderPoint(boxOf(b), boxOf(a));
    return [p.x, p.y, q.x, q.y];
  };
}

function LinkEdgeView({ id, source, target, selected, markerEnd }: EdgeProps<LabFlowEdge>) {
  // One subscription for both ends (1,900 links: half the selector calls per store change).
  const ends = useStore(
    useMemo(() => selectEnds(source, target), [source, target]),
    shallow,
  );
  // The link's state at the current event as the host reports it (absent: ok).
  const state = useRun((s) => s.links[id]);
  if (!ends) return null;
  const [path, labelX, labelY] = getStraightPath({
    sourceX: ends[0]!,
    sourceY: ends[1]!,
    targetX: ends[2]!,
    targetY: ends[3]!,
  });
  if (!state && !selected) {
    // A plain link: its line is on the link canvas (LinkLayer). One path is both its hit
    // area (16 wide, invisible) and, while focused from the keyboard, its highlighted line
    // (styles.css): one element per link instead of two while opening a big graph.
    return (
      <path
        d={path}
        fill="none"
        strokeWidth={16}
        className="react-flow__edge-interaction lab-link is-plain"
      />
    );
  }
  const mark = state ? markClass(state) : null;
  const text = state ? markText(state) : '';
  const cls = `lab-link${selected ? ' is-selected' : ''}${mark ? ` is-${mark}` : ' is-plain'}`;
  const w = Math.max(36, text.length * 6.2 + 14);
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={cls} interactionWidth={16} />
      {state && (
        <g className={`link-mark is-${mark}`} transform={`translate(${labelX} ${labelY})`}>
          <title>{markTitle(state, nameOf)}</title>
          <rect x={-w / 2} y={-9} width={w} height={18} rx={9} />
          <text textAnchor="middle" dy="0.35em">
            {text}
          </text>
        </g>
      )}
    </>
  );
}

export const LinkEdge = memo(LinkEdgeView);
