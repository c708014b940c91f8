import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/cli/run-seed';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import { SimHost } from '../../src/main/sim-host';
import type { Scenario } from '../../src/shared/scenario/schema';
import '../../src/sim';

/**
 * The built-in "… under the consensus nemesis" scenarios (resources/library/*-nemesis.dslab.json)
 * are what `dslab check --seeds 1..500` is run on (docs/protocols/consensus-nemesis.md has the
 * 500-seed figures). Here, on fewer seeds: the correct protocols keep every invariant; each bug
 * switch is found by the check (the CLI's own seed runner) on an early seed; and that seed,
 * opened in the workbench (the host the app drives), stops at the same event with the same
 * invariant.
 */

const LIB = join(dirname(fileURLToPath(import.meta.url)), '../../resources/library');

function load(file: string, sets: string[] = []): Scenario {
  return loadScenarioFile(join(LIB, file), sets).scenario;
}

/** What `dslab check` does: seeds in order, stop at the first failure. */
function check(scenario: Scenario, from: number, to: number) {
  for (let seed = from; seed <= to; seed++) {
    const r = runSeed(scenario, seed);
    if (r.violation !== null || r.error !== undefined) return { seed, result: r };
  }
  return null;
}

/**
 * The workbench's path: the host creates the run with the seed and runs it to the end. What
 * broke: the invariant that stopped the run, or else the history check that failed at its end
 * (every run with a workload is checked for linearizability), as the Checkers tab shows it.
 */
async function replayInHost(scenario: Scenario, seed: number) {
  const host = new SimHost({ emit: () => {} });
  const { status } = host.create(scenario, seed);
  const end = await host.runUntil(status.simId, scenario.limits.maxTimeUs, 100_000_000);
  const history = (await host.invariants(status.simId)).find(
    (v) => v.kind === 'history' && v.ok === false && !v.lesson,
  );
  host.closeAll();
  if (end.violation) return end.violation;
  return history ? { invariant: history.id, eventIndex: history.atEvent, message: history.message } : null;
}

/** Each bug switch with the last seed the check may need (its first failing seed, rounded up). */
const CASES: { file: string; seeds: number; bugs: [string, number][] }[] = [
  {
    file: 'raft-nemesis.dslab.json',
    seeds: 6,
    bugs: [
      ['bugNoElectionRestriction', 30],
      ['bugCommitPreviousTerm', 30],
      ['bugForgetVoteOnRestart', 30],
    ],
  },
  { file: 'paxos-nemesis.dslab.json', seeds: 40, bugs: [['bugForgetPromiseOnRestart', 30]] },
  {
    file: 'paxos-multi-nemesis.dslab.json',
    seeds: 20,
    bugs: [
      ['bugNoNoopFill', 10],
      ['bugForgetPromiseOnRestart', 40],
    ],
  },
];

describe('consensus under the tuned nemesis', () => {
  for (const c of CASES) {
    it(`${c.file}: the nemesis is on and aims at leaders and promises`, () => {
      const n = load(c.file).nemesis;
      expect(n.enabled).toBe(true);
      expect(n.leaderFocus).toBeGreaterThan(0);
      expect(n.crashAfterPromise).toBeGreaterThan(0);
      expect(n.crashNewLeader).toBeGreaterThan(0);
    });

    it(`${c.file}: the correct protocol keeps every invariant on seeds 1..${c.seeds}`, () => {
      const found = check(load(c.file), 1, c.seeds);
      expect(found, found ? `seed ${found.seed}: ${JSON.stringify(found.result.violation)}` : '').toBeNull();
    });

    for (const [bug, within] of c.bugs) {
      it(`${c.file} with ${bug}: the check finds a violation early, and its seed replays to it in the workbench`, async () => {
        const scenario = load(c.file, [`params.${bug}=true`]);
        const found = check(scenario, 1, within);
        expect(found, `${bug}: no violation on seeds 1..${within}`).not.toBeNull();
        const v = found!.result.violation!;
        const replayed = await replayInHost(scenario, found!.seed);
        expect(replayed?.invariant, `seed ${found!.seed}`).toBe(v.invariant);
        expect(replayed?.eventIndex, `seed ${found!.seed}`).toBe(v.atEvent);
        expect(replayed?.message).toBe(v.message);
      }, 240_000);
    }
  }
});
