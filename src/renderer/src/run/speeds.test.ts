import { describe, expect, it } from 'vitest';
import { SPEED_MAX_X, SPEEDS_KEPT } from '../../../shared/api';
import { openingSpeed, rememberSpeed, speedKey } from './speeds';

describe('playback speed per scenario', () => {
  it('a saved item is keyed by its id, a new document by its protocol', () => {
    expect(speedKey('abc', 'raft')).toBe('item:abc');
    expect(speedKey(null, 'raft')).toBe('new:raft');
    expect(speedKey(null, null)).toBeNull();
  });

  it("a scenario opens at the speed chosen for it, else at its protocol's", () => {
    const speeds = rememberSpeed({}, 'item:a', 2);
    expect(openingSpeed(speeds, 'item:a', 0.05)).toBe(2);
    expect(openingSpeed(speeds, 'item:b', 0.05)).toBe(0.05);
    expect(openingSpeed(speeds, null, 0.05)).toBe(0.05);
    expect(openingSpeed({ 'item:a': 5e6 }, 'item:a', 0.05)).toBe(SPEED_MAX_X);
  });

  it('keeps the most recently chosen speeds, and forgets on request', () => {
    let speeds: Record<string, number> = {};
    for (let k = 0; k < SPEEDS_KEPT + 5; k++) speeds = rememberSpeed(speeds, `item:${k}`, 1);
    expect(Object.keys(speeds)).toHaveLength(SPEEDS_KEPT);
    expect(speeds['item:4']).toBeUndefined();
    speeds = rememberSpeed(speeds, 'item:5', 3); // chosen again: now the most recent
    speeds = rememberSpeed(speeds, 'item:new', 1); // so item:6 is the one to go
    expect(Object.keys(speeds)).toHaveLength(SPEEDS_KEPT);
    expect(speeds['item:6']).toBeUndefined();
    expect(speeds['item:5']).toBe(3);
    expect(rememberSpeed(speeds, 'item:5', null)['item:5']).toBeUndefined();
  });
});
