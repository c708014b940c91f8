/**
 * Reliability: a database made by an older schema version migrates to the latest, keeping
 * its data. Each shipped version has a fixture that writes data with that version's own SQL
 * (raw statements, not today's Library, so the fixture keeps meaning the old schema) and a
 * check that the data is still there, through today's Library, after the upgrade.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { latestVersion, openDatabaseFile, openStore, STORE_FILE } from '../../src/main/store/database';
import { Library } from '../../src/main/store/library';
import { migrations } from '../../src/main/store/migrations';
import { SettingsRepo } from '../../src/main/store/settings';
import { makeScenario } from './fixtures';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Fixture {
  /** Writes data with the SQL of this version. */
  write(db: BetterSqlite3.Database): void;
  /** Checks the data after the upgrade, through today's code. */
  check(lib: Library): void;
}

const fixtures: Record<number, Fixture> = {
  1: {
    write(db) {
      db.prepare("INSERT INTO settings (key, value) VALUES ('preferences', ?)").run(
        JSON.stringify({ theme: 'dark', lastTopic: 'consensus', lastProtocol: 'raft' }),
      );
      db.prepare("INSERT INTO settings (key, value) VALUES ('window', '{\"width\":900}')").run();
    },
    check(lib) {
      const settings = new SettingsRepo(lib.db);
      expect(settings.get()).toEqual({ theme: 'dark', lastTopic: 'consensus', lastProtocol: 'raft' });
      expect(settings.getRaw('window')).toEqual({ width: 900 });
    },
  },
  2: {
    // Version 2 kept document bodies in items.doc, as plain (not key-sorted) JSON.
    write(db) {
      const doc = JSON.stringify({ ...makeScenario(3, 'Old v2 scenario'), seed: 77 });
      db.prepare(
        `INSERT INTO items (seq, id, kind, name, description, tags, topic, protocol, node_count, doc, content_hash,
           revision, created_at, updated_at, opened_at)
         VALUES (1, 'sc_v2', 'scenario', 'Old v2 scenario', 'kept across upgrades', '["legacy"]', 'basics', 'ping-pong',
           3, ?, 'h1', 4, 1000, 2000, 3000)`,
      ).run(doc);
      db.prepare("INSERT INTO item_tags (item_seq, tag) VALUES (1, 'legacy')").run();
      db.prepare(
        "INSERT INTO items_fts (rowid, name, description, tags, topic, protocol) VALUES (1, 'Old v2 scenario', 'kept across upgrades', 'legacy', 'basics', 'ping-pong')",
      ).run();
      db.prepare(
        'INSERT INTO autosaves (item_seq, doc, base_revision, saved_at) VALUES (1, \'{"draft":1}\', 4, 2500)',
      ).run();
      db.prepare(
        `INSERT INTO runs (id, item_seq, revision, seed, outcome, summary, created_at)
         VALUES ('run_v2', 1, 4, 77, 'completed', ?, 2600)`,
      ).run(
        JSON.stringify({
          seed: 77,
          events: 10,
          simulatedUs: 5,
          outcome: 'completed',
          metrics: {},
          invariants: [],
          eventCounts: {},
        }),
      );
      // Two built-ins: one untouched (hash as seeded), one the person changed.
      for (const [seq, key, hash] of [
        [2, 'b:untouched', 'seeded2'],
        [3, 'b:changed', 'edited3'],
      ] as const) {
        db.prepare(
          `INSERT INTO items (seq, id, kind, name, topic, protocol, node_count, doc, content_hash, created_at, updated_at, builtin_key)
           VALUES (?, ?, 'scenario', ?, 'basics', 'ping-pong', 2, ?, ?, 1, 1, ?)`,
        ).run(seq, `sc_${key.slice(2)}`, key, JSON.stringify(makeScenario(2, key)), hash, key);
        db.prepare('INSERT INTO builtins (key, hash, item_seq) VALUES (?, ?, ?)').run(
          key,
          `seeded${seq}`,
          seq,
        );
      }
    },
    check(lib) {
      const s = lib.getScenario('sc_v2');
      expect(s).toMatchObject({ name: 'Old v2 scenario', revision: 4, tags: ['legacy'], openedAt: 3000 });
      expect(s.scenario.seed).toBe(77);
      expect(lib.search('upgrades').map((i) => i.id)).toEqual(['sc_v2']);
      expect(lib.list({ tag: 'legacy' }).total).toBe(1);
      expect(lib.recoverAutosaves().map((a) => a.doc)).toEqual([{ draft: 1 }]);
      expect(lib.listRuns('sc_v2').map((r) => r.seed)).toEqual([77]);
      // A new version of both built-ins: the untouched one is updated, the changed one kept.
      const next = (key: string) => ({
        name: `${key}.dslab.json`,
        text: JSON.stringify({
          format: 'dslab',
          kind: 'scenario',
          schemaVersion: 1,
          key,
          scenario: makeScenario(2, key, 5),
        }),
      });
      expect(lib.seedBuiltins([next('b:untouched'), next('b:changed')])).toMatchObject({
        updated: ['b:untouched'],
        kept: ['b:changed'],
      });
      // And it can be saved with the revision it had.
      expect(lib.save('sc_v2', s.scenario, 4).revision).toBe(5);
    },
  },
  3: {
    write(db) {
      db.prepare(
        `INSERT INTO items (seq, id, kind, name, topic, protocol, node_count, content_hash, created_at, updated_at)
         VALUES (10, 'sc_v3', 'scenario', 'Written by v3', 'basics', 'ping-pong', 2, 'x', 5, 5)`,
      ).run();
      db.prepare('INSERT INTO item_docs (item_seq, doc) VALUES (10, ?)').run(
        JSON.stringify(makeScenario(2, 'Written by v3')),
      );
    },
    check(lib) {
      expect(lib.getScenario('sc_v3').scenario.topology.nodes).toHaveLength(2);
    },
  },
};

