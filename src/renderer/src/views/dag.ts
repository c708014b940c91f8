/**
 * Layout of a 'dag' view (src/shared/api/views.ts), pure: every box one layer after the
 * furthest of its predecessors (longest-path layering), boxes within a layer ordered by the
 * mean position of their predecessors (one barycentre sweep, ties kept in the data's order),
 * layers left to right or top down, and each arrow as a curve from one box's side to the
 * next's with its label at the middle. An arrow naming an unknown box, a self-loop and an
 * arrow that would close a cycle are left out (`dropped` counts them).
 */
import type { DagViewData } from '../../../shared/api';

/** Box height, px. */
export const BOX_H = 40;
/** Margin around the drawing, px. */
export const MARGIN = 16;
/** Widest box, px (longer text is cut with an ellipsis; the hover text has it whole). */
export const MAX_BOX_W = 240;
/** Widest arrow label before it wraps onto a second line, px. */
export const MAX_LABEL_W = 96;

/** Width of a label line at 12 px semibold, and of a detail or arrow label at 10.5 px. */
export const labelWidth = (text: string): number => text.length * 7.2;
export const detailWidth = (text: string): number => text.length * 6.1;

export interface DagBox {
  /** Index in data.nodes. */
  k: number;
  layer: number;
  x: number;
  y: number;
}

export interface DagArrow {
  /** Index in data.edges. */
  k: number;
  /** SVG path (a cubic curve), ending at the target's side. */
  path: string;
  /** Where the label is centred, and its lines (one, or two when wrapped). */
  labelX: number;
  labelY: number;
  labelLines: string[];
}

export interface DagLayout {
  width: number;
  height: number;
  boxW: number;
  boxes: DagBox[];
  arrows: DagArrow[];
  layers: number;
  /** Arrows left out: an unknown end, a self-loop, or one that would close a cycle. */
  dropped: number;
}

/** Splits a label that is too wide at the space nearest its middle (two lines at most). */
export function wrapLabel(text: string, maxW = MAX_LABEL_W): string[] {
  if (detailWidth(text) <= maxW || !text.includes(' ')) return [text];
  const mid = text.length / 2;
  let best = -1;
  for (let i = 0; i < text.length; i++)
    if (text[i] === ' ' && (best < 0 || Math.abs(i - mid) < Math.abs(best - mid))) best = i;
  return [text.slice(0, best), text.slice(best + 1)];
}

/** The layer of every box (by index) and the arrows kept (by index), cycles broken in data order. */
export function layers(data: Pick<DagViewData, 'nodes' | 'edges'>): { layer: number[]; kept: number[] } {
  const index = new Map(data.nodes.map((n, k) => [n.id, k]));
  const n = data.nodes.length;
  const candidate: { k: number; from: number; to: number }[] = [];
  data.edges.forEach((e, k) => {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from !== undefined && to !== undefined && from !== to) candidate.push({ k, from, to });
  });
  // Kahn's topological order; when only cycles are left, the first box left (in data order)
  // goes next and its arrows still to come are dropped.
  const indeg = new Array<number>(n).fill(0);
  for (const e of candidate) indeg[e.to]! += 1;
  const done = new Array<boolean>(n).fill(false);
  const order: number[] = [];
  while (order.length < n) {
    let next = -1;
    for (let k = 0; k < n; k++)
      if (!done[k] && indeg[k] === 0) {
        next = k;
        break;
      }
    if (next < 0) next = done.indexOf(false);
    done[next] = true;
    order.push(next);
    for (const e of candidate) if (e.from === next && !done[e.to]) indeg[e.to]! -= 1;
  }
  const rank = new Array<number>(n);
  order.forEach((k, r) => {
    rank[k] = r;
  });
  const kept = candidate.filter((e) => rank[e.from]! < rank[e.to]!);
  const layer = new Array<number>(n).fill(0);
  for (const k of order)
    for (const e of kept) if (e.to === k) layer[k] = Math.max(layer[k]!, layer[e.from]! + 1);
  return { layer, kept: kept.map((e) => e.k) };
}

