import type { Scenario } from '../../../../shared/scenario/schema';
import type { Invariant, Liveness, MetricSpec, NodeView, Protocol, StateField } from '../../../protocol';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { sumOver } from '../../../toolkit/metrics';
import { link } from '../../../toolkit/topology';
import { clientOn, initClient } from './client';
import { homeOf, initReplica, replicaOn } from './replica';
import { type DynamoMsg, DynamoParams, type DynamoState, type ReplicaState } from './types';
import { coversAll, reconcile, type Version } from './versions';
import { versionsView } from './versions-view';

/**
 * CAP with Dynamo-style quorums: a replicated key-value store after DeCandia et al., "Dynamo:
 * Amazon's Highly Available Key-value Store", SOSP 2007, §4 (partitioning §4.2, replication
 * §4.3, versioning §4.4, get/put with N, R and W §4.5, sloppy quorums and hinted handoff §4.6,
 * anti-entropy §4.7, failure detection §4.8.3; read repair §5). The same cluster runs in one of two modes, on the
 * same topology and the same partition:
 * - `cp`: strict quorums among a key's N home replicas. A request that cannot reach R (W) of
 *   them is refused or times out: consistent, not available (Gilbert & Lynch, "Brewer's
 *   conjecture and the feasibility of consistent, available, partition-tolerant web services",
 *   SIGACT News 2002, Theorem 1);
 * - `ap`: sloppy quorums. Nodes believed up stand in for home replicas that are not, keep
 *   hinted replicas and hand them back after the partition heals: available, and the two sides
 *   diverge until then.
 * Conflicts are resolved by last writer wins (coordinator clock timestamps) or kept as
 * siblings under version vectors and merged by the client (§4.4). The linearizability checker
 * reads every run's client history. See docs/protocols/dynamo.md.
 *
 * replica.ts holds the node's rules, client.ts the client, versions.ts §4.4, ring.ts §4.2-4.3.
 */

type P = DynamoParams;
type S = DynamoState;

const isReplica = (v: NodeView<S>): v is NodeView<ReplicaState> => v.state.kind === 'replica';

/** What a replica holds for each key, store and hints together (a crashed node: what its disk kept). */
function heldKeys(s: ReplicaState, mode: 'lww' | 'vv'): Map<string, Version[]> {
  const out = new Map<string, Version[]>();
  for (const [k, vs] of Object.entries(s.store ?? {})) out.set(k, vs);
  for (const h of s.hints ?? []) out.set(h.key, reconcile([...(out.get(h.key) ?? []), ...h.versions], mode));
  return out;
}

/** Keys whose copies differ among the up replicas that hold one (store or hint). */
export function divergentKeys(nodes: readonly NodeView<S>[]): number {
  const byKey = new Map<string, Version[][]>();
  for (const v of nodes) {
    if (!v.up || !isReplica(v)) continue;
    // The conflict mode is not in the cluster view; comparing both ways under 'vv' and 'lww'
    // alike is what "the same versions" means.
    for (const [k, vs] of heldKeys(v.state, 'vv')) {
      const list = byKey.get(k) ?? [];
      list.push(vs);
      byKey.set(k, list);
    }
  }
  let n = 0;
  for (const copies of byKey.values()) {
    const first = copies[0]!;
    if (
      copies.some(
        (c) => !(coversAll(c, first, 'vv') && coversAll(first, c, 'vv')) || c.length !== first.length,
      )
    )
      n++;
  }
  return n;
}

