/**
 * The Experiment tab, for a protocol that lists an experiment in the catalog (such as Raft's
 * Figure 16): `experiments.run` runs many simulations on clusters of their own, and we plot one
 * cumulative distribution per series, in one graph per panel, on a log-scale time axis with the
 * cumulative percent of all trials up the side, as the papers do. Censored trials (no result
 * within the cap) are counted: a line ends at the cap with an open mark, and the legend says how
 * many ("37 of 1000 over 10 s"). The texts come with the experiment. The host needs seconds, so
 * the button shows it is working, the trials done so far (experiments.progress) and a Cancel
 * button (experiments.cancel), and the result is kept (module state, per experiment) when the
 * tab is left and reopened, for as long as the same scenario is open: another scenario (opened,
 * a new one, another protocol) starts with no result, rather than one run before it was opened.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { create } from 'zustand';
import { DslabApiError, type ExperimentInfo } from '../../../../shared/api';
import { call, subscribe } from '../../api/client';
import { useGraph } from '../../stores/graph-store';
import { useUi } from '../../stores/ui-store';
import {
  type CdfSeries,
  cdfPath,
  cdfSeries,
  censoredLabel,
  type ElectionResult,
  logDomain,
  logTicks,
  logX,
  msLabel,
} from '../../views/cdf';
import { ExportButtons } from './ExportButtons';
import { fileStem } from './export';
import { useViewPalette, VIEW_FONT } from './palette';

interface ExperimentState {
  /** The experiment the shown result (or the run in progress) belongs to. */
  experiment: string | null;
  /** Trials per series of the shown result (or of the run in progress). */
  trials: number;
  /** The scenario it was run for: the graph store's loadCount when the run started. */
  load: number;
  /** The last result. */
  results: ElectionResult[] | null;
  /** A run is in progress since this performance.now(), or null. */
  runningSince: number | null;
  /** The run in progress: its runId (to cancel it) and the trials done of all. */
  runId: string | null;
  progress: { done: number; total: number } | null;
  set(patch: Partial<Omit<ExperimentState, 'set'>>): void;
}

const useExperiment = create<ExperimentState>()((set) => ({
  experiment: null,
  trials: 20,
  load: -1,
  results: null,
  runningSince: null,
  runId: null,
  progress: null,
  set: (patch) => set(patch),
}));

let runCount = 0;

