/**
 * The Space-time tab: Lamport's space-time diagram of the run, one lane per node, virtual time
 * left to right. Messages are arrows from send to delivery (tied by sendId), drops end in a
 * red cross, local events are marks, crashed spans are shaded. The current event is the
 * cursor; a click on an arrow or a mark seeks the run there (the event log's seek). Drawn as
 * SVG with explicit colours so it exports as .svg or .png as shown.
 */
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { OffendingOp, Ordering, TraceRow } from '../../../../shared/api';
import { call } from '../../api/client';
import { refreshVerdicts, seek } from '../../app/run';
import { useListedNodes } from '../../app/use-listed-nodes';
import { useThrottledRefresh } from '../../app/use-throttled';
import { formatCount, formatDuration } from '../../run/format';
import { useRun } from '../../stores/run-store';
import { selectProtocol, useSession } from '../../stores/session-store';
import { useUi } from '../../stores/ui-store';
import {
  autoSpanUs,
  buildModel,
  dropFraction,
  type StMark,
  spanLabel,
  timeTicks,
  viewWindow,
  windowed,
} from '../../views/spacetime';
import { downloadBlob, exportPng, exportSvg, fileStem } from './export';
import { useViewPalette, VIEW_FONT, type ViewPalette } from './palette';
import { OffendingList, OffendingMarks, opEvent } from './SpaceTimeOffending';
import { Lanes, TimeGrid } from './SpaceTimeParts';

/** Most arrows drawn at once (the ones nearest the cursor); more make the SVG sluggish. */
export const MAX_ARROWS = 2_000;
/** Most local-event marks drawn at once. */
export const MAX_MARKS = 2_000;
/** How often the diagram follows a playing run (a person cannot read faster). */
const REFRESH_MS = 200;
const LABEL_W = 92;
const AXIS_H = 26;
const TOP_PAD = 14;
const RIGHT_PAD = 16;
const MIN_SPAN_US = 20;
const MAX_SPAN_US = 3_600_000_000;

interface Snapshot {
  rows: readonly TraceRow[];
  event: number;
  nowUs: number;
  down: string;
}

function snap(): Snapshot {
  const s = useRun.getState();
  const down = Object.values(s.nodes)
    .filter((n) => !n.up)
    .map((n) => n.id)
    .join(',');
  return { rows: s.cache.rows, event: s.status?.eventIndex ?? 0, nowUs: s.status?.nowUs ?? 0, down };
}

/** The run as the diagram draws it, re-read at most every REFRESH_MS while playing. */
function useThrottledRun(): Snapshot {
  const [state, setState] = useState(snap);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const off = useRun.subscribe((s, prev) => {
      if (s.cache === prev.cache && s.status === prev.status && s.nodes === prev.nodes) return;
      const wait = REFRESH_MS - (performance.now() - last);
      if (wait <= 0 || !s.status?.playing) {
        if (timer) clearTimeout(timer);
        timer = null;
        last = performance.now();
        setState(snap());
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          last = performance.now();
          setState(snap());
        }, wait);
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);
  return state;
}

