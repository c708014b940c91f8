import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import { causalityOf, happenedBefore, parseShiViz, SHIVIZ_REGEX } from '../../src/sim/analysis/causality';
import { createSimulation } from '../../src/sim/index';
import { cli, fixture } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-shiviz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dslab shiviz', () => {
  it('writes a log ShiViz parses, whose clocks are the trace’s happened-before', async () => {
    const r = await cli('shiviz', fixture('broadcast.json'), '--seed', '2', '--to', '40');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([SHIVIZ_REGEX, '']);
    const events = parseShiViz(r.stdout);
    expect(r.stderr).toMatch(
      new RegExp(`^dslab shiviz: seed 2, ${events.length} events of \\d+ processes for events \\[0, 40\\)`),
    );
    // The same run, read from the kernel: one parsed event per process event, in order, with
    // clocks that order two events exactly when happened-before does.
    const sim = createSimulation(loadScenarioFile(fixture('broadcast.json')).scenario, { seed: 2 });
    sim.runFor(39);
    const c = causalityOf(sim.traceWindow({ from: 0, to: 40 }, Number.MAX_SAFE_INTEGER));
    expect(events.map((e) => e.host)).toEqual(c.events.map((e) => e.node));
    expect(events.length).toBeGreaterThan(40);
    for (let a = 0; a < events.length; a++)
      for (let b = 0; b < events.length; b++) {
        const ea = events[a]!;
        const before = a !== b && (events[b]!.clock[ea.host] ?? 0) >= ea.clock[ea.host]!;
        expect(before, `${a} -> ${b}`).toBe(happenedBefore(c, a, b));
      }
  });

  it('--out writes the file whole; a bad --out is one line and exit 2', async () => {
    const out = path.join(tmp, 'run.log');
    const r = await cli('shiviz', fixture('broadcast.json'), '--to', '10', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(parseShiViz(fs.readFileSync(out, 'utf8')).length).toBeGreaterThan(5);
    const bad = await cli('shiviz', fixture('broadcast.json'), '--out', path.join(tmp, 'no', 'x.log'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^dslab: .*x\.log: the folder .* does not exist\.\n$/);
    const back = await cli('shiviz', fixture('broadcast.json'), '--from', '9', '--to', '3');
    expect(back.code).toBe(2);
    expect(back.stderr).toBe('dslab: --to 3 is before --from 9; the range is [from, to)\n');
  });
});
