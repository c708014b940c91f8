/**
 * `dslab run <file> [--seed N] [--until-ms T] [--set path=value ...] [--json]`: one seed, then a
 * summary (aligned lines) or, with --json, one JSON object (RunResult).
 */

import { printable } from '../../shared/printable';
import { grouped, ms, reproduceLine, row, stopWords, violationLines } from '../format';
import { EXIT_OK, EXIT_VIOLATION, type Io } from '../io';
import { failed, type RunResult, runSeed } from '../run-seed';
import { loadScenarioFile } from '../scenario-file';

/** Options of `dslab run`. */
export interface RunOptions {
  /** Scenario file. */
  file: string;
  /** Seed (default: the scenario's own). */
  seed?: number;
  /** Stop after the last event at or before this virtual time, microseconds. */
  untilUs?: number;
  /** `path=value` overrides. */
  sets?: string[];
  /** One JSON object instead of the summary. */
  json?: boolean;
  /** Folder the file is relative to (default: process.cwd()). */
  cwd?: string;
}

/** A history checker that ran but could not decide (its `ok` is null once evaluated). */
export function undecidedVerdict(v: RunResult['invariants'][number]): boolean {
  return v.kind === 'history' && v.ok === null && v.atEvent !== null;
}

/** The human summary of one run. */
export function summaryText(r: RunResult, title: string): string {
  const c = r.metrics.counters;
  let out = row('scenario', title);
  out += row('seed', String(r.seed));
  out += row('events', grouped(r.events));
  out += row('simulated', `${ms(r.simulatedMs)} (${stopWords(r.stopReason)})`);
  if (r.error === undefined) {
    out += row('trace hash', r.traceHash);
    out += row(
      'messages',
      `${grouped(c.sent ?? 0)} sent, ${grouped(c.delivered ?? 0)} delivered, ${grouped(c.dropped ?? 0)} dropped`,
    );
    if ((c.opsInvoked ?? 0) > 0)
      out += row(
        'client ops',
        `${grouped(c.opsInvoked ?? 0)} invoked, ${grouped(c.opsOk ?? 0)} ok, ${grouped(c.opsFailed ?? 0)} failed, ${grouped(c.opsUnknown ?? 0)} unknown`,
      );
    const held = r.invariants.filter((v) => v.ok === true).length;
    const lessons = r.invariants.filter((v) => v.ok === false && v.lesson !== undefined);
    const broken = r.invariants.filter((v) => v.ok === false).length - lessons.length;
    const undecided = r.invariants.filter((v) => undecidedVerdict(v));
    const pending = r.invariants.filter((v) => v.ok === null).length - undecided.length;
    let verdicts = `${held} of ${r.invariants.length} held`;
    if (broken > 0) verdicts += `, ${broken} BROKEN`;
    if (lessons.length > 0) verdicts += `, ${lessons.length} failed as the lesson`;
    if (undecided.length > 0) verdicts += `, ${undecided.length} undecided`;
    if (pending > 0) verdicts += `, ${pending} not evaluated`;
    out += row('invariants', verdicts);
    // A check the protocol does not promise here failed: what it found, and why that is the lesson.
    for (const v of lessons) out += row('lesson', `${v.id}: ${v.message} (${v.lesson})`);
    // History checkers say what they found (a broken one is the VIOLATION line below).
    for (const v of r.invariants)
      if (v.kind === 'history' && v.ok !== false && v.atEvent !== null)
        out += row('history', `${v.id}: ${v.message}`);
  }
  return out + violationLines(r);
}

/** Runs `dslab run`. Exit 0, or 1 when an invariant broke (or the simulation threw). */
export async function runCommand(opts: RunOptions, io: Io): Promise<number> {
  const loaded = loadScenarioFile(opts.file, opts.sets ?? [], opts.cwd);
  const seed = opts.seed ?? loaded.scenario.seed;
  const r = runSeed(loaded.scenario, seed, opts.untilUs === undefined ? {} : { untilUs: opts.untilUs });
  const bad = failed(r);
  if (opts.json) await io.out(`${JSON.stringify(r)}\n`);
  else {
    const s = loaded.scenario;
    let text = summaryText(r, printable(`${s.name} (${s.protocol})`));
    if (bad) text += `${reproduceLine(opts.file, seed, loaded.sets, opts.untilUs, opts.cwd)}\n`;
    await io.out(text);
  }
  // With --json the reproduce line goes to stderr, so stdout stays one JSON object.
  if (bad && opts.json) io.err(`${reproduceLine(opts.file, seed, loaded.sets, opts.untilUs, opts.cwd)}\n`);
  return bad ? EXIT_VIOLATION : EXIT_OK;
}
