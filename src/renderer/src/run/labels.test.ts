import { describe, expect, it } from 'vitest';
import { type LabelInput, type PlacedLabel, placeLabels } from './labels';

/** Monospace-like widths: 6 units a character. */
const widthOf = (t: string) => t.length * 6;
const dot = (x: number, y: number, text: string): LabelInput => ({ x, y, text, width: widthOf(text) });
const H = 12;

function overlaps(a: PlacedLabel, b: PlacedLabel): boolean {
  const box = (l: PlacedLabel) => ({ l: l.x, r: l.x + widthOf(l.text), t: l.y - H / 2, b: l.y + H / 2 });
  const p = box(a);
  const q = box(b);
  return p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b;
}

function expectApart(labels: PlacedLabel[]) {
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      expect(overlaps(labels[i]!, labels[j]!), `${labels[i]!.text} / ${labels[j]!.text}`).toBe(false);
}

describe('message labels on the canvas', () => {
  it('keeps a lone label where it always was: above right of its dot', () => {
    expect(placeLabels([dot(100, 50, 'ping')], H, widthOf)).toEqual([
      { text: 'ping', type: 'ping', x: 109, y: 41, dotX: 100, dotY: 50 },
    ]);
  });

  it('moves a label off a neighbour instead of drawing over it ("AppenAppendEntries")', () => {
    // Two messages 20 units apart on one link: at one fixed offset their labels overlapped.
    const labels = placeLabels([dot(100, 50, 'AppendEntries'), dot(120, 52, 'AppendEntries')], H, widthOf);
    expect(labels).toHaveLength(2);
    expectApart(labels);
  });

  it('gives messages of one type at one spot one label with a count', () => {
    const labels = placeLabels(
      [dot(10, 10, 'accepted'), dot(10, 10, 'accepted'), dot(10, 10.5, 'nack')],
      H,
      widthOf,
    );
    expect(labels.map((l) => l.text).sort()).toEqual(['accepted ×2', 'nack']);
    expectApart(labels);
  });

  it('places up to nine crowded labels apart, whatever order the messages came in', () => {
    const dots = Array.from({ length: 9 }, (_, i) =>
      dot(100 + (i % 3) * 4, 100 + Math.floor(i / 3) * 4, `m${i}-type`),
    );
    const a = placeLabels(dots, H, widthOf);
    expectApart(a);
    expect(a.length).toBeGreaterThanOrEqual(8);
    expect(placeLabels([...dots].reverse(), H, widthOf)).toEqual(a);
  });
});
