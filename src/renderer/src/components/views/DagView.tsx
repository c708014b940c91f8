/**
 * The generic renderer of a 'dag' view (src/shared/api/views.ts), such as Dynamo's Versions
 * tab: a directed acyclic graph in layers (views/dag.ts lays it out), each box with a bold
 * label and a detail line, coloured by its tone (the timeline's tones: neutral, info, good,
 * warn, bad) and faded when the data says so, each arrow with its label on a background so it
 * reads over the lines. Drawn at its natural size; a graph wider or taller than the panel
 * scrolls rather than shrinking its text. Every box and arrow also has hover text, and the
 * picture's description lists them for a screen reader. Bound to the current event (refreshed
 * while shown, at most every 300 ms).
 */
import { useEffect, useId, useRef } from 'react';
import type { DagViewData } from '../../../../shared/api';
import { BOX_H, dagLayout, detailWidth, labelWidth } from '../../views/dag';
import { ExportButtons } from './ExportButtons';
import { fileStem } from './export';
import { toneColour, useViewPalette, VIEW_FONT } from './palette';
import { useProtocolView } from './use-protocol-view';

const REFRESH_MS = 300;

/** Cuts a text to a width, with an ellipsis (the hover text keeps it whole). */
function clipText(text: string, maxW: number, width: (t: string) => number): string {
  if (width(text) <= maxW) return text;
  let t = text;
  while (t.length > 1 && width(`${t}…`) > maxW) t = t.slice(0, -1);
  return `${t}…`;
}

/** One sentence per arrow (and per box without one), for the picture's description. */
function describeGraph(data: DagViewData): string {
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const name = (id: string) => {
    const n = byId.get(id);
    return n ? `${n.label} ${n.detail}`.trim() : id;
  };
  const parts = data.edges
    .filter((e) => byId.has(e.from) && byId.has(e.to))
    .map((e) => `${name(e.from)} to ${name(e.to)}${e.label ? ` (${e.label})` : ''}`);
  const linked = new Set(data.edges.flatMap((e) => [e.from, e.to]));
  for (const n of data.nodes) if (!linked.has(n.id)) parts.push(name(n.id));
  return parts.join('; ');
}

