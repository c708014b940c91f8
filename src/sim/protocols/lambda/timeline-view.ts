import type { TimelineViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import type { Bar, BatchState, LambdaState, ServingState, SpeedState } from './types';

/**
 * A speed node's bars with its crashes at their times (NodeView.downsUs, the kernel's;
 * docs/kernel.md "Faults"): no handler runs at a crash, so its state ends what it was doing at
 * its last step before one and starts the time down there (lambda.ts, `restart`), and while it
 * is down what it was doing is still open. Views built by hand have no kernel times: as is.
 */
function atCrashTimes(n: NodeView<LambdaState>, bars: readonly Bar[]): Bar[] {
  const out = bars.map((b) => ({ ...b }));
  for (const d of n.downsUs ?? []) {
    if (d.upUs === null) {
      for (const b of out)
        if (b.endUs === null)
          Object.assign(b, { endUs: Math.max(b.startUs, d.downUs), title: `${b.title} (until a crash)` });
      out.push({
        startUs: d.downUs,
        endUs: null,
        label: 'down',
        tone: 'bad',
        title: 'crashed: its real-time view, in memory, is lost',
      });
      continue;
    }
    // The state's down bar ends at the restart; it and the bar before it meet at the last step.
    const k = out.findIndex((b) => b.label === 'down' && b.endUs === d.upUs && b.startUs <= d.downUs);
    if (k < 0) continue;
    if (k > 0 && out[k - 1]!.endUs === out[k]!.startUs) out[k - 1]!.endUs = d.downUs;
    out[k]!.startUs = d.downUs;
  }
  return out;
}

/**
 * The Layers tab: one row per batch worker and speed node (Kappa: per job version). A batch
 * run is a blue bar whose length grows with the master dataset (red when a crash cut it off, up to the restart);
 * the speed layer is green while it applies events as they come and amber while it reads the
 * log back (a rebuild after a restart, Kappa's replay); red while it is down. Markers show each batch view the
 * serving layer installed and Kappa's switch-over.
 */
export const timelineView: ViewSpec<unknown> = {
  id: 'layers',
  title: 'Layers',
  kind: 'timeline',
  read(nodes: readonly NodeView<unknown>[]): TimelineViewData | null {
    const all = nodes as readonly NodeView<LambdaState>[];
    const rows = all.filter((n) => n.state.kind === 'batch' || n.state.kind === 'speed');
    if (rows.length === 0) return null;
    const serving = all.find((n) => n.state.kind === 'serving')?.state as ServingState | undefined;
    const batch = rows.find((n) => n.state.kind === 'batch')?.state as BatchState | undefined;
    const replayed = rows.reduce((k, n) => k + (n.state.kind === 'speed' ? n.state.replayed : 0), 0);
    const label = (n: NodeView<LambdaState>) => {
      if (n.state.kind === 'batch') return n.id === 'batch' ? 'batch layer' : `${n.id} (batch)`;
      const v = `v${(n.state as SpeedState).version}`;
      return n.id === v ? `job ${v}` : `${n.id} ${v}`;
    };
    return {
      kind: 'timeline',
      caption:
        batch === undefined
          ? `Stream jobs over the log · ${replayed} events read back · serving reads job v${serving?.activeVersion ?? 0}, covers offsets below ${serving?.horizon ?? 0}`
          : `Batch runs and speed-layer work · ${batch.runs} batch runs, ${batch.processed} events recomputed · serving covers offsets below ${serving?.horizon ?? 0}`,
      rows: rows.map((n) => ({ id: n.id, label: label(n), up: n.up })),
      bars: rows.flatMap((n) =>
        (n.state.kind === 'speed' ? atCrashTimes(n, n.state.bars) : (n.state as BatchState).bars).map(
          (b) => ({
            row: n.id,
            startUs: b.startUs,
            endUs: b.endUs,
            label: b.label,
            tone: b.tone,
            title: b.title,
          }),
        ),
      ),
      markers: serving?.markers ?? [],
      legend: [
        { tone: 'info', label: 'batch run' },
        { tone: 'good', label: 'speed layer live' },
        { tone: 'warn', label: 'reading the log back' },
        { tone: 'bad', label: 'lost to a crash / down' },
      ],
    };
  },
};
