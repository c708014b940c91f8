import { z } from 'zod';
import { HASH_NAMES, type HashName, hashOf, jumpHash, key64, rendezvousTop } from '../../hashing';
import type {
  DefaultTopology,
  Effects,
  Input,
  NodeView,
  Outbound,
  StepEnv,
  StepProtocol,
} from '../../protocol';
// ring-view.ts imports this file's ringView back; it uses it only when read, so the cycle is harmless.
import { ringTab } from './ring-view';

/**
 * Consistent hashing (Karger et al., "Consistent Hashing and Random Trees", STOC 1997; virtual
 * nodes as in Dynamo, DeCandia et al., SOSP 2007 §4.2 "Partitioning Algorithm" and §4.3
 * "Replication": a key is stored on the first N distinct nodes clockwise), compared with
 * rendezvous hashing (Thaler & Ravishankar 1998) and jump consistent hash (Lamping & Veach
 * 2014). A coordinator routes client operations and watches membership; when a node joins or
 * leaves, nodes hand over only the keys whose owners changed (`transfer` messages), and the
 * coordinator counts how many keys modulo-N hashing would have moved for the same change.
 * See docs/protocols/consistent-hashing.md.
 */
export const ConsistentHashingParams = z.object({
  /** Placement scheme. */
  scheme: z.enum(['ring', 'rendezvous', 'jump']).default('ring'),
  /** Hash function for ring points, keys and rendezvous weights. */
  hash: z.enum(HASH_NAMES).default('murmur3'),
  /** Ring: virtual nodes per node (labels `<node>#<i>`). */
  vnodes: z.number().int().min(1).max(1000).default(64),
  /** Copies of each key: the next N distinct nodes (1: no replication). */
  replicationFactor: z.number().int().min(1).max(10).default(1),
  /** How often the coordinator re-reads membership and params. */
  tickUs: z.number().int().min(1000).max(10_000_000).default(100_000),
  /** Bug switch: nodes ignore membership changes: they keep keys they no longer own. */
  bugStaleRing: z.boolean().default(false),
});
/** Consistent hashing params. */
export type ConsistentHashingParams = z.infer<typeof ConsistentHashingParams>;
type P = ConsistentHashingParams;
/** What placement depends on. */
export type PlacementParams = Pick<P, 'scheme' | 'hash' | 'vnodes' | 'replicationFactor'>;

const TWO32 = 4294967296;

/** A ring: virtual-node points sorted by position. */
export interface Ring {
  /** Positions (unsigned 32-bit), ascending. */
  points: number[];
  /** Owner node of each point. */
  owners: string[];
  /** Label of each point (`<node>#<i>`). */
  labels: string[];
}

/** Builds the ring of `nodes` with `vnodes` points each (ties broken by label). */
export function buildRing(nodes: readonly string[], vnodes: number, hash: HashName): Ring {
  const pts: { p: number; node: string; label: string }[] = [];
  for (const n of nodes)
    for (let i = 0; i < vnodes; i++) {
      const label = `${n}#${i}`;
      pts.push({ p: hashOf(hash, label), node: n, label });
    }
  pts.sort((a, b) => a.p - b.p || (a.label < b.label ? -1 : 1));
  return { points: pts.map((x) => x.p), owners: pts.map((x) => x.node), labels: pts.map((x) => x.label) };
}

/** The first `count` distinct nodes clockwise from the key's position (Dynamo §4.3). */
export function ringOwners(ring: Ring, key: string, count: number, hash: HashName): string[] {
  const n = ring.points.length;
  if (n === 0) return [];
  const h = hashOf(hash, key);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ring.points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let k = 0; k < n && out.length < count; k++) {
    const o = ring.owners[(lo + k) % n]!;
    if (!out.includes(o)) out.push(o);
  }
  return out;
}

// Placement functions are pure, so they are memoised by (params, members): routing one
// operation must not rebuild a ring. Bounded: cleared when full.
const placers = new Map<string, (key: string) => string[]>();

