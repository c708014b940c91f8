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
  {
    version: 2,
    title: 'library: items (scenarios and exercises), tags, full-text search, autosaves, runs, built-ins',
    up(db) {
      // One table for scenarios and exercises: they share naming, tags, trash, search, recent
      // and autosave. `seq` is the rowid alias the FTS index points at (a TEXT primary key's
      // implicit rowid may change on VACUUM). List queries read only the small columns;
      // `doc` (the validated JSON) is read when one item is opened.
      db.exec(`
        CREATE TABLE items (
          seq          INTEGER PRIMARY KEY,
          id           TEXT NOT NULL UNIQUE,
          kind         TEXT NOT NULL CHECK (kind IN ('scenario', 'exercise')),
          name         TEXT NOT NULL,
          description  TEXT NOT NULL DEFAULT '',
          tags         TEXT NOT NULL DEFAULT '[]',
          topic        TEXT NOT NULL,
          protocol     TEXT NOT NULL,
          node_count   INTEGER NOT NULL,
          doc          TEXT NOT NULL,
          content_hash TEXT NOT NULL,
          revision     INTEGER NOT NULL DEFAULT 1,
          created_at   INTEGER NOT NULL,
          updated_at   INTEGER NOT NULL,
          opened_at    INTEGER,
          trashed_at   INTEGER,
          builtin_key  TEXT UNIQUE
        ) STRICT;
        CREATE INDEX items_by_updated ON items (kind, trashed_at, updated_at DESC);
        CREATE INDEX items_by_name ON items (kind, trashed_at, name COLLATE NOCASE);
        CREATE INDEX items_by_created ON items (kind, trashed_at, created_at DESC);
        CREATE INDEX items_by_opened ON items (opened_at DESC) WHERE opened_at IS NOT NULL;

        CREATE TABLE item_tags (
          item_seq INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
          tag      TEXT NOT NULL COLLATE NOCASE,
          PRIMARY KEY (item_seq, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX item_tags_by_tag ON item_tags (tag, item_seq);

        CREATE VIRTUAL TABLE items_fts USING fts5 (
          name, description, tags, topic, protocol,
          tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE TABLE autosaves (
          item_seq      INTEGER PRIMARY KEY REFERENCES items (seq) ON DELETE CASCADE,
          doc           TEXT NOT NULL,
          base_revision INTEGER NOT NULL,
          saved_at      INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE runs (
          seq        INTEGER PRIMARY KEY,
          id         TEXT NOT NULL UNIQUE,
          item_seq   INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
          revision   INTEGER NOT NULL,
          seed       INTEGER NOT NULL,
          outcome    TEXT NOT NULL,
          learner    TEXT,
          passed     INTEGER,
          summary    TEXT NOT NULL,
          grade      TEXT,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX runs_by_item ON runs (item_seq, created_at DESC);

        CREATE TABLE builtins (
          key      TEXT PRIMARY KEY NOT NULL,
          hash     TEXT NOT NULL,
          item_seq INTEGER REFERENCES items (seq) ON DELETE SET NULL
        ) STRICT;
      `);
    },
  },
];

/** The version a fully migrated database has. */
export const latestVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);
