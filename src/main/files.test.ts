import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../shared/files/format';
import { Files, MAX_RECENT } from './files';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-files-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function memoryStore() {
  const m = new Map<string, unknown>();
  return { getRaw: (k: string) => m.get(k), setRaw: (k: string, v: unknown) => m.set(k, v) };
}

describe('desktop files', () => {
  it('opens the chosen file and remembers it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.dslab.json');
    fs.writeFileSync(file, '{"x":1}');
    const files = new Files(memoryStore(), { chooseOpen: async () => file, chooseSave: async () => null });
    await expect(files.open()).resolves.toEqual({ name: 'a.dslab.json', path: file, text: '{"x":1}' });
    expect(files.recent()).toEqual([file]);
  });

  it('returns null when the dialog is cancelled', async () => {
    const files = new Files(memoryStore(), { chooseOpen: async () => null, chooseSave: async () => null });
    await expect(files.open()).resolves.toBeNull();
    await expect(files.save('x.dslab.json', '{}')).resolves.toBeNull();
  });

  it('saves through a temporary file and leaves no temporary behind', async () => {
    const dir = tmp();
    const file = path.join(dir, 'out.dslab.json');
    const files = new Files(memoryStore(), { chooseOpen: async () => null, chooseSave: async () => file });
    await expect(files.save('out.dslab.json', 'hello')).resolves.toEqual({ path: file });
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    expect(fs.readdirSync(dir)).toEqual(['out.dslab.json']);
    expect(files.recent()).toEqual([file]);
  });

  it('never saves over a symbolic link or a folder: a clear error, the link and its file kept', async () => {
    const dir = tmp();
    const real = path.join(dir, 'real.dslab.json');
    fs.writeFileSync(real, 'keep me');
    const link = path.join(dir, 'link.dslab.json');
    fs.symlinkSync(real, link);
    for (const [target, message] of [
      [
        link,
        `${link} is a symbolic link; DSLab replaces only regular files. Name the file it points to (${real}) or another name.`,
      ],
      [dir, `${dir} is a folder; name a file (in it, or elsewhere).`],
    ] as const) {
      const files = new Files(memoryStore(), {
        chooseOpen: async () => null,
        chooseSave: async () => target,
      });
      await expect(files.save('x.dslab.json', 'new')).rejects.toMatchObject({ code: 'bad-request', message });
      expect(files.recent()).toEqual([]);
    }
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('keep me');
    expect(fs.readdirSync(dir).sort()).toEqual(['link.dslab.json', 'real.dslab.json']);
  });

  it('refuses a file over the size cap before reading it', () => {
    const dir = tmp();
    const file = path.join(dir, 'big.dslab.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_FILE_BYTES + 1);
    const files = new Files(memoryStore(), { chooseOpen: async () => file, chooseSave: async () => null });
    expect(() => files.read(file)).toThrow(/big\.dslab\.json is 20\.0 MiB; DSLab opens files up to 20 MiB/);
    expect(files.recent()).toEqual([]);
  });

  it('reads only paths on the recent list', () => {
    const dir = tmp();
    const known = path.join(dir, 'known.dslab.json');
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(known, '{}');
    fs.writeFileSync(secret, 'private');
    const files = new Files(memoryStore(), { chooseOpen: async () => null, chooseSave: async () => null });
    files.remember(known);
    expect(files.openRecent(known).text).toBe('{}');
    expect(() => files.openRecent(secret)).toThrow(/not on the recent files list/);
  });

  it('keeps the newest files first, without duplicates or vanished files, up to the cap', () => {
    const dir = tmp();
    const store = memoryStore();
    const files = new Files(store, { chooseOpen: async () => null, chooseSave: async () => null });
    const paths = Array.from({ length: MAX_RECENT + 3 }, (_, i) => path.join(dir, `f${i}.dslab.json`));
    for (const p of paths) {
      fs.writeFileSync(p, '{}');
      files.remember(p);
    }
    files.remember(paths[5]!);
    const recent = files.recent();
    expect(recent).toHaveLength(MAX_RECENT);
    expect(recent[0]).toBe(paths[5]);
    expect(new Set(recent).size).toBe(MAX_RECENT);
    fs.rmSync(paths[5]!);
    expect(files.recent()).not.toContain(paths[5]);
  });
});
