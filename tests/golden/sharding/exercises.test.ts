import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { sharding } from '../../../src/sim/protocols/sharding';
import { loadExercise, runAndGrade, runAndGradeLive } from '../replication/exercise-check';

registerProtocol(sharding);
const LEARNERS = ['Ada', 'Grace', 'Edsger', 'Barbara'];

describe('built-in sharding exercises', () => {
  it('add a shard: two shards fail, three pass', () => {
    const ex = loadExercise('sharding-add-a-shard');
    for (const who of LEARNERS) {
      expect(runAndGrade(ex, who).passed, who).toBe(false);
      // Starting with three shards moves nothing: the transfer goal fails.
      expect(runAndGrade(ex, who, { shardCount: 0 }).goals.find((g) => g.id === 'transfers')?.passed).toBe(
        false,
      );
      const g = runAndGradeLive(ex, who, 2_000_000, { shardCount: 3 });
      expect(g.passed, `${who}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
    }
  });

  it('cheap range scans: hash fails, range with the default splits passes', () => {
    const ex = loadExercise('sharding-cheap-range-scans');
    for (const who of LEARNERS) {
      expect(runAndGrade(ex, who).passed, who).toBe(false);
      const g = runAndGrade(ex, who, { strategy: 'range' });
      expect(g.passed, `${who}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
    }
  });
});
