/**
 * Messages in flight and recent drops, painted on one <canvas> over the graph: dots coloured
 * by message type, labelled while few are in flight, and red crosses for drops. Positions are
 * in flow coordinates, mapped to the screen with xyflow's viewport transform each frame, so
 * the dots pan and zoom with the graph. One canvas instead of an SVG element per dot: 300
 * moving dots cost one small bitmap redraw per frame, not 300 attribute writes, style
 * recalcs and a repaint of the graph under them (docs/workbench.md "Performance").
 *
 * A message is placed along its route (shortest path by mean latency, as the kernel routes)
 * at (now − sent) / expected latency, where "now" is the run's virtual time interpolated
 * between progress events while playing. Drops are red crosses that fade over DROP_EVENTS
 * events. The canvas is an image whose accessible name is its text alternative: "3 messages
 * in flight: ping, pong, ping. 1 message dropped."
 */
import { useStoreApi } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { routeFinder } from '../graph/scenario';
import { msgTypeSlot } from '../run/format';
import { placeLabels } from '../run/labels';
import { DROP_EVENTS, type DropMark, type Flight } from '../run/trace-cache';
import { useGraph } from '../stores/graph-store';
import { usePlayback } from '../stores/playback-store';
import { useMembership, useRun } from '../stores/run-store';
import { selectTheme, useUi } from '../stores/ui-store';

/** Longest a progress event is extrapolated while playing (wall ms); then the dots wait. */
const EXTRAPOLATE_MS = 200;
/** Dots are labelled with their message type while this few are in flight. */
const LABEL_UNDER = 10;
/** Sizes in flow units (they scale with the zoom, as the graph does). */
const DOT_R = 6;
const DOT_RING = 2;
const CROSS = 6;
const CROSS_W = 3;
const LABEL_PX = 10.5;
const LABEL_RING = 3;
const SLOTS = 8;

type Point = { x: number; y: number };
type Box = Point & { w: number; h: number };
type Path = { pts: Point[]; lens: number[]; total: number; latencyUs: number };

/** Where the line from a node's centre towards a point leaves the node's box (plus a gap). */
function border(b: Box, toward: Point): Point {
  const dx = toward.x - b.x;
  const dy = toward.y - b.y;
  if ((dx === 0 && dy === 0) || b.w === 0 || b.h === 0) return { x: b.x, y: b.y };
  const scale = Math.min(1, 1 / Math.max(Math.abs(dx) / (b.w + 8), Math.abs(dy) / (b.h + 8)));
  return { x: b.x + dx * scale, y: b.y + dy * scale };
}

function along(p: Path, t: number): Point {
  const { pts, lens } = p;
  if (pts.length === 1) return pts[0]!;
  let d = t * p.total;
  for (let i = 0; i < lens.length; i++) {
    const l = lens[i]!;
    if (d <= l || i === lens.length - 1) {
      const k = l === 0 ? 0 : Math.min(1, d / l);
      const a = pts[i]!;
      const b = pts[i + 1]!;
      return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    }
    d -= l;
  }
  return pts[pts.length - 1]!;
}

/** The theme's colours, read from the CSS custom properties the SVG dots used. */
function palette(el: Element) {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    msg: Array.from({ length: SLOTS }, (_, i) => v(`--msg-${i}`, '#888')),
    ring: v('--canvas', '#fff'),
    danger: v('--danger', '#c21c2a'),
    font: cs.fontFamily || 'sans-serif',
  };
}

/** The text alternative of the picture: counts, and the types while few are in flight. */
export function flightSummary(flights: readonly Flight[], drops: readonly DropMark[]): string {
  if (flights.length === 0 && drops.length === 0) return 'No messages in flight.';
  const n = flights.length;
  let s = `${n} ${n === 1 ? 'message' : 'messages'} in flight`;
  s += n > 0 && n < LABEL_UNDER ? `: ${flights.map((f) => f.msgType).join(', ')}.` : '.';
  if (drops.length > 0) s += ` ${drops.length} ${drops.length === 1 ? 'message' : 'messages'} dropped.`;
  return s;
}

