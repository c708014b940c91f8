/**
 * Long work on the host in slices: a few milliseconds of work, then a yield to the event loop,
 * so every other call (on any socket or window) is answered while it runs. The sim host's
 * stepping calls and play, and experiments.run, all work this way (docs/architecture.md).
 */

/** Wall-clock work per slice, milliseconds. */
export const SLICE_MS = 8;
/** Least wall time between two progress events of one piece of work, milliseconds. */
export const PROGRESS_MS = 50;

/** The wall clock and the yield, injected so tests can drive them. */
export interface SliceClock {
  /** Wall clock in milliseconds (performance.now in production). */
  nowMs(): number;
  /** Lets the event loop serve other work (setImmediate in production). */
  yieldNow(): Promise<void>;
}

/** The real clock. */
export const realClock: SliceClock = {
  nowMs: () => performance.now(),
  yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
};

/**
 * Runs `step` (one small piece of work; it returns false once there is no more) for at most
 * SLICE_MS at a time, yielding between slices. `afterSlice` runs after every slice that leaves
 * work to do (progress, budget checks: it may throw to stop). Resolves true when the work ran
 * to its end, false when `cancelled()` stopped it first.
 */
export async function runSliced(
  step: () => boolean,
  opts: { clock?: SliceClock; cancelled?: () => boolean; afterSlice?: () => void } = {},
): Promise<boolean> {
  const clock = opts.clock ?? realClock;
  for (;;) {
    const started = clock.nowMs();
    do {
      if (!step()) return true;
    } while (clock.nowMs() - started < SLICE_MS);
    opts.afterSlice?.();
    await clock.yieldNow();
    if (opts.cancelled?.()) return false;
  }
}
