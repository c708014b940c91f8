/**
 * The Metrics tab: one small uPlot chart per series over virtual time (ms), or one per chart a
 * protocol declares for several series (every node's clock error with a ±bound, say: a legend,
 * a wider chart), refreshed while the tab is shown at most every 500 ms, and the counters and
 * gauges in two tables.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Res } from '../../../shared/api';
import { refreshMetrics } from '../app/run';
import { useThrottledRefresh } from '../app/use-throttled';
import { formatEvent, formatMetric, formatTick, formatTime } from '../run/format';
import { useRun } from '../stores/run-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { selectTheme, useUi } from '../stores/ui-store';
import { type ChartGroup, chartLines, groupCharts, protocolChartsFirst } from '../views/metric-charts';
import { metricsCsv } from '../views/metrics-csv';
import { downloadBlob } from './views/export';

type Series = Res<'sim.metrics'>['series'][number];

const CHART_HEIGHT = 84;
/** A chart of several series is taller: its lines need room to be told apart. */
const GROUP_HEIGHT = 180;

/**
 * A y axis as wide as its widest tick label (uPlot's axis auto-size recipe): a fixed 40 px cut
 * "10000" to "0000". uPlot lays a chart out in up to 3 passes, the labels of one pass depending
 * on the size the previous one chose, and draws the last pass's labels without laying out
 * again; so the second pass keeps the wider of its two sizes and the third changes nothing,
 * and the chart's padding is fixed so the y labels are known from the first pass.
 */
/** The axis's font as uPlot keeps it after setup ([font scaled to the device, ...]). */
function axisFont(axis: uPlot.Axis): string {
  const font = (axis as { font?: string | [string] }).font;
  return Array.isArray(font) ? font[0] : (font ?? '10px sans-serif');
}

