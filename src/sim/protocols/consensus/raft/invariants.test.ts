import { beforeAll, describe, expect, it } from 'vitest';
import '../../../checkers/builtin';
import { registerProtocol } from '../../../catalog';
import { Simulation } from '../../../simulation';
import { doubleVoteScenario, figure8, figure8Scenario } from '../../../test/raft-scripts';
import { raftInvariants } from './invariants';
import { raft } from './raft';
import { RAFT_TEST_NEMESIS, raftScenario } from './scenario';

/**
 * The invariants run at the steps that can break them, as the events the protocol emits say
 * (invariants.ts). These runs check that the server emits its facts wherever they matter:
 * checked that way and checked at every step, the same runs (bug switches on, so violations
 * are found) give the same trace hash, the same last event and the same violation. Failures
 * print the run and seed.
 */

beforeAll(() => registerProtocol(raft));

/** Raft with every invariant checked at every step. */
const checkedEveryStep = { ...raft, invariants: raftInvariants({ everyStep: true }) };

/** Runs with the protocol checked at every step in the catalog in raft's place. */
function withEveryStepChecks<T>(fn: () => T): T {
  registerProtocol(checkedEveryStep);
  try {
    return fn();
  } finally {
    registerProtocol(raft);
  }
}

const NEMESIS = RAFT_TEST_NEMESIS;

function outcome(run: () => Simulation) {
  const sim = run();
  return { hash: sim.traceHash(), events: sim.eventIndex, violation: sim.violation };
}

function same(name: string, run: () => Simulation): void {
  const byEvents = outcome(run);
  const full = withEveryStepChecks(() => outcome(run));
  expect(byEvents, name).toEqual(full);
}

describe('Raft invariants: checking at the steps the events name gives the verdicts of checking every step', () => {
  it('nemesis runs with bugNoElectionRestriction, and with pre-vote, check-quorum and snapshots', () => {
    let violations = 0;
    for (let seed = 1; seed <= 6; seed++) {
      for (const params of [
        { bugNoElectionRestriction: true },
        {
          preVote: true,
          checkQuorum: true,
          snapshotEvery: 3,
          maxEntriesPerAppend: 2,
          bugNoElectionRestriction: true,
        },
      ]) {
        const run = () => {
          const sim = new Simulation(raftScenario({ seed, params, nemesis: NEMESIS, maxTimeUs: 10_000_000 }));
          sim.runUntil(10_000_000);
          return sim;
        };
        same(`nemesis seed=${seed} params=${JSON.stringify(params)}`, run);
        if (run().violation !== null) violations++;
      }
    }
    expect(violations).toBeGreaterThan(0);
  });

  it('nemesis runs tuned for consensus with bugForgetVoteOnRestart (election-safety breaks)', () => {
    // The library's raft-nemesis faults: crashes right after a vote, quick restarts, leader focus.
    const nemesis = {
      ...NEMESIS,
      crashRatePerS: 2,
      meanDowntimeUs: 300_000,
      leaderFocus: 0.8,
      quickRestartFraction: 0.3,
      quickRestartUs: 5000,
      crashAfterPromise: 0.5,
      crashNewLeader: 0.3,
    };
    const found = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      const run = () => {
        const sim = new Simulation(
          raftScenario({ seed, params: { bugForgetVoteOnRestart: true }, nemesis, maxTimeUs: 10_000_000 }),
        );
        sim.runUntil(10_000_000);
        return sim;
      };
      same(`consensus nemesis seed=${seed}`, run);
      const v = run().violation;
      if (v !== null) found.add(v.invariant);
    }
    expect([...found]).toContain('election-safety');
  });

  it('the Figure 8 script with bugCommitPreviousTerm and the double-vote scenario', () => {
    for (let seed = 1; seed <= 4; seed++) {
      same(`figure8 seed=${seed}`, () => {
        const sim = new Simulation(figure8Scenario(seed, { bugCommitPreviousTerm: true }));
        figure8(sim);
        return sim;
      });
      same(`double vote seed=${seed}`, () => {
        const sim = new Simulation(doubleVoteScenario(seed, { bugForgetVoteOnRestart: true }));
        sim.runUntil(2_000_000);
        return sim;
      });
    }
  });
});