const invariants: Invariant<S>[] = [
  {
    id: 'versions-never-go-back',
    title: 'A replica never replaces a version of a key by an older one (§4.4)',
    check({ changed, events }) {
      for (const e of events) {
        if (e.type !== 'stored') continue;
        const before = e.before as Version[];
        const after = e.after as Version[];
        const mode = e.conflict as 'lww' | 'vv';
        if (!coversAll(after, before, mode)) {
          const lost = before.filter((b) => !after.some((a) => coversAll([a], [b], mode)));
          return `${changed.id} replaced ${String(e.key)}=${lost.map((v) => v.value).join(',')} by the older ${after.map((v) => v.value).join(',')}`;
        }
      }
      return null;
    },
  },
  {
    id: 'strict-quorum',
    title: 'In cp mode, R replies and W acknowledgements come from the key’s N home replicas (§4.5)',
    check({ changed, events }) {
      const s = changed.state;
      if (s.kind !== 'replica') return null;
      for (const e of events) {
        if (e.type !== 'quorum' || e.mode !== 'cp') continue;
        const key = String(e.key);
        const home = homeOf(s, key, e.n as number);
        const counted = e.counted as string[];
        const outside = counted.filter((x) => !home.includes(x));
        if (outside.length > 0)
          return `${changed.id} counted ${outside.join(',')} toward the ${e.op} quorum of ${key}, whose home replicas are ${home.join(',')}`;
        if (counted.length < (e.need as number))
          return `${changed.id} answered ${e.op} ${key} with ${counted.length} of ${e.need as number} replicas`;
      }
      return null;
    },
  },
];

/** After the partition heals, hinted replicas go home: no up node keeps a hint for an up node. */
const hintsHandedBack: Liveness<S, P> = {
  id: 'hints-handed-back',
  title: 'After the faults stop, every hinted replica is handed back to its home node (§4.6)',
  withinUs: (p) => 1_000_000 + 3 * p.pingMs * 1000 + 2 * p.handoffMs * 1000,
  check({ nodes }) {
    const up = new Set(nodes.filter((n) => n.up).map((n) => n.id));
    for (const v of nodes)
      if (v.up && isReplica(v))
        for (const h of v.state.hints)
          if (up.has(h.home)) return `${v.id} still holds a hint of ${h.key} for ${h.home}, which is up`;
    return null;
  },
};

const replicaSum = (id: string, unit: string, f: (s: ReplicaState) => number): MetricSpec<S> =>
  sumOver<S>(id, unit, (s) => (s.kind === 'replica' ? f(s) : undefined));

const metrics: MetricSpec<S>[] = [
  {
    // Availability as the coordinators see it, cumulative: requests answered ok over all they took.
    id: 'answeredShare',
    unit: 'fraction',
    read(nodes) {
      let ok = 0;
      let all = 0;
      for (const v of nodes)
        if (isReplica(v)) {
          ok += v.state.served ?? 0;
          all += (v.state.served ?? 0) + (v.state.refused ?? 0) + (v.state.timedOut ?? 0);
        }
      return all === 0 ? 1 : ok / all;
    },
  },
  replicaSum('staleReads', 'reads', (s) => s.staleReads),
  replicaSum('conflictingReads', 'reads', (s) => s.conflictingReads),
  replicaSum('refused', 'requests', (s) => s.refused),
  replicaSum('timedOut', 'requests', (s) => s.timedOut),
  { id: 'divergentKeys', unit: 'keys', read: divergentKeys },
  {
    id: 'hintsHeld',
    unit: 'hints',
    read: (nodes) => nodes.reduce((a, v) => a + (v.up && isReplica(v) ? v.state.hints.length : 0), 0),
  },
  replicaSum('handoffs', 'hints', (s) => s.handoffs),
  replicaSum('readRepairs', 'writes', (s) => s.repairs),
  replicaSum('antiEntropyRepairs', 'keys', (s) => s.synced),
];

// A replica's disk: its store, hints and version counters (§4.6: hints live in a local
// database), the lab's record of the versions it wrote (the Versions view), and its counters
// for the metrics; a client remembers its request numbers.
const DURABLE: StateField<S>[] = [
  'kind',
  'store',
  'hints',
  'counters',
  'written',
  'served',
  'refused',
  'timedOut',
  'staleReads',
  'conflictingReads',
  'repairs',
  'handoffs',
  'nextReq',
  'siblingReads',
];

