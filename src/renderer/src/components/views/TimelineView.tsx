/**
 * The generic renderer of a 'timeline' view (src/shared/api/views.ts), a Gantt chart such as
 * MapReduce's Tasks tab: one row per node, a bar per span of time coloured by its tone (a bar
 * still under way is drawn up to the current time, faded, with a dashed edge), markers as
 * dashed lines with their labels above the rows, and the current time as an accent line. A
 * node that is down has its row greyed with "down". Bound to the current event (refreshed
 * while shown, at most every 300 ms).
 */
import { useRef } from 'react';
import { useRun } from '../../stores/run-store';
import { tickLabelMs } from '../../views/spacetime';
import { LABEL_W, LEVEL_H, ROW_H, textWidth, timelineLayout } from '../../views/timeline';
import { ExportButtons } from './ExportButtons';
import { fileStem } from './export';
import { toneColour, useViewPalette, VIEW_FONT } from './palette';
import { useProtocolView } from './use-protocol-view';

const REFRESH_MS = 300;

export function TimelineView({ viewId, protocolId }: { viewId: string; protocolId: string }) {
  const { simId, event, data, box, width } = useProtocolView(viewId, 'timeline', REFRESH_MS, 'the timeline');
  const nowUs = useRun((s) => s.status?.nowUs ?? 0);
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);

  if (!simId || !data) {
    return (
      <div className="empty" ref={box}>
        <p className="empty-title">{simId ? 'Reading the timeline…' : 'No run yet'}</p>
        <p className="empty-body">
          Press Play or Step: the run’s work appears here over virtual time, a named row for each thing the
          tab follows, a bar for every span of work and a mark for each moment that changed the run.
        </p>
      </div>
    );
  }

  const L = timelineLayout(data, nowUs, width);
  const rowsTop = L.rowY(0);
  const rowsBottom = L.rowY(data.rows.length);
  const cursorX = L.x(nowUs);

  return (
    <div className="views-ring">
      <div className="views-bar" role="toolbar" aria-label="Timeline">
        <span className="views-readout">{data.caption}</span>
        {data.legend && data.legend.length > 0 && (
          <ul className="views-legend" aria-label="Legend">
            {data.legend.map((l) => (
              <li key={l.tone} className="views-legend-item">
                <span className="views-swatch" style={{ background: toneColour(p, l.tone), height: 8 }} />
                {l.label}
              </li>
            ))}
          </ul>
        )}
        <ExportButtons
          svg={svgRef}
          stem={() => fileStem(viewId, protocolId, event)}
          className="views-group views-end"
        />
      </div>
      <div ref={box} className="views-ring-box">
        <svg
          ref={svgRef}
          data-testid="timeline-svg"
          width={L.width}
          height={L.height}
          viewBox={`0 0 ${L.width} ${L.height}`}
          role="img"
          aria-label={`Timeline of ${data.rows.length} rows, ${data.bars.length} bars: ${data.caption}`}
          fontFamily={VIEW_FONT}
          fontSize={11}
        >
          <rect x={0} y={0} width={L.width} height={L.height} fill={p.bg} />
          {L.ticks.map((t) => (
            <g key={t}>
              <line x1={L.x(t)} x2={L.x(t)} y1={15} y2={rowsBottom} stroke={p.border} strokeWidth={1} />
              <text x={L.x(t)} y={12} textAnchor="middle" fill={p.faint} fontSize={10}>
                {tickLabelMs(t)}
                {t === L.ticks[L.ticks.length - 1] ? ' ms' : ''}
              </text>
            </g>
          ))}
          {data.rows.map((row, k) => (
            <g key={row.id} data-testid="timeline-row" data-row={row.id} opacity={row.up ? 1 : 0.5}>
              <rect
                x={LABEL_W}
                y={L.rowY(k) + 2}
                width={L.width - LABEL_W - 20}
                height={ROW_H - 4}
                fill={p.band}
              />
              {/* "down" follows the name (right-aligned it ran into names of five letters). */}
              <text x={10} y={L.rowY(k) + ROW_H / 2 + 4} fill={p.text} fontWeight={600}>
                {row.label}
                {!row.up && (
                  <tspan dx={5} fill={p.danger} fontWeight={400}>
                    down
                  </tspan>
                )}
              </text>
            </g>
          ))}
          {L.bars.map((g) => {
            const b = data.bars[g.k]!;
            const colour = toneColour(p, b.tone);
            const y = L.rowY(g.row) + 3;
            const h = ROW_H - 6;
            return (
              <g
                key={g.k}
                data-testid="timeline-bar"
                data-tone={b.tone}
                data-open={g.open ? 'true' : 'false'}
              >
                <rect
                  x={g.x}
                  y={y}
                  width={g.w}
                  height={h}
                  rx={3}
                  fill={colour}
                  fillOpacity={g.open ? 0.35 : 0.85}
                  stroke={colour}
                  strokeWidth={1.2}
                  strokeDasharray={g.open ? '3 2' : undefined}
                />
                {g.w >= textWidth(b.label) && (
                  <text
                    x={g.x + g.w / 2}
                    y={y + h / 2 + 4}
                    textAnchor="middle"
                    fill={g.open ? p.text : p.bg}
                    fontSize={10.5}
                    fontWeight={600}
                  >
                    {b.label}
                  </text>
                )}
                <title>{b.title ?? b.label}</title>
              </g>
            );
          })}
          {L.markers.map((m) => {
            const mk = data.markers[m.k]!;
            const rowK = mk.row === undefined ? -1 : data.rows.findIndex((r) => r.id === mk.row);
            const labelY = 18 + m.level * LEVEL_H + 10;
            const w = textWidth(mk.label);
            const anchorEnd = m.x + w > L.width;
            return (
              <g key={m.k} data-testid="timeline-marker">
                <line
                  x1={m.x}
                  x2={m.x}
                  y1={rowK >= 0 ? L.rowY(rowK) : labelY - 9}
                  y2={rowK >= 0 ? L.rowY(rowK + 1) : rowsBottom}
                  stroke={p.muted}
                  strokeWidth={1}
                  strokeDasharray="4 3"
                />
                <text
                  x={anchorEnd ? m.x - 3 : m.x + 3}
                  y={labelY}
                  textAnchor={anchorEnd ? 'end' : 'start'}
                  fill={p.muted}
                  fontSize={10.5}
                >
                  {mk.label}
                </text>
              </g>
            );
          })}
          <line
            data-testid="timeline-now"
            x1={cursorX}
            x2={cursorX}
            y1={rowsTop - 4}
            y2={rowsBottom}
            stroke={p.accent}
            strokeWidth={2}
          >
            <title>{`now: ${tickLabelMs(nowUs)} ms`}</title>
          </line>
        </svg>
      </div>
    </div>
  );
}
