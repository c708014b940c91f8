/**
 * The event log: the run's trace rows, windowed by hand (fixed row height, only the visible
 * rows in the DOM), filtered by node, kind and free text. A click on a row seeks the run to
 * that row's event. Rows after the current event (after a step back or a seek) are dimmed:
 * replay is deterministic, so they are what will happen next.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { TraceRow } from '../../../shared/api';
import { loadEarlier, seek } from '../app/run';
import { useListedNodes } from '../app/use-listed-nodes';
import { formatCount, formatDuration, msgTypeSlot } from '../run/format';
import { lastRowAtOrBefore } from '../run/trace-cache';
import { useRun } from '../stores/run-store';
import { NEXT_KINDS } from './StepToNext';

/** Row height in pixels (CSS .log-row uses the same). */
export const ROW_PX = 22;
const OVERSCAN = 8;
const KINDS: TraceRow['kind'][] = [
  'start',
  'restart',
  ...NEXT_KINDS.map((k) => k.kind).filter((k) => k !== 'client' && k !== 'note'),
  'client',
  'reply',
  'note',
  'violation',
  'limit',
];

function rowText(r: TraceRow, name: (id: string) => string): string {
  const who =
    r.peer !== undefined
      ? `${name(r.node)} ${r.kind === 'deliver' ? '←' : '→'} ${name(r.peer)}`
      : name(r.node);
  return `${who} ${r.msgType ?? ''} ${r.detail ?? ''}`;
}

/** How often the log re-renders while rows stream in (a person cannot read faster). */
const LOG_REFRESH_MS = 150;

/** The trace window, re-read at most every LOG_REFRESH_MS (at once when the run is still). */
function useThrottledCache() {
  const [cache, setCache] = useState(() => useRun.getState().cache);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const off = useRun.subscribe((s, prev) => {
      if (s.cache === prev.cache) return;
      const wait = LOG_REFRESH_MS - (performance.now() - last);
      if (wait <= 0 || !s.status?.playing) {
        if (timer) clearTimeout(timer);
        timer = null;
        last = performance.now();
        setCache(s.cache);
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          last = performance.now();
          setCache(useRun.getState().cache);
        }, wait);
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);
  return cache;
}

