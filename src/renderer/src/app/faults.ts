/**
 * The faults the canvas offers (context menus, the inspector's selection view), as menu
 * entries over sim.inject. Which ones are greyed out follows the node's state in the run.
 */
import type { MenuItem } from '../components/ContextMenu';
import { DEFAULT_LINK_NET, meanLatencyUs, scaleLatency } from '../graph/scenario';
import type { LabFlowEdge, LabFlowNode } from '../graph/types';
import { useGraph } from '../stores/graph-store';
import { type LinkState, useRun } from '../stores/run-store';
import { inject } from './run';

/** Clock step the "Skew clock" entry applies, microseconds. */
export const SKEW_US = 10_000;
/** Loss rate the "Degrade" entry sets. */
export const DEGRADE_LOSS = 0.2;
/** "Slow down" multiplies the link's scenario latency by this (its distribution's shape kept). */
export const SLOW_FACTOR = 5;

/**
 * Partitions the given nodes from every other node. Switches are left out of the other side:
 * a partition is a rule about who may talk to whom end to end, and switches only relay.
 */
export function isolate(ids: readonly string[]): void {
  const set = new Set(ids);
  const rest = useGraph
    .getState()
    .nodes.filter((n) => n.data.role !== 'switch')
    .map((n) => n.id)
    .filter((id) => !set.has(id));
  if (ids.length === 0 || rest.length === 0) return;
  void inject({ kind: 'partition', groups: [[...ids], rest] });
}

/** Heals every partition and cut link. */
export function healAll(): void {
  void inject({ kind: 'heal' });
}

export function nodeMenu(node: LabFlowNode, selectedIds: readonly string[]): MenuItem[] {
  const sim = useRun.getState().nodes[node.id];
  const up = sim ? sim.up : true;
  const paused = sim?.paused ?? false;
  const group = selectedIds.includes(node.id) && selectedIds.length > 1 ? selectedIds : [node.id];
  return [
    {
      label: 'Crash',
      danger: true,
      disabled: !up && 'Already down',
      run: () => void inject({ kind: 'crash', node: node.id }),
    },
    {
      label: 'Restart',
      disabled: up && 'The node is up',
      run: () => void inject({ kind: 'restart', node: node.id }),
    },
    {
      label: 'Pause',
      disabled: (!up && 'The node is down') || (paused && 'Already paused'),
      run: () => void inject({ kind: 'pause', node: node.id }),
    },
    {
      label: 'Resume',
      disabled: !paused && 'The node is not paused',
      run: () => void inject({ kind: 'resume', node: node.id }),
    },
    {
      label: 'Skew clock +10 ms',
      run: () => void inject({ kind: 'clock-step', node: node.id, deltaUs: SKEW_US }),
    },
    {
      label: group.length > 1 ? `Isolate selection (${group.length} nodes)` : `Isolate ${node.data.name}`,
      separated: true,
      run: () => isolate(group),
    },
    { label: 'Heal all partitions and links', run: healAll },
  ];
}

/** Why "Heal" on a link would do nothing (false when it would heal something). */
export function healReason(info: LinkState | undefined): string | false {
  if (info === undefined) return false; // no run yet: the host decides
  if (info.cutBy.includes('link')) return false;
  if (info.state === 'degraded') return false;
  if (info.cutBy.includes('partition'))
    return 'A partition cuts this link: use "Heal all partitions and links"';
  return 'Nothing to heal: the link is neither cut nor degraded';
}

export function linkMenu(edge: LabFlowEdge): MenuItem[] {
  const names = new Map(useGraph.getState().nodes.map((n) => [n.id, n.data.name]));
  const a = names.get(edge.source) ?? edge.source;
  const b = names.get(edge.target) ?? edge.target;
  const link = edge.id;
  // The link as the scenario has it (what Heal restores and Slow down scales).
  const net = edge.data?.net ?? DEFAULT_LINK_NET;
  return [
    {
      label: 'Cut',
      danger: true,
      run: () => void inject({ kind: 'cut-link', link, direction: 'both' }),
    },
    {
      label: `Cut one way ${a}→${b}`,
      run: () => void inject({ kind: 'cut-link', link, direction: 'a-to-b' }),
    },
    {
      label: `Cut one way ${b}→${a}`,
      run: () => void inject({ kind: 'cut-link', link, direction: 'b-to-a' }),
    },
    {
      label: 'Degrade: loss 20%',
      run: () => void inject({ kind: 'degrade-link', link, lossRate: DEGRADE_LOSS }),
    },
    {
      label: `Slow down: latency ×${SLOW_FACTOR} (about ${Math.round((meanLatencyUs(net) * SLOW_FACTOR) / 1000)} ms)`,
      run: () => void inject({ kind: 'degrade-link', link, latency: scaleLatency(net.latency, SLOW_FACTOR) }),
    },
    {
      label: 'Heal',
      separated: true,
      disabled: healReason(useRun.getState().links[link]),
      run: () => {
        // As the host reports the link: heal undoes its cuts; a degraded link gets its
        // scenario's loss, duplication, reordering and latency back.
        const was = useRun.getState().links[link];
        if (was?.degraded && was.state === 'degraded')
          void inject({
            kind: 'degrade-link',
            link,
            lossRate: was.scenarioLossRate ?? net.lossRate,
            dupRate: net.dupRate,
            reorderRate: net.reorderRate,
            latency: net.latency,
          });
        else void inject({ kind: 'heal', id: link });
      },
    },
    { label: 'Heal all partitions and links', run: healAll },
  ];
}
