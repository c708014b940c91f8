import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/cli/run-seed';
import { cli, fixture, ndjson, spawnCli } from './helpers';

describe('dslab sweep', () => {
  it('prints one line per seed, in seed order, each the object run --json prints', async () => {
    const r = await cli('sweep', fixture('broadcast.json'), '--seeds', '3..7', '--workers', '1');
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout) as RunResult[];
    expect(lines.map((l) => l.seed)).toEqual([3, 4, 5, 6, 7]);
    const run5 = await cli('run', fixture('broadcast.json'), '--seed', '5', '--json');
    expect(lines[2]).toEqual(JSON.parse(run5.stdout));
    expect(r.stderr).toMatch(/sweep: 5 seeds \(3\.\.7\) in [\d.]+ s, 0 failing\n$/);
  });

  it('gives identical output with 1 and 2 worker threads', async () => {
    const args = ['sweep', fixture('broadcast.json'), '--seeds', '1..30'];
    const one = await cli(...args, '--workers', '1');
    const two = await cli(...args, '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(ndjson(one.stdout)).toHaveLength(30);
    expect(two.stdout).toBe(one.stdout);
  });

  it('exits 1 when some seed fails, still printing every seed, and names the first failing one', async () => {
    const r = await cli('sweep', fixture('broadcast-no-dedupe.json'), '--seeds', '1..4', '--workers', '2');
    expect(r.code).toBe(1);
    const lines = ndjson(r.stdout) as RunResult[];
    expect(lines.map((l) => l.seed)).toEqual([1, 2, 3, 4]);
    expect(lines.every((l) => l.violation?.invariant === 'no-duplication')).toBe(true);
    expect(r.stderr).toContain('sweep: first failing seed 1; reproduce with: npx dslab run ');
  });

  it('as a real process with worker threads: the same bytes for --workers 1 and 3', () => {
    const args = ['sweep', fixture('ping-pong.json'), '--seeds', '10..21', '--until-ms', '200'];
    const one = spawnCli([...args, '--workers', '1']);
    const three = spawnCli([...args, '--workers', '3']);
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    expect((ndjson(one.stdout) as RunResult[]).map((l) => l.seed)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    ]);
    expect(three.stdout).toBe(one.stdout);
  });
});
