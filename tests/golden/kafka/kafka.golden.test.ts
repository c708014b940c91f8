import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { kafka, kafkaQuickStart, kafkaUncleanElection } from '../../../src/sim/protocols/kafka';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(kafka);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const CONTROL = ['Metadata', 'AlterPartition', 'AlterPartitionResponse'];

describe('Kafka golden transcripts', () => {
  it('quick start: b1 crashes, the controller fences it, b2 leads p0, b1 returns and rejoins every ISR', () => {
    const sim = new Simulation(kafkaQuickStart(), { seed: 1 });
    sim.runUntil(2_100_000);
    const text = transcript(
      sim,
      (k, t) => k === 'note' || k === 'fault' || (k === 'send' && t !== undefined && CONTROL.includes(t)),
    );
    expectGolden(here('quick-start.golden.txt'), text, 'kafka, kafkaQuickStart(), seed 1, until 2.1 s');
  });

  it('unclean election: the ISR shrinks to b1, b1 dies, b2 leads without its records, b1 truncates them', () => {
    const sim = new Simulation(kafkaUncleanElection(), { seed: 1 });
    sim.runUntil(2_300_000);
    const text = transcript(sim, (k) => k === 'note' || k === 'fault')
      .split('\n')
      .filter((l) => !l.includes('timed out'))
      .join('\n');
    expectGolden(
      here('unclean-election.golden.txt'),
      text,
      'kafka, kafkaUncleanElection(), seed 1, until 2.3 s',
    );
  });
});
