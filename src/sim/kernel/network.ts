import type { Latency, ScenarioLink } from '../../shared/scenario/schema';
import { Ev } from './events';
import type { Kernel } from './kernel';
import { meanLatencyUs, sampleLatencyUs } from './latency';
import { C, type CounterName } from './metrics';
import type { Nodes } from './nodes';
import { Rng } from './rng';
import { type RouteGraph, shortestTree } from './routing';
import { loadRngs, type SnapshotShare } from './snapshots';
import { TraceKind } from './trace';

/** Network properties of a link that faults can change. */
export interface LinkProps {
  latency: Latency;
  lossRate: number;
  dupRate: number;
  reorderRate: number;
  reorderDelayUs: number;
}

/** An active partition rule (end to end, by node). */
export interface PartitionRule {
  id: string;
  /** Node index -> group number; messages between different groups are dropped. */
  groupOf?: Map<number, number>;
  /** One way: messages from `from` to `to` are dropped. */
  from?: Set<number>;
  to?: Set<number>;
}

/** The network's fault state (Kernel.networkView): fresh copies, plain data. */
export interface NetworkView {
  /** Every node ever added, by index. */
  nodes: { id: string; isSwitch: boolean; present: boolean; up: boolean }[];
  /** Every link ever added, by index, with its cut directions and current properties. */
  links: ({
    id: string;
    a: string;
    b: string;
    present: boolean;
    cutAToB: boolean;
    cutBToA: boolean;
  } & LinkProps)[];
  /** Active partition rules: node groups (both ways), or one way from -> to. */
  partitions: { id: string; groups?: string[][]; from?: string[]; to?: string[] }[];
}

/** What a snapshot keeps of the network. */
export interface NetworkSnapshot {
  linkIds: string[];
  linkA: number[];
  linkB: number[];
  linkProps: LinkProps[];
  linkCut: number[];
  linkPresent: boolean[];
  linkRngs: Uint32Array;
  lastArrival: number[];
  /** Never changed in place (a fault replaces the list), so shared as it is. */
  partitions: PartitionRule[];
  nextSendId: number;
  inFlight: number;
}

/** Message types kept before the type map (see Network.typeId). */
const TYPE_CACHE = 8;

/** Destinations a sending node keeps in its cache (see Network.send). */
const SEND_CACHE = 8;

/**
 * The simulated network (docs/kernel.md "Network"): links, partitions and routes; a send
 * decides the whole path at once (loss, latency, reordering, FIFO, duplication per hop) and
 * queues the delivery; an arrival is dropped if its node is down, held while it is paused.
 * Links are two directed edges (2*l a->b, 2*l+1 b->a) with a per-link random stream
 * (`link:<id>`); routes are shortest mean latency, computed per source on first use and cached
 * until the topology, a cut or a latency changes (routeEpoch).
 */
export class Network {
  // Links, by index.
  linkIds: string[] = [];
  private linkA: number[] = [];
  private linkB: number[] = [];
  linkProps: LinkProps[] = [];
  /** Per link: its constant latency when it has no loss, duplication or reordering, else -1 (derived). */
  private linkFast: number[] = [];
  /** Per link: bit 1 a->b cut, bit 2 b->a cut. */
  private linkCut: number[] = [];
  linkPresent: boolean[] = [];
  private linkRngs: Rng[] = [];
  /** Per directed link: arrival time of its last FIFO message. */
  private lastArrival: number[] = [];
  linkIndex = new Map<string, number>();
  /** Active partition rules; replaced, never changed in place (snapshots share the list). */
  partitions: PartitionRule[] = [];
  /** Messages sent and not yet delivered or dropped on arrival (held ones included). */
  inFlight = 0;
  private nextSendId = 0;

  // Caches (rebuilt on demand; not part of snapshots).
  /** Bumped whenever cached routes become invalid. */
  private routeEpoch = 0;
  private routeTrees = new Map<number, Int32Array>();
  /** routes[src][dst]: directed links of the path, null unreachable, undefined not computed. */
  private routes: (Int32Array | null | undefined)[][] = [];
  private graph: RouteGraph | null = null;
  /**
   * Per sending node, its most recent destinations (up to SEND_CACHE), in flat arrays so one
   * node's entries sit together: ids in sendTo[node * SEND_CACHE + e]; node index, hop count
   * (-2 not looked up yet, -1 unreachable) and the first two hops (a short route is read
   * without touching the route array) in sendInt[(node * SEND_CACHE + e) * 4 + 0..3]; the
   * route in sendPath. sendMeta[node * 3 + 0..2]: entries in use, the entry a miss replaces
   * next (round robin), and the routeEpoch the entries belong to (the node's entries are
   * dropped when it moves). Derived: cleared by load().
   */
  private sendTo: string[] = [];
  private sendInt = new Int32Array(0);
  private sendPath: (Int32Array | null)[] = [];
  private sendMeta = new Int32Array(0);
  private typeIds = new Map<string, number>();
  private readonly typeKeys: string[] = [];
  private readonly typeVals: number[] = [];
  private readonly detailIds: Record<string, number> = {};

