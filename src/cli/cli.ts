/**
 * The `dslab` command line: parses argv per subcommand (node:util parseArgs), dispatches, and
 * maps failures to exit codes: 0 ok, 1 a violation was found, 2 bad input (one line,
 * `dslab: <what is wrong>`), 3 an internal error (a DSLab bug). main.ts calls runCli with the
 * process's streams; tests call it (or the commands) with a memory Io.
 */
import path from 'node:path';
import { printable, printableLines } from '../shared/printable';
import {
  list,
  oneFile,
  parseFlags,
  parseIndex,
  parseSeed,
  parseSeedRange,
  parseUntilMs,
  parseWorkers,
  str,
} from './args';
import { benchCommand } from './commands/bench';
import { checkCommand } from './commands/check';
import { libraryCommand, splitDataFlag } from './commands/library';
import { runCommand } from './commands/run';
import { shivizCommand } from './commands/shiviz';
import { sweepCommand } from './commands/sweep';
import { traceCommand } from './commands/trace';
import { COMMAND_HELP, USAGE } from './help';
import { EXIT_OK, EXIT_USAGE, type Io, UsageError } from './io';

/** Exit code of an unexpected failure inside DSLab. */
export const EXIT_INTERNAL = 3;

/** Where the CLI runs. */
export interface CliContext {
  /** Folder relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
}

const SEED = { seed: { type: 'string' } } as const;
const SETS = { set: { type: 'string', multiple: true } } as const;
const UNTIL = { 'until-ms': { type: 'string' } } as const;
const WORKERS = { workers: { type: 'string' } } as const;

/** Each command's flags (`--help` is added to all). */
const FLAGS: Record<string, Parameters<typeof parseFlags>[2]> = {
  run: { ...SEED, ...UNTIL, ...SETS, json: { type: 'boolean' } },
  check: { seeds: { type: 'string' }, ...WORKERS, ...UNTIL, ...SETS },
  sweep: { seeds: { type: 'string' }, ...WORKERS, ...UNTIL, ...SETS },
  trace: { ...SEED, from: { type: 'string' }, to: { type: 'string' }, ...UNTIL, ...SETS },
  shiviz: {
    ...SEED,
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    ...UNTIL,
    ...SETS,
  },
  bench: { json: { type: 'boolean' }, quick: { type: 'boolean' } },
};

function optional<T>(text: string | undefined, parse: (t: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

/** Runs one CLI invocation; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io, ctx: CliContext = {}): Promise<number> {
  try {
    return await dispatch(argv, io, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dslab: ${printable(e.message)}\n`);
      return EXIT_USAGE;
    }
    io.err(
      `dslab: internal error (please report it): ${printableLines(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`,
    );
    return EXIT_INTERNAL;
  }
}

async function dispatch(argv: readonly string[], io: Io, ctx: CliContext): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    io.err(USAGE);
    return EXIT_USAGE;
  }
  if (command === '--help' || command === '-h') {
    await io.out(USAGE);
    return EXIT_OK;
  }
  if (command === 'help') {
    const topic = args[0] === '--help' || args[0] === '-h' ? 'help' : args[0];
    if (topic === undefined) await io.out(USAGE);
    else {
      const text = COMMAND_HELP[topic];
      if (text === undefined) throw new UsageError(`no command ${topic} (dslab help lists them)`);
      await io.out(text);
    }
    return EXIT_OK;
  }
  const help = COMMAND_HELP[command];
  if (help === undefined) throw new UsageError(`unknown command ${command} (dslab help lists them)`);
  if (command === 'library') {
    if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
      await io.out(help);
      return EXIT_OK;
    }
    const opts = splitDataFlag(args);
    const cwd = ctx.cwd ?? process.cwd();
    return libraryCommand(
      { ...opts, cwd, ...(opts.dataDir === undefined ? {} : { dataDir: path.resolve(cwd, opts.dataDir) }) },
      io,
    );
  }

  const { values: v, positionals } = parseFlags(command, args, FLAGS[command] ?? {});
  if (v.help === true) {
    await io.out(help);
    return EXIT_OK;
  }
  const cwd = ctx.cwd;
  const base = { ...(cwd === undefined ? {} : { cwd }), sets: list(v, 'set') };
  const until = optional(str(v, 'until-ms'), parseUntilMs);
  const withUntil = until === undefined ? {} : { untilUs: until };

  switch (command) {
    case 'run': {
      const file = oneFile(command, positionals);
      const seed = optional(str(v, 'seed'), (t) => parseSeed(t));
      return runCommand(
        { ...base, file, ...withUntil, ...(seed === undefined ? {} : { seed }), json: v.json === true },
        io,
      );
    }
    case 'check': {
      const file = oneFile(command, positionals);
      const seeds = optional(str(v, 'seeds'), (t) => parseSeedRange(t));
      const workers = optional(str(v, 'workers'), parseWorkers);
      return checkCommand(
        {
          ...base,
          file,
          ...withUntil,
          ...(seeds === undefined ? {} : { seeds }),
          ...(workers === undefined ? {} : { workers }),
        },
        io,
      );
    }
    case 'sweep': {
      const file = oneFile(command, positionals);
      const seedsText = str(v, 'seeds');
      if (seedsText === undefined) throw new UsageError('sweep needs --seeds A..B');
      const seeds = parseSeedRange(seedsText);
      const workers = optional(str(v, 'workers'), parseWorkers);
      return sweepCommand(
        { ...base, file, seeds, ...withUntil, ...(workers === undefined ? {} : { workers }) },
        io,
      );
    }
    case 'trace': {
      const file = oneFile(command, positionals);
      const seed = optional(str(v, 'seed'), (t) => parseSeed(t));
      const from = optional(str(v, 'from'), (t) => parseIndex(t, '--from'));
      const to = optional(str(v, 'to'), (t) => parseIndex(t, '--to'));
      return traceCommand(
        {
          ...base,
          file,
          ...withUntil,
          ...(seed === undefined ? {} : { seed }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        },
        io,
      );
    }
    case 'shiviz': {
      const file = oneFile(command, positionals);
      const seed = optional(str(v, 'seed'), (t) => parseSeed(t));
      const from = optional(str(v, 'from'), (t) => parseIndex(t, '--from'));
      const to = optional(str(v, 'to'), (t) => parseIndex(t, '--to'));
      const out = str(v, 'out');
      return shivizCommand(
        {
          ...base,
          file,
          ...withUntil,
          ...(seed === undefined ? {} : { seed }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(out === undefined ? {} : { out }),
        },
        io,
      );
    }
    case 'bench': {
      if (positionals.length > 0)
        throw new UsageError(`unexpected argument ${positionals[0]} (bench takes no file)`);
      return benchCommand({ json: v.json === true, quick: v.quick === true }, io);
    }
    default:
      // Every command in COMMAND_HELP is handled above.
      throw new Error(`no handler for ${command}`);
  }
}
