/** Where new nodes go on the canvas, and the drag-and-drop MIME type the palette uses. */

/** MIME type of a palette drag; the payload is the role id. */
export const PALETTE_MIME = 'application/x-dslab-role';

/** The canvas element's DOM id (the palette needs its centre for keyboard adds). */
export const CANVAS_ID = 'lab-canvas';

/** A node's size, to centre a node on the drop point. */
export { NODE_HEIGHT, NODE_WIDTH } from '../graph/node-box';

/** The screen point at the centre of the canvas, nudged so repeated adds do not stack exactly. */
export function canvasCentre(nudge: number): { x: number; y: number } | null {
  const el = document.getElementById(CANVAS_ID);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const step = (nudge % 6) * 24;
  return { x: r.left + r.width / 2 + step, y: r.top + r.height / 2 + step };
}
