/**
 * The links' lines, painted on one <canvas> under the nodes (docs/workbench.md "On the canvas",
 * "Performance"). xyflow draws every link as its own <svg>; with 1,000 links, painting them
 * made every repaint of the graph (a pan, a badge change) walk thousands of paint chunks. The
 * SVG links stay for everything a person does with a link (click, right-click, keyboard
 * focus, selection, the accessible name) but paint nothing while the link is plain: their
 * hit path is invisible and their line is hidden unless the link is selected or focused
 * (LinkEdge, styles.css). Cut and degraded links keep their SVG look (dashes, label) and are
 * not drawn here.
 *
 * The canvas lives inside xyflow's viewport (the edge-label layer, below the nodes) and covers
 * the graph's bounding box in flow coordinates, so a pan moves it with the graph without a
 * redraw. It is redrawn when the nodes, links or link states change, when the theme changes,
 * and shortly after the zoom settles (its bitmap follows zoom × device pixel ratio, up to
 * MAX_LINK_CANVAS_PX; while a zoom gesture is under way the lines are scaled, briefly soft).
 */
import { EdgeLabelRenderer, useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { borderPoint, canvasScale, type NodeBox } from '../graph/link-geometry';
import type { LabFlowEdge, LabFlowNode } from '../graph/types';
import { useRun } from '../stores/run-store';
import { selectTheme, useUi } from '../stores/ui-store';

/** How long the zoom must rest before the lines are redrawn sharp at the new zoom (ms). */
const ZOOM_SETTLE_MS = 120;
/** Room around the graph's box for the lines' width (flow units). */
const MARGIN = 4;

function LinkCanvas() {
  const store = useStoreApi<LabFlowNode, LabFlowEdge>();
  const ref = useRef<HTMLCanvasElement>(null);
  const theme = useUi(selectTheme);

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are CSS variables of the theme, read again when it changes.
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const flow = canvas.closest('.react-flow') ?? canvas;
    const cs = getComputedStyle(flow);
    const stroke = cs.getPropertyValue('--xy-edge-stroke').trim() || '#888';
    const width = Number.parseFloat(cs.getPropertyValue('--xy-edge-stroke-width')) || 1.75;

    let raf = 0;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const draw = () => {
      raf = 0;
      const s = store.getState();
      const states = useRun.getState().links;
      const box = (id: string): NodeBox | null => {
        const n = s.nodeLookup.get(id);
        const w = n?.measured.width ?? 0;
        const h = n?.measured.height ?? 0;
        // Not measured yet: xyflow does not draw its links either.
        if (!n || w === 0 || h === 0) return null;
        return { x: n.internals.positionAbsolute.x, y: n.internals.positionAbsolute.y, w, h };
      };
      const lines: number[] = [];
      let x0 = Number.POSITIVE_INFINITY;
      let y0 = Number.POSITIVE_INFINITY;
      let x1 = Number.NEGATIVE_INFINITY;
      let y1 = Number.NEGATIVE_INFINITY;
      for (const e of s.edges) {
        if (e.hidden || states[e.id]) continue; // a cut or degraded link: drawn in SVG
        const a = box(e.source);
        const b = box(e.target);
        if (!a || !b) continue;
        const p = borderPoint(a, b);
        const q = borderPoint(b, a);
        lines.push(p.x, p.y, q.x, q.y);
        x0 = Math.min(x0, p.x, q.x);
        y0 = Math.min(y0, p.y, q.y);
        x1 = Math.max(x1, p.x, q.x);
        y1 = Math.max(y1, p.y, q.y);
      }
      if (lines.length === 0) {
        canvas.width = 0;
        canvas.height = 0;
        return;
      }
      x0 -= MARGIN;
      y0 -= MARGIN;
      const w = x1 + MARGIN - x0;
      const h = y1 + MARGIN - y0;
      const k = canvasScale(w, h, s.transform[2], window.devicePixelRatio || 1);
      const bw = Math.max(1, Math.ceil(w * k));
      const bh = Math.max(1, Math.ceil(h * k));
      // Flow units on the page: the viewport's transform scales them to the screen.
      canvas.style.transform = `translate(${x0}px, ${y0}px)`;
      canvas.style.width = `${bw / k}px`;
      canvas.style.height = `${bh / k}px`;
      if (canvas.width !== bw || canvas.height !== bh) {
        canvas.width = bw;
        canvas.height = bh;
      } else {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, bw, bh);
      }
      ctx.setTransform(k, 0, 0, k, -x0 * k, -y0 * k);
      ctx.strokeStyle = stroke;
      ctx.lineWidth = width;
      ctx.lineCap = 'round';
      ctx.beginPath();
      for (let i = 0; i < lines.length; i += 4) {
        ctx.moveTo(lines[i]!, lines[i + 1]!);
        ctx.lineTo(lines[i + 2]!, lines[i + 3]!);
      }
      ctx.stroke();
      canvas.dataset.links = String(lines.length / 4);
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(draw);
    };
    schedule();
    const unStore = store.subscribe((s, prev) => {
      if (s.transform !== prev.transform && s.transform[2] === prev.transform[2]) {
        // A pan: the canvas moves with the viewport; nothing to draw. (xyflow sets the
        // transform on its own, not together with nodes or edges.)
        if (s.nodes === prev.nodes && s.edges === prev.edges) return;
      }
      if (s.transform[2] !== prev.transform[2] && s.nodes === prev.nodes && s.edges === prev.edges) {
        clearTimeout(settle);
        settle = setTimeout(schedule, ZOOM_SETTLE_MS);
        return;
      }
      // Nodes moved or were measured (xyflow's internals update sets an empty change), links
      // added or removed, a selection: redraw in the next frame.
      schedule();
    });
    // Every event shown brings a new link-state object (up to 20 a second while playing); the
    // canvas changes only when the set of links it leaves to the SVG does. Redrawing it for
    // nothing would repaint the whole graph under the nodes each time.
    const statedKey = (links: Record<string, unknown>) => Object.keys(links).join('\n');
    let stated = statedKey(useRun.getState().links);
    const unRun = useRun.subscribe((s, prev) => {
      if (s.links === prev.links) return;
      const key = statedKey(s.links);
      if (key === stated) return;
      stated = key;
      schedule();
    });
    return () => {
      unStore();
      unRun();
      clearTimeout(settle);
      if (raf) cancelAnimationFrame(raf);
    };
  }, [store, theme]);

  // The links are reached through their SVGs (role group, named "Link a – b"); the picture
  // repeats them. A canvas without tabindex is not focusable (Biome's rule assumes it is).
  // biome-ignore lint/a11y/noAriaHiddenOnFocusable: not focusable; see above.
  return <canvas ref={ref} className="link-layer" aria-hidden="true" />;
}

/** The link canvas, in xyflow's edge-label layer (inside the viewport, under the nodes). */
export function LinkLayer() {
  return (
    <EdgeLabelRenderer>
      <LinkCanvas />
    </EdgeLabelRenderer>
  );
}
