import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/cli/run-seed';
import { cli, fixture, ROOT } from './helpers';

describe('dslab check', () => {
  it('exits 0 when every invariant holds on every seed', async () => {
    const r = await cli('check', fixture('ping-pong.json'), '--seeds', '1..5');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {9}seeds 1\.\.5: every invariant held \(5 runs, [\d,]+ events\)\n$/);
  });

  it("checks the scenario's own seed when --seeds is not given", async () => {
    const r = await cli('check', fixture('broadcast.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {9}seed 1: every invariant held \(1 runs?, /);
  });

  it('exits 1 with the first violating seed, its event and message, and a reproduce line that reproduces it', async () => {
    const file = fixture('broadcast-no-dedupe.json');
    const r = await cli('check', file, '--seeds', '4..9');
    expect(r.code).toBe(1);
    const m =
      /^VIOLATION {2}seed (\d+): no-duplication broke at event (\d+) \(([\d.]+) ms, node (n\d)\): (.+)$/m.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    const [, seed, event, , node, message] = m!;
    expect(Number(seed)).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toContain(`reproduce with: npx dslab run ${path.relative(ROOT, file)} --seed ${seed}\n`);

    // The reproduce line gives the same violation.
    const again = await cli('run', file, '--seed', seed!, '--json');
    const v = (JSON.parse(again.stdout) as RunResult).violation!;
    expect(v).toMatchObject({ invariant: 'no-duplication', atEvent: Number(event), node, message });
  });

  it('finds a violation that only a --set switches on, and the reproduce line carries the --set', async () => {
    const file = fixture('broadcast.json');
    const r = await cli('check', file, '--seeds', '1..3', '--set', 'params.bugNoDedupe=true');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `reproduce with: npx dslab run ${path.relative(ROOT, file)} --seed 1 --set params.bugNoDedupe=true\n`,
    );
  });

  it('reports the first violating seed in seed order with workers too', async () => {
    const file = fixture('broadcast-no-dedupe.json');
    const one = await cli('check', file, '--seeds', '20..40', '--workers', '1');
    const two = await cli('check', file, '--seeds', '20..40', '--workers', '2');
    expect(one.code).toBe(1);
    expect(two).toEqual(one);
  });
});
