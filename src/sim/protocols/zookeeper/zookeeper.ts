/**
 * ZooKeeper: an ensemble of servers running Zab (Junqueira, Reed, Serafini, DSN 2011) under a
 * tree of znodes with sessions and one-shot watches (Hunt, Konar, Junqueira, Reed, USENIX ATC
 * 2010), and clients running a workload and the lock recipe of §2.4.
 * server.ts is Zab and the request pipeline; client.ts the client and the recipe; tree.ts the
 * data model and its txns; checks.ts the guarantees. docs/protocols/zookeeper.md.
 */
import type { Latency, ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';
import type { DefaultTopology, MetricSpec, NodeView, Protocol } from '../../protocol';
import { clientOpsAnswered } from '../../toolkit/liveness';
import { sumOver } from '../../toolkit/metrics';
import { link, placed } from '../../toolkit/topology';
import { configConverges, groupViews, zkInvariants } from './checks';
import { initClient, onClient } from './client';
import { initServer, lastApplied, onServer } from './server';
import { initStore, onStore } from './store';
import { zxidHex } from './tree';
import { treeView } from './tree-view';
import { type ClientState, type ServerState, type ZkMsg, type ZkState, ZooKeeperParams } from './types';

const LATENCY: Latency = { kind: 'uniform', minUs: 1000, maxUs: 3000 };

/** n servers on an arc, clients below them; servers meshed, every client linked to every server. */
export function zkTopology(servers: number, clients: number, latency: Latency = LATENCY): DefaultTopology {
  const sids = Array.from({ length: servers }, (_, k) => `s${k + 1}`);
  const cids = Array.from({ length: clients }, (_, k) => `c${k + 1}`);
  // Centred rows, 240 px apart for servers and 200 px for clients (a node is 150 px wide).
  const at = (k: number, n: number, step: number): number => Math.round(400 + (k - (n - 1) / 2) * step);
  const nodes: ScenarioNode[] = [
    ...sids.map((id, k) =>
      placed(id, 'server', at(k, servers, 240), k === 0 || k === servers - 1 ? 160 : 100),
    ),
    ...cids.map((id, k) => placed(id, 'client', at(k, clients, 200), 420)),
  ];
  const links: ScenarioLink[] = sids.flatMap((a, i) => sids.slice(i + 1).map((b) => link(a, b, latency)));
  for (const c of cids) for (const s of sids) links.push(link(c, s, latency));
  return { nodes, links };
}

const isServer = (s: ZkState): s is ServerState => s.kind === 'server';

const DURABLE = [
  // Zab's persistent state (DSN 2011 §IV): the history and the two epochs; and the session-id
  // counter, so a restarted server never hands out an id twice.
  'acceptedEpoch',
  'currentEpoch',
  'history',
  'sessionsIssued',
  // The counters the metrics sum.
  'proposals',
  'watchesFired',
  // A client keeps its counters (the metrics sum them); its session lives on the servers.
  'expiries',
  'acquired',
  'released',
  'recipeMsgs',
  'configSkipped',
  // The store keeps what it took.
  'maxToken',
  'lastWriter',
  'writes',
  'refused',
] as const;

const msgsPerRelease: MetricSpec<ZkState> = {
  id: 'lockMsgsPerRelease',
  unit: 'messages',
  read(nodes: readonly NodeView<ZkState>[]) {
    let msgs = 0;
    let releases = 0;
    for (const n of nodes)
      if (n.state.kind === 'client') {
        msgs += n.state.recipeMsgs ?? 0;
        releases += n.state.released ?? 0;
      }
    return releases === 0 ? 0 : msgs / releases;
  },
};

/** Sessions expired so far: the closeSession txns the most advanced server has delivered. */
const sessionsExpired: MetricSpec<ZkState> = {
  id: 'sessionsExpired',
  unit: 'sessions',
  read(nodes) {
    let best: ServerState | null = null;
    for (const n of nodes)
      if (n.up && isServer(n.state) && (best === null || n.state.committed > best.committed)) best = n.state;
    if (best === null) return 0;
    let k = 0;
    for (let i = 0; i < best.committed; i++) if (best.history[i]!.txn.kind === 'closeSession') k += 1;
    return k;
  },
};

export const zookeeper: Protocol<ZooKeeperParams, ZkState, ZkMsg> = {
  id: 'zookeeper',
  topic: 'zookeeper',
  title: 'ZooKeeper (Zab, znodes, sessions)',
  version: 1,
  // An election takes about 50 ms and a lock is held 150 ms: at 0.1x the first leader shows
  // within a second of Play, a lock changes hands every second or two, and c1's crash at 2 s
  // comes 20 s after Play.
  speed: 0.1,
  roles: [
    { id: 'server', label: 'Server', min: 1, max: 9 },
    { id: 'client', label: 'Client', min: 0, max: null },
    { id: 'store', label: 'Store (a resource the lock guards)', min: 0, max: 1 },
  ],
  params: ZooKeeperParams,
  defaultTopology: () => zkTopology(3, 5),
  quickStart() {
    // Three servers elect a leader; three clients queue for the lock, each watching only its
    // predecessor; c1 crashes at 2 s, its session expires and its place in the queue goes.
    return {
      name: 'ZooKeeper quick start: a lock without herd effect',
      faults: [{ atUs: 2_000_000, fault: { kind: 'crash', node: 'c1' } }],
      maxTimeUs: 8_000_000,
    };
  },
  init(n) {
    if (n.role === 'store') return initStore();
    return n.role === 'client' ? initClient() : initServer(n.id);
  },
  on(ctx, s, input) {
    if (s.kind === 'server') onServer(ctx, s, input);
    else if (s.kind === 'store') onStore(ctx, s, input);
    else onClient(ctx, s, input);
  },
  durable: DURABLE,
  invariants: zkInvariants,
  // Once the faults stop, an election (a few ticks), the followers' timeouts (syncLimit) and a
  // session's move to another server (two thirds of its timeout) bound how long a client waits.
  liveness: [
    clientOpsAnswered((p) => (2 * p.syncLimitTicks * p.tickMs + 2 * p.sessionTimeoutMs) * 1000 + 1_000_000),
    groupViews,
    configConverges,
  ],
  historyCheckers: ['linearizability'],
  notPromised(p) {
    return {
      linearizability:
        p.readMode === 'local'
          ? 'reads are served by the server the client is connected to, from its own copy (Hunt et al. §2.3): ZooKeeper promises linearizable writes and FIFO client order, not linearizable reads; a read at a follower may miss a write another client has already seen'
          : 'sync is not a quorum operation: the leader answers it from what it has proposed, so a leader that has just lost its quorum without knowing it can let a read miss a write (ZooKeeper Programmer\'s Guide, "Consistency Guarantees")',
    };
  },
  views: [treeView],
  metrics: [
    {
      id: 'leaders',
      unit: 'servers',
      read: (nodes) =>
        nodes.filter((n) => n.up && isServer(n.state) && n.state.state === 'LEADING' && n.state.established)
          .length,
    },
    sumOver<ZkState>('proposals', 'txns', (s) => (isServer(s) ? s.proposals : undefined)),
    sumOver<ZkState>('watchEvents', 'events', (s) => (isServer(s) ? s.watchesFired : undefined)),
    sumOver<ZkState>('locksAcquired', 'locks', (s) => (s.kind === 'client' ? s.acquired : undefined)),
    sessionsExpired,
    msgsPerRelease,
  ],
  nemesis: {
    leads: (s) => (isServer(s) && s.state === 'LEADING' && s.established ? s.currentEpoch : null),
  },
  summary(s, up) {
    if (s.kind === 'server') {
      if (!up) return { text: `down · e${s.currentEpoch}`, tone: 'bad' };
      const z = zxidHex(lastApplied(s));
      if (s.state === 'LEADING')
        return s.established
          ? { text: `leader e${s.currentEpoch} · ${z}`, tone: 'good' }
          : { text: `leading? e${s.newEpoch}`, tone: 'warn' };
      if (s.state === 'FOLLOWING')
        return s.phase === 'broadcast'
          ? { text: `follows ${s.leader} · ${z}`, tone: 'neutral' }
          : { text: `syncing with ${s.leader}`, tone: 'warn' };
      return { text: `looking (round ${s.round})`, tone: 'warn' };
    }
    if (s.kind === 'store')
      return up
        ? {
            text: s.maxToken < 0 ? 'no writes yet' : `token ${s.maxToken} · ${s.lastWriter}`,
            tone: s.refused > 0 ? 'warn' : 'neutral',
          }
        : { text: 'down', tone: 'bad' };
    const c = s as ClientState;
    if (!up) return { text: 'down', tone: 'bad' };
    if (c.status !== 'connected') return { text: `${c.status} ${c.server}`, tone: 'warn' };
    if (c.holdsLock)
      return {
        text: `${c.server} · ${c.myNode.startsWith('/election') ? 'leads' : 'holds the lock'}`,
        tone: 'good',
      };
    if (c.lock === 'watching')
      return {
        text: `${c.server} · waits on ${c.watching.slice(c.watching.lastIndexOf('/') + 1)}`,
        tone: 'neutral',
      };
    return { text: `${c.server} · ${c.session}`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugCommitWithoutQuorum',
      title:
        'The leader commits a proposal on its own ack, without a quorum: a leader cut off keeps committing what the next leader never had',
    },
    {
      param: 'bugSkipSyncPhase',
      title:
        'A new leader skips synchronization: a follower that missed txns keeps its own history and delivers out of step',
    },
    {
      param: 'bugNoEphemeralCleanup',
      title:
        "A session's expiry leaves its ephemeral znodes behind: a crashed client's lock is never released",
    },
    {
      param: 'bugHerdLock',
      title:
        'Every lock waiter watches /lock itself: each release wakes them all (a cost, shown in lockMsgsPerRelease, not a safety bug)',
    },
  ],
  lesson: {
    summary:
      'ZooKeeper keeps a small tree of znodes replicated on an ensemble of servers. One server leads: Zab elects it, brings the followers to its history (discovery, synchronization) and then broadcasts every write as a proposal that commits once a quorum acknowledges it, in zxid order (epoch, counter). Clients hold sessions with one server, read from its copy, and build coordination on top: a lock is a queue of ephemeral-sequential znodes, each waiter watching only the one before it.',
    watch: [
      'The election: NOTIFICATION votes for the best (epoch, zxid, id), then FOLLOWERINFO, NEWEPOCH, ACKEPOCH, NEWLEADER, ACKNEWLEADER and UPTODATE before the first PROPOSAL.',
      'Each write: REQUEST to the leader, PROPOSAL, ACKs, COMMIT; the zxid on every badge moves as servers apply it.',
      'The Znodes tab: /lock fills with c2-0000000001, c3-0000000002...; each waiter watches only its predecessor.',
      'At 2 s c1 crashes: its session expires after the session timeout, the leader proposes closeSession, and its lock znode goes.',
    ],
    tryThis: [
      'Turn on bugHerdLock and compare lockMsgsPerRelease (Metrics tab): every release now wakes every waiter, about 25 messages instead of 12.',
      "Open the Znodes tab and step through a release: the holder's znode goes, one watch fires, and only the next client asks for the children.",
      'Open zookeeper-leader-crash from the Library: s3 crashes, s1 and s2 elect s2 in epoch 2 (the zxids turn 0x2...), the clients move their sessions, and s3 returns as a follower.',
      "Turn on bugNoEphemeralCleanup: c1's znode outlives its session, and ephemerals-die-with-session stops the run (on most seeds: if c1 crashes between two turns of the lock, it holds no znode to leave behind).",
      'In zookeeper-leader-cut-off, turn on bugCommitWithoutQuorum: the cut-off leader commits alone and zab-primary-integrity catches the next leader without those txns.',
      'Try the exercise zookeeper-fence-the-lock: a client paused past its session timeout still believes it holds the lock.',
    ],
  },
};
