/**
 * The splitter between the canvas and the bottom panel (WAI-ARIA window splitter): drag it,
 * or focus it and use the arrows (16 px), PageUp/PageDown (64 px), Home/End (least/most) and
 * Enter (collapse or expand). A double-click restores the default height. The value is the
 * bottom panel's height in pixels; the choice is kept in the settings (app/layout.ts).
 */
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react';
import {
  BOTTOM_MIN_PX,
  CANVAS_KEEP_PX,
  layoutSaved,
  onLayoutSaved,
  restoreBottomHeight,
  SPLITTER_STEP_PX,
  saveLayout,
  setBottomCollapsed,
  setBottomHeight,
} from '../app/layout';
import { useUi } from '../stores/ui-store';

/** The panel's rendered height and the most it may have, followed with a ResizeObserver. */
function usePanelBox(panelId: string): { heightPx: number; maxPx: number } {
  const [box, setBox] = useState({ heightPx: 0, maxPx: 0 });
  useEffect(() => {
    const panel = document.getElementById(panelId);
    const parent = panel?.parentElement;
    if (!panel || !parent) return;
    const measure = () =>
      setBox({
        heightPx: Math.round(panel.getBoundingClientRect().height),
        maxPx: Math.max(BOTTOM_MIN_PX, Math.round(parent.clientHeight - CANVAS_KEEP_PX)),
      });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(panel);
    ro.observe(parent);
    return () => ro.disconnect();
  }, [panelId]);
  return box;
}

export function Splitter({ panelId }: { panelId: string }) {
  const collapsed = useUi((s) => s.bottomCollapsed);
  const chosenPx = useUi((s) => s.bottomHeightPx);
  const { heightPx, maxPx } = usePanelBox(panelId);
  const drag = useRef<{ y: number; h: number; moved: boolean } | null>(null);
  const [saved, setSaved] = useState(layoutSaved);
  useEffect(() => onLayoutSaved(setSaved), []);

  const clamp = (px: number) => Math.min(maxPx, Math.max(BOTTOM_MIN_PX, px));
  const resizeTo = (px: number, save = true) => setBottomHeight(clamp(px), save);
  const shownPx = collapsed ? BOTTOM_MIN_PX : clamp(heightPx);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    // Dragging a collapsed panel opens it from its least height.
    drag.current = { y: e.clientY, h: collapsed ? BOTTOM_MIN_PX : heightPx, moved: false };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dy) < 2) return; // a click (or the first half of a double-click)
    d.moved = true;
    resizeTo(d.h - dy, false);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (d?.moved) saveLayout();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // The chosen height, not the measured one: a second press lands before the re-measure.
    const base = collapsed ? BOTTOM_MIN_PX : clamp(chosenPx ?? heightPx);
    let next: number | null = null;
    if (e.key === 'ArrowUp') next = base + SPLITTER_STEP_PX;
    else if (e.key === 'ArrowDown') next = base - SPLITTER_STEP_PX;
    else if (e.key === 'PageUp') next = base + 4 * SPLITTER_STEP_PX;
    else if (e.key === 'PageDown') next = base - 4 * SPLITTER_STEP_PX;
    else if (e.key === 'Home') next = BOTTOM_MIN_PX;
    else if (e.key === 'End') next = maxPx;
    else if (e.key === 'Enter') {
      e.preventDefault();
      setBottomCollapsed(!collapsed);
      return;
    } else return;
    e.preventDefault();
    resizeTo(next);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: an <hr> cannot take focus or pointer drags; this is the APG window splitter (a focusable separator with a value).
    <div
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize bottom panel"
      aria-controls={panelId}
      aria-valuemin={BOTTOM_MIN_PX}
      aria-valuemax={maxPx}
      aria-valuenow={shownPx}
      aria-valuetext={collapsed ? 'collapsed' : `${shownPx} pixels`}
      tabIndex={0}
      className={`splitter${collapsed ? ' is-collapsed' : ''}`}
      title="Drag to resize the bottom panel; double-click for the default height"
      data-layout-saved={saved}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={() => restoreBottomHeight()}
      onKeyDown={onKeyDown}
    />
  );
}
