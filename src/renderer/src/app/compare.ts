/**
 * Branch and compare (docs/workbench.md): fork the main run at its current event with a change
 * (sim.fork), keep the branch at the main run's virtual time as the main run moves (sim.runUntil,
 * or sim.seek + runUntil when the main run went back), ask the host where the two first differ
 * (sim.diverge) and fetch both runs' rows and metrics for the Compare tab. The renderer never
 * simulates: the branch is a second run on the host.
 *
 * One sync in flight at a time; a change that arrives meanwhile runs one more sync after it.
 */
import type { SimChange, TraceRow } from '../../../shared/api';
import { call } from '../api/client';
import { type Branch, useCompare } from '../stores/compare-store';
import { useRun } from '../stores/run-store';
import { useUi } from '../stores/ui-store';
import { reportError } from './report';
import { seek } from './run';

/** Events of both runs the diagrams load: the newest ones, the same range in both. */
export const COMPARE_EVENTS = 6_000;
/** Rows per trace fetch. */
const MAX_ROWS = 30_000;
/** Most events a follow or "Run both" call runs (the host's bound too). */
const FOLLOW_MAX_EVENTS = 5_000_000;

/** Forks the main run at its current event with a change, replacing any open branch. */
export async function openBranch(change: SimChange, label: string): Promise<boolean> {
  const main = useRun.getState();
  const parentId = main.simId;
  if (!parentId || !main.status) return false;
  try {
    if (main.status.playing) await call('sim.pause', { simId: parentId });
    // The event the person sees: the toolbar's (a playing run may have moved a little since).
    const atEvent = useRun.getState().status?.eventIndex ?? main.status.eventIndex;
    const atUs = useRun.getState().status?.nowUs ?? main.status.nowUs;
    await closeBranch();
    const { status } = await call('sim.fork', { simId: parentId, atEvent, change });
    useCompare.getState().set({
      branch: { simId: status.simId, parentId, atEvent, atUs, change, label },
      status,
      divergence: null,
      mainRows: [],
      branchRows: [],
      mainMetrics: null,
      branchMetrics: null,
    });
    // Land the paused main run's status in the run store (the toolbar stops showing "playing").
    if (main.status.playing) await seek(atEvent);
    useUi.getState().setTab('compare');
    requestSync();
    return true;
  } catch (err) {
    reportError('Could not branch the run', err);
    return false;
  }
}

/** Closes the branch (sim.close on the fork). */
export async function closeBranch(): Promise<void> {
  const b = useCompare.getState().branch;
  useCompare.getState().clear();
  if (b) await call('sim.close', { simId: b.simId }).catch(() => undefined);
}

/**
 * Runs the main run to a virtual time (the branch follows). Lands the answer in the run store
 * through seek, so the toolbar, log and canvas update as after any move.
 */
export async function runBothTo(timeUs: number): Promise<void> {
  const simId = useRun.getState().simId;
  if (!simId) return;
  try {
    const s = await call('sim.runUntil', {
      simId,
      timeUs: Math.max(0, Math.floor(timeUs)),
      maxEvents: FOLLOW_MAX_EVENTS,
    });
    await seek(s.eventIndex);
  } catch (err) {
    reportError('Could not run both', err);
  }
}

let running = false;
let again = false;

/** Asks for a sync (coalesced: one in flight, one more after it if asked meanwhile). */
export function requestSync(): void {
  if (running) {
    again = true;
    return;
  }
  running = true;
  void sync().finally(() => {
    running = false;
    if (again) {
      again = false;
      requestSync();
    }
  });
}

const stale = (b: Branch) => useCompare.getState().branch?.simId !== b.simId;

async function sync(): Promise<void> {
  const b = useCompare.getState().branch;
  const main = useRun.getState();
  if (!b) return;
  if (main.simId !== b.parentId || !main.status) {
    // The main run was reset or replaced: the branch's past is no longer its past.
    await closeBranch();
    useUi.getState().toast('The main run was reset, so the branch was closed.');
    return;
  }
  const target = main.status;
  try {
    let status = useCompare.getState().status;
    if (!status) return;
    // Follow the main run in virtual time. Before the fork point the two share their past: go to
    // the same event. After it, a main run that went back takes the branch back to the fork
    // point and forward again to its time.
    if (target.eventIndex <= b.atEvent) {
      if (status.eventIndex !== target.eventIndex)
        status = await call('sim.seek', { simId: b.simId, event: target.eventIndex });
    } else {
      if (status.nowUs > target.nowUs) status = await call('sim.seek', { simId: b.simId, event: b.atEvent });
      if (!status.done && status.nowUs <= target.nowUs)
        status = await call('sim.runUntil', {
          simId: b.simId,
          timeUs: Math.floor(target.nowUs),
          maxEvents: FOLLOW_MAX_EVENTS,
        });
    }
    if (stale(b)) return;
    const [divergence, mainMetrics, branchMetrics] = await Promise.all([
      call('sim.diverge', { a: b.parentId, b: b.simId }),
      call('sim.metrics', { simId: b.parentId }),
      call('sim.metrics', { simId: b.simId }),
    ]);
    // Rows: the newest COMPARE_EVENTS events of both (the same event range).
    const hi = Math.max(target.eventIndex, status.eventIndex) + 1;
    const lo = Math.max(0, hi - COMPARE_EVENTS);
    const [mainRows, branchRows] = await Promise.all([rows(b.parentId, lo, hi), rows(b.simId, lo, hi)]);
    if (stale(b)) return;
    useCompare.getState().set({ status, divergence, mainMetrics, branchMetrics, mainRows, branchRows });
  } catch (err) {
    if (stale(b)) return;
    reportError('Could not update the branch', err);
  }
}

async function rows(simId: string, from: number, to: number): Promise<TraceRow[]> {
  return (await call('sim.trace', { simId, from, to, max: MAX_ROWS })).rows;
}

/**
 * While the Compare tab is shown: follows the main run (status changes, at most every `ms`
 * while it plays) and closes the branch when the main run is reset. Returns the unsubscribe.
 */
export function followMain(ms = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const off = useRun.subscribe((s, prev) => {
    if (s.status === prev.status && s.simId === prev.simId) return;
    if (!useCompare.getState().branch) return;
    const wait = ms - (performance.now() - last);
    if (wait <= 0 || !s.status?.playing) {
      last = performance.now();
      requestSync();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = performance.now();
        requestSync();
      }, wait);
    }
  });
  requestSync();
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}

/** Closes the branch as soon as the main run is reset or replaced (whether or not Compare is shown). */
export function watchMainRun(): () => void {
  return useRun.subscribe((s, prev) => {
    const b = useCompare.getState().branch;
    if (!b || s.simId === prev.simId || s.simId === b.parentId) return;
    void closeBranch().then(() =>
      useUi.getState().toast('The main run was reset, so the branch was closed.'),
    );
  });
}
