/**
 * Run effects: the toolbar's and the canvas's run commands as API calls, and how the host's
 * answers and sim.progress events land in the run store. The renderer never simulates.
 *
 * Commands run one after another (a small promise queue), so Play's sim.create finishes
 * before a Pause that was clicked right after it. Pause, Reset and a reset by an edit also go
 * past the queue: while a command is under way (a step to a far event can take seconds), they
 * send sim.pause at once, which stops that command on the host (it answers where the run got
 * to), and then take their turn in the queue as before. Trace, node and verdict fetches that follow
 * a status change are coalesced to one per animation frame, one in flight at a time, so
 * 20 Hz progress events never queue up work on the main thread.
 */

import type { Res, SimLinks, SimNode, SimStatusInfo, TraceRow } from '../../../shared/api';
import type { FaultInput, Scenario } from '../../../shared/scenario/schema';
import { call, subscribe } from '../api/client';
import type { ScriptEntry } from '../graph/fault-script';
import { runLinksOf } from '../graph/membership';
import { toScenario } from '../graph/scenario';
import {
  applyFetch,
  dropFrom,
  EMPTY_CACHE,
  FETCH_MAX_ROWS,
  flightsAt,
  lastRowAtOrBefore,
  nextFetch,
  prepend,
  TAIL_EVENTS,
} from '../run/trace-cache';
import { useGraph } from '../stores/graph-store';
import { usePlayback } from '../stores/playback-store';
import { type CutOff, type LinkState, setRunLinks, useRun } from '../stores/run-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { useUi } from '../stores/ui-store';
import { reportError } from './report';

let queue: Promise<unknown> = Promise.resolve();
/** Commands queued or under way. */
let queued = 0;

/** Runs commands in order; a failing one reports and does not block the next. */
function serial<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  queued++;
  const next = queue
    .then(fn)
    .catch((err) => {
      reportError(what, err);
      return undefined;
    })
    .finally(() => {
      queued--;
    });
  queue = next;
  return next;
}

/**
 * Stops the command under way now, without waiting for its turn: the host's sim.pause also
 * cancels a stepping call of the run (docs/architecture.md), which then answers where the run
 * got to. Nothing to do when no command is queued (the caller's own turn comes at once).
 */
function interrupt(): void {
  const simId = useRun.getState().simId;
  if (!simId || queued === 0) return;
  call('sim.pause', { simId })
    .then((status) => applyStatus(status))
    .catch(() => {}); // the run was closed meanwhile: the queued command says what matters
}

function byId(nodes: SimNode[]): Record<string, SimNode> {
  const out: Record<string, SimNode> = {};
  for (const n of nodes) out[n.id] = n;
  return out;
}

/** Lands a status (and, when the answer carried them, nodes) in the store. */
function applyStatus(status: SimStatusInfo, nodes?: SimNode[]): void {
  const run = useRun.getState();
  if (run.simId !== status.simId) return; // an answer about a run that was since reset
  const moved = run.status?.eventIndex !== status.eventIndex;
  const patch: Parameters<typeof run.set>[0] = { status, statusAtMs: performance.now() };
  if (nodes) {
    patch.nodes = byId(nodes);
    if (moved) patch.prevNodes = run.nodes;
  }
  const wasViolation = run.violation;
  const wasStopMessage = run.status?.stopMessage;
  if (status.violation) patch.violation = status.violation;
  run.set(patch);
  // The host stopped the run (a memory budget): say why once, where it cannot be missed.
  if (status.stopMessage && status.stopMessage !== wasStopMessage)
    useUi.getState().toast(status.stopMessage, 'error');
  if (status.violation && !wasViolation) {
    const v = status.violation;
    const liveness = selectProtocol(useSession.getState())?.liveness.some((l) => l.id === v.invariant);
    useUi
      .getState()
      .toast(
        `${liveness ? 'Liveness' : 'Invariant'} ${v.invariant} broken at event ${v.eventIndex} (seed ${v.seed})`,
        'error',
      );
    useUi.getState().setTab('checkers');
  }
  scheduleSync(!nodes && moved);
}

