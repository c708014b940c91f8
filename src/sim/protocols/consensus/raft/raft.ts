import type { NodeView, Protocol, StateField } from '../../../protocol';
import { clientOpsAnswered } from '../../../toolkit/liveness';
import { initClient, onClient } from './client';
import { RAFT_INVARIANTS } from './invariants';
import { lastLogIndex } from './log';
import { logsTab } from './log-view';
import { RAFT_CLIENT_WORKLOAD, raftTopology } from './scenario';
import { initServer, onServer } from './server';
import { type RaftMsg, RaftParams, type RaftState, type ServerState } from './types';

/**
 * Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm (Extended
 * Version)", 2014): leader election, log replication, commitment, crash recovery, client
 * sessions with retries and dedupe, read-index linearizable reads, optional pre-vote,
 * check-quorum and snapshots, under a replicated key-value store. server.ts implements the
 * paper's Figure 2 rule by rule, client.ts §8's client, invariants.ts Figure 3's properties;
 * docs/protocols/raft.md describes the model and every simplification.
 */

function servers(nodes: readonly NodeView<RaftState>[]): ServerState[] {
  const out: ServerState[] = [];
  for (const v of nodes) if (v.up && v.state.kind === 'server') out.push(v.state);
  return out;
}

const ROLE_LETTER = { follower: 'F', precandidate: 'P', candidate: 'C', leader: 'L' } as const;

/**
 * What survives a crash. Servers (Figure 2, "persistent state on all servers"): currentTerm,
 * votedFor and log[], and the snapshot (§7); the ghost is checker-only. Clients: the next
 * request id. Both: `kind`, so a crashed node's state still says which it is. (One list for
 * both roles: a field a role does not have is skipped.) With bugForgetVoteOnRestart a server
 * forgets votedFor on the 'restart' input (server.ts).
 */
const DURABLE: readonly StateField<RaftState>[] = [
  'kind',
  'currentTerm',
  'votedFor',
  'log',
  'snapshot',
  'ghost',
  'nextReq',
];

/** The servers' logs: entries are never changed once written (the kernel shares and freezes them). */
const LOGS: readonly StateField<RaftState>[] = ['log'];