/** Room, in CSS px, between the chart's left edge and its widest y label as drawn (null: none). */
function labelRoom(self: uPlot): number | null {
  const axis = self.axes[1] as uPlot.Axis & { _values?: string[]; _show?: boolean };
  const widest = (axis._values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  if (!axis._show || !widest) return null;
  self.ctx.font = axisFont(axis);
  const text = self.ctx.measureText(widest).width / devicePixelRatio;
  return self.bbox.left / devicePixelRatio - (axis.ticks?.size ?? 10) - (axis.gap ?? 5) - text;
}

const fitLabels: uPlot.Axis.Size = (self, values, axisIdx, cycleNum) => {
  const axis = self.axes[axisIdx] as uPlot.Axis & { _size?: number };
  if (cycleNum > 2 && axis._size) return axis._size;
  const widest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 2;
  if (widest) {
    self.ctx.font = axisFont(axis);
    size += self.ctx.measureText(widest).width / devicePixelRatio;
  }
  return Math.ceil(cycleNum > 1 ? Math.max(size, axis._size ?? 0) : size);
};

/**
 * On an 'asinh' scale: labelled ticks at 0 and at ±1, ±10, ±100... from the scale's linear
 * threshold out (closer in they would crowd the 0).
 */
export function decades(linearUnder: number): uPlot.Axis.Filter {
  return (_u, splits) =>
    splits.map((v) => {
      if (v === 0) return v;
      if (Math.abs(v) < linearUnder * 1.5) return null;
      const e = Math.log10(Math.abs(v));
      return Math.abs(e - Math.round(e)) < 1e-6 ? v : null;
    });
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A series' values in a unit people read: µs latencies become ms. */
function scaled(s: Series): { unit: string; v: number[] } {
  if (s.unit === 'us') return { unit: 'ms', v: s.v.map((x) => x / 1000) };
  return { unit: s.unit, v: s.v };
}

/** A value of a series in the unit drawn (µs as ms). */
function toUnit(s: Series): (v: number) => number {
  return s.unit === 'us' ? (v) => v / 1000 : (v) => v;
}

function Chart({ group, slot }: { group: ChartGroup; slot: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useUi(selectTheme);
  const series = group.series[0]!;
  const multi = group.series.length > 1 || group.chart !== undefined;
  const { tUs, lines } = chartLines(group, toUnit(series));
  const height = multi ? GROUP_HEIGHT : CHART_HEIGHT;
  // The lines' labels and kinds: the chart is made again when they change.
  const shape = lines.map((l) => `${l.label}:${l.bound}`).join(',');
  const asinh = group.chart?.scale === 'asinh' ? toUnit(series)(group.chart.linearUnder ?? 1) : null;

  // Created per theme (colours come from the theme's tokens), resized with its box.
  // biome-ignore lint/correctness/useExhaustiveDependencies: theme changes the CSS tokens read inside.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text-muted');
    const grid = cssVar('--border');
    const stroke = cssVar(`--msg-${slot}`);
    let colour = 0;
    const drawn: uPlot.Series[] = lines.map((l) =>
      l.bound
        ? { label: l.label, stroke: text, width: 1.5, dash: [5, 4], points: { show: false } }
        : multi
          ? { label: l.label, stroke: cssVar(`--msg-${colour++ % 8}`), width: 1.5, points: { show: false } }
          : { label: l.label, stroke, width: 1.5, fill: `${stroke}22`, points: { show: false } },
    );
    const axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: 36,
    };
    const u = new uPlot(
      {
        width: Math.max(160, el.clientWidth),
        height,
        legend: { show: multi, live: false },
        // Fixed padding (top, right: room for the edge labels), so the plot's height, and with
        // it the y labels, is known in uPlot's first layout pass (see fitLabels).
        padding: [10, 18, 0, 0],
        cursor: { show: true, points: { show: false } },
        scales: {
          x: { time: false },
          // Linear within ±asinh of zero, logarithmic beyond, both ways (ChartSpec 'asinh').
          ...(asinh !== null ? { y: { distr: 4, asinh } } : {}),
        },
        axes: [
          { ...axis, size: 26, values: (_u, ticks) => ticks.map((t) => `${Number(t.toPrecision(4))}`) },
          // A log-like scale hands null for the ticks it leaves unlabelled.
          {
            ...axis,
            size: fitLabels,
            ...(asinh !== null
              ? {
                  filter: decades(asinh),
                  grid: { ...axis.grid, filter: decades(asinh) },
                  ticks: { ...axis.ticks, filter: decades(asinh) },
                }
              : {}),
            values: (_u, ticks) => ticks.map((t) => (t === null || t === undefined ? '' : formatTick(t))),
          },
        ],
        series: [{}, ...drawn],
        // The px left of the widest y label once drawn (negative: cut off), for the tests.
        hooks: {
          draw: [
            (self) => {
              const room = labelRoom(self);
              if (room === null) delete el.dataset.labelRoom;
              else el.dataset.labelRoom = String(Math.floor(room));
            },
          ],
        },
      },
      [[], ...lines.map(() => [])],
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(160, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [theme, slot, shape, multi, height, asinh]);

  useEffect(() => {
    plot.current?.setData([tUs.map((t) => t / 1000), ...lines.map((l) => l.v)] as uPlot.AlignedData);
  });

  const last = series.v[series.v.length - 1];
  const unit = scaled(series).unit;
  return (
    <figure className={multi ? 'chart chart-group' : 'chart'} data-testid={multi ? 'chart-group' : undefined}>
      <figcaption className="chart-head">
        <span className="chart-title" title={group.title}>
          {group.title}
        </span>
        <span className="chart-value num">
          {multi
            ? unit
            : last === undefined
              ? '—'
              : `${formatMetric(series.unit === 'us' ? last / 1000 : last)} ${unit}`}
        </span>
      </figcaption>
      <div ref={box} className="chart-plot" role="img" aria-label={`${group.title} over virtual time (ms)`} />
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
  // The charts are samples (the kernel takes one every 100 ms of virtual time); the tables are
  // the values at the current event. They differ between samples, so each says when it is.
  const lastSampleUs = metrics.series.reduce((t, x) => Math.max(t, x.tUs[x.tUs.length - 1] ?? 0), 0);
  return (
    <div className="metrics">
      <p className="metrics-when" data-testid="metrics-when">
        Charts: samples, the last at <span className="num">{formatTime(lastSampleUs)}</span>. Counters and
        gauges: at <span className="num">{formatEvent(metrics.counters.events ?? event)}</span>.
      </p>
      <div className="charts">
        {protocolChartsFirst(
          groupCharts(metrics.series),
          (protocol?.metrics ?? []).map((m) => m.id),
        ).map((g, i) => (
          <Chart key={g.key} group={g} slot={i % 8} />
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
