/**
 * Where a link is drawn: centre to centre, clipped at both nodes' borders. Shared by the SVG
 * links (LinkEdge) and the link canvas (LinkLayer), so both draw the same line.
 */

/** A node's box in flow coordinates: top-left corner and size. */
export interface NodeBox {
  /** Left edge (flow units). */
  x: number;
  /** Top edge (flow units). */
  y: number;
  /** Width (flow units; 0 while not measured). */
  w: number;
  /** Height (flow units; 0 while not measured). */
  h: number;
}

/** Where the line from this box's centre towards the other box's centre leaves this box. */
export function borderPoint(node: NodeBox, other: NodeBox): { x: number; y: number } {
  const w = node.w / 2;
  const h = node.h / 2;
  const cx = node.x + w;
  const cy = node.y + h;
  const dx = other.x + other.w / 2 - cx;
  const dy = other.y + other.h / 2 - cy;
  if ((dx === 0 && dy === 0) || w === 0 || h === 0) return { x: cx, y: cy };
  const scale = 1 / Math.max(Math.abs(dx) / w, Math.abs(dy) / h);
  return { x: cx + dx * scale, y: cy + dy * scale };
}

/** The largest bitmap the link canvas allocates (pixels); above it the lines are drawn softer. */
export const MAX_LINK_CANVAS_PX = 8_000_000;
/** The longest side of the link canvas's bitmap (pixels). */
export const MAX_LINK_CANVAS_SIDE = 8_192;

/**
 * Bitmap pixels per flow unit for a canvas covering `w` × `h` flow units: the screen's
 * (zoom × device pixel ratio), so lines are as sharp as the SVG's, unless that would exceed
 * the caps (a large graph zoomed in), then as much as they allow.
 */
export function canvasScale(w: number, h: number, zoom: number, dpr: number): number {
  const want = zoom * dpr;
  if (w <= 0 || h <= 0) return want;
  const cap = Math.min(
    Math.sqrt(MAX_LINK_CANVAS_PX / (w * h)),
    MAX_LINK_CANVAS_SIDE / w,
    MAX_LINK_CANVAS_SIDE / h,
  );
  return Math.min(want, cap);
}