describe('upgrading an older database', () => {
  it('has a fixture for every shipped schema version', () => {
    expect(Object.keys(fixtures).map(Number)).toEqual(migrations.map((m) => m.version));
  });

  for (let from = 1; from < latestVersion; from++) {
    it(`migrates a version ${from} database to ${latestVersion}, keeping every older version's data`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-mig-'));
      dirs.push(dir);
      // Build the old database step by step, writing each version's data as that version would.
      for (let v = 1; v <= from; v++) {
        const db = openDatabaseFile(path.join(dir, STORE_FILE), {
          migrations: migrations.filter((m) => m.version <= v),
        });
        expect(db.pragma('user_version', { simple: true })).toBe(v);
        fixtures[v]!.write(db);
        db.close();
      }
      const lib = Library.open(dir);
      expect(lib.db.pragma('user_version', { simple: true })).toBe(latestVersion);
      expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
      for (let v = 1; v <= from; v++) fixtures[v]!.check(lib);
      // The upgraded library works for new data too.
      const created = lib.createScenario(makeScenario(2, 'After upgrade'));
      expect(lib.search('after upgrade').map((i) => i.id)).toEqual([created.id]);
      lib.close();
    });
  }

  it(`the latest version's fixture reads back through today's Library`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-mig-'));
    dirs.push(dir);
    const db = openStore(dir);
    fixtures[latestVersion]!.write(db);
    db.close();
    const lib = Library.open(dir);
    fixtures[latestVersion]!.check(lib);
    lib.close();
  });

  it('an upgrade that fails part-way leaves the old version and its data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-mig-'));
    dirs.push(dir);
    const file = path.join(dir, STORE_FILE);
    const old = openDatabaseFile(file, { migrations: migrations.filter((m) => m.version <= 1) });
    fixtures[1]!.write(old);
    old.close();
    const broken = [
      ...migrations,
      {
        version: latestVersion + 1,
        title: 'broken',
        up(d: BetterSqlite3.Database) {
          d.exec('CREATE TABLE half (x INTEGER)');
          throw new Error('disk on fire');
        },
      },
    ];
    expect(() => openDatabaseFile(file, { migrations: broken })).toThrow(/disk on fire/);
    const lib = Library.open(dir);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(lib.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({
      n: 0,
    });
    fixtures[1]!.check(lib);
    lib.close();
  });
});
