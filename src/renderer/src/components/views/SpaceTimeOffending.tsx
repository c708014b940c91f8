/**
 * The operations a failed history check names (Verdict.offending), on the space-time diagram:
 * each offending operation's request and answer outlined in red on its client's lane with the
 * checker's reason beside it, the operations it is judged against (the writes it missed)
 * outlined dashed, and a list of them above the diagram whose entries go to the answer's event.
 * Generic: whatever key-value protocol ran, the host's verdict says what to draw.
 */
import type { OffendingOp } from '../../../../shared/api';
import { formatDuration } from '../../run/format';
import type { ViewPalette } from './palette';

/** Most reasons written out beside their operations at once; the others get their op number. */
const MAX_LABELS = 8;
/** About how wide a character of the 10.5 px label font is, to keep labels apart. */
const CHAR_W = 6.2;

/** What an operation did, in a few words: `read k0 → v43`, `write k0 = v72`. */
export function opSummary(o: OffendingOp): string {
  if (o.kind === 'write') return `write ${o.key} = ${o.value ?? ''}`;
  const got = o.output === undefined ? '?' : o.output === null ? 'missing' : o.output;
  return `read ${o.key} → ${got}`;
}

/** The event a click on the operation goes to: its answer, or its request if never answered. */
export function opEvent(o: OffendingOp): number {
  return o.returnEvent ?? o.invokeEvent;
}

/** Outlines and labels of the operations in view, drawn over the diagram's lanes. */
export function OffendingMarks({
  ops,
  laneY,
  laneH,
  x,
  fromUs,
  toUs,
  right,
  selected,
  p,
}: {
  ops: readonly OffendingOp[];
  laneY: ReadonlyMap<string, number>;
  laneH: number;
  x: (us: number) => number;
  fromUs: number;
  toUs: number;
  /** The plot's right edge: a label that would run past it ends there. */
  right: number;
  /** The operation picked in the list: its reason is always written out. */
  selected: number | null;
  p: ViewPalette;
}) {
  const shown = ops.filter((o) => (o.returnUs ?? o.callUs) >= fromUs && o.callUs <= toUs);
  // Labels left to right on each lane, each written out only where the last one on its lane ended.
  const labelEnd = new Map<string, number>();
  let labels = 0;
  const order = [...shown].sort((a, b) => a.callUs - b.callUs || a.opId - b.opId);
  const label = new Map<number, string>();
  for (const o of order) {
    const x0 = x(o.callUs) - 6;
    const picked = o.opId === selected;
    const room = x0 >= (labelEnd.get(o.client) ?? Number.NEGATIVE_INFINITY);
    let text = '';
    if (picked || (room && o.offending && labels < MAX_LABELS)) {
      text = `#${o.opId} ${o.offending ? o.why : opSummary(o)}`;
      if (!picked) labels++;
    } else if (room) text = `#${o.opId}`;
    if (text !== '') labelEnd.set(o.client, x0 + text.length * CHAR_W + 8);
    label.set(o.opId, text);
  }
  const h = Math.min(18, laneH * 0.7);
  return (
    <g data-testid="st-offending-layer">
      {order.map((o) => {
        const y = laneY.get(o.client);
        if (y === undefined) return null;
        const yr = laneY.get(o.replyNode ?? o.client) ?? y;
        const x0 = x(o.callUs);
        const x1 = o.returnUs === null ? x(toUs) : x(o.returnUs);
        const colour = o.offending ? p.danger : p.muted;
        const picked = o.opId === selected;
        const text = label.get(o.opId) ?? '';
        return (
          <g
            key={o.opId}
            className="views-hit"
            data-testid="st-offending"
            data-op={o.opId}
            data-offending={o.offending || undefined}
            data-event={opEvent(o)}
          >
            <rect
              x={x0 - 7}
              y={y - h / 2}
              width={Math.max(14, x1 - x0 + 14)}
              height={h}
              rx={h / 2}
              fill={o.offending ? p.danger : 'none'}
              fillOpacity={o.offending ? 0.08 : 0}
              stroke={colour}
              strokeWidth={picked ? 3 : o.offending ? 2 : 1.3}
              strokeDasharray={o.offending ? undefined : '4 3'}
            />
            {yr !== y && (
              <>
                <line
                  x1={x1}
                  x2={x1}
                  y1={y}
                  y2={yr}
                  stroke={colour}
                  strokeWidth={1.3}
                  strokeDasharray="3 3"
                />
                <circle cx={x1} cy={yr} r={8} fill="none" stroke={colour} strokeWidth={2} />
              </>
            )}
            {text !== '' && (
              <text
                // A label that would run past the plot's edge ends at its operation's end instead.
                x={x0 - 6 + text.length * CHAR_W > right ? x1 + 7 : x0 - 6}
                textAnchor={x0 - 6 + text.length * CHAR_W > right ? 'end' : 'start'}
                stroke={p.bg}
                strokeWidth={3}
                paintOrder="stroke"
                y={y - h / 2 - 4}
                fill={colour}
                fontSize={10.5}
                fontWeight={o.offending ? 600 : 400}
                data-testid="st-offending-label"
              >
                {text}
              </text>
            )}
            <title>{`#${o.opId} ${opSummary(o)} by ${o.client}, ${formatDuration(o.callUs)} – ${o.returnUs === null ? 'never answered' : formatDuration(o.returnUs)}: ${o.why}`}</title>
          </g>
        );
      })}
    </g>
  );
}

/**
 * The list above the diagram, one line per failed check: each offending operation a button
 * (its reason on hover and, once picked, beside it on the diagram) that goes to its answer.
 */
export function OffendingList({
  groups,
  selected,
  onPick,
}: {
  groups: readonly { check: string; ops: readonly OffendingOp[] }[];
  selected: number | null;
  onPick: (o: OffendingOp) => void;
}) {
  return (
    <section className="st-offending" aria-label="Offending operations" data-testid="st-offending-list">
      {groups.map((g) => {
        const bad = g.ops.filter((o) => o.offending);
        return (
          <div key={g.check} className="st-offending-group">
            <span
              className="st-offending-title"
              title="Outlined in red on the diagram; dashed, the operations they are judged against. Click one to go to its answer."
            >
              <strong>{g.check}</strong> failed: {bad.length} offending operation{bad.length === 1 ? '' : 's'}
            </span>
            <ul className="st-offending-items">
              {bad.map((o) => (
                <li key={o.opId}>
                  <button
                    type="button"
                    className="st-offending-item"
                    aria-pressed={o.opId === selected}
                    aria-label={`#${o.opId} ${o.client} ${opSummary(o)}: ${o.why}`}
                    title={`${formatDuration(o.callUs)}${o.returnUs === null ? '' : ` – ${formatDuration(o.returnUs)}`}: ${o.why}`}
                    data-testid="st-offending-item"
                    data-op={o.opId}
                    onClick={() => onPick(o)}
                  >
                    <span className="num st-offending-id">#{o.opId}</span> {o.client} {opSummary(o)}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
