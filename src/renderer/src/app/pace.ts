/**
 * Playback speed per scenario (issue 15 item 1): a scenario opens at the speed chosen for it
 * before, else at its protocol's own (ProtocolInfo.speed, where its story plays at a human
 * pace); a speed the person chooses is remembered for the scenario in the settings, so it
 * survives a reload. The pure rules are in run/speeds.ts.
 */
import type { Settings } from '../../../shared/api';
import { call } from '../api/client';
import { openingSpeed, rememberSpeed, type Speeds, speedKey } from '../run/speeds';
import { useLibrary } from '../stores/library-store';
import { SPEED_DEFAULT_X, usePlayback } from '../stores/playback-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { reportError } from './report';
import { speedChanged } from './run';

/** Idle time after the last slider move before the speeds are written to the settings. */
const SAVE_IDLE_MS = 300;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

/** The key the open scenario's speed is kept under. */
export function currentSpeedKey(): string | null {
  return speedKey(useLibrary.getState().doc?.itemId, useSession.getState().protocolId);
}

/** Takes the speeds kept in the settings (at boot). */
export function loadSpeeds(settings: Pick<Settings, 'speeds'>): void {
  usePlayback.getState().setSpeeds(settings.speeds ?? {});
}

function keep(speeds: Speeds): void {
  usePlayback.getState().setSpeeds(speeds);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    call('settings.set', { speeds: usePlayback.getState().speeds }).catch((err) =>
      reportError('Could not keep the playback speed', err),
    );
  }, SAVE_IDLE_MS);
}

/**
 * Sets the speed for the scenario just opened. `protocolChanged`: the scenario's protocol was
 * switched under it, a different story, so its protocol's speed applies and a speed chosen for
 * the old protocol is forgotten.
 */
export function applyScenarioSpeed(opts: { protocolChanged?: boolean } = {}): void {
  const key = currentSpeedKey();
  const playback = usePlayback.getState();
  if (opts.protocolChanged && key !== null && playback.speeds[key] !== undefined)
    keep(rememberSpeed(playback.speeds, key, null));
  const protocol = selectProtocol(useSession.getState());
  playback.setSpeed(openingSpeed(usePlayback.getState().speeds, key, protocol?.speed ?? SPEED_DEFAULT_X));
  speedChanged();
}

/** The person chose a speed: play at it now and remember it for this scenario. */
export function chooseSpeed(x: number): void {
  const playback = usePlayback.getState();
  playback.setSpeed(x);
  speedChanged();
  const key = currentSpeedKey();
  if (key !== null) keep(rememberSpeed(playback.speeds, key, usePlayback.getState().speedX));
}

/** The open document was saved as a new item: a speed chosen under `fromKey` goes with it. */
export function carrySpeed(fromKey: string | null): void {
  const key = currentSpeedKey();
  const speeds = usePlayback.getState().speeds;
  const chosen = fromKey === null ? undefined : speeds[fromKey];
  if (key !== null && key !== fromKey && chosen !== undefined) keep(rememberSpeed(speeds, key, chosen));
}