/** The scenario the canvas describes now, or null before a protocol loaded. */
export function currentScenario() {
  const { nodes, edges, base } = useGraph.getState();
  if (!base) return null;
  return toScenario(nodes, edges, { ...base, seed: usePlayback.getState().seed });
}

/** Creates the run if there is none; returns its id. */
async function ensureRun(): Promise<string> {
  const existing = useRun.getState().simId;
  if (existing) return existing;
  const scenario = currentScenario();
  if (!scenario) throw new Error('No scenario is loaded yet');
  const { status, nodes } = await call('sim.create', { scenario, seed: usePlayback.getState().seed });
  useRun.getState().set({
    simId: status.simId,
    status,
    statusAtMs: performance.now(),
    nodes: byId(nodes),
    prevNodes: {},
    cache: { ...EMPTY_CACHE, simId: status.simId },
    flights: [],
    drops: [],
    links: {},
    cutOff: {},
    linksAt: -1,
    injections: [],
    metrics: null,
    verdicts: null,
    checking: null,
    offending: [],
  });
  return status.simId;
}

/** Starts playing at the toolbar's speed (creating the run first if needed). */
export function play(): Promise<unknown> {
  return serial('Could not play', async () => {
    const simId = await ensureRun();
    if (useRun.getState().status?.done) {
      useUi.getState().toast('The run has ended. Reset to play it again.');
      return;
    }
    applyStatus(await call('sim.play', { simId, speed: usePlayback.getState().speedX }));
  });
}

/** Stops playing, and stops a command under way (a long step) at once. */
export function pause(): Promise<unknown> {
  interrupt();
  return serial('Could not pause', async () => {
    const simId = useRun.getState().simId;
    if (simId) applyStatus(await call('sim.pause', { simId }));
  });
}

/** Playing re-speeds at once when the slider moves (throttled to one call per frame). */
let speedFrame = 0;
export function speedChanged(): void {
  if (speedFrame) return;
  speedFrame = requestAnimationFrame(() => {
    speedFrame = 0;
    const { simId, status } = useRun.getState();
    if (!simId || !status?.playing) return;
    void serial('Could not change the speed', async () =>
      applyStatus(await call('sim.play', { simId, speed: usePlayback.getState().speedX })),
    );
  });
}

async function nodesFor(simId: string, status: SimStatusInfo): Promise<void> {
  applyStatus(status, await call('sim.nodes', { simId }));
}

/** Processes the next event. */
export function step(count = 1): Promise<unknown> {
  return serial('Could not step', async () => {
    const simId = await ensureRun();
    await nodesFor(simId, await call('sim.step', { simId, count }));
  });
}

/** Goes back one event. */
export function stepBack(count = 1): Promise<unknown> {
  return serial('Could not step back', async () => {
    const simId = useRun.getState().simId;
    if (!simId) return;
    await nodesFor(simId, await call('sim.stepBack', { simId, count }));
  });
}

/** Goes to an event. */
export function seek(event: number): Promise<unknown> {
  return serial('Could not go to the event', async () => {
    const simId = useRun.getState().simId;
    if (!simId) return;
    await nodesFor(simId, await call('sim.seek', { simId, event }));
  });
}

/** Opens the run of the current scenario and seed at an event (a fresh run if there is none). */
export function openAt(event: number): Promise<unknown> {
  return serial('Could not open the run at the event', async () => {
    const simId = await ensureRun();
    await nodesFor(simId, await call('sim.seek', { simId, event }));
  });
}

/**
 * Scrubbing (the timeline): seeks coalesced so at most one sim.seek is in flight and the
 * latest position wins. The nodes follow on the next animation frame (one sim.nodes per frame,
 * like progress), not after every seek. Resolves when the run has caught up with the last
 * position asked for.
 */
