import { describe, expect, it } from 'vitest';
import {
  distribution,
  FIGURE16_RANGES,
  FIGURE16_SCALED_RANGES,
  leaderElectionExperiment,
  type TrialSetup,
} from './election-timeouts';

/** The paper's Figure 16 (§9.3) as a function: its method, its accounting, its trend. */
describe('leader-election experiment (Figure 16)', () => {
  it('counts every trial: with no randomness every one is censored at the cap, none dropped', () => {
    const [d] = leaderElectionExperiment({ ranges: [FIGURE16_RANGES[0]!], trials: 12, seed: 1 });
    expect(d!.trials).toBe(12);
    expect(d!.samplesMs.length + d!.censored).toBe(12);
    // 150–150 ms: split votes repeat for good (the paper: "consistently took longer than 10 s").
    expect(d!.censored).toBe(12);
    expect(d!.medianMs).toBeNull();
    expect(d!.cdf).toEqual([]);
  });

  it('censored trials stay in the distribution: the CDF ends below 1 and they move the median', () => {
    const d = distribution({ minMs: 150, maxMs: 151 }, 75, [300, 100, 200], 2, 10_000);
    expect(d.trials).toBe(5);
    expect(d.samplesMs).toEqual([100, 200, 300]);
    expect(d.cdf).toEqual([
      { ms: 100, p: 0.2 },
      { ms: 200, p: 0.4 },
      { ms: 300, p: 0.6 },
    ]);
    expect(d.medianMs).toBe(300);
    expect(distribution({ minMs: 1, maxMs: 1 }, 1, [100, 200], 2, 10_000).medianMs).toBeNull();
    expect(distribution({ minMs: 1, maxMs: 1 }, 1, [100, 200], 1, 10_000).medianMs).toBe(200);
  });

  it('follows §9.3: heartbeats at half the minimum, crash within the heartbeat interval, two followers that cannot win', () => {
    const seen: TrialSetup[] = [];
    const [d] = leaderElectionExperiment({
      ranges: [{ minMs: 150, maxMs: 300 }],
      trials: 30,
      seed: 2,
      observe: (t) => seen.push(t),
    });
    expect(d!.heartbeatMs).toBe(75);
    expect(seen).toHaveLength(30);
    const offsets = seen.map((t) => t.crashUs - t.heartbeatUs);
    for (const t of seen) {
      expect(t.heartbeatIntervalUs).toBe(75_000);
      expect(t.crashUs - t.heartbeatUs).toBeGreaterThanOrEqual(0);
      expect(t.crashUs - t.heartbeatUs).toBeLessThan(75_000);
      // Logs of different lengths: the two laggards lack the leader's newest entry, the others have it.
      expect(t.laggards).toHaveLength(2);
      expect(t.laggards).not.toContain(t.leader);
      const top = t.lastLogIndex[t.leader]!;
      for (const [id, last] of Object.entries(t.lastLogIndex))
        expect(last).toBe(t.laggards.includes(id) ? top - 1 : top);
    }
    // Spread over the interval, not bunched at one end; laggards drawn at random.
    expect(Math.min(...offsets)).toBeLessThan(25_000);
    expect(Math.max(...offsets)).toBeGreaterThan(50_000);
    expect(new Set(seen.map((t) => t.laggards.join())).size).toBeGreaterThan(3);
  });

  it('is deterministic and returns sorted samples', () => {
    const opts = { ranges: [{ minMs: 150, maxMs: 300 }], trials: 20, seed: 3 };
    const [d] = leaderElectionExperiment(opts);
    expect([...d!.samplesMs].sort((a, b) => a - b)).toEqual(d!.samplesMs);
    expect(d!.cdf.map((c) => c.ms)).toEqual(d!.samplesMs);
    expect(d!.censored).toBe(0);
    expect(d!.cdf.at(-1)!.p).toBe(1);
    // At least the minimum timeout minus the heartbeat interval, plus a round of votes.
    expect(d!.samplesMs[0]).toBeGreaterThan(150 - 75);
    expect(leaderElectionExperiment(opts)).toEqual([d]);
  });

  it('shows the paper’s trends: randomness removes split votes; smaller timeouts, less downtime', () => {
    const [none, wide] = leaderElectionExperiment({
      ranges: [FIGURE16_RANGES[0]!, FIGURE16_RANGES[5]!],
      trials: 40,
      seed: 1,
    });
    expect(none!.censored).toBe(40);
    expect(wide!.censored).toBe(0);
    expect(wide!.medianMs!).toBeLessThan(400);
    const [small, big] = leaderElectionExperiment({
      ranges: [FIGURE16_SCALED_RANGES[0]!, FIGURE16_SCALED_RANGES[4]!],
      trials: 40,
      seed: 1,
    });
    expect(small!.heartbeatMs).toBe(6);
    expect(small!.medianMs!).toBeLessThan(big!.medianMs!);
  });
});
