import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { causalityOf, toShiViz } from '../../../src/sim/analysis/causality';
import { logicalClocks } from '../../../src/sim/protocols/vector-clocks/logical-clocks';
import { Simulation } from '../../../src/sim/simulation';
import { quickStartScenario } from '../../../src/sim/toolkit/quick-start';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const run = (clock: 'lamport' | 'vector', untilUs: number) => {
  const sim = new Simulation(quickStartScenario(logicalClocks, { clock }), { seed: 1 });
  sim.runUntil(untilUs);
  return sim;
};
const keep = (k: string) => k === 'note' || k === 'send' || k === 'deliver';

describe('logical clocks golden transcripts', () => {
  it('vector clocks: the first 1.5 s, every send, delivery and stamped event', () => {
    const text = transcript(run('vector', 1_500_000), keep);
    expectGolden(
      here('vector-quick-start.txt'),
      text,
      'logical-clocks, clock=vector, quick start, seed 1, until 1.5 s',
    );
  });

  it('Lamport clocks: the same run with scalar stamps', () => {
    const text = transcript(run('lamport', 1_500_000), keep);
    expectGolden(
      here('lamport-quick-start.txt'),
      text,
      'logical-clocks, clock=lamport, quick start, seed 1, until 1.5 s',
    );
  });

  it('the ShiViz export of the first second of the vector run', () => {
    const sim = run('vector', 1_000_000);
    const text = toShiViz(
      causalityOf(sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER)),
    );
    expectGolden(
      here('vector-shiviz.log.txt'),
      text,
      'dslab shiviz of logical-clocks, clock=vector, seed 1, until 1 s',
    );
  });
});
