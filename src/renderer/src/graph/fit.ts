/**
 * Framing the graph on the canvas so that nothing floating over the canvas covers a node.
 *
 * The minimap sits in the bottom-right corner and the zoom controls in the bottom-left one; in a
 * 1024x700 window the minimap is a third of the canvas's height, so a uniform padding left
 * nodes under it. A graph framed clear of a corner box must end above it or left of it
 * (right of it, for the controls): `fitPadding` works out both ways and keeps the one that
 * shows the graph larger (docs/workbench.md "Checked at 1024x700"). The side and bottom margins
 * give way where they would zoom the graph out below `readableZoom` (LabNode's FAR_ZOOM), and
 * then the gaps too, down to FIT_MIN_GAP.
 */

export interface Size {
  width: number;
  height: number;
}

/** Paddings in screen pixels, as xyflow's `fitView({ padding })` takes them. */
export interface FitPadding {
  top: `${number}px`;
  right: `${number}px`;
  bottom: `${number}px`;
  left: `${number}px`;
}

/**
 * What floats over the canvas, each as the room it takes from the canvas's edges (margin
 * included): the minimap from the bottom-right corner, the zoom controls from the bottom-left,
 * the edit toolbar from the top.
 */
export interface Overlays {
  minimap: Size | null;
  controls: Size | null;
  toolbar: number;
}

/** Room kept between a node and the canvas's edge, or what floats over it. */
export const FIT_GAP = 12;
/** The least of that room, kept where FIT_GAP would zoom the graph out past readable. */
export const FIT_MIN_GAP = 4;
/** The share of the canvas kept free around the graph on its sides and bottom. */
export const FIT_MARGIN = 0.13;
/** The largest zoom a fit chooses: a small graph is not blown up. */
export const FIT_MAX_ZOOM = 1.1;

interface Pads {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The zoom at which `graph` fills the canvas inside the paddings. */
function zoomFor(canvas: Size, graph: Size, p: Pads): number {
  const w = Math.max(1, canvas.width - p.left - p.right);
  const h = Math.max(1, canvas.height - p.top - p.bottom);
  return Math.min(FIT_MAX_ZOOM, w / Math.max(1, graph.width), h / Math.max(1, graph.height));
}

/**
 * The paddings that frame `graph` (its bounds, flow units) on `canvas` clear of the overlays:
 * the graph ends above the bottom corners' boxes, or between them, whichever zooms in more.
 */
export function fitPadding(canvas: Size, graph: Size, overlays: Overlays, readableZoom = 0): FitPadding {
  /** The graph framed above the bottom corners' boxes, or between them. */
  const framed = (side: number, bottom: number, gap = FIT_GAP): { above: Pads; between: Pads } => {
    const base: Pads = {
      top: Math.max(overlays.toolbar + gap, Math.round(canvas.height * 0.05)),
      right: side,
      bottom,
      left: side,
    };
    const mm = overlays.minimap ?? { width: 0, height: 0 };
    const ctl = overlays.controls ?? { width: 0, height: 0 };
    return {
      above: { ...base, bottom: Math.max(base.bottom, mm.height + gap, ctl.height + gap) },
      between: {
        ...base,
        right: Math.max(base.right, mm.width + gap),
        left: Math.max(base.left, ctl.width + gap),
      },
    };
  };
  const zoom = (p: Pads) => zoomFor(canvas, graph, p);
  const wide = framed(Math.round(canvas.width * FIT_MARGIN), Math.round(canvas.height * FIT_MARGIN));
  let p = zoom(wide.between) > zoom(wide.above) ? wide.between : wide.above;
  // The margins are for looks: where they would zoom the graph out below the zoom at which its
  // badges show their text (ZooKeeper's eight nodes in a 1024x700 window), they give way to the
  // gap alone. Between the corner boxes first: a graph framed just above them would run into
  // them as its badges grow taller during the run.
  // Then, in a canvas a view tab has made short (Kafka's Partition logs at 1024x700: 297 px),
  // the gaps shrink to FIT_MIN_GAP as well: a node nearer the toolbar beats a badge without text.
  for (const gap of [FIT_GAP, FIT_MIN_GAP]) {
    if (zoom(p) >= readableZoom) break;
    const tight = framed(gap, gap, gap);
    const best =
      zoom(tight.between) >= readableZoom || zoom(tight.between) > zoom(tight.above)
        ? tight.between
        : tight.above;
    if (zoom(best) > zoom(p)) p = best;
  }
  return { top: `${p.top}px`, right: `${p.right}px`, bottom: `${p.bottom}px`, left: `${p.left}px` };
}