  private readonly nodes: Nodes;
  private readonly counters: Float64Array;
  // The node table's arrays that a send and an arrival read (never replaced, see Nodes).
  private readonly idIndex: ReadonlyMap<string, number>;
  private readonly present: readonly boolean[];
  private readonly isSwitch: readonly boolean[];
  private readonly up: readonly boolean[];
  private readonly paused: readonly boolean[];

  constructor(private readonly k: Kernel) {
    const nodes = k.nodes;
    this.nodes = nodes;
    this.counters = k.stats.counters;
    this.idIndex = nodes.idIndex;
    this.present = nodes.present;
    this.isSwitch = nodes.isSwitch;
    this.up = nodes.up;
    this.paused = nodes.paused;
    for (const d of ['loss', 'partition', 'down', 'no-route', 'limit', 'unknown-node'])
      this.detailIds[d] = k.strings.id(d);
  }

  addLink(l: ScenarioLink): void {
    const a = this.nodes.idIndex.get(l.a);
    const b = this.nodes.idIndex.get(l.b);
    if (a === undefined || b === undefined) throw new Error(`link ${l.id} names an unknown node`);
    if (this.linkIndex.has(l.id)) throw new Error(`link ${l.id} exists`);
    this.linkIndex.set(l.id, this.linkIds.length);
    this.linkIds.push(l.id);
    this.linkA.push(a);
    this.linkB.push(b);
    this.linkProps.push({
      latency: l.latency,
      lossRate: l.lossRate,
      dupRate: l.dupRate,
      reorderRate: l.reorderRate,
      reorderDelayUs: l.reorderDelayUs,
    });
    this.refreshLinkFast();
    this.linkCut.push(0);
    this.linkPresent.push(true);
    this.linkRngs.push(new Rng(this.k.seed, `link:${l.id}`));
    this.lastArrival.push(0, 0);
    this.invalidateRoutes();
  }

  /** Cuts directions of link l (bits: 1 a->b, 2 b->a). */
  cut(l: number, bits: number): void {
    this.linkCut[l] = this.linkCut[l]! | bits;
    this.invalidateRoutes();
  }

  /** Heals one partition rule or cut link by id, or every one (id undefined). */
  heal(id: string | undefined): void {
    if (id === undefined) {
      this.partitions = [];
      this.linkCut = this.linkCut.map(() => 0);
    } else {
      this.partitions = this.partitions.filter((p) => p.id !== id);
      const l = this.linkIndex.get(id);
      if (l !== undefined) this.linkCut[l] = 0;
    }
    this.invalidateRoutes();
  }

  /** Sets link l's properties (a degrade-link fault); routes change only with the latency. */
  setProps(l: number, p: LinkProps, latencyChanged: boolean): void {
    this.linkProps[l] = p;
    this.refreshLinkFast();
    if (latencyChanged) this.invalidateRoutes();
  }

  private refreshLinkFast(): void {
    this.linkFast = this.linkProps.map((p) =>
      p.latency.kind === 'constant' && p.lossRate === 0 && p.dupRate === 0 && p.reorderRate === 0
        ? p.latency.us
        : -1,
    );
  }

  /** Cached routes are stale (topology, a cut, a latency or a switch's up state changed). */
  invalidateRoutes(): void {
    this.routeEpoch++;
    this.routeTrees.clear();
    this.routes = [];
    this.graph = null;
  }

  /** New streams from a new seed (a fork with another seed). */
  reseed(seed: number): void {
    for (let l = 0; l < this.linkIds.length; l++) this.linkRngs[l] = new Rng(seed, `link:${this.linkIds[l]}`);
  }

