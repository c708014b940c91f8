import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import {
  threePcCoordinatorCrash,
  threePcPartitionSplit,
  threePhaseCommit,
} from '../../../src/sim/protocols/transactions/three-phase-commit';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(threePhaseCommit);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('three-phase commit golden transcripts', () => {
  it('the coordinator crashes after every YES: the termination protocol commits T2, the coordinator learns it', () => {
    const sim = new Simulation(threePcCoordinatorCrash(), { seed: 1 });
    sim.runUntil(1_250_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || (k === 'send' && t !== undefined),
    );
    expectGolden(
      here('coordinator-crash.golden.txt'),
      text,
      'three-phase commit, threePcCoordinatorCrash(), seed 1, until 1.25 s',
    );
  });

  it('a partition after the votes: p1 commits T2, p2 and p3 abort it, atomicity stops the run', () => {
    const sim = new Simulation(threePcPartitionSplit(), { seed: 1 });
    sim.runUntil(1_000_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || k === 'violation' || (k === 'send' && t !== undefined),
    );
    expectGolden(
      here('partition-split.golden.txt'),
      text,
      'three-phase commit, threePcPartitionSplit(), seed 1, until it stops',
    );
  });
});
