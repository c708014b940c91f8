/** help, bench and library, in-process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/cli/commands/bench';
import { splitDataFlag } from '../../src/cli/commands/library';
import { COMMAND_HELP } from '../../src/cli/help';
import { memoryIo } from '../../src/cli/io';
import { cli, fixture } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-lib-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('help', () => {
  it('--help, help and help <command> print usage and exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: dslab <command> [options]');
      for (const c of ['run', 'check', 'sweep', 'trace', 'shiviz', 'bench', 'library'])
        expect(r.stdout).toContain(`  ${c} `);
    }
    for (const command of Object.keys(COMMAND_HELP)) {
      const a = await cli('help', command);
      expect(a.code).toBe(0);
      expect(a.stdout).toContain(`Usage: dslab ${command}`);
      const b = await cli(command, '--help');
      expect(b).toEqual(a);
    }
  });

  it('each command documents each of its flags', async () => {
    const flags: Record<string, string[]> = {
      run: ['--seed', '--until-ms', '--set', '--json'],
      check: ['--seeds', '--workers', '--until-ms', '--set'],
      sweep: ['--seeds', '--workers', '--until-ms', '--set'],
      trace: ['--seed', '--from', '--to', '--until-ms', '--set'],
      shiviz: ['--seed', '--from', '--to', '--until-ms', '--set', '--out'],
      bench: ['--json', '--quick'],
      library: ['--data', 'list', 'import', 'export', 'delete'],
    };
    for (const [command, list] of Object.entries(flags))
      for (const f of list) expect(COMMAND_HELP[command], `${command} ${f}`).toContain(f);
  });
});

describe('dslab bench', () => {
  const runner = fixture('fake-bench.mjs');

  it('runs the runner as a child process and passes --json and --quick through', async () => {
    const io = memoryIo();
    expect(await benchCommand({ json: true, quick: true, runner }, io)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({ fake: true, args: ['--json', '--quick'] });
    expect(io.stderr()).toBe('fake bench progress\n');
    const plain = memoryIo();
    expect(await benchCommand({ runner }, plain)).toBe(0);
    expect(plain.stdout()).toBe('fake bench \n');
  });

  it('a missing runner is bad input', async () => {
    await expect(benchCommand({ runner: path.join(tmp, 'nope.ts') }, memoryIo())).rejects.toThrow(
      /cannot find the benchmark runner/,
    );
  });

  it('bench takes no file', async () => {
    const r = await cli('bench', 'x.json');
    expect(r).toMatchObject({ code: 2, stderr: 'dslab: unexpected argument x.json (bench takes no file)\n' });
  });
});

describe('dslab library', () => {
  it('splits --data off the library arguments', () => {
    expect(splitDataFlag(['list', '--data', 'd', '--json'])).toEqual({
      args: ['list', '--json'],
      dataDir: 'd',
    });
    expect(splitDataFlag(['list', '--data=d'])).toEqual({ args: ['list'], dataDir: 'd' });
    expect(splitDataFlag(['import', 'f.json'])).toEqual({ args: ['import', 'f.json'] });
  });

  it('lists, imports, exports and deletes in the folder --data names', async () => {
    const data = path.join(tmp, 'data');
    const listed = await cli('library', 'list', '--data', data);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+NAME/);

    const imported = await cli('library', 'import', fixture('broadcast.dslab.json'), '--data', data);
    expect(imported.code, imported.stderr).toBe(0);
    const id = /imported (\S+)/.exec(imported.stdout)?.[1];
    expect(id).toBeDefined();

    const exported = await cli('library', 'export', id!, '--data', data);
    expect(exported.code).toBe(0);
    const out = path.join(tmp, 'back.dslab.json');
    fs.writeFileSync(out, exported.stdout);
    // What the library exports, the CLI runs.
    const a = await cli('run', out, '--json');
    const b = await cli('run', fixture('broadcast.json'), '--json');
    expect(a.stdout).toBe(b.stdout);

    expect((await cli('library', 'delete', id!, '--data', data)).code).toBe(0);
    const gone = await cli('library', 'delete', 'sc_nope', '--data', data);
    expect(gone.code).toBe(1);
  });
});
