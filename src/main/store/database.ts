/**
 * Opens DSLab's SQLite store. Works under Node (tests, CLI, web mode) with
 * better-sqlite3's own build, and under Electron with a build kept apart for Electron's
 * ABI, passed as `nativeBinding` (see scripts/electron-native.mjs and docs/native-modules.md).
 */
import crypto from 'node:crypto';
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

/** A store whose schema is newer than this DSLab's migrations. */
export class NewerStoreError extends StoreError {
  /** The store's schema version. */
  readonly version: number;
  /** The newest version this DSLab knows. */
  readonly known: number;
  constructor(message: string, version: number, known: number) {
    super(message);
    this.version = version;
    this.known = known;
  }
}

/** Opens (creating if needed) the store in `dataDir` and brings its schema up to date. */
export function openStore(dataDir: string, options: OpenOptions = {}): Database.Database {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new StoreError(
      `Cannot create the data folder ${dataDir} (${errCode(err)}). Nothing was changed. Choose another data folder, or make this one a folder DSLab may write.`,
      { cause: err },
    );
  }
  return openDatabaseFile(path.join(dataDir, STORE_FILE), options);
}

/** SQLite's 16-byte magic at the start of every database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');
/** The header is 100 bytes; `user_version` is the big-endian u32 at offset 60. */
const HEADER_BYTES = 100;
const USER_VERSION_OFFSET = 60;

/** What to do about a file that is not a usable library. */
const RESTORE_OR_MOVE = 'Restore it from a backup, or move it aside to start a new, empty library.';

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

function newerStore(file: string, version: number, known: number): NewerStoreError {
  return new NewerStoreError(
    `The library ${file} was written by a newer DSLab (schema ${version}; this version knows up to ${known}). Nothing was changed. Update DSLab to open it.`,
    version,
    known,
  );
}

function damaged(file: string, err: unknown): StoreError {
  const reason = err instanceof Error ? err.message : String(err);
  return new StoreError(
    `The library ${file} is damaged (SQLite: ${reason}). Nothing was changed. ${RESTORE_OR_MOVE}`,
    { cause: err },
  );
}

/** True for the SQLite errors that mean "this file is not (or no longer) a sound database". */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * Turns an SQLite error that says the store's file is damaged into a StoreError naming the
 * file and what to do; any other error is returned as is. For callers that meet the damage
 * after the store opened (a page deep in the file).
 */
export function explainStoreError(err: unknown, file: string): unknown {
  return isCorruption(err) ? damaged(file, err) : err;
}

/** The StoreError for a failure to open `file`. */
function openError(err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(reason)) {
    return new StoreError(
      `The SQLite module was built for another runtime (${reason.split('\n')[0]}). ` +
        'Run `npm rebuild better-sqlite3` for Node, or `npm run rebuild:electron` for the app.',
      { cause: err },
    );
  }
  if (isCorruption(err)) return damaged(file, err);
  return new StoreError(`Cannot open the store at ${file}: ${reason}`, { cause: err });
}

function connect(file: string, options: OpenOptions, readonly: boolean): Database.Database {
  try {
    return new Database(file, {
      readonly,
      fileMustExist: readonly,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (err) {
    throw openError(err, file);
  }
}

/**
 * Looks at an existing store file with plain reads, before SQLite opens it: a folder or other
 * special file, an empty file, a file without SQLite's header, or a header whose
 * user_version is above what this DSLab knows are refused here, so nothing (not even
 * SQLite's switch to WAL) writes to it. Returns false when there is no file yet.
 */
function inspectFile(file: string, known: number): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreError(`Cannot read the library ${file} (${errCode(err)}). Nothing was changed.`, {
      cause: err,
    });
  }
  if (st.isDirectory())
    throw new StoreError(
      `The library ${file} is a folder, not a database file. Nothing was changed. Move it aside, or use another data folder.`,
    );
  if (!st.isFile())
    throw new StoreError(
      `The library ${file} is not a regular file (a device, pipe or socket). Nothing was changed. Move it aside, or use another data folder.`,
    );
  // DSLab never leaves an empty file (a new library is built aside and linked into place), and
  // SQLite would take one for a new database, deleting any -wal file beside it: refuse it.
  if (st.size === 0)
    throw new StoreError(
      `The library ${file} is empty (0 bytes): whatever it held is gone (a crash, a full disk or a sync tool can truncate a file). Nothing was changed. Restore it from a backup; to start a new, empty library, delete the empty file.`,
    );
  const header = Buffer.alloc(HEADER_BYTES);
  let read = 0;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
  } catch (err) {
    throw new StoreError(`Cannot read the library ${file} (${errCode(err)}). Nothing was changed.`, {
      cause: err,
    });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (read < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC))
    throw new StoreError(
      `The library ${file} is not an SQLite database (it does not start with SQLite's header): it is damaged, or another program's file. Nothing was changed. ${RESTORE_OR_MOVE}`,
    );
  const version = header.readUInt32BE(USER_VERSION_OFFSET);
  if (version > known) throw newerStore(file, version, known);
  return true;
}

