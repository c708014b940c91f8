/**
 * Each bug switch is caught by a check on its scenario (bench/bug-switch-plan.ts). The sweep
 * over 500 seeds is a measurement (bench/bug-switches.ts, docs/protocols/bug-switches.md); here
 * a few seeds per switch: the expected check stops an early seed with the switch on, and the
 * same seed passes with it off. The consensus nemesis scenarios are covered the same way by
 * tests/golden/consensus-nemesis.test.ts; read replication is left to the sweep while its
 * rewrite is under way.
 */
import { describe, expect, it } from 'vitest';
import { subjects } from '../bench/bug-switch-plan';
import { runSeed } from '../src/cli/run-seed';
import { listProtocols } from '../src/sim';

const COVERED_ELSEWHERE = /-nemesis\.dslab\.json/;
const SEEDS = 5;

describe('bug switches: every one has a scenario and a check that catches it', () => {
  const all = subjects();

  it('the plan names every bug switch of every protocol', () => {
    const planned = all.map((s) => s.id).sort();
    const declared = listProtocols()
      .flatMap((p) => p.bugs.map((b) => `${p.id}.${b.param}`))
      .sort();
    expect(planned).toEqual(declared);
  });

  for (const s of all) {
    if (s.catches === null || COVERED_ELSEWHERE.test(s.scenario) || s.protocol === 'read-replication')
      continue;
    it(`${s.id}: ${s.catches} stops an early seed of ${s.scenario}; the same seed passes with the switch off`, () => {
      let caught: number | null = null;
      for (let seed = 1; seed <= SEEDS && caught === null; seed++) {
        const r = runSeed(s.load(true), seed);
        if (r.violation !== null) {
          expect(r.violation.invariant, `seed ${seed}: ${r.violation.message}`).toBe(s.catches);
          caught = seed;
        }
      }
      expect(caught, `no violation on seeds 1..${SEEDS}`).not.toBeNull();
      const off = runSeed(s.load(false), caught!);
      expect(off.violation, `seed ${caught} with the switch off`).toBeNull();
    });
  }
});
