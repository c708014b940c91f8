import { z } from 'zod';
import { HASH_NAMES, type HashName, hashOf, jumpHash, key64, rendezvousTop } from '../../hashing';
import type {
  CheckEvent,
  Ctx,
  DefaultTopology,
  Input,
  NodeView,
  Protocol,
  ScenarioIssue,
  StateField,
} from '../../protocol';
// ring-view.ts imports this file's ringView back; it uses it only when read, so the cycle is harmless.
import { clientOpsAnswered } from '../../toolkit/liveness';
import {
  type GetMsg,
  initRoutedClient,
  type PutMsg,
  type ResultMsg,
  type RoutedClientState,
  routedClient,
} from '../../toolkit/routed-client';
import { link, placed } from '../../toolkit/topology';
import { ringTab } from './ring-view';

/**
 * Consistent hashing (Karger et al., "Consistent Hashing and Random Trees", STOC 1997; virtual
 * nodes as in Dynamo, DeCandia et al., SOSP 2007 §4.2 "Partitioning Algorithm" and §4.3
 * "Replication": a key is stored on the first N distinct nodes clockwise), compared with
 * rendezvous hashing (Thaler & Ravishankar 1998) and jump consistent hash (Lamping & Veach
 * 2014). A coordinator routes client operations and watches membership; when a node joins or
 * leaves, nodes hand over only the keys whose owners changed (`transfer` messages), and the
 * coordinator counts how many keys modulo-N hashing would have moved for the same change.
 * The rules implemented:
 * - placement (`ownersOf`): the ring's first N distinct nodes clockwise from the key (Dynamo
 *   §4.2-4.3), the N highest rendezvous weights, or N buckets from the jump hash;
 * - membership: the coordinator re-reads the members every tick and, on a change, sends the
 *   new list to old and new members (Dynamo uses gossip, §4.8; here a coordinator polls);
 * - hand-over: a node applying new members sends each key to the owners that gain it, and
 *   keeps only the keys it still owns (Karger §4 "monotonicity": only keys near the change
 *   move).
 * Each node keeps its ring (the virtual nodes sorted by position) and its key-value store
 * (`data`) in its state, and changes them in place. See docs/protocols/consistent-hashing.md.
 */
export const ConsistentHashingParams = z.object({
  /** Placement scheme. */
  scheme: z.enum(['ring', 'rendezvous', 'jump']).default('ring'),
  /** Hash function for ring points, keys and rendezvous weights. */
  hash: z.enum(HASH_NAMES).default('murmur3'),
  /** Ring: virtual nodes per node (labels `<name>#<i>`, the node's display name). */
  vnodes: z.number().int().min(1).max(1000).default(64),
  /** Copies of each key: the next N distinct nodes (1: no replication). */
  replicationFactor: z.number().int().min(1).max(10).default(1),
  /** How often the coordinator re-reads membership and params. */
  tickUs: z.number().int().min(1000).max(10_000_000).default(100_000),
  /**
   * What a key is. `string`: its text is hashed to a 64-bit key for jump hash (`key64`).
   * `integer`: every key is an unsigned 64-bit integer written in decimal (`42`), which jump hash
   * takes as it is, as in Lamping & Veach 2014 (the scenario's keys must then be decimal
   * integers: a pattern such as `{i}`). The ring and rendezvous hash the key's text either way.
   */
  keyType: z.enum(['string', 'integer']).default('string'),
  /** Bug switch: nodes ignore membership changes: they keep keys they no longer own. */
  bugStaleRing: z.boolean().default(false),
});
/** Consistent hashing params. */
export type ConsistentHashingParams = z.infer<typeof ConsistentHashingParams>;
type P = ConsistentHashingParams;
/** What placement depends on. */
export type PlacementParams = Pick<P, 'scheme' | 'hash' | 'vnodes' | 'replicationFactor'> &
  Partial<Pick<P, 'keyType'>>;

