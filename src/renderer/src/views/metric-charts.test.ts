import { describe, expect, it } from 'vitest';
import { chartLines, compareCharts, compareLines, groupCharts, protocolChartsFirst } from './metric-charts';

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

  it("puts the protocol's own charts before the network's, each in its order", () => {
    const groups = groupCharts([
      { id: 'inFlight', unit: 'messages', tUs: [0], v: [0] },
      { id: 'sent', unit: 'messages', tUs: [0], v: [1] },
      { id: 'spreadUs', unit: 'us', tUs: [0], v: [9] },
      { id: 'correctionUs', unit: 'us', tUs: [0], v: [2] },
      { id: 'clockErrorUs.s1', unit: 'us', tUs: [0], v: [3], chart: clock, node: 's1' },
    ]);
    expect(protocolChartsFirst(groups, ['spreadUs', 'correctionUs']).map((g) => g.key)).toEqual([
      'spreadUs',
      'correctionUs',
      'chart:clock error',
      'inFlight',
      'sent',
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

  it('Compare: per-node series of both runs share their chart, each node in both runs', () => {
    const err = (node: string, tUs: number[], v: number[]) => ({
      id: `clockErrorUs.${node}`,
      unit: 'us',
      tUs,
      v,
      chart: clock,
      node,
    });
    const main = [
      { id: 'sent', unit: 'messages', tUs: [0], v: [1] },
      err('c1', [0, 100], [1000, 2000]),
      err('c2', [0], [-1000]),
    ];
    const branch = [{ id: 'sent', unit: 'messages', tUs: [0], v: [2] }, err('c1', [100, 200], [3000, 4000])];
    const groups = compareCharts(main, branch);
    expect(
      groups.map((g) => [g.key, g.series.map((s) => [s.id, s.main !== undefined, s.branch !== undefined])]),
    ).toEqual([
      ['sent', [['sent', true, true]]],
      [
        'chart:clock error',
        [
          ['clockErrorUs.c1', true, true],
          ['clockErrorUs.c2', true, false],
        ],
      ],
    ]);
    const { tUs, lines } = compareLines(groups[1]!, (v) => v / 1000);
    expect(tUs).toEqual([0, 100, 200]);
    expect(lines).toEqual([
      { label: 'c1', v: [1, 2, null], bound: false, run: 'main', slot: 0 },
      { label: 'c1 (branch)', v: [null, 3, 4], bound: false, run: 'branch', slot: 0 },
      { label: 'c2', v: [-1, null, null], bound: false, run: 'main', slot: 1 },
    ]);
    // A lone series keeps the labels "main" and "branch".
    expect(compareLines(groups[0]!).lines.map((l) => l.label)).toEqual(['main', 'branch']);
  });

  it('Compare: a band is drawn both ways in each run', () => {
    const band = { id: 'boundUs', unit: 'us', tUs: [0], v: [5], chart: { ...clock, band: true } };
    const [g] = compareCharts([band], [{ ...band, v: [7] }]);
    expect(compareLines(g!).lines.map((l) => [l.label, l.v, l.bound, l.run])).toEqual([
      ['+boundUs', [5], true, 'main'],
      ['−boundUs', [-5], true, 'main'],
      ['+boundUs (branch)', [7], true, 'branch'],
      ['−boundUs (branch)', [-7], true, 'branch'],
    ]);
  });
});
