// The Space-time tab keeps the offending operations of a finished run when the run steps back
// from its end (the history checks then say "evaluated when the run is done").
import { describe, expect, it, vi } from 'vitest';
import type { OffendingOp, Res } from '../../../shared/api';

const status = {
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
};
vi.mock('../api/client', () => ({
  call: (method: string) =>
    Promise.resolve(method === 'sim.nodes' || method === 'sim.injections' ? [] : status),
  subscribe: () => () => {},
}));
globalThis.requestAnimationFrame = (() => 0) as typeof requestAnimationFrame;
const { inject, keptOffending } = await import('./run');
const { useRun } = await import('../stores/run-store');

type Verdicts = Res<'sim.invariants'>;
const op = (opId: number): OffendingOp => ({
  opId,
  offending: true,
  why: 'stale read: got v1, but v2 was written (op #2) before it began',
  client: 'c1',
  kind: 'read',
  key: 'k',
  output: 'v1',
  callUs: 10,
  returnUs: 20,
  invokeEvent: 3,
  replyNode: 'c1',
  returnEvent: 4,
});
const lin = (ok: boolean | null, offending?: OffendingOp[]): Verdicts[number] => ({
  id: 'linearizability',
  kind: 'history',
  ok,
  message: '',
  atEvent: ok === null ? null : 9,
  ...(offending ? { offending } : {}),
});

describe('keptOffending', () => {
  it('takes what a failed check names, keeps it while the check waits for the end, and drops it when it passes', () => {
    const failed = keptOffending([], [lin(false, [op(5)])]);
    expect(failed).toEqual([{ check: 'linearizability', ops: [op(5)] }]);
    expect(keptOffending(failed, [lin(null)])).toEqual(failed);
    expect(keptOffending(failed, [lin(true)])).toEqual([]);
    expect(keptOffending(failed, [lin(false, [op(7)])])).toEqual([
      { check: 'linearizability', ops: [op(7)] },
    ]);
  });

  it('a fault injected live forgets them: the future of the run, and its history, are no longer those', async () => {
    useRun.getState().set({ simId: 'sim-1', offending: [{ check: 'linearizability', ops: [op(5)] }] });
    await inject({ kind: 'crash', node: 'n1' });
    expect(useRun.getState().offending).toEqual([]);
  });
});
