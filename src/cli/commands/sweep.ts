/**
 * `dslab sweep <file> --seeds A..B [--workers K] [--until-ms T] [--set ...]`: one NDJSON line
 * per seed (the shape of `run --json`), in seed order whatever K is; progress and a final
 * summary on stderr. Exit 0 when every seed passed, 1 when any failed (all seeds still run).
 */
import { type SeedRange, seedCount } from '../args';
import { reproduceLine } from '../format';
import { EXIT_OK, EXIT_VIOLATION, type Io } from '../io';
import { Progress } from '../progress';
import { failed } from '../run-seed';
import { loadScenarioFile } from '../scenario-file';
import { defaultWorkers, runSeeds } from '../seed-runner';

/** Options of `dslab sweep`. */
export interface SweepOptions {
  /** Scenario file. */
  file: string;
  /** Seeds (required). */
  seeds: SeedRange;
  /** Worker threads (default: 1 for fewer than 16 seeds, else one per core). */
  workers?: number;
  /** Stop each run after the last event at or before this virtual time, microseconds. */
  untilUs?: number;
  /** `path=value` overrides. */
  sets?: string[];
  /** Folder the file is relative to. */
  cwd?: string;
}

/** Runs `dslab sweep`. */
export async function sweepCommand(opts: SweepOptions, io: Io): Promise<number> {
  const loaded = loadScenarioFile(opts.file, opts.sets ?? [], opts.cwd);
  const total = seedCount(opts.seeds);
  const workers = opts.workers ?? defaultWorkers(opts.seeds);
  const progress = new Progress(io, 'sweep', total);
  let done = 0;
  let failures = 0;
  let firstFailing: number | null = null;
  await runSeeds(
    loaded.scenario,
    opts.seeds,
    { workers, ...(opts.untilUs === undefined ? {} : { untilUs: opts.untilUs }) },
    async (r) => {
      done++;
      if (failed(r)) {
        failures++;
        firstFailing ??= r.seed;
      }
      await io.out(`${JSON.stringify(r)}\n`);
      progress.update(done, failures);
      return true;
    },
  );
  progress.clear();
  const s = total === 1 ? '' : 's';
  let summary = `sweep: ${total} seed${s} (${opts.seeds.from}..${opts.seeds.to}) in ${progress.elapsedS().toFixed(1)} s, ${failures} failing\n`;
  if (firstFailing !== null)
    summary += `sweep: first failing seed ${firstFailing}; ${reproduceLine(opts.file, firstFailing, loaded.sets, opts.untilUs, opts.cwd)}\n`;
  io.err(summary);
  return failures > 0 ? EXIT_VIOLATION : EXIT_OK;
}
