/**
 * experiments.run on the host: a trial at a time in slices (src/main/slices.ts), so the host
 * answers other calls meanwhile, with experiments.progress events, experiments.cancel by the
 * caller's runId, the host's memory budget checked between slices, and the runs of a socket
 * that closes cancelled with it.
 */
import { DslabApiError, type EventName, type EventPayload, type ExperimentSeries } from '../shared/api';
import { startExperiment } from '../sim';
import { formatBytes, hostBytesInUse, RAISE_HOST } from './memory';
import { PROGRESS_MS, realClock, runSliced, type SliceClock } from './slices';

interface Running {
  cancelled: boolean;
  owner: string | null;
}

/** What the runner needs from its host. */
export interface ExperimentRunsOptions {
  /** Pushes experiments.progress. */
  emit?<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** The clock slices are timed by (tests). */
  clock?: SliceClock;
  /** The host's memory budget, bytes, and what it uses now (default: unlimited, measured). */
  hostBudgetBytes?: number;
  hostBytes?: () => number;
}

export class ExperimentRuns {
  /** Runs under way, by runId (runs without one are listed under a private key). */
  private readonly running = new Map<string, Running>();
  private anonymous = 0;

  constructor(private readonly opts: ExperimentRunsOptions = {}) {}

  /** Runs an experiment to its end; rejects with cancelled, conflict, not-found or too-large. */
  async run(
    req: { experiment: string; trials: number; seed: number; runId?: string | undefined },
    owner?: string,
  ): Promise<ExperimentSeries[]> {
    const { experiment, runId } = req;
    const run = startExperiment(experiment, { trials: req.trials, seed: req.seed });
    if (run === undefined)
      throw new DslabApiError({
        code: 'not-found',
        message: `No experiment with id ${JSON.stringify(experiment)}.`,
        path: ['experiment'],
      });
    if (runId !== undefined && this.running.has(runId))
      throw new DslabApiError({
        code: 'conflict',
        message: `An experiment run named ${JSON.stringify(runId)} is already running.`,
        path: ['runId'],
      });
    const key = runId ?? `\0anonymous-${this.anonymous++}`;
    const state: Running = { cancelled: false, owner: owner ?? null };
    this.running.set(key, state);
    const clock = this.opts.clock ?? realClock;
    let done = 0;
    let lastProgressMs = Number.NEGATIVE_INFINITY;
    let series: ExperimentSeries[] = [];
    try {
      const finished = await runSliced(
        () => {
          const r = run.trials.next();
          if (r.done) series = r.value;
          else done++;
          return !r.done;
        },
        {
          clock,
          cancelled: () => state.cancelled,
          afterSlice: () => {
            this.checkBudget(experiment, done, run.total);
            const now = clock.nowMs();
            if (now - lastProgressMs < PROGRESS_MS) return;
            lastProgressMs = now;
            this.opts.emit?.('experiments.progress', {
              runId: runId ?? null,
              experiment,
              done,
              total: run.total,
            });
          },
        },
      );
      if (!finished)
        throw new DslabApiError({
          code: 'cancelled',
          message: `The experiment ${experiment} was cancelled after ${done} of ${run.total} trials.`,
        });
      return series;
    } finally {
      this.running.delete(key);
    }
  }

  /** Cancels the run with this runId; false when none is running. */
  cancel(runId: string): boolean {
    const state = this.running.get(runId);
    if (state) state.cancelled = true;
    return state !== undefined;
  }

  /** Cancels the runs an owner started (its socket closed). */
  release(owner: string): void {
    for (const state of this.running.values()) if (state.owner === owner) state.cancelled = true;
  }

  private checkBudget(experiment: string, done: number, total: number): void {
    const budget = this.opts.hostBudgetBytes;
    if (budget === undefined) return;
    const used = (this.opts.hostBytes ?? hostBytesInUse)();
    if (used <= budget) return;
    throw new DslabApiError({
      code: 'too-large',
      message: `The experiment ${experiment} stopped after ${done} of ${total} trials: DSLab is using ${formatBytes(used)}, over its memory budget of ${formatBytes(budget)}. Close runs you no longer need, or raise the budget with ${RAISE_HOST}.`,
    });
  }
}
