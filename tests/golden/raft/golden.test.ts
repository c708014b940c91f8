import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/sim/checkers/builtin';
import type { Scenario } from '../../../src/shared/scenario/schema';
import { registerProtocol } from '../../../src/sim/catalog';
import { raft } from '../../../src/sim/protocols/consensus/raft/raft';
import { raftScenario } from '../../../src/sim/protocols/consensus/raft/scenario';
import { Simulation } from '../../../src/sim/simulation';
import type { RaftDriver } from '../../../src/sim/test/raft-driver';
import {
  figure8,
  figure8Scenario,
  firstElection,
  leaderPartitioned,
  splitVote,
} from '../../../src/sim/test/raft-scripts';

/**
 * Golden transcripts (etcd raft's testdata style): each file is the scripted scenario (lines
 * starting with '>') interleaved with what happened (elections, leader changes, commits at
 * leaders, faults, violations, with virtual times), followed by the run's seed, final status and
 * trace hash. A run that differs fails with a diff; UPDATE_GOLDEN=1 rewrites the files for a
 * person to review.
 */

const here = dirname(fileURLToPath(import.meta.url));

/** Compares `text` with tests/golden/raft/<name>.txt (UPDATE_GOLDEN=1 rewrites it). */
function golden(name: string, text: string): void {
  const file = join(here, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, text);
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`${file} did not exist; written, review it and re-run`);
    return;
  }
  expect(text, `${name}.txt differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}

/** Runs a script on a scenario and renders its transcript with a footer. */
function transcript(sc: Scenario, script: (sim: Simulation) => RaftDriver): string {
  const sim = new Simulation(sc);
  const d = script(sim);
  const v = sim.violation;
  const footer = [
    `# scenario ${JSON.stringify(sc.name)} seed=${sc.seed} params=${JSON.stringify(sc.params)}`,
    `# end at ${(sim.nowUs / 1000).toFixed(3)}ms after ${sim.eventIndex} events; trace ${sim.traceHash()}`,
    v === null
      ? '# no invariant broken'
      : `# VIOLATION ${v.invariant} at event ${v.eventIndex}: ${v.message}`,
  ];
  return `${d.transcript()}${footer.join('\n')}\n`;
}

beforeAll(() => registerProtocol(raft));

describe('Raft golden transcripts', () => {
  it('first-election', () => {
    golden(
      'first-election',
      transcript(raftScenario({ name: 'first election', seed: 1, clients: 1 }), firstElection),
    );
  });

  it('split-vote', () => {
    const sc = raftScenario({
      name: 'split vote',
      seed: 4,
      clients: 0,
      params: { electionTimeoutMsMin: 150, electionTimeoutMsMax: 152 },
    });
    golden('split-vote', transcript(sc, splitVote));
  });

  it('leader-partitioned', () => {
    golden(
      'leader-partitioned',
      transcript(raftScenario({ name: 'leader partitioned', seed: 2 }), leaderPartitioned),
    );
  });

  it('figure-8 (correct Raft: the old entry is never committed by counting)', () => {
    golden('figure-8', transcript(figure8Scenario(1), figure8));
  });

  it('figure-8 with bugCommitPreviousTerm (leader-completeness breaks)', () => {
    golden('figure-8-bug', transcript(figure8Scenario(1, { bugCommitPreviousTerm: true }), figure8));
  });
});
