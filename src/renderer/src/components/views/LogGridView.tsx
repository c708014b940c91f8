/**
 * The generic renderer of a 'log-grid' view (src/shared/api/views.ts), RaftScope's most loved
 * picture: every node's log as a row of entries, aligned by index, each entry coloured by its
 * term; entries up to the node's commit index solid, later ones faded with a dashed edge, and
 * a bar after the last committed entry; a row's marks (a reader's position) are triangles under
 * the gap after their entry, in the caution colour (apart from the terms' colours). Bound to the current event (refreshed while shown, at
 * most every 300 ms). Long logs show their last entries that fit.
 */
import { useRef } from 'react';
import { ExportButtons } from './ExportButtons';
import { fileStem } from './export';
import { useViewPalette, VIEW_FONT } from './palette';
import { useProtocolView } from './use-protocol-view';

const REFRESH_MS = 300;
const CELL = 26;
const ROW = 34;
const LABEL_W = 150;

export function LogGridView({ viewId, protocolId }: { viewId: string; protocolId: string }) {
  const { simId, event, data, box, width } = useProtocolView(viewId, 'log-grid', REFRESH_MS, 'the logs');
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);

  if (!simId || !data) {
    return (
      <div className="empty" ref={box}>
        <p className="empty-title">{simId ? 'Reading the logs…' : 'No run yet'}</p>
        <p className="empty-body">
          Press Play or Step: each replicated log appears here as a row of entries, numbered and coloured by
          the leader’s term or epoch, with how far each copy knows it is committed.
        </p>
      </div>
    );
  }

  // The columns that fit, ending at the longest log.
  const last = Math.max(0, ...data.rows.map((r) => r.firstIndex + r.entries.length - 1));
  const cols = Math.max(4, Math.floor((Math.max(width, 360) - LABEL_W - 24) / CELL));
  const first = Math.max(1, last - cols + 1);
  const shownCols = Math.max(0, last - first + 1);
  const W = Math.max(width, LABEL_W + shownCols * CELL + 24);
  const top = 30;
  const H = top + data.rows.length * ROW + 12;
  const x = (index: number) => LABEL_W + (index - first) * CELL;
  // The label starts after the longest node name (about 7 px a character at 11 px, bold).
  const labelX = Math.max(46, 16 + 7 * Math.max(0, ...data.rows.map((r) => r.node.length)));
  const everyIndex = shownCols <= 30 ? 1 : 5;

  return (
    <div className="views-ring">
      <div className="views-bar" role="toolbar" aria-label="Logs">
        <span className="views-readout">
          {data.caption}
          {first > 1 ? ` · showing entries ${first}–${last}` : ''}
        </span>
        <ExportButtons
          svg={svgRef}
          stem={() => fileStem(viewId, protocolId, event)}
          className="views-group views-end"
        />
      </div>
      <div ref={box} className="views-ring-box">
        <svg
          ref={svgRef}
          data-testid="log-grid-svg"
          width={W}
          height={H}
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={`Logs of ${data.rows.length} nodes: ${data.rows
            .map(
              (r) =>
                `${r.node} ${r.label}, ${r.firstIndex + r.entries.length - 1} entries, committed to ${r.commitIndex}${(
                  r.marks ?? []
                )
                  .map((m) => `, ${m.label} at ${m.index}`)
                  .join('')}`,
            )
            .join('; ')}`}
          fontFamily={VIEW_FONT}
          fontSize={11}
        >
          <rect x={0} y={0} width={W} height={H} fill={p.bg} />
          {Array.from({ length: shownCols }, (_, k) => first + k)
            .filter((i) => i % everyIndex === 0 || i === first)
            .map((i) => (
              <text key={i} x={x(i) + CELL / 2} y={18} textAnchor="middle" fill={p.faint} fontSize={10}>
                {i}
              </text>
            ))}
          {data.rows.map((row, r) => {
            const y = top + r * ROW;
            return (
              <g key={row.node} data-testid="log-row" data-node={row.node} opacity={row.up ? 1 : 0.45}>
                <text x={10} y={y + 17} fill={p.text} fontWeight={600}>
                  {row.node}
                </text>
                <text x={labelX} y={y + 17} fill={p.muted}>
                  {row.up ? row.label : 'down'}
                </text>
                {row.entries.map((e, k) => {
                  const index = row.firstIndex + k;
                  if (index < first) return null;
                  const committed = index <= row.commitIndex;
                  if (e.term < 0)
                    // A hole: no entry at this index (compacted away): an empty dashed cell.
                    return (
                      <g key={index} data-testid="log-hole">
                        <rect
                          x={x(index) + 1.5}
                          y={y + 3}
                          width={CELL - 3}
                          height={ROW - 10}
                          rx={3}
                          fill="none"
                          stroke={p.border}
                          strokeWidth={1}
                          strokeDasharray="2 2"
                        />
                        <title>{`${row.node} [${index}]: ${e.text}`}</title>
                      </g>
                    );
                  const colour = p.msg[((e.term % 8) + 8) % 8]!;
                  return (
                    <g key={index} data-testid="log-entry" data-committed={committed ? 'true' : 'false'}>
                      <rect
                        x={x(index) + 1.5}
                        y={y + 3}
                        width={CELL - 3}
                        height={ROW - 10}
                        rx={3}
                        fill={colour}
                        fillOpacity={committed ? 0.9 : 0.3}
                        stroke={colour}
                        strokeWidth={1.2}
                        strokeDasharray={committed ? undefined : '3 2'}
                      />
                      <text
                        x={x(index) + CELL / 2}
                        y={y + 18}
                        textAnchor="middle"
                        fill={committed ? p.bg : p.text}
                        fontSize={10}
                        fontWeight={600}
                      >
                        {e.term}
                      </text>
                      <title>{`${row.node} [${index}] term ${e.term}: ${e.text}${committed ? ' (committed)' : ''}`}</title>
                    </g>
                  );
                })}
                {row.commitIndex >= first && (
                  <line
                    data-testid="log-commit"
                    x1={x(row.commitIndex) + CELL}
                    x2={x(row.commitIndex) + CELL}
                    y1={y}
                    y2={y + ROW - 4}
                    stroke={p.text}
                    strokeWidth={2}
                  >
                    <title>{`${row.node} knows entries up to ${row.commitIndex} committed`}</title>
                  </line>
                )}
                {(row.marks ?? [])
                  .filter((m) => m.index >= first - 1)
                  .map((m) => {
                    const mx = x(m.index) + CELL;
                    const my = y + ROW - 6;
                    return (
                      <path
                        key={`${m.label}@${m.index}`}
                        data-testid="log-mark"
                        data-index={m.index}
                        d={`M ${mx} ${my - 7} L ${mx + 6} ${my + 3} L ${mx - 6} ${my + 3} Z`}
                        fill={p.warn}
                        stroke={p.bg}
                        strokeWidth={1}
                      >
                        <title>{`${row.node}: ${m.label} after entry ${m.index}`}</title>
                      </path>
                    );
                  })}
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
