/** Shared helpers of the CLI tests: fixtures, an in-process runner, and the real CLI as a child process. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { memoryIo } from '../../src/cli/io';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The fixtures folder. */
export const FIXTURES = path.join(ROOT, 'tests', 'cli', 'fixtures');

/** A fixture's path. */
export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** What one CLI invocation printed and returned. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs the CLI in this process (fast: no tsx start-up). */
export async function cli(...argv: string[]): Promise<CliRun> {
  const io = memoryIo();
  const code = await runCli(argv, io, { cwd: ROOT });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Runs the real CLI as a child process, as bin/dslab.mjs does (slow: use for a few end-to-end cases). */
export function spawnCli(argv: string[], entry = path.join('src', 'cli', 'main.ts')): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses NDJSON text into objects (throws on a line that is not JSON). */
export function ndjson(text: string): unknown[] {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}
