/**
 * Doyensec's electronegativity (an Electron security scanner) over the app's source: no
 * HIGH finding, no file it cannot parse (a file it skips would hide its findings), and no
 * MEDIUM finding that docs/security.md does not review.
 * It runs offline: its two network calls are kept off (see docs/security.md "Scanning").
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

interface Finding {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: string };
  confidence: { name: string };
  manualReview: boolean;
}
interface ScanResult {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}
type Run = (options: Record<string, unknown>, forCli?: boolean) => Promise<ScanResult>;

const requireFromRoot = createRequire(path.join(root, 'package.json'));
const scannerDir = path.dirname(requireFromRoot.resolve('@doyensec/electronegativity/package.json'));

// The scanner fetches translations (dist/locales/i18n.js) with `got` on every run; a
// stand-in answers "404" at once, so it keeps its bundled English text and never goes online.
const gotPath = createRequire(path.join(scannerDir, 'dist', 'locales', 'i18n.js')).resolve('got');
const offline = new Module(gotPath);
offline.filename = gotPath;
offline.loaded = true;
let translationFetches = 0;
offline.exports = async () => {
  translationFetches += 1;
  return { statusCode: 404, body: '' };
};
requireFromRoot.cache[gotPath] = offline;
const run = requireFromRoot('@doyensec/electronegativity') as Run;

const electronVersion = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies.electron;

/** Scans a folder as the CLI would with `-r -e <our Electron>`. */
function scan(input: string): Promise<ScanResult> {
  return run({
    input,
    isRelative: true,
    electronVersionOverride: electronVersion,
    // Lists Electron releases newer than ours: needs the network, and its answer changes
    // with each Electron release rather than with our code. Upgrades are a separate chore.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
}

const show = (f: Finding) =>
  `${f.severity.name} ${f.id} at ${f.file}:${f.location.line}:${f.location.column}`;

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

describe('electronegativity', () => {
  it('finds a HIGH in an insecure window (the harness can fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-electronegativity-'));
    scratch.push(dir);
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      "import { BrowserWindow } from 'electron';\n" +
        'export const w = new BrowserWindow({ webPreferences: { contextIsolation: false } });\n',
    );
    const result = await scan(dir);
    expect(result.issues.filter((f) => f.severity.name === 'HIGH').map((f) => f.id)).toContain(
      'CONTEXT_ISOLATION_JS_CHECK',
    );
  });

  let ofSrc: Promise<ScanResult> | undefined;
  const scanSrc = () => {
    ofSrc ??= scan(path.join(root, 'src'));
    return ofSrc;
  };

  it('reports no HIGH in src and parses every file of it', async () => {
    const result = await scanSrc();
    expect(result.atomicChecks).toBeGreaterThan(0);
    expect(translationFetches).toBeGreaterThan(0); // it asked the stand-in, not the network
    expect(result.errors.filter((e) => !e.tolerable).map((e) => `${e.file}: ${e.message}`)).toEqual([]);
    expect(result.issues.filter((f) => f.severity.name === 'HIGH').map(show)).toEqual([]);
  });

  it('reports only MEDIUM findings that docs/security.md reviews', async () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'security.md'), 'utf8');
    const review = doc.slice(
      doc.indexOf('## Scanning'),
      doc.indexOf('\n## ', doc.indexOf('## Scanning') + 1),
    );
    const medium = (await scanSrc()).issues.filter((f) => f.severity.name === 'MEDIUM');
    expect(medium.filter((f) => !review.includes(`| \`${f.id}\` (MEDIUM`)).map(show)).toEqual([]);
  });
});
