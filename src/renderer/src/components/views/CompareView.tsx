/**
 * The Compare tab: the main run and its branch (a fork made with "Branch…") side by side. The
 * branch follows the main run in virtual time (src/app/compare.ts); both space-time diagrams
 * are stacked on one time axis with the first difference (sim.diverge, computed on the host)
 * marked in both, and every metric series of both runs is overlaid: a lone series in a chart of
 * its own, the series a protocol draws on one chart (every node's clock error) on one chart.
 */
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './compare.css';
import type { Divergence, Res, SimStatusInfo, TraceRow } from '../../../../shared/api';
import { closeBranch, followMain, runBothTo } from '../../app/compare';
import { formatCount, formatDuration, formatEvent, formatTime } from '../../run/format';
import { useCompare } from '../../stores/compare-store';
import { useGraph } from '../../stores/graph-store';
import { useRun } from '../../stores/run-store';
import { useUi } from '../../stores/ui-store';
import { type CompareGroup, compareCharts, compareLines } from '../../views/metric-charts';
import {
  autoSpanUs,
  buildModel,
  dropFraction,
  type Lane,
  type SpaceTimeModel,
  spanLabel,
  timeTicks,
  viewWindow,
  windowed,
} from '../../views/spacetime';
import { decades } from '../MetricsView';
import { useViewPalette, VIEW_FONT, type ViewPalette } from './palette';
import { Lanes, TimeGrid } from './SpaceTimeParts';

type Series = Res<'sim.metrics'>['series'][number];

const LABEL_W = 92;
const AXIS_H = 22;
const TOP_PAD = 12;
const RIGHT_PAD = 16;
const MAX_ARROWS = 1_500;
const MAX_MARKS = 1_500;
const CHART_HEIGHT = 96;
/** A chart of several series is taller: its lines need room to be told apart. */
const GROUP_HEIGHT = 180;
const MIN_SPAN_US = 20;
const MAX_SPAN_US = 3_600_000_000;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A row in words: "s1 send append → s2", "fault: crash s1". */
export function describeRow(r: TraceRow | null): string {
  if (!r) return 'nothing (the run had ended)';
  const parts = [r.node, r.kind];
  if (r.msgType) parts.push(r.msgType);
  if (r.peer) parts.push(r.kind === 'deliver' ? `from ${r.peer}` : `→ ${r.peer}`);
  if (r.detail) parts.push(`(${r.detail})`);
  return `${parts.join(' ')} at ${formatDuration(r.timeUs)}, ${formatEvent(r.index)}`;
}

