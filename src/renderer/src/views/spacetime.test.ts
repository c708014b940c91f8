import { describe, expect, it } from 'vitest';
import type { TraceRow } from '../../../shared/api';
import { msgTypeSlot } from '../run/format';
import {
  autoSpanUs,
  buildModel,
  dropFraction,
  sortIds,
  spanLabel,
  timeTicks,
  viewWindow,
  windowed,
} from './spacetime';

let rowNo = 0;
function row(
  index: number,
  timeUs: number,
  kind: TraceRow['kind'],
  node: string,
  extra: Partial<TraceRow> = {},
): TraceRow {
  return { row: rowNo++, index, timeUs, kind, node, ...extra };
}

const LANES = [
  { id: 'n2', name: 'beta' },
  { id: 'n10', name: 'ten' },
  { id: 'n1', name: 'alpha' },
];

describe('space-time model', () => {
  it('sorts lanes naturally and labels them with names; nodes seen only in rows get a lane', () => {
    const m = buildModel([row(1, 0, 'send', 'n1', { peer: 'n7', sendId: 1, msgType: 'x' })], LANES);
    expect(m.lanes.map((l) => l.id)).toEqual(['n1', 'n2', 'n7', 'n10']);
    expect(m.lanes[0]!.name).toBe('alpha');
    expect(m.lanes[2]!.name).toBe('n7');
    expect(sortIds(['b', 'a10', 'a9'])).toEqual(['a9', 'a10', 'b']);
  });

  it('ties deliveries and drops to their sends by sendId; unmatched sends stay open', () => {
    const rows = [
      row(1, 100, 'send', 'n1', { peer: 'n2', sendId: 1, msgType: 'ping' }),
      row(1, 100, 'send', 'n1', { peer: 'n10', sendId: 2, msgType: 'ping' }),
      row(2, 1100, 'deliver', 'n2', { peer: 'n1', sendId: 1, msgType: 'ping' }),
      row(3, 1200, 'drop', 'n1', { peer: 'n10', sendId: 2, msgType: 'ping', detail: 'loss' }),
      row(4, 1300, 'send', 'n2', { peer: 'n1', sendId: 3, msgType: 'pong' }),
      // A delivery whose send is before the window: nothing to draw.
      row(5, 1400, 'deliver', 'n1', { peer: 'n2', sendId: 0, msgType: 'pong' }),
    ];
    const m = buildModel(rows, LANES);
    expect(m.arrows).toHaveLength(3);
    const [a, b, c] = m.arrows;
    expect(a).toMatchObject({
      from: 'n1',
      to: 'n2',
      sendUs: 100,
      endUs: 1100,
      sendEvent: 1,
      endEvent: 2,
      end: 'deliver',
    });
    expect(a!.slot).toBe(msgTypeSlot('ping'));
    expect(b).toMatchObject({ to: 'n10', end: 'drop', reason: 'loss', endUs: 1200, endEvent: 3 });
    expect(c).toMatchObject({ end: 'open', endUs: 1400, endEvent: 4 });
    expect(dropFraction('down')).toBe(1);
    expect(dropFraction('loss')).toBeLessThan(1);
  });

  it('keeps local events as marks, global faults off any lane', () => {
    const rows = [
      row(1, 0, 'start', 'n1'),
      row(2, 10, 'timer', 'n1', { detail: 'tick' }),
      row(3, 20, 'fault', '', { detail: 'partition {n1} | {n2}' }),
      row(4, 30, 'client', 'n2', { detail: 'put x' }),
    ];
    const m = buildModel(rows, LANES);
    expect(m.marks.map((k) => [k.kind, k.node])).toEqual([
      ['timer', 'n1'],
      ['fault', null],
      ['client', 'n2'],
    ]);
  });

  it('derives crashed spans from fault and restart rows, and from who is down now', () => {
    const rows = [
      row(1, 0, 'timer', 'n1'),
      row(2, 1000, 'fault', 'n2', { detail: 'crash n2' }),
      row(3, 2000, 'fault', 'n2', { detail: 'restart n2' }),
      row(3, 2000, 'restart', 'n2'),
      row(4, 3000, 'fault', 'n1', { detail: 'nemesis: crash n1' }),
      row(5, 4000, 'timer', 'n2'),
    ];
    const m = buildModel(rows, LANES, new Set(['n1', 'n10']));
    expect(m.crashed).toEqual([
      { node: 'n10', fromUs: 0, toUs: null },
      { node: 'n2', fromUs: 1000, toUs: 2000 },
      { node: 'n1', fromUs: 3000, toUs: null },
    ]);
    const w = windowed(m, 1500, 3500, 3500);
    expect(w.crashed).toEqual([
      { node: 'n10', fromUs: 1500, toUs: 3500 },
      { node: 'n2', fromUs: 1500, toUs: 2000 },
      { node: 'n1', fromUs: 3000, toUs: 3500 },
    ]);
  });
});

