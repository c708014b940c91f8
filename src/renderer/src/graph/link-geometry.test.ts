import { describe, expect, it } from 'vitest';
import { borderPoint, canvasScale, MAX_LINK_CANVAS_PX, MAX_LINK_CANVAS_SIDE } from './link-geometry';

describe('borderPoint', () => {
  const a = { x: 0, y: 0, w: 100, h: 40 };
  it('leaves a box through its right side towards a node to the right', () => {
    expect(borderPoint(a, { x: 300, y: 0, w: 100, h: 40 })).toEqual({ x: 100, y: 20 });
  });
  it('leaves through the bottom towards a node below', () => {
    expect(borderPoint(a, { x: 0, y: 200, w: 100, h: 40 })).toEqual({ x: 50, y: 40 });
  });
  it('clips a diagonal at the side it crosses first', () => {
    // Centre (50, 20) towards (250, 120): dx 200 is 4 half-widths, dy 100 is 5 half-heights,
    // so the line reaches the bottom (y = 40) before the right side.
    expect(borderPoint(a, { x: 200, y: 100, w: 100, h: 40 })).toEqual({ x: 90, y: 40 });
    // Wider than tall the other way: the right side (x = 100) first.
    expect(borderPoint(a, { x: 400, y: 40, w: 100, h: 40 })).toEqual({ x: 100, y: 25 });
  });
  it('stays at the centre of an unmeasured box or a box on top of the other', () => {
    expect(borderPoint({ x: 10, y: 10, w: 0, h: 0 }, a)).toEqual({ x: 10, y: 10 });
    expect(borderPoint(a, a)).toEqual({ x: 50, y: 20 });
  });
});

describe('canvasScale', () => {
  it('is zoom × device pixel ratio for a graph that fits the caps', () => {
    expect(canvasScale(2000, 1000, 0.5, 2)).toBe(1);
  });
  it('caps the bitmap of a large graph zoomed in', () => {
    const k = canvasScale(6000, 3000, 2.5, 1);
    expect(k).toBeLessThan(2.5);
    expect(6000 * k * 3000 * k).toBeLessThanOrEqual(MAX_LINK_CANVAS_PX + 1);
  });
  it('caps the longest side of a long, thin graph', () => {
    const k = canvasScale(20000, 100, 1, 1);
    expect(20000 * k).toBeLessThanOrEqual(MAX_LINK_CANVAS_SIDE + 1e-6);
  });
});