export function MessageLayer() {
  const store = useStoreApi();
  const edges = useGraph((s) => s.edges);
  const links = useMembership((s) => s.links);
  // Routes over the links the run has now: the scenario's it did not remove, and those it added.
  const route = useMemo(
    () =>
      routeFinder(
        links === null
          ? edges
          : [
              ...edges.filter((e) => links.present.has(e.id)),
              ...links.added.map((l) => ({ source: l.a, target: l.b })),
            ],
      ),
    [edges, links],
  );
  const theme = useUi(selectTheme);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [summary, setSummary] = useState('No messages in flight.');

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme: the colours are CSS variables of the theme, read again when it changes.
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const colours = palette(canvas);
    // Routes as polylines between node borders, per (from, to); forgotten when nodes move.
    const paths = new Map<string, Path | null>();
    let pathsFor: unknown = null;
    const box = (id: string): Box | null => {
      const n = store.getState().nodeLookup.get(id);
      if (!n) return null;
      const w = (n.measured.width ?? 0) / 2;
      const h = (n.measured.height ?? 0) / 2;
      return { x: n.internals.positionAbsolute.x + w, y: n.internals.positionAbsolute.y + h, w, h };
    };
    const pathOf = (from: string, to: string): Path | null => {
      const key = `${from}\u0000${to}`;
      const known = paths.get(key);
      if (known !== undefined) return known;
      const r = route(from, to);
      const boxes = r.path.map(box).filter((b): b is Box => b !== null);
      let p: Path | null = null;
      if (boxes.length > 0) {
        const pts: Point[] = boxes.map((b) => ({ x: b.x, y: b.y }));
        if (boxes.length >= 2) {
          pts[0] = border(boxes[0]!, pts[1]!);
          pts[pts.length - 1] = border(boxes[boxes.length - 1]!, pts[pts.length - 2]!);
        }
        const lens: number[] = [];
        let total = 0;
        for (let i = 1; i < pts.length; i++) {
          const l = Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
          lens.push(l);
          total += l;
        }
        p = { pts, lens, total, latencyUs: r.latencyUs };
      }
      // Unmeasured nodes (first frames after a load) are tried again next frame.
      if (boxes.length === r.path.length) paths.set(key, p);
      else incomplete = true;
      return p;
    };

    let raf = 0;
    let incomplete = false;
    let dotsShown = -1;
    let width = 0;
    let height = 0;
    let dpr = 1;
    let drawn = { flights: null as unknown, drops: null as unknown, vt: -1, tx: 0, ty: 0, zoom: 0, w: 0 };
    // The size comes from the observer (it reports once as soon as it observes), not from
    // clientWidth: reading layout here, in the effect that runs again when a scenario opens,
    // forced a layout of the 1,000 new nodes before the browser's own (docs/benchmarks.md).
    const ro = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box) return;
      dpr = window.devicePixelRatio || 1;
      width = box.width;
      height = box.height;
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      drawn = { ...drawn, w: -1 };
    });
    ro.observe(canvas);

    // How many dots are on screen, for tests and the benchmark (data-dots on the canvas).
    const showCount = (n: number) => {
      if (n === dotsShown) return;
      dotsShown = n;
      canvas.dataset.dots = String(n);
    };
    const tick = () => {
      raf = requestAnimationFrame(tick);
      const { flights, drops, status, statusAtMs } = useRun.getState();
      let vt = status?.nowUs ?? 0;
      if (status?.playing) {
        const wall = Math.min(EXTRAPOLATE_MS, performance.now() - statusAtMs);
        vt += wall * 1000 * usePlayback.getState().speedX;
      }
      const [tx, ty, zoom] = store.getState().transform;
      const nodes = useGraph.getState().nodes;
      if (nodes !== pathsFor) {
        paths.clear();
        pathsFor = nodes;
      }
      // Nothing moved: leave the bitmap as it is (a still canvas costs nothing to composite).
      if (
        drawn.flights === flights &&
        drawn.drops === drops &&
        drawn.vt === vt &&
        drawn.tx === tx &&
        drawn.ty === ty &&
        drawn.zoom === zoom &&
        drawn.w === width &&
        !incomplete
      )
        return;
      drawn = { flights, drops, vt, tx, ty, zoom, w: width };
      incomplete = false;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (flights.length === 0 && drops.length === 0) {
        showCount(0);
        return;
      }
      // Flow coordinates to canvas pixels: the same transform as xyflow's viewport.
      ctx.setTransform(zoom * dpr, 0, 0, zoom * dpr, tx * dpr, ty * dpr);
      const margin = 40 / zoom;
      const left = -tx / zoom - margin;
      const top = -ty / zoom - margin;
      const right = (width - tx) / zoom + margin;
      const bottom = (height - ty) / zoom + margin;
      const inView = (p: Point) => p.x >= left && p.x <= right && p.y >= top && p.y <= bottom;

      ctx.lineCap = 'round';
      ctx.strokeStyle = colours.danger;
      ctx.lineWidth = CROSS_W;
      for (const d of drops) {
        const path = pathOf(d.from, d.to);
        if (!path) continue;
        // A message refused at a down node dies at its door; others die leaving the sender.
        const p = along(path, d.reason === 'down' ? 0.96 : 0.12);
        if (!inView(p)) continue;
        ctx.globalAlpha = Math.max(0.15, 1 - d.age / DROP_EVENTS);
        ctx.beginPath();
        ctx.moveTo(p.x - CROSS, p.y - CROSS);
        ctx.lineTo(p.x + CROSS, p.y + CROSS);
        ctx.moveTo(p.x + CROSS, p.y - CROSS);
        ctx.lineTo(p.x - CROSS, p.y + CROSS);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;

      const labelled = flights.length < LABEL_UNDER;
      const placed: { p: Point; type: string }[] = [];
      // Dots grouped by colour: one path per colour, filled and ringed once.
      const bySlot: Point[][] = Array.from({ length: SLOTS }, () => []);
      for (const f of flights) {
        const path = pathOf(f.from, f.to);
        if (!path) continue;
        const t = Math.max(0, Math.min(1, (vt - f.sentUs) / Math.max(1, path.latencyUs)));
        const p = along(path, t);
        if (!inView(p)) continue;
        const slot = msgTypeSlot(f.msgType, SLOTS);
        bySlot[slot]!.push(p);
        if (labelled) placed.push({ p, type: f.msgType });
      }
      ctx.lineWidth = DOT_RING;
      ctx.strokeStyle = colours.ring;
      for (let slot = 0; slot < SLOTS; slot++) {
        const pts = bySlot[slot]!;
        if (pts.length === 0) continue;
        ctx.beginPath();
        for (const p of pts) {
          ctx.moveTo(p.x + DOT_R, p.y);
          ctx.arc(p.x, p.y, DOT_R, 0, Math.PI * 2);
        }
        ctx.fillStyle = colours.msg[slot]!;
        ctx.stroke();
        ctx.fill();
      }
      showCount(bySlot.reduce((n, pts) => n + pts.length, 0));
      if (placed.length > 0) {
        ctx.font = `600 ${LABEL_PX}px ${colours.font}`;
        ctx.textBaseline = 'middle';
        ctx.lineJoin = 'round';
        ctx.lineWidth = LABEL_RING;
        // Placed apart from each other (run/labels.ts), not all at one offset from their dot.
        const width = (t: string) => ctx.measureText(t).width;
        const inputs = placed.map(({ p, type }) => ({ x: p.x, y: p.y, text: type, width: width(type) }));
        for (const l of placeLabels(inputs, LABEL_PX * 1.25, width)) {
          ctx.strokeText(l.text, l.x, l.y);
          ctx.fillStyle = colours.msg[msgTypeSlot(l.type, SLOTS)]!;
          ctx.fillText(l.text, l.x, l.y);
        }
      }
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      ro.disconnect();
    };
  }, [store, route, theme]);

  // The text alternative follows the set of messages, not the frames (at most one React
  // render per change of the flights, and only when the sentence changes).
  useEffect(
    () =>
      useRun.subscribe((s, prev) => {
        if (s.flights !== prev.flights || s.drops !== prev.drops)
          setSummary(flightSummary(s.flights, s.drops));
      }),
    [],
  );

  return (
    <canvas
      ref={canvasRef}
      className="msg-layer"
      role="img"
      aria-label={summary}
      data-testid="message-layer"
    />
  );
}
