/**
 * `dslab library list|import|export|delete|empty-trash ... [--data DIR]`: the library's own
 * commands (src/main/store/library-commands.ts), run against the same data folder as the app
 * (src/main/paths.ts) unless --data names another. Loaded lazily: the other commands never
 * open SQLite. Exit codes are the library's: 0 done, 1 refused (invalid file, unknown id),
 * 2 usage error.
 */
import { defaultDataDir } from '../../main/paths';
import { type Io, UsageError } from '../io';

/** Options of `dslab library`. */
export interface LibraryOptions {
  /** The arguments after `library`, --data removed. */
  args: string[];
  /** The data folder (default: the app's, or $DSLAB_DATA_DIR). */
  dataDir?: string;
  /** Folder relative paths are resolved against. */
  cwd?: string;
}

/** Splits `--data DIR` / `--data=DIR` off the library arguments. */
export function splitDataFlag(args: readonly string[]): LibraryOptions {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === '--data') {
      const v = args[++i];
      if (v === undefined || v === '') throw new UsageError('--data needs a folder');
      dataDir = v;
    } else if (a.startsWith('--data=')) {
      dataDir = a.slice('--data='.length);
      if (dataDir === '') throw new UsageError('--data needs a folder');
    } else rest.push(a);
  }
  return dataDir === undefined ? { args: rest } : { args: rest, dataDir };
}

/** Runs `dslab library`. */
export async function libraryCommand(opts: LibraryOptions, io: Io): Promise<number> {
  const { runLibraryCommand } = await import('../../main/store/library-commands');
  const r = runLibraryCommand(opts.dataDir ?? defaultDataDir(), opts.args, opts.cwd ? { cwd: opts.cwd } : {});
  if (r.stdout) await io.out(r.stdout);
  // A usage error is one line, as everywhere in the CLI (the library appends its usage text).
  if (r.code === 2 && r.stderr.startsWith('dslab library: '))
    io.err(`${r.stderr.split('\n')[0]} (dslab help library)\n`);
  else if (r.stderr) io.err(r.stderr);
  return r.code;
}
