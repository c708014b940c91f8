/** The real CLI as a child process: the entry point, the bin script, exit codes and streams. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/cli/run-seed';
import { fixture, ROOT, spawnCli } from './helpers';

describe('dslab as a process', () => {
  it('run --json prints one JSON object and exits 0', () => {
    const r = spawnCli(['run', fixture('ping-pong.json'), '--seed', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result).toMatchObject({ seed: 4, violation: null });
  });

  it('check exits 1 on a violation and 2 on a bad file, with one line on stderr', () => {
    const v = spawnCli(['check', fixture('broadcast-no-dedupe.json'), '--seeds', '1..3']);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^VIOLATION {2}seed 1: no-duplication/);
    const bad = spawnCli(['check', 'no-such.json']);
    expect(bad).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'dslab: cannot read no-such.json: no such file\n',
    });
  });

  it('bin/dslab.mjs runs the same CLI', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'dslab.mjs'), 'help', 'run'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: dslab run <file>');
  });
});
