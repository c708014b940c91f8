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
