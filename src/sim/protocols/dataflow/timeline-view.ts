import type { TimelineViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import type { BatchMaster } from './batch';

/**
 * The Stages tab of Hadoop and Spark: every task execution as a bar on its worker's row (a Gantt
 * chart, like MapReduce's Tasks tab). Bars alternate blue and green from stage to stage (Hadoop:
 * map and reduce; the legend names them as the engine does); a task
 * run a second time (recomputed after a failure) is amber; work thrown away is red. Markers
 * show failures and the end of the job.
 */
export function stagesView(even: string, odd: string): ViewSpec<unknown> {
  return {
    id: 'stages',
    title: 'Stages',
    kind: 'timeline',
    read(nodes: readonly NodeView<unknown>[]): TimelineViewData | null {
      const master = nodes.find((n) => (n.state as { kind?: string } | null)?.kind === 'master');
      if (master === undefined) return null;
      const s = master.state as BatchMaster;
      const stagesDone = s.stages.filter((ts) => ts.every((t) => t.state === 'completed')).length;
      return {
        kind: 'timeline',
        caption: `Task executions per worker · stages ${stagesDone}/${s.stages.length}${s.done ? ' · job done' : ''}`,
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
          { tone: 'info', label: even },
          { tone: 'good', label: odd },
          { tone: 'warn', label: 'run again' },
          { tone: 'bad', label: 'work lost' },
        ],
      };
    },
  };
}
