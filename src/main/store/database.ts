/**
 * Opens DSLab's SQLite store. Works under Node (tests, CLI, web mode) with
 * better-sqlite3's own build, and under Electron with a build kept apart for Electron's
 * ABI, passed as `nativeBinding` (see scripts/electron-native.mjs and docs/native-modules.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { latestVersion, type Migration, migrations } from './migrations';

/** Options for opening the store. */
export interface OpenOptions {
  /** Path to a better_sqlite3.node built for the running runtime (Electron); default: the package's own. */
  nativeBinding?: string;
  /** Open an existing database read-only (inspection tools). */
  readonly?: boolean;
  /** Override the migration list (tests of the upgrade path). */
  migrations?: Migration[];
}

/** The file name of the store inside the data folder. */
export const STORE_FILE = 'dslab.sqlite';

/** An error the store raises with a sentence a person can act on. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Opens (creating if needed) the store in `dataDir` and brings its schema up to date. */
export function openStore(dataDir: string, options: OpenOptions = {}): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(path.join(dataDir, STORE_FILE), options);
}

/** Opens one database file with DSLab's pragmas and migrations. */
export function openDatabaseFile(file: string, options: OpenOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(reason)) {
      throw new StoreError(
        `The SQLite module was built for another runtime (${reason.split('\n')[0]}). ` +
          'Run `npm rebuild better-sqlite3` for Node, or `npm run rebuild:electron` for the app.',
        { cause: err },
      );
    }
    throw new StoreError(`Cannot open the store at ${file}: ${reason}`, { cause: err });
  }
  // Wait rather than fail at once when another process (the app and web mode, or the CLI)
  // holds the write lock; WAL lets readers proceed meanwhile.
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!options.readonly) {
    try {
      migrate(db, options.migrations ?? migrations);
    } catch (err) {
      // Do not leave a half-opened handle (and its file lock) behind a failed upgrade.
      db.close();
      throw err;
    }
  }
  return db;
}

/** Applies every migration above the database's user_version, each in one transaction. */
export function migrate(db: Database.Database, steps: Migration[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const target = steps.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > target) {
    throw new StoreError(
      `This store was written by a newer DSLab (schema ${current}; this version knows up to ${target}). ` +
        'Update DSLab to open it; nothing was changed.',
    );
  }
  const pending = steps.filter((m) => m.version > current).sort((x, y) => x.version - y.version);
  for (const step of pending) {
    db.transaction(() => {
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export { latestVersion };
