/**
 * The store's schema, one step per version. `PRAGMA user_version` records the last step
 * applied; each step runs in its own transaction, so a failed upgrade leaves the previous
 * version intact. Never edit a step that has shipped: add the next one.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** One schema step. */
export interface Migration {
  /** The user_version this step brings the database to. */
  version: number;
  /** What it does, for logs. */
  title: string;
  /** The DDL/DML of the step. */
  up(db: BetterSqlite3.Database): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    title: 'settings',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

/** The version a fully migrated database has. */
export const latestVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);