/** Display names by node id (a node missing here is labelled by its id). */
export type NodeNames = Readonly<Record<string, string>>;

const TWO32 = 4294967296;

/** A virtual node: one of a node's points on the ring (Dynamo §4.2). */
export interface VirtualNode {
  /** Position on the ring: the hash of the label, an unsigned 32-bit integer. */
  position: number;
  /** The node it stands for (its id). */
  node: string;
  /** What is hashed: `<name>#<i>`, with the node's display name as the scenario gives it. */
  label: string;
}

/** A ring: the virtual nodes sorted by position (ties broken by label, then node id). */
export type Ring = VirtualNode[];

/**
 * Builds the ring of `nodes` (ids) with `vnodes` points each, at the hash of `<name>#<i>`, where
 * name is the node's display name from `names` (its id when it has none): the labels a user sees
 * are the ones hashed. Ties are broken by label, then by node id (two nodes given the same name
 * share their points).
 */
export function buildRing(
  nodes: readonly string[],
  vnodes: number,
  hash: HashName,
  names: NodeNames = {},
): Ring {
  const ring: Ring = [];
  for (const node of nodes) {
    const name = names[node] || node;
    for (let i = 0; i < vnodes; i++) {
      const label = `${name}#${i}`;
      ring.push({ position: hashOf(hash, label), node, label });
    }
  }
  return ring.sort(
    (a, b) =>
      a.position - b.position ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : a.node < b.node ? -1 : a.node > b.node ? 1 : 0),
  );
}

const UINT64_MAX = (1n << 64n) - 1n;

/** A key as an unsigned 64-bit integer when it is one written in decimal, else null. */
export function integerKey(key: string): bigint | null {
  if (!/^[0-9]{1,20}$/.test(key)) return null;
  const k = BigInt(key);
  return k <= UINT64_MAX ? k : null;
}

/**
 * The 64-bit key jump hash takes: the key itself under `keyType: 'integer'` (Lamping & Veach
 * 2014), else the string hashed to 64 bits (`key64`). A key that is not a decimal integer is
 * hashed even under 'integer' (the scenario check refuses such keys up front; a live change of
 * keyType can still meet one).
 */
export function jumpKey(key: string, keyType: PlacementParams['keyType'] = 'string'): bigint {
  return (keyType === 'integer' ? integerKey(key) : null) ?? key64(key);
}

/** The first `count` distinct nodes clockwise from the key's position (Dynamo §4.3). */
export function ringOwners(ring: Ring, key: string, count: number, hash: HashName): string[] {
  const n = ring.length;
  if (n === 0) return [];
  const h = hashOf(hash, key);
  // The first virtual node at or after the key's position (binary search), wrapping around.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ring[mid]!.position < h) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let k = 0; k < n && out.length < count; k++) {
    const o = ring[(lo + k) % n]!.node;
    if (!out.includes(o)) out.push(o);
  }
  return out;
}

/**
 * The owners of a key, primary first: `replicationFactor` distinct members (all of them when
 * there are fewer). `members` must be sorted; `ring` is the ring of those members under these
 * params (`buildRing`; unused by rendezvous and jump, which have no ring).
 */
export function ownersOf(key: string, p: PlacementParams, members: readonly string[], ring: Ring): string[] {
  const n = members.length;
  if (n === 0) return [];
  const rf = Math.min(p.replicationFactor, n);
  if (p.scheme === 'rendezvous') return rendezvousTop(key, members, rf, p.hash);
  if (p.scheme === 'jump') {
    // Buckets are the members in id order; replicas are the next buckets.
    const b = jumpHash(jumpKey(key, p.keyType), n);
    return Array.from({ length: rf }, (_, j) => members[(b + j) % n]!);
  }
  return ringOwners(ring, key, rf, p.hash);
}

