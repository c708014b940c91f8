import type { RingViewData, ViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import { type CoordinatorState, ringView, type StoreState } from './consistent-hashing';

/**
 * The Ring tab: the hash circle as the coordinator sees it now (virtual nodes, keys, owners)
 * and what the last membership change moved. "Moved" compares with the members the view
 * showed before the last change (a view aid, not part of the run). Beside the keys the ring
 * places on each node, the keys each node that is up actually stores (its badge's count):
 * they differ when keys were lost with a node that left (replicationFactor 1) and, with
 * copies, by the replicas a node holds.
 */
export const ringTab: ViewSpec<unknown> = {
  id: 'ring',
  title: 'Ring',
  kind: 'ring',
  read(nodes: readonly NodeView<unknown>[], _params, previous: ViewData | null): RingViewData | null {
    const coord = nodes.find((n) => (n.state as { kind?: string } | null)?.kind === 'coordinator');
    const state = coord?.state as CoordinatorState | undefined;
    if (!state?.placement) return null;
    const members = state.members;
    const prev = previous?.kind === 'ring' ? previous : null;
    const previousMembers =
      prev !== null && prev.members.join() !== members.join()
        ? prev.members
        : (prev?.previousMembers ?? null);
    const keys = state.keys;
    const view = ringView(state.placement, members, keys, previousMembers ?? undefined, state.names ?? {});
    const held: Record<string, number> = {};
    const stored = new Set<string>();
    for (const n of nodes) {
      const s = n.state as StoreState | null;
      if (!n.up || s?.kind !== 'node') continue;
      const own = Object.keys(s.data);
      held[n.id] = own.length;
      for (const k of own) stored.add(k);
    }
    let unheld = 0;
    for (const k of keys) if (!stored.has(k)) unheld++;
    return {
      kind: 'ring',
      scheme: state.placement.scheme,
      hash: state.placement.hash,
      members: [...members],
      ...view,
      previousMembers: previousMembers === null ? null : [...previousMembers],
      keysMoved: state.keysMoved,
      keysMovedModuloN: state.keysMovedModuloN,
      held,
      unheld,
    };
  },
};
