/**
 * Runs a range of seeds and hands the results over in seed order, in this thread (one worker)
 * or in worker threads (node:worker_threads). Workers take batches of seeds as they become
 * free; results that arrive early wait in a bounded window until the seeds before them are
 * done, so the output is the same for any number of workers and memory stays bounded.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../sim/index';
import { MAX_WORKERS, type SeedRange, seedCount } from './args';
import { type RunResult, runSeed } from './run-seed';
import type { SweepJob, SweepReply, SweepWorkerInit } from './sweep-worker';

/** Called once per seed, in seed order; return false to stop early. */
export type OnResult = (r: RunResult) => boolean | undefined | Promise<boolean | undefined>;

/** How to run a seed range. */
export interface SeedRunOptions {
  /** Worker threads; 1 runs in this thread. */
  workers: number;
  /** --until-ms in microseconds. */
  untilUs?: number;
}

/** The default number of workers for a range: 1 for short ranges (a worker takes a moment to start), else one per core. */
export function defaultWorkers(range: SeedRange): number {
  const n = seedCount(range);
  if (n < 16) return 1;
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS, Math.ceil(n / 8)));
}

/** The worker entry (a .mjs that registers tsx in the worker, then loads sweep-worker.ts). */
export const WORKER_ENTRY = new URL('./sweep-worker-boot.mjs', import.meta.url);

/** Runs every seed of the range, calling onResult in seed order. */
export async function runSeeds(
  scenario: Scenario,
  range: SeedRange,
  opts: SeedRunOptions,
  onResult: OnResult,
): Promise<void> {
  const workers = Math.max(1, Math.min(opts.workers, seedCount(range)));
  const runOpts = opts.untilUs === undefined ? {} : { untilUs: opts.untilUs };
  if (workers === 1) {
    for (let seed = range.from; seed <= range.to; seed++) {
      if ((await onResult(runSeed(scenario, seed, runOpts))) === false) return;
      // Let stdout drain and signals through between seeds.
      if ((seed - range.from) % 64 === 63) await new Promise<void>((r) => setImmediate(r));
    }
    return;
  }
  await runInWorkers(scenario, range, workers, opts.untilUs, onResult);
}

function runInWorkers(
  scenario: Scenario,
  range: SeedRange,
  count: number,
  untilUs: number | undefined,
  onResult: OnResult,
): Promise<void> {
  const total = seedCount(range);
  // Batches amortise messaging; small enough that the last batches spread over the workers.
  const batch = Math.max(1, Math.min(32, Math.floor(total / (count * 8))));
  // Results held ahead of the next seed to emit, at most: bounds memory when one seed is slow.
  const window = Math.max(256, count * batch * 4);
  const init: SweepWorkerInit = untilUs === undefined ? { scenario } : { scenario, untilUs };

  return new Promise<void>((resolve, reject) => {
    const pool: Worker[] = [];
    const idle = new Set<Worker>();
    const ready = new Map<number, RunResult>();
    let next = range.from; // next seed to hand out
    let emit = range.from; // next seed to give onResult
    let stopped = false;
    let draining = false;

    const finish = (err?: unknown): void => {
      if (stopped) return;
      stopped = true;
      Promise.all(pool.map((w) => w.terminate())).then(
        () => (err === undefined ? resolve() : reject(err)),
        () => (err === undefined ? resolve() : reject(err)),
      );
    };

    const dispatch = (w: Worker): void => {
      if (stopped) return;
      if (next > range.to || next >= emit + window) {
        idle.add(w);
        return;
      }
      idle.delete(w);
      const seeds: number[] = [];
      while (seeds.length < batch && next <= range.to) seeds.push(next++);
      const job: SweepJob = { seeds };
      w.postMessage(job);
    };

    const drain = async (): Promise<void> => {
      if (draining) return;
      draining = true;
      try {
        while (!stopped && ready.has(emit)) {
          const r = ready.get(emit)!;
          ready.delete(emit);
          emit++;
          if ((await onResult(r)) === false) {
            finish();
            return;
          }
        }
      } catch (e) {
        finish(e);
        return;
      } finally {
        draining = false;
      }
      if (emit > range.to) {
        finish();
        return;
      }
      for (const w of [...idle]) dispatch(w);
    };

    for (let i = 0; i < count; i++) {
      const w = new Worker(WORKER_ENTRY, { workerData: init, execArgv: [] });
      pool.push(w);
      w.on('message', (reply: SweepReply) => {
        for (const r of reply.results) ready.set(r.seed, r);
        dispatch(w);
        void drain();
      });
      w.on('error', (e) => finish(new Error(`a sweep worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!stopped) finish(new Error(`a sweep worker exited with code ${code}`));
      });
      dispatch(w);
    }
  });
}
