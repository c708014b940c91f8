import { z } from 'zod';
import { HASH_NAMES, hashOf } from '../../hashing';
import type { Ctx, DefaultTopology, Input, NodeView, Protocol, StateField } from '../../protocol';
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

/**
 * Sharding behind a router, after Kleppmann, "Designing Data-Intensive Applications" (2017),
 * ch. 6 "Partitioning":
 * - §"Partitioning by Key Range" and §"Partitioning by Hash of Key": the three strategies a
 *   routing table can use (`ownerOf`: hash modulo N, key ranges, a directory by prefix);
 * - §"Rebalancing Partitions", including "How not to do it: hash mod N": when the table
 *   changes, each shard hands the keys it no longer owns to their new owners (`transfer`);
 * - §"Request Routing": a routing tier (the router) owns the table, sends each request to the
 *   key's shard, and tells every shard of a new table; a shard forwards a request or a key
 *   that an older table sent it.
 * A range scan fans out to every shard that may hold keys of the range: one or a few under
 * range sharding, all of them under hash or directory sharding.
 * Each role keeps its state in place: the router its table and load counters, a shard its
 * key-value store (`data`), a client its count. See docs/protocols/sharding.md.
 */
export const ShardingParams = z.object({
  /** How a key finds its shard: hash modulo N, key ranges, or a lookup table by prefix. */
  strategy: z.enum(['hash', 'range', 'directory']).default('hash'),
  /** Hash function for the hash strategy (and the directory's fallback). */
  hash: z.enum(HASH_NAMES).default('crc32'),
  /** Use the first N shards by id (0: every shard in the topology). Change it live to reshard. */
  shardCount: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe('0: every shard in the topology. Change it live to reshard.'),
  /** Range strategy: split points, ascending; shard i holds keys in [split[i-1], split[i]). */
  rangeSplits: z.array(z.string().max(100)).max(1000).default(['user-3', 'user-5']),
  /** Directory strategy: key prefix -> shard id (longest prefix wins; others fall back to hash). */
  directory: z
    .record(z.string().max(100), z.string().max(64))
    .default({ 'eu-': 's1', 'us-': 's2', 'ap-': 's3' }),
  /** How often the router re-reads the membership and params (and reshards if they changed). */
  tickUs: z.number().int().min(1000).max(10_000_000).default(100_000),
  /** A range scan from the router this often (0: none). */
  scanEveryUs: z.number().int().min(0).max(60_000_000).default(500_000).describe('0: no range scans.'),
  /** Range scanned: [scanFrom, scanTo). */
  scanFrom: z.string().max(100).default('user-1'),
  /** End of the range scanned (exclusive). */
  scanTo: z.string().max(100).default('user-2'),
  /** Bug switch: shards keep their old routing table: they neither hand keys over nor forward misrouted requests. */
  bugStaleRoutingTable: z.boolean().default(false),
});
/** Sharding params. */
export type ShardingParams = z.infer<typeof ShardingParams>;
type P = ShardingParams;

/** A routing table: everything `ownerOf` needs. */
export interface RoutingTable {
  /** Version, from 1; bumped at each change. */
  version: number;
  /** Strategy. */
  strategy: P['strategy'];
  /** Hash function. */
  hash: P['hash'];
  /** Shards in order (hash slot i, range i). */
  shards: string[];
  /** Range split points. */
  splits: string[];
  /** Directory entries. */
  directory: Record<string, string>;
}

/** The shard that owns a key under a table ('' when the table has no shards). */
export function ownerOf(key: string, t: Omit<RoutingTable, 'version'>): string {
  const n = t.shards.length;
  if (n === 0) return '';
  if (t.strategy === 'range') {
    let i = 0;
    while (i < t.splits.length && key >= t.splits[i]!) i++;
    return t.shards[Math.min(i, n - 1)]!;
  }
  if (t.strategy === 'directory') {
    let best = '';
    for (const p of Object.keys(t.directory)) if (key.startsWith(p) && p.length > best.length) best = p;
    const s = best === '' ? undefined : t.directory[best];
    if (s !== undefined && t.shards.includes(s)) return s;
  }
  return t.shards[hashOf(t.hash, key) % n]!;
}

