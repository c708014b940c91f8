/**
 * The protocol contract's rules, checked on the source (issue "Protocol contract v2"):
 * - a protocol carries no engine plumbing: no ownership flags (`owned`, `reuseEffects`), no
 *   lent or pooled objects, no WeakSet, no module-level `let`;
 * - no room but src/sim names a protocol: not src/main, src/shared, src/renderer, src/server
 *   or src/cli, neither by id nor by importing a protocol's folder.
 * The places that still name a protocol are listed here; the list only shrinks: a listed entry
 * that no longer applies fails the test too, so the list is kept true.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listProtocols } from '../src/sim';

/** Protocol files that still run simulations themselves (experiments, test drivers): they move out next. */
const STILL_IMPORTING: string[] = [];

/** Places outside src/sim that still name a protocol (file: what it names). */
const STILL_NAMED: string[] = [];

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx)$/.test(f) && !/\.(test|spec)\.tsx?$/.test(f))
    .map((f) => path.join(dir, f).split(path.sep).join('/'))
    .sort();
}

/** Lines of code (comments dropped) with their numbers. */
function codeLines(file: string): [number, string][] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i): [number, string] => [i + 1, line.replace(/\/\/.*$/, '')])
    .filter(([, code]) => !/^\s*(\*|\/\*)/.test(code));
}

const PLUMBING: [RegExp, string][] = [
  [/\bowned\b/, 'an ownership flag'],
  [/\breuseEffects\b/, 'reused effects'],
  [/\blent[A-Z_]|\blent\b/, 'a lent object'],
  [/\bWeakSet\b/, 'a WeakSet'],
  [/^(export\s+)?let\s/, 'module-level mutable state'],
];

/** What a protocol file carries that belongs to the kernel. */
function plumbing(files: string[]): string[] {
  const found: string[] = [];
  for (const f of files)
    for (const [n, code] of codeLines(f))
      for (const [re, what] of PLUMBING) if (re.test(code)) found.push(`${f}:${n} ${what}: ${code.trim()}`);
  return found;
}

/** Where a room outside src/sim names a protocol. */
function namings(rooms: string[]): string[] {
  const ids = listProtocols().map((p) => p.id);
  const topics = new Set(listProtocols().map((p) => p.topic));
  const found = new Set<string>();
  for (const f of rooms.flatMap(sources)) {
    // The topic list names topics; a topic may share its id with a protocol (consistent-hashing).
    if (f === 'src/shared/topics.ts') continue;
    for (const [, code] of codeLines(f)) {
      for (const id of ids)
        if (code.includes(`'${id}'`) || code.includes(`"${id}"`))
          if (!(topics.has(id) && /topic/i.test(code))) found.add(`${f}: '${id}'`);
      const m = code.match(/from\s+['"][./]*((?:\.\.\/)*)(sim\/protocols\/[^'"]+)['"]/);
      if (m) found.add(`${f}: imports ${m[2]}`);
    }
  }
  return [...found].sort();
}

const protocolFolders = () =>
  [...new Set(sources('src/sim/protocols').map((f) => path.posix.dirname(f)))].filter(
    (d) => !/\/(testkit|test)$/.test(d),
  );

describe('protocol contract v2', () => {
  it('protocols carry no engine plumbing', () => {
    const folders = protocolFolders();
    expect(folders.length).toBeGreaterThanOrEqual(8);
    expect(plumbing(folders.flatMap(sources))).toEqual([]);
  });

  it('protocols know only the contract: no protocol imports the kernel or the simulation', () => {
    const found: string[] = [];
    for (const f of protocolFolders().flatMap(sources))
      for (const [n, code] of codeLines(f))
        if (/from\s+['"][./]+\/(kernel\/[^'"]*|simulation|run-summary)['"]/.test(code))
          found.push(`${f}:${n} ${code.trim()}`);
    expect(found).toEqual(STILL_IMPORTING);
  });

  it('no room outside src/sim names a protocol (beyond the places listed, which only shrink)', () => {
    expect(namings(['src/main', 'src/shared', 'src/renderer', 'src/server', 'src/cli'])).toEqual(STILL_NAMED);
  });

  it('the catalog is one line per protocol: it names no protocol and imports only protocol objects', () => {
    const builtins = listProtocols().filter((p) => p.topic !== 'test');
    const found: string[] = [];
    const imports: string[] = [];
    for (const [n, code] of codeLines('src/sim/catalog.ts')) {
      for (const p of builtins) if (code.includes(`'${p.id}'`)) found.push(`${n}: '${p.id}'`);
      const m = code.match(/^import\s+\{([^}]*)\}\s+from\s+'\.\/protocols\//);
      if (m) imports.push(m[1]!.trim());
    }
    expect(found).toEqual([]);
    // A quick start, a speed or a view comes from the protocol object, not from a side import.
    expect(imports).toHaveLength(builtins.length);
    for (const names of imports) expect(names).toMatch(/^\w+$/);
  });

  it('the plumbing rule catches what it should', () => {
    const probe = 'tests/.contract-probe.ts';
    fs.writeFileSync(
      probe,
      'let cache = 0;\nconst seen = new WeakSet();\nif (env.owned) x();\nreturn lentSend;\n// let in a comment\n',
    );
    try {
      expect(plumbing([probe])).toHaveLength(4);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
