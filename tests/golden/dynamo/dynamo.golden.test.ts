import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { dynamo, dynamoPartition } from '../../../src/sim/protocols/cap/dynamo';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(dynamo);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** The partition's story: faults, notes (suspicions, refusals, stale reads, handoffs) and handoff messages. */
function story(mode: 'cp' | 'ap'): string {
  const sim = new Simulation(dynamoPartition({ mode }), { seed: 1 });
  sim.runUntil(3_600_000);
  return transcript(
    sim,
    (k, t) => k === 'fault' || k === 'note' || (k === 'send' && (t === 'Handoff' || t === 'HandoffAck')),
  );
}

describe('Dynamo golden transcripts (seed 1, the quick start partition 1 s to 3 s)', () => {
  it('ap: the failure detector, stand-ins, stale reads, and the hints going home after the heal', () => {
    expectGolden(
      here('ap-partition.golden.txt'),
      story('ap'),
      'dynamo, dynamoPartition({ mode: ap }), seed 1, until 3.6 s',
    );
  });

  it('cp: the same partition, and the refusals of the side that cannot reach its quorum', () => {
    expectGolden(
      here('cp-partition.golden.txt'),
      story('cp'),
      'dynamo, dynamoPartition({ mode: cp }), seed 1, until 3.6 s',
    );
  });
});
