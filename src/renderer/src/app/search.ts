/**
 * Seed search, as `dslab check --seeds a..b` does it, from the Checkers tab: the host runs the
 * scenario on the canvas for each seed of a range (search.start), reports progress
 * (search.progress) and stops at the first seed that fails a check, which then opens at the
 * event where it failed. Cancel stops it within one chunk of the host's work.
 */
import type { SearchStatus } from '../../../shared/api';
import { call, subscribe } from '../api/client';
import { usePlayback } from '../stores/playback-store';
import { useSearch } from '../stores/search-store';
import { reportError } from './report';
import { currentScenario, openAt } from './run';

/** The seed range the form starts with: the CLI's usual `--seeds 1..500`. */
export const SEARCH_DEFAULT = { from: 1, to: 500 } as const;

/** Subscribed to search.progress once, at the first search. */
let subscribed = false;
/** The search the tab follows, and the last status each search reported (events may come first). */
let currentId: string | null = null;
const seen = new Map<string, SearchStatus>();
/** The search whose failing seed was opened (once). */
let opened: string | null = null;

function show(status: SearchStatus): void {
  useSearch.getState().set(status);
  if (status.state === 'found' && status.found && opened !== status.searchId) {
    opened = status.searchId;
    // The first failing seed, opened at its event (the seed change resets the run first).
    usePlayback.getState().setSeed(status.found.seed);
    void openAt(status.found.eventIndex);
  }
}

function land(status: SearchStatus): void {
  seen.set(status.searchId, status);
  if (status.searchId === currentId) show(status);
}

/** Starts a search over seeds from..to of the scenario on the canvas. */
export async function startSearch(from: number, to: number): Promise<void> {
  const scenario = currentScenario();
  if (!scenario) return;
  if (!subscribed) {
    subscribe('search.progress', land);
    subscribed = true;
  }
  await cancelSearch();
  currentId = null;
  seen.clear();
  try {
    const started = await call('search.start', { scenario, from, to });
    currentId = started.searchId;
    show(seen.get(started.searchId) ?? started);
  } catch (err) {
    reportError('Could not start the seed search', err);
  }
}

/** Stops the search under way. */
export async function cancelSearch(): Promise<void> {
  const s = useSearch.getState().status;
  if (s?.state !== 'running') return;
  try {
    land(await call('search.cancel', { searchId: s.searchId }));
  } catch (err) {
    reportError('Could not cancel the seed search', err);
  }
}
