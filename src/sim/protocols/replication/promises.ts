/**
 * What each configuration of read replication promises, and why a check may fail where it does
 * not: the checkers show such a failure as the lesson, not as a bug (Protocol.notPromised).
 *
 * - Durability (an acknowledged write survives a failover; DDIA ch. 5, "Synchronous Versus
 *   Asynchronous Replication"): promised by sync mode (every follower stores a write before it
 *   is acknowledged, so whoever takes over has it), and by semi-sync when the leader and its
 *   `semiSyncAcks` followers are a majority of the replicas and failover is automatic (every
 *   electing majority then holds a copy, and the vote goes to the most up-to-date log, Raft
 *   §5.4.1). Async mode promises none; nor does semi-sync with fewer copies, or with a replica
 *   promoted by hand, who may lack the write.
 * - Linearizability (Herlihy & Wing 1990): promised with leader reads where durability is
 *   promised, with a read barrier, or with a lease when the lease is shorter than the
 *   followers' promise, failover is automatic and the clocks keep time. Follower reads are
 *   never linearizable: a follower applies a write only after the leader committed it and said
 *   so, so it can miss a write that has completed.
 */
import type { Scenario } from '../../../shared/scenario/schema';
import { majority } from '../../toolkit/quorum';
import type { ReadReplicationParams } from './types';

type P = ReadReplicationParams;

/** Why acknowledged writes may be lost on failover with these params, or null when the mode promises they are not. */
export function durabilityGap(p: P, replicaCount: number): string | null {
  if (p.mode === 'async')
    return 'asynchronous replication acknowledges a write before any follower has it: a failover loses what the old leader had not shipped';
  if (p.mode === 'semi-sync') {
    const copies = 1 + Math.min(p.semiSyncAcks, Math.max(0, replicaCount - 1));
    if (copies < majority(replicaCount))
      return `semi-sync with ${copies} copies of ${replicaCount} replicas: a majority that elects the next leader may hold none of them`;
    if (p.failover === 'manual')
      return 'semi-sync with manual failover: the replica promoted by hand may not be one that stored the write';
  }
  return null;
}

/** Clock trouble in a scenario: drift, a clock fault, or a nemesis that skews clocks. */
function clocksMisbehave(scenario: Scenario): boolean {
  if (scenario.topology.nodes.some((n) => n.clockDriftPpm !== 0)) return true;
  if (scenario.faults.some((f) => f.fault.kind.startsWith('clock-'))) return true;
  return scenario.nemesis.enabled && scenario.nemesis.clockSkewRatePerS > 0;
}

/** The replicas of a scenario (nodes with role leader or follower). */
export function replicaCount(scenario: Scenario): number {
  return scenario.topology.nodes.filter((n) => n.role === 'leader' || n.role === 'follower').length;
}

/** Why the client history may not be linearizable with these params, or null when it must be. */
export function linearizabilityGap(p: P, scenario: Scenario): string | null {
  if (p.readPolicy !== 'leader')
    return 'reads go to followers, which apply a write only once the leader has committed it and told them: a follower read can miss a write that has already completed (session guarantees protect a client from its own past only)';
  const durable = durabilityGap(p, replicaCount(scenario));
  if (durable !== null) return `${durable}, and a later read then returns an older value`;
  if (p.leaderReads === 'lease') {
    if (p.leaseUs >= p.failoverTimeoutUs)
      return 'the lease lasts as long as the followers promise not to elect anyone, or longer: a new leader can take writes while the old one still reads alone';
    if (p.failover === 'manual')
      return 'a replica promoted by hand does not wait for the old leader’s lease to run out';
    if (clocksMisbehave(scenario))
      return 'a lease trusts clocks, and clocks here drift or jump: the old leader can read alone after a new leader took writes';
  }
  return null;
}
