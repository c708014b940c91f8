import type { ChartSpec, NodeMetricSpec, NodeView } from '../../protocol';

/**
 * The lesson's plot (issue 18): every node's clock error over virtual time, before and after
 * synchronization, with the bound the algorithm promises drawn on it as ±bound. Errors span
 * seconds before synchronization and microseconds after, both signs, so the chart's scale is
 * linear within ±100 µs and logarithmic beyond.
 */
/** The chart, titled; `band` for the bound series (drawn as ±bound). */
export function clockChart(title: string, band = false): ChartSpec {
  return { title, scale: 'asinh', linearUnder: 100, ...(band ? { band: true } : {}) };
}

/**
 * Each node's clock error (local clock − true time, µs), read from the kernel: no node can
 * know it. A node that is down has no sample.
 */
export function clockErrorSeries<S>(title: string): NodeMetricSpec<S> {
  return {
    id: 'clockErrorUs',
    unit: 'us',
    chart: clockChart(title),
    read: (n: NodeView<S>) => (n.up && n.clockErrorUs !== undefined ? n.clockErrorUs : null),
  };
}
