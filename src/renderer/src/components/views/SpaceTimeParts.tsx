/**
 * SVG parts both space-time diagrams draw (the Space-time tab and the Compare tab): the time
 * grid with its axis labels, and the node lanes with their names.
 */
import { tickLabelMs } from '../../views/spacetime';
import type { ViewPalette } from './palette';

/** Vertical grid lines at the ticks, each labelled in ms under the plot, and the unit. */
export function TimeGrid({
  ticks,
  x,
  top,
  bottom,
  labelX,
  labelDy,
  p,
}: {
  ticks: readonly number[];
  x: (us: number) => number;
  /** Where the lines start. */
  top: number;
  /** The bottom of the plot (labels go below it). */
  bottom: number;
  /** Where the unit label ends (the lane names' column). */
  labelX: number;
  /** Distance from the plot's bottom to the labels' baseline. */
  labelDy: number;
  p: ViewPalette;
}) {
  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={top} y2={bottom} stroke={p.border} strokeWidth={1} />
          <text x={x(t)} y={bottom + labelDy} textAnchor="middle" fill={p.muted}>
            {tickLabelMs(t)}
          </text>
        </g>
      ))}
      <text x={labelX} y={bottom + labelDy} textAnchor="end" fill={p.faint}>
        ms
      </text>
    </>
  );
}

/** One lane per node: a band on every other lane, the lane's line, and the node's name. */
export function Lanes({
  lanes,
  laneH,
  top,
  left,
  width,
  lineOpacity,
  testId,
  p,
}: {
  lanes: readonly { id: string; name: string }[];
  laneH: number;
  /** Top of the first lane. */
  top: number;
  /** Left edge of the plot (names end 10 px before it). */
  left: number;
  /** Width of the plot. */
  width: number;
  lineOpacity: number;
  /** data-testid of each lane's group. */
  testId: string;
  p: ViewPalette;
}) {
  return (
    <>
      {lanes.map((l, i) => {
        const y = top + (i + 0.5) * laneH;
        return (
          <g key={l.id} data-testid={testId} data-node={l.id}>
            {i % 2 === 0 && (
              <rect x={left} y={y - laneH / 2} width={width} height={laneH} fill={p.band} opacity={0.6} />
            )}
            <line
              x1={left}
              x2={left + width}
              y1={y}
              y2={y}
              stroke={p.muted}
              strokeWidth={1}
              opacity={lineOpacity}
            />
            <text x={left - 10} y={y + 4} textAnchor="end" fill={p.text} fontWeight={600}>
              {l.name.length > 12 ? `${l.name.slice(0, 11)}…` : l.name}
            </text>
          </g>
        );
      })}
    </>
  );
}
