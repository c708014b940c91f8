import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { quitOnStartupFailure, type StartupShell, startupFailure, startWhenReady } from './startup';
import { latestVersion, openStore, STORE_FILE } from './store/database';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-startup-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fake app + dialog that records what happens, in order. */
function recordingShell(): StartupShell & { calls: string[]; dialogs: { title: string; content: string }[] } {
  const calls: string[] = [];
  const dialogs: { title: string; content: string }[] = [];
  return {
    calls,
    dialogs,
    showErrorBox: (title, content) => {
      calls.push('dialog');
      dialogs.push({ title, content });
    },
    releaseSingleInstanceLock: () => calls.push('release lock'),
    exit: (code) => calls.push(`exit ${code}`),
  };
}

/** Starts "the app" the way src/main/index.ts does: open the store in start(), fail to a dialog. */
async function launch(dir: string) {
  const shell = recordingShell();
  let started = false;
  await startWhenReady(
    Promise.resolve(),
    () => {
      const db = openStore(dir);
      db.close();
      started = true;
    },
    (err) => quitOnStartupFailure(shell, startupFailure(err, path.join(dir, STORE_FILE))),
  );
  return { shell, started };
}

describe('a store that fails to open at startup', () => {
  it('a corrupt library file: a dialog naming the file and what to do, then the lock is released and the app exits', async () => {
    const dir = dataDir();
    const file = path.join(dir, STORE_FILE);
    fs.writeFileSync(file, Buffer.alloc(8192, 'not a database '));
    const { shell, started } = await launch(dir);
    expect(started).toBe(false);
    expect(shell.calls).toEqual(['dialog', 'release lock', 'exit 1']);
    expect(shell.dialogs[0]?.title).toBe('DSLab could not open its library');
    expect(shell.dialogs[0]?.content).toContain(file);
    expect(shell.dialogs[0]?.content).toMatch(/not an SQLite database/);
    expect(shell.dialogs[0]?.content).toMatch(/move it aside/);
  });

  it('a library from a newer DSLab: its own sentence, the file, then quit', async () => {
    const dir = dataDir();
    const file = path.join(dir, STORE_FILE);
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestVersion + 5}`);
    raw.close();
    const { shell, started } = await launch(dir);
    expect(started).toBe(false);
    expect(shell.calls).toEqual(['dialog', 'release lock', 'exit 1']);
    expect(shell.dialogs[0]?.content).toMatch(/newer DSLab/);
    expect(shell.dialogs[0]?.content).toContain(file);
  });

  it('a good library starts with no dialog', async () => {
    const { shell, started } = await launch(dataDir());
    expect(started).toBe(true);
    expect(shell.calls).toEqual([]);
  });
});

describe('startWhenReady', () => {
  it('hands a throw inside start to the failure handler instead of leaving it unhandled', async () => {
    const failures: unknown[] = [];
    const boom = new Error('boom');
    await startWhenReady(
      Promise.resolve(),
      () => {
        throw boom;
      },
      (err) => failures.push(err),
    );
    expect(failures).toEqual([boom]);
  });

  it('also hands over a rejected start and a ready that never came', async () => {
    const failures: unknown[] = [];
    await startWhenReady(
      Promise.resolve(),
      () => Promise.reject(new Error('later')),
      (e) => failures.push(e),
    );
    await startWhenReady(
      Promise.reject(new Error('not ready')),
      () => {},
      (e) => failures.push(e),
    );
    expect(failures.map((e) => (e as Error).message)).toEqual(['later', 'not ready']);
  });
});

describe('quitOnStartupFailure', () => {
  it('releases the lock and exits even if the dialog cannot be shown', () => {
    const shell = recordingShell();
    shell.showErrorBox = () => {
      throw new Error('no display');
    };
    quitOnStartupFailure(shell, { title: 't', message: 'm' });
    expect(shell.calls).toEqual(['release lock', 'exit 1']);
  });

  it('shows other errors as they are, under "could not start"', () => {
    expect(startupFailure(new Error('The SQLite module for Electron is missing'), '/x/dslab.sqlite')).toEqual(
      {
        title: 'DSLab could not start',
        message: 'The SQLite module for Electron is missing',
      },
    );
  });
});
