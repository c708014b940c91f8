import { describe, expect, it } from 'vitest';
import { ExperimentRuns } from './experiment-runs';

const fig16 = { experiment: 'raft-election-timeouts', trials: 500, seed: 1 };

describe('experiment runs on the host', () => {
  it('a closed socket cancels the runs it started, not the others', async () => {
    const runs = new ExperimentRuns();
    const mine = runs.run({ ...fig16, runId: 'a' }, 'socket-a');
    const theirs = runs.run({ ...fig16, trials: 5, runId: 'b' }, 'socket-b');
    runs.release('socket-a');
    await expect(mine).rejects.toMatchObject({ code: 'cancelled' });
    await expect(theirs).resolves.toHaveLength(11);
  });

  it('stops at the host memory budget, naming it and how to raise it', async () => {
    const runs = new ExperimentRuns({
      hostBudgetBytes: 512 * 1024 * 1024,
      hostBytes: () => 700 * 1024 * 1024,
    });
    await expect(runs.run(fig16)).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(
        /stopped after \d+ of 5000 trials: DSLab is using 700 MiB, over its memory budget of 512 MiB.*DSLAB_MEMORY_MB=N/,
      ),
    });
  });
});
