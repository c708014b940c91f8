import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { readReplication } from '../../../src/sim/protocols/replication';
import { loadExercise, runAndGrade } from './exercise-check';

registerProtocol(readReplication);
const LEARNERS = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Leslie', 'Nancy'];

describe('built-in replication exercises', () => {
  it('failover without losing writes: async fails, semi-sync and sync pass, for every learner', () => {
    const ex = loadExercise('replication-failover-no-lost-writes');
    for (const who of LEARNERS) {
      const start = runAndGrade(ex, who);
      expect(start.passed, who).toBe(false);
      expect(start.goals.find((g) => g.id === 'no-loss')?.passed, who).toBe(false);
      for (const mode of ['semi-sync', 'sync']) {
        const g = runAndGrade(ex, who, { mode });
        expect(g.passed, `${who} ${mode}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
      }
      // Changing a locked part is refused.
      expect(runAndGrade(ex, who, { mode: 'sync', failover: 'manual' }).passed).toBe(false);
    }
  });

  it('scale reads without stale reads: leader-only reads and sync alone fail, sync waiting for applied passes', () => {
    const ex = loadExercise('replication-no-stale-reads');
    for (const who of LEARNERS) {
      expect(runAndGrade(ex, who).passed, who).toBe(false);
      const leaderOnly = runAndGrade(ex, who, { readPolicy: 'leader' });
      expect(leaderOnly.goals.find((g) => g.id === 'followers-read')?.passed, who).toBe(false);
      // Sync followers store a write before it is acknowledged, but apply it only when they hear
      // it is committed: a read there in between is stale.
      const stored = runAndGrade(ex, who, { mode: 'sync' });
      expect(stored.goals.find((g) => g.id === 'no-stale')?.passed, who).toBe(false);
      const g = runAndGrade(ex, who, { mode: 'sync', waitFor: 'applied' });
      expect(g.passed, `${who}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
    }
  });
});
