/**
 * The timeline scrubber: a strip from event 0 to the furthest event the run has reached (the
 * host's status.reachedEvent). Click or drag to seek (coalesced: one sim.seek in flight, the
 * latest position wins); it is a WAI-ARIA slider named "Timeline" (arrows one event,
 * PageUp/PageDown 1%, Home/End). Fault events and the broken invariant that the renderer
 * already knows (the trace window, the run store's violation) are marked on it; hovering or
 * dragging shows the event and its virtual time. While playing it follows the run.
 */
import { type KeyboardEvent, type PointerEvent, useEffect, useMemo, useRef, useState } from 'react';
import { knownTimeUs, scrubTo, timeOfEvent } from '../app/run';
import { formatCount, formatEvent, formatTime } from '../run/format';
import { selectEvent, selectNowUs, selectPlaying, useRun } from '../stores/run-store';

/** A press within this many pixels of a mark lands on the mark's event. */
const SNAP_PX = 5;
/** Marks closer than 1/MARK_BUCKETS of the strip are drawn once. */
const MARK_BUCKETS = 1000;

interface Mark {
  /** Event index. */
  event: number;
  /** What happened there. */
  kind: 'fault' | 'violation';
}

/** Where an event sits on a strip of 0..max, from 0 to 1. */
function fracOf(event: number, max: number): number {
  return max > 0 ? event / max : 0;
}

/** Fault events in the trace window (one per event), in event order. */
function useFaultEvents(): number[] {
  const rows = useRun((s) => s.cache.rows);
  return useMemo(() => {
    const out: number[] = [];
    for (const r of rows) if (r.kind === 'fault' && out[out.length - 1] !== r.index) out.push(r.index);
    return out;
  }, [rows]);
}

