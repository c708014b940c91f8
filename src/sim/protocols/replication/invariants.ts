/**
 * The invariants checked after every step: one leader per epoch (Raft §5.2's election
 * safety), no acknowledged write lost where the mode promises durability (DDIA ch. 5: a
 * synchronous follower always holds an up-to-date copy of the leader's data; promises.ts says
 * which modes promise it), and the session guarantees (Terry et al. 1994). Then the durability
 * check of the whole run, which never stops it: where the mode does not promise durability,
 * its failure ("acknowledged writes lost: 4") is the lesson.
 */
import { type Invariant, NEMESIS_EVENTS, type RunCheck } from '../../protocol';
import { currentLeader, lostWrites } from './cluster-view';
import type { ReadReplicationParams, RRState } from './types';

/** The invariants of read replication. */
export const replicationInvariants: Invariant<RRState>[] = [
  {
    id: 'one-leader-per-epoch',
    title: 'At most one replica leads any epoch',
    check({ changed, nodes }) {
      const s = changed.state;
      if (s.kind !== 'replica' || !s.leading) return null;
      for (const v of nodes)
        if (v.id !== changed.id && v.state.kind === 'replica' && v.state.leading && v.state.epoch === s.epoch)
          return `${changed.id} and ${v.id} both lead epoch ${s.epoch}`;
      return null;
    },
  },
  {
    id: 'no-lost-writes',
    title: 'No write acknowledged in a mode that promises durability is lost on failover',
    check({ changed, nodes, events }) {
      const s = changed.state;
      if (s.kind !== 'replica') return null;
      if (!events.some((e) => e.type === NEMESIS_EVENTS.elected)) {
        // A deposed leader that does not know it yet (split brain) may still acknowledge:
        // against a newer leader's final log, such a write is lost the moment it is answered.
        if (!s.leading) return null;
        const newer = currentLeader(nodes);
        if (newer === undefined || newer.state.epoch <= s.epoch) return null;
        for (const a of s.acked) {
          if (!a.durable || a.epoch >= newer.state.epoch) continue;
          if (newer.state.log[a.seq - 1]?.opId !== a.opId)
            return `write #${a.opId} ${a.key}=${a.value} was acknowledged in ${a.mode} mode by ${changed.id} (seq ${a.seq}, epoch ${a.epoch}) after ${newer.id} took over epoch ${newer.state.epoch} without it`;
        }
        return null;
      }
      // Checked in the step a replica takes over (it emits 'elected'): its log is final from here on.
      for (const v of nodes) {
        if (v.state.kind !== 'replica') continue;
        for (const a of v.state.acked) {
          if (!a.durable || a.epoch >= s.epoch) continue;
          if (s.log[a.seq - 1]?.opId !== a.opId)
            return `write #${a.opId} ${a.key}=${a.value} was acknowledged in ${a.mode} mode by ${v.id} (seq ${a.seq}) but the new leader ${changed.id} does not have it`;
        }
      }
      return null;
    },
  },
  {
    id: 'session-guarantee',
    title: 'A session read never returns a state older than the session floor',
    check({ changed }) {
      const s = changed.state;
      return s.kind === 'client' && s.sessionViolations > 0
        ? `${changed.id} read below its session floor ${s.sessionViolations} time(s)`
        : null;
    },
  },
];

/**
 * Durability, over the whole run so far: every write a leader acknowledged is still in the
 * current leader's log (or was, before a replica had to discard it). Where the mode promises
 * it, `no-lost-writes` stops the run at the first loss; elsewhere this check shows the losses,
 * one line per write, as the lesson (Protocol.notPromised).
 */
export const durabilityCheck: RunCheck<RRState, ReadReplicationParams> = {
  id: 'durability',
  title: 'Every acknowledged write survives failover',
  check({ nodes }) {
    const lost = lostWrites(nodes);
    if (lost.length === 0) return null;
    return {
      message: `acknowledged writes lost: ${lost.length}`,
      details: lost.map(
        (a) =>
          `#${a.opId} ${a.key}=${a.value} (seq ${a.seq}, epoch ${a.epoch}, acknowledged in ${a.mode} mode)`,
      ),
    };
  },
};
