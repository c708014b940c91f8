import type { LogGridViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import type { Command } from './log';
import type { RaftState } from './types';

/** A command as a cell's hover text. */
function commandText(c: Command): string {
  switch (c.kind) {
    case 'noop':
      return 'no-op (§8)';
    case 'put':
      return `${c.key}=${c.value} (${c.client} #${c.reqId})`;
    default:
      return JSON.stringify(c);
  }
}

/**
 * The Logs tab, RaftScope's view (raft.github.io): every server's log as a row of entries
 * coloured by term, aligned by index, with each server's commitIndex marked (Figure 2's log[]
 * and commitIndex). Entries a snapshot replaced (§7) are left out: a row starts after them.
 */
export const logsTab: ViewSpec<RaftState> = {
  id: 'logs',
  title: 'Logs',
  kind: 'log-grid',
  read(nodes: readonly NodeView<RaftState>[]): LogGridViewData {
    const rows: LogGridViewData['rows'] = [];
    for (const v of nodes) {
      const s = v.state;
      if (s.kind !== 'server') continue;
      // A crashed server shows what its disk kept (durable fields; no commitIndex).
      const log = s.log ?? [];
      const base = s.snapshot?.lastIncludedIndex ?? 0;
      rows.push({
        node: v.id,
        up: v.up,
        label: v.up ? `${s.role} · term ${s.currentTerm}` : `term ${s.currentTerm}`,
        firstIndex: base + 1,
        entries: log.map((e) => ({ term: e.term, text: commandText(e.command) })),
        commitIndex: v.up ? s.commitIndex : 0,
      });
    }
    return {
      kind: 'log-grid',
      caption: 'Each server’s log (Figure 2): entries coloured by term, solid up to its commitIndex',
      rows,
    };
  },
};
