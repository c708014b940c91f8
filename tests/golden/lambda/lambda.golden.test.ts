import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Scenario, ScenarioSchema } from '../../../src/shared/scenario/schema';
import { kappaReplay, lambdaQuickStart } from '../../../src/sim/protocols/lambda';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const notesAndFaults = (k: string) => k === 'note' || k === 'fault';

/** The layers' story (batch runs, views installed, rebuilds, replays, switch-over), seed 1. */
function story(sc: Scenario): Simulation {
  const sim = new Simulation(sc, { seed: 1 });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
}

describe('Lambda and Kappa golden transcripts', () => {
  it('Lambda quick start: the batch run cut off by a crash is redone from the dataset; the speed node rebuilds', () => {
    const sim = story(lambdaQuickStart());
    expect(sim.violation).toBeNull();
    expectGolden(
      here('quick-start.golden.txt'),
      transcript(sim, notesAndFaults),
      'lambda, lambdaQuickStart(), seed 1',
    );
  });

  it('human-fault tolerance: the buggy speed node skips what it missed; the next batch views replace it', () => {
    const base = lambdaQuickStart({ bugSpeedSkipsGap: true });
    const sc = ScenarioSchema.parse({ ...base, faults: base.faults.filter((f) => f.atUs >= 3_000_000) });
    const sim = story(sc);
    expect(sim.violation).toBeNull();
    expectGolden(
      here('speed-bug-healed.golden.txt'),
      transcript(sim, notesAndFaults),
      'lambda, lambdaQuickStart({bugSpeedSkipsGap: true}), only the speed node crashes (3.2 s), seed 1',
    );
  });

  it('Kappa: v1 crashes, v2 is deployed, replays the log, and the serving layer switches to it', () => {
    const sim = story(kappaReplay());
    expect(sim.violation).toBeNull();
    expectGolden(
      here('kappa-replay.golden.txt'),
      transcript(sim, notesAndFaults),
      'lambda, kappaReplay(), seed 1',
    );
  });
});