/** A placement function for a member list: key -> owners, primary first (builds the ring once). */
export function placer(
  params: PlacementParams,
  members: readonly string[],
  names: NodeNames = {},
): (key: string) => string[] {
  const nodes = [...members].sort();
  const ring = params.scheme === 'ring' ? buildRing(nodes, params.vnodes, params.hash, names) : [];
  return (key) => ownersOf(key, params, nodes, ring);
}

/** The owner under modulo-N hashing over the members (the baseline); `members` must be sorted. */
function moduloOwnerSorted(key: string, nodes: readonly string[], hash: HashName): string {
  return nodes.length === 0 ? '' : nodes[hashOf(hash, key) % nodes.length]!;
}

/** The owner under modulo-N hashing over the sorted members (the baseline). */
export function moduloOwner(key: string, members: readonly string[], hash: HashName): string {
  return moduloOwnerSorted(key, [...members].sort(), hash);
}

/**
 * Keys whose primary owner differs between two member lists, under the scheme and under modulo N
 * (over the same members and hash).
 */
export function movedKeys(
  params: PlacementParams,
  before: readonly string[],
  after: readonly string[],
  keys: readonly string[],
  paramsBefore: PlacementParams = params,
  names: NodeNames = {},
): { moved: string[]; movedModuloN: string[] } {
  const a = placer(paramsBefore, before, names);
  const b = placer(params, after, names);
  const sa = [...before].sort();
  const sb = [...after].sort();
  const moved: string[] = [];
  const movedModuloN: string[] = [];
  for (const k of keys) {
    if (a(k)[0] !== b(k)[0]) moved.push(k);
    if (moduloOwnerSorted(k, sa, params.hash) !== moduloOwnerSorted(k, sb, params.hash)) movedModuloN.push(k);
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
 * Ring data for the workbench's ring view: a pure function of params, members, keys,
 * (optionally) the previous members and the nodes' display names (vnode labels `<name>#<i>`).
 * Angles are degrees clockwise from the top, [0, 360).
 */
export function ringView(
  params: PlacementParams,
  nodes: readonly string[],
  keys: readonly string[] = [],
  previous?: readonly string[],
  names: NodeNames = {},
): RingView {
  const sorted = [...nodes].sort();
  const angle = (h: number) => (h / TWO32) * 360;
  const ring = params.scheme === 'ring' ? buildRing(sorted, params.vnodes, params.hash, names) : [];
  const place = (key: string) => ownersOf(key, params, sorted, ring);
  const before = previous === undefined ? null : placer(params, previous, names);
  const vnodes = ring.map((v) => ({ label: v.label, node: v.node, angle: angle(v.position) }));
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

/** A stored value with its write version. */
export interface Versioned {
  /** The value written. */
  value: string;
  /** The write's version (the client operation id: a higher one wins). */
  ver: number;
}

/** What a coordinator or a storage node placed keys by: members, params, names and their ring. */
interface Placed {
  /** Members (sorted). */
  members: string[];
  /** Placement params (null before the first membership). */
  placement: PlacementParams | null;
  /** Display names of the members, by id (what the ring's labels are made of). */
  names: Record<string, string>;
  /** The ring of those members under those params (empty for rendezvous and jump). */
  ring: Ring;
}

/** The coordinator. */
export interface CoordinatorState {
  /** Discriminator. */
  kind: 'coordinator';
  /** Membership version. */
  version: number;
  /** Current members (sorted). */
  members: string[];
  /** Keys ever written, in the order first written (a log: it only grows). */
  keys: string[];
  /** Number of keys in `keys`. */
  keyCount: number;
  /** Keys of the declared key space (`ctx.keySpace()`) whose primary moved, over all changes. */
  keysMoved: number;
  /** Keys of the declared key space modulo-N hashing would have moved, over the same changes. */
  keysMovedModuloN: number;
  /** The last change's figures. */
  lastMoved: number;
  /** Modulo-N figure for the last change. */
  lastMovedModuloN: number;
  /** Membership changes seen. */
  changes: number;
  /** Placement params of the current version (requests are placed by these, not by params changed since). */
  placement: PlacementParams | null;
  /** Display names of every storage node seen, by id. */
  names: Record<string, string>;
  /** The ring of the current members (empty for rendezvous and jump). */
  ring: Ring;
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
  /** The key-value store: key -> value and write version. */
  data: Record<string, Versioned>;
  /** Requests served. */
  served: number;
  /** Transfer messages sent. */
  transfers: number;
  /** Placement params in force when the members were applied (the invariant recomputes with them). */
  placement: PlacementParams | null;
  /** Keys received under an older membership and sent on to their owner. */
  forwarded: number;
  /** Display names of the applied members, by id (from the membership message). */
  names: Record<string, string>;
  /** The ring of the applied members (empty for rendezvous and jump). */
  ring: Ring;
}

/**
 * A client: the toolkit's routed client (src/sim/toolkit/routed-client.ts), which sends each
 * operation to the coordinator and never re-sends it (the workload's timeout gives up on it).
 */
export type CHClientState = RoutedClientState;
/** The client's messages: get and put to the coordinator, the result from the node that served it. */
export type { GetMsg, PutMsg, ResultMsg } from '../../toolkit/routed-client';

/** A node of the protocol. */
export type CHState = CoordinatorState | StoreState | CHClientState;

/** Coordinator -> primary: read a key for a client. */
export interface NodeGetMsg {
  /** Message type. */
  type: 'nodeGet';
  /** The client operation. */
  opId: number;
  /** The client to answer. */
  client: string;
  /** The key. */
  key: string;
}
/** Coordinator -> each replica: write a key for a client. */
export interface NodePutMsg {
  /** Message type. */
  type: 'nodePut';
  /** The client operation. */
  opId: number;
  /** The client to answer. */
  client: string;
  /** The key. */
  key: string;
  /** The value. */
  value: string;
  /** The write's version (the operation id). */
  ver: number;
  /** True for the primary, which answers the client. */
  reply: boolean;
}
/** Coordinator -> node: the membership now in force, and how keys are placed under it. */
export interface MembersMsg {
  /** Message type. */
  type: 'members';
  /** Membership version. */
  version: number;
  /** The members (sorted). */
  members: string[];
  /** The placement params of this version. */
  placement: PlacementParams;
  /** The members' display names, by id (the ring hashes `<name>#<i>`). */
  names: Record<string, string>;
}
/** Node -> node: a key handed over to an owner that gains it (or sent on by a node that is not one). */
export interface TransferMsg {
  /** Message type. */
  type: 'transfer';
  /** The key. */
  key: string;
  /** Its value. */
  value: string;
  /** Its write version. */
  ver: number;
}

/** Messages. */
export type CHMsg = GetMsg | PutMsg | NodeGetMsg | NodePutMsg | ResultMsg | MembersMsg | TransferMsg;

/** Check event: a storage node stored a value of a key (the invariant judges that key). */
export interface StoredEvent {
  /** Event type. */
  type: 'stored';
  /** The key stored. */
  key: string;
}
/** Check event: a storage node was sent a membership, applied or not (the invariant judges every key). */
export interface MembersSeenEvent {
  /** Event type. */
  type: 'members-seen';
  /** The membership version. */
  version: number;
}
/** The facts a storage node states for the key-placement invariant. */
export type PlacementEvent = StoredEvent | MembersSeenEvent;

type C = Ctx<P, CHMsg>;

function placementOf(p: P): PlacementParams {
  return {
    scheme: p.scheme,
    hash: p.hash,
    vnodes: p.vnodes,
    replicationFactor: p.replicationFactor,
    keyType: p.keyType,
  };
}

/**
 * The ring of `members` under `p`: the ring a state already holds when it was built for the
 * same members and ring params, else a new one from the members' display names. (A ring is
 * rebuilt when the members change; placement params can change live between two membership
 * versions. Names are the scenario's and do not change during a run.)
 */
function ringFor(p: PlacementParams, members: readonly string[], names: NodeNames, ...held: Placed[]): Ring {
  if (p.scheme !== 'ring') return [];
  for (const h of held) {
    const q = h.placement;
    if (q === null || q.scheme !== 'ring' || q.vnodes !== p.vnodes || q.hash !== p.hash) continue;
    if (h.members.length === members.length && h.members.every((m, i) => m === members[i])) return h.ring;
  }
  return buildRing(members, p.vnodes, p.hash, names);
}

/**
 * The coordinator's tick: re-read the membership and params; on a change bump the version,
 * send the members, the placement params and the members' display names to old and new
 * members, and count the keys of the declared key space whose primary moved, under the scheme
 * and under modulo N. `first` (start or restart) announces without counting.
 */
function coordinatorTick(ctx: C, s: CoordinatorState, first: boolean): void {
  const members = [...ctx.nodesWithRole('node')].sort();
  ctx.setTimer('tick', ctx.params.tickUs);
  const placement = placementOf(ctx.params);
  const same =
    members.length === s.members.length &&
    members.every((m, i) => m === s.members[i]) &&
    JSON.stringify(placement) === JSON.stringify(s.placement);
  if (!first && same) return;
  const version = s.version + 1;
  for (const m of members) s.names[m] = ctx.nameOf(m);
  const names: Record<string, string> = {};
  for (const m of members) names[m] = s.names[m]!;
  for (const to of [...new Set([...s.members, ...members])].sort())
    ctx.send(to, { type: 'members', version, members, placement, names });
  const ring = ringFor(placement, members, s.names, s);
  if (!first) {
    // Every key the scenario declares (not only those written so far) whose primary moves,
    // under the scheme and under modulo N over the same members: what "keys moved" means.
    const space = ctx.keySpace();
    const before = s.placement ?? placement;
    const beforeRing = ringFor(before, s.members, s.names, s);
    let moved = 0;
    let movedModuloN = 0;
    for (const k of space) {
      if (ownersOf(k, before, s.members, beforeRing)[0] !== ownersOf(k, placement, members, ring)[0]) moved++;
      if (moduloOwnerSorted(k, s.members, placement.hash) !== moduloOwnerSorted(k, members, placement.hash))
        movedModuloN++;
    }
    s.keysMoved += moved;
    s.keysMovedModuloN += movedModuloN;
    s.lastMoved = moved;
    s.lastMovedModuloN = movedModuloN;
    s.changes += 1;
    ctx.note(
      `members v${version}: ${members.join(',')}; ${ctx.params.scheme} moves ${moved} of ${space.length} keys, modulo-N would move ${movedModuloN}`,
    );
  }
  s.version = version;
  s.members = members;
  s.placement = placement;
  s.ring = ring;
}

function coordinatorOn(ctx: C, s: CoordinatorState, input: Input<CHMsg>): void {
  if (input.kind === 'start' || input.kind === 'restart') {
    coordinatorTick(ctx, s, true);
    return;
  }
  if (input.kind === 'timer') {
    if (input.name === 'tick') coordinatorTick(ctx, s, false);
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false });
    return;
  }
  const m = input.msg;
  if (m.type !== 'get' && m.type !== 'put') return;
  // Placed as the current membership version says, the version the nodes hold: params changed
  // live take effect at the next tick, which announces them with a new version.
  const p = s.placement ?? placementOf(ctx.params);
  const owners = ownersOf(m.key, p, s.members, ringFor(p, s.members, s.names, s));
  if (owners.length === 0) return;
  if (m.type === 'get') {
    ctx.send(owners[0]!, { type: 'nodeGet', opId: m.opId, client: input.from, key: m.key });
    return;
  }
  // Writes go to every replica (Dynamo §4.3); the primary answers. The op id orders writes to a key.
  if (!s.keys.includes(m.key)) {
    s.keys.push(m.key);
    s.keyCount += 1;
  }
  for (const [j, to] of owners.entries())
    ctx.send(to, {
      type: 'nodePut',
      opId: m.opId,
      client: input.from,
      key: m.key,
      value: m.value,
      ver: m.opId,
      reply: j === 0,
    });
}

/** Stores a value unless the node holds a newer write of the key; says so to the invariant. */
function store(ctx: C, s: StoreState, key: string, value: string, ver: number): void {
  const cur = s.data[key];
  if (cur !== undefined && cur.ver >= ver) return;
  s.data[key] = { value, ver };
  ctx.emit({ type: 'stored', key } satisfies StoredEvent);
}

function storeOn(ctx: C, s: StoreState, input: Input<CHMsg>): void {
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false });
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  switch (m.type) {
    case 'members': {
      if (m.version <= s.version) return;
      s.versionSeen = Math.max(s.versionSeen, m.version);
      ctx.emit({ type: 'members-seen', version: m.version } satisfies MembersSeenEvent);
      if (ctx.params.bugStaleRing && s.version > 0) return;
      // Hand-over: owners of each key before and after the change, each placed as its
      // membership version says.
      const before = s.placement ?? m.placement;
      const beforeRing = ringFor(before, s.members, s.names, s);
      const after = m.placement;
      const afterRing = ringFor(after, m.members, m.names, s);
      const kept: StoreState['data'] = {};
      let sent = 0;
      for (const k of Object.keys(s.data).sort()) {
        const v = s.data[k]!;
        const oldOwners = s.members.length === 0 ? [ctx.self] : ownersOf(k, before, s.members, beforeRing);
        const newOwners = ownersOf(k, after, m.members, afterRing);
        // The first old owner still a member sends the key to each new owner that lacked it.
        const sender = oldOwners.find((o) => m.members.includes(o));
        if (sender === ctx.self)
          for (const o of newOwners)
            if (!oldOwners.includes(o) && o !== ctx.self) {
              ctx.send(o, { type: 'transfer', key: k, value: v.value, ver: v.ver });
              sent++;
            }
        if (newOwners.includes(ctx.self)) kept[k] = v;
      }
      s.members = m.members;
      s.version = m.version;
      s.data = kept;
      s.transfers += sent;
      s.placement = after;
      s.names = m.names;
      s.ring = afterRing;
      if (sent > 0) ctx.note(`${ctx.self} hands ${sent} key(s) over for members v${m.version}`);
      return;
    }
    case 'transfer': {
      // Handed over under an older membership than ours: send it on to the owners we know.
      if (!ctx.params.bugStaleRing && s.members.length > 0) {
        const p = s.placement ?? placementOf(ctx.params);
        const owners = ownersOf(m.key, p, s.members, ringFor(p, s.members, s.names, s));
        if (!owners.includes(ctx.self)) {
          s.forwarded += 1;
          for (const to of owners) ctx.send(to, m);
          return;
        }
      }
      store(ctx, s, m.key, m.value, m.ver);
      return;
    }
    case 'nodeGet':
      s.served += 1;
      ctx.send(m.client, { type: 'result', opId: m.opId, value: s.data[m.key]?.value ?? null });
      return;
    case 'nodePut':
      s.served += 1;
      store(ctx, s, m.key, m.value, m.ver);
      if (m.reply) ctx.send(m.client, { type: 'result', opId: m.opId, value: null });
      return;
    default:
      return;
  }
}