/** A placement function for a member list: key -> owners, primary first (memoised). */
export function placer(params: PlacementParams, members: readonly string[]): (key: string) => string[] {
  // Fast path: the same members array and params object as last time (the common case: a
  // coordinator routing operation after operation).
  if (last !== null && last.members === members && last.params === params) return last.f;
  const f = placerSlow(params, members);
  last = { members, params, f };
  return f;
}

let last: { members: readonly string[]; params: PlacementParams; f: (key: string) => string[] } | null = null;

function placerSlow(params: PlacementParams, members: readonly string[]): (key: string) => string[] {
  const id = `${params.scheme}|${params.hash}|${params.vnodes}|${params.replicationFactor}|${[...members].sort().join(',')}`;
  let f = placers.get(id);
  if (f === undefined) {
    if (placers.size >= 256) placers.clear();
    f = makePlacer(params, members);
    placers.set(id, f);
  }
  return f;
}

function makePlacer(params: PlacementParams, members: readonly string[]): (key: string) => string[] {
  const nodes = [...members].sort();
  const rf = Math.min(params.replicationFactor, nodes.length);
  if (nodes.length === 0) return () => [];
  if (params.scheme === 'rendezvous') return (key) => rendezvousTop(key, nodes, rf, params.hash);
  if (params.scheme === 'jump') {
    // Buckets are the members in id order; replicas are the next buckets.
    return (key) => {
      const b = jumpHash(key64(key), nodes.length);
      return Array.from({ length: rf }, (_, j) => nodes[(b + j) % nodes.length]!);
    };
  }
  const ring = buildRing(nodes, params.vnodes, params.hash);
  return (key) => ringOwners(ring, key, rf, params.hash);
}

/** The owner under modulo-N hashing over the sorted members (the baseline). */
export function moduloOwner(key: string, members: readonly string[], hash: HashName): string {
  const nodes = [...members].sort();
  return nodes.length === 0 ? '' : nodes[hashOf(hash, key) % nodes.length]!;
}

/** Keys whose primary owner differs between two member lists, under the scheme and under modulo N. */
export function movedKeys(
  params: PlacementParams,
  before: readonly string[],
  after: readonly string[],
  keys: readonly string[],
  paramsBefore: PlacementParams = params,
): { moved: string[]; movedModuloN: string[] } {
  const a = placer(paramsBefore, before);
  const b = placer(params, after);
  const moved: string[] = [];
  const movedModuloN: string[] = [];
  for (const k of keys) {
    if (a(k)[0] !== b(k)[0]) moved.push(k);
    if (moduloOwner(k, before, params.hash) !== moduloOwner(k, after, params.hash)) movedModuloN.push(k);
  }
  return { moved, movedModuloN };
}

/** What the workbench's ring view draws. */
export interface RingView {
  /** Virtual nodes on the ring (empty for rendezvous and jump, which have no ring). */
  vnodes: { label: string; node: string; angle: number }[];
  /** Keys at their angle (hash / 2^32 × 360) with their primary owner. */
  keys: { key: string; angle: number; owner: string }[];
  /** Keys whose primary owner changed from `previous` members to these. */
  moved: { key: string; from: string; to: string }[];
}

/**
 * Ring data for the workbench's ring view: a pure function of params, members, keys and
 * (optionally) the previous members. Angles are degrees clockwise from the top, [0, 360).
 */
export function ringView(
  params: PlacementParams,
  nodes: readonly string[],
  keys: readonly string[] = [],
  previous?: readonly string[],
): RingView {
  const sorted = [...nodes].sort();
  const angle = (h: number) => (h / TWO32) * 360;
  const ring = params.scheme === 'ring' ? buildRing(sorted, params.vnodes, params.hash) : null;
  const place = placer(params, sorted);
  const before = previous === undefined ? null : placer(params, previous);
  const vnodes =
    ring === null
      ? []
      : ring.labels.map((label, i) => ({ label, node: ring.owners[i]!, angle: angle(ring.points[i]!) }));
  const ks = [...keys]
    .sort()
    .map((key) => ({ key, angle: angle(hashOf(params.hash, key)), owner: place(key)[0] ?? '' }));
  const moved =
    before === null
      ? []
      : ks
          .filter((k) => (before(k.key)[0] ?? '') !== k.owner)
          .map((k) => ({ key: k.key, from: before(k.key)[0] ?? '', to: k.owner }));
  return { vnodes, keys: ks, moved };
}

