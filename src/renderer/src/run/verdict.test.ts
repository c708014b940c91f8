import { describe, expect, it } from 'vitest';
import { verdictLook } from './verdict';

describe('verdictLook', () => {
  it('a history checker that ran without a verdict is undecided, not "not evaluated yet"', () => {
    expect(verdictLook({ kind: 'history', ok: null, atEvent: 1234 })).toEqual({
      state: 'unknown',
      word: 'undecided',
    });
    expect(verdictLook({ kind: 'history', ok: null, atEvent: null })).toEqual({
      state: 'unknown',
      word: 'not evaluated yet',
    });
    expect(verdictLook({ kind: 'liveness', ok: null, atEvent: null }).word).toBe('not evaluated yet');
    expect(verdictLook({ kind: 'history', ok: true, atEvent: 9 })).toEqual({ state: 'ok', word: 'holds' });
    expect(verdictLook({ kind: 'invariant', ok: false, atEvent: 9 })).toEqual({
      state: 'bad',
      word: 'broken',
    });
  });
});
