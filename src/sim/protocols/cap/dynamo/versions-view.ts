import type { DagViewData } from '../../../../shared/api/views';
import type { NodeView, ViewSpec } from '../../../protocol';
import type { DynamoParams, DynamoState, ReplicaState } from './types';
import { type ConflictMode, covers, lwwAfter, sameVersion, type Version, vvGe } from './versions';

/**
 * The Versions tab: Figure 3 of DeCandia et al. (SOSP 2007, §4.4 "Data Versioning"), "Version
 * evolution of an object over time", drawn from a run. Under version vectors the versions of
 * a key are partially ordered (one descends from another when its vector is at least as large
 * everywhere); the figure is the Hasse diagram of that order: an arrow from each version to the
 * versions that descend *directly* from it, labelled with the node that handled the write
 * ("write handled by Sx"; the paper's D5 "reconciled and written by Sx" when the write merged
 * several). Under last writer wins the versions are totally ordered by (timestamp, coordinator)
 * and the same diagram is a chain.
 *
 * The versions come from the replicas' records of the writes they coordinated
 * (`ReplicaState.written`) and from what they hold now (store and hints). A box's tone says
 * what became of it: still held beside a concurrent version (a sibling), held alone,
 * held by nobody but covered by a later version (obsolete, faded), or held by nobody and
 * covered by nothing held (lost).
 */

/** How many versions of the key the tab draws at most: the latest by the coordinators' clocks. */
export const VERSIONS_SHOWN = 8;

/**
 * The Hasse diagram of a strict partial order on `items`: every pair (i, j) with i before j and
 * no k between them (i before k before j). Concurrent items (neither before the other) get no
 * pair. Quadratic in pairs, cubic in all: for the dozen versions a tab shows.
 */
export function hasse<T>(items: readonly T[], before: (a: T, b: T) => boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < items.length; i++)
    for (let j = 0; j < items.length; j++) {
      if (i === j || !before(items[i]!, items[j]!)) continue;
      let direct = true;
      for (let k = 0; k < items.length && direct; k++)
        if (k !== i && k !== j && before(items[i]!, items[k]!) && before(items[k]!, items[j]!))
          direct = false;
      if (direct) out.push([i, j]);
    }
  return out;
}

/** `a` comes strictly before `b`: under vv `b` descends from `a` and is another version; under lww `b` is later. */
export function versionBefore(mode: ConflictMode): (a: Version, b: Version) => boolean {
  return mode === 'lww'
    ? (a, b) => lwwAfter(b, a)
    : (a, b) => !sameVersion(a, b) && vvGe(b.vv, a.vv) && !vvGe(a.vv, b.vv);
}

/** A version vector as the paper prints it, in node order: `[n1:2,n2:1]`. */
export function vectorText(v: Version): string {
  const parts = Object.keys(v.vv)
    .sort()
    .map((n) => `${n}:${v.vv[n]}`);
  return `[${parts.join(',')}]`;
}

const isReplica = (v: NodeView<DynamoState>): v is NodeView<ReplicaState> => v.state.kind === 'replica';

/** Adds `v` to `list` unless the same version is in it already. */
function addOnce(list: Version[], v: Version): void {
  if (!list.some((x) => sameVersion(x, v))) list.push(v);
}

/** The key the tab shows: the one it showed before while it has versions, else the one written last. */
function chooseKey(replicas: readonly NodeView<ReplicaState>[], previous: DagViewData | null): string | null {
  const latest = new Map<string, Version>();
  for (const r of replicas)
    for (const [key, vs] of Object.entries(r.state.written ?? {})) {
      const last = vs[vs.length - 1];
      const seen = latest.get(key);
      if (last !== undefined && (seen === undefined || lwwAfter(last, seen))) latest.set(key, last);
    }
  const before = previous?.subject?.startsWith('key ') ? previous.subject.slice(4) : null;
  if (before !== null && latest.has(before)) return before;
  let best: [string, Version] | null = null;
  for (const [key, v] of latest) if (best === null || lwwAfter(v, best[1])) best = [key, v];
  return best?.[0] ?? null;
}

/** A version's fate, as a box's tone. */
const TONES = {
  sibling: 'warn',
  current: 'good',
  'being written': 'info',
  obsolete: 'neutral',
  lost: 'bad',
} as const;

