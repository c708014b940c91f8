/**
 * The Metrics tab's charts: which series share a chart (a protocol metric's `chart`, such as
 * every node's clock error with the bound the algorithm promises), and their points on one time
 * axis. Pure.
 */
import type { Res } from '../../../shared/api';

type Series = Res<'sim.metrics'>['series'][number];
type Chart = NonNullable<Series['chart']>;

/** One chart: a series alone, or every series naming the same chart title. */
export interface ChartGroup {
  /** React key and test id: the series id, or `chart:<title>`. */
  key: string;
  /** The chart's title. */
  title: string;
  /** Its series, in the order the run reports them. */
  series: Series[];
  /** The chart's options (scale), from its first series; undefined for a lone series. */
  chart?: Chart;
}

/** The charts, in the order their first series comes. */
export function groupCharts(all: readonly Series[]): ChartGroup[] {
  const out: ChartGroup[] = [];
  const byTitle = new Map<string, ChartGroup>();
  for (const s of all) {
    if (s.chart === undefined) {
      out.push({ key: s.id, title: s.id, series: [s] });
      continue;
    }
    let g = byTitle.get(s.chart.title);
    if (g === undefined) {
      g = { key: `chart:${s.chart.title}`, title: s.chart.title, series: [], chart: s.chart };
      byTitle.set(s.chart.title, g);
      out.push(g);
    }
    g.series.push(s);
  }
  return out;
}

/**
 * The charts with the protocol's own first: a chart with a series the protocol declares (its
 * `metrics` in the catalog) or a per-node series, then the network's (inFlight, sent,
 * delivered, dropped, opLatencyUs), each part in its own order. The network's come first in a
 * run, and for a protocol without a workload (clocks, dataflow) they filled the first row of a
 * narrow panel while the protocol's story (Berkeley's spread, 2PC's locks) sat below the fold.
 */
export function protocolChartsFirst(
  groups: readonly ChartGroup[],
  protocolMetricIds: readonly string[],
): ChartGroup[] {
  const own = new Set(protocolMetricIds);
  const isOwn = (g: ChartGroup) => g.series.some((s) => own.has(s.id) || s.node !== undefined);
  return [...groups.filter(isOwn), ...groups.filter((g) => !isOwn(g))];
}

/** A drawn line: its label, values on the shared axis (null: no sample), and whether it is a bound. */
export interface ChartLine {
  label: string;
  v: (number | null)[];
  /** A bound's line, drawn dashed: a `band` series (once as is and once negated) or a `ceiling`. */
  bound: boolean;
}

/**
 * The group's points on one time axis (the union of its series' sample times, ascending), a line
 * per series, and a band series' negation after it (a ceiling is drawn once). `scale` maps a value to the unit drawn (µs
 * to ms). A series without a sample at a time has null there.
 */
export function chartLines(
  g: ChartGroup,
  scale: (v: number) => number = (v) => v,
): { tUs: number[]; lines: ChartLine[] } {
  const times = new Set<number>();
  for (const s of g.series) for (const t of s.tUs) times.add(t);
  const tUs = [...times].sort((a, b) => a - b);
  const at = new Map(tUs.map((t, i) => [t, i]));
  const lines: ChartLine[] = [];
  for (const s of g.series) {
    const v: (number | null)[] = tUs.map(() => null);
    s.tUs.forEach((t, i) => {
      const x = s.v[i];
      if (x !== undefined) v[at.get(t)!] = scale(x);
    });
    const band = s.chart?.band === true;
    const label = s.node ?? s.id;
    lines.push({ label: band ? `+${label}` : label, v, bound: band || s.chart?.ceiling === true });
    if (band) lines.push({ label: `−${label}`, v: v.map((x) => (x === null ? null : -x)), bound: band });
  }
  return { tUs, lines };
}

/** A series of the Compare tab: the same id in the main run and in its branch. */
export interface ComparedSeries {
  id: string;
  main?: Series;
  branch?: Series;
}

/** A chart of the Compare tab: grouped as the Metrics tab groups the series. */
export interface CompareGroup {
  /** React key and test id: the series id, or `chart:<title>`. */
  key: string;
  title: string;
  /** Its series, in the order the main run (then the branch) reports them. */
  series: ComparedSeries[];
  /** The chart's options, from its first series; undefined for a lone series. */
  chart?: Chart;
}

/**
 * The Compare tab's charts: every series id of either run, grouped by chart title as
 * groupCharts groups one run's (every node's clock error on one chart, not one chart a node).
 */
export function compareCharts(main: readonly Series[], branch: readonly Series[]): CompareGroup[] {
  const byId = new Map<string, ComparedSeries>();
  const order: Series[] = [];
  for (const s of main) {
    byId.set(s.id, { id: s.id, main: s });
    order.push(s);
  }
  for (const s of branch) {
    const c = byId.get(s.id);
    if (c !== undefined) c.branch = s;
    else {
      byId.set(s.id, { id: s.id, branch: s });
      order.push(s);
    }
  }
  return groupCharts(order).map((g) => ({
    key: g.key,
    title: g.title,
    series: g.series.map((s) => byId.get(s.id)!),
    ...(g.chart !== undefined ? { chart: g.chart } : {}),
  }));
}

/** A line of a Compare chart: whose run it is, and which series of the group (its colour). */
export interface CompareLine extends ChartLine {
  run: 'main' | 'branch';
  /** The series' place in its group. */
  slot: number;
}

/**
 * A Compare chart's points on one time axis (the union of both runs' sample times), and for
 * each series its main run's lines then its branch's. A lone series' lines are labelled "main" and
 * "branch"; in a group each is its series' label, the branch's with " (branch)" after it.
 */
export function compareLines(
  g: CompareGroup,
  scale: (v: number) => number = (v) => v,
): { tUs: number[]; lines: CompareLine[] } {
  const runs = (['main', 'branch'] as const).map((run) => {
    const series = g.series.map((c) => c[run]).filter((s): s is Series => s !== undefined);
    return { run, series };
  });
  const times = new Set<number>();
  for (const r of runs) for (const s of r.series) for (const t of s.tUs) times.add(t);
  const tUs = [...times].sort((a, b) => a - b);
  const lone = g.series.length === 1 && g.chart === undefined;
  const lines: CompareLine[] = [];
  for (const [slot, c] of g.series.entries())
    for (const run of ['main', 'branch'] as const) {
      const s = c[run];
      if (s === undefined) continue;
      const one = { key: s.id, title: s.id, series: [s] };
      const { tUs: own, lines: drawn } = chartLines(one, scale);
      const at = new Map(own.map((t, i) => [t, i]));
      for (const l of drawn) {
        const v = tUs.map((t) => {
          const i = at.get(t);
          return i === undefined ? null : (l.v[i] ?? null);
        });
        const label = lone ? run : run === 'branch' ? `${l.label} (branch)` : l.label;
        lines.push({ label, v, bound: l.bound, run, slot });
      }
    }
  return { tUs, lines };
}