/** Positions of every box and arrow. */
export function dagLayout(data: DagViewData): DagLayout {
  const down = data.direction === 'down';
  const { layer, kept } = layers(data);
  const index = new Map(data.nodes.map((n, k) => [n.id, k]));
  const nLayers = data.nodes.length === 0 ? 0 : Math.max(...layer) + 1;

  // Order within a layer: the mean slot of the box's predecessors, layer by layer.
  const slots: number[][] = Array.from({ length: nLayers }, () => []);
  for (let k = 0; k < data.nodes.length; k++) slots[layer[k]!]!.push(k);
  const slotOf = new Array<number>(data.nodes.length).fill(0);
  const preds: number[][] = data.nodes.map(() => []);
  for (const ek of kept) {
    const e = data.edges[ek]!;
    preds[index.get(e.to)!]!.push(index.get(e.from)!);
  }
  for (const row of slots) {
    const key = (k: number) => {
      const p = preds[k]!;
      return p.length === 0 ? Number.POSITIVE_INFINITY : p.reduce((a, q) => a + slotOf[q]!, 0) / p.length;
    };
    const keyed = row.map((k, pos) => ({ k, pos, key: key(k) }));
    // Boxes without predecessors keep their place in the data's order, after the others.
    keyed.sort((a, b) => (a.key === b.key ? a.pos - b.pos : a.key - b.key));
    keyed.forEach((x, s) => {
      slotOf[x.k] = s;
    });
    row.splice(0, row.length, ...keyed.map((x) => x.k));
  }

  const textW = Math.max(
    60,
    ...data.nodes.map((nd) => Math.max(labelWidth(nd.label), detailWidth(nd.detail))),
  );
  const boxW = Math.min(MAX_BOX_W, Math.ceil(textW + 20));
  const labelW = Math.max(
    0,
    ...kept.map((ek) => {
      const l = data.edges[ek]!.label;
      return l ? Math.max(...wrapLabel(l).map(detailWidth)) : 0;
    }),
  );
  const labelled = labelW > 0;
  // Across layers: room for an arrow's label (right) or for a line of it (down).
  const layerGap = down ? (labelled ? 56 : 36) : Math.max(48, Math.ceil(labelW) + 28);
  // Within a layer: room between boxes.
  const slotGap = down ? Math.max(24, labelled ? 32 : 24) : labelled ? 30 : 20;
  const layerPitch = (down ? BOX_H : boxW) + layerGap;
  const slotPitch = (down ? boxW : BOX_H) + slotGap;
  const widest = Math.max(0, ...slots.map((r) => r.length));
  const span = widest * slotPitch - slotGap;

  const boxes: DagBox[] = [];
  const at = new Array<DagBox>(data.nodes.length);
  slots.forEach((row, l) => {
    const rowSpan = row.length * slotPitch - slotGap;
    row.forEach((k, s) => {
      const along = MARGIN + l * layerPitch;
      const across = MARGIN + (span - rowSpan) / 2 + s * slotPitch;
      const b: DagBox = { k, layer: l, x: down ? across : along, y: down ? along : across };
      at[k] = b;
      boxes.push(b);
    });
  });
  boxes.sort((a, b) => a.k - b.k);

  const arrows: DagArrow[] = kept.map((ek) => {
    const e = data.edges[ek]!;
    const a = at[index.get(e.from)!]!;
    const b = at[index.get(e.to)!]!;
    const [x1, y1, x2, y2] = down
      ? [a.x + boxW / 2, a.y + BOX_H, b.x + boxW / 2, b.y]
      : [a.x + boxW, a.y + BOX_H / 2, b.x, b.y + BOX_H / 2];
    const bend = (down ? y2 - y1 : x2 - x1) / 2;
    const path = down
      ? `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
    // The curve's middle is the middle of its two ends (a symmetric cubic); an arrow that
    // skips layers gets its label in the first gap it crosses, where no box is.
    const skip = b.layer - a.layer > 1;
    const t = skip ? layerGap / 2 / (down ? y2 - y1 : x2 - x1) : 0.5;
    const [lx, ly] = cubicAt(t, x1, y1, x2, y2, bend, down);
    return { k: ek, path, labelX: lx, labelY: ly, labelLines: e.label ? wrapLabel(e.label) : [] };
  });

  const along = MARGIN * 2 + Math.max(0, nLayers * layerPitch - layerGap);
  const across = MARGIN * 2 + Math.max(0, span);
  return {
    width: Math.ceil(down ? across : along),
    height: Math.ceil(down ? along : across),
    boxW,
    boxes,
    arrows,
    layers: nLayers,
    dropped: data.edges.length - kept.length,
  };
}

/** A point of the arrow's curve at parameter t (the control points of dagLayout's paths). */
function cubicAt(
  t: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  bend: number,
  down: boolean,
): [number, number] {
  const u = 1 - t;
  const w0 = u * u * u;
  const w1 = 3 * u * u * t;
  const w2 = 3 * u * t * t;
  const w3 = t * t * t;
  const [c1x, c1y, c2x, c2y] = down ? [x1, y1 + bend, x2, y2 - bend] : [x1 + bend, y1, x2 - bend, y2];
  return [w0 * x1 + w1 * c1x + w2 * c2x + w3 * x2, w0 * y1 + w1 * c1y + w2 * c2y + w3 * y2];
}