// ------------------------------------------------------------------ the simulated cluster

/**
 * A set of keys kept as immutable plain data: 64 buckets by CRC-32 of the key, each a sorted
 * array, so adding a key copies one small bucket instead of the whole set.
 */
export type KeySet = Record<string, string[]>;

const KEY_BUCKETS = 64;

function bucketOf(key: string): string {
  return String(hashOf('crc32', key) % KEY_BUCKETS);
}

/** True when the set holds the key. */
export function hasKey(set: KeySet, key: string): boolean {
  return set[bucketOf(key)]?.includes(key) ?? false;
}

/** The set with the key added (the same object when it was there). */
export function addKey(set: KeySet, key: string): KeySet {
  const b = bucketOf(key);
  const cur = set[b] ?? [];
  if (cur.includes(key)) return set;
  return { ...set, [b]: [...cur, key].sort() };
}

/** Every key, sorted. */
export function allKeys(set: KeySet): string[] {
  const out: string[] = [];
  for (const b of Object.keys(set)) out.push(...set[b]!);
  return out.sort();
}

/** The coordinator. */
export interface CoordinatorState {
  /** Discriminator. */
  kind: 'coordinator';
  /** Membership version. */
  version: number;
  /** Current members (sorted). */
  members: string[];
  /** Keys ever written (sorted insertion not needed: a set). */
  keys: KeySet;
  /** Number of keys in `keys`. */
  keyCount: number;
  /** Keys whose primary moved, over all changes. */
  keysMoved: number;
  /** Keys modulo-N hashing would have moved, over the same changes. */
  keysMovedModuloN: number;
  /** The last change's figures. */
  lastMoved: number;
  /** Modulo-N figure for the last change. */
  lastMovedModuloN: number;
  /** Membership changes seen. */
  changes: number;
  /** Placement params of the current version. */
  placement: PlacementParams | null;
}

/** A storage node. */
export interface StoreState {
  /** Discriminator. */
  kind: 'node';
  /** Members as this node last applied them. */
  members: string[];
  /** Membership version applied. */
  version: number;
  /** Highest version sent to it (applied or not). */
  versionSeen: number;
  /** Stored keys. */
  data: Record<string, { value: string; ver: number }>;
  /** Requests served. */
  served: number;
  /** Transfer messages sent. */
  transfers: number;
  /** Placement params in force when the members were applied (the invariant recomputes with them). */
  placement: PlacementParams | null;
  /** Keys received under an older membership and sent on to their owner. */
  forwarded: number;
}

/** A client. */
export interface CHClientState {
  /** Discriminator. */
  kind: 'client';
  /** Operations answered. */
  done: number;
}

/** A node of the protocol. */
export type CHState = CoordinatorState | StoreState | CHClientState;

/** Messages. */
export type CHMsg =
  | { type: 'get'; opId: number; key: string }
  | { type: 'put'; opId: number; key: string; value: string }
  | { type: 'nodeGet'; opId: number; client: string; key: string }
  | { type: 'nodePut'; opId: number; client: string; key: string; value: string; ver: number; reply: boolean }
  | { type: 'result'; opId: number; value: string | null }
  | { type: 'members'; version: number; members: string[] }
  | { type: 'transfer'; key: string; value: string; ver: number };

type Eff = Effects<CHState, CHMsg>;
type Env = StepEnv<P>;

function placementOf(p: P): PlacementParams {
  return { scheme: p.scheme, hash: p.hash, vnodes: p.vnodes, replicationFactor: p.replicationFactor };
}

