import { describe, expect, it } from 'vitest';
import { COALESCE_MS, emptyHistory, HISTORY_CAP, record, redo, undo } from './history';

describe('history', () => {
  it('undoes and redoes in order', () => {
    let h = emptyHistory<number>();
    h = record(h, 0);
    h = record(h, 1);
    let cur = 2;
    const u1 = undo(h, cur)!;
    expect(u1.state).toBe(1);
    cur = u1.state;
    const u2 = undo(u1.history, cur)!;
    expect(u2.state).toBe(0);
    expect(undo(u2.history, 0)).toBeNull();
    const r1 = redo(u2.history, 0)!;
    expect(r1.state).toBe(1);
    const r2 = redo(r1.history, 1)!;
    expect(r2.state).toBe(2);
    expect(redo(r2.history, 2)).toBeNull();
  });

  it('a new edit clears redo', () => {
    let h = record(emptyHistory<string>(), 'a');
    h = undo(h, 'b')!.history;
    expect(h.future).toEqual(['b']);
    h = record(h, 'a');
    expect(h.future).toEqual([]);
  });

  it('coalesces edits with the same key close in time', () => {
    let h = emptyHistory<number>();
    h = record(h, 0, 'drag:n1', 100);
    h = record(h, 1, 'drag:n1', 200);
    h = record(h, 2, 'drag:n1', 300);
    expect(h.past).toEqual([0]);
    h = record(h, 3, 'drag:n1', 300 + COALESCE_MS + 1);
    expect(h.past).toEqual([0, 3]);
    h = record(h, 4, 'name:n1', 300 + COALESCE_MS + 2);
    expect(h.past).toEqual([0, 3, 4]);
    // Null keys never coalesce.
    h = record(h, 5, null, 0);
    h = record(h, 6, null, 0);
    expect(h.past).toEqual([0, 3, 4, 5, 6]);
  });

  it('undo breaks coalescing', () => {
    let h = record(emptyHistory<number>(), 0, 'k', 0);
    h = undo(h, 1)!.history;
    h = record(h, 0, 'k', 1);
    expect(h.past).toEqual([0]);
  });

  it(`keeps at most ${HISTORY_CAP} steps`, () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < HISTORY_CAP + 50; i++) h = record(h, i);
    expect(h.past).toHaveLength(HISTORY_CAP);
    expect(h.past[0]).toBe(50);
  });
});
