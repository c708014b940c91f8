import type { LogGridViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import { logEndOffset, logStart } from './log';
import type { KafkaState, PartitionRecord, ReplicaLog } from './types';

/** Whether any replica has a hole (compaction ran). */
const ctxCompacted = (nodes: readonly NodeView<KafkaState>[]) =>
  nodes.some((v) => v.state.kind === 'broker' && v.state.compacted > 0);

/** A replica's cells from its log start: a record each, and a hole (term -1, drawn empty) for each offset compaction removed. */
function entriesOf(r: ReplicaLog | null | undefined): LogGridViewData['rows'][number]['entries'] {
  if (r == null) return [];
  const out: LogGridViewData['rows'][number]['entries'] = [];
  let next = logStart(r);
  for (const e of r.log) {
    for (; next < e.offset; next++) out.push({ term: -1, text: `offset ${next}: removed by compaction` });
    out.push({ term: e.epoch, text: `offset ${e.offset}, epoch ${e.epoch}: ${e.key}=${e.value}` });
    next = e.offset + 1;
  }
  return out;
}

/**
 * The Partition logs tab on the generic log grid: one row per partition and replica ("p0 b1"),
 * each record a cell coloured (and numbered) by the leader epoch that wrote it, solid below the
 * replica's high watermark (the grid's commit mark is the HW). Offsets of different partitions
 * have nothing to do with each other, and the grid shows the columns that fit ending at the
 * longest row, so each partition's rows are shifted to end with the longest: every partition
 * shows its newest records, replicas of one partition stay aligned by offset, and a cell's
 * hover text gives its offset (the column numbers are the longest partition's). The label says
 * leader or follower and ISR membership, as the controller has them. With a consumer group, a
 * mark on each partition's leader row sits after the last record the group has committed (its
 * committed offset is the next record it will read). Not drawn: the log end offsets the leader
 * knows.
 */
export const logsTab: ViewSpec<KafkaState> = {
  id: 'logs',
  title: 'Partition logs',
  kind: 'log-grid',
  read(nodes: readonly NodeView<KafkaState>[]): LogGridViewData | null {
    let partitions: PartitionRecord[] = [];
    let committed: number[] = [];
    for (const v of nodes)
      if (v.state.kind === 'controller') {
        partitions = v.state.partitions;
        committed = v.state.group.committed;
      }
    const hasGroup = nodes.some((v) => v.state.kind === 'consumer');
    if (partitions.length === 0) return null;
    const replicaOf = (b: string, i: number) => {
      const v = nodes.find((n) => n.id === b);
      return v === undefined || v.state.kind !== 'broker' ? undefined : { up: v.up, r: v.state.replicas[i] };
    };
    const leo = (r: ReplicaLog | null | undefined) => (r == null ? 0 : logEndOffset(r));
    const longest = (p: PartitionRecord) =>
      Math.max(0, ...p.replicas.map((b) => leo(replicaOf(b, p.partition)?.r)));
    const end = Math.max(0, ...partitions.map(longest));
    const rows: LogGridViewData['rows'] = [];
    for (const p of partitions) {
      const shift = end - longest(p);
      for (const b of p.replicas) {
        const found = replicaOf(b, p.partition);
        if (found === undefined) continue;
        rows.push({
          node: `p${p.partition} ${b}`,
          up: found.up,
          label: `${p.leader === b ? 'leader' : 'follower'}${p.isr.includes(b) ? ' · ISR' : ''}`,
          firstIndex: 1 + shift + (found.r == null ? 0 : logStart(found.r)),
          entries: entriesOf(found.r),
          commitIndex: (found.r?.highWatermark ?? 0) + shift,
          ...(hasGroup && p.leader === b
            ? {
                marks: [
                  {
                    index: (committed[p.partition] ?? 0) + shift,
                    label: `the group's committed offset ${committed[p.partition] ?? 0}`,
                  },
                ],
              }
            : {}),
        });
      }
    }
    return {
      kind: 'log-grid',
      caption: `Partition logs per replica, newest at the right · number and colour: leader epoch · bar: high watermark${ctxCompacted(nodes) ? ' · empty cell: removed by compaction' : ''}${hasGroup ? ' · ▲ on the leader: the group’s committed offset' : ''}`,
      rows,
    };
  },
};