/** The shards a range scan [from, to) must ask under a table. */
export function scanTargets(from: string, to: string, t: Omit<RoutingTable, 'version'>): string[] {
  if (t.strategy !== 'range') return [...t.shards];
  const out = new Set<string>();
  // Shards whose range [lo, hi) intersects [from, to).
  t.shards.forEach((s, i) => {
    const lo = i === 0 ? '' : (t.splits[i - 1] ?? '\uffff');
    const hi = i === t.shards.length - 1 ? '\uffff' : (t.splits[i] ?? '\uffff');
    if (lo < to && from < hi) out.add(s);
  });
  return [...out];
}

/** The table params and membership ask for (version not set). */
export function wantedTable(params: P, shardIds: readonly string[]): Omit<RoutingTable, 'version'> {
  const sorted = [...shardIds].sort();
  return {
    strategy: params.strategy,
    hash: params.hash,
    shards: params.shardCount > 0 ? sorted.slice(0, params.shardCount) : sorted,
    splits: [...params.rangeSplits].sort(),
    directory: params.directory,
  };
}

function sameTable(a: Omit<RoutingTable, 'version'>, b: RoutingTable): boolean {
  const { version: _, ...rest } = b;
  return JSON.stringify(a) === JSON.stringify(rest);
}

/** The router. */
export interface RouterState {
  /** Discriminator. */
  kind: 'router';
  /** The routing table in use (replaced whole at each change, never edited). */
  table: RoutingTable;
  /** Next write version (orders writes to a key across a handover). */
  nextVer: number;
  /** Requests routed. */
  routed: number;
  /** Range scans issued. */
  scans: number;
  /** Shards asked by the last scan. */
  lastFanout: number;
  /** Shards asked over all scans. */
  fanoutTotal: number;
  /** Reshards so far. */
  reshards: number;
  /** Requests routed to each shard since the last tick. */
  window: Record<string, number>;
  /** Per-shard requests of the last RECENT_TICKS ticks, oldest first. */
  recent: Record<string, number>[];
  /** Length of those ticks together, microseconds. */
  recentUs: number[];
}

/** Ticks the recent-load window spans (1 s at the default tickUs). */
export const RECENT_TICKS = 10;

/** A stored value with the router's write version. */
export interface Versioned {
  /** The value written. */
  value: string;
  /** The router's version of the write (a higher version wins). */
  ver: number;
}

/** A shard. */
export interface ShardState {
  /** Discriminator. */
  kind: 'shard';
  /** The routing table this shard applied (replaced whole, never edited). */
  table: RoutingTable | null;
  /** The key-value store: key -> value and write version. */
  data: Record<string, Versioned>;
  /** Requests served. */
  served: number;
  /** Keys handed to other shards. */
  movedOut: number;
  /** Keys received from other shards. */
  movedIn: number;
  /** Misrouted requests forwarded to their owner. */
  forwarded: number;
  /** Highest table version this shard was sent (applied or not). */
  tableSeen: number;
}

/**
 * A client: the toolkit's routed client (src/sim/toolkit/routed-client.ts), which sends each
 * operation to the router and never re-sends it (the workload's timeout gives up on it).
 */
export type ClientState = RoutedClientState;
/** The client's messages: get and put to the router, the result from the shard that served it. */
export type { GetMsg, PutMsg, ResultMsg } from '../../toolkit/routed-client';

/** A node of the protocol. */
export type ShardingState = RouterState | ShardState | ClientState;

/** Router -> shard (or shard -> shard, forwarded): read a key for a client. */
export interface ShardGetMsg {
  /** Message type. */
  type: 'shardGet';
  /** The client operation. */
  opId: number;
  /** The client to answer. */
  client: string;
  /** The key. */
  key: string;
}
/** Router -> shard (or shard -> shard, forwarded): write a key for a client. */
export interface ShardPutMsg {
  /** Message type. */
  type: 'shardPut';
  /** The client operation. */
  opId: number;
  /** The client to answer. */
  client: string;
  /** The key. */
  key: string;
  /** The value. */
  value: string;
  /** The router's write version. */
  ver: number;
}
/** Router -> shard: the routing table now in use. */
export interface TableMsg {
  /** Message type. */
  type: 'table';
  /** The table. */
  table: RoutingTable;
}
/** Shard -> shard: a key handed over to its new owner (or sent on by a shard that is not it). */
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
/** Router -> shard: count your keys in [from, to). */
export interface ScanMsg {
  /** Message type. */
  type: 'scan';
  /** Start of the range (inclusive). */
  from: string;
  /** End of the range (exclusive). */
  to: string;
}
/** Shard -> router: the count for a scan. */
export interface ScanResultMsg {
  /** Message type. */
  type: 'scanResult';
  /** Keys of the range this shard holds. */
  count: number;
}

