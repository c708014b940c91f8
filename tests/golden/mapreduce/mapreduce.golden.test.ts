import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../src/shared/scenario/schema';
import { mrQuickStart } from '../../../src/sim/protocols/mapreduce';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const notesAndFaults = (k: string) => k === 'note' || k === 'fault';

/** The master's story (assignments, failures, renames) and the faults, seed 1. */
function story(params: Record<string, unknown>, over: Record<string, unknown> = {}): Simulation {
  const sc = ScenarioSchema.parse({ ...mrQuickStart(params), ...over });
  const sim = new Simulation(sc, { seed: 1 });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
}

describe('MapReduce golden transcripts', () => {
  it('quick start: w3 crashes after its map, which is run again with its reduce', () => {
    const sim = story({});
    expect(sim.violation).toBeNull();
    expectGolden(
      here('quick-start.golden.txt'),
      transcript(sim, notesAndFaults),
      'mapreduce, mrQuickStart(), seed 1',
    );
  });

  it('a straggler with backup tasks: the backups finish first, the straggler’s copies are ignored', () => {
    const sim = story({ slowWorker: 'w4', backupTasks: true }, { faults: [] });
    expect(sim.violation).toBeNull();
    expectGolden(
      here('straggler-backups.golden.txt'),
      transcript(sim, notesAndFaults),
      "mapreduce, mrQuickStart({slowWorker: 'w4', backupTasks: true}), no faults, seed 1",
    );
  });

  it('bugNoRerunCompletedMaps: the reduces wait for a dead disk until job-completes stops the run', () => {
    const sim = story({ bugNoRerunCompletedMaps: true });
    expect(sim.violation?.invariant).toBe('job-completes');
    expectGolden(
      here('no-rerun-bug.golden.txt'),
      transcript(sim, (k) => k === 'note' || k === 'fault' || k === 'violation'),
      'mapreduce, mrQuickStart({bugNoRerunCompletedMaps: true}), seed 1',
    );
  });
});
