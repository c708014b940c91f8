import type { TimelineViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import { crashMarkers, type DownSpan, downBars, downSpans } from '../../../toolkit/downtime';
import type { Outcome } from './atomic-commit';

/**
 * The Locks tab of the commit protocols (two-phase commit's, issue 17, then three-phase
 * commit's and Paxos Commit's): one row per participant with a bar per lock it held, from the
 * request to prepare to the release, toned by stretch, and a row for the coordinator showing
 * when it was down. The three tabs draw the same rows, markers and tones so that they compare
 * at a glance on the same fault script; what differs is a parameter: the stretches a lock goes
 * through (3PC adds the committable one), their words, who holds locks and who coordinates.
 * No rule reads any of this: the protocols keep it in their state for the view only.
 */

/** How many lock spans a participant keeps for the Locks view. */
export const LOCK_SPANS_KEPT = 50;
/** How many crashes a node keeps for the Locks view. */
export const OUTAGES_KEPT = 20;

/**
 * A crash, as the node itself can tell it at its restart: it last took a step at `fromUs` and
 * restarted at `toUs` (local clock). A node cannot see the moment it crashes, so the span
 * begins at its last step before it (the event log has the crash's own time).
 */
export interface Outage {
  /** Its last step before the crash, microseconds. */
  fromUs: number;
  /** Its restart, microseconds. */
  toUs: number;
}

/** What a node keeps so the view can draw its crashes (both kept across crashes). */
export interface StepTrace {
  /** When it last took a step, local clock, microseconds. */
  lastStepUs: number;
  /** Its crashes, from its last step before each to its restart (the last OUTAGES_KEPT). */
  outages: Outage[];
}

/** Notes a step of the node, and at a restart the crash it came back from; returns its step before this one. */
export function stepped(ctx: { now(): number }, s: StepTrace, input: { kind: string }): number {
  const last = s.lastStepUs;
  s.lastStepUs = ctx.now();
  if (input.kind === 'restart') {
    s.outages.push({ fromUs: last, toUs: s.lastStepUs });
    if (s.outages.length > OUTAGES_KEPT) s.outages.shift();
  }
  return last;
}

/** What every lock span has; a protocol adds the moments its stretches begin (null: not reached). */
export interface LockSpanBase {
  /** The transaction. */
  tid: string;
  /** The key locked. */
  key: string;
  /** The request to prepare arrived and the lock was taken. */
  lockedUs: number;
  /** It released the lock. */
  endUs: number | null;
  /** How the lock ended: the decision, or lost in a crash before the vote was on disk. */
  outcome: Outcome | 'lost' | null;
}

/** The open span of a transaction, if any. */
export function openSpan<Span extends LockSpanBase>(spans: Span[], tid: string): Span | undefined {
  for (let i = spans.length - 1; i >= 0; i--) {
    const sp = spans[i]!;
    if (sp.tid === tid && sp.endUs === null) return sp;
  }
  return undefined;
}

/** Adds a lock taken now; past LOCK_SPANS_KEPT, the oldest finished span makes room. */
export function keepSpan<Span extends LockSpanBase>(spans: Span[], sp: Span): void {
  spans.push(sp);
  if (spans.length <= LOCK_SPANS_KEPT) return;
  const k = spans.findIndex((old) => old.endUs !== null);
  spans.splice(Math.max(0, k), 1);
}

type Bar = TimelineViewData['bars'][number];
type Tone = Bar['tone'];

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

/** One stretch of a lock span: it begins at the moment `from` and ends where the next reached one begins. */
export interface Stretch<Span> {
  /** The span's field holding when the stretch begins. */
  from: keyof Span;
  /** Its colour, named in the legend. */
  tone: Tone;
  /** What the participant is doing, for the hover text. */
  what: string;
  /** Added to the bar's label (`T2 k1 YES`). */
  suffix: string;
}

/** How a protocol's lock spans are drawn. */
export interface LockWords<Span> {
  /** Its stretches, in order. */
  stretches: readonly Stretch<Span>[];
  /** The record whose absence on disk loses a lock in a crash (2PC's YES). */
  record: string;
}

const ended = (sp: LockSpanBase, row: string, record: string): string =>
  sp.outcome === null
    ? 'still held'
    : sp.outcome === 'lost'
      ? `lost when ${row} crashed, before its ${record} record was on disk`
      : `released at ${ms(sp.endUs!)}: ${sp.outcome === 'commit' ? 'committed' : 'aborted'}`;

/**
 * A lock span as bars, one per stretch reached: the tone says which. Only the last stretch of
 * a lock still held is open. An abort releases the lock as it is learned, so an aborted span
 * has no committing stretch.
 */
export function lockBars<Span extends LockSpanBase>(row: string, sp: Span, words: LockWords<Span>): Bar[] {
  const at = (s: Stretch<Span>) => sp[s.from] as number | null | undefined;
  const reached = words.stretches.filter((s) => at(s) !== null && at(s) !== undefined);
  const bars: Bar[] = [];
  reached.forEach((s, k) => {
    const startUs = at(s) as number;
    const next = reached[k + 1];
    const endUs = next !== undefined ? (at(next) as number) : sp.endUs;
    if (endUs !== null && endUs <= startUs) return;
    bars.push({
      row,
      startUs,
      endUs,
      label: `${sp.tid} ${sp.key}${s.suffix}`,
      tone: s.tone,
      title: `${sp.tid} at ${row}, lock on ${sp.key}: ${s.what} from ${ms(startUs)}${endUs === null ? '' : ` to ${ms(endUs)}`} · locked at ${ms(sp.lockedUs)}, ${ended(sp, row, words.record)}`,
    });
  });
  return bars;
}

/** A node's crashes as the view can see them, the current one (still down) included. */
function crashes(n: NodeView<Partial<StepTrace>>): DownSpan[] {
  return downSpans(n, n.state);
}

/** What a protocol's Locks tab is made of. */
export interface LocksTab<Span extends LockSpanBase> extends LockWords<Span> {
  /** The state `kind` of the nodes that hold locks (a row each, with their spans). */
  holder: string;
  /** The state `kind` of the coordinator (a row showing when it was down). */
  coordinator: string;
  /** Whether a lock still held counts as stuck (waiting for someone else to decide). */
  stuck(sp: Span): boolean;
  /** The caption, from the locks held now and how many of them are stuck. */
  caption(held: number, stuck: number): string;
  /** The legend, one entry per tone drawn. */
  legend: NonNullable<TimelineViewData['legend']>;
}

/** The tone of the coordinator's bar while it is down. */
const COORDINATOR_DOWN: Tone = 'neutral';

/** A node of a commit protocol as the view reads it. */
type Drawn<Span> = { kind?: string; lockSpans?: Span[] } & Partial<StepTrace>;

/**
 * The Locks tab: one row per lock holder with its lock spans as bars and markers at its crashes
 * and restarts, then the coordinator's row with a bar while it was down. A crash is not in any
 * node's state: its time is the kernel's (NodeView.downsUs; ../../../toolkit/downtime.ts), or,
 * in a view a test builds by hand, the node's last step before it.
 */
export function locksView<S, Span extends LockSpanBase>(tab: LocksTab<Span>): ViewSpec<S> {
  // Every tone the tab can draw is named in its legend: its stretches', and the coordinator's
  // down bar. A protocol's words that miss one fail where they are written, not in a learner's eyes.
  const named = new Set(tab.legend.map((l) => l.tone));
  const drawn: [Tone, string][] = [
    ...tab.stretches.map((s): [Tone, string] => [s.tone, `the stretch "${s.what}"`]),
    [COORDINATOR_DOWN, `${tab.coordinator} down`],
  ];
  for (const [tone, what] of drawn)
    if (!named.has(tone))
      throw new Error(
        `Locks tab of "${tab.holder}": ${what} is drawn in tone ${tone}, which its legend does not name`,
      );
  return {
    id: 'locks',
    title: 'Locks',
    kind: 'timeline',
    read(all): TimelineViewData | null {
      const nodes = all as readonly NodeView<Drawn<Span>>[];
      const holders = nodes.filter((n) => n.state?.kind === tab.holder);
      const coords = nodes.filter((n) => n.state?.kind === tab.coordinator);
      if (holders.length === 0) return null;
      const bars: Bar[] = [];
      const markers: TimelineViewData['markers'] = [];
      let held = 0;
      let stuck = 0;
      for (const p of holders) {
        for (const sp of p.state.lockSpans ?? []) {
          bars.push(...lockBars(p.id, sp, tab));
          if (sp.endUs === null) {
            held += 1;
            if (tab.stuck(sp)) stuck += 1;
          }
        }
        markers.push(...crashMarkers(p.id, crashes(p), p.id));
      }
      for (const c of coords) {
        bars.push(...downBars(c.id, crashes(c), COORDINATOR_DOWN));
        markers.push(...crashMarkers(c.id, crashes(c)));
      }
      return {
        kind: 'timeline',
        caption: tab.caption(held, stuck),
        rows: [
          ...holders.map((n) => ({ id: n.id, label: n.id, up: n.up })),
          ...coords.map((n) => ({ id: n.id, label: n.id, up: n.up })),
        ],
        bars,
        markers,
        legend: tab.legend.map((l) => ({ ...l })),
      };
    },
  };
}