function coordinatorTick(s: CoordinatorState, env: Env, first: boolean): Eff {
  const members = [...env.nodesWithRole('node')].sort();
  const timers = [{ kind: 'set' as const, name: 'tick', afterUs: env.params.tickUs }];
  const placement = placementOf(env.params);
  const same =
    members.length === s.members.length &&
    members.every((m, i) => m === s.members[i]) &&
    JSON.stringify(placement) === JSON.stringify(s.placement);
  if (!first && same) return { state: s, timers };
  const version = s.version + 1;
  const send = [...new Set([...s.members, ...members])]
    .sort()
    .map((to) => ({ to, msg: { type: 'members' as const, version, members } }));
  if (first) return { state: { ...s, version, members, placement }, timers, send };
  const m = movedKeys(placement, s.members, members, allKeys(s.keys), s.placement ?? placement);
  return {
    state: {
      ...s,
      version,
      members,
      placement,
      keysMoved: s.keysMoved + m.moved.length,
      keysMovedModuloN: s.keysMovedModuloN + m.movedModuloN.length,
      lastMoved: m.moved.length,
      lastMovedModuloN: m.movedModuloN.length,
      changes: s.changes + 1,
    },
    timers,
    send,
    notes: [
      `members v${version}: ${members.join(',')}; ${env.params.scheme} moves ${m.moved.length} of ${s.keyCount} keys, modulo-N would move ${m.movedModuloN.length}`,
    ],
  };
}

function coordinatorStep(s: CoordinatorState, input: Input<CHMsg>, env: Env): Eff {
  if (input.kind === 'start' || input.kind === 'restart') return coordinatorTick(s, env, true);
  if (input.kind === 'timer') return input.name === 'tick' ? coordinatorTick(s, env, false) : { state: s };
  if (input.kind === 'client') return { state: s, reply: [{ id: input.op.id, ok: false }] };
  const m = input.msg;
  if (m.type !== 'get' && m.type !== 'put') return { state: s };
  const owners = placer(env.params, s.members)(m.key);
  if (owners.length === 0) return { state: s };
  if (m.type === 'get')
    return {
      state: s,
      send: [{ to: owners[0]!, msg: { type: 'nodeGet', opId: m.opId, client: input.from, key: m.key } }],
    };
  // Writes go to every replica; the primary answers. The op id orders writes to a key.
  return {
    state: hasKey(s.keys, m.key) ? s : { ...s, keys: addKey(s.keys, m.key), keyCount: s.keyCount + 1 },
    send: owners.map((to, j) => ({
      to,
      msg: {
        type: 'nodePut' as const,
        opId: m.opId,
        client: input.from,
        key: m.key,
        value: m.value,
        ver: m.opId,
        reply: j === 0,
      },
    })),
  };
}

