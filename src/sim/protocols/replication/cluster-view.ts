/**
 * Facts read off the whole cluster, for the invariants and the metrics: who leads now, and
 * which acknowledged writes are lost for good (DDIA ch. 5, "Handling Node Outages": after a
 * failover under asynchronous replication, writes the old leader acknowledged can be gone).
 */
import type { NodeView } from '../../protocol';
import type { AckedWrite, ReplicaState, RRState } from './types';

/** True for a replica's view (leader or follower), false for a client's. */
export function isReplica(v: NodeView<RRState>): v is NodeView<ReplicaState> {
  return v.state.kind === 'replica';
}

/** The current leader: the up replica leading the highest epoch. */
export function currentLeader(nodes: readonly NodeView<RRState>[]): NodeView<ReplicaState> | undefined {
  let best: NodeView<ReplicaState> | undefined;
  for (const v of nodes) {
    if (!isReplica(v) || !v.up || !v.state.leading) continue;
    if (best === undefined || v.state.epoch > best.state.epoch) best = v;
  }
  return best;
}

/**
 * Acknowledged writes that are gone for good: acknowledged by a leader of an older epoch and
 * not in the current leader's log (its log is final once it leads), plus those a rejoining
 * replica already discarded. By op id, so each lost write counts once.
 */
export function lostWrites(nodes: readonly NodeView<RRState>[]): AckedWrite[] {
  const lead = currentLeader(nodes);
  const out = new Map<number, AckedWrite>();
  for (const v of nodes) {
    if (!isReplica(v)) continue;
    for (const a of v.state.lost) out.set(a.opId, a);
    if (lead === undefined) continue;
    for (const a of v.state.acked) {
      if (a.epoch >= lead.state.epoch) continue;
      if (lead.state.log[a.seq - 1]?.opId !== a.opId) out.set(a.opId, a);
    }
  }
  return [...out.values()].sort((a, b) => a.opId - b.opId);
}
