import type { TimelineViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import { crashMarkers, type DownSpan, downBars, downSpans } from '../../../toolkit/downtime';
import type { CoordinatorState, LockSpan, ParticipantState, TwoPcState } from './two-phase-commit';

type Bar = TimelineViewData['bars'][number];
type Tone = Bar['tone'];

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

/** What each stretch of a lock span is, in order; a stretch ends where the next reached one begins. */
const STRETCHES: { from: keyof LockSpan; tone: Tone; what: string; suffix: string }[] = [
  { from: 'lockedUs', tone: 'info', what: 'locked, forcing its YES record', suffix: '' },
  { from: 'yesUs', tone: 'warn', what: 'voted YES: uncertain, waiting for the decision', suffix: ' YES' },
  {
    from: 'blockedUs',
    tone: 'bad',
    what: 'blocked: asking for the decision, may not decide alone',
    suffix: ' blocked',
  },
  { from: 'decidedUs', tone: 'good', what: 'COMMIT known, forcing its COMMIT record', suffix: ' COMMIT' },
];

const ended = (sp: LockSpan, row: string): string =>
  sp.outcome === null
    ? 'still held'
    : sp.outcome === 'lost'
      ? `lost when ${row} crashed, before its YES record was on disk`
      : `released at ${ms(sp.endUs!)}: ${sp.outcome === 'commit' ? 'committed' : 'aborted'}`;

/**
 * A lock span as bars, one per stretch (locked, uncertain, blocked, committing): the tone says
 * which. Only the last stretch of a lock still held is open. An abort releases the lock as it
 * is learned, so an aborted span has no committing stretch.
 */
export function lockBars(row: string, sp: LockSpan): Bar[] {
  const reached = STRETCHES.filter((s) => sp[s.from] !== null);
  const bars: Bar[] = [];
  reached.forEach((s, k) => {
    const startUs = sp[s.from] as number;
    const next = reached[k + 1];
    const endUs = next !== undefined ? (sp[next.from] as number) : sp.endUs;
    if (endUs !== null && endUs <= startUs) return;
    bars.push({
      row,
      startUs,
      endUs,
      label: `${sp.tid} ${sp.key}${s.suffix}`,
      tone: s.tone,
      title: `${sp.tid} at ${row}, lock on ${sp.key}: ${s.what} from ${ms(startUs)}${endUs === null ? '' : ` to ${ms(endUs)}`} · locked at ${ms(sp.lockedUs)}, ${ended(sp, row)}`,
    });
  });
  return bars;
}

/** A node's crashes as the view can see them, the current one (still down) included. */
function crashes(n: NodeView<TwoPcState>): DownSpan[] {
  return downSpans(n, n.state as ParticipantState | CoordinatorState);
}

/**
 * The Locks tab (issue 17): two-phase commit's blocking case drawn over time. One row per
 * participant with a bar per lock it held, from VOTE-REQ to the release, toned by stretch:
 * forcing YES, uncertain after voting YES, blocked (asking for the decision, §7.4 "Timeout
 * actions"), forcing COMMIT. The coordinator's row shows when it was down, with markers at its
 * crash and its restart (the kernel's times, NodeView.downsUs: no node's state can hold a
 * crash's time; toolkit/downtime.ts).
 */
export const locksView: ViewSpec<TwoPcState> = {
  id: 'locks',
  title: 'Locks',
  kind: 'timeline',
  read(nodes): TimelineViewData | null {
    const parts = nodes.filter((n): n is NodeView<ParticipantState> => n.state?.kind === 'participant');
    const coords = nodes.filter((n): n is NodeView<CoordinatorState> => n.state?.kind === 'coordinator');
    if (parts.length === 0) return null;
    const bars: Bar[] = [];
    const markers: TimelineViewData['markers'] = [];
    let held = 0;
    let blocked = 0;
    for (const p of parts) {
      for (const sp of p.state.lockSpans ?? []) {
        bars.push(...lockBars(p.id, sp));
        if (sp.endUs === null) {
          held += 1;
          if (sp.blockedUs !== null && sp.decidedUs === null) blocked += 1;
        }
      }
      markers.push(...crashMarkers(p.id, crashes(p), p.id));
    }
    for (const c of coords) {
      bars.push(...downBars(c.id, crashes(c)));
      markers.push(...crashMarkers(c.id, crashes(c)));
    }
    return {
      kind: 'timeline',
      caption: `Locks held per participant · ${held} held now${blocked > 0 ? ` · ${blocked} blocked` : ''}`,
      rows: [
        ...parts.map((n) => ({ id: n.id, label: n.id, up: n.up })),
        ...coords.map((n) => ({ id: n.id, label: n.id, up: n.up })),
      ],
      bars,
      markers,
      legend: [
        { tone: 'info', label: 'forcing YES' },
        { tone: 'warn', label: 'voted YES: uncertain' },
        { tone: 'bad', label: 'blocked: asking for the decision' },
        { tone: 'good', label: 'forcing COMMIT' },
        { tone: 'neutral', label: 'coordinator down' },
      ],
    };
  },
};
