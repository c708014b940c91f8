/**
 * The Znodes tab: the data tree as the leader has applied it (or, without a leader, the most
 * advanced server that is up), one row per znode with its version, data, ephemeral owner and
 * the watches set on it at any server. A generic 'tree' view (src/shared/api/views.ts).
 */
import type { TreeViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import { lastApplied } from './server';
import { zxidHex } from './tree';
import type { ServerState, ZkState, ZooKeeperParams } from './types';

/** At most this many rows (a workload with many keys). */
const MAX_ROWS = 300;

type Row = TreeViewData['rows'][number];
type Badge = Row['badges'][number];

function shown(nodes: readonly NodeView<ZkState>[]): { id: string; s: ServerState } | null {
  let best: { id: string; s: ServerState } | null = null;
  for (const n of nodes) {
    if (!n.up || n.state.kind !== 'server') continue;
    const s = n.state;
    if (s.state === 'LEADING' && s.established) return { id: n.id, s };
    if (best === null || lastApplied(s) > lastApplied(best.s)) best = { id: n.id, s };
  }
  return best;
}

function gather(
  into: Record<string, Set<string>>,
  watches: Record<string, string[]>,
  clientOf: (session: string) => string,
): void {
  for (const [path, sessions] of Object.entries(watches)) {
    const set = into[path] ?? new Set<string>();
    into[path] = set;
    for (const x of sessions) set.add(clientOf(x));
  }
}

export function readTree(nodes: readonly NodeView<ZkState>[], recipe = 'lock'): TreeViewData | null {
  const leaderWord = recipe === 'election' ? 'leader:' : 'lock held by';
  const from = shown(nodes);
  if (from === null) return null;
  const { tree } = from.s;
  const clientOf = (session: string): string => tree.sessions[session]?.client ?? session;
  // Watches live on the server each client is connected to: gather them from every server.
  const dataW: Record<string, Set<string>> = {};
  const childW: Record<string, Set<string>> = {};
  const holder: Record<string, string> = {};
  for (const n of nodes) {
    if (!n.up) continue;
    const s = n.state;
    if (s.kind === 'server') {
      gather(dataW, s.dataWatches, clientOf);
      gather(childW, s.childWatches, clientOf);
    } else if (s.kind === 'client' && s.holdsLock) holder[s.myNode] = n.id;
  }
  const rows: Row[] = [];
  const walk = (path: string, depth: number): void => {
    const z = tree.nodes[path];
    if (z === undefined || rows.length >= MAX_ROWS) return;
    const badges: Badge[] = [];
    let tone: Row['tone'] = 'neutral';
    if (z.ephemeralOwner !== null) {
      const alive = tree.sessions[z.ephemeralOwner] !== undefined;
      tone = alive ? 'info' : 'bad';
      badges.push({
        text: `ephemeral · ${clientOf(z.ephemeralOwner)}`,
        tone: alive ? 'info' : 'bad',
        title: `ephemeral of session ${z.ephemeralOwner}${alive ? '' : ', which has expired'}`,
      });
    }
    if (holder[path] !== undefined) {
      tone = 'good';
      badges.push({ text: `${leaderWord} ${holder[path]}`, tone: 'good' });
    }
    const dw = [...(dataW[path] ?? [])].sort();
    if (dw.length > 0)
      badges.push({
        text: `watched by ${dw.join(', ')}`,
        tone: 'warn',
        title: 'data or exists watches (one-shot)',
      });
    const cw = [...(childW[path] ?? [])].sort();
    if (cw.length > 0)
      badges.push({
        text: `child watch: ${cw.join(', ')}`,
        tone: 'warn',
        title: 'getChildren watches (one-shot)',
      });
    const data = z.data === null ? '' : ` · "${z.data.length > 24 ? `${z.data.slice(0, 23)}…` : z.data}"`;
    const kids =
      z.children.length > 0 || z.cversion > 0
        ? ` · ${z.children.length} ${z.children.length === 1 ? 'child' : 'children'} (cversion ${z.cversion})`
        : '';
    rows.push({
      id: path,
      depth,
      label: path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1),
      detail: `v${z.version}${data}${kids}`,
      tone,
      badges,
      title: `${path}: created ${zxidHex(z.czxid)}, modified ${zxidHex(z.mzxid)}`,
    });
    for (const c of z.children) walk(path === '/' ? `/${c}` : `${path}/${c}`, depth + 1);
  };
  walk('/', 0);
  const role = from.s.state === 'LEADING' ? 'leader' : from.s.state.toLowerCase();
  return {
    kind: 'tree',
    caption: 'znodes: version, data, children; ephemeral owner and watches',
    source: `${from.id}'s copy (${role}) at ${zxidHex(lastApplied(from.s))}, ${Object.keys(tree.sessions).length} open sessions`,
    rows,
    legend: [
      { tone: 'neutral', label: 'persistent' },
      { tone: 'info', label: 'ephemeral' },
      { tone: 'good', label: 'lock holder' },
      { tone: 'bad', label: 'ephemeral of an expired session' },
    ],
  };
}

export const treeView: ViewSpec<ZkState, ZooKeeperParams> = {
  id: 'znodes',
  title: 'Znodes',
  kind: 'tree',
  read: (nodes, params) => readTree(nodes, params.recipe),
};
