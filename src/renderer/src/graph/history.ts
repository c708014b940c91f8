/**
 * Undo/redo over snapshots of the scenario document. Pure: the graph store owns one history
 * and decides when an edit begins; this module only keeps the stacks.
 *
 * Snapshots, not inverse operations: a scenario is small (a few KB even with 100 nodes) and
 * a snapshot cannot drift out of step with the edit it undoes.
 */

/** Most snapshots kept on the undo stack; the oldest go first. */
export const HISTORY_CAP = 200;

/** Edits with the same key within this many ms are one step (typing, a drag, nudges). */
export const COALESCE_MS = 1000;

/** The undo and redo stacks. */
export interface History<T> {
  /** States before each edit, oldest first. */
  past: T[];
  /** States undone, the most recently undone last. */
  future: T[];
  /** Key of the last recorded edit, for coalescing. */
  lastKey: string | null;
  /** When the last edit was recorded (ms), for coalescing. */
  lastAtMs: number;
}

/** An empty history. */
export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null, lastAtMs: Number.NEGATIVE_INFINITY };
}

/**
 * Records the state before an edit. An edit with the same non-null key as the previous one
 * within COALESCE_MS joins it (its "before" is already on the stack). Any edit clears redo.
 */
export function record<T>(h: History<T>, before: T, key: string | null = null, nowMs = 0): History<T> {
  if (key !== null && key === h.lastKey && nowMs - h.lastAtMs <= COALESCE_MS) {
    return { ...h, future: [], lastAtMs: nowMs };
  }
  const past = [...h.past, before];
  if (past.length > HISTORY_CAP) past.splice(0, past.length - HISTORY_CAP);
  return { past, future: [], lastKey: key, lastAtMs: nowMs };
}

/** Undoes one step: returns the state to show and the new history, or null when nothing to undo. */
export function undo<T>(h: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = h.past[h.past.length - 1];
  if (state === undefined) return null;
  return {
    state,
    history: {
      past: h.past.slice(0, -1),
      future: [...h.future, current],
      lastKey: null,
      lastAtMs: h.lastAtMs,
    },
  };
}

/** Redoes one step, or null when nothing to redo. */
export function redo<T>(h: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = h.future[h.future.length - 1];
  if (state === undefined) return null;
  return {
    state,
    history: {
      past: [...h.past, current],
      future: h.future.slice(0, -1),
      lastKey: null,
      lastAtMs: h.lastAtMs,
    },
  };
}
