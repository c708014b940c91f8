/**
 * Reading and writing .dslab.json files for the desktop app: the system dialogs, a size cap
 * checked before reading, and the recent-files list. The renderer never names a path to read
 * except one from the recent list, so a compromised page cannot read arbitrary files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DslabApiError } from '../shared/api';
import { MAX_FILE_BYTES } from '../shared/files/format';
import { WriteFileError, writeFileWhole } from './write-file';

/** How many recent files are remembered. */
export const MAX_RECENT = 10;

/** Where recent files are kept (the settings table's raw slot). */
export interface RecentStore {
  getRaw(key: string): unknown;
  setRaw(key: string, value: unknown): void;
}

/** The dialogs a host offers (Electron's, or fakes in tests). */
export interface Dialogs {
  /** Asks for a file to open; null when cancelled. */
  chooseOpen(): Promise<string | null>;
  /** Asks where to save; null when cancelled. */
  chooseSave(defaultName: string): Promise<string | null>;
}

/** A file read for the renderer. */
export interface OpenedFile {
  /** File name without folders. */
  name: string;
  /** Full path. */
  path: string;
  /** Contents (UTF-8). */
  text: string;
}

export class Files {
  constructor(
    private readonly recentStore: RecentStore,
    private readonly dialogs: Dialogs,
    private readonly onRecentChange: (recent: string[]) => void = () => {},
  ) {}

  /** Recent files, newest first, only those that still exist. */
  recent(): string[] {
    const raw = this.recentStore.getRaw('files.recent');
    const list = Array.isArray(raw) ? raw.filter((p): p is string => typeof p === 'string') : [];
    return list.filter((p) => fs.existsSync(p)).slice(0, MAX_RECENT);
  }

  /** Puts a path first in the recent list. */
  remember(file: string): void {
    const abs = path.resolve(file);
    const next = [abs, ...this.recent().filter((p) => p !== abs)].slice(0, MAX_RECENT);
    this.recentStore.setRaw('files.recent', next);
    this.onRecentChange(next);
  }

  /** Reads a file after checking its size; errors say which file and why. */
  read(file: string): OpenedFile {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (err) {
      throw new DslabApiError({
        code: 'not-found',
        message: `Cannot open ${file}: ${(err as Error).message}`,
      });
    }
    if (size > MAX_FILE_BYTES) {
      throw new DslabApiError({
        code: 'too-large',
        message: `${path.basename(file)} is ${(size / 1024 / 1024).toFixed(1)} MiB; DSLab opens files up to ${MAX_FILE_BYTES / 1024 / 1024} MiB.`,
      });
    }
    const text = fs.readFileSync(file, 'utf8');
    this.remember(file);
    return { name: path.basename(file), path: path.resolve(file), text };
  }

  async open(): Promise<OpenedFile | null> {
    const file = await this.dialogs.chooseOpen();
    return file ? this.read(file) : null;
  }

  /**
   * Writes through a temporary file and a rename, so a crash never leaves half a file, and
   * only over a regular file (never a link, folder or special file: src/main/write-file.ts).
   */
  async save(fileName: string, text: string): Promise<{ path: string } | null> {
    const file = await this.dialogs.chooseSave(fileName);
    if (!file) return null;
    try {
      writeFileWhole(path.resolve(file), text, file);
    } catch (err) {
      if (err instanceof WriteFileError)
        throw new DslabApiError({ code: 'bad-request', message: err.message });
      throw err;
    }
    this.remember(file);
    return { path: path.resolve(file) };
  }

  /** Reads a file only if it is on the recent list. */
  openRecent(file: string): OpenedFile {
    const abs = path.resolve(file);
    if (!this.recent().includes(abs)) {
      throw new DslabApiError({
        code: 'forbidden',
        message: `${file} is not on the recent files list.`,
        path: ['path'],
      });
    }
    return this.read(abs);
  }
}
