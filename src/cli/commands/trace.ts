/**
 * `dslab trace <file> [--seed N] [--from i] [--to j] [--until-ms T] [--set ...]`: the trace
 * rows of events [i, j) as NDJSON (the kernel's exportNdjson), written in chunks so a long
 * trace streams. The run goes only as far as it must (event j-1, or --until-ms, or the end).
 * A one-line note with the seed goes to stderr; stdout is pure NDJSON.
 */

import { printable } from '../../shared/printable';
import { grouped, reproduceLine, stopWords } from '../format';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from '../io';
import { advance, createRun, summariseRun } from '../run-seed';
import { loadScenarioFile } from '../scenario-file';

/** Options of `dslab trace`. */
export interface TraceOptions {
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
  /** Folder the file is relative to. */
  cwd?: string;
}

/** Events per exported chunk. */
const CHUNK_EVENTS = 10_000;

/** Runs `dslab trace`. Exit 0, or 1 when the traced run broke an invariant. */
export async function traceCommand(opts: TraceOptions, io: Io): Promise<number> {
  const from = opts.from ?? 0;
  if (opts.to !== undefined && opts.to < from)
    throw new UsageError(`--to ${opts.to} is before --from ${from}; the range is [from, to)`);
  const loaded = loadScenarioFile(opts.file, opts.sets ?? [], opts.cwd);
  const seed = opts.seed ?? loaded.scenario.seed;
  const sim = createRun(loaded.scenario, seed);
  // Events 1..to-1 are the last ones printed; no need to run further.
  const lastNeeded = opts.to === undefined ? undefined : Math.max(0, opts.to - 1);
  if (opts.untilUs !== undefined) sim.runUntil(opts.untilUs, lastNeeded ?? Number.POSITIVE_INFINITY);
  else if (lastNeeded !== undefined)
    while (sim.eventIndex < lastNeeded && !sim.done) sim.runFor(lastNeeded - sim.eventIndex);
  else advance(sim);
  const end = Math.min(opts.to ?? Number.POSITIVE_INFINITY, sim.eventIndex + 1);
  let rows = 0;
  for (let a = from; a < end; a += CHUNK_EVENTS) {
    const text = sim.exportNdjson(a, Math.min(end, a + CHUNK_EVENTS));
    if (text === '') continue;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
    await io.out(text);
  }
  const r = summariseRun(sim, opts.untilUs);
  const stop = sim.done ? stopWords(r.stopReason) : 'stopped where asked';
  io.err(
    `dslab trace: seed ${seed}, ${grouped(rows)} rows for events [${from}, ${end === Number.POSITIVE_INFINITY ? 'end' : end}); run at event ${grouped(sim.eventIndex)} (${stop})\n`,
  );
  if (r.violation !== null) {
    const v = r.violation;
    io.err(`dslab trace: VIOLATION ${printable(`${v.invariant} at event ${v.atEvent}: ${v.message}`)}\n`);
    io.err(`${reproduceLine(opts.file, seed, loaded.sets, opts.untilUs, opts.cwd)}\n`);
    return EXIT_VIOLATION;
  }
  return EXIT_OK;
}
