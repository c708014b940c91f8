/**
 * The workbench layout the person chose (docs/workbench.md, "Bottom panel"): the bottom
 * panel's height and whether it is collapsed. Kept in the settings (settings.set), read at boot.
 */
import type { Settings } from '../../../shared/api';
import { call } from '../api/client';
import { useUi } from '../stores/ui-store';

/** The bottom panel's least height while expanded (tab strip plus a few log rows). */
export const BOTTOM_MIN_PX = 120;
/** What the canvas (plus the timeline and splitter) keeps at least; the panel's max follows. */
export const CANVAS_KEEP_PX = 180;
/** One arrow-key press on the splitter; PageUp/PageDown move four times as far. */
export const SPLITTER_STEP_PX = 16;

/** Applies the stored layout (boot). */
export function applyLayoutSettings(settings: Settings): void {
  useUi.getState().setBottomPanel({
    bottomHeightPx: settings.bottomPanelHeightPx ?? null,
    bottomCollapsed: settings.bottomPanelCollapsed ?? false,
  });
}

let saving: Promise<void> | null = null;
let again = false;
const savedListeners = new Set<(saved: boolean) => void>();

/** Whether the layout on screen is the one in the settings (no save pending or in flight). */
export function layoutSaved(): boolean {
  return saving === null;
}

/** Calls back when layoutSaved() changes; returns the unsubscribe. */
export function onLayoutSaved(fn: (saved: boolean) => void): () => void {
  savedListeners.add(fn);
  return () => savedListeners.delete(fn);
}

/** Stores the layout shown now: one settings.set in flight, the latest layout wins. */
function persist(): void {
  if (saving) {
    again = true;
    return;
  }
  for (const fn of savedListeners) fn(false);
  saving = (async () => {
    do {
      again = false;
      const { bottomHeightPx, bottomCollapsed } = useUi.getState();
      try {
        await call('settings.set', {
          bottomPanelHeightPx: bottomHeightPx,
          bottomPanelCollapsed: bottomCollapsed,
        });
      } catch (err) {
        useUi
          .getState()
          .toast(`Could not save the panel size: ${err instanceof Error ? err.message : err}`, 'error');
      }
    } while (again);
    saving = null;
    for (const fn of savedListeners) fn(true);
  })();
}

/** Sets the panel's height (expanding it); `save` false while a drag is still moving. */
export function setBottomHeight(px: number, save = true): void {
  useUi.getState().setBottomPanel({ bottomHeightPx: Math.round(px), bottomCollapsed: false });
  if (save) persist();
}

/** Back to the default height (the splitter's double-click), expanded. */
export function restoreBottomHeight(): void {
  useUi.getState().setBottomPanel({ bottomHeightPx: null, bottomCollapsed: false });
  persist();
}

/** Collapses the panel to its tab strip, or expands it again at its height. */
export function setBottomCollapsed(collapsed: boolean): void {
  if (useUi.getState().bottomCollapsed === collapsed) return;
  useUi.getState().setBottomPanel({ bottomCollapsed: collapsed });
  persist();
}

/** Stores the current layout (the end of a drag). */
export function saveLayout(): void {
  persist();
}
