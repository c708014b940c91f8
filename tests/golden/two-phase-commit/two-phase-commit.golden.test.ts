import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import {
  twoPcAskTheOthers,
  twoPcBlocking,
  twoPhaseCommit,
} from '../../../src/sim/protocols/transactions/two-phase-commit';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(twoPhaseCommit);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
/** The messages of the protocol proper; the termination protocol's rounds repeat every 100 ms. */
const PROTOCOL = new Set(['Prepare', 'VoteYes', 'VoteNo', 'Commit', 'Abort', 'Ack']);

describe('two-phase commit golden transcripts', () => {
  it('the blocking case: T1 commits, the coordinator crashes after every YES on T2, recovers and aborts it', () => {
    const sim = new Simulation(twoPcBlocking(), { seed: 1 });
    sim.runUntil(1_250_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || (k === 'send' && PROTOCOL.has(t ?? '')),
    );
    expectGolden(
      here('blocking.golden.txt'),
      text,
      'two-phase commit, twoPcBlocking(), seed 1, until 1.25 s',
    );
  });

  it('cooperative termination: p3 voted NO, and tells p1 and p2 while the coordinator is down', () => {
    const sim = new Simulation(twoPcAskTheOthers({ termination: 'cooperative' }), { seed: 1 });
    sim.runUntil(500_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || (k === 'send' && t !== undefined),
    );
    expectGolden(
      here('cooperative.golden.txt'),
      text,
      "two-phase commit, twoPcAskTheOthers({ termination: 'cooperative' }), seed 1, until 500 ms",
    );
  });
});
