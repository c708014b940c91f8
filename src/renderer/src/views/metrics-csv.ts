/**
 * The metrics series as CSV: `t_us` then one column per series (header `id (unit)`), one row
 * per sample time of any series; a series with no sample at a time leaves its cell empty
 * (no interpolation: the file holds what was measured). Pure.
 */
import type { Res } from '../../../shared/api';

type Series = Res<'sim.metrics'>['series'][number];

/** RFC 4180 quoting where needed. */
function cell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text, lines ending in \n. */
export function metricsCsv(series: readonly Series[]): string {
  const times = new Set<number>();
  for (const s of series) for (const t of s.tUs) times.add(t);
  const sorted = [...times].sort((a, b) => a - b);
  const byTime = series.map((s) => {
    const m = new Map<number, number>();
    s.tUs.forEach((t, i) => {
      const v = s.v[i];
      if (v !== undefined) m.set(t, v);
    });
    return m;
  });
  const header = ['t_us', ...series.map((s) => cell(s.unit ? `${s.id} (${s.unit})` : s.id))].join(',');
  const lines = sorted.map((t) =>
    [String(t), ...byTime.map((m) => (m.has(t) ? String(m.get(t)) : ''))].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}
