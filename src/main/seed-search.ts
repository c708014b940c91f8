/**
 * Seed search: what `dslab check --seeds a..b` does, for the app. Runs a scenario for each
 * seed of a range, in order, to its end, and stops at the first seed whose run fails a check
 * (an invariant or liveness property that stops the run, or a history checker at the end), as
 * the CLI's `check` counts failures. Like the sim host it works in chunks of at most
 * CHUNK_BUDGET_MS, so a Cancel (or any other call) is served within one chunk, and pushes
 * progress at most every PROGRESS_MS and once at the end.
 */
import { DslabApiError, type SearchStatus } from '../shared/api';
import type { Scenario } from '../shared/scenario/schema';
import type { InPieces, Verdict } from '../sim';
import { createSimulation, type Simulation } from '../sim';
import { CHUNK_BUDGET_MS, PROGRESS_MS, READ_PIECE, type SimHostDeps } from './sim-host';

/** Most searches one host runs at once. */
export const MAX_SEARCHES = 2;
/** Events per sub-chunk of a seed's run. */
const SUB_CHUNK = 2_000;

interface Search {
  status: SearchStatus;
  scenario: Scenario;
  /** The run of the seed under way. */
  sim: Simulation | null;
  /** Its history checks, once it has ended (they run in the same chunks as the run). */
  checks: InPieces<Verdict[]> | null;
  lastProgressMs: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What the search host needs from its surroundings (injected so tests can drive time). */
export type SeedSearchDeps = Pick<SimHostDeps, 'nowMs' | 'schedule' | 'cancel'> & {
  emit(status: SearchStatus): void;
};

export class SeedSearchHost {
  private readonly searches = new Map<string, Search>();
  private nextId = 1;
  private readonly deps: SeedSearchDeps;

  constructor(deps: Partial<SeedSearchDeps> & Pick<SeedSearchDeps, 'emit'>) {
    this.deps = {
      nowMs: () => performance.now(),
      schedule: (fn, delayMs) => setTimeout(fn, delayMs),
      cancel: (h) => clearTimeout(h),
      ...deps,
    };
  }

  /** Starts searching seeds from..to (inclusive) of a validated scenario. */
  start(scenario: Scenario, from: number, to: number): SearchStatus {
    for (const [id, s] of this.searches) if (s.status.state !== 'running') this.searches.delete(id);
    if (this.searches.size >= MAX_SEARCHES)
      throw new DslabApiError({
        code: 'conflict',
        message: `At most ${MAX_SEARCHES} seed searches run at once; cancel one first.`,
      });
    try {
      createSimulation(scenario, { seed: from, checkpointEvery: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      throw new DslabApiError({
        code: 'bad-request',
        message: `The scenario cannot run: ${err instanceof Error ? err.message : String(err)}`,
        path: ['scenario'],
      });
    }
    const searchId = `search-${this.nextId++}`;
    const s: Search = {
      status: { searchId, from, to, seed: from, done: 0, state: 'running', found: null, error: null },
      scenario,
      sim: null,
      checks: null,
      lastProgressMs: this.deps.nowMs(),
      timer: null,
    };
    this.searches.set(searchId, s);
    s.timer = this.deps.schedule(() => this.tick(searchId), 0);
    return { ...s.status };
  }

  /** Stops a search; its status says where it stopped. */
  cancel(searchId: string): SearchStatus {
    const s = this.searches.get(searchId);
    if (!s)
      throw new DslabApiError({
        code: 'not-found',
        message: `No seed search ${JSON.stringify(searchId)}.`,
        path: ['searchId'],
      });
    if (s.status.state === 'running') {
      s.status.state = 'cancelled';
      this.finish(s);
    }
    return { ...s.status };
  }

  /** Stops every search (the host closes). */
  close(): void {
    for (const s of this.searches.values()) if (s.status.state === 'running') this.cancel(s.status.searchId);
  }

  private finish(s: Search): void {
    if (s.timer !== null) this.deps.cancel(s.timer);
    s.timer = null;
    s.sim = null;
    s.checks = null;
    this.deps.emit({ ...s.status });
  }

  private tick(searchId: string): void {
    const s = this.searches.get(searchId);
    if (s?.status.state !== 'running') return;
    s.timer = null;
    const started = this.deps.nowMs();
    try {
      while (this.deps.nowMs() - started < CHUNK_BUDGET_MS) {
        const st = s.status;
        s.sim ??= createSimulation(s.scenario, { seed: st.seed, checkpointEvery: Number.MAX_SAFE_INTEGER });
        const sim = s.sim;
        if (!sim.done) {
          sim.runFor(SUB_CHUNK);
          continue;
        }
        const k = sim.violation;
        let h: Verdict | undefined;
        if (k === null) {
          // The history checks can take seconds on a long run: a piece at a time, like the run.
          s.checks ??= sim.invariantsInPieces();
          const verdicts = s.checks.advance(READ_PIECE);
          if (verdicts === null) continue;
          h = verdicts.find((v) => v.ok === false && v.lesson === undefined);
        }
        if (k !== null || h !== undefined) {
          st.found =
            k !== null
              ? { seed: st.seed, invariant: k.invariant, message: k.message, eventIndex: k.eventIndex }
              : {
                  seed: st.seed,
                  invariant: h!.id,
                  message: h!.message,
                  eventIndex: h!.atEvent ?? sim.eventIndex,
                };
          st.done += 1;
          st.state = 'found';
          this.finish(s);
          return;
        }
        st.done += 1;
        s.sim = null;
        s.checks = null;
        if (st.seed >= st.to) {
          st.state = 'none';
          this.finish(s);
          return;
        }
        st.seed += 1;
      }
    } catch (err) {
      // A protocol or kernel bug on this seed: reported, like the CLI's `error`.
      s.status.error = `seed ${s.status.seed}: ${err instanceof Error ? err.message : String(err)}`;
      s.status.state = 'error';
      this.finish(s);
      return;
    }
    const now = this.deps.nowMs();
    if (now - s.lastProgressMs >= PROGRESS_MS) {
      s.lastProgressMs = now;
      this.deps.emit({ ...s.status });
    }
    s.timer = this.deps.schedule(() => this.tick(searchId), 0);
  }
}
