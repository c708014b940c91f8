/** Where new nodes go on the canvas, and the drag-and-drop MIME type the palette uses. */

/** MIME type of a palette drag; the payload is the role id. */
export const PALETTE_MIME = 'application/x-dslab-role';

/** The canvas element's DOM id (the palette needs its centre for keyboard adds). */
export const CANVAS_ID = 'lab-canvas';

/** Approximate node size, to centre a node on the drop point. */
export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 56;

/** The screen point at the centre of the canvas, nudged so repeated adds do not stack exactly. */
export function canvasCentre(nudge: number): { x: number; y: number } | null {
  const el = document.getElementById(CANVAS_ID);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const step = (nudge % 6) * 24;
  return { x: r.left + r.width / 2 + step, y: r.top + r.height / 2 + step };
}
