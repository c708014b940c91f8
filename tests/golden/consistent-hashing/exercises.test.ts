import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { consistentHashing } from '../../../src/sim/protocols/consistent-hashing';
import { loadExercise, runAndGrade } from '../replication/exercise-check';

registerProtocol(consistentHashing);
const LEARNERS = ['Ada', 'Grace', 'Edsger'];

describe('built-in consistent-hashing exercises', () => {
  it('smooth the ring: 1 vnode fails, 256 vnodes pass', () => {
    const ex = loadExercise('consistent-hashing-smooth-the-ring');
    for (const who of LEARNERS) {
      expect(runAndGrade(ex, who).passed, who).toBe(false);
      const g = runAndGrade(ex, who, { vnodes: 256 });
      expect(g.passed, `${who}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
      // Changing the locked scheme is refused even when the numbers pass.
      expect(runAndGrade(ex, who, { scheme: 'rendezvous' }).passed).toBe(false);
    }
  });

  it('lose no key when a node leaves: one copy fails, two copies pass', () => {
    const ex = loadExercise('consistent-hashing-node-leaves');
    for (const who of LEARNERS) {
      expect(runAndGrade(ex, who).passed, who).toBe(false);
      const g = runAndGrade(ex, who, { replicationFactor: 2 });
      expect(g.passed, `${who}: ${JSON.stringify(g.goals.filter((x) => !x.passed))}`).toBe(true);
    }
  });
});
