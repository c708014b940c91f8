import { describe, expect, it } from 'vitest';
import type { TimelineViewData } from '../../../shared/api';
import { LABEL_W, textWidth, timelineLayout } from './timeline';

const data: TimelineViewData = {
  kind: 'timeline',
  caption: 'tasks',
  rows: [
    { id: 'w1', label: 'w1', up: true },
    { id: 'w2', label: 'w2', up: false },
  ],
  bars: [
    { row: 'w1', startUs: 0, endUs: 100_000, label: 'M0', tone: 'info' },
    { row: 'w2', startUs: 50_000, endUs: null, label: 'M1', tone: 'info' },
    { row: 'gone', startUs: 0, endUs: 10, label: 'X', tone: 'bad' },
  ],
  markers: [
    { atUs: 100_000, label: 'w2 failed' },
    { atUs: 101_000, label: 'backups begin' },
    { atUs: 150_000, label: 'job done' },
  ],
};

describe('timeline layout', () => {
  it('runs the axis from 0 to the current time, and draws an open bar up to it', () => {
    const L = timelineLayout(data, 200_000, 800);
    expect(L.endUs).toBe(200_000);
    expect(L.x(0)).toBe(LABEL_W);
    expect(L.x(200_000)).toBe(800 - 20);
    const open = L.bars.find((b) => b.open)!;
    expect(open.row).toBe(1);
    expect(open.x + open.w).toBeCloseTo(L.x(200_000));
    expect(L.ticks[0]).toBe(0);
    expect(L.ticks.at(-1)).toBeLessThanOrEqual(200_000);
  });

  it('stretches the axis to a bar or marker later than the current time (stepping back)', () => {
    expect(timelineLayout(data, 20_000, 800).endUs).toBe(150_000);
  });

  it('leaves out bars of rows it does not show', () => {
    expect(timelineLayout(data, 200_000, 800).bars.map((b) => b.k)).toEqual([0, 1]);
  });

  it('stacks marker labels that would overlap, and keeps apart ones that would not', () => {
    const L = timelineLayout(data, 200_000, 1000);
    const level = (k: number) => L.markers.find((m) => m.k === k)!.level;
    expect(level(0)).toBe(0);
    expect(level(1)).toBe(1); // 1 ms later: on the next line
    // 'job done' starts past the end of 'w2 failed' on the first line.
    expect(L.x(150_000)).toBeGreaterThan(L.x(100_000) + textWidth('w2 failed'));
    expect(level(2)).toBe(0);
    expect(L.rowY(0)).toBeGreaterThan(timelineLayout({ ...data, markers: [] }, 200_000, 1000).rowY(0));
  });
});
