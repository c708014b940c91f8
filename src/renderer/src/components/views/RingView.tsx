/**
 * The generic renderer of a 'ring' view (src/shared/api/views.ts), such as consistent
 * hashing's Ring tab: the hash circle from `sim.view`, virtual nodes as
 * ticks in their physical node's colour, keys as dots in their owner's colour, the keys the last
 * membership change moved as short arrows from the old owner's colour to the new one, and the
 * counts: keys per node, keys moved vs. what modulo-N hashing would have moved. Refreshed while
 * shown, at most every 500 ms.
 */
import { useMemo, useRef } from 'react';
import { formatCount } from '../../run/format';
import { useGraph } from '../../stores/graph-store';
import { barFractions, ringLayout } from '../../views/ring';
import { ExportButtons } from './ExportButtons';
import { fileStem } from './export';
import { useViewPalette, VIEW_FONT } from './palette';
import { useProtocolView } from './use-protocol-view';

const REFRESH_MS = 500;

export function RingView({ viewId, protocolId }: { viewId: string; protocolId: string }) {
  const { simId, event, data, box, width } = useProtocolView(viewId, 'ring', REFRESH_MS, 'the ring');
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);
  // The view carries node ids; people read the names the canvas shows.
  const canvasNodes = useGraph((s) => s.nodes);
  const nameOf = useMemo(() => {
    const names = new Map(canvasNodes.map((n) => [n.id, n.data.name]));
    return (id: string) => names.get(id) || id;
  }, [canvasNodes]);

  if (!simId || !data) {
    return (
      <div className="empty" ref={box}>
        <p className="empty-title">{simId ? 'Reading the ring…' : 'No run yet'}</p>
        <p className="empty-body">
          Press Play or Step: the hash ring appears here with each node’s virtual nodes, where every key
          landed, and which keys changed hands when a node joined or left.
        </p>
      </div>
    );
  }

  const H = 300;
  const r = 112;
  const cx = 24 + r + 14;
  const cy = H / 2;
  const L = ringLayout(data, { cx, cy, r });
  const sideX = cx + r + 48;
  const sideW = Math.max(data.held ? 300 : 220, width - sideX - 24);
  const W = Math.max(width, sideX + sideW + 24);
  // Room after the bar for its count ("259 · holds 222" with held counts, "259" without).
  const barW = Math.max(80, sideW - (data.held ? 250 : 190));
  const keyBars = barFractions(L.nodes.map((n) => n.keys));
  const movedBars = barFractions([data.keysMoved, data.keysMovedModuloN]);
  const total = data.keys.length;
  const rowH = 19;
  const legendTop = 34;
  const movedTop = legendTop + L.nodes.length * rowH + 30;
  const noRing = data.vnodes.length === 0;
  const stem = () => fileStem(viewId, protocolId, event);

  return (
    <div className="views-ring">
      <div className="views-bar" role="toolbar" aria-label="Ring">
        <span className="views-readout">
          {data.scheme} · {data.hash} · {data.members.length} members · {formatCount(total)} keys
          {data.previousMembers
            ? ` · last change: ${data.previousMembers.join(', ')} → ${data.members.join(', ')}`
            : ''}
        </span>
        <ExportButtons svg={svgRef} stem={stem} className="views-group views-end" />
      </div>
      <div ref={box} className="views-ring-box">
        <svg
          ref={svgRef}
          data-testid="ring-svg"
          width={W}
          height={H}
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={`Hash ring: ${data.vnodes.length} virtual nodes of ${data.members.length} nodes, ${total} keys, ${data.moved.length} moved by the last change`}
          fontFamily={VIEW_FONT}
          fontSize={11}
        >
          <rect x={0} y={0} width={W} height={H} fill={p.bg} />
          <defs>
            {L.moves.map((m) => (
              <linearGradient
                key={m.key}
                id={`mv-${m.fromSlot}-${m.toSlot}-${m.key.replace(/[^A-Za-z0-9_-]/g, '_')}`}
                gradientUnits="userSpaceOnUse"
                x1={m.a.x}
                y1={m.a.y}
                x2={m.b.x}
                y2={m.b.y}
              >
                <stop offset="0" stopColor={p.msg[m.fromSlot]} />
                <stop offset="1" stopColor={p.msg[m.toSlot]} />
              </linearGradient>
            ))}
          </defs>
          <circle cx={cx} cy={cy} r={r} fill="none" stroke={p.border} strokeWidth={2} />
          <text x={cx} y={cy - r - 16} textAnchor="middle" fill={p.faint} fontSize={10}>
            0°
          </text>
          {noRing && (
            <text x={cx} y={cy} textAnchor="middle" fill={p.muted}>
              {data.scheme}: no ring, keys only
            </text>
          )}
          {L.ticks.map((t) => (
            <line
              key={t.label}
              data-testid="ring-vnode"
              x1={t.a.x}
              y1={t.a.y}
              x2={t.b.x}
              y2={t.b.y}
              stroke={p.msg[t.slot]}
              strokeWidth={1.6}
            >
              <title>{`${t.label} (${t.node})`}</title>
            </line>
          ))}
          {L.moves.map((m) => (
            <line
              key={m.key}
              data-testid="ring-move"
              x1={m.a.x}
              y1={m.a.y}
              x2={m.b.x}
              y2={m.b.y}
              stroke={`url(#mv-${m.fromSlot}-${m.toSlot}-${m.key.replace(/[^A-Za-z0-9_-]/g, '_')})`}
              strokeWidth={1.3}
            >
              <title>{`${m.key}: ${nameOf(m.from)} → ${nameOf(m.to)}`}</title>
            </line>
          ))}
          {L.moves.map((m) => (
            <circle key={`o-${m.key}`} cx={m.a.x} cy={m.a.y} r={1.8} fill={p.msg[m.fromSlot]} />
          ))}
          {L.keys.map((k) => (
            <circle
              key={k.key}
              data-testid="ring-key"
              data-moved={k.moved ? 'true' : undefined}
              cx={k.at.x}
              cy={k.at.y}
              r={k.moved ? 3.6 : 2.6}
              fill={p.msg[k.slot]}
              stroke={k.moved ? p.text : 'none'}
              strokeWidth={k.moved ? 1 : 0}
            >
              <title>{`${k.key} → ${nameOf(k.owner)}${k.moved ? ' (moved)' : ''}`}</title>
            </circle>
          ))}
          {/* Keys per node */}
          <text x={sideX} y={20} fill={p.text} fontWeight={600}>
            {data.held ? 'Keys per node: placed by the ring · held' : 'Keys per node'}
          </text>
          {L.nodes.map((n, i) => {
            const y = legendTop + i * rowH;
            return (
              <g key={n.id} data-testid="ring-node" opacity={n.member ? 1 : 0.55}>
                <rect x={sideX} y={y - 9} width={10} height={10} rx={2} fill={p.msg[n.slot]} />
                <text x={sideX + 16} y={y} fill={p.text}>
                  {nameOf(n.id)}
                  {n.member ? '' : ' (left)'}
                </text>
                <text x={sideX + 84} y={y} fill={p.muted}>
                  {n.vnodes > 0 ? `${n.vnodes} vn` : ''}
                </text>
                <rect
                  x={sideX + 130}
                  y={y - 9}
                  width={Math.max(1, (keyBars[i] ?? 0) * barW)}
                  height={10}
                  rx={2}
                  fill={p.msg[n.slot]}
                  opacity={0.85}
                />
                <text x={sideX + 136 + (keyBars[i] ?? 0) * barW} y={y} fill={p.muted}>
                  {formatCount(n.keys)}
                  {n.held !== null && (
                    <tspan data-testid="ring-held" data-node={n.id} data-value={n.held}>
                      {` · holds ${formatCount(n.held)}`}
                      <title>{`${nameOf(n.id)} stores ${formatCount(n.held)} keys now (its badge on the canvas)`}</title>
                    </tspan>
                  )}
                </text>
              </g>
            );
          })}
          {/* Moved vs modulo-N */}
          <text x={sideX} y={movedTop} fill={p.text} fontWeight={600}>
            Keys moved by membership changes so far
          </text>
          {(
            [
              ['consistent', data.keysMoved, movedBars[0] ?? 0, p.accent, 'ring-moved'],
              ['modulo-N', data.keysMovedModuloN, movedBars[1] ?? 0, p.danger, 'ring-moved-modn'],
            ] as const
          ).map(([label, value, frac, colour, id], i) => {
            const y = movedTop + 20 + i * 22;
            return (
              <g key={label} data-testid={id} data-value={value}>
                <text x={sideX} y={y} fill={p.text}>
                  {label === 'consistent' ? data.scheme : label}
                </text>
                <rect
                  x={sideX + 84}
                  y={y - 10}
                  width={Math.max(1, frac * (barW + 46))}
                  height={13}
                  rx={2}
                  fill={colour}
                  opacity={0.85}
                />
                <text x={sideX + 90 + frac * (barW + 46)} y={y} fill={p.text} fontWeight={600}>
                  {formatCount(value)}
                </text>
              </g>
            );
          })}
          <text x={sideX} y={movedTop + 80} fill={p.muted}>
            {data.moved.length > 0
              ? `Last change: ${formatCount(data.moved.length)} of ${formatCount(total)} keys changed primary (arrows: old owner → new).`
              : 'No membership change seen while this tab was open.'}
          </text>
          {(data.unheld ?? 0) > 0 && (
            <text
              x={sideX}
              y={movedTop + 100}
              fill={p.danger}
              data-testid="ring-unheld"
              data-value={data.unheld}
            >
              {`${formatCount(data.unheld ?? 0)} of ${formatCount(total)} keys written are held by no node that is up.`}
            </text>
          )}
        </svg>
      </div>
    </div>
  );
}
