import type { LogGridViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import type { KafkaState } from './types';

/**
 * The Logs tab on the generic log grid: one row per partition and replica ("p0 b1"), each
 * record a cell coloured by the leader epoch that wrote it, solid below the replica's high
 * watermark (the grid's commit mark is the HW: offset o is column o + 1). The label says who
 * leads and who is in the ISR, as the controller has it. Not drawn: the log end offsets the
 * leader knows, consumer groups' committed offsets (a later slice), a gap between partitions.
 */
export const logsTab: ViewSpec<KafkaState> = {
  id: 'logs',
  title: 'Partition logs',
  kind: 'log-grid',
  read(nodes: readonly NodeView<KafkaState>[]): LogGridViewData | null {
    let partitions: import('./types').PartitionRecord[] = [];
    for (const v of nodes) if (v.state.kind === 'controller') partitions = v.state.partitions;
    if (partitions.length === 0) return null;
    const rows: LogGridViewData['rows'] = [];
    for (const p of partitions)
      for (const b of p.replicas) {
        const v = nodes.find((n) => n.id === b);
        if (v === undefined || v.state.kind !== 'broker') continue;
        const r = v.state.replicas[p.partition];
        const role = p.leader === b ? `leader e${p.leaderEpoch}` : 'follower';
        rows.push({
          node: `p${p.partition} ${b}`,
          up: v.up,
          label: `${role}${p.isr.includes(b) ? ' · ISR' : ''}`,
          firstIndex: 1,
          entries: (r?.log ?? []).map((e) => ({
            term: e.epoch,
            text: `offset ${e.offset}: ${e.key}=${e.value}`,
          })),
          commitIndex: r?.highWatermark ?? 0,
        });
      }
    return {
      kind: 'log-grid',
      caption:
        'Each partition’s log per replica: colour = leader epoch, solid below the high watermark (the bar)',
      rows,
    };
  },
};
