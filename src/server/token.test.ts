import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadToken, TOKEN_FILE } from './token';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-token-'));

describe("web mode's kept token", () => {
  it('is made once, readable by its owner only, and the same at the next launch', () => {
    const dir = tmp();
    const first = loadToken(dir);
    expect(first.state).toBe('new');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32') expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(loadToken(dir)).toEqual({ ...first, state: 'kept' });
  });

  it('is replaced when asked, and when the file holds no token', () => {
    const dir = tmp();
    const first = loadToken(dir);
    const rotated = loadToken(dir, { rotate: true });
    expect(rotated.state).toBe('new');
    expect(rotated.token).not.toBe(first.token);
    expect(loadToken(dir).token).toBe(rotated.token);
    fs.writeFileSync(path.join(dir, TOKEN_FILE), 'not a token\n');
    const replaced = loadToken(dir);
    expect(replaced.state).toBe('replaced');
    expect(replaced.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.readdirSync(dir)).toEqual([TOKEN_FILE]);
  });
});
