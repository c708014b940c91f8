import { describe, expect, it } from 'vitest';
import type { DagViewData } from '../../../shared/api';
import { BOX_H, dagLayout, layers, wrapLabel } from './dag';

const box = (id: string) => ({ id, label: id, detail: `[${id}]`, tone: 'neutral' as const });

/** The shape of the Dynamo paper's Figure 3: a chain, a fork into two, a join. */
const fig: DagViewData = {
  kind: 'dag',
  caption: 'versions',
  nodes: ['D5', 'D4', 'D3', 'D2', 'D1'].map(box),
  edges: [
    { from: 'D1', to: 'D2', label: 'write handled by Sx' },
    { from: 'D2', to: 'D3', label: 'write handled by Sy' },
    { from: 'D2', to: 'D4', label: 'write handled by Sz' },
    { from: 'D3', to: 'D5', label: 'reconciled and written by Sx' },
    { from: 'D4', to: 'D5', label: 'reconciled and written by Sx' },
  ],
};

const overlap = (a: { x: number; y: number }, b: { x: number; y: number }, w: number) =>
  Math.abs(a.x - b.x) < w && Math.abs(a.y - b.y) < BOX_H;

describe('dag layout', () => {
  it('puts each box one layer after its furthest predecessor, whatever the data order', () => {
    const { layer, kept } = layers(fig);
    const byId = Object.fromEntries(fig.nodes.map((n, k) => [n.id, layer[k]]));
    expect(byId).toEqual({ D1: 0, D2: 1, D3: 2, D4: 2, D5: 3 });
    expect(kept).toHaveLength(5);
  });

  it('draws layers left to right, every arrow forward, no two boxes on top of each other', () => {
    const L = dagLayout(fig);
    expect(L.layers).toBe(4);
    expect(L.dropped).toBe(0);
    const at = (id: string) => L.boxes[fig.nodes.findIndex((n) => n.id === id)]!;
    expect(at('D1').x).toBeLessThan(at('D2').x);
    expect(at('D3').x).toBe(at('D4').x);
    expect(at('D3').y).not.toBe(at('D4').y);
    for (const a of L.boxes) for (const b of L.boxes) if (a !== b) expect(overlap(a, b, L.boxW)).toBe(false);
    for (const b of L.boxes) {
      expect(b.x + L.boxW).toBeLessThanOrEqual(L.width);
      expect(b.y + BOX_H).toBeLessThanOrEqual(L.height);
    }
    // A label sits between the two layers it joins, clear of both boxes.
    const d1d2 = L.arrows.find((a) => a.k === 0)!;
    expect(d1d2.labelX).toBeGreaterThan(at('D1').x + L.boxW);
    expect(d1d2.labelX).toBeLessThan(at('D2').x);
  });

  it('top down swaps the axes', () => {
    const L = dagLayout({ ...fig, direction: 'down' });
    const at = (id: string) => L.boxes[fig.nodes.findIndex((n) => n.id === id)]!;
    expect(at('D1').y).toBeLessThan(at('D2').y);
    expect(at('D3').y).toBe(at('D4').y);
    expect(at('D3').x).not.toBe(at('D4').x);
  });

  it('leaves out arrows to unknown boxes, self-loops and the arrow that closes a cycle', () => {
    const L = dagLayout({
      kind: 'dag',
      caption: 'c',
      nodes: ['a', 'b', 'c'].map(box),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'a', to: 'a' },
        { from: 'a', to: 'zz' },
      ],
    });
    expect(L.dropped).toBe(3);
    expect(L.layers).toBe(3);
  });

  it('draws an empty graph as an empty box', () => {
    const L = dagLayout({ kind: 'dag', caption: 'c', nodes: [], edges: [] });
    expect(L.boxes).toEqual([]);
    expect(L.layers).toBe(0);
  });

  it('wraps a long arrow label at the space nearest its middle', () => {
    expect(wrapLabel('by n2')).toEqual(['by n2']);
    expect(wrapLabel('write handled by n2')).toEqual(['write handled', 'by n2']);
    expect(wrapLabel('reconciled and written by the coordinator n2')).toEqual([
      'reconciled and written',
      'by the coordinator n2',
    ]);
  });
});