/** Messages. */
export type ShardingMsg =
  | GetMsg
  | PutMsg
  | ShardGetMsg
  | ShardPutMsg
  | ResultMsg
  | TableMsg
  | TransferMsg
  | ScanMsg
  | ScanResultMsg;

type C = Ctx<P, ShardingMsg>;

/**
 * The router's tick (§"Request Routing"): close the load window, re-read the membership and
 * params, and when the table they ask for differs from ours, bump its version and send it to
 * every shard. `first` (start or restart) sends the table without bumping the version.
 */
function routerTick(ctx: C, s: RouterState, first: boolean): void {
  if (!first) {
    // Close the load window of the tick that ends now.
    s.recent.push(s.window);
    s.recentUs.push(ctx.params.tickUs);
    if (s.recent.length > RECENT_TICKS) s.recent.shift();
    if (s.recentUs.length > RECENT_TICKS) s.recentUs.shift();
    s.window = {};
  }
  ctx.setTimer('tick', ctx.params.tickUs);
  const want = wantedTable(ctx.params, ctx.nodesWithRole('shard'));
  if (!first && sameTable(want, s.table)) return;
  const table: RoutingTable = { ...want, version: s.table.version + (first ? 0 : 1) };
  // Tell every shard, old and new members alike: leavers must hand all their keys over.
  const all = [...new Set([...s.table.shards, ...table.shards, ...ctx.nodesWithRole('shard')])].sort();
  for (const to of all) ctx.send(to, { type: 'table', table });
  s.table = table;
  if (first) return;
  s.reshards += 1;
  ctx.note(
    `reshard: table v${table.version}, ${table.strategy} over ${table.shards.length} shards (${table.shards.join(',')})`,
  );
}

function routerOn(ctx: C, s: RouterState, input: Input<ShardingMsg>): void {
  const p = ctx.params;
  switch (input.kind) {
    case 'start':
    case 'restart':
      routerTick(ctx, s, true);
      if (p.scanEveryUs > 0) ctx.setTimer('scan', p.scanEveryUs);
      return;
    case 'timer':
      if (input.name === 'tick') routerTick(ctx, s, false);
      else if (input.name === 'scan') {
        // A range scan asks every shard that may hold keys of [scanFrom, scanTo).
        const targets = scanTargets(p.scanFrom, p.scanTo, s.table);
        s.scans += 1;
        s.lastFanout = targets.length;
        s.fanoutTotal += targets.length;
        for (const to of targets) ctx.send(to, { type: 'scan', from: p.scanFrom, to: p.scanTo });
        if (p.scanEveryUs > 0) ctx.setTimer('scan', p.scanEveryUs);
        ctx.note(`scan [${p.scanFrom}, ${p.scanTo}) fans out to ${targets.length} shard(s)`);
      }
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'message': {
      const m = input.msg;
      if (m.type !== 'get' && m.type !== 'put') return;
      // Route by the table: the shard that owns the key answers the client directly.
      const to = ownerOf(m.key, s.table);
      if (to === '') return;
      if (m.type === 'get') ctx.send(to, { type: 'shardGet', opId: m.opId, client: input.from, key: m.key });
      else {
        ctx.send(to, {
          type: 'shardPut',
          opId: m.opId,
          client: input.from,
          key: m.key,
          value: m.value,
          ver: s.nextVer,
        });
        s.nextVer += 1;
      }
      s.routed += 1;
      s.window[to] = (s.window[to] ?? 0) + 1;
      return;
    }
  }
}

/** Stores a value unless the shard holds a newer write of the key (versions are the router's). */
function store(s: ShardState, key: string, value: string, ver: number): void {
  const cur = s.data[key];
  // A handed-over older value never overwrites a newer write.
  if (cur !== undefined && cur.ver >= ver) return;
  s.data[key] = { value, ver };
}

