/**
 * The packaged app's configuration, read by electron-builder's own loader (the code
 * `npm run dist` runs) and checked against its schema: the Electron fuses that harden the
 * binary are set as docs/security.md says, and only names electron-builder knows are used.
 */
import fs from 'node:fs';
import path from 'node:path';
// electron-builder's config loader and validator (app-builder-lib and builder-util come with it).
import type { Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

let loaded: Promise<Configuration> | undefined;
function config(): Promise<Configuration> {
  loaded ??= getConfig(root, null, null);
  return loaded;
}

/** The "Electron fuses" table of docs/security.md: fuse name to on/off. */
function documentedFuses(): Record<string, boolean> {
  const doc = fs.readFileSync(path.join(root, 'docs', 'security.md'), 'utf8');
  const start = doc.indexOf('## Electron fuses');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const rows = [...section.matchAll(/^\| `(\w+)` \| (on|off) \|/gm)];
  return Object.fromEntries(rows.map((m) => [m[1], m[2] === 'on']));
}

describe('the packaged app', () => {
  it('has a configuration electron-builder accepts', async () => {
    await expect(validateConfiguration(await config(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would refuse a misspelt fuse (the schema check is real)', async () => {
    const typo = { ...(await config()), electronFuses: { runAsNod: false } } as unknown as Configuration;
    await expect(validateConfiguration(typo, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('turns off running as Node, NODE_OPTIONS and --inspect, and loads only a checked app.asar', async () => {
    const c = await config();
    expect(c.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // onlyLoadAppFromAsar needs the app packed into app.asar (electron-builder's default).
    expect(c.asar).not.toBe(false);
  });

  it('sets every fuse as docs/security.md says, and documents every one it sets', async () => {
    const documented = documentedFuses();
    expect(Object.keys(documented).length).toBeGreaterThan(0);
    expect((await config()).electronFuses).toEqual(documented);
  });
});