/** Replica positions: a pentagon, n1 at the top, clockwise. */
const REPLICAS = ['n1', 'n2', 'n3', 'n4', 'n5'].map((id, k) => ({
  id,
  x: 400 + Math.round(200 * Math.sin((2 * Math.PI * k) / 5)),
  y: 300 - Math.round(200 * Math.cos((2 * Math.PI * k) / 5)),
}));

const WAN = { kind: 'normal' as const, meanUs: 8000, stdUs: 2000, minUs: 3000 };
const LOCAL = { kind: 'normal' as const, meanUs: 300, stdUs: 50, minUs: 100 };

/** The partition of the quick start: n1-n3 with c1 on one side, n4-n5 with c2 on the other. */
export const PARTITION = [
  ['n1', 'n2', 'n3', 'c1'],
  ['n4', 'n5', 'c2'],
];

/** The scenario sets clocks apart from true time: offsets, drift, clock faults or a clock-skewing nemesis. */
function skewsClocks(scenario: Scenario): boolean {
  return (
    scenario.topology.nodes.some((n) => (n.clockOffsetUs ?? 0) !== 0 || (n.clockDriftPpm ?? 0) !== 0) ||
    scenario.faults.some((f) => f.fault.kind.startsWith('clock-')) ||
    (scenario.nemesis.enabled && scenario.nemesis.clockSkewRatePerS > 0)
  );
}

