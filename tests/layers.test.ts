/**
 * The layer rules of docs/architecture.md, checked on the source itself: src/sim and
 * src/shared stay pure and deterministic (biome's noRestrictedImports covers imports in
 * the editor; this also catches wall time and unseeded randomness), and the renderer
 * never reaches into main, the server or the kernel's runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx)$/.test(f) && !/\.(test|spec|bench)\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

const forbiddenInPure: [RegExp, string][] = [
  [
    /from\s+['"](electron|better-sqlite3|react|react-dom|fs|path|os|crypto|child_process|worker_threads)(\/[^'"]*)?['"]/,
    'imports a host module',
  ],
  [/from\s+['"]node:/, 'imports node:*'],
  [/require\(/, 'uses require'],
  [/Math\.random\(/, 'uses unseeded Math.random'],
  [/Date\.now\(|new Date\(/, 'reads the wall clock'],
  [/performance\.now\(/, 'reads the wall clock'],
  [/\bset(Timeout|Interval|Immediate)\(/, 'uses real timers'],
  [/\b(window|document)\.[A-Za-z_]/, 'touches the DOM'],
  [/crypto\.(randomUUID|getRandomValues)/, 'uses unseeded randomness'],
];

function violations(dirs: string[], rules: [RegExp, string][]): string[] {
  const found: string[] = [];
  for (const file of dirs.flatMap(files)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/^\s*(\*|\/\*)/.test(code)) return;
      for (const [re, why] of rules) if (re.test(code)) found.push(`${file}:${i + 1} ${why}: ${line.trim()}`);
    });
  }
  return found;
}

describe('layer rules', () => {
  it('src/sim and src/shared are pure and deterministic', () => {
    expect(violations(['src/sim', 'src/shared'], forbiddenInPure)).toEqual([]);
  });

  it('the renderer imports neither main, server, preload code nor host modules', () => {
    const rules: [RegExp, string][] = [
      [/from\s+['"][./]*(\.\.\/)+(main|server|cli)\//, 'imports another room'],
      [/from\s+['"](electron|better-sqlite3|node:[^'"]+|fs|path)['"]/, 'imports a host module'],
    ];
    expect(violations(['src/renderer'], rules)).toEqual([]);
  });

  it('the rule catches what it should', () => {
    const probe = 'tests/.layers-probe';
    fs.mkdirSync(probe, { recursive: true });
    fs.writeFileSync(
      path.join(probe, 'bad.ts'),
      "import fs from 'node:fs';\nconst x = Math.random() + Date.now();\n",
    );
    try {
      expect(violations([probe], forbiddenInPure)).toHaveLength(3);
    } finally {
      fs.rmSync(probe, { recursive: true, force: true });
    }
  });
});
