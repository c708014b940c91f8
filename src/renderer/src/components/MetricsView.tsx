/**
 * The Metrics tab: one small uPlot chart per series over virtual time (ms), refreshed while
 * the tab is shown at most every 500 ms, and the counters and gauges in two tables.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Res } from '../../../shared/api';
import { refreshMetrics } from '../app/run';
import { useThrottledRefresh } from '../app/use-throttled';
import { formatMetric } from '../run/format';
import { useRun } from '../stores/run-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { selectTheme, useUi } from '../stores/ui-store';
import { metricsCsv } from '../views/metrics-csv';
import { downloadBlob } from './views/export';

type Series = Res<'sim.metrics'>['series'][number];

const CHART_HEIGHT = 84;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A series' values in a unit people read: µs latencies become ms. */
function scaled(s: Series): { unit: string; v: number[] } {
  if (s.unit === 'us') return { unit: 'ms', v: s.v.map((x) => x / 1000) };
  return { unit: s.unit, v: s.v };
}

function Chart({ series, slot }: { series: Series; slot: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useUi(selectTheme);

  // Created per theme (colours come from the theme's tokens), resized with its box.
  // biome-ignore lint/correctness/useExhaustiveDependencies: theme changes the CSS tokens read inside.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text-muted');
    const grid = cssVar('--border');
    const stroke = cssVar(`--msg-${slot}`);
    const axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: 36,
    };
    const u = new uPlot(
      {
        width: Math.max(160, el.clientWidth),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { show: true, points: { show: false } },
        scales: { x: { time: false } },
        axes: [
          { ...axis, size: 26, values: (_u, ticks) => ticks.map((t) => `${Number(t.toPrecision(4))}`) },
          { ...axis, size: 40, values: (_u, ticks) => ticks.map((t) => `${Number(t.toPrecision(3))}`) },
        ],
        series: [{}, { stroke, width: 1.5, fill: `${stroke}22`, points: { show: false } }],
      },
      [[], []],
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() =>
      u.setSize({ width: Math.max(160, el.clientWidth), height: CHART_HEIGHT }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [theme, slot]);

  useEffect(() => {
    plot.current?.setData([series.tUs.map((t) => t / 1000), scaled(series).v]);
  }, [series]);

  const last = series.v[series.v.length - 1];
  const unit = scaled(series).unit;
  return (
    <figure className="chart">
      <figcaption className="chart-head">
        <span className="chart-title">{series.id}</span>
        <span className="chart-value num">
          {last === undefined
            ? '—'
            : `${Number((series.unit === 'us' ? last / 1000 : last).toPrecision(4))} ${unit}`}
        </span>
      </figcaption>
      <div ref={box} className="chart-plot" role="img" aria-label={`${series.id} over virtual time (ms)`} />
    </figure>
  );
}

function Table({ caption, values }: { caption: string; values: Record<string, number> }) {
  const entries = Object.entries(values);
  return (
    <table className="metric-table">
      <caption>{caption}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td className="num metric-value">{formatMetric(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MetricsView() {
  const simId = useRun((s) => s.simId);
  const event = useRun((s) => s.status?.eventIndex ?? -1);
  const metrics = useRun((s) => s.metrics);
  const protocol = useSession(selectProtocol);
  useThrottledRefresh(refreshMetrics, `${simId}:${event}`, simId !== null, 500);

  if (!simId || !metrics) {
    const declared = protocol?.metrics ?? [];
    return (
      <div className="empty">
        <p className="empty-title">No metrics yet</p>
        <p className="empty-body">
          Press Play or Step to chart the run over virtual time
          {declared.length > 0
            ? `: ${declared.map((m) => m.id).join(', ')}, plus the network's counters.`
            : '.'}
        </p>
      </div>
    );
  }
  return (
    <div className="metrics">
      <div className="charts">
        {metrics.series.map((s, i) => (
          <Chart key={s.id} series={s} slot={i % 8} />
        ))}
      </div>
      <div className="metric-tables">
        <button
          type="button"
          className="btn small views-csv"
          title="t_us plus one column per series"
          onClick={() =>
            downloadBlob(
              new Blob([metricsCsv(metrics.series)], { type: 'text/csv' }),
              `metrics-${protocol?.id ?? 'run'}-e${event}.csv`,
            )
          }
        >
          Export CSV
        </button>
        <Table caption="Counters" values={metrics.counters} />
        <Table caption="Gauges" values={metrics.gauges} />
      </div>
    </div>
  );
}