function useBoxSize(ref: React.RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 800, height: 220 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

const MARK_LABEL: Partial<Record<TraceRow['kind'], string>> = {
  timer: 'timer',
  client: 'client request',
  reply: 'reply',
  fault: 'fault',
  note: 'note',
  restart: 'restart',
  violation: 'invariant broken',
};

/** One local event's glyph at (x, y). */
function MarkGlyph({ m, x, y, p }: { m: StMark; x: number; y: number; p: ViewPalette }): ReactNode {
  switch (m.kind) {
    case 'timer':
      return <circle cx={x} cy={y} r={3} fill={p.bg} stroke={p.muted} strokeWidth={1.3} />;
    case 'client':
      return <path d={`M${x} ${y - 5}L${x + 4.5} ${y + 3}L${x - 4.5} ${y + 3}Z`} fill={p.text} />;
    case 'reply':
      return (
        <path
          d={`M${x} ${y + 5}L${x + 4.5} ${y - 3}L${x - 4.5} ${y - 3}Z`}
          fill={p.bg}
          stroke={p.text}
          strokeWidth={1.2}
        />
      );
    case 'fault':
    case 'violation':
      return <rect x={x - 3.5} y={y - 3.5} width={7} height={7} fill={p.danger} />;
    case 'restart':
      return (
        <rect x={x - 3.5} y={y - 3.5} width={7} height={7} fill={p.bg} stroke={p.danger} strokeWidth={1.4} />
      );
    default:
      return <circle cx={x} cy={y} r={2.4} fill={p.faint} />;
  }
}

export function SpaceTimeView() {
  const run = useThrottledRun();
  const hasRun = useRun((s) => s.simId !== null);
  const listed = useListedNodes();
  const protocol = useSession(selectProtocol);
  const p = useViewPalette();
  const [spanUs, setSpanUs] = useState<number | null>(null);
  const [panUs, setPanUs] = useState(0);
  // Shift+click picks up to two events; the host says how happened-before orders them (sim.causality).
  const [picked, setPicked] = useState<number[]>([]);
  const [order, setOrder] = useState<Ordering | null>(null);
  const [selectedOp, setSelectedOp] = useState<number | null>(null);
  const simId = useRun((s) => s.simId);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new run forgets the events picked in the last.
  useEffect(() => {
    setPicked([]);
    setOrder(null);
    setSelectedOp(null);
  }, [simId]);
  // The operations a failed history check names, once the run is done (kept when it steps back).
  const done = useRun((s) => s.status?.done ?? false);
  useThrottledRefresh(refreshVerdicts, `${simId}:${run.event}`, simId !== null && done, 400);
  const offendingGroups = useRun((s) => s.offending);
  const offending = useMemo(() => offendingGroups.flatMap((g) => g.ops), [offendingGroups]);
  const box = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const { width, height } = useBoxSize(box);

  const laneNodes = useMemo(
    () => listed.filter((n) => n.role !== 'switch').map((n) => ({ id: n.id, name: n.name })),
    [listed],
  );
  const downNow = useMemo(() => new Set(run.down ? run.down.split(',') : []), [run.down]);
  const model = useMemo(() => buildModel(run.rows, laneNodes, downNow), [run.rows, laneNodes, downNow]);

  // Until the person zooms: a span that holds about 120 messages before the current event.
  const autoSpan = useMemo(() => autoSpanUs(model, run.nowUs), [model, run.nowUs]);
  const span = spanUs ?? autoSpan;
  const { fromUs, toUs } = viewWindow(run.nowUs, span, panUs);
  const view = useMemo(
    () => windowed(model, fromUs, toUs, run.nowUs, MAX_ARROWS, MAX_MARKS),
    [model, fromUs, toUs, run.nowUs],
  );

  const lanes = model.lanes;
  const plotW = Math.max(120, width - LABEL_W - RIGHT_PAD);
  const laneH = Math.max(22, Math.min(56, (height - AXIS_H - TOP_PAD) / Math.max(1, lanes.length)));
  const svgH = Math.max(height, TOP_PAD + lanes.length * laneH + AXIS_H);
  const x = (us: number) => LABEL_W + ((us - fromUs) / (toUs - fromUs)) * plotW;
  const laneY = new Map(lanes.map((l, i) => [l.id, TOP_PAD + (i + 0.5) * laneH]));
  const plotBottom = TOP_PAD + lanes.length * laneH;
  const ticks = timeTicks(fromUs, toUs, Math.max(2, Math.floor(plotW / 80)));

  // Zoom around a time (the pointer's, or the cursor's), keeping that time where it is.
  const spanRef = useRef({ span, fromUs, panUs, nowUs: run.nowUs });
  spanRef.current = { span, fromUs, panUs, nowUs: run.nowUs };
  const zoom = (factor: number, atUs?: number) => {
    const cur = spanRef.current;
    const next = Math.min(MAX_SPAN_US, Math.max(MIN_SPAN_US, cur.span * factor));
    const anchor = atUs ?? cur.nowUs;
    const frac = (anchor - cur.fromUs) / cur.span;
    const nextFrom = Math.max(0, anchor - frac * next);
    // viewWindow puts from at now - 0.85 span + pan: solve for pan.
    setSpanUs(next);
    setPanUs(nextFrom - (cur.nowUs - 0.85 * next));
  };
  const pan = (fraction: number) => setPanUs((v) => v + fraction * spanRef.current.span);

  // The wheel zooms (horizontal wheel or Shift pans); React's wheel listener is passive.
  useEffect(() => {
    const el = svgRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const cur = spanRef.current;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        const d = e.shiftKey ? e.deltaY : e.deltaX;
        setPanUs((v) => v + (d / 400) * cur.span);
        return;
      }
      const rect = el.getBoundingClientRect();
      const px = e.clientX - rect.left - LABEL_W;
      const atUs = cur.fromUs + (Math.min(Math.max(px, 0), plotW) / plotW) * cur.span;
      zoom(e.deltaY > 0 ? 1.25 : 0.8, atUs);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const onClick = (e: React.MouseEvent<SVGSVGElement>) => {
    if (e.shiftKey) {
      const row = Number((e.target as Element).closest('[data-row]')?.getAttribute('data-row'));
      if (Number.isFinite(row) && row >= 0) pick(row);
      return;
    }
    const target = (e.target as Element).closest('[data-event]');
    const ev = Number(target?.getAttribute('data-event'));
    if (Number.isFinite(ev) && ev > 0) void seek(ev);
  };
  const pick = (row: number) => {
    const next = picked.length >= 2 ? [row] : [...picked, row];
    setPicked(next);
    setOrder(null);
    if (next.length === 2 && simId !== null)
      call('sim.causality', { simId, rowA: next[0]!, rowB: next[1]! })
        .then(setOrder)
        .catch((err: unknown) =>
          useUi.getState().toast(err instanceof Error ? err.message : String(err), 'error'),
        );
  };
  const isPicked = (row: number) => picked.includes(row);
  // The chain of messages that orders the two picked events (happened-before), by send row: hop 1, 2, ...
  const chainHop = useMemo(() => new Map((order?.chain ?? []).map((h, k) => [h.sendRow, k + 1])), [order]);
  // Between the messages, the chain runs along a process (program order): from the earlier
  // event to the first send, from each delivery to the next send, from the last delivery to the
  // later event. Those stretches of lane are highlighted with the messages.
  const chainLanes = useMemo(() => {
    if (order === null || order.chain.length === 0 || picked.length !== 2) return [];
    const byRow = new Map(run.rows.map((r) => [r.row, r]));
    const [from, to] = order.relation === 'after' ? [picked[1]!, picked[0]!] : [picked[0]!, picked[1]!];
    const stops = [from, ...order.chain.flatMap((h) => [h.sendRow, h.deliverRow]), to].map((r) =>
      byRow.get(r),
    );
    const out: { node: string; fromUs: number; toUs: number }[] = [];
    for (let k = 0; k + 1 < stops.length; k += 2) {
      const a = stops[k];
      const b = stops[k + 1];
      if (a !== undefined && b !== undefined && a.node === b.node)
        out.push({ node: a.node, fromUs: a.timeUs, toUs: b.timeUs });
    }
    return out;
  }, [order, picked, run.rows]);
  // The current event's first row that is a process's event (its receive, timer, fault; not a
  // drop): what "Pick this event" picks, so the keyboard reaches what Shift+click does.
  const currentRow = useMemo(
    () =>
      run.rows.find((r) => r.index === run.event && r.kind !== 'drop' && r.kind !== 'violation')?.row ?? null,
    [run.rows, run.event],
  );
  // Goes to an offending operation's answer, with the whole operation in view.
  const goToOp = (o: OffendingOp) => {
    setSelectedOp(o.opId);
    const len = (o.returnUs ?? o.callUs) - o.callUs;
    if (spanRef.current.span < 2 * len) setSpanUs(Math.min(MAX_SPAN_US, 4 * len));
    setPanUs(0);
    void seek(opEvent(o));
  };

  const types = useMemo(() => {
    const m = new Map<string, number>();
    for (const a of view.arrows) if (!m.has(a.msgType)) m.set(a.msgType, a.slot);
    return [...m].sort((a, b) => a[0].localeCompare(b[0])).slice(0, 10);
  }, [view.arrows]);

  const stem = () => fileStem('space-time', protocol?.id, run.event);
  const exportAs = (kind: 'svg' | 'png') => {
    const svg = svgRef.current;
    if (!svg) return;
    if (kind === 'svg') exportSvg(svg, stem());
    else
      exportPng(svg, stem()).catch((err: unknown) =>
        useUi.getState().toast(err instanceof Error ? err.message : String(err), 'error'),
      );
  };

  // The run so far as a ShiViz log (vector clocks from the trace: docs/cli.md "dslab shiviz").
  const exportShiviz = () => {
    const simId = useRun.getState().simId;
    if (simId === null) return;
    call('sim.shiviz', { simId })
      .then(({ text }) => downloadBlob(new Blob([text], { type: 'text/plain' }), `${stem()}.shiviz.log`))
      .catch((err: unknown) =>
        useUi.getState().toast(err instanceof Error ? err.message : String(err), 'error'),
      );
  };

  if (!hasRun) {
    return (
      <div className="empty">
        <p className="empty-title">No run yet</p>
        <p className="empty-body">
          Press Play or Step: each node gets a lane, time runs left to right, and every message is an arrow
          from its send to its delivery. Click an arrow or a mark to go to its event.
        </p>
      </div>
    );
  }

  const following = panUs === 0;
  return (
    <div className="views-st">
      <div className="views-bar" role="toolbar" aria-label="Space-time diagram">
        <div className="views-group">
          <button
            type="button"
            className="btn small"
            onClick={() => zoom(0.5)}
            title="Zoom in (or the wheel)"
          >
            Zoom in
          </button>
          <button type="button" className="btn small" onClick={() => zoom(2)} title="Zoom out (or the wheel)">
            Zoom out
          </button>
          <button
            type="button"
            className="btn small"
            aria-label="Pan earlier"
            title="Earlier (Shift + wheel)"
            onClick={() => pan(-0.4)}
          >
            ◀
          </button>
          <button
            type="button"
            className="btn small"
            aria-label="Pan later"
            title="Later (Shift + wheel)"
            onClick={() => pan(0.4)}
          >
            ▶
          </button>
          <button
            type="button"
            className="btn small"
            aria-pressed={following}
            title="Keep the current event in view"
            onClick={() => setPanUs(0)}
          >
            Follow
          </button>
          <span className="views-readout num">{spanLabel(span)} shown</span>
          <button
            type="button"
            className="btn small"
            disabled={currentRow === null}
            title="Pick the current event to order it with another by happened-before (Shift+click on the diagram does the same)"
            onClick={() => currentRow !== null && pick(currentRow)}
          >
            Pick this event
          </button>
        </div>
        <ul className="views-legend" aria-label="Message types">
          {types.map(([t, slot]) => (
            <li key={t} className="views-legend-item">
              <span className="views-swatch" style={{ background: p.msg[slot] }} />
              {t || '(untyped)'}
            </li>
          ))}
          <li className="views-legend-item views-legend-marks">
            ▲ client ▽ reply ○ timer ■ fault
            <span className="views-swatch views-swatch-down" style={{ background: p.danger }} />
            down
          </li>
        </ul>
        <div className="views-group views-end">
          <button type="button" className="btn small" onClick={() => exportAs('svg')}>
            Export SVG
          </button>
          <button type="button" className="btn small" onClick={() => exportAs('png')}>
            Export PNG
          </button>
          <button
            type="button"
            className="btn small"
            onClick={exportShiviz}
            title="The run so far as a log ShiViz opens, with vector clocks computed from the trace"
          >
            Export ShiViz
          </button>
        </div>
      </div>
      {picked.length > 0 && (
        <div className="views-notice" role="status" data-testid="st-causality">
          {picked.length === 1
            ? 'One event picked: Shift+click another to see how happened-before orders them.'
            : order === null
              ? 'Ordering the two events…'
              : `${order.relation === 'before' ? 'Before' : order.relation === 'after' ? 'After' : order.relation === 'concurrent' ? 'Concurrent' : 'The same event'}: ${order.reason}${order.chain.length > 0 ? ' (the chain is highlighted on the diagram)' : ''}`}{' '}
          <button
            type="button"
            className="btn small"
            onClick={() => {
              setPicked([]);
              setOrder(null);
            }}
          >
            Clear
          </button>
        </div>
      )}
      {offendingGroups.length > 0 && (
        <OffendingList groups={offendingGroups} selected={selectedOp} onPick={goToOp} />
      )}
      {(view.arrowsOmitted > 0 || view.marksOmitted > 0) && (
        <p className="views-notice" role="status">
          Showing the {formatCount(MAX_ARROWS)} messages nearest the current event;{' '}
          {formatCount(view.arrowsOmitted)} more in this span are not drawn. Zoom in to see them all.
        </p>
      )}
      <div ref={box} className="views-st-box">
        {/* biome-ignore lint/a11y/useKeyWithClickEvents: clicks on arrows are a mouse shortcut; the event log offers the same seek by keyboard. */}
        <svg
          ref={svgRef}
          data-testid="spacetime-svg"
          className="views-st-svg"
          width={width}
          height={svgH}
          viewBox={`0 0 ${width} ${svgH}`}
          role="img"
          aria-label={`Space-time diagram: ${lanes.length} nodes, ${view.arrows.length} messages from ${formatDuration(fromUs)} to ${formatDuration(toUs)}`}
          fontFamily={VIEW_FONT}
          fontSize={11}
          onClick={onClick}
        >
          <rect x={0} y={0} width={width} height={svgH} fill={p.bg} />
          <defs>
            <clipPath id="st-plot">
              <rect x={LABEL_W} y={0} width={plotW} height={svgH} />
            </clipPath>
          </defs>
          <TimeGrid
            ticks={ticks}
            x={x}
            top={TOP_PAD - 6}
            bottom={plotBottom}
            labelX={LABEL_W - 8}
            labelDy={15}
            p={p}
          />
          <Lanes
            lanes={lanes}
            laneH={laneH}
            top={TOP_PAD}
            left={LABEL_W}
            width={plotW}
            lineOpacity={0.5}
            testId="st-lane"
            p={p}
          />
          <g clipPath="url(#st-plot)">
            {/* Crashed spans */}
            {view.crashed.map((c) => {
              const y = laneY.get(c.node);
              if (y === undefined) return null;
              const x0 = x(c.fromUs);
              return (
                <g key={`${c.node}-${c.fromUs}`} data-testid="st-crashed">
                  <rect
                    x={x0}
                    y={y - laneH * 0.32}
                    width={Math.max(2, x(c.toUs) - x0)}
                    height={laneH * 0.64}
                    fill={p.danger}
                    opacity={0.16}
                  />
                  <line
                    x1={x0}
                    x2={x(c.toUs)}
                    y1={y}
                    y2={y}
                    stroke={p.danger}
                    strokeWidth={2}
                    strokeDasharray="4 3"
                  />
                  <title>{`${c.node} down ${formatDuration(c.fromUs)} – ${formatDuration(c.toUs)}`}</title>
                </g>
              );
            })}
            {/* Faults about no single node (partitions, heals): across every lane */}
            {view.marks
              .filter((m) => m.node === null)
              .map((m) => (
                <g
                  key={`g-${m.event}-${m.detail}`}
                  className="views-hit"
                  data-testid="st-mark"
                  data-event={m.event}
                >
                  <line
                    x1={x(m.timeUs)}
                    x2={x(m.timeUs)}
                    y1={TOP_PAD}
                    y2={plotBottom}
                    stroke={p.danger}
                    strokeWidth={1.2}
                    strokeDasharray="2 3"
                  />
                  <line
                    x1={x(m.timeUs)}
                    x2={x(m.timeUs)}
                    y1={TOP_PAD}
                    y2={plotBottom}
                    stroke="transparent"
                    strokeWidth={8}
                  />
                  <title>{`event ${m.event} · ${formatDuration(m.timeUs)} · ${m.detail}`}</title>
                </g>
              ))}
            {/* The happened-before chain along its processes (the messages are highlighted below) */}
            {chainLanes.map((c) => {
              const y = laneY.get(c.node);
              if (y === undefined) return null;
              return (
                <line
                  key={`${c.node}-${c.fromUs}`}
                  data-testid="st-chain-lane"
                  x1={x(c.fromUs)}
                  x2={x(c.toUs)}
                  y1={y}
                  y2={y}
                  stroke={p.accent}
                  strokeWidth={6}
                  strokeLinecap="round"
                  opacity={0.4}
                />
              );
            })}
            {/* Messages */}
            {view.arrows.map((a) => {
              const y1 = laneY.get(a.from);
              const yTo = laneY.get(a.to);
              if (y1 === undefined || yTo === undefined) return null;
              const colour = p.msg[a.slot] ?? p.text;
              const x1 = x(a.sendUs);
              const ahead = a.sendEvent > run.event;
              const frac = a.end === 'drop' ? dropFraction(a.reason) : 1;
              const x2 = a.end === 'open' ? Math.max(x1 + 6, x(a.endUs)) : x(a.endUs);
              const y2 = y1 + (yTo - y1) * (a.end === 'open' ? 0.5 : frac);
              // A drop at the send's own time would be a vertical stub: lean it a little.
              const x2d = a.end === 'drop' && x2 - x1 < 6 ? x1 + 6 : x2;
              const ang = Math.atan2(y2 - y1, x2d - x1);
              const head = 6;
              const hx = x2d - head * Math.cos(ang);
              const hy = y2 - head * Math.sin(ang);
              const px = 3 * Math.sin(ang);
              const py = -3 * Math.cos(ang);
              const event = a.end === 'open' ? a.sendEvent : a.endEvent;
              const hop = chainHop.get(a.sendRow);
              const what =
                a.end === 'deliver'
                  ? `delivered at ${formatDuration(a.endUs)} (event ${a.endEvent})`
                  : a.end === 'drop'
                    ? `dropped (${a.reason}) at ${formatDuration(a.endUs)} (event ${a.endEvent})`
                    : 'in flight';
              return (
                <g
                  key={a.sendId}
                  className={`views-hit${a.end === 'drop' ? ' is-drop' : ''}`}
                  data-testid="st-arrow"
                  data-event={event}
                  data-send-event={a.sendEvent}
                  data-row={a.end === 'deliver' ? a.endRow : a.sendRow}
                  data-end={a.end}
                  data-picked={isPicked(a.end === 'deliver' ? a.endRow : a.sendRow) || undefined}
                  data-chain={hop}
                  opacity={ahead ? 0.35 : 1}
                >
                  {isPicked(a.end === 'deliver' ? a.endRow : a.sendRow) && (
                    <circle
                      cx={a.end === 'deliver' ? x2d : x1}
                      cy={a.end === 'deliver' ? y2 : y1}
                      r={8}
                      fill="none"
                      stroke={p.accent}
                      strokeWidth={2}
                    />
                  )}
                  {hop !== undefined && (
                    <line
                      data-testid="st-chain"
                      x1={x1}
                      y1={y1}
                      x2={x2d}
                      y2={y2}
                      stroke={p.accent}
                      strokeWidth={6}
                      strokeLinecap="round"
                      opacity={0.4}
                    />
                  )}
                  <line x1={x1} y1={y1} x2={x2d} y2={y2} stroke="transparent" strokeWidth={9} />
                  <line
                    x1={x1}
                    y1={y1}
                    x2={a.end === 'deliver' ? hx : x2d}
                    y2={a.end === 'deliver' ? hy : y2}
                    stroke={colour}
                    strokeWidth={1.4}
                    strokeDasharray={a.end === 'open' ? '3 3' : undefined}
                  />
                  {a.end === 'deliver' && (
                    <path d={`M${x2d} ${y2}L${hx + px} ${hy + py}L${hx - px} ${hy - py}Z`} fill={colour} />
                  )}
                  {a.end === 'drop' && (
                    <path
                      data-testid="st-drop"
                      d={`M${x2d - 4} ${y2 - 4}L${x2d + 4} ${y2 + 4}M${x2d - 4} ${y2 + 4}L${x2d + 4} ${y2 - 4}`}
                      stroke={p.danger}
                      strokeWidth={2}
                    />
                  )}
                  <circle cx={x1} cy={y1} r={1.8} fill={colour} />
                  <title>{`${hop === undefined ? '' : `Hop ${hop} of the happened-before chain: `}${a.msgType || 'message'} ${a.from} → ${a.to}: sent at ${formatDuration(a.sendUs)} (event ${a.sendEvent}), ${what}`}</title>
                </g>
              );
            })}
            {/* Local events */}
            {view.marks.map((m) => {
              if (m.node === null) return null;
              const y = laneY.get(m.node);
              if (y === undefined) return null;
              return (
                <g
                  key={`${m.event}-${m.node}-${m.kind}-${m.detail}`}
                  className="views-hit"
                  data-testid="st-mark"
                  data-event={m.event}
                  data-row={m.row}
                  data-kind={m.kind}
                  data-picked={isPicked(m.row) || undefined}
                  opacity={m.event > run.event ? 0.35 : 1}
                >
                  <circle cx={x(m.timeUs)} cy={y} r={6} fill="transparent" />
                  {isPicked(m.row) && (
                    <circle cx={x(m.timeUs)} cy={y} r={8} fill="none" stroke={p.accent} strokeWidth={2} />
                  )}
                  <MarkGlyph m={m} x={x(m.timeUs)} y={y} p={p} />
                  <title>{`${MARK_LABEL[m.kind] ?? m.kind}${m.detail ? ` ${m.detail}` : ''} at ${m.node}, ${formatDuration(m.timeUs)} (event ${m.event})`}</title>
                </g>
              );
            })}
            {offending.length > 0 && (
              <OffendingMarks
                ops={offending}
                laneY={laneY}
                laneH={laneH}
                x={x}
                fromUs={fromUs}
                toUs={toUs}
                right={LABEL_W + plotW}
                selected={selectedOp}
                p={p}
              />
            )}
            {/* The current event */}
            {run.nowUs >= fromUs && run.nowUs <= toUs && (
              <g data-testid="st-cursor">
                <line
                  x1={x(run.nowUs)}
                  x2={x(run.nowUs)}
                  y1={TOP_PAD - 10}
                  y2={plotBottom}
                  stroke={p.accent}
                  strokeWidth={1.5}
                />
                <path
                  d={`M${x(run.nowUs) - 5} ${TOP_PAD - 12}L${x(run.nowUs) + 5} ${TOP_PAD - 12}L${x(run.nowUs)} ${TOP_PAD - 5}Z`}
                  fill={p.accent}
                />
              </g>
            )}
          </g>
          <line
            x1={LABEL_W}
            x2={LABEL_W + plotW}
            y1={plotBottom}
            y2={plotBottom}
            stroke={p.muted}
            strokeWidth={1}
          />
        </svg>
      </div>
    </div>
  );
}
