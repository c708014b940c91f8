/**
 * Where the message labels on the canvas go, so that none covers another (they used to be
 * drawn at one fixed offset from their dot, and two messages side by side read
 * "AppenAppendEntries"). Pure; sizes in flow units.
 *
 * Messages of one type at one spot (a broadcast's copies on their way out) share one label,
 * "AppendEntries ×2". Each label then takes the first of a few places around its dot
 * (above right, below right, above left, below left, then stacked further up or down) where
 * it overlaps no label placed before it; labels are placed top to bottom, left to right, so
 * the result does not depend on the order the messages came in. A label with no free place is
 * left out: the dot stays, and its type is in the canvas's text alternative.
 */

/** A dot to label: where it is, its text and the text's drawn width. */
export interface LabelInput {
  x: number;
  y: number;
  text: string;
  /** The width of `text` as drawn (the caller measures it). */
  width: number;
}

/** A placed label: the text's left end and vertical middle. */
export interface PlacedLabel {
  /** What is drawn: the type, with a count when several share the label ("ping ×2"). */
  text: string;
  /** The message type (for its colour). */
  type: string;
  x: number;
  y: number;
  /** The dot it belongs to (for tests). */
  dotX: number;
  dotY: number;
}

/** Gap between a dot's centre and its label, as the labels were drawn before (9 units). */
const OFFSET = 9;
/** Dots this close (flow units) with the same type share a label. */
const SAME_SPOT = 1;

/**
 * Labels for the dots, none overlapping another: `height` is a label's line height,
 * `widthOf` measures a merged label's text ("ping ×2").
 */
export function placeLabels(
  dots: readonly LabelInput[],
  height: number,
  widthOf: (text: string) => number,
): PlacedLabel[] {
  // One label per type and spot.
  const groups: { x: number; y: number; text: string; width: number; n: number }[] = [];
  for (const d of dots) {
    const g = groups.find(
      (x) => x.text === d.text && Math.abs(x.x - d.x) <= SAME_SPOT && Math.abs(x.y - d.y) <= SAME_SPOT,
    );
    if (g) g.n++;
    else groups.push({ x: d.x, y: d.y, text: d.text, width: d.width, n: 1 });
  }
  groups.sort((a, b) => a.y - b.y || a.x - b.x || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));

  const taken: { l: number; t: number; r: number; b: number }[] = [];
  const free = (l: number, t: number, r: number, b: number) =>
    taken.every((o) => r <= o.l || l >= o.r || b <= o.t || t >= o.b);
  const out: PlacedLabel[] = [];
  const step = height + 1;
  for (const g of groups) {
    const text = g.n > 1 ? `${g.text} ×${g.n}` : g.text;
    const w = g.n > 1 ? widthOf(text) : g.width;
    const right = g.x + OFFSET;
    const left = g.x - OFFSET - w;
    const places: [number, number][] = [
      [right, g.y - OFFSET],
      [right, g.y + OFFSET],
      [left, g.y - OFFSET],
      [left, g.y + OFFSET],
    ];
    for (let k = 1; k <= 3; k++)
      places.push([right, g.y - OFFSET - k * step], [right, g.y + OFFSET + k * step]);
    for (const [x, y] of places) {
      const box = { l: x - 1, t: y - height / 2, r: x + w + 1, b: y + height / 2 };
      if (!free(box.l, box.t, box.r, box.b)) continue;
      taken.push(box);
      out.push({ text, type: g.text, x, y, dotX: g.x, dotY: g.y });
      break;
    }
  }
  return out;
}
