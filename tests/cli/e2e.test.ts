/** The real CLI as a child process: the entry point, the bin script, exit codes and streams. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { memoryIo } from '../../src/cli/io';
import type { RunResult } from '../../src/cli/run-seed';
import { fixture, ROOT, spawnCli } from './helpers';

const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-e2e-'));
afterAll(() => fs.rmSync(tmpdir, { recursive: true, force: true }));

/** The CLI in this process, as if started in `cwd`. */
async function cliIn(cwd: string, ...argv: string[]) {
  const io = memoryIo();
  const code = await runCli(argv, io, { cwd });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

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

  it('the reproduce line works as typed from the project folder', async () => {
    // Printed for a file given by an absolute path, from another folder.
    const r = await cliIn(tmpdir, 'check', fixture('broadcast-no-dedupe.json'), '--seeds', '1..3');
    expect(r.code).toBe(1);
    const line = /^reproduce with: (.+)$/m.exec(r.stdout)![1]!;
    expect(line).toBe('npx dslab run tests/cli/fixtures/broadcast-no-dedupe.json --seed 1');
    const again = spawnSync('sh', ['-c', line], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(again.status, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^VIOLATION {3}no-duplication: /m);
    // A file outside the project is named by its absolute path.
    const outside = path.join(tmpdir, 'outside.json');
    fs.copyFileSync(fixture('broadcast-no-dedupe.json'), outside);
    const o = await cliIn(tmpdir, 'run', 'outside.json', '--seed', '1');
    expect(o.stdout).toContain(`reproduce with: npx dslab run ${outside} --seed 1\n`);
  });

  it('npm run -s lab -- run --json prints only the JSON object, as documented', () => {
    const r = spawnSync(
      'npm',
      ['run', '-s', 'lab', '--', 'run', fixture('ping-pong.json'), '--seed', '4', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RunResult).seed).toBe(4);
  });

  it("the docs show only CLI command lines whose output is the CLI's own (no npm banner)", () => {
    const docs = [
      'README.md',
      ...fs
        .readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
        .map((f) => path.join('docs', f)),
    ].filter((f) => f.endsWith('.md'));
    const banner: string[] = [];
    for (const f of docs)
      fs.readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/npm run lab\b/.test(line)) banner.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    expect(banner).toEqual([]);
  });
});
