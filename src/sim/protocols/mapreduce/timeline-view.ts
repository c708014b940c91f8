import type { TimelineViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import type { MasterState } from './mapreduce';

/**
 * The Tasks tab: the master's record of every task execution as a timeline, one row per
 * worker (the paper's Figure 3 shows the same job as rates over time; here each bar is one
 * execution). Bars that ended in thrown-away work (a failed worker's task, a completed map
 * whose output died with its disk) are red; backups are amber. Markers show when the master
 * marked a worker failed, when backups began and when the job was done.
 */
export const tasksView: ViewSpec<unknown> = {
  id: 'tasks',
  title: 'Tasks',
  kind: 'timeline',
  read(nodes: readonly NodeView<unknown>[]): TimelineViewData | null {
    const master = nodes.find((n) => (n.state as { kind?: string } | null)?.kind === 'master');
    if (master === undefined) return null;
    const s = master.state as MasterState;
    const done = (ts: { state: string }[]) => ts.filter((t) => t.state === 'completed').length;
    return {
      kind: 'timeline',
      caption: `Executions per worker · maps ${done(s.map)}/${s.M} · reduces ${done(s.reduce)}/${s.R}${s.done ? ' · job done' : ''}`,
      rows: nodes.filter((n) => n.role === 'worker').map((n) => ({ id: n.id, label: n.id, up: n.up })),
      bars: s.bars.map((b) => ({
        row: b.worker,
        startUs: b.startUs,
        endUs: b.endUs,
        label: b.label,
        tone: b.tone,
        title: `${b.label} (execution ${b.attempt}) on ${b.worker}: ${b.outcome}`,
      })),
      markers: s.markers.map((m) => ({ atUs: m.atUs, label: m.label })),
      legend: [
        { tone: 'info', label: 'map' },
        { tone: 'good', label: 'reduce' },
        { tone: 'warn', label: 'backup' },
        { tone: 'bad', label: 'work lost' },
      ],
    };
  },
};