function storeStep(s: StoreState, input: Input<CHMsg>, env: Env): Eff {
  if (input.kind === 'client') return { state: s, reply: [{ id: input.op.id, ok: false }] };
  if (input.kind !== 'message') return { state: s };
  const m = input.msg;
  switch (m.type) {
    case 'members': {
      if (m.version <= s.version) return { state: s };
      const seen = Math.max(s.versionSeen, m.version);
      if (env.params.bugStaleRing && s.version > 0) return { state: { ...s, versionSeen: seen } };
      const before = placer(s.placement ?? placementOf(env.params), s.members);
      const after = placer(placementOf(env.params), m.members);
      const send: Outbound<CHMsg>[] = [];
      const data: StoreState['data'] = {};
      let sent = 0;
      for (const k of Object.keys(s.data).sort()) {
        const v = s.data[k]!;
        const oldOwners = s.members.length === 0 ? [env.self] : before(k);
        const newOwners = after(k);
        // The first old owner still a member sends the key to each new owner that lacked it.
        const sender = oldOwners.find((o) => m.members.includes(o));
        if (sender === env.self)
          for (const o of newOwners)
            if (!oldOwners.includes(o) && o !== env.self) {
              send.push({ to: o, msg: { type: 'transfer', key: k, value: v.value, ver: v.ver } });
              sent++;
            }
        if (newOwners.includes(env.self)) data[k] = v;
      }
      return {
        state: {
          ...s,
          members: m.members,
          version: m.version,
          versionSeen: seen,
          data,
          transfers: s.transfers + sent,
          placement: placementOf(env.params),
        },
        send,
        notes: sent > 0 ? [`${env.self} hands ${sent} key(s) over for members v${m.version}`] : [],
      };
    }
    case 'transfer': {
      // Handed over under an older membership than ours: send it on to the owners we know.
      if (!env.params.bugStaleRing && s.members.length > 0) {
        const owners = placer(env.params, s.members)(m.key);
        if (!owners.includes(env.self))
          return {
            state: { ...s, forwarded: s.forwarded + 1 },
            send: owners.map((to) => ({ to, msg: m })),
          };
      }
      const cur = s.data[m.key];
      if (cur !== undefined && cur.ver >= m.ver) return { state: s };
      return { state: { ...s, data: { ...s.data, [m.key]: { value: m.value, ver: m.ver } } } };
    }
    case 'nodeGet':
      return {
        state: { ...s, served: s.served + 1 },
        send: [{ to: m.client, msg: { type: 'result', opId: m.opId, value: s.data[m.key]?.value ?? null } }],
      };
    case 'nodePut': {
      const cur = s.data[m.key];
      const data =
        cur !== undefined && cur.ver >= m.ver
          ? s.data
          : { ...s.data, [m.key]: { value: m.value, ver: m.ver } };
      return {
        state: { ...s, served: s.served + 1, data },
        send: m.reply ? [{ to: m.client, msg: { type: 'result', opId: m.opId, value: null } }] : [],
      };
    }
    default:
      return { state: s };
  }
}

function clientStep(c: CHClientState, input: Input<CHMsg>, env: Env): Eff {
  if (input.kind === 'client') {
    const op = input.op;
    const to = env.nodesWithRole('coordinator')[0];
    if (to === undefined) return { state: c, reply: [{ id: op.id, ok: false }] };
    const msg: CHMsg =
      op.op === 'read'
        ? { type: 'get', opId: op.id, key: op.key }
        : { type: 'put', opId: op.id, key: op.key, value: op.value ?? '' };
    return { state: c, send: [{ to, msg }] };
  }
  if (input.kind === 'message' && input.msg.type === 'result')
    return {
      state: { ...c, done: c.done + 1 },
      reply: [{ id: input.msg.opId, ok: true, value: input.msg.value }],
    };
  return { state: c };
}