export function EventLog() {
  const cache = useThrottledCache();
  const current = useRun((s) => s.status?.eventIndex ?? 0);
  const hasRun = useRun((s) => s.simId !== null);
  const playing = useRun((s) => s.status?.playing ?? false);
  const listed = useListedNodes();
  const [node, setNode] = useState('');
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(200);
  const follow = useRef(true);
  // The scroll offset as last seen or set here: read from events, never from the element, since
  // reading scrollTop/scrollHeight forces a layout of the whole page (500 busy nodes included).
  const top = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const ids = { node: useId(), kind: useId(), text: useId() };

  const names = useMemo(() => new Map(listed.map((n) => [n.id, n.name])), [listed]);
  const name = (id: string) => names.get(id) ?? id;

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (!node && !kind && !needle) return cache.rows;
    return cache.rows.filter(
      (r) =>
        (!node || r.node === node || r.peer === node) &&
        (!kind || r.kind === kind) &&
        (!needle || `${r.kind} ${rowText(r, (id) => names.get(id) ?? id)}`.toLowerCase().includes(needle)),
    );
  }, [cache.rows, node, kind, text, names]);

  // Follow the tail while the person has not scrolled up. The target is computed from the row
  // count rather than read from scrollHeight, and written in the next animation frame, where
  // the layout it needs is due anyway (in an effect it would force an extra one). One frame
  // request at a time, reading the latest target when it runs, so rows arriving faster than
  // frames (a busy machine) cannot keep postponing it.
  const target = rows.length === 0 ? null : Math.max(0, rows.length * ROW_PX - height);
  const latest = useRef(target);
  latest.current = target;
  const pending = useRef(0);
  // The offset this component last scrolled to itself: the scroll event that follows is not the
  // person scrolling (it may arrive after more rows came, when the offset no longer looks like
  // the bottom, and used to stop the following).
  const wrote = useRef<number | null>(null);
  useEffect(() => {
    if (!follow.current || target === null || Math.abs(top.current - target) <= 1 || pending.current) return;
    pending.current = requestAnimationFrame(() => {
      pending.current = 0;
      const el = box.current;
      const to = latest.current;
      if (!el || !follow.current || to === null) return;
      el.scrollTop = to;
      top.current = to;
      wrote.current = to;
      // Draw the rows of the new offset in this frame: left to the scroll event, the frame
      // showed the old offset's rows scrolled out of sight (the log went blank while playing
      // and at a Pause).
      flushSync(() => setScrollTop(to));
    });
  }, [target]);
  useEffect(() => () => cancelAnimationFrame(pending.current), []);

  // After a seek or step back (the timeline, a row click), bring the current event's rows
  // into view if they are not.
  const shownCurrent = useRef(current);
  // A layout effect: the rows for the new offset render before the browser paints it.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || playing || shownCurrent.current === current) return;
    shownCurrent.current = current;
    const i = lastRowAtOrBefore(rows, current);
    if (i < 0) return;
    const top = i * ROW_PX;
    if (top >= el.scrollTop && top + ROW_PX <= el.scrollTop + height) return;
    // Back at the tail (End on the timeline): follow it again; else centre the current event.
    follow.current = i === rows.length - 1;
    el.scrollTop = follow.current
      ? Math.max(0, rows.length * ROW_PX - height)
      : Math.max(0, top - Math.floor(height / 2));
    wrote.current = el.scrollTop;
    setScrollTop(el.scrollTop);
  }, [current, rows, height, playing]);

  // The scroller exists only once there is a run: observe it from then on (and the panel's
  // height changes with the splitter), or the tail and the windowing use a stale height.
  // biome-ignore lint/correctness/useExhaustiveDependencies: hasRun decides whether box.current exists.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [hasRun]);

  // The scroll offset as last set or reported, but never past the rows held now (the window
  // can shrink before the browser reports the clamped offset).
  const y = Math.min(scrollTop, Math.max(0, rows.length * ROW_PX - height));
  const first = Math.max(0, Math.floor(y / ROW_PX) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((y + height) / ROW_PX) + OVERSCAN);
  const visible = rows.slice(first, last);
  // The same elements while the nodes do not change, so React skips them on every scroll.
  const nodeOptions = useMemo(
    () =>
      listed.map((n) => (
        <option key={n.id} value={n.id}>
          {n.name}
        </option>
      )),
    [listed],
  );

  return (
    <div className="log">
      <fieldset className="log-filters">
        <legend className="sr-only">Filter events</legend>
        <label className="tb-field" htmlFor={ids.node}>
          <span className="tb-label">Node</span>
          <select
            id={ids.node}
            className="select small"
            value={node}
            onChange={(e) => setNode(e.target.value)}
          >
            <option value="">All nodes</option>
            {nodeOptions}
          </select>
        </label>
        <label className="tb-field" htmlFor={ids.kind}>
          <span className="tb-label">Kind</span>
          <select
            id={ids.kind}
            className="select small"
            value={kind}
            onChange={(e) => setKind(e.target.value)}
          >
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="tb-field log-search" htmlFor={ids.text}>
          <span className="tb-label">Find</span>
          <input
            id={ids.text}
            className="input small"
            type="search"
            placeholder="message type, detail…"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <span className="log-count muted" aria-live="off">
          {rows.length === cache.rows.length
            ? `${formatCount(cache.rows.length)} rows`
            : `${formatCount(rows.length)} of ${formatCount(cache.rows.length)} rows`}
        </span>
        {cache.firstEvent > 1 && (
          <button
            type="button"
            className="btn small"
            disabled={playing}
            title={playing ? 'Pause first' : `Events before ${formatCount(cache.firstEvent)} are not loaded`}
            onClick={() => void loadEarlier()}
          >
            Load earlier
          </button>
        )}
      </fieldset>
      {!hasRun ? (
        <div className="empty">
          <p className="empty-title">No events yet</p>
          <p className="empty-body">
            Press Play or Step: every send, delivery, drop, timer, state change and fault of the run is listed
            here in virtual-time order. Click a row to go to its event.
          </p>
        </div>
      ) : (
        <div
          ref={box}
          className="log-scroll"
          tabIndex={-1}
          onScroll={(e) => {
            const y = e.currentTarget.scrollTop;
            top.current = y;
            setScrollTop(y);
            const ours = wrote.current !== null && Math.abs(y - wrote.current) <= 1;
            wrote.current = null;
            if (ours) return;
            // The person scrolled: at the bottom (within a row), keep following. Heights from
            // state, not the element.
            follow.current = y + height >= rows.length * ROW_PX - ROW_PX;
          }}
        >
          <ol
            className="log-rows"
            aria-label="Trace rows"
            style={{ height: rows.length * ROW_PX, paddingTop: first * ROW_PX }}
          >
            {visible.map((r) => (
              <li key={r.row} className="log-li">
                <button
                  type="button"
                  className={`log-row${r.index === current ? ' is-current' : ''}${r.index > current ? ' is-ahead' : ''}`}
                  data-event={r.index}
                  data-kind={r.kind}
                  title={`Go to event ${r.index}`}
                  onClick={() => void seek(r.index)}
                >
                  <span className="log-event num">{r.index}</span>
                  <span className="log-time num">{formatDuration(r.timeUs)}</span>
                  <span className="log-kind" data-kind={r.kind}>
                    {r.kind}
                  </span>
                  <span className="log-who">
                    {name(r.node)}
                    {r.peer !== undefined && (
                      <>
                        <span className="log-arrow">{r.kind === 'deliver' ? ' ← ' : ' → '}</span>
                        {name(r.peer)}
                      </>
                    )}
                  </span>
                  {r.msgType && <span className={`log-msg msg-${msgTypeSlot(r.msgType)}`}>{r.msgType}</span>}
                  {r.detail && <span className="log-detail">{r.detail}</span>}
                </button>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