/** The box's size, measured again when `shown` turns on (the box exists only with a branch). */
function useBoxSize(
  ref: React.RefObject<HTMLElement | null>,
  shown: boolean,
): { width: number; height: number } {
  const [w, setW] = useState({ width: 800, height: 300 });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shown` is the trigger: the box mounts with the branch.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setW({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, shown]);
  return w;
}

interface DiagramProps {
  run: 'main' | 'branch';
  title: string;
  model: SpaceTimeModel;
  fromUs: number;
  toUs: number;
  nowUs: number;
  forkUs: number;
  diff: Divergence | null;
  width: number;
  laneH: number;
  p: ViewPalette;
}

/** One run's space-time diagram (the Space-time tab's drawing, compacted), with the difference marked. */
function Diagram({ run, title, model, fromUs, toUs, nowUs, forkUs, diff, width, laneH, p }: DiagramProps) {
  const view = useMemo(
    () => windowed(model, fromUs, toUs, nowUs, MAX_ARROWS, MAX_MARKS),
    [model, fromUs, toUs, nowUs],
  );
  const lanes = model.lanes;
  const plotW = Math.max(120, width - LABEL_W - RIGHT_PAD);
  const plotBottom = TOP_PAD + lanes.length * laneH;
  const h = plotBottom + AXIS_H;
  const x = (us: number) => LABEL_W + ((us - fromUs) / (toUs - fromUs)) * plotW;
  const laneY = new Map(lanes.map((l, i) => [l.id, TOP_PAD + (i + 0.5) * laneH]));
  const ticks = timeTicks(fromUs, toUs, Math.max(2, Math.floor(plotW / 90)));
  const row = diff ? (run === 'main' ? diff.a : diff.b) : null;
  const diffUs = diff?.timeUs ?? null;
  const rowY = row ? laneY.get(row.node) : undefined;
  const clip = `cmp-plot-${run}`;
  const inView = (us: number) => us >= fromUs && us <= toUs;
  const accent = run === 'main' ? p.accent : cssVar('--warn');
  return (
    <figure className="cmp-diagram" data-testid={`cmp-diagram-${run}`}>
      <figcaption className="cmp-diagram-title">
        <span className="cmp-swatch" style={{ background: accent }} />
        {title}
      </figcaption>
      <svg
        width={width}
        height={h}
        viewBox={`0 0 ${width} ${h}`}
        role="img"
        aria-label={`Space-time diagram of the ${run} run: ${lanes.length} nodes, ${view.arrows.length} messages from ${formatDuration(fromUs)} to ${formatDuration(toUs)}${diff?.row != null ? `; first difference at ${formatDuration(diff.timeUs ?? 0)}` : ''}`}
        fontFamily={VIEW_FONT}
        fontSize={11}
        className="cmp-svg"
      >
        <rect x={0} y={0} width={width} height={h} fill={p.bg} />
        <defs>
          <clipPath id={clip}>
            <rect x={LABEL_W} y={0} width={plotW} height={h} />
          </clipPath>
        </defs>
        <TimeGrid
          ticks={ticks}
          x={x}
          top={TOP_PAD - 4}
          bottom={plotBottom}
          labelX={LABEL_W - 8}
          labelDy={14}
          p={p}
        />
        <Lanes
          lanes={lanes}
          laneH={laneH}
          top={TOP_PAD}
          left={LABEL_W}
          width={plotW}
          lineOpacity={0.45}
          testId="cmp-lane"
          p={p}
        />
        <g clipPath={`url(#${clip})`}>
          {view.crashed.map((c) => {
            const y = laneY.get(c.node);
            if (y === undefined) return null;
            return (
              <rect
                key={`${c.node}-${c.fromUs}`}
                data-testid="cmp-crashed"
                x={x(c.fromUs)}
                y={y - laneH * 0.3}
                width={Math.max(2, x(c.toUs) - x(c.fromUs))}
                height={laneH * 0.6}
                fill={p.danger}
                opacity={0.16}
              />
            );
          })}
          {view.arrows.map((a) => {
            const y1 = laneY.get(a.from);
            const yTo = laneY.get(a.to);
            if (y1 === undefined || yTo === undefined) return null;
            const colour = p.msg[a.slot] ?? p.text;
            const x1 = x(a.sendUs);
            const frac = a.end === 'drop' ? dropFraction(a.reason) : a.end === 'open' ? 0.5 : 1;
            const x2 = a.end === 'open' ? Math.max(x1 + 6, x(a.endUs)) : Math.max(x(a.endUs), x1 + 2);
            const y2 = y1 + (yTo - y1) * frac;
            return (
              <g key={a.sendId}>
                <line
                  x1={x1}
                  y1={y1}
                  x2={x2}
                  y2={y2}
                  stroke={colour}
                  strokeWidth={1.3}
                  strokeDasharray={a.end === 'open' ? '3 3' : undefined}
                />
                {a.end === 'deliver' && <circle cx={x2} cy={y2} r={2.2} fill={colour} />}
                {a.end === 'drop' && (
                  <path
                    d={`M${x2 - 3.5} ${y2 - 3.5}L${x2 + 3.5} ${y2 + 3.5}M${x2 - 3.5} ${y2 + 3.5}L${x2 + 3.5} ${y2 - 3.5}`}
                    stroke={p.danger}
                    strokeWidth={1.8}
                  />
                )}
              </g>
            );
          })}
          {view.marks.map((m) => {
            if (m.node === null)
              return (
                <line
                  key={`g-${m.event}-${m.detail}`}
                  x1={x(m.timeUs)}
                  x2={x(m.timeUs)}
                  y1={TOP_PAD}
                  y2={plotBottom}
                  stroke={p.danger}
                  strokeDasharray="2 3"
                />
              );
            const y = laneY.get(m.node);
            if (y === undefined) return null;
            const fault = m.kind === 'fault' || m.kind === 'violation';
            return fault ? (
              <rect
                key={`${m.event}-${m.node}-${m.kind}-${m.detail}`}
                x={x(m.timeUs) - 3.5}
                y={y - 3.5}
                width={7}
                height={7}
                fill={p.danger}
              />
            ) : (
              <circle
                key={`${m.event}-${m.node}-${m.kind}-${m.detail}`}
                cx={x(m.timeUs)}
                cy={y}
                r={2.4}
                fill={m.kind === 'client' || m.kind === 'reply' ? p.text : p.faint}
              />
            );
          })}
          {/* The fork point: both runs are the same before it */}
          {inView(forkUs) && (
            <line
              x1={x(forkUs)}
              x2={x(forkUs)}
              y1={TOP_PAD - 6}
              y2={plotBottom}
              stroke={p.muted}
              strokeWidth={1}
              strokeDasharray="1 3"
            />
          )}
          {inView(nowUs) && (
            <line
              data-testid="cmp-cursor"
              x1={x(nowUs)}
              x2={x(nowUs)}
              y1={TOP_PAD - 6}
              y2={plotBottom}
              stroke={p.accent}
              strokeWidth={1.4}
            />
          )}
          {diffUs !== null && inView(diffUs) && (
            <g data-testid="cmp-diff" data-event={diff?.index ?? undefined}>
              <line
                x1={x(diffUs)}
                x2={x(diffUs)}
                y1={TOP_PAD - 6}
                y2={plotBottom}
                stroke={p.danger}
                strokeWidth={1.6}
                strokeDasharray="5 3"
              />
              {rowY !== undefined && row && (
                <circle
                  data-testid="cmp-diff-row"
                  cx={x(row.timeUs)}
                  cy={rowY}
                  r={7}
                  fill="none"
                  stroke={p.danger}
                  strokeWidth={2}
                />
              )}
              <title>{`First difference: ${describeRow(row)}`}</title>
            </g>
          )}
        </g>
        {diffUs !== null && inView(diffUs) && (
          <text
            x={Math.min(x(diffUs) + 4, LABEL_W + plotW - 90)}
            y={TOP_PAD - 2}
            fill={p.danger}
            fontWeight={600}
            fontSize={10.5}
          >
            first difference
          </text>
        )}
        <line x1={LABEL_W} x2={LABEL_W + plotW} y1={plotBottom} y2={plotBottom} stroke={p.muted} />
      </svg>
    </figure>
  );
}

