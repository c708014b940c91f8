/**
 * Run settings the toolbar edits before the simulation host exists: the seed and the speed.
 * The virtual time stays 0 until the host streams sim.progress.
 */
import { create } from 'zustand';

/** Slowest and fastest playback, in multiples of real time. */
export const SPEED_MIN_X = 0.1;
export const SPEED_MAX_X = 1000;

interface PlaybackState {
  /** The run's seed: every random draw derives from it. */
  seed: number;
  /** Playback speed in multiples of real time. */
  speedX: number;
  /** Virtual time of the current event, in microseconds. */
  timeUs: number;
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
  speedX: 1,
  timeUs: 0,
  setSeed: (seed) => set({ seed: clampSeed(seed) }),
  setSpeed: (speedX) => set({ speedX: Math.min(SPEED_MAX_X, Math.max(SPEED_MIN_X, speedX)) }),
}));
