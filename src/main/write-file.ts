/**
 * Writing a file the person named (the CLI's `export --out`, the app's Save dialog) whole or
 * not at all: through a temporary file beside it and a rename, so an interrupted write never
 * leaves half a file. It replaces only a regular file: never a folder, a symbolic link (the
 * rename would replace the link itself, not the file it points to) or a device, pipe or
 * socket. Every refusal names the path and says what is wrong; no temporary file is left.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Why a file could not be written: the sentence starts with the path as given. */
export class WriteFileError extends Error {
  override readonly name = 'WriteFileError';
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the file system is read-only';
  return code ?? (err instanceof Error ? err.message : String(err));
}

/** Checks that `file` may be written: a new file in an existing folder, or a regular file. */
function checkTarget(file: string, shown: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new WriteFileError(`${shown}: cannot look at it (${reason(err)}).`);
  }
  if (st === undefined) {
    // A new file: the folder it goes in must exist. Name the first part of the way that is
    // missing, or is not a folder.
    const dir = path.dirname(file);
    let up = dir;
    while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
    if (!fs.statSync(up).isDirectory()) throw new WriteFileError(`${shown}: ${up} is not a folder.`);
    if (up !== dir) throw new WriteFileError(`${shown}: the folder ${dir} does not exist.`);
    return;
  }
  if (st.isDirectory()) throw new WriteFileError(`${shown} is a folder; name a file (in it, or elsewhere).`);
  if (st.isSymbolicLink()) {
    const to = path.resolve(path.dirname(file), fs.readlinkSync(file));
    throw new WriteFileError(
      `${shown} is a symbolic link; DSLab replaces only regular files. Name the file it points to (${to}) or another name.`,
    );
  }
  if (!st.isFile())
    throw new WriteFileError(
      `${shown} is not a regular file (a device, pipe or socket); DSLab replaces only regular files.`,
    );
}

/**
 * Writes `text` to `file` (absolute) whole: a new file, or over a regular file. `shown` is how
 * messages name it (default: the path). Throws a WriteFileError and leaves nothing behind.
 */
export function writeFileWhole(file: string, text: string, shown = file): void {
  checkTarget(file, shown);
  // A fresh name, created exclusively: never one a stale file or a planted link already holds.
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    fs.writeFileSync(tmp, text, { encoding: 'utf8', flag: 'wx' });
    // Checked again just before the rename, which replaces whatever then has the name.
    checkTarget(file, shown);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (err instanceof WriteFileError) throw err;
    throw new WriteFileError(`${shown}: cannot write it (${reason(err)}).`);
  }
}
