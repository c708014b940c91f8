import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { sharding, shardingAddShard } from '../../../src/sim/protocols/sharding';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(sharding);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('sharding golden transcripts', () => {
  it('adding s4 at 3 s: the reshard note, the hand-over notes and every transfer message', () => {
    const sim = new Simulation(shardingAddShard(), { seed: 1 });
    sim.runUntil(3_300_000);
    const text = transcript(
      sim,
      (k, t) =>
        (k === 'note' || k === 'fault' || k === 'send') &&
        (k !== 'send' || t === 'transfer' || t === 'table'),
    )
      .split('\n')
      .filter((l) => !l.includes('scan ['))
      .join('\n');
    expectGolden(here('add-shard.golden.txt'), text, 'sharding, shardingAddShard(), seed 1, until 3.3 s');
  });
});