describe('windowing', () => {
  const rows: TraceRow[] = [];
  for (let i = 0; i < 100; i++) {
    rows.push(row(i * 2 + 1, i * 1000, 'send', 'n1', { peer: 'n2', sendId: i, msgType: 'm' }));
    rows.push(row(i * 2 + 2, i * 1000 + 500, 'deliver', 'n2', { peer: 'n1', sendId: i, msgType: 'm' }));
  }
  const m = buildModel(rows, LANES);

  it('keeps arrows that overlap the window', () => {
    const w = windowed(m, 10_200, 12_000, 12_000);
    // Sends at 10 000 (ends 10 500), 11 000 and 12 000.
    expect(w.arrows.map((a) => a.sendId)).toEqual([10, 11, 12]);
    expect(w.arrowsOmitted).toBe(0);
  });

  it('caps arrows, keeping the ones nearest the cursor, in send order', () => {
    const w = windowed(m, 0, 100_000, 50_000, 5);
    expect(w.arrowsOmitted).toBe(95);
    expect(w.arrows.map((a) => a.sendId)).toEqual([48, 49, 50, 51, 52]);
  });

  it('puts the cursor at 85% of the span and never before 0', () => {
    expect(viewWindow(100_000, 10_000, 0)).toEqual({ fromUs: 91_500, toUs: 101_500 });
    expect(viewWindow(1_000, 10_000, 0)).toEqual({ fromUs: 0, toUs: 10_000 });
    expect(viewWindow(100_000, 10_000, -5_000).fromUs).toBe(86_500);
  });

  it('has round ticks', () => {
    expect(timeTicks(0, 10_000, 5)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(timeTicks(1_500, 2_600, 4)).toEqual([1500, 2000, 2500]);
    expect(timeTicks(5, 5)).toEqual([]);
    expect(spanLabel(78_125)).toBe('78.1 ms');
    expect(spanLabel(5_000_000)).toBe('5 s');
    expect(spanLabel(250)).toBe('250 µs');
  });
});

describe('auto span', () => {
  it('covers about the target number of messages before the cursor, rounded', () => {
    const rows: TraceRow[] = [];
    for (let i = 0; i < 50; i++) rows.push(row(i + 1, i * 100_000, 'send', 'n1', { peer: 'n2', sendId: i }));
    const m = buildModel(rows, LANES);
    // 10 messages back from 4.9 s is 4.0 s: 0.9 s / 0.85 ≈ 1.06 s → 2 s.
    expect(autoSpanUs(m, 4_900_000, 10)).toBe(2_000_000);
    // Fewer than the target: the whole window (4.9 s / 0.85 → 10 s).
    expect(autoSpanUs(m, 4_900_000, 500)).toBe(10_000_000);
    // Never below 1 ms.
    expect(autoSpanUs(buildModel([], LANES), 0)).toBe(1_000);
  });
});
