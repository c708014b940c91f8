import { describe, expect, it } from 'vitest';
import type { TimelineViewData } from '../../../../shared/api/views';
import {
  keepSpan,
  LOCK_SPANS_KEPT,
  type LockSpanBase,
  lockBars,
  locksView,
  OUTAGES_KEPT,
  openSpan,
  type StepTrace,
  stepped,
} from './locks-view';

interface Span extends LockSpanBase {
  votedUs: number | null;
  extraUs?: number | null;
}
const span = (tid: string, over: Partial<Span> = {}): Span => ({
  tid,
  key: 'k1',
  lockedUs: 1_000,
  votedUs: null,
  endUs: null,
  outcome: null,
  ...over,
});
const words = {
  stretches: [
    { from: 'lockedUs', tone: 'info', what: 'locked', suffix: '' },
    { from: 'votedUs', tone: 'warn', what: 'voted', suffix: ' voted' },
    { from: 'extraUs', tone: 'good', what: 'extra', suffix: ' extra' },
  ],
  record: 'VOTE',
} as const;

describe('the Locks view shared by the commit protocols', () => {
  it('draws a stretch per moment reached, skipping an absent one; only a held lock ends open', () => {
    const held = lockBars('p1', span('T1', { votedUs: 5_000 }), words);
    expect(held.map((b) => [b.startUs, b.endUs, b.tone, b.label])).toEqual([
      [1_000, 5_000, 'info', 'T1 k1'],
      [5_000, null, 'warn', 'T1 k1 voted'],
    ]);
    expect(held[1]!.title).toBe('T1 at p1, lock on k1: voted from 5.0 ms · locked at 1.0 ms, still held');
    const lost = lockBars('p1', span('T2', { endUs: 1_000, outcome: 'lost' }), words);
    expect(lost).toEqual([]); // a zero-length stretch is not drawn
    const done = lockBars(
      'p1',
      span('T3', { votedUs: 2_000, extraUs: 3_000, endUs: 9_000, outcome: 'commit' }),
      words,
    );
    expect(done.map((b) => b.tone)).toEqual(['info', 'warn', 'good']);
    expect(done[2]!.title).toMatch(/released at 9\.0 ms: committed$/);
    const crashed = lockBars('p2', span('T4', { endUs: 4_000, outcome: 'lost' }), words);
    expect(crashed[0]!.title).toMatch(/lost when p2 crashed, before its VOTE record was on disk$/);
  });

  it('keeps at most LOCK_SPANS_KEPT spans, the oldest finished one making room; finds the open span', () => {
    const spans: Span[] = [span('T0')];
    for (let i = 1; i <= LOCK_SPANS_KEPT; i++)
      keepSpan(spans, span(`T${i}`, { endUs: 2_000, outcome: 'abort' }));
    expect(spans).toHaveLength(LOCK_SPANS_KEPT);
    expect(spans[0]!.tid).toBe('T0'); // still held: kept
    expect(spans[1]!.tid).toBe('T2'); // T1, the oldest finished, made room
    expect(openSpan(spans, 'T0')).toBe(spans[0]);
    expect(openSpan(spans, 'T2')).toBeUndefined();
  });

  it('notes a crash at the restart, from the last step before it, keeping the last OUTAGES_KEPT', () => {
    const s: StepTrace = { lastStepUs: 0, outages: [] };
    let now = 0;
    const ctx = { now: () => now };
    for (let i = 1; i <= OUTAGES_KEPT + 1; i++) {
      now = i * 100;
      expect(stepped(ctx, s, { kind: 'message' })).toBe((i - 1) * 100 + (i > 1 ? 50 : 0));
      now += 50;
      stepped(ctx, s, { kind: 'restart' });
    }
    expect(s.outages).toHaveLength(OUTAGES_KEPT);
    expect(s.outages.at(-1)).toEqual({
      fromUs: (OUTAGES_KEPT + 1) * 100,
      toUs: (OUTAGES_KEPT + 1) * 100 + 50,
    });
  });

  it('reads holders and the coordinator by state kind, and nothing without a holder', () => {
    const view = locksView<unknown, Span>({
      ...words,
      holder: 'rm',
      coordinator: 'tm',
      stuck: (sp) => sp.votedUs !== null,
      caption: (held, stuck) => `${held} held, ${stuck} stuck`,
      legend: [
        { tone: 'info', label: 'locked' },
        { tone: 'warn', label: 'voted' },
        { tone: 'good', label: 'extra' },
        { tone: 'neutral', label: 'tm down' },
      ],
    });
    const tm = { id: 'tm', role: 'tm', up: false, state: { kind: 'tm', lastStepUs: 7_000, outages: [] } };
    expect(view.read([tm], {}, null)).toBeNull();
    const rm = {
      id: 'r1',
      role: 'rm',
      up: true,
      state: {
        kind: 'rm',
        lockSpans: [span('T1', { votedUs: 2_000 }), span('T2')],
        lastStepUs: 0,
        outages: [],
      },
    };
    const d = view.read([tm, rm], {}, null) as TimelineViewData;
    expect(d.caption).toBe('2 held, 1 stuck');
    expect(d.rows.map((r) => [r.id, r.up])).toEqual([
      ['r1', true],
      ['tm', false],
    ]);
    expect(d.bars.filter((b) => b.row === 'tm').map((b) => [b.startUs, b.endUs, b.label])).toEqual([
      [7_000, null, 'down'],
    ]);
  });

  it('refuses words whose legend misses a tone the tab draws, naming it', () => {
    const tab = {
      ...words,
      holder: 'rm',
      coordinator: 'tm',
      stuck: () => false,
      caption: () => '',
    };
    const legend = [
      { tone: 'info', label: 'locked' },
      { tone: 'warn', label: 'voted' },
      { tone: 'neutral', label: 'tm down' },
    ] as const;
    expect(() => locksView<unknown, Span>({ ...tab, legend: [...legend] })).toThrow(
      'Locks tab of "rm": the stretch "extra" is drawn in tone good, which its legend does not name',
    );
    expect(() =>
      locksView<unknown, Span>({ ...tab, legend: [...legend.slice(0, 2), { tone: 'good', label: 'extra' }] }),
    ).toThrow('Locks tab of "rm": tm down is drawn in tone neutral, which its legend does not name');
  });
});
