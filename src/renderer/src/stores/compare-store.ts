/**
 * Branch and compare: the forked run (the "branch") next to the run the lab is showing (the
 * "main" run), as the host last reported them. Plain state; src/app/compare.ts fills it.
 */
import { create } from 'zustand';
import type { Divergence, Res, SimChange, SimStatusInfo, TraceRow } from '../../../shared/api';

/** A fork of the main run. */
export interface Branch {
  /** The fork's simId. */
  simId: string;
  /** The main run it was forked from. */
  parentId: string;
  /** The main run's event it was forked at. */
  atEvent: number;
  /** Virtual time of that event, µs. */
  atUs: number;
  /** What was changed there. */
  change: SimChange;
  /** The change in words ("Crash s1"). */
  label: string;
}

interface CompareState {
  /** The open branch, or null. */
  branch: Branch | null;
  /** The branch's status. */
  status: SimStatusInfo | null;
  /** Trace rows of both runs, the same event range (from the fork point's neighbourhood on). */
  mainRows: TraceRow[];
  branchRows: TraceRow[];
  /** Where the two first differ (sim.diverge {a: main, b: branch}), null before the first look. */
  divergence: Divergence | null;
  /** Metrics of both. */
  mainMetrics: Res<'sim.metrics'> | null;
  branchMetrics: Res<'sim.metrics'> | null;
  set(patch: Partial<Omit<CompareState, 'set' | 'clear'>>): void;
  /** No branch. */
  clear(): void;
}

const EMPTY = {
  branch: null,
  status: null,
  mainRows: [],
  branchRows: [],
  divergence: null,
  mainMetrics: null,
  branchMetrics: null,
} satisfies Partial<CompareState>;

export const useCompare = create<CompareState>()((set) => ({
  ...EMPTY,
  set: (patch) => set(patch),
  clear: () => set({ ...EMPTY }),
}));
