/**
 * The protocol-contract migration keeps behaviour: every built-in scenario gives, for seeds
 * 1..20, the same sequence of events (kind, time, nodes, message types) as the build the
 * fixture was recorded with (see lock.ts). A protocol whose behaviour changes on purpose
 * re-records the fixture in the same commit and says why in its body.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventDigest, lockedScenarios, SEEDS } from './lock';

const recorded = JSON.parse(readFileSync('tests/behaviour/events.json', 'utf8')) as Record<string, string[]>;

describe('behaviour lock: the same events as before the migration', () => {
  const scenarios = lockedScenarios();

  it('covers every scenario it was recorded with, and no new one silently', () => {
    expect(scenarios.map((s) => s.name).sort()).toEqual(Object.keys(recorded).sort());
  });

  for (const { name, scenario } of scenarios) {
    it(name, () => {
      const want = recorded[name];
      if (want === undefined) return; // reported by the coverage test above
      for (const seed of SEEDS)
        expect(eventDigest(scenario, seed), `${name}: reproduce with seed=${seed}`).toBe(want[seed - 1]);
    });
  }
});
