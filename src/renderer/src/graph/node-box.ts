/**
 * A canvas node's box as styles.css draws it, known before the browser lays it out.
 *
 * xyflow shows a node and draws its links only once it knows the node's size and handles.
 * Left to itself it measures every node after the first paint (a ResizeObserver callback per
 * node, the bounding box of each of its 4 handles) and hands the sizes back as changes, which
 * render the whole graph a second time: about half of opening a 1,000-node scenario
 * (docs/workbench.md "Performance"). A node that arrives with `measured` and `handles` already
 * right is drawn with its links in the first render, and xyflow's first measurement finds
 * nothing to change. A node whose box differs (a run's badges made it taller) is measured as
 * before: xyflow reports the new size, and `withBox` gives it handles for that size.
 */
import { type NodeHandle, Position } from '@xyflow/react';

/** A node's width, flow units: `.lab-node { width }` in styles.css. */
export const NODE_WIDTH = 168;
/** A node's height with no run marks: `.lab-node { min-height }` in styles.css. */
export const NODE_HEIGHT = 56;

/** A handle's box (`.react-flow__handle.lab-handle`, border included). */
const HANDLE = 9;
/** The node's border: handles sit on the inside of it (position: absolute in `.lab-node`). */
const BORDER = 1;

/**
 * The id of the handle that covers the whole node (`.lab-body-handle`): while a link is being
 * drawn it takes a drop anywhere on the node (docs/editor.md "Linking nodes").
 */
export const BODY_HANDLE = 'body';

/**
 * The 4 connection dots of a node of this size, where xyflow would measure them: centred on
 * each side, just inside the border (LabNode renders them with ids t, r, b, l, all sources:
 * links are undirected and the canvas connects in loose mode); then the body handle, the
 * node's border box (last, so an edge without a handle id never picks it).
 */
export function nodeHandles(width: number, height: number): NodeHandle[] {
  const dot = (id: string, position: Position, cx: number, cy: number): NodeHandle => ({
    id,
    type: 'source',
    position,
    width: HANDLE,
    height: HANDLE,
    x: cx - HANDLE / 2,
    y: cy - HANDLE / 2,
  });
  return [
    dot('t', Position.Top, width / 2, BORDER),
    dot('r', Position.Right, width - BORDER, height / 2),
    dot('b', Position.Bottom, width / 2, height - BORDER),
    dot('l', Position.Left, BORDER, height / 2),
    { id: BODY_HANDLE, type: 'source', position: Position.Top, width, height, x: 0, y: 0 },
  ];
}

const DEFAULT_HANDLES = nodeHandles(NODE_WIDTH, NODE_HEIGHT);

/** The box fields of a node of the default size (shared: xyflow only reads them). */
export function defaultBox(): { measured: { width: number; height: number }; handles: NodeHandle[] } {
  return { measured: { width: NODE_WIDTH, height: NODE_HEIGHT }, handles: DEFAULT_HANDLES };
}

/**
 * The node with handles that match its measured size: after xyflow reports a new size, so the
 * handles it reads from the node (it takes them over its own measurement whenever the node
 * object changes) stay where the dots are drawn.
 */
export function withBox<N extends { measured?: { width?: number; height?: number }; handles?: NodeHandle[] }>(
  n: N,
): N {
  const w = n.measured?.width;
  const h = n.measured?.height;
  if (w === undefined || h === undefined) return n;
  // The right-hand dot's position gives both the width and the height the handles were made for.
  const right = n.handles?.[1];
  if (right && right.x === w - BORDER - HANDLE / 2 && right.y === h / 2 - HANDLE / 2) return n;
  return { ...n, handles: w === NODE_WIDTH && h === NODE_HEIGHT ? DEFAULT_HANDLES : nodeHandles(w, h) };
}
