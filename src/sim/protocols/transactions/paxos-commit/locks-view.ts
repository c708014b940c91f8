import type { TimelineViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import { crashMarkers, type DownSpan, downBars, downSpans } from '../../../toolkit/downtime';
import { lockBars } from '../two-phase-commit/locks-view';
import type { PaxosCommitState, RmState, TmState } from './paxos-commit';

type Bar = TimelineViewData['bars'][number];

/** A node's crashes as the view can see them, the current one (still down) included. */
function crashes(n: NodeView<RmState | TmState>): DownSpan[] {
  return downSpans(n, n.state);
}

/**
 * The Locks tab, two-phase commit's drawn for Paxos Commit (its bars come from two-phase
 * commit's `lockBars`): one row per RM with a bar per lock, from Prepare to the outcome, toned
 * by stretch: forcing Prepared (blue), prepared and waiting (orange), asking the leaders for
 * the outcome (red), and a row for the TM showing when it was down. Set beside two-phase
 * commit's run of the same fault script, the red stretch is short: another leader finishes.
 */
export const paxosCommitLocksView: ViewSpec<PaxosCommitState> = {
  id: 'locks',
  title: 'Locks',
  kind: 'timeline',
  read(nodes): TimelineViewData | null {
    const rms = nodes.filter((n): n is NodeView<RmState> => n.state?.kind === 'rm');
    const tms = nodes.filter((n): n is NodeView<TmState> => n.state?.kind === 'tm');
    if (rms.length === 0) return null;
    const bars: Bar[] = [];
    const markers: TimelineViewData['markers'] = [];
    let held = 0;
    let asking = 0;
    for (const r of rms) {
      for (const sp of r.state.lockSpans ?? []) {
        for (const b of lockBars(r.id, sp))
          bars.push({
            ...b,
            title: (b.title ?? '')
              .replace('forcing its YES record', 'forcing its Prepared record')
              .replace('voted YES: uncertain, waiting for the decision', 'prepared: waiting for the outcome')
              .replace(
                'blocked: asking for the decision, may not decide alone',
                'asking the leaders in turn for the outcome',
              ),
            label: b.label.replace(' YES', ' prepared').replace(' blocked', ' asking'),
          });
        if (sp.endUs === null) {
          held += 1;
          if (sp.blockedUs !== null) asking += 1;
        }
      }
      markers.push(...crashMarkers(r.id, crashes(r), r.id));
    }
    for (const t of tms) {
      bars.push(...downBars(t.id, crashes(t)));
      markers.push(...crashMarkers(t.id, crashes(t)));
    }
    return {
      kind: 'timeline',
      caption: `Locks held per RM · ${held} held now${asking > 0 ? ` · ${asking} asking for the outcome` : ''}`,
      rows: [
        ...rms.map((n) => ({ id: n.id, label: n.id, up: n.up })),
        ...tms.map((n) => ({ id: n.id, label: n.id, up: n.up })),
      ],
      bars,
      markers,
      legend: [
        { tone: 'info', label: 'forcing Prepared' },
        { tone: 'warn', label: 'prepared: waiting' },
        { tone: 'bad', label: 'asking the leaders' },
        { tone: 'neutral', label: 'TM down' },
      ],
    };
  },
};
