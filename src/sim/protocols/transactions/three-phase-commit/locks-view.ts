import type { ViewSpec } from '../../../protocol';
import { locksView } from '../shared/locks-view';
import type { LockSpan3, ThreePcState } from './three-phase-commit';

/**
 * The Locks tab of three-phase commit: one row per participant with a bar per lock, from
 * VOTE-REQ to its release, toned by stretch (q, w, p, termination, forcing COMMIT), and the
 * coordinator's row showing when it was down. Two-phase commit's tab (same rows, markers and
 * tones, drawn by ../shared/locks-view.ts) with 3PC's committable stretch added and the red
 * stretch renamed: here it is the termination protocol at work, not a wait for the
 * coordinator. With five tones, p shares green with "forcing COMMIT" (both are bound to
 * commit); w, which may still abort, is the only orange. Next to two-phase commit's tab on the
 * same crash, the red stretch is short: the participants decide without the coordinator.
 */
export const threePcLocksView: ViewSpec<ThreePcState> = locksView<ThreePcState, LockSpan3>({
  stretches: [
    { from: 'lockedUs', tone: 'info', what: 'q: locked, forcing its YES record', suffix: '' },
    { from: 'yesUs', tone: 'warn', what: 'w: voted YES, uncertain', suffix: ' w' },
    { from: 'precommitUs', tone: 'good', what: 'p: precommitted (committable)', suffix: ' p' },
    {
      from: 'blockedUs',
      tone: 'bad',
      what: 'the coordinator fell silent: termination protocol (or, recovered, asking)',
      suffix: ' terminating',
    },
    { from: 'decidedUs', tone: 'good', what: 'COMMIT known, forcing its COMMIT record', suffix: ' COMMIT' },
  ],
  record: 'YES',
  holder: 'participant',
  coordinator: 'coordinator',
  stuck: (sp) => sp.blockedUs !== null && sp.decidedUs === null,
  caption: (held, terminating) =>
    `Locks held per participant · ${held} held now${terminating > 0 ? ` · ${terminating} in the termination protocol` : ''}`,
  legend: [
    { tone: 'info', label: 'q: forcing YES' },
    { tone: 'warn', label: 'w: voted YES, uncertain' },
    { tone: 'good', label: 'p: precommitted · forcing COMMIT' },
    { tone: 'bad', label: 'termination protocol (coordinator silent)' },
    { tone: 'neutral', label: 'coordinator down' },
  ],
});
