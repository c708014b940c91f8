/** Interface state: theme, bottom panel tab, open dialog, toasts. */
import { create } from 'zustand';
import type { Settings } from '../../../shared/api';

export type ThemePref = Settings['theme'];
export type PanelTab =
  | 'events'
  | 'metrics'
  | 'checkers'
  | 'lesson'
  | 'spacetime'
  | 'experiment'
  | 'compare'
  /** A view the protocol declares (catalog `views`), by id. */
  | `view:${string}`;
export type DialogId = 'shortcuts' | 'about' | 'branch';

/** A short, non-blocking message. */
export interface Toast {
  /** Unique id for dismissal. */
  id: number;
  /** What to say. */
  text: string;
  /** Errors look different and stay a little longer. */
  tone: 'info' | 'error';
}

interface UiState {
  /** The person's theme choice. */
  themePref: ThemePref;
  /** Whether the OS prefers dark (for 'system'). */
  systemDark: boolean;
  /** The bottom panel's tab. */
  tab: PanelTab;
  /** The open modal, if any. */
  dialog: DialogId | null;
  /** Visible toasts, oldest first. */
  toasts: Toast[];
  /** The node whose name is being edited on the canvas, if any. */
  renamingId: string | null;
  /** The bottom panel's height chosen with the splitter, px; null: the default for the tab. */
  bottomHeightPx: number | null;
  /** The bottom panel is collapsed to its tab strip. */
  bottomCollapsed: boolean;
  setRenaming(id: string | null): void;
  setBottomPanel(patch: { bottomHeightPx?: number | null; bottomCollapsed?: boolean }): void;
  setThemePref(pref: ThemePref): void;
  setSystemDark(dark: boolean): void;
  setTab(tab: PanelTab): void;
  openDialog(id: DialogId): void;
  closeDialog(): void;
  /** Shows a toast and returns its id. */
  toast(text: string, tone?: Toast['tone']): number;
  dismissToast(id: number): void;
}

/** The theme actually shown for a preference. */
export function resolveTheme(pref: ThemePref, systemDark: boolean): 'light' | 'dark' {
  return pref === 'system' ? (systemDark ? 'dark' : 'light') : pref;
}

let toastSeq = 0;

export const useUi = create<UiState>()((set) => ({
  themePref: 'system',
  systemDark: false,
  tab: 'events',
  dialog: null,
  toasts: [],
  renamingId: null,
  bottomHeightPx: null,
  bottomCollapsed: false,
  setRenaming: (renamingId) => set({ renamingId }),
  setBottomPanel: (patch) => set(patch),
  setThemePref: (themePref) => set({ themePref }),
  setSystemDark: (systemDark) => set({ systemDark }),
  setTab: (tab) => set({ tab }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  toast: (text, tone = 'info') => {
    const id = ++toastSeq;
    // Repeating the same message replaces it rather than stacking copies.
    set((s) => ({ toasts: [...s.toasts.filter((t) => t.text !== text), { id, text, tone }].slice(-3) }));
    return id;
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** Selector: the theme shown now. */
export const selectTheme = (s: UiState) => resolveTheme(s.themePref, s.systemDark);