export const dynamo: Protocol<P, S, DynamoMsg> = {
  id: 'dynamo',
  topic: 'cap',
  title: 'Dynamo: CP or AP',
  version: 1,
  // A request takes a few ms; the partition comes 1 s in and heals at 3 s: 4 s and 12 s
  // after Play at 0.25x, with the two sides drifting apart in between.
  speed: 0.25,
  roles: [
    { id: 'replica', label: 'Replica', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: DynamoParams,
  defaultTopology() {
    const clients = [
      { id: 'c1', x: 680, y: 110, near: 'n1' },
      { id: 'c2', x: 70, y: 500, near: 'n4' },
    ];
    const nodes = [
      ...REPLICAS.map((r) => ({
        id: r.id,
        name: r.id,
        role: 'replica',
        x: r.x,
        y: r.y,
        clockOffsetUs: 0,
        clockDriftPpm: 0,
      })),
      ...clients.map((c) => ({
        id: c.id,
        name: c.id,
        role: 'client',
        x: c.x,
        y: c.y,
        clockOffsetUs: 0,
        clockDriftPpm: 0,
      })),
    ];
    const links = [
      ...REPLICAS.flatMap((a, i) => REPLICAS.slice(i + 1).map((b) => link(a.id, b.id, WAN))),
      ...clients.flatMap((c) => REPLICAS.map((r) => link(c.id, r.id, r.id === c.near ? LOCAL : WAN))),
    ];
    return { nodes, links };
  },
  quickStart(p) {
    return {
      name: `Dynamo, ${p.mode.toUpperCase()}: a partition from 1 s to 3 s`,
      workload: {
        kind: 'closed',
        concurrency: 1,
        thinkTimeUs: 20_000,
        readFraction: 0.5,
        keys: { pattern: 'k{i}', count: 4 },
        stopUs: 5_500_000,
        timeoutUs: 1_000_000,
      },
      faults: [
        { atUs: 1_000_000, fault: { kind: 'partition', id: 'split', groups: PARTITION } },
        { atUs: 3_000_000, fault: { kind: 'heal', id: 'split' } },
      ],
      maxTimeUs: 6_000_000,
    };
  },
  init(n) {
    return n.role === 'replica' ? initReplica() : initClient();
  },
  on(ctx, s, input) {
    if (s.kind === 'replica') replicaOn(ctx, s, input);
    else clientOn(ctx, s, input);
  },
  durable: DURABLE,
  invariants,
  liveness: [clientOpsAnswered(() => 2_000_000), hintsHandedBack],
  historyCheckers: ['linearizability'],
  // What the lesson shows fails as the lesson, not as a bug: CP with R + W > N and
  // last-writer-wins on true clocks is the only linearizable setting here.
  notPromised(p, scenario): Record<string, string> {
    const why: string[] = [];
    if (p.mode === 'ap')
      why.push(
        'AP answers from whichever W nodes it reaches (sloppy quorums, §4.6): both sides of a partition take writes the other cannot see',
      );
    if (p.r + p.w <= p.n)
      why.push(`R + W = ${p.r + p.w} is not above N = ${p.n}: a read quorum can miss the last write quorum`);
    if (p.conflict === 'vv')
      why.push(
        'version vectors keep concurrent writes as siblings and a read may return several (§4.4): no single order of writes',
      );
    if (p.conflict === 'lww' && skewsClocks(scenario))
      why.push(
        "last-writer-wins orders writes by the coordinators' clocks, and this scenario moves them: a later write can carry an older timestamp",
      );
    return why.length === 0 ? {} : { linearizability: why.join('; ') };
  },
  metrics,
  views: [versionsView],
  summary(s, up) {
    if (!up) return { text: 'down', tone: 'bad' };
    if (s.kind === 'client')
      return { text: `via ${s.leader || '—'} · ${s.pending.length} waiting`, tone: 'neutral' };
    const keys = Object.keys(s.store).length;
    const parts = [keys === 1 ? '1 key' : `${keys} keys`];
    if (s.hints.length > 0) parts.push(`${s.hints.length} hints`);
    if (s.suspected.length > 0) parts.push(`${s.suspected.join(',')} down?`);
    return {
      text: parts.join(' · '),
      tone: s.suspected.length > 0 ? 'warn' : s.hints.length > 0 ? 'warn' : 'good',
    };
  },
  bugs: [
    {
      param: 'bugCountHintAsHomeReplica',
      title: 'In cp mode, a stand-in outside the preference list counts toward the strict quorum',
    },
    {
      param: 'bugNoReadRepairVersionCheck',
      title: 'A read repair overwrites a replica’s versions without comparing them: a newer write is lost',
    },
  ],
  lesson: {
    summary:
      'Five replicas keep every key on three of them (N = 3, its preference list on a hash ring). A write waits for W of them, a read for R. When the network splits, the store must choose (CAP): in CP mode only the key’s own replicas count, so a side that cannot reach enough of them refuses or times out, and every answer stays linearizable; in AP mode any node that is up stands in (a sloppy quorum), keeps a hint, and hands it back after the heal: every request is answered, and the two sides drift apart meanwhile. Even without a partition, R + W ≤ N lets a read miss the latest write (and is faster: PACELC).',
    watch: [
      'The linearizability verdict at the end: AP fails under the partition, CP passes',
      'availability (share answered) against staleReads and divergentKeys on the charts',
      'hintsHeld rising during the partition and falling after the heal (hinted handoff)',
      'refuse notes on the CP side that cannot reach its quorum',
    ],
    tryThis: [
      'Run the quick start (AP): every request is answered, divergentKeys climbs while split, and linearizability fails; open the offending read in the trace',
      'Set mode to cp and run again: availability drops during the partition, linearizability holds',
      'Without the partition, set R = 1 and W = 1: reads get faster (opLatencyP50Us) and staleReads appear; R = 2, W = 2 removes them',
      'Set conflict to vv: concurrent writes come back as siblings (conflictingReads), and the client’s next write merges them; the Versions tab draws a key’s versions as the paper’s Figure 3, the siblings in orange and the merge as an arrow from each',
      'Step n4’s clock back 50 ms with a clock-step fault under lww: its writes lose to older ones, even in CP mode',
      'Turn off readRepair and stop the workload at 2.9 s: some keys stay divergent after the heal; turn on antiEntropy and they agree within about a second',
      'Turn on bugCountHintAsHomeReplica in cp mode: the strict-quorum invariant stops the run once the partition starts',
    ],
  },
};
