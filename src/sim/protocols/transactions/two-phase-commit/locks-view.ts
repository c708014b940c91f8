import type { ViewSpec } from '../../../protocol';
import { locksView as locksTab } from '../shared/locks-view';
import type { LockSpan, TwoPcState } from './two-phase-commit';

/**
 * The Locks tab (issue 17): two-phase commit's blocking case drawn over time. One row per
 * participant with a bar per lock it held, from VOTE-REQ to the release, toned by stretch:
 * forcing YES, uncertain after voting YES, blocked (asking for the decision, §7.4 "Timeout
 * actions"), forcing COMMIT. The coordinator's row shows when it was down, with markers at its
 * crash and at its restart, at the kernel's times (../shared/locks-view.ts draws them).
 */
export const locksView: ViewSpec<TwoPcState> = locksTab<TwoPcState, LockSpan>({
  stretches: [
    { from: 'lockedUs', tone: 'info', what: 'locked, forcing its YES record', suffix: '' },
    { from: 'yesUs', tone: 'warn', what: 'voted YES: uncertain, waiting for the decision', suffix: ' YES' },
    {
      from: 'blockedUs',
      tone: 'bad',
      what: 'blocked: asking for the decision, may not decide alone',
      suffix: ' blocked',
    },
    { from: 'decidedUs', tone: 'good', what: 'COMMIT known, forcing its COMMIT record', suffix: ' COMMIT' },
  ],
  record: 'YES',
  holder: 'participant',
  coordinator: 'coordinator',
  stuck: (sp) => sp.blockedUs !== null && sp.decidedUs === null,
  caption: (held, blocked) =>
    `Locks held per participant · ${held} held now${blocked > 0 ? ` · ${blocked} blocked` : ''}`,
  legend: [
    { tone: 'info', label: 'forcing YES' },
    { tone: 'warn', label: 'voted YES: uncertain' },
    { tone: 'bad', label: 'blocked: asking for the decision' },
    { tone: 'good', label: 'forcing COMMIT' },
    { tone: 'neutral', label: 'coordinator down' },
  ],
});
