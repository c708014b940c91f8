/**
 * The store's schema, one step per version. `PRAGMA user_version` records the last step
 * applied; each step runs in its own transaction, so a failed upgrade leaves the previous
 * version intact. Never edit a step that has shipped: add the next one.
 */
import crypto from 'node:crypto';
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
  {
    version: 3,
    title:
      'library: document bodies in item_docs, sort indexes for lists of both kinds, canonical content hashes',
    up(db) {
      // Lists of 10,000 items were slow: reading a row's later columns walked through the
      // document body stored before them, and the sort indexes led with `kind`, which lists
      // of both kinds do not filter on. Bodies move to their own table; lists read `items`.
      db.exec(`
        CREATE TABLE item_docs (
          item_seq INTEGER PRIMARY KEY REFERENCES items (seq) ON DELETE CASCADE,
          doc      TEXT NOT NULL
        ) STRICT;
        INSERT INTO item_docs (item_seq, doc) SELECT seq, doc FROM items;
        ALTER TABLE items DROP COLUMN doc;
        DROP INDEX items_by_updated;
        DROP INDEX items_by_name;
        DROP INDEX items_by_created;
        CREATE INDEX items_by_updated ON items (trashed_at, updated_at);
        CREATE INDEX items_by_name ON items (trashed_at, name COLLATE NOCASE);
        CREATE INDEX items_by_created ON items (trashed_at, created_at);
      `);
      // Bodies are now stored as canonical JSON (keys sorted) and hashed as stored:
      // sha256(doc NUL description), first 32 hex digits. Re-hash every item; a built-in the
      // person had not changed (its hash equalled the one last seeded) keeps matching.
      // The formula is written out here, not imported, so this step never changes.
      const sortKeys = (_k: string, v: unknown) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
        const o = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(o).sort()) out[k] = o[k];
        return out;
      };
      const rows = db
        .prepare<[], { seq: number; description: string; content_hash: string; doc: string }>(
          'SELECT i.seq, i.description, i.content_hash, d.doc FROM items i JOIN item_docs d ON d.item_seq = i.seq',
        )
        .all();
      const setDoc = db.prepare<[string, number]>('UPDATE item_docs SET doc = ? WHERE item_seq = ?');
      const setHash = db.prepare<[string, number]>('UPDATE items SET content_hash = ? WHERE seq = ?');
      const builtinOf = db.prepare<[number], { key: string; hash: string }>(
        'SELECT key, hash FROM builtins WHERE item_seq = ?',
      );
      const setBuiltin = db.prepare<[string, string]>('UPDATE builtins SET hash = ? WHERE key = ?');
      for (const r of rows) {
        const doc = JSON.stringify(JSON.parse(r.doc), sortKeys);
        const hash = crypto
          .createHash('sha256')
          .update(doc)
          .update('\u0000')
          .update(r.description)
          .digest('hex')
          .slice(0, 32);
        setDoc.run(doc, r.seq);
        setHash.run(hash, r.seq);
        const b = builtinOf.get(r.seq);
        if (b) setBuiltin.run(b.hash === r.content_hash ? hash : `changed:${b.hash}`, b.key);
      }
    },
  },
];

/** The version a fully migrated database has. */
export const latestVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);
