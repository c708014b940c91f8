/**
 * `dslab bench [--json] [--quick]`: runs the kernel benchmark (bench/run.ts, owned by the
 * kernel) in a child process, so its GC flags and timings are its own, and passes its output
 * and exit code through.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Io, UsageError } from '../io';

/** The repository root (src/cli/commands → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Options of `dslab bench`. */
export interface BenchOptions {
  /** Machine-readable output (passed to the runner as --json). */
  json?: boolean;
  /** The runner's short mode (passed as --quick). */
  quick?: boolean;
  /** The runner script (default: bench/run.ts in the repository). */
  runner?: string;
}

/** Runs `dslab bench`; the exit code is the runner's. */
export async function benchCommand(opts: BenchOptions, io: Io): Promise<number> {
  const runner = opts.runner ?? path.join(REPO_ROOT, 'bench', 'run.ts');
  if (!fs.existsSync(runner)) throw new UsageError(`cannot find the benchmark runner ${runner}`);
  const args = ['--import', 'tsx', runner];
  if (opts.json) args.push('--json');
  if (opts.quick) args.push('--quick');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const pending: Promise<void>[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const p = io.out(chunk);
    if (p !== undefined) {
      child.stdout.pause();
      pending.push(p.then(() => void child.stdout.resume()));
    }
  });
  child.stderr.on('data', (chunk: string) => io.err(chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  await Promise.all(pending);
  return code;
}
