import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import { createSimulation } from '../../src/sim/index';
import { cli, fixture, ndjson, ROOT } from './helpers';

interface Row {
  index: number;
  timeUs: number;
  kind: string;
}

describe('dslab trace', () => {
  it('prints valid NDJSON: the kernel export of the whole run', async () => {
    const r = await cli('trace', fixture('ping-pong.json'), '--seed', '2');
    expect(r.code).toBe(0);
    const rows = ndjson(r.stdout) as Row[];
    expect(rows.length).toBeGreaterThan(1000);
    for (const row of rows)
      expect(row).toMatchObject({ index: expect.any(Number), kind: expect.any(String) });
    // Same bytes as the kernel's own export.
    const sim = createSimulation(loadScenarioFile(fixture('ping-pong.json')).scenario, { seed: 2 });
    while (!sim.done) sim.runFor(100_000);
    expect(r.stdout).toBe(sim.exportNdjson());
    expect(r.stderr).toMatch(/^dslab trace: seed 2, [\d,]+ rows for events \[0, \d+\)/);
  });

  it('--from and --to select events [from, to)', async () => {
    const r = await cli('trace', fixture('broadcast.json'), '--from', '5', '--to', '9');
    expect(r.code).toBe(0);
    const indexes = [...new Set((ndjson(r.stdout) as Row[]).map((row) => row.index))];
    expect(indexes).toEqual([5, 6, 7, 8]);
  });

  it('ends at the violation, with the reproduce line on stderr and exit 1', async () => {
    const file = fixture('broadcast-no-dedupe.json');
    const r = await cli('trace', file, '--seed', '3');
    expect(r.code).toBe(1);
    const rows = ndjson(r.stdout) as Row[];
    expect(rows.at(-1)?.kind).toBe('violation');
    expect(r.stderr).toContain(`reproduce with: npx dslab run ${path.relative(ROOT, file)} --seed 3`);
  });

  it('--until-ms bounds the virtual time', async () => {
    const r = await cli('trace', fixture('ping-pong.json'), '--until-ms', '10');
    const rows = ndjson(r.stdout) as Row[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.max(...rows.map((row) => row.timeUs))).toBeLessThanOrEqual(10_000);
  });
});
