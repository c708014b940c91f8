/**
 * Reliability: two processes on one database file. Writes serialize on SQLite's write lock
 * (IMMEDIATE transactions + busy_timeout); a save based on a stale revision is refused as a
 * conflict and retried, never lost; a lock held past the timeout gives a clear `busy` error
 * and changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../src/main/store/database';
import { Library, LibraryError } from '../../src/main/store/library';
import { startWorker } from './child';
import { makeScenario } from './fixtures';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-two-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('two processes on one database', () => {
  it('serialize their writes and lose nothing', async () => {
    const dir = tmp();
    const setup = Library.open(dir);
    const shared = setup.createScenario({ ...makeScenario(5, 'Counter'), seed: 0 });
    setup.close();
    const creates = 120;
    const incs = 60;
    const a = startWorker('writer', [dir, shared.id, String(creates), String(incs), 'alpha']);
    const b = startWorker('writer', [dir, shared.id, String(creates), String(incs), 'beta']);
    await Promise.all([a.waitFor((l) => l.includes('ready')), b.waitFor((l) => l.includes('ready'))]);
    fs.writeFileSync(path.join(dir, 'go'), '');
    expect(await a.exited, a.stderr()).toBe(0);
    expect(await b.exited, b.stderr()).toBe(0);
    const lines = [...a.lines, ...b.lines];
    expect(a.lines.at(-1)).toBe('done');
    expect(b.lines.at(-1)).toBe('done');
    // Both ran at once: their lines interleave in time, and some read-modify-writes collided.
    const busy = lines.filter((l) => l.startsWith('busy'));
    expect(busy).toEqual([]);

    const lib = Library.open(dir);
    const created = lines.filter((l) => l.startsWith('created ')).map((l) => l.slice(8));
    expect(created).toHaveLength(2 * creates);
    for (const id of created) expect(lib.getSummary(id).id).toBe(id);
    expect(lib.list({ tag: 'alpha', limit: 10_000 }).total).toBe(creates);
    expect(lib.list({ tag: 'beta', limit: 10_000 }).total).toBe(creates);
    // Every increment that returned is in the counter: no lost update.
    const counter = lib.getScenario(shared.id);
    expect(counter.scenario.seed).toBe(2 * incs);
    expect(counter.revision).toBe(1 + 2 * incs);
    const revisions = lines.filter((l) => l.startsWith('inc ')).map((l) => Number(l.slice(4)));
    expect(new Set(revisions).size).toBe(2 * incs);
    lib.close();
  });

  it('refuse a write clearly when the other holds the lock too long, changing nothing', async () => {
    const dir = tmp();
    const lib = Library.open(dir);
    const s = lib.createScenario(makeScenario(3, 'Held'));
    const holder = startWorker('hold-lock', [path.join(dir, STORE_FILE)]);
    await holder.waitFor((l) => l.includes('locked'));
    lib.db.pragma('busy_timeout = 300');
    let err: unknown;
    try {
      lib.save(s.id, { ...s.scenario, seed: 5 }, s.revision);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LibraryError);
    expect((err as LibraryError).code).toBe('busy');
    expect((err as LibraryError).message).toMatch(
      /another DSLab process held it.*Nothing was changed; try again\./,
    );
    // Reads go on while the other process writes (WAL).
    expect(lib.getScenario(s.id).scenario.seed).toBe(1);
    holder.proc.stdin.end();
    expect(await holder.exited).toBe(0);
    // Once released, the same save goes through.
    expect(lib.save(s.id, { ...s.scenario, seed: 5 }, s.revision).revision).toBe(2);
    lib.close();
  });
});