/** The Versions tab's data (a 'dag' view) for the replicas' state now. */
export function readVersions(
  nodes: readonly NodeView<DynamoState>[],
  params: Pick<DynamoParams, 'conflict'>,
  previous: DagViewData | null,
): DagViewData {
  const mode = params.conflict;
  const replicas = nodes.filter(isReplica);
  const order =
    mode === 'vv'
      ? 'an arrow to each version that descends directly (version vectors, §4.4, Figure 3)'
      : 'a chain by coordinator clock (last writer wins keeps only the last, §4.4)';
  const legend: DagViewData['legend'] = [
    ...(mode === 'vv' ? [{ tone: 'warn' as const, label: 'sibling (held beside a concurrent one)' }] : []),
    { tone: 'good', label: 'held by a replica' },
    { tone: 'info', label: 'being written' },
    { tone: 'neutral', label: 'obsolete', faded: true },
    { tone: 'bad', label: 'lost (held nowhere, nor a later one)' },
  ];
  const key = chooseKey(replicas, previous);
  if (key === null)
    return {
      kind: 'dag',
      caption: `No write yet: ${order}`,
      nodes: [],
      edges: [],
      legend,
    };

  // Every version of the key that a replica wrote or holds, and who holds which.
  const all: Version[] = [];
  const holders = new Map<Version, string[]>();
  const besideConcurrent = new Set<Version>();
  for (const r of replicas) for (const v of r.state.written?.[key] ?? []) addOnce(all, v);
  for (const r of replicas) {
    const copies: Version[][] = [r.state.store?.[key] ?? []];
    for (const h of r.state.hints ?? []) if (h.key === key) copies.push(h.versions);
    for (const copy of copies)
      for (const v of copy) {
        addOnce(all, v);
        const same = all.find((x) => sameVersion(x, v))!;
        const list = holders.get(same) ?? [];
        if (!list.includes(r.id)) list.push(r.id);
        holders.set(same, list);
        if (copy.length > 1) besideConcurrent.add(same);
      }
  }
  const inFlight: Version[] = [];
  for (const r of replicas)
    for (const c of r.state.coordinating ?? [])
      if (c.key === key && c.version !== null && !holders.has(all.find((x) => sameVersion(x, c.version!))!))
        inFlight.push(c.version);
  all.sort((a, b) => (lwwAfter(a, b) ? 1 : lwwAfter(b, a) ? -1 : 0));
  const shown = all.slice(-VERSIONS_SHOWN);
  const held = [...holders.keys()];
  const before = versionBefore(mode);
  const edges = hasse(shown, before);
  const parents = new Map<number, number>();
  for (const [, j] of edges) parents.set(j, (parents.get(j) ?? 0) + 1);

  const dagNodes: DagViewData['nodes'] = shown.map((v, k) => {
    const by = holders.get(v) ?? [];
    const coveredByHeld = held.some((h) => h !== v && covers(h, v, mode));
    const state =
      by.length > 0
        ? besideConcurrent.has(v) && mode === 'vv'
          ? 'sibling'
          : 'current'
        : coveredByHeld
          ? 'obsolete'
          : inFlight.some((x) => sameVersion(x, v))
            ? 'being written'
            : 'lost';
    const tone = TONES[state];
    const heldText = by.length > 0 ? `held by ${[...by].sort().join(', ')}` : `held by no replica (${state})`;
    return {
      id: `v${k}`,
      label: v.value,
      detail: mode === 'vv' ? vectorText(v) : `${v.by} @ ${(v.ts / 1e6).toFixed(4)} s`,
      tone,
      ...(state === 'obsolete' ? { faded: true } : {}),
      title: `${v.value} ${vectorText(v)}: written by ${v.by} at ${(v.ts / 1e6).toFixed(4)} s by its clock; ${heldText}`,
    };
  });
  const earlier = all.length - shown.length;
  return {
    kind: 'dag',
    subject: `key ${key}`,
    caption: `${earlier > 0 ? `last ${shown.length} of ${all.length} versions` : `${shown.length} ${shown.length === 1 ? 'version' : 'versions'}`}, ${order}; the key written last when the tab first drew`,
    direction: 'right',
    nodes: dagNodes,
    edges: edges.map(([i, j]) => ({
      from: `v${i}`,
      to: `v${j}`,
      label:
        (parents.get(j) ?? 0) > 1
          ? `reconciled and written by ${shown[j]!.by}`
          : `write handled by ${shown[j]!.by}`,
    })),
    legend,
  };
}

/** Dynamo's Versions tab. */
export const versionsView: ViewSpec<DynamoState, DynamoParams> = {
  id: 'versions',
  title: 'Versions',
  kind: 'dag',
  read: (nodes, params, previous) => readVersions(nodes, params, previous?.kind === 'dag' ? previous : null),
};
