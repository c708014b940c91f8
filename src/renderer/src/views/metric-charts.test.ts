import { describe, expect, it } from 'vitest';
import { chartLines, groupCharts } from './metric-charts';

const clock = { title: 'clock error', scale: 'asinh' as const, linearUnder: 100 };

describe('metric charts', () => {
  it('draws a series alone unless it names a chart; series naming one chart share it', () => {
    const groups = groupCharts([
      { id: 'sent', unit: 'messages', tUs: [0], v: [1] },
      { id: 'boundUs', unit: 'us', tUs: [0], v: [5], chart: { ...clock, band: true } },
      { id: 'rejected', unit: 'readings', tUs: [0], v: [0] },
      { id: 'clockErrorUs.c1', unit: 'us', tUs: [0], v: [3], chart: clock, node: 'c1' },
    ]);
    expect(groups.map((g) => [g.key, g.series.map((s) => s.id)])).toEqual([
      ['sent', ['sent']],
      ['chart:clock error', ['boundUs', 'clockErrorUs.c1']],
      ['rejected', ['rejected']],
    ]);
    expect(groups[1]!.chart?.scale).toBe('asinh');
  });

  it('puts a chart on the union of its sample times, gaps null, and a bound both ways', () => {
    const [g] = groupCharts([
      { id: 'boundUs', unit: 'us', tUs: [100, 200], v: [2000, 1000], chart: { ...clock, band: true } },
      { id: 'clockErrorUs.c1', unit: 'us', tUs: [0, 200], v: [-5000, 400], chart: clock, node: 'c1' },
    ]);
    const { tUs, lines } = chartLines(g!, (v) => v / 1000);
    expect(tUs).toEqual([0, 100, 200]);
    expect(lines).toEqual([
      { label: '+boundUs', v: [null, 2, 1], bound: true },
      { label: '−boundUs', v: [null, -2, -1], bound: true },
      { label: 'c1', v: [-5, null, 0.4], bound: false },
    ]);
  });

  it('draws a ceiling dashed once, not negated: a bound on a spread is no band around zero', () => {
    const agree = { title: 'agreement' };
    const [g] = groupCharts([
      { id: 'clockSpreadUs', unit: 'us', tUs: [0, 100], v: [3000, 1000], chart: agree },
      {
        id: 'agreementBoundUs',
        unit: 'us',
        tUs: [0, 100],
        v: [7000, 6000],
        chart: { ...agree, ceiling: true },
      },
    ]);
    expect(chartLines(g!, (v) => v / 1000).lines).toEqual([
      { label: 'clockSpreadUs', v: [3, 1], bound: false },
      { label: 'agreementBoundUs', v: [7, 6], bound: true },
    ]);
  });
});
