// Issue 17: availability against consistency over time. The windowed series of every key-value
// run (kernel/kv-metrics.ts kvWindowSeries) show CAP's trade-off on the library's two Dynamo
// scenarios, the same replicas and the same partition from 1 s to 3 s: the CP side stops
// answering while the AP side keeps answering and reads stale values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileItems } from '../shared/files/format';
import { parseFile } from '../shared/files/parse';
import type { Scenario } from '../shared/scenario/schema';
import { Simulation } from './simulation';

function libraryScenario(name: string): Scenario {
  const file = parseFile(readFileSync(path.resolve(`resources/library/${name}.dslab.json`), 'utf8'));
  if (!file.ok) throw new Error(file.message);
  return fileItems(file.file).scenarios[0]!.scenario;
}

const SEEDS = Array.from({ length: 10 }, (_, k) => k + 1);
const PARTITION_FROM_US = 1_000_000;
const HEAL_US = 3_000_000;

/** Mean of a series over the windows that end in (fromUs, toUs]; NaN when none. */
function mean(s: { tUs: number[]; v: number[] }, fromUs: number, toUs: number): number {
  const v = s.v.filter((_, k) => s.tUs[k]! > fromUs && s.tUs[k]! <= toUs);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function windows(name: string, seed: number) {
  const sim = new Simulation(libraryScenario(name), { seed });
  sim.runFor(10_000_000);
  expect(sim.done).toBe(true);
  const m = sim.metrics();
  const series = (id: string) => m.series.find((s) => s.id === id)!;
  return { availability: series('windowAvailability'), stale: series('windowStaleReads'), gauges: m.gauges };
}

describe('CAP over time: the windowed availability and stale-read share (seeds 1..10)', () => {
  it.each(SEEDS)(
    'seed %i: CP answers less while partitioned and never stale; AP answers and goes stale',
    (seed) => {
      const cp = windows('dynamo-cp-partition', seed);
      const ap = windows('dynamo-ap-partition', seed);
      // Before the partition both answer everything, and nothing is stale.
      for (const w of [cp, ap]) {
        expect(mean(w.availability, 0, PARTITION_FROM_US)).toBe(1);
        expect(mean(w.stale, 0, PARTITION_FROM_US)).toBe(0);
      }
      // While partitioned: CP's availability dips, AP's stays higher; AP's stale share rises, CP's stays 0.
      const cpAvail = mean(cp.availability, PARTITION_FROM_US, HEAL_US);
      const apAvail = mean(ap.availability, PARTITION_FROM_US, HEAL_US);
      expect(cpAvail).toBeLessThan(0.95);
      expect(apAvail).toBeGreaterThan(cpAvail);
      expect(Math.max(...cp.stale.v)).toBe(0);
      expect(mean(ap.stale, PARTITION_FROM_US, HEAL_US)).toBeGreaterThan(0.1);
      // The two sides diverge while partitioned, and converge within a second of the heal.
      for (const w of [cp, ap]) {
        expect(w.gauges.convergedAfterHealUs).toBeGreaterThan(0);
        expect(w.gauges.convergedAfterHealUs).toBeLessThanOrEqual(1_000_000);
      }
    },
  );
});