/**
 * A chart of both runs: a lone series as main (solid, accent) and branch (dashed, warn); a
 * group the Metrics tab draws on one chart (every node's clock error, say) on one chart here
 * too, each series in its own colour, solid for the main run and dashed for the branch.
 */
function OverlayChart({ group }: { group: CompareGroup }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The palette changes once <html data-theme> has (a theme selector alone would read too early).
  const palette = useViewPalette();
  const first = group.series[0]?.main ?? group.series[0]?.branch;
  const unitUs = first?.unit === 'us';
  const unit = unitUs ? 'ms' : (first?.unit ?? '');
  const scale = (v: number) => (unitUs ? v / 1000 : v);
  const lone = group.series.length === 1 && group.chart === undefined;
  const { tUs, lines } = compareLines(group, scale);
  // The lines' labels and kinds: the chart is made again when they change.
  const shape = lines.map((l) => `${l.label}:${l.bound}`).join(',');
  const asinh = group.chart?.scale === 'asinh' ? scale(group.chart.linearUnder ?? 1) : null;
  const height = lone ? CHART_HEIGHT : GROUP_HEIGHT;

  // biome-ignore lint/correctness/useExhaustiveDependencies: shape stands for the lines drawn.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = palette.muted;
    const grid = palette.border;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const drawn: uPlot.Series[] = lines.map((l) => {
      const branch = l.run === 'branch';
      const stroke = l.bound
        ? text
        : lone
          ? branch
            ? cssVar('--warn')
            : palette.accent
          : cssVar(`--msg-${l.slot % 8}`);
      const dash = l.bound ? (branch ? [2, 3] : [5, 4]) : branch ? [5, 3] : undefined;
      return {
        label: l.label,
        stroke,
        width: lone ? 1.6 : 1.4,
        ...(dash !== undefined ? { dash } : {}),
        spanGaps: true,
        points: { show: false },
      };
    });
    const yFilter = asinh !== null ? { filter: decades(asinh) } : {};
    const u = new uPlot(
      {
        width: Math.max(180, el.clientWidth),
        height,
        legend: { show: true, live: lone },
        cursor: { show: true, points: { show: false } },
        scales: {
          x: { time: false },
          // As the Metrics tab: linear within ±asinh of zero, logarithmic beyond (ChartSpec 'asinh').
          ...(asinh !== null ? { y: { distr: 4, asinh } } : {}),
        },
        axes: [
          { ...axis, size: 24, values: (_u, t) => t.map((v) => `${Number(v.toPrecision(4))}`) },
          {
            ...axis,
            size: 44,
            ...(asinh !== null
              ? {
                  ...yFilter,
                  grid: { ...axis.grid, ...yFilter },
                  ticks: { ...axis.ticks, ...yFilter },
                }
              : {}),
            values: (_u, t) =>
              t.map((v) => (v === null || v === undefined ? '' : `${Number(v.toPrecision(3))}`)),
          },
        ],
        series: [{ label: 't (ms)' }, ...drawn],
      },
      [[], ...lines.map(() => [])],
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(180, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [palette, shape, lone, height, asinh]);

  useEffect(() => {
    plot.current?.setData([tUs.map((t) => t / 1000), ...lines.map((l) => l.v)] as uPlot.AlignedData);
  });

  const last = (s?: Series) => {
    const v = s?.v[s.v.length - 1];
    return v === undefined ? '—' : `${Number(scale(v).toPrecision(4))}`;
  };
  const only = group.series[0];
  return (
    <figure className={lone ? 'chart cmp-chart' : 'chart cmp-chart cmp-group'} data-testid="cmp-chart">
      <figcaption className="chart-head">
        <span className="chart-title">{group.title}</span>
        <span className="chart-value num">
          {lone ? `${last(only?.main)} / ${last(only?.branch)} ${unit}` : `${unit} · branch dashed`}
        </span>
      </figcaption>
      <div
        ref={box}
        className="chart-plot"
        role="img"
        aria-label={`${group.title} over virtual time (ms): main and branch`}
      />
    </figure>
  );
}

/** Where a run is, and whether a checker stopped it: "event 204, t = 399.161 ms". */
function where(s: SimStatusInfo | null): string {
  if (!s) return '';
  const at = `${formatEvent(s.eventIndex)}, ${formatTime(s.nowUs)}`;
  return s.violation
    ? `${at} · stopped: ${s.violation.invariant} broken at ${formatEvent(s.violation.eventIndex)}`
    : at;
}

/**
 * No branch yet: what a branch is, and a Branch… button that opens the same dialog as the
 * toolbar's (which folds into its More menu when the window is narrow, so the text cannot
 * simply point at the toolbar).
 */
function Empty({ children }: { children: ReactNode }) {
  const openDialog = useUi((s) => s.openDialog);
  const hasRun = useRun((s) => s.simId !== null && s.status !== null);
  return (
    <div className="empty">
      <p className="empty-title">No branch yet</p>
      <p className="empty-body">{children}</p>
      <button
        type="button"
        className="btn cmp-empty-branch"
        disabled={!hasRun}
        title={hasRun ? 'Fork the run here with a change and compare both futures' : 'Run a little first'}
        onClick={() => openDialog('branch')}
      >
        Branch…
      </button>
    </div>
  );
}

export function CompareView() {
  const branch = useCompare((s) => s.branch);
  const bStatus = useCompare((s) => s.status);
  const mainRows = useCompare((s) => s.mainRows);
  const branchRows = useCompare((s) => s.branchRows);
  const diff = useCompare((s) => s.divergence);
  const mainMetrics = useCompare((s) => s.mainMetrics);
  const branchMetrics = useCompare((s) => s.branchMetrics);
  const mStatus = useRun((s) => s.status);
  const graphNodes = useGraph((s) => s.nodes);
  const p = useViewPalette();
  const [spanUs, setSpanUs] = useState<number | null>(null);
  const [panUs, setPanUs] = useState(0);
  const [runTo, setRunTo] = useState('');
  const box = useRef<HTMLElement>(null);
  const hasBranch = branch !== null;
  const { width, height } = useBoxSize(box, hasBranch);

  useEffect(() => (hasBranch ? followMain() : undefined), [hasBranch]);

  const lanes: Lane[] = useMemo(
    () => graphNodes.filter((n) => n.data.role !== 'switch').map((n) => ({ id: n.id, name: n.data.name })),
    [graphNodes],
  );
  const mainModel = useMemo(() => buildModel(mainRows, lanes), [mainRows, lanes]);
  const branchModel = useMemo(() => buildModel(branchRows, lanes), [branchRows, lanes]);

  if (!branch) {
    return (
      <Empty>
        Run a little, then press Branch… (below, or in the toolbar): pick a fault, a parameter or a bug
        switch, and the run forks at the current event. Both futures then show here, one above the other, with
        the first event where they differ marked.
      </Empty>
    );
  }

  const nowUs = Math.max(mStatus?.nowUs ?? 0, bStatus?.nowUs ?? 0);
  // Until the person zooms: the auto span, widened so the fork point and the first difference show.
  const diffUs = diff?.timeUs ?? null;
  const earliest = Math.min(branch.atUs, diffUs ?? branch.atUs);
  const auto = Math.max(autoSpanUs(mainModel, nowUs), (nowUs - earliest) / 0.8 + 1);
  const span = Math.min(MAX_SPAN_US, Math.max(MIN_SPAN_US, spanUs ?? auto));
  const { fromUs, toUs } = viewWindow(nowUs, span, panUs);
  // Both diagrams fit the box when they can: each has a caption, a top pad and an axis.
  const perDiagram = height / 2 - (TOP_PAD + AXIS_H + 22);
  const laneH = Math.max(12, Math.min(28, perDiagram / Math.max(1, lanes.length)));
  const charts = compareCharts(mainMetrics?.series ?? [], branchMetrics?.series ?? []);

  const submitRunTo = (e: React.FormEvent) => {
    e.preventDefault();
    const ms = Number(runTo);
    if (runTo.trim() === '' || !Number.isFinite(ms)) return;
    void runBothTo(ms * 1000);
  };

  return (
    <div className="cmp">
      <div className="views-bar" role="toolbar" aria-label="Compare">
        <div className="views-group">
          <span className="cmp-what">
            Branch: <strong>{branch.label}</strong> at {formatEvent(branch.atEvent)} (
            {formatTime(branch.atUs)})
          </span>
          <button type="button" className="btn small" onClick={() => void closeBranch()}>
            Close branch
          </button>
        </div>
        <div className="views-group">
          <button type="button" className="btn small" onClick={() => setSpanUs(span / 2)}>
            Zoom in
          </button>
          <button type="button" className="btn small" onClick={() => setSpanUs(span * 2)}>
            Zoom out
          </button>
          <button
            type="button"
            className="btn small"
            aria-label="Pan earlier"
            onClick={() => setPanUs((v) => v - 0.4 * span)}
          >
            ◀
          </button>
          <button
            type="button"
            className="btn small"
            aria-label="Pan later"
            onClick={() => setPanUs((v) => v + 0.4 * span)}
          >
            ▶
          </button>
          <button
            type="button"
            className="btn small"
            title="The fork point, the first difference and now in view"
            onClick={() => {
              setSpanUs(null);
              setPanUs(0);
            }}
          >
            Fit
          </button>
          <span className="views-readout num">{spanLabel(span)} shown</span>
        </div>
        <form className="views-group" onSubmit={submitRunTo}>
          <label className="cmp-runto">
            <span>Run both to</span>
            <input
              className="input cmp-runto-input"
              type="number"
              min={0}
              step="any"
              value={runTo}
              placeholder={`${Math.ceil((nowUs + 50_000) / 1000)}`}
              onChange={(e) => setRunTo(e.target.value)}
            />
            <span>ms</span>
          </label>
          <button type="submit" className="btn small" disabled={runTo.trim() === ''}>
            Run both
          </button>
        </form>
      </div>
      <p className="cmp-diff-line" data-testid="cmp-diff-summary" aria-live="polite">
        {diff === null ? (
          'Comparing…'
        ) : diff.row === null ? (
          `No difference yet in the ${formatCount(diff.compared)} trace rows both runs have: step or play the run to see the futures part.`
        ) : (
          <>
            <strong>First difference at {formatEvent(diff.index ?? 0)}</strong> (
            {formatTime(diff.timeUs ?? 0)}) — main: {describeRow(diff.a)}; branch: {describeRow(diff.b)}.
          </>
        )}
      </p>
      <div className="cmp-body">
        <section
          ref={box}
          className="cmp-diagrams"
          aria-label="Space-time diagrams, main and branch"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable).
          tabIndex={0}
        >
          <Diagram
            run="main"
            title={`main · ${where(mStatus)}`}
            model={mainModel}
            fromUs={fromUs}
            toUs={toUs}
            nowUs={mStatus?.nowUs ?? 0}
            forkUs={branch.atUs}
            diff={diff}
            width={width}
            laneH={laneH}
            p={p}
          />
          <Diagram
            run="branch"
            title={`branch (${branch.label}) · ${where(bStatus)}`}
            model={branchModel}
            fromUs={fromUs}
            toUs={toUs}
            nowUs={bStatus?.nowUs ?? 0}
            forkUs={branch.atUs}
            diff={diff}
            width={width}
            laneH={laneH}
            p={p}
          />
        </section>
        <section
          className="cmp-charts"
          aria-label="Metrics of both runs"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable).
          tabIndex={0}
        >
          {charts.map((g) => (
            <OverlayChart key={g.key} group={g} />
          ))}
          {charts.length === 0 && <p className="cmp-none">No metric series yet.</p>}
        </section>
      </div>
    </div>
  );
}