export const raft: Protocol<RaftParams, RaftState, RaftMsg> = {
  id: 'raft',
  topic: 'consensus',
  title: 'Raft',
  version: 1,
  // Election timeouts of 150-300 ms and hops of about 5 ms: at 0.05x the first election
  // (about 165 ms in) comes 3 s after Play and a message takes a tenth of a second to cross.
  speed: 0.05,
  roles: [
    { id: 'server', label: 'Raft server', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: RaftParams,
  defaultTopology() {
    return raftTopology(5, 2);
  },
  quickStart() {
    // Five servers elect a leader; two clients read and write ten keys through it.
    return { name: 'Raft quick start', workload: RAFT_CLIENT_WORKLOAD };
  },
  init(node) {
    return node.role === 'client' ? initClient() : initServer();
  },
  on(ctx, s, input) {
    if (s.kind === 'server') onServer(ctx, s, input);
    else onClient(ctx, s, input);
  },
  durable: DURABLE,
  logs: LOGS,
  invariants: RAFT_INVARIANTS,
  // After the faults stop a majority elects a leader within a few election timeouts, and the
  // clients' operations are answered again (§5.2, §8).
  liveness: [clientOpsAnswered((p) => 10 * p.electionTimeoutMsMax * 1000)],
  views: [logsTab],
  historyCheckers: ['linearizability'],
  metrics: [
    {
      id: 'leaders',
      unit: 'servers',
      read(nodes) {
        let n = 0;
        for (const s of servers(nodes)) if (s.role === 'leader') n++;
        return n;
      },
    },
    {
      id: 'termMax',
      unit: 'term',
      read(nodes) {
        let t = 0;
        for (const v of nodes) if (v.state.kind === 'server') t = Math.max(t, v.state.currentTerm);
        return t;
      },
    },
    {
      id: 'commitIndexMax',
      unit: 'entries',
      read(nodes) {
        let c = 0;
        for (const s of servers(nodes)) c = Math.max(c, s.commitIndex);
        return c;
      },
    },
    {
      // 1 while no running server is leader of the highest running term; its integral over
      // time (samples × the sampling interval) is the time without a leader.
      id: 'leaderless',
      unit: 'flag',
      read(nodes) {
        const up = servers(nodes);
        let t = 0;
        for (const s of up) t = Math.max(t, s.currentTerm);
        for (const s of up) if (s.role === 'leader' && s.currentTerm === t) return 0;
        return 1;
      },
    },
    {
      id: 'electionsStarted',
      unit: 'elections',
      read(nodes) {
        let n = 0;
        for (const v of nodes) if (v.state.kind === 'server') n += v.state.ghost.elections;
        return n;
      },
    },
    {
      id: 'clientPending',
      unit: 'requests',
      read(nodes) {
        let n = 0;
        for (const v of nodes) if (v.up && v.state.kind === 'client') n += v.state.pending.length;
        return n;
      },
    },
  ],
  summary(s, up) {
    if (s.kind === 'client') {
      if (!up) return { text: 'client crashed', tone: 'bad' };
      const n = s.pending.length;
      return { text: `client → ${s.leader || '?'}${n > 0 ? ` (${n})` : ''}`, tone: 'neutral' };
    }
    const text = `${up ? ROLE_LETTER[s.role] : 'X'} t${s.currentTerm} len ${lastLogIndex(s)} ci ${up ? s.commitIndex : '-'}`;
    if (!up) return { text, tone: 'bad' };
    if (s.role === 'leader') return { text, tone: 'good' };
    if (s.role === 'candidate' || s.role === 'precandidate') return { text, tone: 'warn' };
    return { text, tone: 'neutral' };
  },
  nemesis: {
    // The leader of the highest term. Its other targets come from the events server.ts emits:
    // 'elected', 'promised' (a vote, the promise a restart must not forget, §5.2) and
    // 'first-commit'.
    leads: (s) => (s.kind === 'server' && s.role === 'leader' ? s.currentTerm : null),
  },
  bugs: [
    {
      param: 'bugNoElectionRestriction',
      title:
        'Votes ignore log up-to-dateness (§5.4.1): a server missing committed entries can win and overwrite them',
    },
    {
      param: 'bugCommitPreviousTerm',
      title:
        'A leader commits an older-term entry by counting replicas (§5.4.2, Figure 8): a later leader can erase it',
    },
    {
      param: 'bugForgetVoteOnRestart',
      title:
        'votedFor is not persisted: a server that restarts mid-election can vote twice and elect two leaders in a term',
    },
  ],
  lesson: {
    summary:
      'Raft keeps a log identical on a majority of servers. One server at a time is leader: it wins an election with votes from a majority, appends client commands to its log, copies them to the followers, and declares an entry committed once a majority stores it. Terms number the leaderships; any message with a newer term makes an older leader step down. A server votes only for candidates whose log is at least as up to date as its own, so every new leader already holds every committed entry.',
    watch: [
      'Badges: role letter (L leader, C candidate, P pre-candidate, F follower), term, log length and commit index',
      'The leaders and leaderless series: how long the cluster goes without a leader after a crash',
      'Elections started: split votes show as several elections for one leader change',
      'Client latency (opLatencyUs): requests stall while there is no leader, then complete after retries',
    ],
    tryThis: [
      'Crash the leader and time the election that follows; restart it and watch it rejoin as a follower and catch up',
      'Partition the leader away from the majority: the majority elects a new leader in a higher term; the old leader cannot commit, and steps down when the partition heals (or at once with checkQuorum)',
      'Set electionTimeoutMsMin equal to electionTimeoutMsMax and watch split votes repeat',
      'Turn on bugForgetVoteOnRestart, add nemesis crashes, and find a seed where election-safety breaks',
      'Turn on bugNoElectionRestriction with crashes and partitions: leader-completeness or state-machine-safety stops the run',
      'Turn on bugCommitPreviousTerm in "Raft under the consensus nemesis" (one entry per AppendEntries, as in Figure 8) and try seeds: on some a leader commits an older-term entry by counting replicas, a later leader erases it, and leader-completeness stops the run',
    ],
  },
};
