/**
 * The run the lab is showing, as the host last reported it: status, nodes, the trace window,
 * messages in flight, metrics and checker verdicts. Plain state; src/app/run.ts fills it.
 */
import { create } from 'zustand';
import type {
  EventPayload,
  OffendingOp,
  Res,
  SimInjection,
  SimLinks,
  SimNode,
  SimStatusInfo,
} from '../../../shared/api';
import { type AddedNode, addedNodesKey, addedNodesOf, type RunLinks, runLinksKey } from '../graph/membership';
import { type DropMark, EMPTY_CACHE, type Flight, type TraceCache } from '../run/trace-cache';

/** A link's state as the host reports it (sim.links). */
export type LinkState = SimLinks['links'][number];
/** A node cut off from some others (sim.links). */
export type CutOff = NonNullable<SimLinks['cutOff']>[number];

interface RunState {
  /** The host's handle, or null before the first Play/Step (event 0, nothing created). */
  simId: string | null;
  /** Where the run is. */
  status: SimStatusInfo | null;
  /** performance.now() when the status arrived (to interpolate virtual time while playing). */
  statusAtMs: number;
  /** Nodes by id at the current event. */
  nodes: Record<string, SimNode>;
  /** Nodes by id at the previously shown event (the inspector highlights what changed). */
  prevNodes: Record<string, SimNode>;
  /** The trace window. */
  cache: TraceCache;
  /** Messages in flight at the current event. */
  flights: Flight[];
  /** Recent drops. */
  drops: DropMark[];
  /** Links that are not ok at linksAt, by id (sim.links; a link not here is ok). */
  links: Record<string, LinkState>;
  /** Nodes cut off from some others at linksAt, by id. */
  cutOff: Record<string, CutOff>;
  /** The event links and cutOff describe (-1: not fetched yet). */
  linksAt: number;
  /** The faults injected live in this run (sim.injections), for the fault script. */
  injections: SimInjection[];
  /** Latest metrics, when a view asked for them. */
  metrics: Res<'sim.metrics'> | null;
  /** Latest checker verdicts. */
  verdicts: Res<'sim.invariants'> | null;
  /**
   * How far the host got in checking this run's history (sim.readProgress for sim.invariants),
   * while the checkers are being read; null when no check is under way.
   */
  checking: EventPayload<'sim.readProgress'> | null;
  /**
   * The operations the failed history checks of this run named when it was last finished
   * (Verdict.offending), by check: kept when the run steps back from its end (the checks then
   * wait for the end again), so the space-time diagram can still draw and list them.
   */
  offending: { check: string; ops: OffendingOp[] }[];
  /**
   * The run's broken invariant, kept after stepping back before it (the status forgets it
   * then), so "Go to event" still leads there.
   */
  violation: SimStatusInfo['violation'];
  /** A call is in flight (buttons stay usable; this only dims the readout). */
  busy: boolean;
  set(patch: Partial<Omit<RunState, 'set' | 'clear'>>): void;
  /** Back to "no run". */
  clear(): void;
}

const EMPTY = {
  simId: null,
  status: null,
  statusAtMs: 0,
  nodes: {},
  prevNodes: {},
  cache: EMPTY_CACHE,
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
  violation: null,
  busy: false,
} satisfies Partial<RunState>;

export const useRun = create<RunState>()((set) => ({
  ...EMPTY,
  set: (patch) => set(patch),
  clear: () => set({ ...EMPTY }),
}));

/** Selector: the current event index (0 with no run). */
export const selectEvent = (s: RunState) => s.status?.eventIndex ?? 0;
/** Selector: virtual time of the current event, microseconds. */
export const selectNowUs = (s: RunState) => s.status?.nowUs ?? 0;
/** Selector: whether the host is playing. */
export const selectPlaying = (s: RunState) => s.status?.playing ?? false;

/**
 * How often the canvas's nodes follow the run while it plays. Each progress event (up to
 * 20 a second) brings a new badge for every node ("12 rounds"); repainting 500 badges that
 * often costs most of a frame and nobody reads them that fast. Paused, stepping or seeking,
 * the nodes follow at once. The inspector and the log read `useRun` directly.
 */
export const NODE_REFRESH_MS = 150;

/** The run's nodes as the canvas shows them: `useRun().nodes`, at most every NODE_REFRESH_MS while playing. */
export const useCanvasNodes = create<{ nodes: Record<string, SimNode> }>()(() => ({
  nodes: useRun.getState().nodes,
}));

let nodesTimer: ReturnType<typeof setTimeout> | null = null;
let nodesShownAt = 0;
function showNodes(): void {
  if (nodesTimer) clearTimeout(nodesTimer);
  nodesTimer = null;
  nodesShownAt = performance.now();
  useCanvasNodes.setState({ nodes: useRun.getState().nodes });
}
useRun.subscribe((s, prev) => {
  const playing = s.status?.playing ?? false;
  if (s.nodes === prev.nodes) {
    // Stopped with an update pending: show it now.
    if (!playing && nodesTimer) showNodes();
    return;
  }
  // Throttled only while it keeps playing: the first nodes after Play show at once.
  const wait = NODE_REFRESH_MS - (performance.now() - nodesShownAt);
  if (!playing || !prev.status?.playing || wait <= 0) showNodes();
  else if (!nodesTimer) nodesTimer = setTimeout(showNodes, wait);
});

/**
 * The run's membership where it differs from the scenario's topology, at the current event
 * (graph/membership.ts): the nodes and links the run added, and which links are present (null
 * before sim.links answered, or with no run). A new object only when membership changes, so
 * the canvas, the node filters and the lanes follow a join or a leave without re-rendering on
 * every event.
 */
export const useMembership = create<{ added: AddedNode[]; links: RunLinks | null }>()(() => ({
  added: [],
  links: null,
}));

let addedKey = '';
let linksKey = '';
/** Lands sim.links's answer in the membership (once per event shown). */
export function setRunLinks(links: RunLinks | null): void {
  const key = runLinksKey(links);
  if (key === linksKey) return;
  linksKey = key;
  useMembership.setState({ links });
}
useRun.subscribe((s, prev) => {
  if (s.nodes === prev.nodes && s.simId === prev.simId) return;
  if (s.simId === null) setRunLinks(null);
  const added = addedNodesOf(s.nodes);
  const key = addedNodesKey(added);
  if (key === addedKey) return;
  addedKey = key;
  useMembership.setState({ added });
});