  /** Room in the send cache for node indexes below n (new rows empty). */
  private growSendCache(n: number): void {
    const cap = Math.max(n, 2 * (this.sendMeta.length / 3));
    const meta = new Int32Array(cap * 3);
    meta.set(this.sendMeta);
    const int = new Int32Array(cap * SEND_CACHE * 4);
    int.set(this.sendInt);
    this.sendMeta = meta;
    this.sendInt = int;
    // Filled, not lengthened: a long array with holes would fall back to dictionary elements.
    while (this.sendTo.length < cap * SEND_CACHE) {
      this.sendTo.push('');
      this.sendPath.push(null);
    }
  }

  /** The interned id of a message type. */
  private typeId(type: string): number {
    // The first TYPE_CACHE types seen, searched before the map (a protocol has a few message
    // types; Raft's leader alternates four of them).
    const keys = this.typeKeys;
    for (let k = 0; k < keys.length; k++) if (keys[k] === type) return this.typeVals[k]!;
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.k.strings.id(type);
      this.typeIds.set(type, id);
    }
    if (keys.length < TYPE_CACHE) {
      keys.push(type);
      this.typeVals.push(id);
    }
    return id;
  }

  private drop(
    src: number,
    dst: number,
    type: number,
    sendId: number,
    reason: string,
    counter: CounterName,
  ): void {
    this.counters[C.dropped]!++;
    this.counters[C[counter]]!++;
    const d = this.detailIds[reason] ?? this.k.strings.id(reason);
    this.k.row(TraceKind.drop, src, dst, type, sendId, d);
  }

  /** Node src sends msg to node id `to`: a send row, then a queued delivery (or two) or a drop. */
  send(src: number, to: string, msg: { type: string }): void {
    const k = this.k;
    const sendId = this.nextSendId++;
    const type = this.typeId(msg.type);
    if (src * 3 >= this.sendMeta.length) this.growSendCache(src + 1);
    const meta = this.sendMeta;
    const m = src * 3;
    if (meta[m + 2] !== this.routeEpoch) {
      meta[m] = 0;
      meta[m + 1] = 0;
      meta[m + 2] = this.routeEpoch;
    }
    // A leader sends to every follower in turn: a short list searched by id (node ids are the
    // kernel's own internalized strings, so the comparison is by reference).
    const tos = this.sendTo;
    const base = src * SEND_CACHE;
    const n = meta[m]!;
    let e = base;
    while (e < base + n && tos[e] !== to) e++;
    const int = this.sendInt;
    if (e === base + n) {
      if (n < SEND_CACHE) meta[m] = n + 1;
      else {
        e = base + meta[m + 1]!;
        meta[m + 1] = (meta[m + 1]! + 1) % SEND_CACHE;
      }
      tos[e] = to;
      int[e * 4] = this.idIndex.get(to) ?? -1;
      int[e * 4 + 1] = -2;
      this.sendPath[e] = null;
    }
    const dst = int[e * 4]!;
    this.counters[C.sent]!++;
    k.row(TraceKind.send, src, dst, type, sendId, -1);
    if (dst < 0 || !this.present[dst] || this.isSwitch[dst]) {
      this.drop(src, dst, type, sendId, 'unknown-node', 'droppedNoRoute');
      return;
    }
    if (this.inFlight >= k.limits.maxInFlight) {
      this.drop(src, dst, type, sendId, 'limit', 'droppedLimit');
      return;
    }
    if (this.partitions.length > 0 && this.blocked(src, dst)) {
      this.drop(src, dst, type, sendId, 'partition', 'droppedPartition');
      return;
    }
    if (src === dst) {
      this.inFlight++;
      k.schedule(k.nowUs, Ev.deliver, dst, src, sendId, msg);
      return;
    }
    let hops = int[e * 4 + 1]!;
    if (hops === -2) {
      const p = this.route(src, dst);
      hops = p === null ? -1 : p.length;
      int[e * 4 + 1] = hops;
      int[e * 4 + 2] = hops > 0 ? p![0]! : 0;
      int[e * 4 + 3] = hops > 1 ? p![1]! : 0;
      this.sendPath[e] = p;
    }
    const ha = int[e * 4 + 2]!;
    const hb = int[e * 4 + 3]!;
    const path = hops > 2 ? this.sendPath[e]! : null;
    if (hops < 0) {
      this.drop(src, dst, type, sendId, 'no-route', 'droppedNoRoute');
      return;
    }
    let t = k.nowUs;
    let dup = false;
    let dupLink = -1;
    for (let h = 0; h < hops; h++) {
      const dl = h === 0 ? ha : h === 1 ? hb : path![h]!;
      const l = dl >> 1;
      const fast = this.linkFast[l]!;
      if (fast >= 0) {
        // Fast path: constant latency, nothing random.
        t += fast;
        const last = this.lastArrival[dl]!;
        if (t < last) t = last;
        this.lastArrival[dl] = t;
        continue;
      }
      const p = this.linkProps[l]!;
      const rng = this.linkRngs[l]!;
      if (p.lossRate > 0 && rng.chance(p.lossRate)) {
        this.drop(src, dst, type, sendId, 'loss', 'droppedLoss');
        return;
      }
      t += p.latency.kind === 'constant' ? p.latency.us : sampleLatencyUs(p.latency, rng);
      if (p.reorderRate > 0 && rng.chance(p.reorderRate)) {
        // A reordered message skips the per-link FIFO and waits a little extra.
        t += Math.floor(rng.next() * (p.reorderDelayUs + 1));
      } else {
        // Links are FIFO otherwise: never arrive before an earlier message on this direction.
        const last = this.lastArrival[dl]!;
        if (t < last) t = last;
        this.lastArrival[dl] = t;
      }
      if (p.dupRate > 0 && rng.chance(p.dupRate)) {
        dup = true;
        dupLink = l;
      }
    }
    this.inFlight++;
    k.schedule(t, Ev.deliver, dst, src, sendId, msg);
    if (dup) {
      // The copy is made on the link that duplicated it and travels that link's latency again.
      const p = this.linkProps[dupLink]!;
      const extra = sampleLatencyUs(p.latency, this.linkRngs[dupLink]!);
      this.inFlight++;
      this.counters[C.duplicated]!++;
      k.schedule(t + extra, Ev.deliver, dst, src, sendId, msg);
    }
  }

  /**
   * A message from src reaches node i: held while i is paused, dropped (`down`) if i is crashed
   * or removed, else counted and written; true when i's handler should now get it.
   */
  arrive(i: number, src: number, sendId: number, msg: unknown): boolean {
    if (this.paused[i] && this.up[i]) {
      const held = this.nodes.held;
      held[i] = [...held[i]!, { kind: Ev.deliver, peer: src, arg: sendId, payload: msg }];
      return false;
    }
    this.inFlight--;
    const type = this.typeId((msg as { type: string }).type);
    if (!this.present[i] || !this.up[i]) {
      this.drop(src, i, type, sendId, 'down', 'droppedDown');
      return false;
    }
    this.counters[C.delivered]!++;
    this.k.row(TraceKind.deliver, i, src, type, sendId, -1);
    return true;
  }

  private blocked(src: number, dst: number): boolean {
    for (const p of this.partitions) {
      if (p.groupOf !== undefined) {
        const a = p.groupOf.get(src);
        const b = p.groupOf.get(dst);
        if (a !== undefined && b !== undefined && a !== b) return true;
      } else if (p.from?.has(src) && p.to?.has(dst)) return true;
    }
    return false;
  }

  private routeGraph(): RouteGraph {
    const nodes = this.nodes;
    const n = nodes.ids.length;
    const out: number[][] = [];
    const present: boolean[] = [];
    for (let i = 0; i < n; i++) {
      out.push([]);
      present.push(nodes.present[i]! && (!nodes.isSwitch[i] || nodes.up[i]!));
    }
    for (let l = 0; l < this.linkIds.length; l++) {
      if (!this.linkPresent[l]) continue;
      const a = this.linkA[l]!;
      const b = this.linkB[l]!;
      const w = meanLatencyUs(this.linkProps[l]!.latency);
      const cut = this.linkCut[l]!;
      if ((cut & 1) === 0) out[a]!.push(2 * l, b, w);
      if ((cut & 2) === 0) out[b]!.push(2 * l + 1, a, w);
    }
    return { nodeCount: n, isSwitch: nodes.isSwitch, present, out };
  }

  /** The directed links from src to dst (shortest mean latency), or null when unreachable. */
  route(src: number, dst: number): Int32Array | null {
    let row = this.routes[src];
    if (row === undefined) {
      // Dense rows for ordinary topologies; on very large ones a sparse row, so memory follows
      // the pairs that actually talk rather than nodes squared.
      const n = this.nodes.ids.length;
      row =
        n <= 4096
          ? new Array<Int32Array | null | undefined>(n).fill(undefined)
          : ([] as (Int32Array | null | undefined)[]);
      this.routes[src] = row;
    }
    const cached = row[dst];
    if (cached !== undefined) return cached;
    let tree = this.routeTrees.get(src);
    if (tree === undefined) {
      if (this.graph === null) this.graph = this.routeGraph();
      // Trees are only needed until a source's routes are cached; keep a bounded number
      // (a cache: dropping one never changes a route).
      if (this.routeTrees.size >= 256) this.routeTrees.clear();
      tree = shortestTree(this.graph, src);
      this.routeTrees.set(src, tree);
    }
    const hops: number[] = [];
    let v = dst;
    let ok = true;
    while (v !== src) {
      const dl = tree[v]!;
      if (dl < 0) {
        ok = false;
        break;
      }
      hops.push(dl);
      const l = dl >> 1;
      v = (dl & 1) === 0 ? this.linkA[l]! : this.linkB[l]!;
    }
    const path = ok ? Int32Array.from(hops.reverse()) : null;
    row[dst] = path;
    return path;
  }

  /** Route between two node ids as a list of link ids (for tests and the inspector). */
  routeIds(src: string, dst: string): string[] | null {
    const p = this.route(this.nodes.indexOf(src), this.nodes.indexOf(dst));
    return p === null ? null : Array.from(p, (dl) => this.linkIds[dl >> 1]!);
  }

  /**
   * The network's fault state now, as fresh copies (read-only; for the host's link view):
   * nodes, links with their cut bits and current properties, and the active partition rules
   * by node id (groups in node-index order).
   */
  view(): NetworkView {
    const ids = this.nodes.ids;
    const n = ids.length;
    const nodes = ids.map((id, i) => ({
      id,
      isSwitch: this.nodes.isSwitch[i]!,
      present: this.nodes.present[i]!,
      up: this.nodes.up[i]!,
    }));
    const links = this.linkIds.map((id, l) => ({
      id,
      a: ids[this.linkA[l]!]!,
      b: ids[this.linkB[l]!]!,
      present: this.linkPresent[l]!,
      cutAToB: (this.linkCut[l]! & 1) !== 0,
      cutBToA: (this.linkCut[l]! & 2) !== 0,
      ...this.linkProps[l]!,
    }));
    const partitions = this.partitions.map((p) => {
      if (p.groupOf === undefined)
        return {
          id: p.id,
          from: [...(p.from ?? [])].map((i) => ids[i]!),
          to: [...(p.to ?? [])].map((i) => ids[i]!),
        };
      const groups: string[][] = [];
      for (let i = 0; i < n; i++) {
        const g = p.groupOf.get(i);
        if (g === undefined) continue;
        while (groups.length <= g) groups.push([]);
        groups[g]!.push(ids[i]!);
      }
      return { id: p.id, groups };
    });
    return { nodes, links, partitions };
  }

  save(share: SnapshotShare): NetworkSnapshot {
    return {
      linkIds: share.table('linkIds', this.linkIds),
      linkA: share.table('linkA', this.linkA),
      linkB: share.table('linkB', this.linkB),
      linkProps: share.table('linkProps', this.linkProps),
      linkCut: share.table('linkCut', this.linkCut),
      linkPresent: share.table('linkPresent', this.linkPresent),
      linkRngs: share.rngs('linkRngs', this.linkRngs),
      lastArrival: share.table('lastArrival', this.lastArrival),
      partitions: this.partitions,
      nextSendId: this.nextSendId,
      inFlight: this.inFlight,
    };
  }

  /** Restores the links whole; routes and the send cache are rebuilt on demand. */
  load(s: NetworkSnapshot): void {
    // Node indexes may mean other nodes now: every node's cached destinations are dropped.
    this.sendMeta.fill(-1);
    this.linkIds = s.linkIds.slice();
    this.linkA = s.linkA.slice();
    this.linkB = s.linkB.slice();
    this.linkIndex = new Map(this.linkIds.map((id, l) => [id, l]));
    loadRngs(this.linkRngs, s.linkRngs);
    this.linkProps = s.linkProps.slice();
    this.refreshLinkFast();
    this.linkCut = s.linkCut.slice();
    this.linkPresent = s.linkPresent.slice();
    this.lastArrival = s.lastArrival.slice();
    this.partitions = s.partitions;
    this.nextSendId = s.nextSendId;
    this.inFlight = s.inFlight;
    this.invalidateRoutes();
  }
}
