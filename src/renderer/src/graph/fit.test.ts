import { describe, expect, it } from 'vitest';
import { FIT_MAX_ZOOM, type FitPadding, fitPadding, type Overlays, type Size } from './fit';

// The canvas of a 1024x700 window with the panels open, and what floats over it (measured).
const SMALL: Size = { width: 560, height: 330 };
const OVERLAYS: Overlays = {
  minimap: { width: 183, height: 127 },
  controls: { width: 43, height: 97 },
  toolbar: 52,
};

const px = (p: FitPadding) => ({
  top: Number.parseFloat(p.top),
  right: Number.parseFloat(p.right),
  bottom: Number.parseFloat(p.bottom),
  left: Number.parseFloat(p.left),
});

/** Where xyflow puts the graph for these paddings: centred in the room they leave. */
function placed(canvas: Size, graph: Size, pad: FitPadding) {
  const p = px(pad);
  const zoom = Math.min(
    FIT_MAX_ZOOM,
    (canvas.width - p.left - p.right) / graph.width,
    (canvas.height - p.top - p.bottom) / graph.height,
  );
  const w = graph.width * zoom;
  const h = graph.height * zoom;
  const left = p.left + (canvas.width - p.left - p.right - w) / 2;
  const top = p.top + (canvas.height - p.top - p.bottom - h) / 2;
  return { left, top, right: left + w, bottom: top + h, zoom };
}

/** The graph's box is clear of the corner boxes of the minimap and the controls. */
function clearOfCorners(canvas: Size, box: ReturnType<typeof placed>, o: Overlays): boolean {
  const mm = o.minimap!;
  const ctl = o.controls!;
  const underMinimap = box.right > canvas.width - mm.width && box.bottom > canvas.height - mm.height;
  const underControls = box.left < ctl.width && box.bottom > canvas.height - ctl.height;
  return !underMinimap && !underControls && box.top >= o.toolbar;
}

describe('fitPadding', () => {
  it.each([
    ['a wide row', { width: 900, height: 80 }],
    ['a tall column', { width: 170, height: 700 }],
    ['a square ring', { width: 500, height: 500 }],
    ['one node', { width: 168, height: 56 }],
    ['a wide cluster', { width: 1200, height: 420 }],
  ])('frames %s clear of the minimap, controls and toolbar', (_, graph) => {
    for (const canvas of [SMALL, { width: 960, height: 520 }]) {
      const box = placed(canvas, graph, fitPadding(canvas, graph, OVERLAYS));
      expect(clearOfCorners(canvas, box, OVERLAYS)).toBe(true);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(canvas.width);
      expect(box.bottom).toBeLessThanOrEqual(canvas.height);
    }
  });

  it('keeps a wide graph above the minimap and a tall one beside it, whichever shows it larger', () => {
    const wide = px(fitPadding(SMALL, { width: 900, height: 80 }, OVERLAYS));
    expect(wide.bottom).toBeGreaterThanOrEqual(127);
    expect(wide.right).toBeLessThan(183);
    const tall = px(fitPadding(SMALL, { width: 170, height: 700 }, OVERLAYS));
    expect(tall.right).toBeGreaterThanOrEqual(183);
    expect(tall.bottom).toBeLessThan(127);
  });

  it('without overlays keeps the margins it always had', () => {
    const p = px(
      fitPadding(SMALL, { width: 500, height: 300 }, { minimap: null, controls: null, toolbar: 52 }),
    );
    expect(p).toEqual({
      top: 64,
      right: Math.round(560 * 0.13),
      bottom: Math.round(330 * 0.13),
      left: Math.round(560 * 0.13),
    });
  });

  it("lets the margins go where they would zoom a graph below the badges' readable zoom", () => {
    // ZooKeeper's quick start (three servers over five clients) in a 1024x700 window, where the
    // minimap is hidden: with the margins it was framed at 0.43, its badges bars without text.
    const canvas = { width: 564, height: 382 };
    const graph = { width: 968, height: 340 };
    const overlays: Overlays = { minimap: null, controls: { width: 43, height: 97 }, toolbar: 52 };
    expect(placed(canvas, graph, fitPadding(canvas, graph, overlays)).zoom).toBeLessThan(0.45);
    const box = placed(canvas, graph, fitPadding(canvas, graph, overlays, 0.45));
    expect(box.zoom).toBeGreaterThanOrEqual(0.45);
    // Still clear of the toolbar and the zoom controls, and inside the canvas.
    expect(box.top).toBeGreaterThanOrEqual(52);
    // Beside the zoom controls, not just above them: the nodes grow as their badges fill in.
    expect(box.left).toBeGreaterThanOrEqual(43);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(canvas.width);
    // A graph that is readable with the margins keeps them.
    const small = { width: 500, height: 300 };
    expect(fitPadding(canvas, small, overlays, 0.45)).toEqual(fitPadding(canvas, small, overlays));
  });

  it('in a canvas a view tab made short, lets the gaps shrink too before the badges lose their text', () => {
    // Kafka's quick start (a badge on every node after a step) at 1024x700 with its Partition
    // logs tab open: the bottom panel grows and leaves the canvas 297 px tall (measured).
    const canvas = { width: 564, height: 297 };
    const graph = { width: 608, height: 503 };
    const overlays: Overlays = { minimap: null, controls: { width: 43, height: 95 }, toolbar: 50 };
    const box = placed(canvas, graph, fitPadding(canvas, graph, overlays, 0.45));
    expect(box.zoom).toBeGreaterThanOrEqual(0.45);
    expect(box.top).toBeGreaterThanOrEqual(50);
    expect(box.left).toBeGreaterThanOrEqual(43);
    expect(box.right).toBeLessThanOrEqual(canvas.width);
    expect(box.bottom).toBeLessThanOrEqual(canvas.height);
    // Where the 12 px gap is readable, it is kept.
    const taller = { width: 564, height: 382 };
    expect(px(fitPadding(taller, graph, overlays, 0.45)).top).toBe(62);
  });
});
