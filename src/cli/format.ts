/** Text helpers shared by the commands' human-readable output. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printable } from '../shared/printable';
import { shellQuote } from './args';
import type { RunResult } from './run-seed';
import type { SetOverride } from './scenario-file';

/** 1234567 → `1,234,567` (fixed, not the locale's: output is the same on every machine). */
export function grouped(n: number): string {
  const [int, frac] = String(n).split('.');
  const g = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
}

/** Milliseconds with up to three decimals: `3.918 ms`. */
export function ms(value: number): string {
  return `${grouped(Math.round(value * 1000) / 1000)} ms`;
}

/** Why a run stopped, in words. */
export function stopWords(reason: RunResult['stopReason']): string {
  switch (reason) {
    case 'quiescent':
      return 'no events left';
    case 'time-limit':
      return 'time limit reached';
    case 'max-events':
      return 'event limit reached';
    case 'trace-limit':
      return 'trace row limit reached';
    case 'violation':
      return 'stopped by a violation';
    case 'until':
      return '--until-ms reached';
    case 'error':
      return 'the simulation threw';
  }
}

/** The project folder (where `npx dslab` and `npm run -s lab` work). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `file` as typed in `cwd`, named so it works from the project folder: relative inside it, absolute outside. */
export function fromProject(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(PROJECT_ROOT, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * What re-runs one seed exactly, as a command that works as typed from the project folder
 * (docs/cli.md): `reproduce with: npx dslab run <file> --seed N [--set ...] [--until-ms T]`.
 */
export function reproduceLine(
  file: string,
  seed: number,
  sets: readonly SetOverride[],
  untilUs: number | undefined,
  cwd: string = process.cwd(),
): string {
  let line = `reproduce with: npx dslab run ${shellQuote(fromProject(file, cwd))} --seed ${seed}`;
  for (const s of sets) line += ` --set ${shellQuote(s.spec)}`;
  if (untilUs !== undefined) line += ` --until-ms ${untilUs / 1000}`;
  return printable(line);
}

/** `label` padded so values line up. */
export function row(label: string, value: string): string {
  return `${label.padEnd(12)}${value}\n`;
}

/** The violation (or simulation error) of a result as aligned lines, or '' when it passed. */
export function violationLines(r: RunResult): string {
  if (r.error !== undefined)
    return (
      row('ERROR', `the simulation threw: ${printable(r.error)}`) +
      row('at', `event ${grouped(r.events)}, ${ms(r.simulatedMs)}`)
    );
  const v = r.violation;
  if (v === null) return '';
  const node = v.node === null || v.node === '' ? '' : `, node ${printable(v.node)}`;
  return (
    row('VIOLATION', printable(`${v.invariant}: ${v.message}`)) +
    row('at', `event ${grouped(v.atEvent)}, ${ms(v.timeMs)}${node}`)
  );
}