function shardOn(ctx: C, s: ShardState, input: Input<ShardingMsg>): void {
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false });
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  const bug = ctx.params.bugStaleRoutingTable;
  switch (m.type) {
    case 'table': {
      if (s.table !== null && m.table.version <= s.table.version) return;
      s.tableSeen = Math.max(s.tableSeen, m.table.version);
      if (bug && s.table !== null) return; // keeps the table it started with
      // §"Rebalancing Partitions": hand every key this table gives another shard to its owner.
      const kept: ShardState['data'] = {};
      let moved = 0;
      for (const k of Object.keys(s.data).sort()) {
        const owner = ownerOf(k, m.table);
        const v = s.data[k]!;
        if (owner === ctx.self || owner === '') kept[k] = v;
        else {
          moved++;
          ctx.send(owner, { type: 'transfer', key: k, value: v.value, ver: v.ver });
        }
      }
      s.table = m.table;
      s.data = kept;
      s.movedOut += moved;
      if (moved > 0) ctx.note(`${ctx.self} hands ${moved} key(s) over for table v${m.table.version}`);
      return;
    }
    case 'transfer': {
      // A key handed over under an older table than ours goes on to its owner under ours.
      const owner = s.table === null ? ctx.self : ownerOf(m.key, s.table);
      if (!bug && owner !== ctx.self && owner !== '') {
        s.forwarded += 1;
        ctx.send(owner, m);
        return;
      }
      store(s, m.key, m.value, m.ver);
      s.movedIn += 1;
      return;
    }
    case 'shardGet':
    case 'shardPut': {
      // A request routed by an older table (or reordered past a table change) goes on to its owner.
      const owner = s.table === null ? ctx.self : ownerOf(m.key, s.table);
      if (!bug && owner !== ctx.self && owner !== '') {
        s.forwarded += 1;
        ctx.send(owner, m);
        return;
      }
      s.served += 1;
      if (m.type === 'shardGet') {
        ctx.send(m.client, { type: 'result', opId: m.opId, value: s.data[m.key]?.value ?? null });
        return;
      }
      store(s, m.key, m.value, m.ver);
      ctx.send(m.client, { type: 'result', opId: m.opId, value: null });
      return;
    }
    case 'scan': {
      let count = 0;
      for (const k of Object.keys(s.data)) if (k >= m.from && k < m.to) count++;
      ctx.send(input.from, { type: 'scanResult', count });
      return;
    }
    default:
      return;
  }
}

const clientOn = routedClient<P, ShardingMsg>('router');

// ------------------------------------------------------------------ views and metrics

