/**
 * Flag parsing for the subcommands: node:util parseArgs (strict), with its errors turned into
 * one line naming the flag, and parsers for the value formats (seed, seed range, counts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './io';

/** The largest seed (seeds are unsigned 32-bit integers, as in the scenario schema). */
export const MAX_SEED = 0xffffffff;
/** A sweep or check covers at most this many seeds; split larger ranges into several runs. */
export const MAX_SEEDS = 1_000_000;
/** At most this many worker threads. */
export const MAX_WORKERS = 64;

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseFlags returns: flag values by name, and the positional arguments. */
export interface ParsedFlags {
  /** Flag values: string, boolean, or string[] for repeatable flags. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments, in order. */
  positionals: string[];
}

/** Parses a subcommand's arguments; unknown or malformed flags throw a UsageError. */
export function parseFlags(command: string, args: readonly string[], options: Options): ParsedFlags {
  try {
    const r = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as ParsedFlags['values'], positionals: r.positionals };
  } catch (e) {
    throw new UsageError(describeParseError(command, e));
  }
}

function describeParseError(command: string, e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag} for ${command} (dslab help ${command} lists them)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${flag} takes no value`;
      if (/ambiguous/.test(message))
        return `${flag} needs a value (write ${flag}=-X for a value starting with -)`;
      return `${flag} needs a value`;
    default:
      return message.split('\n')[0]!;
  }
}

/** The only positional argument of a command that takes one file. */
export function oneFile(command: string, positionals: readonly string[]): string {
  if (positionals.length === 0)
    throw new UsageError(`${command} needs a scenario file (dslab help ${command})`);
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument ${positionals[1]} (${command} takes one file)`);
  return positionals[0]!;
}

/** A string flag's value, or undefined. */
export function str(values: ParsedFlags['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable flag's values. */
export function list(values: ParsedFlags['values'], name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

const UINT = /^\d+$/;

/** `--seed N`: an integer from 0 to 2^32-1. */
export function parseSeed(text: string, flag = '--seed'): number {
  const n = Number(text);
  if (!UINT.test(text.trim()) || !Number.isSafeInteger(n) || n > MAX_SEED)
    throw new UsageError(`${flag} must be an integer from 0 to ${MAX_SEED} (got ${text})`);
  return n;
}

/** An inclusive seed range. */
export interface SeedRange {
  /** First seed. */
  from: number;
  /** Last seed (inclusive). */
  to: number;
}

/** `--seeds A..B` (inclusive; a single `N` means N..N), at most MAX_SEEDS seeds. */
export function parseSeedRange(text: string, flag = '--seeds'): SeedRange {
  const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+))?\s*$/.exec(text);
  if (m === null) throw new UsageError(`${flag} must look like A..B (got ${text})`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > MAX_SEED || to > MAX_SEED)
    throw new UsageError(`${flag}: seeds are integers from 0 to ${MAX_SEED} (got ${text})`);
  if (from > to) throw new UsageError(`${flag} ${text} runs backwards; write ${to}..${from}`);
  const count = to - from + 1;
  if (count > MAX_SEEDS)
    throw new UsageError(
      `${flag} ${text} is ${thousands(count)} seeds; at most ${thousands(MAX_SEEDS)} per run (split the range into several runs)`,
    );
  return { from, to };
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Number of seeds in a range. */
export function seedCount(r: SeedRange): number {
  return r.to - r.from + 1;
}

/** `--until-ms T`: milliseconds of virtual time (>= 0, fractions allowed), returned in microseconds. */
export function parseUntilMs(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--until-ms must be a number of milliseconds >= 0 (got ${text})`);
  return Math.round(n * 1000);
}

/** A non-negative integer flag (event indices). */
export function parseIndex(text: string, flag: string): number {
  const n = Number(text);
  if (!UINT.test(text.trim()) || !Number.isSafeInteger(n))
    throw new UsageError(`${flag} must be an event index, an integer >= 0 (got ${text})`);
  return n;
}

/** `--workers K`: 1..MAX_WORKERS. */
export function parseWorkers(text: string): number {
  const n = Number(text);
  if (!UINT.test(text.trim()) || n < 1 || n > MAX_WORKERS)
    throw new UsageError(`--workers must be an integer from 1 to ${MAX_WORKERS} (got ${text})`);
  return n;
}

/** Quotes an argument for a POSIX shell when it needs it (for the "reproduce with" line). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@+,%-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
