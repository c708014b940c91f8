import { describe, expect, it } from 'vitest';
import { FIGURE16_RANGES, leaderElectionExperiment } from './election-timeouts';

/** The paper's Figure 16 (§9.3) as a function: shape of its output, and the paper's trend. */
describe('leader-election experiment (Figure 16)', () => {
  it('returns sorted samples and a CDF per range, deterministically', () => {
    const opts = { ranges: [{ minMs: 150, maxMs: 300 }], trials: 20, seed: 3 };
    const [d] = leaderElectionExperiment(opts);
    expect(d!.range).toEqual({ minMs: 150, maxMs: 300 });
    expect(d!.samplesMs).toHaveLength(20);
    expect([...d!.samplesMs].sort((a, b) => a - b)).toEqual(d!.samplesMs);
    expect(d!.cdf.at(-1)!.p).toBe(1);
    expect(d!.cdf.map((c) => c.ms)).toEqual(d!.samplesMs);
    // The leader is missed for at least the minimum election timeout minus a heartbeat interval,
    // plus one round trip of votes.
    expect(d!.samplesMs[0]).toBeGreaterThan(150 - 50);
    expect(d!.capped).toBe(0);
    expect(leaderElectionExperiment(opts)).toEqual([d]);
  });

  it('more randomness means less time without a leader (the paper’s top graph)', () => {
    const [none, wide] = leaderElectionExperiment({
      ranges: [FIGURE16_RANGES[0]!, FIGURE16_RANGES[5]!],
      trials: 40,
      seed: 1,
    });
    // 150–150: split votes repeat; 150–300: one election nearly always suffices.
    expect(wide!.samplesMs.at(-1)!).toBeLessThan(none!.samplesMs.at(-1)!);
    expect(wide!.medianMs).toBeLessThan(400);
  });
});