let scrubTarget: number | null = null;
let scrubDone: Promise<unknown> | null = null;
export function scrubTo(event: number): Promise<unknown> {
  scrubTarget = event;
  if (scrubDone) return scrubDone;
  scrubDone = serial('Could not go to the event', async () => {
    try {
      while (scrubTarget !== null) {
        const target = scrubTarget;
        scrubTarget = null;
        const simId = useRun.getState().simId;
        if (!simId) return;
        applyStatus(await call('sim.seek', { simId, event: target }));
      }
    } finally {
      scrubTarget = null;
      scrubDone = null;
    }
  });
  return scrubDone;
}

/**
 * The virtual time of an event, when the renderer has it: event 0 is t = 0, the current event
 * is the status's time, others come from the trace window (which keeps the rows ahead of the
 * current event after a step back). Null when the event's rows are not in the window.
 */
export function knownTimeUs(event: number): number | null {
  const { status, cache } = useRun.getState();
  if (event <= 0) return 0;
  if (status && status.eventIndex === event) return status.nowUs;
  const i = lastRowAtOrBefore(cache.rows, event);
  const row = i >= 0 ? cache.rows[i] : undefined;
  return row && row.index === event ? row.timeUs : null;
}

/**
 * The virtual time of an event, asking the host (sim.trace, one row) when the trace window
 * does not have it. The host only has the rows up to its current event; later ones that are
 * not in the window answer null.
 */
export async function timeOfEvent(event: number): Promise<number | null> {
  const known = knownTimeUs(event);
  if (known !== null) return known;
  const simId = useRun.getState().simId;
  if (!simId) return null;
  try {
    const { rows } = await call('sim.trace', { simId, from: event, to: event + 1, max: 1 });
    return rows[0]?.index === event ? rows[0].timeUs : null;
  } catch {
    return null; // a hover readout is not worth a toast (the run may have been reset meanwhile)
  }
}

/** What "Step to next…" can look for. */
export interface NextFilter {
  /** A trace row kind. */
  kind?: TraceRow['kind'];
  /** A node id. */
  node?: string;
}

/** Runs to the next event whose trace row matches. */
export function stepUntil(filter: NextFilter): Promise<unknown> {
  return serial('Could not step to the next event', async () => {
    const simId = await ensureRun();
    const status = await call('sim.stepUntil', { simId, filter });
    if (status.matched === false) useUi.getState().toast('No such event before the end of the run.');
    await nodesFor(simId, status);
  });
}

/** Closes the run quietly (no new one until Play or Step). */
async function closeRun(): Promise<void> {
  const simId = useRun.getState().simId;
  useRun.getState().clear();
  if (simId) await call('sim.close', { simId }).catch(() => undefined);
}

/** Back to event 0: a fresh run of the same scenario and seed. */
export function reset(): Promise<unknown> {
  interrupt();
  return serial('Could not reset', async () => {
    const had = useRun.getState().simId !== null;
    await closeRun();
    if (had) await ensureRun();
  });
}

/** The scenario changed under a run (topology edit, seed): drop the run and say why. */
export function invalidate(reason: string | null): Promise<unknown> {
  interrupt();
  return serial('Could not reset the run', async () => {
    if (!useRun.getState().simId) return;
    await closeRun();
    if (reason) useUi.getState().toast(reason);
  });
}

/**
 * Applies a fault now (creating the run first if needed). The host queues it at the current
 * virtual time; when the run is paused we step to it at once (sim.stepUntil kind 'fault'), so
 * the person sees the crash or the cut take effect and its fault row in the log. Links are
 * then drawn from the host's sim.links like every other fault's.
 */
export function inject(fault: FaultInput): Promise<unknown> {
  return serial('Could not apply the fault', async () => {
    const simId = await ensureRun();
    let status = await call('sim.inject', { simId, change: { kind: 'fault', fault: fault as never } });
    const run = useRun.getState();
    // The change rewrites the future after this event: forget the rows we had of it, and the
    // operations the history checks named at the end of the run it replaces.
    run.set({ cache: dropFrom(run.cache, status.eventIndex + 1), linksAt: -1, offending: [] });
    if (!status.playing)
      status = await call('sim.stepUntil', { simId, filter: { kind: 'fault' }, maxEvents: 10_000 });
    const injections = await call('sim.injections', { simId });
    if (useRun.getState().simId === simId) useRun.getState().set({ injections });
    await nodesFor(simId, status);
  });
}

