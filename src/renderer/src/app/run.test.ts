// Issue 16 item 4: the page runs its run commands one after another, so a Pause clicked during
// a long one (a step to the next fault, a seek far away) used to wait until it ended. Pause and
// Reset now reach the host while it runs. Checked by the order of calls, not by timings.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimStatusInfo } from '../../../shared/api';

/** The calls the page sent, in order; a stepping call stays open until the test ends it. */
const sent: string[] = [];
let endLong: (() => void) | null = null;

const status = (over: Partial<SimStatusInfo> = {}): SimStatusInfo => ({
  simId: 'sim-1',
  eventIndex: 10,
  nowUs: 1000,
  done: false,
  stopReason: null,
  violation: null,
  queued: 1,
  traceRows: 10,
  seed: 1,
  reachedEvent: 10,
  playing: false,
  steps: 0,
  ...over,
});

vi.mock('../api/client', () => ({
  call: (method: string) => {
    sent.push(method);
    if (method === 'sim.stepUntil')
      return new Promise((resolve) => {
        endLong = () => resolve(status({ eventIndex: 500, steps: 490, matched: false }));
      });
    if (method === 'sim.nodes') return Promise.resolve([]);
    if (method === 'sim.close') return Promise.resolve({ closed: true });
    return Promise.resolve(status());
  },
  subscribe: () => () => {},
}));

globalThis.requestAnimationFrame = (() => 0) as typeof requestAnimationFrame;

const { pause, reset, stepUntil } = await import('./run');
const { useRun } = await import('../stores/run-store');

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  sent.length = 0;
  endLong = null;
  useRun.getState().clear();
  useRun.getState().set({ simId: 'sim-1', status: status() });
});

describe('run commands of one page', () => {
  it('a Pause clicked during a long step reaches the host before the step ends', async () => {
    const step = stepUntil({ kind: 'fault' });
    await settle();
    expect(sent).toEqual(['sim.stepUntil']);
    const paused = pause();
    await settle();
    // Sent at once (it stops the step on the host), while the step is still open.
    expect(sent).toEqual(['sim.stepUntil', 'sim.pause']);
    expect(endLong).not.toBeNull();
    endLong!();
    await Promise.all([step, paused]);
    // Then in its turn as well, so nothing queued before it keeps running.
    expect(sent).toEqual(['sim.stepUntil', 'sim.pause', 'sim.nodes', 'sim.pause']);
  });

  it('a Reset clicked during a long step stops it at once, then closes the run in turn', async () => {
    const step = stepUntil({ kind: 'fault' });
    await settle();
    const resetting = reset();
    await settle();
    expect(sent).toEqual(['sim.stepUntil', 'sim.pause']);
    endLong!();
    await Promise.all([step, resetting]);
    expect(sent.slice(0, 4)).toEqual(['sim.stepUntil', 'sim.pause', 'sim.nodes', 'sim.close']);
  });

  it('with nothing under way, Pause is sent once', async () => {
    await pause();
    expect(sent).toEqual(['sim.pause']);
  });
});
