import type { ViewSpec } from '../../../protocol';
import { locksView } from '../shared/locks-view';
import type { LockSpan } from '../two-phase-commit';
import type { PaxosCommitState } from './paxos-commit';

/**
 * The Locks tab, two-phase commit's drawn for Paxos Commit (../shared/locks-view.ts draws
 * both): one row per RM with a bar per lock, from Prepare to the outcome, toned by stretch:
 * forcing Prepared (blue), prepared and waiting (orange), asking the leaders for the outcome
 * (red), and a row for the TM showing when it was down. Set beside two-phase commit's run of
 * the same fault script, the red stretch is short: another leader finishes. Two-phase commit's
 * green "forcing COMMIT" stretch has no counterpart: an RM here writes the outcome it learns
 * and releases its lock in the same step (rmDecides), so that stretch would never have length.
 */
export const paxosCommitLocksView: ViewSpec<PaxosCommitState> = locksView<PaxosCommitState, LockSpan>({
  stretches: [
    { from: 'lockedUs', tone: 'info', what: 'locked, forcing its Prepared record', suffix: '' },
    { from: 'yesUs', tone: 'warn', what: 'prepared: waiting for the outcome', suffix: ' prepared' },
    { from: 'blockedUs', tone: 'bad', what: 'asking the leaders in turn for the outcome', suffix: ' asking' },
  ],
  record: 'Prepared',
  holder: 'rm',
  coordinator: 'tm',
  stuck: (sp) => sp.blockedUs !== null,
  caption: (held, asking) =>
    `Locks held per RM · ${held} held now${asking > 0 ? ` · ${asking} asking for the outcome` : ''}`,
  legend: [
    { tone: 'info', label: 'forcing Prepared' },
    { tone: 'warn', label: 'prepared: waiting' },
    { tone: 'bad', label: 'asking the leaders' },
    { tone: 'neutral', label: 'TM down' },
  ],
});
