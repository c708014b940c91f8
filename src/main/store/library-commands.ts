/**
 * `dslab library list|import|export|delete`: the logic of the CLI's library commands, as
 * functions of (dataDir, args) returning text and an exit code; the CLI wires them in.
 * Exit codes: 0 done, 1 refused (invalid file, unknown id, busy), 2 usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../../shared/files/format';
import { sizeProblem } from '../../shared/files/parse';
import { printable, printableLines } from '../../shared/printable';
import { WriteFileError, writeFileWhole } from '../write-file';
import { seedBuiltinLibrary } from './builtins';
import { explainStoreError, STORE_FILE, StoreError } from './database';
import { type ItemKind, type ItemSummary, Library, LibraryError, type LibraryOptions } from './library';

/** What a command printed and how it ended. */
export interface CommandResult {
  /** 0 done, 1 refused, 2 usage error. */
  code: number;
  /** Normal output. */
  stdout: string;
  /** Errors and warnings. */
  stderr: string;
}

/**
 * Usage text of `dslab library`. Built from lines rather than one template literal: a line of
 * a template literal that begins with "import" reads as an import to the tools that draw this
 * tree's layers (farm-studio), which then cannot tell what this file uses.
 */
export const LIBRARY_USAGE = [
  'Usage: dslab library <command> [--data DIR]',
  '  list [--kind scenario|exercise] [--tag TAG] [--search TEXT] [--trash] [--limit N] [--json]',
  '  import FILE...                 import .dslab.json files (each all or nothing)',
  '  export ID... [--out FILE] [--title TEXT]',
  '                                 write one item, or a bundle of several, to FILE or stdout',
  '  delete ID... [--permanent]     move items to the trash (--permanent: delete for good)',
  '  empty-trash                    delete everything in the trash for good',
].join('\n');

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--kind', '--tag', '--search', '--limit', '--out', '--title']);
const BOOL_FLAGS = new Set(['--trash', '--json', '--permanent']);

function parseArgs(args: readonly string[]): Parsed | string {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (VALUE_FLAGS.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (value === undefined) return `${name} needs a value`;
        flags.set(name, value);
      } else if (BOOL_FLAGS.has(name) && eq < 0) flags.set(name, true);
      else return `unknown option ${a}`;
    } else positional.push(a);
  }
  return { positional, flags };
}

function ok(stdout: string): CommandResult {
  return { code: 0, stdout, stderr: '' };
}
function usage(message: string): CommandResult {
  return { code: 2, stdout: '', stderr: `dslab library: ${message}\n${LIBRARY_USAGE}\n` };
}

function table(items: ItemSummary[]): string {
  if (items.length === 0) return '';
  const rows = items.map((i) => [
    i.id,
    i.kind,
    printable(i.name),
    `${i.topic}/${i.protocol}`,
    String(i.nodeCount),
    new Date(i.updatedAt).toISOString().slice(0, 16).replace('T', ' '),
    printable(i.tags.join(',')),
  ]);
  const head = ['ID', 'KIND', 'NAME', 'PROTOCOL', 'NODES', 'UPDATED', 'TAGS'];
  const widths = head.map((h, c) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[c]!.length))));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.slice(0, widths[c]).padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}

function list(lib: Library, p: Parsed): CommandResult {
  const kind = p.flags.get('--kind');
  if (kind !== undefined && kind !== 'scenario' && kind !== 'exercise')
    return usage('--kind is scenario or exercise');
  const limitRaw = p.flags.get('--limit');
  const limit = limitRaw === undefined ? 10_000 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1) return usage('--limit is a positive integer');
  const trash = p.flags.get('--trash') === true;
  const search = p.flags.get('--search');
  const tag = p.flags.get('--tag');
  let items: ItemSummary[];
  if (typeof search === 'string') {
    items = lib.search(search, { ...(kind ? { kind: kind as ItemKind } : {}), trash, limit });
    if (typeof tag === 'string')
      items = items.filter((i) => i.tags.some((t) => t.toLowerCase() === tag.toLowerCase()));
  } else {
    items = lib.list({
      ...(kind ? { kind: kind as ItemKind } : {}),
      ...(typeof tag === 'string' ? { tag } : {}),
      trash,
      limit,
    }).items;
  }
  if (p.flags.get('--json') === true) return ok(`${JSON.stringify(items, null, 2)}\n`);
  return ok(items.length === 0 ? (trash ? 'The trash is empty.\n' : 'No items.\n') : table(items));
}

