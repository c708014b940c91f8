/**
 * The Experiment tab, for a protocol that lists an experiment in the catalog (such as Raft's
 * Figure 16): `experiments.run` runs many simulations on clusters of their own, and we plot one
 * cumulative distribution per series on a log-scale time axis, as the papers do. The texts come
 * with the experiment. The host needs a few seconds, so the button shows it is working and the
 * result is kept (module state, per experiment) when the tab is left and reopened, for as long
 * as the same scenario is open: another scenario (opened, a new one, another protocol) starts
 * with no result, rather than showing one that was run before it was opened.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { create } from 'zustand';
import type { ExperimentInfo } from '../../../../shared/api';
import { call } from '../../api/client';
import { useGraph } from '../../stores/graph-store';
import { useUi } from '../../stores/ui-store';
import {
  type CdfSeries,
  cdfPath,
  cdfSeries,
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
  set(patch: Partial<Omit<ExperimentState, 'set'>>): void;
}

const useExperiment = create<ExperimentState>()((set) => ({
  experiment: null,
  trials: 20,
  load: -1,
  results: null,
  runningSince: null,
  set: (patch) => set(patch),
}));

async function runExperiment(experiment: string, trials: number): Promise<void> {
  const st = useExperiment.getState();
  if (st.runningSince !== null) return;
  const load = useGraph.getState().loadCount;
  st.set({
    experiment,
    trials,
    load,
    results: st.experiment === experiment && st.load === load ? st.results : null,
    runningSince: performance.now(),
  });
  try {
    const results = await call('experiments.run', { experiment, trials, seed: 1 });
    useExperiment.getState().set({ results });
  } catch (err) {
    useUi
      .getState()
      .toast(`The experiment failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
  } finally {
    useExperiment.getState().set({ runningSince: null });
  }
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, []);
  return <span className="num">{((now - since) / 1000).toFixed(1)} s</span>;
}

/** Line colour slots and dashes per series: six ranges, told apart in both themes. */
const SERIES_SLOTS = [0, 1, 2, 3, 4, 5];
const dash = (i: number) => (i >= 4 ? '6 3' : undefined);

function Chart({ series, info }: { series: CdfSeries[]; info: ExperimentInfo }) {
  const p = useViewPalette();
  const svgRef = useRef<SVGSVGElement>(null);
  const holder = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const W = Math.max(420, width);
  const H = 250;
  const box = { x0: 52, x1: W - 270, y0: 14, y1: H - 40 };
  const colour = (i: number) => p.msg[SERIES_SLOTS[i % SERIES_SLOTS.length] ?? 0];
  const domain = logDomain(series);
  const ticks = logTicks(domain);
  // Label the 2x and 5x ticks only when a decade is wide enough for three labels.
  const decadePx = (box.x1 - box.x0) / Math.log10(domain[1] / domain[0]);
  const labelMinor = decadePx >= 150;
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
        aria-label={`Cumulative fraction of trials against ${info.measure}, ${series.length} series (${info.seriesLabel})`}
        fontFamily={VIEW_FONT}
        fontSize={11}
      >
        <rect x={0} y={0} width={W} height={H} fill={p.bg} />
        {[0, 0.25, 0.5, 0.75, 1].map((v) => {
          const y = box.y1 - v * (box.y1 - box.y0);
          return (
            <g key={v}>
              <line x1={box.x0} x2={box.x1} y1={y} y2={y} stroke={p.border} />
              <text x={box.x0 - 6} y={y + 4} textAnchor="end" fill={p.muted}>
                {v === 0 || v === 1 ? v : v.toFixed(2)}
              </text>
            </g>
          );
        })}
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
        <text x={(box.x0 + box.x1) / 2} y={H - 6} textAnchor="middle" fill={p.text}>
          {info.measure} (log scale)
        </text>
        <text
          x={14}
          y={(box.y0 + box.y1) / 2}
          textAnchor="middle"
          fill={p.text}
          transform={`rotate(-90 14 ${(box.y0 + box.y1) / 2})`}
        >
          cumulative fraction
        </text>
        <line x1={box.x0} x2={box.x1} y1={box.y1} y2={box.y1} stroke={p.muted} />
        <line x1={box.x0} x2={box.x0} y1={box.y0} y2={box.y1} stroke={p.muted} />
        {series.map((s, i) => (
          <path
            key={s.label}
            data-testid="cdf-series"
            d={cdfPath(s, domain, box)}
            fill="none"
            stroke={colour(i)}
            strokeDasharray={dash(i)}
            strokeWidth={1.8}
            strokeLinejoin="round"
          >
            <title>{`${s.label}: median ${msLabel(s.medianMs)}`}</title>
          </path>
        ))}
        {/* Legend: range, median, and how many never found a leader before the cap */}
        <text x={box.x1 + 18} y={box.y0 + 6} fill={p.text} fontWeight={600}>
          {info.seriesLabel}
        </text>
        <text x={box.x1 + 130} y={box.y0 + 6} fill={p.text} fontWeight={600}>
          median
        </text>
        {series.map((s, i) => {
          const y = box.y0 + 26 + i * 20;
          const lx = box.x1 + 18;
          return (
            <g key={s.label} data-testid="cdf-legend">
              <line
                x1={lx}
                x2={lx + 20}
                y1={y - 4}
                y2={y - 4}
                stroke={colour(i)}
                strokeDasharray={dash(i)}
                strokeWidth={2.5}
              />
              <text x={lx + 26} y={y} fill={p.text}>
                {s.label}
              </text>
              <text x={lx + 112} y={y} fill={p.muted}>
                {s.capped >= s.trials / 2 ? '—' : msLabel(s.medianMs)}
              </text>
              {s.capped > 0 && (
                <text x={lx + 170} y={y} fill={p.danger}>
                  {`${s.capped}/${s.trials} capped`}
                </text>
              )}
            </g>
          );
        })}
        {series.some((s) => s.capped > 0) && (
          <text x={box.x1 + 18} y={box.y0 + 26 + series.length * 20 + 8} fill={p.muted} fontSize={10}>
            {info.capNote}
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
            <span className="views-readout" role="status">
              <span className="views-spinner" aria-hidden="true" /> running trials…{' '}
              <Elapsed since={runningSince} />
            </span>
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
            Run the experiment: {info.defaultTrials} trials per series take a few seconds. It runs on its own
            clusters and does not touch the run on the canvas.
          </p>
        </div>
      )}
    </div>
  );
}
