import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import {
  kafka,
  kafkaConsumerGroup,
  kafkaQuickStart,
  kafkaUncleanElection,
} from '../../../src/sim/protocols/kafka';
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

  it('consumer group: joins, g3 crashes and returns, g2 is cut off and removed, its late commit refused', () => {
    const sim = new Simulation(kafkaConsumerGroup(), { seed: 1 });
    sim.runUntil(3_000_000);
    // The coordinator's and the consumers' notes and the faults: the group's story without the brokers'.
    const text = transcript(sim, (k) => k === 'note' || k === 'fault')
      .split('\n')
      .filter((l) => / (ctl|g\d) /.test(l))
      .join('\n');
    expectGolden(here('consumer-group.golden.txt'), text, 'kafka, kafkaConsumerGroup(), seed 1, until 3 s');
  });
});
