/**
 * Failover (DDIA ch. 5, "Handling Node Outages"). Automatic: a follower that misses the
 * leader's heartbeats stands for the next epoch, and a majority of replicas elects it, each
 * voting once per epoch, only for a log at least as up to date as its own (Raft §5.2,
 * §5.4.1), and not while it still hears a leader (Raft thesis §4.2.3), so the most up-to-date
 * follower of a majority wins. Manual: no elections; the replica the `promote` param names
 * promotes itself.
 */
import { NEMESIS_EVENTS } from '../../protocol';
import { becomeLeader } from './leader';
import { lastEpoch, lastSeq, replicas, setWatchTimer, stepDown } from './replica';
import type { ReplicaState, RRCtx, VoteMsg, VoteReqMsg } from './types';

/** Automatic failover: a follower that missed the leader's heartbeats stands. Raft §5.2. */
function startElection(ctx: RRCtx, s: ReplicaState): void {
  const epoch = s.epoch + 1;
  const voters = replicas(ctx);
  s.candidate = true;
  s.epoch = epoch;
  s.votedFor = ctx.self;
  s.votes = [ctx.self];
  s.leaderId = '';
  if (voters.length === 1) {
    becomeLeader(ctx, s, epoch, 'alone');
    return;
  }
  for (const v of voters)
    if (v !== ctx.self) ctx.send(v, { type: 'voteReq', epoch, lastSeq: lastSeq(s), lastEpoch: lastEpoch(s) });
  setWatchTimer(ctx);
  ctx.note(`${ctx.self} missed heartbeats: stands in epoch ${epoch} with ${lastSeq(s)} entries`);
}

/**
 * A vote request: one vote per epoch, and only for a log at least as up to date (Raft §5.4.1).
 * A replica that leads, or heard its leader less than `failoverTimeoutUs` ago, ignores it and
 * keeps its epoch (Raft thesis §4.2.3): that promise is what a leader's lease stands on.
 */
export function onVoteReq(ctx: RRCtx, s: ReplicaState, from: string, m: VoteReqMsg): void {
  const heardLeader = s.heardUs >= 0 && ctx.now() - s.heardUs < ctx.params.failoverTimeoutUs;
  if (s.leading || heardLeader) {
    ctx.send(from, { type: 'vote', epoch: s.epoch, granted: false });
    return;
  }
  if (m.epoch > s.epoch) stepDown(ctx, s, m.epoch, '');
  // Raft §5.4.1: grant only to a log at least as up to date (last epoch, then length).
  const upToDate = m.lastEpoch > lastEpoch(s) || (m.lastEpoch === lastEpoch(s) && m.lastSeq >= lastSeq(s));
  const grant = m.epoch === s.epoch && !s.leading && (s.votedFor === '' || s.votedFor === from) && upToDate;
  if (grant) {
    s.votedFor = from;
    setWatchTimer(ctx);
    // A vote must survive a crash (votedFor is durable): the nemesis may test that here.
    ctx.emit({ type: NEMESIS_EVENTS.promised, epoch: m.epoch });
  }
  ctx.send(from, { type: 'vote', epoch: s.epoch, granted: grant });
}

/** A vote: a majority of the replicas makes the candidate leader. */
export function onVote(ctx: RRCtx, s: ReplicaState, from: string, m: VoteMsg): void {
  if (m.epoch > s.epoch) {
    stepDown(ctx, s, m.epoch, '');
    return;
  }
  if (!s.candidate || m.epoch !== s.epoch || !m.granted || s.votes.includes(from)) return;
  s.votes.push(from);
  if (s.votes.length * 2 > replicas(ctx).length) becomeLeader(ctx, s, s.epoch, 'elected');
}

/**
 * The watch timer of a non-leader: manual failover promotes the replica named by `promote`
 * once its clock reaches `promoteAtUs` (else keeps polling); automatic failover stands.
 */
export function onWatch(ctx: RRCtx, s: ReplicaState): void {
  if (s.leading) return;
  const p = ctx.params;
  if (p.failover === 'manual') {
    if (p.promote === ctx.self && !s.promotedByParam && ctx.now() >= p.promoteAtUs) {
      s.promotedByParam = true;
      becomeLeader(ctx, s, s.epoch + 1, 'promoted by hand');
      return;
    }
    setWatchTimer(ctx);
    return;
  }
  startElection(ctx, s);
}