async function runExperiment(experiment: string, trials: number): Promise<void> {
  const st = useExperiment.getState();
  if (st.runningSince !== null) return;
  const runId = `experiment-${++runCount}`;
  const load = useGraph.getState().loadCount;
  st.set({
    experiment,
    trials,
    load,
    results: st.experiment === experiment && st.load === load ? st.results : null,
    runningSince: performance.now(),
    runId,
    progress: null,
  });
  const off = subscribe('experiments.progress', (p) => {
    if (p.runId === runId) useExperiment.getState().set({ progress: { done: p.done, total: p.total } });
  });
  try {
    const results = await call('experiments.run', { experiment, trials, seed: 1, runId });
    useExperiment.getState().set({ results });
  } catch (err) {
    if (err instanceof DslabApiError && err.code === 'cancelled') {
      const p = useExperiment.getState().progress;
      const where = p ? ` after ${p.done} of ${p.total} trials` : '';
      useUi.getState().toast(`The experiment was cancelled${where}; the last result is kept.`);
    } else
      useUi
        .getState()
        .toast(`The experiment failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
  } finally {
    off();
    useExperiment.getState().set({ runningSince: null, runId: null, progress: null });
  }
}

function cancelExperiment(): void {
  const { runId } = useExperiment.getState();
  if (!runId) return;
  call('experiments.cancel', { runId }).catch((err) =>
    useUi.getState().toast(`Could not cancel: ${err instanceof Error ? err.message : String(err)}`, 'error'),
  );
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, []);
  return <span className="num">{((now - since) / 1000).toFixed(1)} s</span>;
}

/** Line colour slots and dashes per series: six ranges a panel, told apart in both themes. */
const SERIES_SLOTS = [0, 1, 2, 3, 4, 5];
const dash = (i: number) => (i >= 4 ? '6 3' : undefined);

/** Geometry of one panel: plot box and legend (at its right), inside the figure. */
const PANEL_H = 250;
const LEGEND_W = 178;
/** Panels go side by side when each gets at least this much width. */
const PANEL_MIN_W = 540;

/** Legend rows: a censored series takes a second line for "37 of 1000 over 10 s". */
function legendRows(series: readonly CdfSeries[], y0: number): number[] {
  const ys: number[] = [];
  let y = y0;
  for (const s of series) {
    ys.push(y);
    y += s.censored > 0 ? 30 : 18;
  }
  return ys;
}

function Panel({
  series,
  info,
  title,
  left,
  top,
  width,
}: {
  series: CdfSeries[];
  info: ExperimentInfo;
  title: string;
  left: number;
  top: number;
  width: number;
}) {
  const p = useViewPalette();
  const box = { x0: left + 52, x1: left + width - LEGEND_W, y0: top + 28, y1: top + PANEL_H - 40 };
  const colour = (i: number) => p.msg[SERIES_SLOTS[i % SERIES_SLOTS.length] ?? 0];
  const domain = logDomain(series);
  const ticks = logTicks(domain);
  // Label the 2x and 5x ticks only when a decade is wide enough for three labels.
  const decadePx = (box.x1 - box.x0) / Math.log10(domain[1] / domain[0]);
  const labelMinor = decadePx >= 150;
  const y = (v: number) => box.y1 - v * (box.y1 - box.y0);
  const caps = [...new Set(series.filter((s) => s.censored > 0).map((s) => s.capMs))];
  const rows = legendRows(series, box.y0 + 22);
  return (
    <g data-testid="cdf-panel">
      <text x={left + 14} y={top + 14} fill={p.text} fontWeight={600}>
        {title}
      </text>
      {[0, 0.25, 0.5, 0.75, 1].map((v) => (
        <g key={v}>
          <line x1={box.x0} x2={box.x1} y1={y(v)} y2={y(v)} stroke={p.border} />
          <text x={box.x0 - 6} y={y(v) + 4} textAnchor="end" fill={p.muted}>
            {`${v * 100}%`}
          </text>
        </g>
      ))}
      {ticks.map((t) => {
        const x = logX(t.ms, domain, box.x0, box.x1);
        return (
          <g key={t.ms}>
            <line
              x1={x}
              x2={x}
              y1={box.y0}
              y2={box.y1 + (t.major ? 5 : 3)}
              stroke={p.border}
              strokeDasharray={t.major ? undefined : '2 3'}
            />
            {(t.major || labelMinor) && (
              <text x={x} y={box.y1 + 17} textAnchor="middle" fill={p.muted}>
                {msLabel(t.ms)}
              </text>
            )}
          </g>
        );
      })}
      <text x={(box.x0 + box.x1) / 2} y={top + PANEL_H - 6} textAnchor="middle" fill={p.text}>
        {info.measure} (log scale)
      </text>
      <text
        x={left + 14}
        y={(box.y0 + box.y1) / 2}
        textAnchor="middle"
        fill={p.text}
        transform={`rotate(-90 ${left + 14} ${(box.y0 + box.y1) / 2})`}
      >
        cumulative percent
      </text>
      <line x1={box.x0} x2={box.x1} y1={box.y1} y2={box.y1} stroke={p.muted} />
      <line x1={box.x0} x2={box.x0} y1={box.y0} y2={box.y1} stroke={p.muted} />
      {/* The cap: censored trials are beyond it, the lines end there with an open mark. */}
      {caps.map((cap) => {
        const x = logX(cap, domain, box.x0, box.x1);
        return (
          <g key={cap} data-testid="cdf-cap">
            <line x1={x} x2={x} y1={box.y0} y2={box.y1} stroke={p.danger} strokeDasharray="4 3" />
            <text x={x - 4} y={box.y0 - 4} textAnchor="end" fill={p.danger} fontSize={10}>
              {`cap ${msLabel(cap)}`}
            </text>
          </g>
        );
      })}
      {series.map((s, i) => (
        <g key={s.label}>
          <path
            data-testid="cdf-series"
            d={cdfPath(s, domain, box)}
            fill="none"
            stroke={colour(i)}
            strokeDasharray={dash(i)}
            strokeWidth={1.8}
            strokeLinejoin="round"
          >
            <title>{`${s.label}: median ${s.medianMs === null ? `over ${msLabel(s.capMs)}` : msLabel(s.medianMs)}${s.censored > 0 ? `; ${censoredLabel(s)}` : ''}`}</title>
          </path>
          {s.censored > 0 && (
            <circle
              data-testid="cdf-censored"
              cx={logX(s.capMs, domain, box.x0, box.x1)}
              cy={y(s.endP)}
              r={3.5}
              fill={p.bg}
              stroke={colour(i)}
              strokeWidth={1.8}
            />
          )}
        </g>
      ))}
      {/* Legend: range, median, and how many trials were censored */}
      <text x={box.x1 + 14} y={box.y0 + 2} fill={p.text} fontWeight={600}>
        {info.seriesLabel}
      </text>
      <text x={box.x1 + 120} y={box.y0 + 2} fill={p.text} fontWeight={600}>
        median
      </text>
      {series.map((s, i) => {
        const ly = rows[i]!;
        const lx = box.x1 + 14;
        return (
          <g key={s.label} data-testid="cdf-legend">
            <line
              x1={lx}
              x2={lx + 20}
              y1={ly - 4}
              y2={ly - 4}
              stroke={colour(i)}
              strokeDasharray={dash(i)}
              strokeWidth={2.5}
            />
            <text x={lx + 26} y={ly} fill={p.text}>
              {s.label}
            </text>
            <text x={lx + 106} y={ly} fill={p.muted}>
              {s.medianMs === null ? `> ${msLabel(s.capMs)}` : msLabel(s.medianMs)}
            </text>
            {s.censored > 0 && (
              <text x={lx + 26} y={ly + 12} fill={p.danger} fontSize={10}>
                {censoredLabel(s)}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

function Chart({ series, info }: { series: CdfSeries[]; info: ExperimentInfo }) {
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);
  const holder = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(760);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const W = Math.max(480, width);
  const panels = info.panels.filter((panel) => series.some((s) => s.panel === panel.id));
  const censored = series.some((s) => s.censored > 0);
  // Side by side when there is room (as wide as the figure's two graphs read), else stacked.
  const cols = panels.length > 1 && W >= 2 * PANEL_MIN_W ? 2 : 1;
  const panelW = Math.floor(W / cols);
  const H = Math.ceil(panels.length / cols) * PANEL_H + (censored ? 18 : 0);
  const stem = () => fileStem(info.id, info.protocol);
  return (
    <div className="views-exp-chart" ref={holder}>
      <svg
        ref={svgRef}
        data-testid="cdf-svg"
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Cumulative percent of trials against ${info.measure}, ${series.length} series (${info.seriesLabel}) in ${panels.length} graphs`}
        fontFamily={VIEW_FONT}
        fontSize={11}
      >
        <rect x={0} y={0} width={W} height={H} fill={p.bg} />
        {panels.map((panel, k) => (
          <Panel
            key={panel.id}
            series={series.filter((s) => s.panel === panel.id)}
            info={info}
            title={panel.title}
            left={(k % cols) * panelW}
            top={Math.floor(k / cols) * PANEL_H}
            width={panelW}
          />
        ))}
        {censored && (
          <text x={14} y={H - 6} fill={p.muted} fontSize={10}>
            {info.censoredNote}
          </text>
        )}
      </svg>
      <ExportButtons svg={svgRef} stem={stem} />
    </div>
  );
}

