import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Scenario, ScenarioSchema } from '../../../src/shared/scenario/schema';
import { hadoopQuickStart, sparkQuickStart, stormQuickStart } from '../../../src/sim/protocols/dataflow';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const notesAndFaults = (k: string) => k === 'note' || k === 'fault' || k === 'violation';
const crashW3 = (atUs: number, backUs: number) => [
  { atUs, fault: { kind: 'crash', node: 'w3' } },
  { atUs: backUs, fault: { kind: 'restart', node: 'w3' } },
];

/** The master's (or spout's) story and the faults, seed 1. */
function story(sc: Scenario, over: Record<string, unknown> = {}): Simulation {
  const s = ScenarioSchema.parse({ ...sc, ...over });
  const sim = new Simulation(s, { seed: 1 });
  sim.runUntil(s.limits.maxTimeUs);
  return sim;
}

describe('Hadoop, Spark and Storm golden transcripts', () => {
  it('Hadoop: w3 crashes in job 3; only job 3’s map of w3 runs again, the earlier rounds are in HDFS', () => {
    const sim = story(hadoopQuickStart(), { faults: crashW3(1_000_000, 1_500_000) });
    expect(sim.violation).toBeNull();
    expectGolden(
      here('hadoop-crash.golden.txt'),
      transcript(sim, notesAndFaults),
      'hadoop, hadoopQuickStart(), w3 down 1.0-1.5 s, seed 1',
    );
  });

  it('Spark: w3 crashes mid-job; its cached links and shuffle outputs are recomputed back along the lineage', () => {
    const sim = story(sparkQuickStart(), { faults: crashW3(600_000, 1_100_000) });
    expect(sim.violation).toBeNull();
    expectGolden(
      here('spark-crash.golden.txt'),
      transcript(sim, notesAndFaults),
      'spark, sparkQuickStart(), w3 down 0.6-1.1 s, seed 1',
    );
  });

  it('Storm quick start: the lines w3 held time out and are replayed; every line acked', () => {
    const sim = story(stormQuickStart());
    expect(sim.violation).toBeNull();
    expectGolden(
      here('storm-quick-start.golden.txt'),
      transcript(sim, notesAndFaults),
      'storm, stormQuickStart(), seed 1',
    );
  });

  it('Storm bugAckBeforeEmit: the spout is done while words are missing, and no-loss stops the run', () => {
    const sim = story(stormQuickStart({ bugAckBeforeEmit: true }));
    expect(sim.violation?.invariant).toBe('no-loss');
    expectGolden(
      here('storm-ack-before-emit.golden.txt'),
      transcript(sim, notesAndFaults),
      'storm, stormQuickStart({bugAckBeforeEmit: true}), seed 1',
    );
  });
});
