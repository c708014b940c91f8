// Every tone a commit protocol's Locks tab draws is named in its legend: a learner reading a
// green bar must find what green means. Checked on each protocol's quick start (what the topic
// picker opens), seeds 1..3, reading the view at several moments of the run so that stretches
// that end (forcing COMMIT, the coordinator's downtime) are caught while they are drawn.
import { describe, expect, it } from 'vitest';
import { defaultScenario, Simulation } from '../../../index';

const COMMIT_PROTOCOLS = ['two-phase-commit', 'three-phase-commit', 'paxos-commit'] as const;
const SEEDS = [1, 2, 3];
const READS = 12;

describe('the Locks legend of the commit protocols', () => {
  it.each(COMMIT_PROTOCOLS.map((p) => [p]))('%s: every bar tone drawn is in the legend', (protocol) => {
    const base = defaultScenario(protocol);
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const sim = new Simulation({ ...base, seed }, { seed });
      const endUs = base.limits.maxTimeUs;
      for (let k = 1; k <= READS; k++) {
        sim.runUntil(Math.round((endUs * k) / READS));
        const view = sim.view('locks');
        expect(view?.kind, `${protocol} seed ${seed}`).toBe('timeline');
        if (view?.kind !== 'timeline') return;
        const legend = new Set((view.legend ?? []).map((l) => l.tone));
        for (const bar of view.bars) {
          seen.add(bar.tone);
          expect(
            legend.has(bar.tone),
            `${protocol} seed ${seed}: "${bar.title}" is ${bar.tone}, not in the legend`,
          ).toBe(true);
        }
      }
    }
    // The quick starts show locks at work: at least the lock, vote and commit stretches.
    expect(seen.size, `${protocol}: tones drawn ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(3);
  });
});
