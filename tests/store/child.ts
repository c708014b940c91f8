/** Runs a TypeScript worker in a child Node process (`node --import tsx`), collecting its stdout lines. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

/** The repository root (tsx resolves from here). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A running worker. */
export interface Worker {
  /** The process. */
  proc: ChildProcessWithoutNullStreams;
  /** Every complete stdout line so far. */
  lines: string[];
  /** stderr text so far. */
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process ended and stdout was drained. */
  exited: Promise<number | string>;
  /** Resolves when a line matching `re` arrives (or the count of lines reaches `n`). */
  waitFor(pred: (lines: string[]) => boolean): Promise<void>;
}

/** Starts tests/store/workers/<name>.ts with args. */
export function startWorker(name: string, args: string[]): Worker {
  const script = path.join(ROOT, 'tests', 'store', 'workers', `${name}.ts`);
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: 'pipe' });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters: { pred: (l: string[]) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--)
      if (waiters[i]!.pred(lines)) {
        waiters[i]!.resolve();
        waiters.splice(i, 1);
      }
  };
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    check();
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.on('close', (code, signal) => {
      check();
      for (const w of waiters.splice(0)) w.resolve();
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor: (pred) =>
      new Promise<void>((resolve) => {
        if (pred(lines)) resolve();
        else waiters.push({ pred, resolve });
      }),
  };
}
