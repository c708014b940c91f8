/**
 * The built-in library: the `.dslab.json` files in resources/library, seeded into the store
 * on first run and on every start after an upgrade (Library.seedBuiltins decides what may be
 * replaced). Reading the folder lives here; the decisions live in the Library.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILE_SUFFIX } from '../../shared/files/format';
import type { BuiltinFile, Library, SeedReport } from './library';

/**
 * Where the built-in files are: `<resources>/library` in a packaged app, otherwise the
 * nearest `resources/library` above this module (source checkout, tsx, electron-vite's out/).
 */
export function builtinLibraryDir(): string | null {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  const candidates: string[] = [];
  if (packaged) candidates.push(path.join(packaged, 'library'), path.join(packaged, 'resources', 'library'));
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    candidates.push(path.join(dir, 'resources', 'library'));
    dir = path.dirname(dir);
  }
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isDirectory()) ?? null;
}

/** Reads every `*.dslab.json` in `dir`, sorted by name (missing folder: none). */
export function loadBuiltinFiles(dir: string | null = builtinLibraryDir()): BuiltinFile[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(FILE_SUFFIX))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/** Seeds the built-ins from `dir` (default: builtinLibraryDir()). */
export function seedBuiltinLibrary(library: Library, dir?: string | null): SeedReport {
  return library.seedBuiltins(loadBuiltinFiles(dir === undefined ? builtinLibraryDir() : dir));
}
