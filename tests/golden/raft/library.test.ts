import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileItems } from '../../../src/shared/files/format';
import { parseFile } from '../../../src/shared/files/parse';
import type { Scenario } from '../../../src/shared/scenario/schema';
import '../../../src/sim/checkers/builtin';
import { registerProtocol } from '../../../src/sim/catalog';
import { raft } from '../../../src/sim/protocols/consensus/raft/raft';
import { Simulation } from '../../../src/sim/simulation';

/** The built-in Raft library files parse, and their scenarios do what their text promises. */

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../resources/library');
const files = readdirSync(dir).filter((f) => f.startsWith('raft-') && f.endsWith('.dslab.json'));

beforeAll(() => registerProtocol(raft));

function load(name: string) {
  const r = parseFile(readFileSync(join(dir, name), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  return fileItems(r.file);
}

function run(sc: Scenario) {
  const sim = new Simulation(sc);
  sim.runUntil(sc.limits.maxTimeUs);
  const votes = sim
    .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1e7)
    .filter((r) => r.kind === 'send' && r.msgType === 'RequestVote').length;
  const leaders = sim
    .metrics()
    .series.find((s) => s.id === 'leaders')!
    .v.at(-1);
  return { sim, votes, leaders };
}

describe('Raft library files', () => {
  it('exist and parse', () => {
    expect(files.sort()).toEqual([
      'raft-break-election-restriction.dslab.json',
      'raft-double-vote.dslab.json',
      'raft-nemesis.dslab.json',
      'raft-quick-start.dslab.json',
      'raft-split-votes.dslab.json',
    ]);
    for (const f of files) expect(() => load(f)).not.toThrow();
  });

  it('the quick start keeps every invariant and stays linearizable through its faults', () => {
    const sc = load('raft-quick-start.dslab.json').scenarios[0]!.scenario;
    const { sim } = run(sc);
    expect(
      sim.invariants().every((v) => v.ok === true),
      `seed=${sc.seed}`,
    ).toBe(true);
    expect(sim.metrics().counters.opsOk).toBeGreaterThan(500);
  });

  it('break-election-restriction: nothing breaks as shipped; with the nemesis on, the shipped seed does', () => {
    const ex = load('raft-break-election-restriction.dslab.json').exercises[0]!.exercise;
    expect(run(ex.scenario).sim.violation).toBeNull();
    const { sim, votes } = run({ ...ex.scenario, nemesis: { ...ex.scenario.nemesis, enabled: true } });
    expect(sim.violation?.invariant, `seed=${ex.scenario.seed}`).toBe('leader-completeness');
    expect(votes).toBeGreaterThanOrEqual(8);
  });

  it('double-vote: s2 votes once as shipped; crashed between the requests, it elects two leaders', () => {
    const ex = load('raft-double-vote.dslab.json').exercises[0]!.exercise;
    expect(run(ex.scenario).sim.violation).toBeNull();
    const faults = ex.scenario.faults.map((f) =>
      f.atUs === 130_000 ? { ...f, atUs: 156_000 } : f.atUs === 130_500 ? { ...f, atUs: 156_500 } : f,
    );
    const { sim } = run({ ...ex.scenario, faults });
    expect(sim.violation?.invariant, `seed=${ex.scenario.seed}`).toBe('election-safety');
  });

  it('split-votes: fails as shipped, passes with randomized timeouts', () => {
    const ex = load('raft-split-votes.dslab.json').exercises[0]!.exercise;
    const before = run(ex.scenario);
    expect(before.leaders).toBe(0);
    const fixed = run({ ...ex.scenario, params: { ...ex.scenario.params, electionTimeoutMsMax: 300 } });
    expect(fixed.leaders).toBe(1);
    expect(fixed.votes).toBeLessThanOrEqual(40);
    expect(fixed.sim.violation).toBeNull();
  });
});
