import { describe, expect, it } from 'vitest';
import { barFractions, nodeSlots, polar, type RingInfo, ringLayout } from './ring';

const ring: RingInfo = {
  kind: 'ring',
  scheme: 'ring',
  hash: 'murmur3',
  members: ['n1', 'n2', 'n10'],
  previousMembers: ['n1', 'n2'],
  vnodes: [
    { label: 'n1#0', node: 'n1', angle: 0 },
    { label: 'n2#0', node: 'n2', angle: 90 },
    { label: 'n10#0', node: 'n10', angle: 180 },
  ],
  keys: [
    { key: 'a', angle: 45, owner: 'n2' },
    { key: 'b', angle: 135, owner: 'n10' },
    { key: 'c', angle: 270, owner: 'n1' },
    { key: 'd', angle: 100, owner: 'n10' },
  ],
  moved: [
    { key: 'b', from: 'n1', to: 'n10' },
    { key: 'd', from: 'n1', to: 'n10' },
  ],
  keysMoved: 2,
  keysMovedModuloN: 3,
};

describe('ring geometry', () => {
  it('measures angles clockwise from the top', () => {
    const top = polar(100, 100, 50, 0);
    expect(top.x).toBeCloseTo(100);
    expect(top.y).toBeCloseTo(50);
    const right = polar(100, 100, 50, 90);
    expect(right.x).toBeCloseTo(150);
    expect(right.y).toBeCloseTo(100);
  });

  it('gives physical nodes stable colour slots in natural id order', () => {
    expect([...nodeSlots(['n10', 'n2', 'n1'])]).toEqual([
      ['n1', 0],
      ['n2', 1],
      ['n10', 2],
    ]);
  });

  it('lays out ticks, keys, moves and counts', () => {
    const l = ringLayout(ring, { cx: 100, cy: 100, r: 80 });
    expect(l.ticks).toHaveLength(3);
    expect(l.ticks[2]!.slot).toBe(2);
    // A tick crosses the circle: inner end inside r, outer end outside.
    expect(l.ticks[0]!.a.y).toBeGreaterThan(100 - 80);
    expect(l.ticks[0]!.b.y).toBeLessThan(100 - 80);
    expect(l.keys.filter((k) => k.moved).map((k) => k.key)).toEqual(['b', 'd']);
    expect(l.moves.map((m) => [m.key, m.fromSlot, m.toSlot])).toEqual([
      ['b', 0, 2],
      ['d', 0, 2],
    ]);
    expect(l.nodes).toEqual([
      { id: 'n1', slot: 0, keys: 1, held: null, vnodes: 1, member: true },
      { id: 'n2', slot: 1, keys: 1, held: null, vnodes: 1, member: true },
      { id: 'n10', slot: 2, keys: 2, held: null, vnodes: 1, member: true },
    ]);
    const capped = ringLayout(ring, { cx: 0, cy: 0, r: 10 }, 1);
    expect(capped.moves).toHaveLength(1);
    expect(capped.movesOmitted).toBe(1);
  });

  it('scales bars to the longest', () => {
    expect(barFractions([2, 8])).toEqual([0.25, 1]);
    expect(barFractions([0, 0])).toEqual([0, 0]);
  });
});
