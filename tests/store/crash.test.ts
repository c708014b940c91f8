/**
 * Reliability: a process killed with SIGKILL in the middle of a loop of saves leaves a
 * database that passes PRAGMA integrity_check, and every save that returned before the kill
 * is there (WAL + synchronous=NORMAL is durable across application crashes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../src/main/store/database';
import { Library } from '../../src/main/store/library';
import { startWorker } from './child';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Checks the file the killed process left, against what it printed. */
function verify(dir: string, lines: string[]): { saves: number; items: number } {
  const raw = new Database(path.join(dir, STORE_FILE));
  expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(raw.pragma('foreign_key_check')).toEqual([]);
  // The full-text index agrees with the table it indexes.
  raw.prepare("INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)").run();
  expect(raw.prepare('SELECT count(*) AS n FROM items_fts').get()).toEqual(
    raw.prepare('SELECT count(*) AS n FROM items').get(),
  );
  raw.close();

  const lib = Library.open(dir);
  const lastSave = new Map<string, { revision: number; seed: number }>();
  const created: string[] = [];
  let saves = 0;
  for (const line of lines) {
    const [what, ...rest] = line.split(' ');
    if (what === 'saved') {
      saves++;
      lastSave.set(rest[0]!, { revision: Number(rest[1]), seed: Number(rest[2]) });
    } else if (what === 'created') created.push(rest[0]!);
    else if (what === 'imported') created.push(...rest);
  }
  for (const id of created) expect(lib.getSummary(id).id).toBe(id);
  for (const [id, { revision, seed }] of lastSave) {
    const rec = lib.getScenario(id);
    // One more save may have committed after the last line was printed, never fewer.
    expect(rec.revision).toBeGreaterThanOrEqual(revision);
    expect(rec.revision).toBeLessThanOrEqual(revision + 1);
    if (rec.revision === revision) expect(rec.scenario.seed).toBe(seed);
  }
  // Autosaves left behind by the crash are offered back.
  for (const a of lib.recoverAutosaves()) expect(a.problem === null || /seed/.test(a.problem)).toBe(true);
  const items = lib.list({ limit: 10_000 }).total;
  lib.close();
  return { saves, items };
}

describe('SIGKILL during a loop of saves', () => {
  // Different sizes and kill points; seeded so a failure is reproducible (printed in the name).
  const cases = [
    { nodes: 30, afterLines: 150 },
    { nodes: 1000, afterLines: 40 },
    { nodes: 200, afterLines: 400 },
    { nodes: 1000, afterLines: 90 },
  ];
  for (const c of cases) {
    it(`keeps every returned save (nodes=${c.nodes}, kill after ${c.afterLines} lines)`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-crash-'));
      dirs.push(dir);
      const w = startWorker('save-loop', [dir, String(c.nodes)]);
      await w.waitFor((l) => l.length >= c.afterLines);
      w.proc.kill('SIGKILL');
      const how = await w.exited;
      expect(how, w.stderr()).toBe('SIGKILL');
      const { saves, items } = verify(dir, w.lines);
      expect(saves).toBeGreaterThan(0);
      expect(items).toBeGreaterThan(0);
    });
  }
});