export function Timeline() {
  const simId = useRun((s) => s.simId);
  const eventIndex = useRun(selectEvent);
  const nowUs = useRun(selectNowUs);
  const playing = useRun(selectPlaying);
  const reached = useRun((s) => s.status?.reachedEvent ?? 0);
  const violationAt = useRun((s) => s.violation?.eventIndex ?? null);
  const faults = useFaultEvents();

  // The position asked for and not yet reached (shown at once, so a drag feels immediate).
  const [target, setTarget] = useState<number | null>(null);
  const request = useRef(0);
  const [hover, setHover] = useState<{ event: number; x: number } | null>(null);
  const [hoverUs, setHoverUs] = useState<number | null>(null);
  const dragging = useRef(false);
  const track = useRef<HTMLDivElement>(null);

  const max = Math.max(reached, eventIndex);
  const value = Math.min(target ?? eventIndex, max);
  const disabled = simId === null || max === 0;
  const frac = (e: number) => fracOf(e, max);

  const marks = useMemo(() => {
    const out: Mark[] = [];
    const seen = new Set<number>();
    const add = (event: number, kind: Mark['kind']) => {
      if (event < 0 || event > max) return;
      const bucket = Math.round(fracOf(event, max) * MARK_BUCKETS);
      if (kind === 'fault' && seen.has(bucket)) return;
      seen.add(bucket);
      out.push({ event, kind });
    };
    if (violationAt !== null) add(violationAt, 'violation');
    for (const e of faults) add(e, 'fault');
    return out;
  }, [faults, violationAt, max]);

  // A run that was reset or replaced forgets the position asked for.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a new run only.
  useEffect(() => {
    setTarget(null);
    setHover(null);
  }, [simId]);

  // The hovered event's time: from the trace window at once, else one sim.trace row per frame.
  useEffect(() => {
    if (!hover) return;
    const known = knownTimeUs(hover.event);
    setHoverUs(known);
    if (known !== null) return;
    let live = true;
    const frame = requestAnimationFrame(() => {
      void timeOfEvent(hover.event).then((us) => {
        if (live) setHoverUs(us);
      });
    });
    return () => {
      live = false;
      cancelAnimationFrame(frame);
    };
  }, [hover]);

  const go = (event: number) => {
    if (disabled) return;
    const to = Math.max(0, Math.min(max, Math.round(event)));
    setTarget(to);
    const mine = ++request.current;
    void scrubTo(to).then(() => {
      if (request.current === mine) setTarget(null);
    });
  };

  /** The event under a pointer, snapped to a mark within SNAP_PX. */
  const eventAt = (clientX: number): { event: number; x: number } => {
    const box = track.current?.getBoundingClientRect();
    if (!box || box.width === 0) return { event: 0, x: 0 };
    const x = Math.max(0, Math.min(box.width, clientX - box.left));
    let event = Math.round((x / box.width) * max);
    let best = SNAP_PX;
    for (const m of marks) {
      const d = Math.abs(frac(m.event) * box.width - x);
      if (d <= best) {
        best = d;
        event = m.event;
      }
    }
    return { event, x: frac(event) * box.width };
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0 || disabled) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    dragging.current = true;
    const at = eventAt(e.clientX);
    setHover(at);
    go(at.event);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (disabled) return;
    const at = eventAt(e.clientX);
    setHover((h) => (h && h.event === at.event && h.x === at.x ? h : at));
    if (dragging.current && at.event !== (target ?? eventIndex)) go(at.event);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = false;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.round(max / 100));
    const base = value;
    let next: number | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') next = base + 1;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') next = base - 1;
    else if (e.key === 'PageUp') next = base + page;
    else if (e.key === 'PageDown') next = base - page;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = max;
    if (next === null) return;
    e.preventDefault();
    go(next);
  };

  const valueUs = value === eventIndex ? nowUs : knownTimeUs(value);
  const markAt = marks.find((m) => m.event === value && value > 0);
  const valueText = simId
    ? [
        `${formatEvent(value)} of ${formatCount(max)}`,
        valueUs === null ? null : formatTime(valueUs),
        markAt?.kind === 'violation' ? 'invariant broken' : markAt ? 'fault' : null,
      ]
        .filter(Boolean)
        .join(', ')
    : 'no run yet';
  const pct = `${(frac(value) * 100).toFixed(3)}%`;
  const tipEvent = hover?.event ?? null;

  return (
    <div className={`timeline${playing ? ' is-playing' : ''}`}>
      <span className="tl-edge num" aria-hidden="true">
        0
      </span>
      <div
        ref={track}
        role="slider"
        aria-label="Timeline"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={valueText}
        aria-disabled={disabled || undefined}
        aria-orientation="horizontal"
        tabIndex={0}
        className={`tl-track${disabled ? ' is-disabled' : ''}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => {
          if (!dragging.current) setHover(null);
        }}
        onKeyDown={onKeyDown}
      >
        <div className="tl-rail">
          <div className="tl-fill" style={{ width: pct }} />
        </div>
        <div className="tl-marks" aria-hidden="true">
          {marks.map((m) => (
            <span
              key={`${m.kind}-${m.event}`}
              className={`tl-mark is-${m.kind}`}
              style={{ left: `${(frac(m.event) * 100).toFixed(3)}%` }}
            />
          ))}
        </div>
        <div className="tl-thumb" style={{ left: pct }} aria-hidden="true" />
        {hover && tipEvent !== null && (
          <div className="tl-tip" style={{ left: hover.x }} aria-hidden="true">
            {[
              formatEvent(tipEvent),
              hoverUs === null ? null : formatTime(hoverUs),
              marks.some((m) => m.event === tipEvent && m.kind === 'violation') ? 'invariant broken' : null,
              marks.some((m) => m.event === tipEvent && m.kind === 'fault') ? 'fault' : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </div>
        )}
      </div>
      <span className="tl-edge tl-readout num" aria-hidden="true" data-testid="timeline-readout">
        {formatCount(value)} / {formatCount(max)}
      </span>
    </div>
  );
}
