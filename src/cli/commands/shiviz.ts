/**
 * `dslab shiviz <file> [--seed N] [--from i] [--to j] [--until-ms T] [--set ...] [--out F]`: a
 * run's events as a log ShiViz opens (src/sim/analysis/causality.ts `toShiViz`), with vector
 * clocks computed from the trace, for any protocol. Events [i, j) as `dslab trace` counts them;
 * the clocks count only the events exported, so each process's own entry starts at 1 as ShiViz
 * requires. Writes stdout, or FILE whole (src/main/write-file.ts).
 */
import path from 'node:path';
import { WriteFileError, writeFileWhole } from '../../main/write-file';
import { printable } from '../../shared/printable';
import { causalityOf, toShiViz } from '../../sim/index';
import { grouped, reproduceLine } from '../format';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from '../io';
import { advance, createRun, summariseRun } from '../run-seed';
import { loadScenarioFile } from '../scenario-file';

/** Options of `dslab shiviz`. */
export interface ShivizOptions {
  /** Scenario file. */
  file: string;
  /** Seed (default: the scenario's own). */
  seed?: number;
  /** First event index (inclusive, default 0). */
  from?: number;
  /** Last event index (exclusive, default: the end of the run). */
  to?: number;
  /** Stop after the last event at or before this virtual time, microseconds. */
  untilUs?: number;
  /** `path=value` overrides. */
  sets?: string[];
  /** Output file (default: stdout). */
  out?: string;
  /** Folder the file is relative to. */
  cwd?: string;
}

/** The most events a log may hold: ShiViz draws a few thousand comfortably, not millions. */
export const SHIVIZ_MAX_EVENTS = 200_000;

/** Runs `dslab shiviz`. Exit 0, or 1 when the run broke an invariant (the log is written anyway). */
export async function shivizCommand(opts: ShivizOptions, io: Io): Promise<number> {
  const from = opts.from ?? 0;
  if (opts.to !== undefined && opts.to < from)
    throw new UsageError(`--to ${opts.to} is before --from ${from}; the range is [from, to)`);
  if (opts.out === '') throw new UsageError('--out needs a file name');
  const loaded = loadScenarioFile(opts.file, opts.sets ?? [], opts.cwd);
  const seed = opts.seed ?? loaded.scenario.seed;
  const sim = createRun(loaded.scenario, seed);
  const lastNeeded = opts.to === undefined ? undefined : Math.max(0, opts.to - 1);
  if (opts.untilUs !== undefined) sim.runUntil(opts.untilUs, lastNeeded ?? Number.POSITIVE_INFINITY);
  else if (lastNeeded !== undefined)
    while (sim.eventIndex < lastNeeded && !sim.done) sim.runFor(lastNeeded - sim.eventIndex);
  else advance(sim);
  const end = Math.min(opts.to ?? Number.POSITIVE_INFINITY, sim.eventIndex + 1);
  const rows = sim.traceWindow({ from, to: end }, Number.MAX_SAFE_INTEGER);
  const c = causalityOf(rows);
  if (c.events.length > SHIVIZ_MAX_EVENTS)
    throw new UsageError(
      `events [${from}, ${end}) hold ${grouped(c.events.length)} process events, more than ShiViz can draw (at most ${grouped(SHIVIZ_MAX_EVENTS)}): narrow them with --from/--to or --until-ms`,
    );
  const text = toShiViz(c);
  if (opts.out === undefined) await io.out(text);
  else {
    const file = path.resolve(opts.cwd ?? process.cwd(), opts.out);
    try {
      writeFileWhole(file, text, opts.out);
    } catch (e) {
      if (e instanceof WriteFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  io.err(
    `dslab shiviz: seed ${seed}, ${grouped(c.events.length)} events of ${c.hosts.length} processes for events [${from}, ${end}) in ShiViz's log format${opts.out === undefined ? '' : ` to ${printable(opts.out)}`}\n`,
  );
  const r = summariseRun(sim, opts.untilUs);
  if (r.violation !== null) {
    const v = r.violation;
    io.err(`dslab shiviz: VIOLATION ${printable(`${v.invariant} at event ${v.atEvent}: ${v.message}`)}\n`);
    io.err(`${reproduceLine(opts.file, seed, loaded.sets, opts.untilUs, opts.cwd)}\n`);
    return EXIT_VIOLATION;
  }
  return EXIT_OK;
}
