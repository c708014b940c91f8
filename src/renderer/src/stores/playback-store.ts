/**
 * Run settings the toolbar edits: the seed and the speed. Where the run is (event, time)
 * lives in the run store, as the host reports it.
 */
import { create } from 'zustand';
import { SPEED_MAX_X, SPEED_MIN_X } from '../../../shared/api';
import { clampSpeed, type Speeds } from '../run/speeds';

export { SPEED_MAX_X, SPEED_MIN_X };
/**
 * The speed before any scenario opened: 0.005x, so a 1 ms hop takes 200 ms on screen. A
 * scenario opens at its protocol's own speed (ProtocolInfo.speed) or the one chosen for it
 * (app/pace.ts).
 */
export const SPEED_DEFAULT_X = 0.005;

interface PlaybackState {
  /** The run's seed: every random draw derives from it. */
  seed: number;
  /** Playback speed in virtual seconds per wall second. */
  speedX: number;
  /** The speed chosen per scenario (kept in the settings; run/speeds.ts). */
  speeds: Speeds;
  /** Sets the seed (a non-negative integer below 2^32). */
  setSeed(seed: number): void;
  /** Sets the speed, clamped to the supported range. */
  setSpeed(speedX: number): void;
  /** Replaces the speeds chosen per scenario. */
  setSpeeds(speeds: Speeds): void;
}

/** Clamps a seed to a non-negative 32-bit integer. */
export function clampSeed(seed: number): number {
  if (!Number.isFinite(seed)) return 0;
  return Math.min(0xffff_ffff, Math.max(0, Math.trunc(seed)));
}

export const usePlayback = create<PlaybackState>()((set) => ({
  seed: 1,
  speedX: SPEED_DEFAULT_X,
  speeds: {},
  setSeed: (seed) => set({ seed: clampSeed(seed) }),
  setSpeed: (speedX) => set({ speedX: clampSpeed(speedX) }),
  setSpeeds: (speeds) => set({ speeds }),
}));