export function DagView({ viewId, protocolId }: { viewId: string; protocolId: string }) {
  const { simId, event, data, box } = useProtocolView(viewId, 'dag', REFRESH_MS, 'the graph');
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);
  const arrowId = `dag-arrow-${useId().replace(/:/g, '')}`;
  const L = data ? dagLayout(data) : null;
  // A graph that grows keeps its last layer in view, unless the person scrolled back from it.
  const atEnd = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run when the drawing's size changes.
  useEffect(() => {
    const el = box.current;
    if (!el || !atEnd.current) return;
    if (data?.direction === 'down') el.scrollTop = el.scrollHeight;
    else el.scrollLeft = el.scrollWidth;
  }, [L?.width, L?.height]);
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atEnd.current =
      data?.direction === 'down'
        ? el.scrollTop + el.clientHeight >= el.scrollHeight - 4
        : el.scrollLeft + el.clientWidth >= el.scrollWidth - 4;
  };

  if (!simId || !data || !L) {
    return (
      <div className="empty" ref={box}>
        <p className="empty-title">{simId ? 'Reading the graph…' : 'No run yet'}</p>
        <p className="empty-body">Press Play or Step: the graph appears here and grows as the run goes.</p>
      </div>
    );
  }

  const textMax = L.boxW - 16;

  return (
    <div className="views-ring">
      <div className="views-bar" role="toolbar" aria-label="Graph">
        {data.subject && <span className="views-readout dag-subject">{data.subject}</span>}
        {/* One line, cut with an ellipsis when narrow (the hover text has it whole). */}
        <span className="views-readout dag-caption" title={data.caption}>
          {data.caption}
        </span>
        <ExportButtons
          svg={svgRef}
          stem={() => fileStem(viewId, protocolId, event)}
          className="views-group views-end"
        />
        {data.legend && data.legend.length > 0 && (
          <ul className="views-legend dag-legend" aria-label="Legend">
            {data.legend.map((l) => (
              <li key={`${l.tone}${l.faded ? '-faded' : ''}`} className="views-legend-item">
                <span
                  className="views-swatch"
                  style={{
                    background: toneColour(p, l.tone),
                    height: 10,
                    width: 12,
                    opacity: l.faded ? 0.4 : 1,
                  }}
                />
                {l.label}
              </li>
            ))}
          </ul>
        )}
      </div>
      {/* Focusable, so a graph wider than the panel scrolls from the keyboard too. */}
      <section
        ref={box}
        className="views-dag-box"
        onScroll={onScroll}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable from the keyboard (WCAG 2.1.1).
        tabIndex={0}
        aria-label={data.subject ? `Graph of ${data.subject}` : 'Graph'}
      >
        {data.nodes.length === 0 ? (
          <p className="empty-body dag-none">Nothing to draw yet.</p>
        ) : (
          <svg
            ref={svgRef}
            data-testid="dag-svg"
            width={L.width}
            height={L.height}
            viewBox={`0 0 ${L.width} ${L.height}`}
            role="img"
            aria-label={`${data.subject ? `${data.subject}: ` : ''}${data.caption}. ${data.nodes.length} boxes, ${L.arrows.length} arrows: ${describeGraph(data)}`}
            fontFamily={VIEW_FONT}
          >
            <defs>
              <marker
                id={arrowId}
                viewBox="0 0 10 10"
                refX={10}
                refY={5}
                markerWidth={7}
                markerHeight={7}
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" fill={p.muted} />
              </marker>
            </defs>
            <rect x={0} y={0} width={L.width} height={L.height} fill={p.bg} />
            {L.arrows.map((a) => {
              const e = data.edges[a.k]!;
              return (
                <g key={`e${a.k}`} data-testid="dag-edge" data-from={e.from} data-to={e.to}>
                  <path
                    d={a.path}
                    fill="none"
                    stroke={p.muted}
                    strokeWidth={1.4}
                    markerEnd={`url(#${arrowId})`}
                  />
                  <title>{`${e.from} → ${e.to}${e.label ? `: ${e.label}` : ''}`}</title>
                </g>
              );
            })}
            {L.arrows.map((a) => {
              if (a.labelLines.length === 0) return null;
              const w = Math.max(...a.labelLines.map(detailWidth)) + 6;
              const h = a.labelLines.length * 12 + 4;
              return (
                <g key={`l${a.k}`} data-testid="dag-edge-label">
                  <rect
                    x={a.labelX - w / 2}
                    y={a.labelY - h / 2}
                    width={w}
                    height={h}
                    rx={3}
                    fill={p.bg}
                    fillOpacity={0.92}
                  />
                  {a.labelLines.map((line, i) => (
                    <text
                      key={line}
                      x={a.labelX}
                      y={a.labelY - h / 2 + 12 + i * 12}
                      textAnchor="middle"
                      fill={p.muted}
                      fontSize={10.5}
                    >
                      {line}
                    </text>
                  ))}
                </g>
              );
            })}
            {L.boxes.map((b) => {
              const n = data.nodes[b.k]!;
              const colour = toneColour(p, n.tone);
              return (
                <g
                  key={n.id}
                  data-testid="dag-node"
                  data-id={n.id}
                  data-tone={n.tone}
                  data-faded={n.faded ? 'true' : 'false'}
                  opacity={n.faded ? 0.45 : 1}
                >
                  <rect x={b.x} y={b.y} width={L.boxW} height={BOX_H} rx={5} fill={p.band} />
                  <rect
                    x={b.x}
                    y={b.y}
                    width={L.boxW}
                    height={BOX_H}
                    rx={5}
                    fill={colour}
                    fillOpacity={n.faded ? 0.06 : 0.16}
                    stroke={colour}
                    strokeWidth={n.tone === 'neutral' ? 1.2 : 2}
                    strokeDasharray={n.faded ? '4 3' : undefined}
                  />
                  <text
                    x={b.x + L.boxW / 2}
                    y={b.y + 17}
                    textAnchor="middle"
                    fill={p.text}
                    fontSize={12}
                    fontWeight={600}
                  >
                    {clipText(n.label, textMax, labelWidth)}
                  </text>
                  <text x={b.x + L.boxW / 2} y={b.y + 32} textAnchor="middle" fill={p.muted} fontSize={10.5}>
                    {clipText(n.detail, textMax, detailWidth)}
                  </text>
                  <title>{n.title ?? `${n.label} ${n.detail}`}</title>
                </g>
              );
            })}
          </svg>
        )}
      </section>
    </div>
  );
}
