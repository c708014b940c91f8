import type { RingViewData, ViewData } from '../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../protocol';
import { type CoordinatorState, ringView } from './consistent-hashing';

/**
 * The Ring tab: the hash circle as the coordinator sees it now (virtual nodes, keys, owners)
 * and what the last membership change moved. "Moved" compares with the members the view
 * showed before the last change (a view aid, not part of the run).
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
    return {
      kind: 'ring',
      scheme: state.placement.scheme,
      hash: state.placement.hash,
      members: [...members],
      ...view,
      previousMembers: previousMembers === null ? null : [...previousMembers],
      keysMoved: state.keysMoved,
      keysMovedModuloN: state.keysMovedModuloN,
    };
  },
};