function shardsOf(nodes: readonly NodeView<ShardingState>[]): NodeView<ShardState>[] {
  return nodes
    .filter((v): v is NodeView<ShardState> => v.state.kind === 'shard')
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
function routerOf(nodes: readonly NodeView<ShardingState>[]): RouterState | undefined {
  for (const v of nodes) if (v.state.kind === 'router') return v.state;
  return undefined;
}
/**
 * The router while it is up. Its load window (`window`, `recent`, `recentUs`) is not durable:
 * a crashed router's state holds only its table, write version and reshard count, so the load
 * metrics read 0 until it restarts (it routes nothing meanwhile).
 */
function upRouterOf(nodes: readonly NodeView<ShardingState>[]): RouterState | undefined {
  for (const v of nodes) if (v.state.kind === 'router') return v.up ? v.state : undefined;
  return undefined;
}

/** Max over mean of a list of non-negative numbers (1 when all equal, 0 when all zero). */
export function imbalance(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return mean === 0 ? 0 : Math.max(...xs) / mean;
}

/** Keys per shard in the router's table (shards outside the table count too, while they drain). */
function keyCounts(nodes: readonly NodeView<ShardingState>[]): number[] {
  const r = routerOf(nodes);
  const ids = r?.table.shards ?? [];
  return shardsOf(nodes)
    .filter((v) => ids.includes(v.id))
    .map((v) => Object.keys(v.state.data).length);
}

/** Requests routed to a shard over the recent window. */
function recentLoad(r: RouterState, id: string): number {
  let n = 0;
  for (const w of r.recent) n += w[id] ?? 0;
  return n;
}

/** Requests per second routed to a shard over the recent window. */
function recentRatePerS(r: RouterState, id: string): number {
  const us = r.recentUs.reduce((a, b) => a + b, 0);
  return us === 0 ? 0 : (recentLoad(r, id) * 1e6) / us;
}

const SLOTS = [1, 2, 3, 4, 5, 6];
const slotMetrics = SLOTS.flatMap((k) => [
  {
    id: `shard${k}Keys`,
    unit: 'keys',
    read: (n: readonly NodeView<ShardingState>[]) => {
      const s = shardsOf(n)[k - 1];
      return s === undefined ? 0 : Object.keys(s.state.data).length;
    },
  },
  {
    id: `shard${k}Load`,
    unit: 'requests',
    read: (n: readonly NodeView<ShardingState>[]) => shardsOf(n)[k - 1]?.state.served ?? 0,
  },
  {
    id: `shard${k}RatePerS`,
    unit: 'requests/s',
    read: (n: readonly NodeView<ShardingState>[]) => {
      const s = shardsOf(n)[k - 1];
      const r = upRouterOf(n);
      return s === undefined || r === undefined ? 0 : recentRatePerS(r, s.id);
    },
  },
]);

/** A LAN link: 0.5 ms ± 0.1 ms one way (never below 0.2 ms). */
const lan = (a: string, b: string) => link(a, b, { kind: 'normal', meanUs: 500, stdUs: 100, minUs: 200 });

/** An open-loop workload over 600 user keys. */
export function shardingWorkload(distribution: 'uniform' | 'zipf' | 'sequential' = 'uniform') {
  return {
    kind: 'open' as const,
    ratePerS: 300,
    readFraction: 0.5,
    keys: { pattern: 'user-{i}', count: 600, distribution, zipfS: 1.1 },
    stopUs: 6_000_000,
  };
}

/** Router, three shards, two clients, one switch. */
export function shardingTopology(): DefaultTopology {
  const ids = ['router', 's1', 's2', 's3', 'c1', 'c2'];
  return {
    nodes: [
      placed('router', 'router', 300, 200),
      placed('s1', 'shard', 100, 450),
      placed('s2', 'shard', 300, 450),
      placed('s3', 'shard', 500, 450),
      placed('c1', 'client', 150, 40),
      placed('c2', 'client', 450, 40),
      placed('sw', 'switch', 300, 320),
    ],
    links: ids.map((id) => lan(id, 'sw')),
  };
}

/** The fault pair that adds shard `id` mid-run (a node and its link to the switch). */
export function addShardFaults(id: string, atUs: number) {
  return [
    { atUs, fault: { kind: 'add-node' as const, node: placed(id, 'shard', 700, 450) } },
    { atUs, fault: { kind: 'add-link' as const, link: lan(id, 'sw') } },
  ];
}

/** A field of any role's state. */

// What survives a crash: fields of any role, in the order a crashed node's state shows them.
const DURABLE: StateField<ShardingState>[] = [
  'kind',
  'data',
  'nextVer',
  'table',
  'tableSeen',
  'movedOut',
  'movedIn',
  'reshards',
  'done',
  'pending',
];

export const sharding: Protocol<P, ShardingState, ShardingMsg> = {
  id: 'sharding',
  topic: 'sharding',
  title: 'Sharding behind a router',
  version: 1,
  // 300 operations a second over hops of 1 ms: at 0.1x thirty a second reach the shards, few
  // enough to follow, and the keys fill the shards' bars within the first seconds.
  speed: 0.1,
  roles: [
    { id: 'router', label: 'Router', min: 1, max: 1 },
    { id: 'shard', label: 'Shard', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ShardingParams,
  defaultTopology: shardingTopology,
  quickStart() {
    // Hash (CRC-32) modulo 3 by default, uniform keys.
    return { name: 'Sharding quick start', workload: shardingWorkload(), maxTimeUs: 7_000_000 };
  },
  init(n) {
    if (n.role === 'router') {
      const table: RoutingTable = { version: 1, ...wantedTable(n.params, []) };
      return {
        kind: 'router',
        table,
        nextVer: 1,
        routed: 0,
        scans: 0,
        lastFanout: 0,
        fanoutTotal: 0,
        reshards: 0,
        window: {},
        recent: [],
        recentUs: [],
      };
    }
    if (n.role === 'shard')
      return {
        kind: 'shard',
        table: null,
        tableSeen: 0,
        data: {},
        served: 0,
        movedOut: 0,
        movedIn: 0,
        forwarded: 0,
      };
    return initRoutedClient();
  },
  on(ctx, s, input) {
    if (s.kind === 'router') routerOn(ctx, s, input);
    else if (s.kind === 'shard') shardOn(ctx, s, input);
    else clientOn(ctx, s, input);
  },
  // Shards keep their data (and the table it was placed by) on disk; the router keeps its table,
  // its write version and its reshard count, and rebuilds the rest at restart; a client keeps
  // its count and its requests in flight (an answer that comes after a restart still reaches
  // the workload). One list for the three roles: a role keeps the fields it has.
  durable: DURABLE,
  liveness: [clientOpsAnswered(() => 3_000_000)],
  invariants: [
    {
      id: 'key-placement',
      title: 'Every key lives on the shard the routing table maps it to, once a shard has the table',
      check({ changed, nodes }) {
        const s = changed.state;
        if (s.kind !== 'shard' || !changed.up) return null;
        const r = routerOf(nodes);
        // Settled: this shard has been told of the router's current table (whether it applied it or not).
        if (r === undefined || s.tableSeen < r.table.version || r.table.shards.length === 0) return null;
        for (const k of Object.keys(s.data)) {
          const owner = ownerOf(k, r.table);
          if (owner !== changed.id)
            return `${changed.id} holds ${k}, which table v${r.table.version} maps to ${owner}`;
        }
        return null;
      },
    },
  ],
  historyCheckers: [],
  metrics: [
    ...slotMetrics,
    {
      id: 'keysTotal',
      unit: 'keys',
      read: (n) => shardsOf(n).reduce((a, v) => a + Object.keys(v.state.data).length, 0),
    },
    { id: 'keyImbalance', unit: 'max/mean', read: (n) => imbalance(keyCounts(n)) },
    {
      // Over the last RECENT_TICKS ticks (about 1 s): a moving hotspot shows here.
      id: 'loadImbalance',
      unit: 'max/mean',
      read: (n) => {
        const r = upRouterOf(n);
        return r === undefined ? 0 : imbalance(r.table.shards.map((id) => recentLoad(r, id)));
      },
    },
    {
      // Since the start (cumulative requests served; a shard's count is not durable, so a
      // crashed shard counts 0, as its shard{k}Load does, and starts again from 0 at restart).
      id: 'loadImbalanceTotal',
      unit: 'max/mean',
      read: (n) => {
        const ids = routerOf(n)?.table.shards ?? [];
        return imbalance(
          shardsOf(n)
            .filter((v) => ids.includes(v.id))
            .map((v) => (v.up ? v.state.served : 0)),
        );
      },
    },
    { id: 'keysMoved', unit: 'keys', read: (n) => shardsOf(n).reduce((a, v) => a + v.state.movedOut, 0) },
    {
      id: 'forwarded',
      unit: 'requests',
      read: (n) => shardsOf(n).reduce((a, v) => a + (v.up ? v.state.forwarded : 0), 0),
    },
    { id: 'reshards', unit: 'changes', read: (n) => routerOf(n)?.reshards ?? 0 },
    { id: 'scanFanout', unit: 'shards', read: (n) => routerOf(n)?.lastFanout ?? 0 },
    { id: 'scanFanoutTotal', unit: 'shards', read: (n) => routerOf(n)?.fanoutTotal ?? 0 },
    { id: 'shardCount', unit: 'shards', read: (n) => routerOf(n)?.table.shards.length ?? 0 },
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'router')
      return { text: `${s.table.strategy} ×${s.table.shards.length} · v${s.table.version}`, tone: 'good' };
    if (s.kind === 'shard') {
      const keys = Object.keys(s.data).length;
      return { text: `${keys} keys · ${s.served} req`, tone: s.table === null ? 'warn' : 'neutral' };
    }
    return { text: `${s.done} done`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugStaleRoutingTable',
      title:
        'Shards keep their first routing table: after a reshard keys stay on their old shard and reads miss them',
    },
  ],
  lesson: {
    summary:
      'Sharding splits the keys across machines so each holds and serves a part. The strategy decides which part: hashing spreads keys evenly but scatters ranges; key ranges keep ranges together but let hot or sequential keys pile onto one shard; a directory puts keys where you say. Changing the number of shards moves keys, and hash modulo N moves most of them.',
    watch: [
      'The keys and requests on each shard badge, and keyImbalance / loadImbalance',
      'transfer messages and keysMoved when the shard count changes',
      'scanFanout: how many shards one range scan has to ask',
    ],
    tryThis: [
      'Switch the workload to zipf keys and watch loadImbalance climb while keyImbalance stays near 1',
      'Use the range strategy with sequential keys: each moment one shard takes all the writes, and the hotspot moves from shard to shard as the keys advance (loadImbalance, over short windows, climbs)',
      'Set shardCount to 2, run a while, then set it to 3: count the transfer messages (about 2/3 of the keys move going from 2 to 3 shards, about 3/4 going from 3 to 4)',
      'Compare scanFanout under range (1 shard for a narrow scan) and hash (every shard)',
      'Turn on bugStaleRoutingTable and reshard: the key-placement invariant stops the run',
    ],
  },
};
