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
