/**
 * A library file DSLab cannot use (not a database, empty, damaged deep inside, from a newer
 * DSLab) is refused by the CLI and by web mode with one sentence naming the file, what is
 * wrong and what to do; no stack trace, and the file is left as it was.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { memoryIo } from '../../src/cli/io';
import { openStore, STORE_FILE } from '../../src/main/store/database';
import { ROOT } from '../cli/helpers';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-open-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The bytes of the database file (the WAL's index and an empty WAL are SQLite's own). */
function fileHash(dir: string): string {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(dir, STORE_FILE)))
    .digest('hex');
}

/** Data folders holding each kind of unusable library, with the sentence each must give. */
const cases: { name: string; make(dir: string): void; message: RegExp }[] = [
  {
    name: 'not a database',
    make: (dir) => fs.writeFileSync(path.join(dir, STORE_FILE), 'not SQLite\n'.repeat(100)),
    message:
      /is not an SQLite database \(it does not start with SQLite's header\): it is damaged, or another program's file\. Nothing was changed\. Restore it from a backup, or move it aside to start a new, empty library\.$/,
  },
  {
    name: 'empty',
    make: (dir) => fs.writeFileSync(path.join(dir, STORE_FILE), ''),
    message:
      /is empty \(0 bytes\).*Nothing was changed\. Restore it from a backup; to start a new, empty library, delete the empty file\.$/,
  },
  {
    name: 'damaged deep inside (opens, fails on the first library read)',
    make: (dir) => {
      openStore(dir).close();
      const file = path.join(dir, STORE_FILE);
      const bytes = fs.readFileSync(file);
      bytes.fill(0x5a, Math.floor(bytes.length / 4096 / 2) * 4096);
      fs.writeFileSync(file, bytes);
    },
    message:
      /is damaged \(SQLite: database disk image is malformed\)\. Nothing was changed\. Restore it from a backup, or move it aside to start a new, empty library\.$/,
  },
  {
    name: 'from a newer DSLab',
    make: (dir) => {
      const db = new Database(path.join(dir, STORE_FILE));
      db.pragma('user_version = 99');
      db.close();
    },
    message:
      /was written by a newer DSLab \(schema 99; this version knows up to \d+\)\. Nothing was changed\. Update DSLab to open it\.$/,
  },
];

describe('an unusable library file', () => {
  for (const c of cases) {
    it(`${c.name}: dslab library says which file, what is wrong and what to do; exit 1, file unchanged`, async () => {
      const dir = tmp();
      c.make(dir);
      const before = fileHash(dir);
      const io = memoryIo();
      const code = await runCli(['library', 'list', '--data', dir], io);
      const file = path.join(dir, STORE_FILE);
      expect(io.stdout()).toBe('');
      expect(io.stderr().startsWith(`dslab library: The library ${file} `)).toBe(true);
      expect(io.stderr().trimEnd()).toMatch(c.message);
      expect(io.stderr().trimEnd().split('\n')).toHaveLength(1);
      expect(code).toBe(1);
      expect(fileHash(dir)).toBe(before);
    });
  }

  it('web mode refuses each with the same sentence and exit 2, no stack trace', () => {
    const staticDir = tmp();
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
    for (const c of cases) {
      const dir = tmp();
      c.make(dir);
      const before = fileHash(dir);
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/server/main.ts', '--port', '0', '--data', dir, '--static', staticDir],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stdout, c.name).toBe('');
      expect(r.stderr.startsWith(`dslab web: The library ${path.join(dir, STORE_FILE)} `), r.stderr).toBe(
        true,
      );
      expect(r.stderr.trimEnd(), c.name).toMatch(c.message);
      expect(r.stderr.trimEnd().split('\n'), c.name).toHaveLength(1);
      expect(r.status, c.name).toBe(2);
      expect(fileHash(dir), c.name).toBe(before);
    }
  });
});