/** Storage nodes in id order, up or not (slot k of the metrics is always the same node). */
function stores(nodes: readonly NodeView<CHState>[]): NodeView<StoreState>[] {
  return nodes
    .filter((v): v is NodeView<StoreState> => v.state.kind === 'node')
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
function coord(nodes: readonly NodeView<CHState>[]): CoordinatorState | undefined {
  for (const v of nodes) if (v.state.kind === 'coordinator') return v.state;
  return undefined;
}

// Memo of the last placement verdict per node id. Only a cache: a checkpoint restore or a
// second simulation makes the `data` identity differ, and then every key is checked again.
const verdicts = new Map<string, { key: string; data: StoreState['data']; verdict: string | null }>();

/** Population standard deviation. */
export function stddev(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
}

const keyCount = (v: NodeView<StoreState>) => Object.keys(v.state.data).length;

export const consistentHashing: StepProtocol<P, CHState, CHMsg> = {
  id: 'consistent-hashing',
  topic: 'consistent-hashing',
  title: 'Consistent hashing',
  version: 1,
  roles: [
    { id: 'coordinator', label: 'Coordinator', min: 1, max: 1 },
    { id: 'node', label: 'Storage node', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ConsistentHashingParams,
  defaultTopology(): DefaultTopology {
    const ids = ['coord', 'n1', 'n2', 'n3', 'n4', 'c1'];
    const roles: Record<string, string> = { coord: 'coordinator', c1: 'client' };
    return {
      nodes: [
        ...ids.map((id, k) => ({
          id,
          name: id,
          role: roles[id] ?? 'node',
          x: 300 + 220 * Math.cos((2 * Math.PI * k) / ids.length),
          y: 300 + 220 * Math.sin((2 * Math.PI * k) / ids.length),
          clockOffsetUs: 0,
          clockDriftPpm: 0,
        })),
        { id: 'sw', name: 'sw', role: 'switch', x: 300, y: 300, clockOffsetUs: 0, clockDriftPpm: 0 },
      ],
      links: ids.map((id) => chLink(id)),
    };
  },
  init(n) {
    if (n.role === 'coordinator')
      return {
        kind: 'coordinator',
        version: 0,
        members: [],
        keys: {},
        keyCount: 0,
        keysMoved: 0,
        keysMovedModuloN: 0,
        lastMoved: 0,
        lastMovedModuloN: 0,
        changes: 0,
        placement: null,
      };
    if (n.role === 'node')
      return {
        kind: 'node',
        members: [],
        version: 0,
        versionSeen: 0,
        data: {},
        served: 0,
        transfers: 0,
        placement: null,
        forwarded: 0,
      };
    return { kind: 'client', done: 0 };
  },
  step(s, input, env) {
    if (s.kind === 'coordinator') return coordinatorStep(s, input, env);
    if (s.kind === 'node') return storeStep(s, input, env);
    return clientStep(s, input, env);
  },
  durable(s) {
    if (s.kind === 'node')
      return {
        kind: s.kind,
        data: s.data,
        members: s.members,
        version: s.version,
        versionSeen: s.versionSeen,
        transfers: s.transfers,
        placement: s.placement,
      };
    return s;
  },
  invariants: [
    {
      id: 'key-placement',
      title: 'A node keeps only keys it owns (as primary or replica) under the current membership',
      check({ changed, nodes }) {
        const s = changed.state;
        if (s.kind !== 'node' || !changed.up) return null;
        const c = coord(nodes);
        if (c === undefined || s.versionSeen < c.version || c.members.length === 0) return null;
        if (s.placement === null) return null;
        // Judged against the coordinator's membership with the placement params this node
        // applied (params are not in the cluster view). Under the stale-ring bug the node
        // never applied the new membership, and holds keys that now belong elsewhere.
        // Data objects are immutable: after a step only entries that are new objects need a
        // look, unless the membership changed (then every key). Verdicts are memoised per node.
        const memoKey = `${c.members.join(',')}|${JSON.stringify(s.placement)}`;
        const memo = verdicts.get(changed.id);
        const owners = placer(s.placement, c.members);
        let verdict: string | null = null;
        for (const k of Object.keys(s.data)) {
          if (
            memo !== undefined &&
            memo.key === memoKey &&
            memo.verdict === null &&
            memo.data[k] === s.data[k]
          )
            continue;
          const o = owners(k);
          if (!o.includes(changed.id)) {
            verdict = `${changed.id} holds ${k}, which members v${c.version} place on ${o.join(',')}`;
            break;
          }
        }
        verdicts.set(changed.id, { key: memoKey, data: s.data, verdict });
        return verdict;
      },
    },
  ],
  historyCheckers: [],
  views: [ringTab],
  metrics: [
    ...[1, 2, 3, 4, 5, 6].map((k) => ({
      id: `node${k}Keys`,
      unit: 'keys',
      read: (n: readonly NodeView<CHState>[]) => {
        const v = stores(n)[k - 1];
        return v === undefined || !v.up ? 0 : keyCount(v);
      },
    })),
    {
      id: 'keysStddev',
      unit: 'keys',
      read: (n) =>
        stddev(
          stores(n)
            .filter((v) => coord(n)?.members.includes(v.id))
            .map(keyCount),
        ),
    },
    {
      id: 'keysStddevRel',
      unit: 'fraction of mean',
      read: (n) => {
        const xs = stores(n)
          .filter((v) => coord(n)?.members.includes(v.id))
          .map(keyCount);
        const mean = xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
        return mean === 0 ? 0 : stddev(xs) / mean;
      },
    },
    { id: 'keysMoved', unit: 'keys', read: (n) => coord(n)?.keysMoved ?? 0 },
    { id: 'keysMovedModuloN', unit: 'keys', read: (n) => coord(n)?.keysMovedModuloN ?? 0 },
    { id: 'lastChangeMoved', unit: 'keys', read: (n) => coord(n)?.lastMoved ?? 0 },
    { id: 'lastChangeMovedModuloN', unit: 'keys', read: (n) => coord(n)?.lastMovedModuloN ?? 0 },
    { id: 'transfers', unit: 'messages', read: (n) => stores(n).reduce((a, v) => a + v.state.transfers, 0) },
    { id: 'keysKnown', unit: 'keys', read: (n) => coord(n)?.keyCount ?? 0 },
    {
      id: 'keysUnavailable',
      unit: 'keys',
      read: (n) => {
        // Keys written at some point that no running node holds (lost, or in flight right now).
        const held = new Set<string>();
        for (const v of stores(n)) if (v.up) for (const k of Object.keys(v.state.data)) held.add(k);
        let missing = 0;
        const c = coord(n);
        if (c !== undefined)
          for (const b of Object.keys(c.keys)) for (const k of c.keys[b]!) if (!held.has(k)) missing++;
        return missing;
      },
    },
    { id: 'members', unit: 'nodes', read: (n) => coord(n)?.members.length ?? 0 },
  ],
  summary(s, up) {
    if (!up) return { text: 'down', tone: 'bad' };
    if (s.kind === 'coordinator')
      return {
        text: `${s.members.length} nodes · moved ${s.keysMoved} (mod-N ${s.keysMovedModuloN})`,
        tone: 'good',
      };
    if (s.kind === 'node')
      return { text: `${Object.keys(s.data).length} keys`, tone: s.version === 0 ? 'warn' : 'neutral' };
    return { text: `${s.done} done`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugStaleRing',
      title: 'Nodes ignore membership changes: keys stay on nodes that no longer own them',
    },
  ],
  lesson: {
    summary:
      'Consistent hashing places nodes and keys on the same circle; a key belongs to the next node clockwise. When a node joins or leaves, only the keys next to it change hands — about 1/n of them — where hash modulo n would reshuffle almost all. Virtual nodes smooth the load; rendezvous and jump hashing reach the same goal without a ring.',
    watch: [
      'keysMoved next to keysMovedModuloN after each membership change',
      'transfer messages: who hands which keys to whom',
      'keysStddevRel as you change vnodes',
    ],
    tryThis: [
      'Add a node n5 (add-node plus a link) at 3 s: about 1/5 of the keys move, modulo-N would move about 4/5',
      'Set vnodes to 1 and compare keysStddevRel with vnodes 64 and 256',
      'Remove n2: only n2’s keys move (with replicationFactor 1 they are lost with it; try 2)',
      'Switch scheme to rendezvous and jump: jump moves the fewest keys when n5 is added, but cannot remove a node in the middle cheaply',
      'Turn on bugStaleRing and add a node: the key-placement invariant stops the run',
    ],
  },
};

function chLink(id: string) {
  return {
    id: `${id}-sw`,
    a: id,
    b: 'sw',
    latency: { kind: 'normal' as const, meanUs: 500, stdUs: 100, minUs: 200 },
    lossRate: 0,
    dupRate: 0,
    reorderRate: 0,
    reorderDelayUs: 5000,
  };
}

/** The faults that add storage node `id` at `atUs`. */
export function addNodeFaults(id: string, atUs: number) {
  return [
    { atUs, fault: { kind: 'add-node' as const, node: { id, name: id, role: 'node', x: 600, y: 80 } } },
    { atUs, fault: { kind: 'add-link' as const, link: chLink(id) } },
  ];
}