const clientOn = routedClient<P, CHMsg>('coordinator');

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

/** The keys a step's events ask the invariant to judge: all when the membership changed, else those stored. */
function keysToJudge(s: StoreState, events: readonly CheckEvent[]): string[] {
  if (events.some((e) => e.type === 'members-seen')) return Object.keys(s.data);
  const keys: string[] = [];
  for (const e of events) if (e.type === 'stored' && typeof e.key === 'string') keys.push(e.key);
  return keys;
}

/** Population standard deviation. */
export function stddev(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
}

const keyCount = (v: NodeView<StoreState>) => Object.keys(v.state.data).length;

/** A field of any role's state. */

// What survives a crash, and the write-once lists: fields of any role (a node keeps those it has).
const DURABLE: StateField<CHState>[] = [
  'kind',
  'data',
  'members',
  'version',
  'versionSeen',
  'keys',
  'keyCount',
  'keysMoved',
  'keysMovedModuloN',
  'lastMoved',
  'lastMovedModuloN',
  'changes',
  'transfers',
  'placement',
  'names',
  'ring',
  'done',
  'pending',
];
const LOGS: StateField<CHState>[] = ['keys'];

export const consistentHashing: Protocol<P, CHState, CHMsg> = {
  id: 'consistent-hashing',
  topic: 'consistent-hashing',
  title: 'Consistent hashing',
  version: 1,
  // 400 operations a second and a hop of 1 ms: the story is the ring's keys moving when n5
  // joins (3 s) and n2 leaves (5 s), 6 s and 10 s after Play at 0.5x.
  speed: 0.5,
  roles: [
    { id: 'coordinator', label: 'Coordinator', min: 1, max: 1 },
    { id: 'node', label: 'Storage node', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ConsistentHashingParams,
  quickStart() {
    // Ring of n1..n4 (64 virtual nodes each), 1000 keys; n5 joins at 3 s, n2 is removed at 5 s.
    return {
      name: 'Consistent hashing: a node joins, a node leaves',
      workload: {
        kind: 'open',
        ratePerS: 400,
        readFraction: 0.3,
        keys: { pattern: 'k{i}', count: 1000 },
        stopUs: 6_500_000,
      },
      faults: [
        ...addNodeFaults('n5', 3_000_000),
        { atUs: 5_000_000, fault: { kind: 'remove-node', node: 'n2' } },
      ],
      maxTimeUs: 7_000_000,
    };
  },
  defaultTopology(): DefaultTopology {
    const ids = ['coord', 'n1', 'n2', 'n3', 'n4', 'c1'];
    const roles: Record<string, string> = { coord: 'coordinator', c1: 'client' };
    return {
      nodes: [
        ...ids.map((id, k) =>
          placed(
            id,
            roles[id] ?? 'node',
            300 + 220 * Math.cos((2 * Math.PI * k) / ids.length),
            300 + 220 * Math.sin((2 * Math.PI * k) / ids.length),
          ),
        ),
        placed('sw', 'switch', 300, 300),
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
        keys: [],
        keyCount: 0,
        keysMoved: 0,
        keysMovedModuloN: 0,
        lastMoved: 0,
        lastMovedModuloN: 0,
        changes: 0,
        placement: null,
        names: {},
        ring: [],
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
        names: {},
        ring: [],
      };
    return initRoutedClient();
  },
  on(ctx, s, input) {
    if (s.kind === 'coordinator') coordinatorOn(ctx, s, input);
    else if (s.kind === 'node') storeOn(ctx, s, input);
    else clientOn(ctx, s, input);
  },
  // A storage node keeps its data and the membership it placed them by (members, version,
  // placement and their ring) on disk, and its transfer count; the coordinator keeps
  // everything; a client keeps its count and its requests in flight (an answer that comes
  // after a restart still reaches the workload). One list for the three roles: a role keeps
  // the fields it has.
  durable: DURABLE,
  logs: LOGS,
  scenarioIssues(scenario, params) {
    // Integer keys (for jump hash, as its paper takes them) must be written as decimal integers.
    const w = scenario.workload;
    if (params.keyType !== 'integer' || w.kind === 'none') return [];
    const issues: ScenarioIssue[] = [];
    const why = 'params.keyType is integer, so every key must be an unsigned 64-bit integer in decimal';
    if (w.kind === 'script') {
      const at = w.ops.findIndex((o) => integerKey(o.key) === null);
      if (at >= 0)
        issues.push({
          path: ['workload', 'ops', at, 'key'],
          message: `${why}; ${JSON.stringify(w.ops[at]!.key)} is not`,
        });
    } else if (w.keys.list !== undefined) {
      const at = w.keys.list.findIndex((k) => integerKey(k) === null);
      if (at >= 0)
        issues.push({
          path: ['workload', 'keys', 'list', at],
          message: `${why}; ${JSON.stringify(w.keys.list[at])} is not`,
        });
    } else {
      const { pattern, count } = w.keys;
      // The pattern's keys are integers when the pattern is digits around {i}; the longest is the last.
      const last = pattern.replaceAll('{i}', String(count - 1));
      if (!/^[0-9]*$/.test(pattern.replaceAll('{i}', '')) || integerKey(last) === null)
        issues.push({
          path: ['workload', 'keys', 'pattern'],
          message: `${why} (a pattern such as "{i}"); "${pattern}" gives ${JSON.stringify(last)}`,
        });
    }
    return issues;
  },
  liveness: [clientOpsAnswered(() => 3_000_000)],
  invariants: [
    {
      id: 'key-placement',
      title: 'A node keeps only keys it owns (as primary or replica) under the current membership',
      check({ changed, nodes, events }) {
        const s = changed.state;
        if (s.kind !== 'node' || !changed.up || events.length === 0) return null;
        const c = coord(nodes);
        if (c === undefined || s.versionSeen < c.version || c.members.length === 0) return null;
        if (s.placement === null) return null;
        // Judged against the coordinator's membership with the placement params this node
        // applied (params are not in the cluster view). Under the stale-ring bug the node
        // never applied the new membership, and holds keys that now belong elsewhere. A
        // node's keys change only where it says so: every key is judged in the step that
        // brings news of the membership (the first step the check applies after a change),
        // and after that the key a step stored.
        const ring = ringFor(s.placement, c.members, c.names, s, c);
        for (const k of keysToJudge(s, events)) {
          const o = ownersOf(k, s.placement, c.members, ring);
          if (!o.includes(changed.id))
            return `${changed.id} holds ${k}, which members v${c.version} place on ${o.join(',')}`;
        }
        return null;
      },
    },
  ],
  historyCheckers: [],
  // Placement is not agreement: nothing orders a key's reads and writes across a membership
  // change (Dynamo is eventually consistent, DeCandia et al. §2, §4.5).
  notPromised: (p) => ({
    linearizability:
      p.replicationFactor === 1
        ? 'each key has one copy: a node that leaves takes its keys with it, and a read can reach a new owner before the hand-over does'
        : 'keys move on a membership change with no fencing and writes go to the copies with no quorum: a read can reach a copy before a write or a hand-over does',
  }),
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
        if (c !== undefined) for (const k of c.keys) if (!held.has(k)) missing++;
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
      'Switch scheme to rendezvous and jump: each moves about 1/5 of the keys when n5 is added, like the ring, but jump cannot remove a node in the middle cheaply: when n2 leaves, most keys move',
      'Turn on bugStaleRing and add a node: the key-placement invariant stops the run',
    ],
  },
};

/** A node's link to the switch: 0.5 ms ± 0.1 ms one way (never below 0.2 ms). */
const chLink = (id: string) => link(id, 'sw', { kind: 'normal', meanUs: 500, stdUs: 100, minUs: 200 });

/** The faults that add storage node `id` at `atUs`. */
export function addNodeFaults(id: string, atUs: number) {
  return [
    { atUs, fault: { kind: 'add-node' as const, node: { id, name: id, role: 'node', x: 600, y: 80 } } },
    { atUs, fault: { kind: 'add-link' as const, link: chLink(id) } },
  ];
}
