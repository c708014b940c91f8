/**
 * What the Electron main process does when it cannot start, kept free of Electron so tests
 * can drive it: every failure inside start() (a store that will not open, a missing native
 * module, anything thrown) becomes an error dialog, the single-instance lock is released and
 * the process exits. Nothing is left running without a window.
 */
import Database from 'better-sqlite3';
import { explainStoreError, StoreError } from './store/database';

/** The parts of Electron's `app` and `dialog` a startup failure uses (fakes in tests). */
export interface StartupShell {
  showErrorBox(title: string, content: string): void;
  releaseSingleInstanceLock(): void;
  exit(code: number): void;
}

/** The dialog shown for a startup failure. */
export interface StartupFailure {
  title: string;
  message: string;
}

/**
 * Runs `start` once `ready` resolves. A rejection of `ready`, a throw from `start` and a
 * rejection of what `start` returns all go to `fail`, exactly once; the returned promise
 * always resolves, so no failure is left unhandled.
 */
export function startWhenReady(
  ready: Promise<unknown>,
  start: () => void | Promise<void>,
  fail: (err: unknown) => void,
): Promise<void> {
  return ready.then(() => start()).catch(fail);
}

/**
 * The dialog for an error thrown while starting. Store errors (DSLab's own sentences, or
 * SQLite's, such as "file is not a database") name the library file and what to do; any
 * other error is shown as it is.
 */
export function startupFailure(caught: unknown, storeFile: string): StartupFailure {
  // SQLite's own errors found while opening become the store's sentence naming the file.
  const err = explainStoreError(caught, storeFile);
  const reason = err instanceof Error ? err.message : String(err);
  if (err instanceof StoreError) {
    return {
      title: 'DSLab could not open its library',
      message: reason.includes(storeFile) ? reason : `${reason}\n\nLibrary file: ${storeFile}`,
    };
  }
  if (err instanceof Database.SqliteError) {
    return {
      title: 'DSLab could not open its library',
      message:
        `The library file ${storeFile} could not be opened: ${reason}.\n\n` +
        'If it is damaged, quit, move the file aside (or restore it from a backup) and start ' +
        'DSLab again: it then starts with a new, empty library. Keep the old file to recover ' +
        'your work from it.',
    };
  }
  return { title: 'DSLab could not start', message: reason };
}

/**
 * Shows the failure, then releases the single-instance lock (so the next launch starts
 * afresh instead of being handed to this process) and exits with code 1, even if the
 * dialog itself cannot be shown (the caller has logged the error already).
 */
export function quitOnStartupFailure(shell: StartupShell, failure: StartupFailure): void {
  try {
    shell.showErrorBox(failure.title, failure.message);
  } catch {
    // No dialog (no display, say): the exit below still happens.
  }
  shell.releaseSingleInstanceLock();
  shell.exit(1);
}
