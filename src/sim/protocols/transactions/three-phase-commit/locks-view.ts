import type { TimelineViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import { crashMarkers, type DownSpan, downBars, downSpans } from '../../../toolkit/downtime';
import type { CoordinatorState, LockSpan3, ParticipantState, ThreePcState } from './three-phase-commit';

// Adapted from two-phase-commit/locks-view.ts (same rows, markers and tones, so the two tabs
// compare at a glance), with 3PC's committable stretch added and the red stretch renamed: here
// it is the termination protocol at work, not a wait for the coordinator. With five tones, p
// shares green with "forcing COMMIT" (both are bound to commit); w, which may still abort, is
// the only orange.

type Bar = TimelineViewData['bars'][number];
type Tone = Bar['tone'];

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

/** Each stretch of a lock span, in order; a stretch ends where the next reached one begins. */
const STRETCHES: { from: keyof LockSpan3; tone: Tone; what: string; suffix: string }[] = [
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
];

const ended = (sp: LockSpan3, row: string): string =>
  sp.outcome === null
    ? 'still held'
    : sp.outcome === 'lost'
      ? `lost when ${row} crashed, before its YES record was on disk`
      : `released at ${ms(sp.endUs!)}: ${sp.outcome === 'commit' ? 'committed' : 'aborted'}`;

/** A lock span as bars, one per stretch reached, toned by stretch. */
export function lockBars3(row: string, sp: LockSpan3): Bar[] {
  const reached = STRETCHES.filter((s) => sp[s.from] !== null && sp[s.from] !== undefined);
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

function crashes(n: NodeView<ThreePcState>): DownSpan[] {
  return downSpans(n, n.state as ParticipantState | CoordinatorState);
}

/**
 * The Locks tab of three-phase commit: one row per participant with a bar per lock, from
 * VOTE-REQ to its release, toned by stretch (q, w, p, termination, forcing COMMIT), and the
 * coordinator's row showing when it was down. Next to two-phase commit's tab on the same
 * crash, the red stretch is short: the participants decide without the coordinator.
 */
export const threePcLocksView: ViewSpec<ThreePcState> = {
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
    let terminating = 0;
    for (const p of parts) {
      for (const sp of p.state.lockSpans ?? []) {
        bars.push(...lockBars3(p.id, sp));
        if (sp.endUs === null) {
          held += 1;
          if (sp.blockedUs !== null && sp.decidedUs === null) terminating += 1;
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
      caption: `Locks held per participant · ${held} held now${terminating > 0 ? ` · ${terminating} in the termination protocol` : ''}`,
      rows: [
        ...parts.map((n) => ({ id: n.id, label: n.id, up: n.up })),
        ...coords.map((n) => ({ id: n.id, label: n.id, up: n.up })),
      ],
      bars,
      markers,
      legend: [
        { tone: 'info', label: 'q: forcing YES' },
        { tone: 'warn', label: 'w: voted YES, uncertain' },
        { tone: 'good', label: 'p: precommitted · forcing COMMIT' },
        { tone: 'bad', label: 'termination protocol (coordinator silent)' },
        { tone: 'neutral', label: 'coordinator down' },
      ],
    };
  },
};
