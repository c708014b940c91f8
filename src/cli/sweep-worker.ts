/**
 * A sweep worker thread (started through sweep-worker-boot.mjs): runs the seeds it is sent,
 * in the order sent, and posts each batch's results back. The scenario arrives validated
 * once, in workerData; every seed is an independent run, so where it runs changes nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../sim/index';
import { type RunResult, runSeed } from './run-seed';

/** What the main thread gives a worker at start. */
export interface SweepWorkerInit {
  /** The validated scenario (overrides applied). */
  scenario: Scenario;
  /** --until-ms in microseconds, if given. */
  untilUs?: number;
}

/** A batch of seeds to run. */
export interface SweepJob {
  /** Seeds, ascending. */
  seeds: number[];
}

/** A batch's results, in the order of the job's seeds. */
export interface SweepReply {
  /** One result per seed. */
  results: RunResult[];
}

const init = workerData as SweepWorkerInit;
const port = parentPort;
if (port === null) throw new Error('sweep-worker runs as a worker thread');
port.on('message', (job: SweepJob) => {
  const opts = init.untilUs === undefined ? {} : { untilUs: init.untilUs };
  const reply: SweepReply = { results: job.seeds.map((seed) => runSeed(init.scenario, seed, opts)) };
  port.postMessage(reply);
});
