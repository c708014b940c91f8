/**
 * Run settings the toolbar edits: the seed and the speed. Where the run is (event, time)
 * lives in the run store, as the host reports it.
 */
import { create } from 'zustand';
import { SPEED_MAX_X, SPEED_MIN_X } from '../../../shared/api';

export { SPEED_MAX_X, SPEED_MIN_X };
/**
 * The default speed: 0.005x, so a 1 ms hop takes 200 ms on screen and ping-pong's messages
 * can be followed by eye. Protocols with 100 ms timers want the slider further right.
 */
export const SPEED_DEFAULT_X = 0.005;

interface PlaybackState {
  /** The run's seed: every random draw derives from it. */
  seed: number;
  /** Playback speed in virtual seconds per wall second. */
  speedX: number;
  /** Sets the seed (a non-negative integer below 2^32). */
  setSeed(seed: number): void;
  /** Sets the speed, clamped to the supported range. */
  setSpeed(speedX: number): void;
}

/** Clamps a seed to a non-negative 32-bit integer. */
export function clampSeed(seed: number): number {
  if (!Number.isFinite(seed)) return 0;
  return Math.min(0xffff_ffff, Math.max(0, Math.trunc(seed)));
}

export const usePlayback = create<PlaybackState>()((set) => ({
  seed: 1,
  speedX: SPEED_DEFAULT_X,
  setSeed: (seed) => set({ seed: clampSeed(seed) }),
  setSpeed: (speedX) => set({ speedX: Math.min(SPEED_MAX_X, Math.max(SPEED_MIN_X, speedX)) }),
}));
