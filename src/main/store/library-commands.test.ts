import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeScenario } from '../../../tests/store/fixtures';
import { runLibraryCommand } from './library-commands';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('dslab library', () => {
  it('lists the built-ins, imports, exports and deletes', () => {
    const data = tmp();
    const work = tmp();
    const listed = runLibraryCommand(data, ['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+NAME/);
    expect(listed.stdout).toContain('Ping-pong ring');

    const file = path.join(work, 'mine.dslab.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'dslab',
        kind: 'scenario',
        schemaVersion: 1,
        tags: ['mine'],
        scenario: makeScenario(3, 'Mine'),
      }),
    );
    const imported = runLibraryCommand(data, ['import', file]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    const id = /imported (sc_\w+)/.exec(imported.stdout)![1]!;

    const json = JSON.parse(runLibraryCommand(data, ['list', '--tag', 'mine', '--json']).stdout);
    expect(json.map((i: { id: string }) => i.id)).toEqual([id]);
    expect(runLibraryCommand(data, ['list', '--search', 'min']).stdout).toContain(id);

    const out = runLibraryCommand(data, ['export', id, '--out', 'back.dslab.json'], { cwd: work });
    expect(out.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(work, 'back.dslab.json'), 'utf8')).scenario.name).toBe(
      'Mine',
    );
    expect(JSON.parse(runLibraryCommand(data, ['export', id]).stdout).kind).toBe('scenario');

    expect(runLibraryCommand(data, ['delete', id])).toMatchObject({
      code: 0,
      stdout: `moved ${id} to the trash\n`,
    });
    expect(runLibraryCommand(data, ['list', '--trash']).stdout).toContain(id);
    expect(runLibraryCommand(data, ['empty-trash']).stdout).toBe('deleted 1 item from the trash\n');
  });

  it('refuses bad files, unknown ids and bad usage with a message and an exit code', () => {
    const data = tmp();
    const bad = path.join(data, 'bad.dslab.json');
    fs.writeFileSync(bad, '{"format":"dslab","kind":"scenario","schemaVersion":1,"scenario":{}}');
    const r = runLibraryCommand(data, ['import', bad, path.join(data, 'missing.json')], { builtinDir: null });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bad\.dslab\.json: This is not a valid DSLab file: \$\.scenario\.schemaVersion: /,
    );
    expect(r.stderr).toMatch(/missing\.json: cannot read it \(ENOENT\)/);
    expect(runLibraryCommand(data, ['delete', 'sc_nope'], { builtinDir: null })).toMatchObject({
      code: 1,
      stderr: 'dslab library: No item with id sc_nope is in the library.\n',
    });
    expect(runLibraryCommand(data, ['list'], { builtinDir: null }).stdout).toBe('No items.\n');
    expect(runLibraryCommand(data, ['frobnicate']).code).toBe(2);
    expect(runLibraryCommand(data, ['list', '--kind', 'movie']).stderr).toMatch(
      /--kind is scenario or exercise/,
    );
    expect(runLibraryCommand(data, ['list', '--wat']).stderr).toMatch(/unknown option --wat/);
    expect(runLibraryCommand(data, []).code).toBe(2);
  });

  it('refuses a file whose JSON error quotes text with a newline in one line', () => {
    const data = tmp();
    const bad = path.join(data, 'two-lines.dslab.json');
    fs.writeFileSync(bad, 'ab\nfake: imported sc_x');
    const r = runLibraryCommand(data, ['import', bad], { builtinDir: null });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^.*two-lines\.dslab\.json: This is not a DSLab file: \$: not JSON \(.*ab\\nfake.*\)$/,
      ),
      '',
    ]);
  });

  describe('export --out', () => {
    /** A library with one scenario, and a work folder; returns its id. */
    function setup(): { data: string; work: string; id: string } {
      const data = tmp();
      const work = tmp();
      const file = path.join(work, 'in.dslab.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          format: 'dslab',
          kind: 'scenario',
          schemaVersion: 1,
          scenario: makeScenario(3, 'Out'),
        }),
      );
      const r = runLibraryCommand(data, ['import', file], { builtinDir: null });
      fs.rmSync(file);
      return { data, work, id: /imported (sc_\w+)/.exec(r.stdout)![1]! };
    }
    const exportTo = (s: { data: string; work: string; id: string }, out: string) =>
      runLibraryCommand(s.data, ['export', s.id, '--out', out], { cwd: s.work, builtinDir: null });

    it('"" is a usage error', () => {
      const s = setup();
      expect(exportTo(s, '')).toMatchObject({ code: 2, stdout: '' });
      expect(exportTo(s, '').stderr.split('\n')[0]).toBe('dslab library: --out needs a file name');
      expect(fs.readdirSync(s.work)).toEqual([]);
    });

    it('a folder, a missing folder, a symlink or a special file: a clear refusal, nothing left behind', () => {
      const s = setup();
      fs.mkdirSync(path.join(s.work, 'folder'));
      const real = path.join(s.work, 'real.json');
      fs.writeFileSync(real, 'keep me');
      fs.symlinkSync(real, path.join(s.work, 'link.json'));
      fs.symlinkSync(path.join(s.work, 'nowhere.json'), path.join(s.work, 'dangling.json'));
      const fifo = path.join(s.work, 'fifo');
      const made = spawnSync('mkfifo', [fifo]);
      const before = fs.readdirSync(s.work).sort();
      const target = (name: string) => path.join(s.work, name);
      const cases: [string, string][] = [
        ['folder', `--out ${target('folder')} is a folder; name a file (in it, or elsewhere).`],
        [
          'no-such-folder/x.json',
          `--out ${target('no-such-folder/x.json')}: the folder ${target('no-such-folder')} does not exist.`,
        ],
        ['real.json/x.json', `--out ${target('real.json/x.json')}: ${target('real.json')} is not a folder.`],
        [
          'link.json',
          `--out ${target('link.json')} is a symbolic link; DSLab replaces only regular files. Name the file it points to (${real}) or another name.`,
        ],
        [
          'dangling.json',
          `--out ${target('dangling.json')} is a symbolic link; DSLab replaces only regular files. Name the file it points to (${target('nowhere.json')}) or another name.`,
        ],
      ];
      if (made.status === 0)
        cases.push([
          'fifo',
          `--out ${fifo} is not a regular file (a device, pipe or socket); DSLab replaces only regular files.`,
        ]);
      for (const [out, message] of cases) {
        const r = exportTo(s, out);
        expect(r, out).toMatchObject({ code: 1, stdout: '', stderr: `dslab library: ${message}\n` });
      }
      expect(fs.readdirSync(s.work).sort()).toEqual(before);
      expect(fs.readFileSync(real, 'utf8')).toBe('keep me');
      expect(fs.lstatSync(path.join(s.work, 'link.json')).isSymbolicLink()).toBe(true);
    });

    it('replaces a regular file whole, leaving no temporary file', () => {
      const s = setup();
      const file = path.join(s.work, 'out.dslab.json');
      fs.writeFileSync(file, 'old');
      expect(exportTo(s, 'out.dslab.json')).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).scenario.name).toBe('Out');
      expect(fs.readdirSync(s.work)).toEqual(['out.dslab.json']);
    });
  });
});
