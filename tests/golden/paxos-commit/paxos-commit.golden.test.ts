import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import {
  paxosCommit,
  paxosCommitSlowRm,
  paxosCommitTmCrash,
} from '../../../src/sim/protocols/transactions/paxos-commit';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(paxosCommit);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('Paxos Commit golden transcripts', () => {
  it('the TM crashes after every RM prepared: a1 runs phase 1 in ballot 5 and commits T2', () => {
    const sim = new Simulation(paxosCommitTmCrash(), { seed: 1 });
    sim.runUntil(500_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || (k === 'send' && t !== undefined),
    );
    expectGolden(
      here('tm-crash.golden.txt'),
      text,
      'Paxos Commit, paxosCommitTmCrash(), seed 1, until 500 ms',
    );
  });

  it('the impatient leader: phase 1 finds the slow rm3 free, Aborted is chosen, its late Prepared refused', () => {
    const sim = new Simulation(paxosCommitSlowRm({ leaderTimeoutMs: 50 }), { seed: 1 });
    sim.runUntil(400_000);
    const text = transcript(sim, (k, t) => k === 'note' || (k === 'send' && t !== undefined));
    expectGolden(
      here('impatient-leader.golden.txt'),
      text,
      'Paxos Commit, paxosCommitSlowRm({ leaderTimeoutMs: 50 }), seed 1, until 400 ms',
    );
  });
});