function importFiles(lib: Library, p: Parsed): CommandResult {
  if (p.positional.length === 0) return usage('import needs at least one file');
  let out = '';
  let err = '';
  for (const file of p.positional) {
    let text: string;
    try {
      const size = fs.statSync(file).size;
      const tooBig = sizeProblem(size, MAX_FILE_BYTES);
      if (tooBig) {
        err += `${file}: ${tooBig}\n`;
        continue;
      }
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      err += `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).\n`;
      continue;
    }
    try {
      const r = lib.importFile(text);
      for (const i of [...r.scenarios, ...r.exercises])
        out += `imported ${i.id}  ${i.kind}  ${printable(i.name)}\n`;
      if (r.fromVersion < 1) out += `${file}: migrated from schemaVersion ${r.fromVersion}\n`;
    } catch (e) {
      if (!(e instanceof LibraryError)) throw e;
      // One line per file, even when the reason quotes the file's text (a JSON syntax error).
      err += `${file}: ${printable(e.message)}\n`;
    }
  }
  return { code: err ? 1 : 0, stdout: out, stderr: err };
}

function exportItems(lib: Library, p: Parsed, cwd: string): CommandResult {
  if (p.positional.length === 0) return usage('export needs at least one id');
  if (p.flags.get('--out') === '') return usage('--out needs a file name');
  const title = p.flags.get('--title');
  const text = lib.exportFile(p.positional, typeof title === 'string' ? { title } : {});
  const outFile = p.flags.get('--out');
  if (typeof outFile === 'string') {
    const target = path.resolve(cwd, outFile);
    // Whole or not at all, and only over a regular file (src/main/write-file.ts).
    try {
      writeFileWhole(target, text, `--out ${target}`);
    } catch (e) {
      if (e instanceof WriteFileError)
        return { code: 1, stdout: '', stderr: `dslab library: ${e.message}\n` };
      throw e;
    }
    return ok(`wrote ${p.positional.length} item${p.positional.length === 1 ? '' : 's'} to ${target}\n`);
  }
  return ok(text);
}

function deleteItems(lib: Library, p: Parsed): CommandResult {
  if (p.positional.length === 0) return usage('delete needs at least one id');
  // Check every id first so a typo deletes nothing.
  for (const id of p.positional) lib.getSummary(id);
  const permanent = p.flags.get('--permanent') === true;
  let out = '';
  for (const id of p.positional) {
    if (permanent) {
      lib.deletePermanently(id);
      out += `deleted ${id}\n`;
    } else {
      lib.trash(id);
      out += `moved ${id} to the trash\n`;
    }
  }
  return ok(out);
}

/** The command itself; runLibraryCommand makes its messages printable. */
function libraryCommand(
  dataDir: string,
  args: readonly string[],
  options: LibraryOptions & {
    /** Folder relative paths are resolved against (default: process.cwd()). */
    cwd?: string;
    /** Built-in library folder to seed from (default: found beside the app; null: do not seed). */
    builtinDir?: string | null;
  } = {},
): CommandResult {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === 'help')
    return {
      code: command ? 0 : 2,
      stdout: command ? `${LIBRARY_USAGE}\n` : '',
      stderr: command ? '' : `${LIBRARY_USAGE}\n`,
    };
  const parsed = parseArgs(rest);
  if (typeof parsed === 'string') return usage(parsed);
  if (!['list', 'import', 'export', 'delete', 'empty-trash'].includes(command))
    return usage(`unknown command ${command}`);
  let lib: Library;
  try {
    lib = Library.open(dataDir, options);
  } catch (e) {
    return { code: 1, stdout: '', stderr: `dslab library: ${(e as Error).message}\n` };
  }
  try {
    // The CLI sees the same library as the app, built-ins included.
    if (options.builtinDir !== null) seedBuiltinLibrary(lib, options.builtinDir);
    switch (command) {
      case 'list':
        return list(lib, parsed);
      case 'import':
        return importFiles(lib, parsed);
      case 'export':
        return exportItems(lib, parsed, options.cwd ?? process.cwd());
      case 'delete':
        return deleteItems(lib, parsed);
      default: {
        const n = lib.emptyTrash();
        return ok(`deleted ${n} item${n === 1 ? '' : 's'} from the trash\n`);
      }
    }
  } catch (e) {
    // A file damaged past what opening it reads (a page deep in the file) fails here.
    const err = explainStoreError(e, path.join(dataDir, STORE_FILE));
    if (err instanceof LibraryError || err instanceof StoreError)
      return { code: 1, stdout: '', stderr: `dslab library: ${printable(err.message)}\n` };
    throw err;
  } finally {
    lib.close();
  }
}

/**
 * Runs `dslab library <args>` against the store in `dataDir`. Human text is printable: names
 * and messages quoting a file have their control characters escaped (src/shared/printable.ts);
 * `--json` and exported files stay exact JSON.
 */
export function runLibraryCommand(
  dataDir: string,
  args: readonly string[],
  options: Parameters<typeof libraryCommand>[2] = {},
): CommandResult {
  const r = libraryCommand(dataDir, args, options);
  return { ...r, stderr: printableLines(r.stderr) };
}
