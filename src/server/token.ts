/**
 * Web mode's token, kept in the data folder (`web-token`, readable by its owner only) so that
 * a bookmarked link keeps working across launches. `npm run web -- --new-token` replaces it,
 * and links with the old one stop opening the lab (docs/security.md).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The token file's name in the data folder. */
export const TOKEN_FILE = 'web-token';
/** 32 random bytes in base64url: 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The token to serve with, and what happened to the file. */
export interface TokenResult {
  token: string;
  /** Where it is kept. */
  file: string;
  /** 'kept': read as it was; 'new': made (none yet, or --new-token); 'replaced': the file held no token. */
  state: 'kept' | 'new' | 'replaced';
}

/** Reads the data folder's token, or makes one (always, when `rotate`). */
export function loadToken(dataDir: string, opts: { rotate?: boolean } = {}): TokenResult {
  const file = path.join(dataDir, TOKEN_FILE);
  let existing: string | null = null;
  try {
    existing = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing !== null && TOKEN_SHAPE.test(existing) && !opts.rotate)
    return { token: existing, file, state: 'kept' };
  const token = randomBytes(32).toString('base64url');
  // Written beside the file and renamed over it: a crash leaves the old token or the new one.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return { token, file, state: existing === null || opts.rotate ? 'new' : 'replaced' };
}
