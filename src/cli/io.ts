/**
 * Where the CLI writes, and how it fails. Commands take an `Io` instead of touching
 * process.stdout, so tests call them in-process and read what they printed.
 */

/** The output sink of a command. */
export interface Io {
  /** Writes to standard output; the promise (if any) resolves when the sink can take more. */
  out(text: string): void | Promise<void>;
  /** Writes to standard error (progress, warnings, errors). */
  err(text: string): void;
  /** True when stderr is a terminal (progress then rewrites one line). */
  errIsTTY?: boolean;
}

/** Exit codes: 0 ok, 1 a violation was found, 2 bad input (file, flag, scenario). */
export const EXIT_OK = 0;
/** An invariant or history checker failed on some seed (or the simulation threw). */
export const EXIT_VIOLATION = 1;
/** Bad input: unreadable or invalid file, unknown or malformed flag. */
export const EXIT_USAGE = 2;

/**
 * Bad input. The message is ONE line naming what is wrong; the CLI prints it as
 * `dslab: <message>` and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An Io that collects everything (tests, and callers that want the text). */
export function memoryIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out(text) {
      out += text;
    },
    err(text) {
      err += text;
    },
    errIsTTY: false,
    stdout: () => out,
    stderr: () => err,
  };
}

/**
 * The process's own streams, with backpressure: a sweep of a million seeds or a long trace
 * waits for the pipe instead of buffering everything. A closed pipe (`dslab trace f | head`)
 * ends the process quietly, as Unix tools do.
 */
export function processIo(): Io {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    out(text) {
      if (process.stdout.write(text)) return;
      return new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    },
    err(text) {
      process.stderr.write(text);
    },
    errIsTTY: process.stderr.isTTY === true,
  };
}
