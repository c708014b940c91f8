import { describe, expect, it } from 'vitest';
import type { TraceRow } from '../../../shared/api';
import { formatCount, formatMetric, formatSpeed, formatTime, msgTypeSlot } from './format';
import {
  applyFetch,
  capFront,
  dropFrom,
  EMPTY_CACHE,
  flightsAt,
  lastRowAtOrBefore,
  MAX_GAP_EVENTS,
  nextFetch,
} from './trace-cache';

let rowNo = 0;
function row(index: number, kind: TraceRow['kind'], extra: Partial<TraceRow> = {}): TraceRow {
  return { row: rowNo++, index, timeUs: index * 100, kind, node: 'n1', ...extra };
}

describe('the trace window', () => {
  it('fetches forward from what it has, and restarts at the tail after a big gap', () => {
    expect(nextFetch(EMPTY_CACHE, 'sim-1', 0)).toBeNull();
    expect(nextFetch(EMPTY_CACHE, 'sim-1', 10)).toEqual({ from: 1, to: 11, restart: true });
    const c = applyFetch(EMPTY_CACHE, 'sim-1', { from: 1, to: 11, restart: true }, [
      row(1, 'start'),
      row(10, 'send'),
    ]);
    expect(c).toMatchObject({ simId: 'sim-1', firstEvent: 1, lastEvent: 10 });
    expect(nextFetch(c, 'sim-1', 10)).toBeNull();
    expect(nextFetch(c, 'sim-1', 5)).toBeNull();
    expect(nextFetch(c, 'sim-1', 12)).toEqual({ from: 11, to: 13, restart: false });
    expect(nextFetch(c, 'sim-1', 10 + MAX_GAP_EVENTS + 1)?.restart).toBe(true);
    expect(nextFetch(c, 'sim-2', 3)?.restart).toBe(true);
  });

  it('forgets the future after a live change and caps the front by whole events', () => {
    const rows = [row(1, 'start'), row(2, 'send'), row(2, 'send'), row(3, 'deliver'), row(4, 'timer')];
    const c = { simId: 's', rows, firstEvent: 1, lastEvent: 4 };
    expect(dropFrom(c, 3)).toMatchObject({ lastEvent: 2, rows: rows.slice(0, 3) });
    const capped = capFront(c, 3);
    expect(capped.rows.map((r) => r.index)).toEqual([2, 2, 3, 4]);
    expect(capped.firstEvent).toBe(2);
    expect(lastRowAtOrBefore(rows, 2)).toBe(2);
    expect(lastRowAtOrBefore(rows, 0)).toBe(-1);
  });

  it('finds messages in flight and recent drops at an event', () => {
    const rows = [
      row(1, 'send', { sendId: 0, peer: 'n2', msgType: 'ping' }),
      row(1, 'send', { sendId: 1, peer: 'n3', msgType: 'ping' }),
      row(2, 'deliver', { sendId: 0, node: 'n2', peer: 'n1', msgType: 'ping' }),
      row(3, 'drop', { sendId: 1, peer: 'n3', detail: 'down' }),
    ];
    expect(
      flightsAt(rows, 1)
        .flights.map((f) => f.sendId)
        .sort(),
    ).toEqual([0, 1]);
    expect(flightsAt(rows, 2).flights.map((f) => f.sendId)).toEqual([1]);
    const at3 = flightsAt(rows, 3);
    expect(at3.flights).toEqual([]);
    expect(at3.drops).toEqual([{ sendId: 1, from: 'n1', to: 'n3', reason: 'down', age: 0 }]);
  });
});

describe('formats', () => {
  it('shows virtual time with a unit that fits', () => {
    expect(formatTime(0)).toBe('t = 0 µs');
    expect(formatTime(12_345)).toBe('t = 12.345 ms');
    expect(formatTime(1_234_567)).toBe('t = 1.234567 s');
  });

  it('shows counts, speeds and stable message colours', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatSpeed(0.005)).toBe('0.005x');
    expect(formatSpeed(1)).toBe('1x');
    expect(formatSpeed(1000)).toBe('1000x');
    expect(msgTypeSlot('ping')).toBe(msgTypeSlot('ping'));
    expect(msgTypeSlot('ping')).toBeGreaterThanOrEqual(0);
  });

  it('shows metrics that are fractions (availability, messages per operation) without cutting them to 0', () => {
    expect(formatMetric(0.98734)).toBe('0.9873');
    expect(formatMetric(183.2666)).toBe('183.3');
    expect(formatMetric(2500)).toBe('2,500');
    expect(formatMetric(12345.6)).toBe('12,346');
    expect(formatMetric(0)).toBe('0');
  });
});
