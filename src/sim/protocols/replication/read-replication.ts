/**
 * Read replication: one leader takes every write and ships its log to followers, which serve
 * reads. The model follows the single-leader replication of Kleppmann, "Designing
 * Data-Intensive Applications" (2017), ch. 5: synchronous vs asynchronous followers (§"Synchronous
 * Versus Asynchronous Replication"), failover (§"Handling Node Outages": "some writes may be
 * lost" under asynchronous replication), and the reading-your-own-writes and monotonic-reads
 * session guarantees (§"Problems with Replication Lag"; Terry et al., "Session Guarantees for
 * Weakly Consistent Replicated Data", PDIS 1994).
 *
 * Log shipping is Raft-like (prevSeq/prevEpoch consistency check, truncation on conflict;
 * Ongaro & Ousterhout 2014 §5.3) and automatic failover is a majority vote in which a replica
 * grants only to a candidate whose log is at least as up to date as its own (Raft §5.4.1), so
 * the most up-to-date follower of a majority wins. See docs/protocols/replication.md.
 *
 * This file assembles the protocol and hands each input to its role: types.ts (params, state,
 * messages), replica.ts (what every replica does), leader.ts, follower.ts, failover.ts,
 * client.ts, then cluster-view.ts, invariants.ts, metrics.ts and lesson.ts.
 */
import type { Input, Protocol, StateField } from '../../protocol';
import { clientOpsAnswered } from '../../toolkit/liveness';
import { newClient, onClient } from './client';
import { onVote, onVoteReq, onWatch } from './failover';
import { onAppend, onRead } from './follower';
import { durabilityCheck, replicationInvariants } from './invariants';
import { heartbeat, leadFromStart, onAppendAck, onWrite } from './leader';
import { replicationBugs, replicationLesson, replicationTopology, replicationWorkload } from './lesson';
import { replicationMetrics, replicationSummary } from './metrics';
import { durabilityGap, linearizabilityGap, replicaCount } from './promises';
import { applyTo, newReplica, setWatchTimer } from './replica';
import { ReadReplicationParams, type ReplicaState, type RRCtx, type RRMsg, type RRState } from './types';

/** One input to a replica. */
function onReplica(ctx: RRCtx, s: ReplicaState, input: Input<RRMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart': {
      if (input.kind === 'restart') {
        // Leadership and whom it followed are not on disk: a restarted leader is a follower
        // until an election (or the operator) says otherwise.
        s.leading = false;
        s.leaderId = '';
      } else if (!s.leading) s.leaderId = ctx.nodesWithRole('leader')[0] ?? '';
      // The data is rebuilt from the committed part of the log on disk.
      s.kv = {};
      s.applied = 0;
      applyTo(s, s.commitSeq);
      s.candidate = false;
      s.votes = [];
      if (s.leading) leadFromStart(ctx, s);
      else setWatchTimer(ctx);
      return;
    }
    case 'timer':
      if (input.name === 'heartbeat' && s.leading) heartbeat(ctx, s);
      else if (input.name === 'watch') onWatch(ctx, s);
      return;
    case 'client':
      // Replicas are not clients: the workload only drives nodes with role 'client'.
      ctx.reply(input.op, { ok: false });
      return;
    case 'message': {
      const m = input.msg;
      const from = input.from;
      switch (m.type) {
        case 'write':
          onWrite(ctx, s, from, m);
          return;
        case 'read':
          onRead(ctx, s, from, m);
          return;
        case 'append':
          onAppend(ctx, s, from, m);
          return;
        case 'appendAck':
          onAppendAck(ctx, s, from, m);
          return;
        case 'voteReq':
          onVoteReq(ctx, s, from, m);
          return;
        case 'vote':
          onVote(ctx, s, from, m);
          return;
        default:
          return;
      }
    }
  }
}

/**
 * What survives a crash. A replica keeps what it wrote to disk: its log and commit point, its
 * election state (epoch and vote: Raft Figure 2's persistent state) and what it acknowledged
 * and counted; it rebuilds its data from the committed log on restart and comes back as a
 * follower. A client keeps everything (its requests in flight stay pending, and are given up
 * after `clientTimeoutUs`).
 */
const DURABLE: StateField<RRState>[] = [
  // Replica and client.
  'kind',
  'epoch',
  // Replica.
  'votedFor',
  'log',
  'acked',
  'lost',
  'readsServed',
  'followerReads',
  'promotedByParam',
  'commitSeq',
  // Client (the toolkit client's fields, its leader hint included, and read replication's own).
  'leader',
  'nextReq',
  'retries',
  'lastLatencyUs',
  'writeSeq',
  'readSeq',
  'pending',
  'writes',
  'writeLatencySumUs',
  'reads',
  'readLatencySumUs',
  'redirected',
  'sessionViolations',
];

/** A replica's lists whose written entries never change (entries are only added or removed). */
const LOGS: StateField<RRState>[] = ['log', 'acked', 'lost'];

export const readReplication: Protocol<ReadReplicationParams, RRState, RRMsg> = {
  id: 'read-replication',
  topic: 'replication',
  title: 'Leader-follower read replication',
  version: 2,
  // Hops of about 25 ms and a 50 ms heartbeat: at 0.1x a message crosses in a quarter of a
  // second and the first stale read (about 0.3 s in) shows 3 s after Play.
  speed: 0.1,
  roles: [
    { id: 'leader', label: 'Leader', min: 1, max: 1 },
    { id: 'follower', label: 'Follower', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: ReadReplicationParams,
  defaultTopology: replicationTopology,
  quickStart() {
    // Async replication, reads from any follower, automatic failover, no faults.
    return {
      name: 'Read replication quick start',
      workload: { ...replicationWorkload, stopUs: 5_000_000 },
      maxTimeUs: 6_000_000,
    };
  },
  init(node) {
    return node.role === 'client' ? newClient() : newReplica(node.role === 'leader', '');
  },
  on(ctx, s, input) {
    if (s.kind === 'client') onClient(ctx, s, input);
    else onReplica(ctx, s, input);
  },
  durable: DURABLE,
  logs: LOGS,
  // The nemesis aimed at leaders crashes or cuts off the replica leading the highest epoch.
  nemesis: { leads: (s) => (s.kind === 'replica' && s.leading ? s.epoch : null) },
  // With manual failover a lost leader stays lost until an operator promotes a replica: the
  // cluster owes no answers then, so the property is checked with automatic failover only.
  liveness: [clientOpsAnswered((p) => (p.failover === 'manual' ? Number.POSITIVE_INFINITY : 3_000_000))],
  invariants: replicationInvariants,
  runChecks: [durabilityCheck],
  historyCheckers: [],
  notPromised(p, scenario) {
    const out: Record<string, string> = {};
    const why = linearizabilityGap(p, scenario);
    if (why !== null) out.linearizability = why;
    const lost = durabilityGap(p, replicaCount(scenario));
    if (lost !== null) out.durability = lost;
    return out;
  },
  metrics: replicationMetrics,
  summary: replicationSummary,
  bugs: replicationBugs,
  lesson: replicationLesson,
};
