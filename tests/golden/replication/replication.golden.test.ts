import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import {
  readReplication,
  replicationFailover,
  replicationQuickStart,
} from '../../../src/sim/protocols/replication';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from './golden';

registerProtocol(readReplication);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const interesting = (kind: string) => ['note', 'fault', 'violation', 'restart'].includes(kind);

describe('read replication golden transcripts', () => {
  it('async failover: election, lost writes named one by one, old leader rejoins', () => {
    const sim = new Simulation(replicationFailover(), { seed: 1 });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    expectGolden(
      here('failover-async.golden.txt'),
      transcript(sim, (k) => interesting(k)),
      'read-replication, replicationFailover(), seed 1: notes and faults',
    );
  });

  it('sync with bugAckBeforeReplicate: the invariant stops the run at the promotion', () => {
    const sim = new Simulation(replicationFailover({ mode: 'sync', bugAckBeforeReplicate: true }), {
      seed: 1,
    });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    expectGolden(
      here('failover-sync-bug.golden.txt'),
      transcript(sim, (k) => interesting(k)),
      'read-replication, replicationFailover({mode: sync, bugAckBeforeReplicate}), seed 1',
    );
  });

  it('quick start, first 200 ms: every message of the write path and the reads', () => {
    const sim = new Simulation(replicationQuickStart(), { seed: 1 });
    sim.runUntil(200_000);
    expectGolden(
      here('quick-start-200ms.golden.txt'),
      transcript(sim, (k) => k !== 'drop'),
      'read-replication, replicationQuickStart(), seed 1, until 200 ms: every row',
    );
  });
});