/** The host's link view as the store keeps it: links that are not ok, and cut-off nodes, by id. */
export function linkView(v: SimLinks): { links: Record<string, LinkState>; cutOff: Record<string, CutOff> } {
  const links: Record<string, LinkState> = {};
  for (const l of v.links) if (l.state !== 'ok') links[l.id] = l;
  const cutOff: Record<string, CutOff> = {};
  for (const c of v.cutOff ?? []) cutOff[c.node] = c;
  return { links, cutOff };
}

/** Loads the events before the trace window (the event log's "Load earlier"). */
export async function loadEarlier(): Promise<void> {
  const { simId, cache } = useRun.getState();
  if (!simId || cache.firstEvent <= 1) return;
  const from = Math.max(1, cache.firstEvent - TAIL_EVENTS);
  try {
    const { rows } = await call('sim.trace', { simId, from, to: cache.firstEvent, max: FETCH_MAX_ROWS });
    const now = useRun.getState();
    if (now.simId === simId && now.cache.firstEvent === cache.firstEvent)
      now.set({ cache: prepend(now.cache, from, rows) });
  } catch (err) {
    reportError('Could not load earlier events', err);
  }
}

// ---- Following the host -------------------------------------------------------------------

let frame = 0;
let syncing = false;
let again = false;
let wantNodes = false;

/** Asks for a sync on the next animation frame (coalesced). */
function scheduleSync(needNodes: boolean): void {
  wantNodes ||= needNodes;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    void sync();
  });
}

/** Brings the trace window (and nodes, when asked) up to the run's current event. */
async function sync(): Promise<void> {
  if (syncing) {
    again = true;
    return;
  }
  syncing = true;
  try {
    const { simId, status } = useRun.getState();
    if (!simId || !status) return;
    const need = nextFetch(useRun.getState().cache, simId, status.eventIndex);
    if (need) {
      const { rows } = await call('sim.trace', { simId, from: need.from, to: need.to, max: FETCH_MAX_ROWS });
      const run = useRun.getState();
      if (run.simId !== simId) return;
      run.set({ cache: applyFetch(run.cache, simId, need, rows) });
    }
    if (wantNodes) {
      wantNodes = false;
      const nodes = await call('sim.nodes', { simId });
      const run = useRun.getState();
      if (run.simId === simId) run.set({ nodes: byId(nodes), prevNodes: run.nodes });
    }
    if (useRun.getState().linksAt !== useRun.getState().status?.eventIndex) {
      // Link state changes only at events; ask once per event shown (stepping back included).
      const v = await call('sim.links', { simId });
      const now = useRun.getState();
      if (now.simId === simId) {
        now.set({ ...linkView(v), linksAt: v.eventIndex });
        setRunLinks(runLinksOf(v.links));
      }
    }
    const run = useRun.getState();
    if (run.simId === simId && run.status) {
      const { flights, drops } = flightsAt(run.cache.rows, run.status.eventIndex);
      run.set({ flights, drops });
    }
  } catch (err) {
    // A run closed under us (reset while fetching) is not worth a toast.
    if (useRun.getState().simId) reportError('Could not follow the run', err);
  } finally {
    syncing = false;
    if (again) {
      again = false;
      scheduleSync(false);
    }
  }
}

/** Refreshes metrics (the Metrics tab calls this, throttled). */
export async function refreshMetrics(): Promise<void> {
  const simId = useRun.getState().simId;
  if (!simId) return;
  try {
    const metrics = await call('sim.metrics', { simId });
    if (useRun.getState().simId === simId) useRun.getState().set({ metrics });
  } catch (err) {
    reportError('Could not read the metrics', err);
  }
}

/**
 * The offending operations to show with new verdicts: a history check that failed names them
 * anew; one that passed has none; one not evaluated (the run stepped back from its end) keeps
 * those it named at the end.
 */
