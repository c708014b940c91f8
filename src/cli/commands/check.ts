/**
 * `dslab check <file> [--seeds A..B] [--workers K] [--until-ms T] [--set ...]`: runs the seeds
 * in order and stops at the first one whose invariants (or history checkers) fail.
 * Exit 0 when every invariant held on every seed, 1 with the first violating seed.
 */

import { printable } from '../../shared/printable';
import type { SeedRange } from '../args';
import { seedCount } from '../args';
import { grouped, ms, reproduceLine } from '../format';
import { EXIT_OK, EXIT_VIOLATION, type Io } from '../io';
import { Progress } from '../progress';
import { failed, type RunResult } from '../run-seed';
import { loadScenarioFile } from '../scenario-file';
import { defaultWorkers, runSeeds } from '../seed-runner';

/** Options of `dslab check`. */
export interface CheckOptions {
  /** Scenario file. */
  file: string;
  /** Seeds (default: the scenario's own seed only). */
  seeds?: SeedRange;
  /** Worker threads (default: 1 for fewer than 16 seeds, else one per core). */
  workers?: number;
  /** Stop each run after the last event at or before this virtual time, microseconds. */
  untilUs?: number;
  /** `path=value` overrides. */
  sets?: string[];
  /** Folder the file is relative to. */
  cwd?: string;
}

/** The lines that report a failing seed. */
export function failureText(r: RunResult): string {
  if (r.error !== undefined)
    return `ERROR      seed ${r.seed}: the simulation threw at event ${grouped(r.events)} (${ms(r.simulatedMs)}): ${printable(r.error)}\n`;
  const v = r.violation!;
  const node = v.node === null || v.node === '' ? '' : `, node ${printable(v.node)}`;
  return `VIOLATION  seed ${r.seed}: ${printable(v.invariant)} broke at event ${grouped(v.atEvent)} (${ms(v.timeMs)}${node}): ${printable(v.message)}\n`;
}

/** Runs `dslab check`. */
export async function checkCommand(opts: CheckOptions, io: Io): Promise<number> {
  const loaded = loadScenarioFile(opts.file, opts.sets ?? [], opts.cwd);
  const range = opts.seeds ?? { from: loaded.scenario.seed, to: loaded.scenario.seed };
  const total = seedCount(range);
  const progress = new Progress(io, 'check', total);
  let done = 0;
  let events = 0;
  let first: RunResult | null = null;
  const runOpts = {
    workers: opts.workers ?? defaultWorkers(range),
    ...(opts.untilUs === undefined ? {} : { untilUs: opts.untilUs }),
  };
  await runSeeds(loaded.scenario, range, runOpts, (r) => {
    done++;
    events += r.events;
    if (failed(r)) {
      first = r;
      return false;
    }
    progress.update(done, 0);
    return true;
  });
  progress.clear();
  const seeds = range.from === range.to ? `seed ${range.from}` : `seeds ${range.from}..${range.to}`;
  const bad = first as RunResult | null;
  if (bad === null) {
    await io.out(
      `ok         ${seeds}: every invariant held (${grouped(total)} runs, ${grouped(events)} events)\n`,
    );
    return EXIT_OK;
  }
  const passed = bad.seed > range.from ? `${''.padEnd(11)}seeds ${range.from}..${bad.seed - 1} passed\n` : '';
  await io.out(
    `${failureText(bad)}${passed}${reproduceLine(opts.file, bad.seed, loaded.sets, opts.untilUs, opts.cwd)}\n`,
  );
  return EXIT_VIOLATION;
}