export function ExperimentView({ info }: { info: ExperimentInfo }) {
  const st = useExperiment();
  const load = useGraph((s) => s.loadCount);
  const mine = st.experiment === info.id && st.load === load;
  const trials = mine ? st.trials : info.defaultTrials;
  const results = mine ? st.results : null;
  const runningSince = st.runningSince;
  const [choice, setChoice] = useState<number>(trials);
  const selectId = useId();
  const running = runningSince !== null;
  const series = results ? cdfSeries(results) : null;
  return (
    <div className="views-exp">
      <div className="views-exp-side">
        <h3 className="views-exp-title">{info.title}</h3>
        <p className="views-exp-text">{info.summary}</p>
        <p className="views-exp-text">{info.method}</p>
        <div className="views-group">
          <label className="tb-field" htmlFor={selectId}>
            <span className="tb-label">{info.trialsLabel}</span>
            <select
              id={selectId}
              className="select small"
              value={choice}
              disabled={running}
              onChange={(e) => setChoice(Number(e.target.value))}
            >
              {info.trialsChoices.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn small primary"
            disabled={running}
            aria-busy={running}
            onClick={() => void runExperiment(info.id, choice)}
          >
            {running ? 'Running…' : 'Run experiment'}
          </button>
          {running && runningSince !== null && (
            <>
              <span className="views-readout" role="status">
                <span className="views-spinner" aria-hidden="true" /> running trials…{' '}
                {st.progress && (
                  <span className="num">
                    {st.progress.done} of {st.progress.total} ·{' '}
                  </span>
                )}
                <Elapsed since={runningSince} />
              </span>
              <button type="button" className="btn small" onClick={cancelExperiment}>
                Cancel
              </button>
            </>
          )}
          {!running && results && (
            <span className="views-readout muted">{trials} trials per series · seed 1</span>
          )}
        </div>
      </div>
      {series ? (
        <Chart series={series} info={info} />
      ) : (
        <div className="empty views-exp-empty">
          <p className="empty-title">No result yet</p>
          <p className="empty-body">
            Run the experiment: {info.defaultTrials} trials per series take a while (fewer are quicker and
            rougher). It runs on clusters of its own and does not touch the run on the canvas.
          </p>
        </div>
      )}
    </div>
  );
}
