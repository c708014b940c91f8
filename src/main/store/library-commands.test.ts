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
});
