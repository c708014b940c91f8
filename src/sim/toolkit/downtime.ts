import type { TimelineViewData } from '../../shared/api/views';
import type { NodeView } from '../protocol';

type Bar = TimelineViewData['bars'][number];
type Marker = TimelineViewData['markers'][number];

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

/** A time a node was down, as a timeline view draws it. */
export interface DownSpan {
  /** When it went down: the crash's own time, or (not `exact`) the node's last step before it. */
  fromUs: number;
  /** When it restarted; null while it is still down. */
  toUs: number | null;
  /** True when `fromUs` is the crash's time (the kernel's), false when it is a last step. */
  exact: boolean;
}

/** What a node's own state may record of its crashes, for views built without the kernel. */
export interface RecordedOutages {
  /** Each crash it came back from: its last step before it, and its restart. */
  outages?: readonly { fromUs: number; toUs: number }[];
  /** Its last step. */
  lastStepUs?: number;
}

/**
 * A node's times down, oldest first, for a timeline view: the kernel's when the view has them
 * (NodeView.downsUs: the crash's and the restart's true times; docs/kernel.md "Faults"), else
 * what the node's state recorded: no handler runs at a crash, so a node knows its last step
 * before it at most. Views a unit test builds by hand have no kernel times.
 */
export function downSpans(n: NodeView<unknown>, recorded: RecordedOutages = {}): DownSpan[] {
  if (n.downsUs !== undefined) return n.downsUs.map((d) => ({ fromUs: d.downUs, toUs: d.upUs, exact: true }));
  const out: DownSpan[] = (recorded.outages ?? []).map((o) => ({
    fromUs: o.fromUs,
    toUs: o.toUs,
    exact: false,
  }));
  if (!n.up) out.push({ fromUs: recorded.lastStepUs ?? 0, toUs: null, exact: false });
  return out;
}

/** The marker of a crash: at the crash (or the last step before it). */
const crashLabel = (id: string, d: DownSpan) =>
  d.exact ? `${id} crashes` : `${id}'s last step before crashing`;

/** Markers at each crash and restart of node `id`, on its row when `row` is given (else across all rows). */
export function crashMarkers(id: string, spans: readonly DownSpan[], row?: string): Marker[] {
  const out: Marker[] = [];
  const on = row === undefined ? {} : { row };
  for (const d of spans) {
    out.push({ atUs: d.fromUs, label: crashLabel(id, d), ...on });
    if (d.toUs !== null) out.push({ atUs: d.toUs, label: `${id} restarts`, ...on });
  }
  return out;
}

/** A bar per time node `id` was down, on its row, labelled "down". */
export function downBars(id: string, spans: readonly DownSpan[], tone: Bar['tone'] = 'neutral'): Bar[] {
  return spans.map((d) => ({
    row: id,
    startUs: d.fromUs,
    endUs: d.toUs,
    label: 'down',
    tone,
    title: `${id} crashed ${d.exact ? 'at' : 'after its last step at'} ${ms(d.fromUs)}${
      d.toUs === null ? ' and is still down' : ` and restarted at ${ms(d.toUs)}`
    }${d.exact ? '' : " (the event log has the crash's own time)"}`,
  }));
}
