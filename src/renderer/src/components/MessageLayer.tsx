/**
 * Messages in flight, drawn over the canvas in flow coordinates (xyflow's ViewportPortal),
 * so they pan and zoom with the graph. Updated imperatively once per animation frame —
 * positions only, no React render per frame — and capped at MAX_FLIGHTS dots.
 *
 * A message is placed along its route (shortest path by mean latency, as the kernel routes)
 * at (now − sent) / expected latency, where "now" is the run's virtual time interpolated
 * between progress events while playing. Drops are red crosses that fade over DROP_EVENTS events.
 */
import { useReactFlow, ViewportPortal } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import { routeFinder } from '../graph/scenario';
import { msgTypeSlot } from '../run/format';
import { DROP_EVENTS } from '../run/trace-cache';
import { useGraph } from '../stores/graph-store';
import { usePlayback } from '../stores/playback-store';
import { useRun } from '../stores/run-store';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Longest a progress event is extrapolated while playing (wall ms); then the dots wait. */
const EXTRAPOLATE_MS = 200;
/** Dots are labelled with their message type while this few are in flight. */
const LABEL_UNDER = 10;

type Point = { x: number; y: number };
type Box = Point & { w: number; h: number };

/** Where the line from a node's centre towards a point leaves the node's box (plus a gap). */
function border(b: Box, toward: Point): Point {
  const dx = toward.x - b.x;
  const dy = toward.y - b.y;
  if ((dx === 0 && dy === 0) || b.w === 0 || b.h === 0) return { x: b.x, y: b.y };
  const scale = Math.min(1, 1 / Math.max(Math.abs(dx) / (b.w + 8), Math.abs(dy) / (b.h + 8)));
  return { x: b.x + dx * scale, y: b.y + dy * scale };
}

function along(points: Point[], t: number): Point {
  if (points.length === 1) return points[0]!;
  const lens: number[] = [];
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const l = Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
    lens.push(l);
    total += l;
  }
  let d = t * total;
  for (let i = 0; i < lens.length; i++) {
    const l = lens[i]!;
    if (d <= l || i === lens.length - 1) {
      const k = l === 0 ? 0 : Math.min(1, d / l);
      const a = points[i]!;
      const b = points[i + 1]!;
      return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    }
    d -= l;
  }
  return points[points.length - 1]!;
}

export function MessageLayer() {
  const { getInternalNode } = useReactFlow();
  const edges = useGraph((s) => s.edges);
  const route = useMemo(() => routeFinder(edges), [edges]);
  const dotsRef = useRef<SVGGElement>(null);
  const dropsRef = useRef<SVGGElement>(null);

  useEffect(() => {
    const dots = new Map<number, { g: SVGGElement; label: SVGTextElement }>();
    const crosses = new Map<number, SVGGElement>();
    let raf = 0;
    const box = (id: string): Box | null => {
      const n = getInternalNode(id);
      if (!n) return null;
      const w = (n.measured.width ?? 0) / 2;
      const h = (n.measured.height ?? 0) / 2;
      return { x: n.internals.positionAbsolute.x + w, y: n.internals.positionAbsolute.y + h, w, h };
    };
    // The route's polyline, starting and ending at the end nodes' borders (as links are drawn).
    const pathPoints = (from: string, to: string) => {
      const r = route(from, to);
      const boxes = r.path.map(box).filter((b): b is Box => b !== null);
      const pts: Point[] = boxes.map((b) => ({ x: b.x, y: b.y }));
      if (boxes.length >= 2) {
        pts[0] = border(boxes[0]!, pts[1]!);
        pts[pts.length - 1] = border(boxes[boxes.length - 1]!, pts[pts.length - 2]!);
      }
      return { pts, latencyUs: r.latencyUs };
    };
    const tick = () => {
      raf = requestAnimationFrame(tick);
      const host = dotsRef.current;
      const dropHost = dropsRef.current;
      if (!host || !dropHost) return;
      const { flights, drops, status, statusAtMs } = useRun.getState();
      let vt = status?.nowUs ?? 0;
      if (status?.playing) {
        const wall = Math.min(EXTRAPOLATE_MS, performance.now() - statusAtMs);
        vt += wall * 1000 * usePlayback.getState().speedX;
      }
      const seen = new Set<number>();
      const labelled = flights.length < LABEL_UNDER;
      for (const f of flights) {
        const { pts, latencyUs } = pathPoints(f.from, f.to);
        if (pts.length === 0) continue;
        seen.add(f.sendId);
        let dot = dots.get(f.sendId);
        if (!dot) {
          const g = document.createElementNS(SVG_NS, 'g');
          g.setAttribute('class', `msg msg-${msgTypeSlot(f.msgType)}`);
          const c = document.createElementNS(SVG_NS, 'circle');
          c.setAttribute('r', '6');
          const label = document.createElementNS(SVG_NS, 'text');
          label.setAttribute('x', '9');
          label.setAttribute('y', '-9');
          label.setAttribute('class', 'msg-label');
          label.setAttribute('dy', '0.35em');
          label.textContent = f.msgType;
          g.append(c, label);
          host.append(g);
          dot = { g, label };
          dots.set(f.sendId, dot);
        }
        const t = Math.max(0, Math.min(1, (vt - f.sentUs) / Math.max(1, latencyUs)));
        const p = along(pts, t);
        dot.g.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
        dot.label.style.display = labelled ? '' : 'none';
      }
      for (const [id, dot] of dots) {
        if (!seen.has(id)) {
          dot.g.remove();
          dots.delete(id);
        }
      }
      const seenDrops = new Set<number>();
      for (const d of drops) {
        const { pts } = pathPoints(d.from, d.to);
        if (pts.length === 0) continue;
        seenDrops.add(d.sendId);
        let g = crosses.get(d.sendId);
        if (!g) {
          g = document.createElementNS(SVG_NS, 'g');
          g.setAttribute('class', 'drop-mark');
          const title = document.createElementNS(SVG_NS, 'path');
          title.setAttribute('d', 'M-6 -6L6 6M6 -6L-6 6');
          g.append(title);
          dropHost.append(g);
          crosses.set(d.sendId, g);
        }
        // A message refused at a down node dies at its door; others die leaving the sender.
        const p = along(pts, d.reason === 'down' ? 0.96 : 0.12);
        g.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
        g.style.opacity = String(Math.max(0.15, 1 - d.age / DROP_EVENTS));
      }
      for (const [id, g] of crosses) {
        if (!seenDrops.has(id)) {
          g.remove();
          crosses.delete(id);
        }
      }
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      for (const d of dots.values()) d.g.remove();
      for (const g of crosses.values()) g.remove();
    };
  }, [getInternalNode, route]);

  return (
    <ViewportPortal>
      <svg className="msg-layer" aria-hidden="true" data-testid="message-layer">
        <g ref={dropsRef} />
        <g ref={dotsRef} />
      </svg>
    </ViewportPortal>
  );
}
