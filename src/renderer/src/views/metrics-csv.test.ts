import { describe, expect, it } from 'vitest';
import { metricsCsv } from './metrics-csv';

describe('metrics CSV', () => {
  it('has t_us and one column per series, joined on sample times', () => {
    const csv = metricsCsv([
      { id: 'latency', unit: 'us', tUs: [0, 1000], v: [5, 7] },
      { id: 'a,b', unit: '', tUs: [500, 1000], v: [1, 2] },
    ]);
    expect(csv).toBe('t_us,latency (us),"a,b"\n0,5,\n500,,1\n1000,7,2\n');
  });
  it('is a header alone with no series', () => {
    expect(metricsCsv([])).toBe('t_us\n');
  });
});
