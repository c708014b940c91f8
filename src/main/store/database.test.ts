import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { latestVersion, migrate, openStore, STORE_FILE } from './database';
import type { Migration } from './migrations';
import { SettingsRepo } from './settings';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the store', () => {
  it('creates the data folder and a WAL database with foreign keys, at the latest schema', () => {
    const dir = path.join(tmp(), 'nested', 'data');
    const db = openStore(dir);
    expect(fs.existsSync(path.join(dir, STORE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    db.close();
  });

  it('keeps what was saved across reopening', () => {
    const dir = tmp();
    const a = openStore(dir);
    new SettingsRepo(a).set({ theme: 'dark', lastTopic: 'consensus' });
    a.close();
    const b = openStore(dir);
    expect(new SettingsRepo(b).get()).toEqual({ theme: 'dark', lastTopic: 'consensus', lastProtocol: null });
    b.close();
  });

  it('upgrades an older database step by step, keeping its data', () => {
    const db = new Database(':memory:');
    const v1: Migration = { version: 1, title: 'a', up: (d) => d.exec('CREATE TABLE t (x INTEGER)') };
    migrate(db, [v1]);
    db.prepare('INSERT INTO t VALUES (41)').run();
    const v2: Migration = { version: 2, title: 'b', up: (d) => d.exec('UPDATE t SET x = x + 1') };
    expect(migrate(db, [v1, v2])).toBe(2);
    expect(db.prepare('SELECT x FROM t').get()).toEqual({ x: 42 });
  });

  it('rolls back a failing migration and leaves the previous version intact', () => {
    const db = new Database(':memory:');
    const v1: Migration = { version: 1, title: 'a', up: (d) => d.exec('CREATE TABLE t (x INTEGER)') };
    migrate(db, [v1]);
    const broken: Migration = {
      version: 2,
      title: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE u (y INTEGER)');
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => migrate(db, [v1, broken])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'u'").get()).toEqual({ n: 0 });
  });

  it('refuses a database from a newer DSLab without touching it', () => {
    const dir = tmp();
    const raw = new Database(path.join(dir, STORE_FILE));
    raw.pragma(`user_version = ${latestVersion + 5}`);
    raw.close();
    expect(() => openStore(dir)).toThrow(/newer DSLab/);
    const again = new Database(path.join(dir, STORE_FILE));
    expect(again.pragma('user_version', { simple: true })).toBe(latestVersion + 5);
    again.close();
  });

  /** Every file in `dir` with its bytes, to check that a refusal changed nothing. */
  function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fs.readdirSync(dir).sort())
      out[f] = crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dir, f)))
        .digest('hex');
    return out;
  }

  it('refuses a newer rollback-journal database before anything writes: same bytes, no new files', () => {
    const dir = tmp();
    const file = path.join(dir, STORE_FILE);
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (1)');
    raw.pragma('user_version = 99');
    raw.close();
    expect(fs.readFileSync(file)[18]).toBe(1); // header: rollback journal, not WAL
    const before = snapshot(dir);
    expect(() => openStore(dir)).toThrow(
      `The library ${file} was written by a newer DSLab (schema 99; this version knows up to ${latestVersion}). Nothing was changed. Update DSLab to open it.`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a newer WAL database whose version is still in the WAL, without checkpointing it', () => {
    const dir = tmp();
    const writer = new Database(path.join(tmp(), 'w.sqlite'));
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE future (x INTEGER)');
    writer.pragma(`user_version = ${latestVersion}`);
    writer.pragma('wal_checkpoint(TRUNCATE)');
    writer.pragma('wal_autocheckpoint = 0');
    writer.pragma('user_version = 99');
    // A newer DSLab that stopped before checkpointing: the main file still says the old version.
    fs.copyFileSync(writer.name, path.join(dir, STORE_FILE));
    fs.copyFileSync(`${writer.name}-wal`, path.join(dir, `${STORE_FILE}-wal`));
    writer.close();
    const file = path.join(dir, STORE_FILE);
    const before = snapshot(dir);
    expect(() => openStore(dir)).toThrow(/newer DSLab \(schema 99; .*Nothing was changed\./);
    const after = snapshot(dir);
    delete after[`${STORE_FILE}-shm`]; // SQLite's shared-memory index of the WAL, made by any reader
    expect(after).toEqual(before);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses a file that is not an SQLite database, naming it, and changes nothing', () => {
    const dir = tmp();
    const file = path.join(dir, STORE_FILE);
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const before = snapshot(dir);
    expect(() => openStore(dir)).toThrow(
      `The library ${file} is not an SQLite database (it does not start with SQLite's header): it is damaged, or another program's file. Nothing was changed. Restore it from a backup, or move it aside to start a new, empty library.`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a damaged database (valid header, garbage after it), naming it, and changes nothing', () => {
    const dir = tmp();
    const file = path.join(dir, STORE_FILE);
    openStore(dir).close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xa5, 100); // keep the 100-byte header, wreck every page
    fs.writeFileSync(file, bytes);
    const before = snapshot(dir);
    expect(() => openStore(dir)).toThrow(
      new RegExp(
        `^The library ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(SQLite: .+\\)\\. Nothing was changed\\. Restore it from a backup, or move it aside to start a new, empty library\\.$`,
      ),
    );
    const after = snapshot(dir);
    delete after[`${STORE_FILE}-shm`];
    delete after[`${STORE_FILE}-wal`];
    expect(after).toEqual(before);
  });

  it('refuses an empty (0-byte) file instead of setting it up as a new library', () => {
    const dir = tmp();
    const file = path.join(dir, STORE_FILE);
    fs.writeFileSync(file, '');
    expect(() => openStore(dir)).toThrow(
      `The library ${file} is empty (0 bytes): whatever it held is gone (a crash, a full disk or a sync tool can truncate a file). Nothing was changed. Restore it from a backup; to start a new, empty library, delete the empty file.`,
    );
    expect(fs.readdirSync(dir)).toEqual([STORE_FILE]);
    expect(fs.statSync(file).size).toBe(0);
  });

  it('refuses a folder where the database file should be', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, STORE_FILE));
    expect(() => openStore(dir)).toThrow(
      /^The library .*dslab\.sqlite is a folder, not a database file\. Nothing was changed\./,
    );
  });

  it('creates a new library whole or not at all: no empty file is left when creation fails', () => {
    const dir = tmp();
    const failing: Migration[] = [
      {
        version: 1,
        title: 'fails',
        up: () => {
          throw new Error('disk on fire');
        },
      },
    ];
    expect(() => openStore(dir, { migrations: failing })).toThrow(/disk on fire/);
    expect(fs.readdirSync(dir)).toEqual([]);
    // The next start creates it normally.
    openStore(dir).close();
    expect(fs.readdirSync(dir)).toEqual([STORE_FILE]);
  });

  it('explains an unusable native binding', () => {
    expect(() => openStore(tmp(), { nativeBinding: '/nonexistent/better_sqlite3.node' })).toThrow(
      /Cannot open the store/,
    );
  });

  it('falls back to default settings when the stored row is corrupt', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare("INSERT INTO settings VALUES ('preferences', '{not json')").run();
    expect(new SettingsRepo(db).get().theme).toBe('system');
  });
});