export function keptOffending(kept: RunStateOffending, verdicts: Res<'sim.invariants'>): RunStateOffending {
  const out: RunStateOffending = [];
  for (const v of verdicts) {
    if (v.kind !== 'history') continue;
    if (v.ok === false && v.offending !== undefined && v.offending.length > 0)
      out.push({ check: v.id, ops: v.offending });
    else if (v.ok === null) {
      const had = kept.find((k) => k.check === v.id);
      if (had !== undefined) out.push(had);
    }
  }
  return out.length === 0 && kept.length === 0 ? kept : out;
}
type RunStateOffending = ReturnType<typeof useRun.getState>['offending'];

/** Refreshes checker verdicts (the Checkers tab calls this, throttled). */
export async function refreshVerdicts(): Promise<void> {
  const simId = useRun.getState().simId;
  if (!simId) return;
  try {
    const verdicts = await call('sim.invariants', { simId });
    if (useRun.getState().simId !== simId) return;
    useRun.getState().set({
      verdicts,
      checking: null,
      offending: keptOffending(useRun.getState().offending, verdicts),
    });
  } catch (err) {
    if (useRun.getState().simId === simId) useRun.getState().set({ checking: null });
    reportError('Could not read the checkers', err);
  }
}

/** Set while live faults are being added to the script: that edit keeps the run. */
let addingLiveFaults = false;

/**
 * Adds faults injected live in this run to the scenario's fault script (one undoable edit).
 * The run is kept: it already has these faults, at these times, so it is what the new script
 * describes (up to the order among events of the same microsecond). Reset runs the script.
 */
export function addLiveFaultsToScript(entries: readonly ScriptEntry[]): void {
  addingLiveFaults = true;
  try {
    useGraph.getState().addScriptFaults(entries);
  } finally {
    addingLiveFaults = false;
  }
}

/** Whether two scenarios differ only in their fault scripts. */
function onlyFaultsDiffer(a: Scenario, b: Scenario): boolean {
  return (
    a.faults !== b.faults && JSON.stringify({ ...a, faults: [] }) === JSON.stringify({ ...b, faults: [] })
  );
}
/** Subscribes to progress and to edits that invalidate the run; returns the unsubscribe. */
export function startRunFollower(): () => void {
  const offProgress = subscribe('sim.progress', ({ status, nodes }) => applyStatus(status, nodes));
  // A long history check of this run (the Checkers tab waits on it): say how far it got.
  const offReading = subscribe('sim.readProgress', (p) => {
    if (p.method === 'sim.invariants' && p.simId === useRun.getState().simId)
      useRun.getState().set({ checking: p });
  });
  let topoRev = useGraph.getState().topoRev;
  let base = useGraph.getState().base;
  const offGraph = useGraph.subscribe((g) => {
    if (g.base !== base) {
      // Same document, new params (a bug switch): say so. A new scenario (protocol switch,
      // File › New): the old run is about something else; drop it quietly. Live faults added
      // to the script keep the run (addLiveFaultsToScript); any other script edit resets it.
      const paramsOnly = g.topoRev === topoRev && base !== null && g.base?.protocol === base.protocol;
      const scriptOnly = paramsOnly && base !== null && g.base !== null && onlyFaultsDiffer(base, g.base);
      base = g.base;
      topoRev = g.topoRev;
      if (scriptOnly && addingLiveFaults) return;
      void invalidate(
        scriptOnly
          ? 'The fault script changed, so the run was reset to event 0.'
          : paramsOnly
            ? 'The parameters changed, so the run was reset to event 0.'
            : null,
      );
    } else if (g.topoRev !== topoRev) {
      topoRev = g.topoRev;
      void invalidate('The topology changed, so the run was reset to event 0.');
    }
  });
  let seed = usePlayback.getState().seed;
  const offSeed = usePlayback.subscribe((p) => {
    if (p.seed !== seed) {
      seed = p.seed;
      void invalidate(null);
    }
  });
  return () => {
    offProgress();
    offReading();
    offGraph();
    offSeed();
  };
}