/**
 * Reads an existing file's schema version through a read-only connection: it sees changes
 * still in the WAL (the header may be older), and unlike a read-write connection it never
 * checkpoints the WAL into the file when it closes. It is also the first real read, so a file
 * whose pages are damaged is reported here. Null when a read-only connection cannot tell.
 */
function probeVersion(file: string, options: OpenOptions): number | null {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(file, {
      readonly: true,
      fileMustExist: true,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    probe.prepare('SELECT count(*) FROM sqlite_master').get();
    return probe.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    // A read-only connection cannot recover a hot rollback journal, nor make the WAL's index
    // in a folder it may not write: the read-write connection then reads the version itself,
    // still before it writes anything (setUp).
    if (typeof code === 'string' && /^SQLITE_(READONLY|CANTOPEN|BUSY)/.test(code)) return null;
    throw openError(err, file);
  } finally {
    probe?.close();
  }
}

/** Refuses a database whose user_version is above every step (it only reads). */
function checkVersion(db: Database.Database, steps: Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const target = steps.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > target)
    throw new NewerStoreError(
      `This store was written by a newer DSLab (schema ${current}; this version knows up to ${target}). ` +
        'Update DSLab to open it; nothing was changed.',
      current,
      target,
    );
  return current;
}

/** The pragmas and migrations of a read-write connection; nothing writes before the version check. */
function setUp(db: Database.Database, steps: Migration[]): void {
  // Wait rather than fail at once when another process (the app and web mode, or the CLI)
  // holds the write lock; WAL lets readers proceed meanwhile.
  db.pragma('busy_timeout = 5000');
  checkVersion(db, steps);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, steps);
}

/**
 * Creates a new store file whole or not at all: built under a temporary name beside it and
 * hard-linked into place, which fails if another process created the file meanwhile (theirs
 * is then used). So a crash while creating never leaves an empty or half-made library.
 */
function createDatabaseFile(file: string, options: OpenOptions, steps: Migration[]): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.new`,
  );
  try {
    const db = connect(tmp, options, false);
    try {
      setUp(db, steps);
    } finally {
      // The last connection to close checkpoints the WAL into the file and removes it.
      db.close();
    }
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      // A file system without hard links: an exclusive copy, still never over an existing file.
      try {
        fs.copyFileSync(tmp, file, fs.constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new StoreError(`Cannot create the library ${file} (${errCode(copyErr)}).`, {
            cause: copyErr,
          });
      }
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${tmp}${suffix}`, { force: true });
  }
}

/**
 * Opens one database file with DSLab's pragmas and migrations. Nothing writes to an existing
 * file before its schema version is known to be one this DSLab can use: plain reads of the
 * header first, then a read-only connection, and only then the read-write one that switches
 * to WAL and migrates. Every refusal is a StoreError naming the file, what is wrong and what
 * to do (docs/library.md "Opening the store").
 */
export function openDatabaseFile(file: string, options: OpenOptions = {}): Database.Database {
  const steps = options.migrations ?? migrations;
  if (options.readonly) {
    const db = connect(file, options, true);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    return db;
  }
  const known = steps.reduce((max, m) => Math.max(max, m.version), 0);
  if (!inspectFile(file, known)) createDatabaseFile(file, options, steps);
  const version = probeVersion(file, options);
  if (version !== null && version > known) throw newerStore(file, version, known);
  const db = connect(file, options, false);
  try {
    setUp(db, steps);
  } catch (err) {
    // Do not leave a half-opened handle (and its file lock) behind a failed upgrade.
    db.close();
    if (err instanceof NewerStoreError) throw newerStore(file, err.version, err.known);
    throw explainStoreError(err, file);
  }
  return db;
}

/** Applies every migration above the database's user_version, each in one transaction. */
export function migrate(db: Database.Database, steps: Migration[] = migrations): number {
  const current = checkVersion(db, steps);
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
