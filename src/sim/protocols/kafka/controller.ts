/**
 * The controller (KRaft's active controller, KIP-631 "The Quorum-based Kafka Controller"; one
 * fixed node here, its quorum a later slice). It creates the topic, keeps each broker's session
 * (BrokerHeartbeat; a broker silent for broker.session.timeout.ms is fenced), picks partition
 * leaders (Design §4.7: the new leader comes from the ISR; with
 * unclean.leader.election.enable any live replica will do), takes the leaders' ISR changes
 * (AlterPartition, KIP-497) and pushes every change of the metadata to the brokers.
 */
import type { Ctx, Input } from '../../protocol';
import { expireMembers, initGroup, onGroupMessage, restartGroup } from './group';
import type { ControllerState, KafkaMsg, KafkaParams, MsgOf, PartitionRecord } from './types';

type C = Ctx<KafkaParams, KafkaMsg>;

/** The controller before the topic exists. */
export function initController(params: KafkaParams): ControllerState {
  return {
    kind: 'controller',
    metadataVersion: 0,
    partitions: [],
    brokers: {},
    lastUncleanEpoch: [],
    elections: 0,
    uncleanElections: 0,
    isrShrinks: 0,
    isrExpands: 0,
    nextProducerId: 0,
    group: initGroup(params.partitions),
  };
}

/**
 * Replica assignment: partition p on brokers p, p+1, ... (mod the broker count), the first the
 * preferred leader. Kafka's rack-unaware assignment does the same from a random first broker
 * with a shift for the followers; a fixed start keeps runs easy to follow.
 */
export function assignReplicas(
  brokers: readonly string[],
  partitions: number,
  rf: number,
): PartitionRecord[] {
  const n = brokers.length;
  return Array.from({ length: partitions }, (_, p) => {
    const replicas = Array.from({ length: Math.min(rf, n) }, (_, i) => brokers[(p + i) % n]!);
    return {
      partition: p,
      replicas,
      leader: replicas[0] ?? '',
      leaderEpoch: 0,
      isr: [...replicas],
      partitionEpoch: 0,
      leaderRecoveryState: 'recovered' as const,
    };
  });
}

/** Every change of the metadata goes to every broker that is not fenced. */
function publish(ctx: C, s: ControllerState): void {
  s.metadataVersion += 1;
  for (const [b, info] of Object.entries(s.brokers))
    if (!info.fenced) ctx.send(b, { type: 'Metadata', version: s.metadataVersion, partitions: s.partitions });
}

const live = (s: ControllerState, b: string) => s.brokers[b] !== undefined && !s.brokers[b].fenced;

/**
 * Elects a leader for a partition whose leader is gone (§4.7): the first replica, in preference
 * order, that is in the ISR and alive; else, with unclean election on, the first live replica
 * (its log may lack committed records: the partition's leaderRecoveryState becomes recovering,
 * KIP-704); else nobody, and the partition is offline until an ISR member comes back.
 */
export function electLeader(
  s: ControllerState,
  p: PartitionRecord,
  unclean: boolean,
): { leader: string; unclean: boolean } {
  const clean = p.replicas.find((r) => p.isr.includes(r) && live(s, r));
  if (clean !== undefined) return { leader: clean, unclean: false };
  if (!unclean) return { leader: '', unclean: false };
  const any = p.replicas.find((r) => live(s, r));
  return any === undefined ? { leader: '', unclean: false } : { leader: any, unclean: true };
}

/** A new leader (or none): a new leader epoch and partition epoch. */
function changeLeader(ctx: C, s: ControllerState, i: number): boolean {
  const p = s.partitions[i]!;
  const { leader, unclean } = electLeader(s, p, ctx.params.uncleanLeaderElection);
  if (leader === p.leader) return false;
  const next: PartitionRecord = {
    ...p,
    leader,
    leaderEpoch: p.leaderEpoch + 1,
    partitionEpoch: p.partitionEpoch + 1,
    // An unclean leader starts a new ISR of itself; a clean one keeps the ISR (the old leader
    // has left it already, or stays its last member while the partition is offline).
    isr: unclean ? [leader] : p.isr,
    leaderRecoveryState: unclean ? 'recovering' : p.leaderRecoveryState,
  };
  s.partitions[i] = next;
  if (leader === '') {
    ctx.note(`p${i} offline: no in-sync replica is alive`);
    return true;
  }
  s.elections += 1;
  if (unclean) {
    s.uncleanElections += 1;
    s.lastUncleanEpoch[i] = next.leaderEpoch;
    ctx.note(
      `p${i}: UNCLEAN election of ${leader} (epoch ${next.leaderEpoch}), not in the ISR: committed records may be lost`,
    );
  } else ctx.note(`p${i}: ${leader} leads epoch ${next.leaderEpoch}`);
  return true;
}

/** A broker's session ended: out of every ISR it is in (unless it is the last member), and its partitions get new leaders. */
function fence(ctx: C, s: ControllerState, b: string): void {
  s.brokers[b]!.fenced = true;
  ctx.note(`fence ${b}: no heartbeat for ${ctx.params.sessionTimeoutMs} ms`);
  s.partitions.forEach((p, i) => {
    if (p.isr.includes(b) && p.isr.length > 1) {
      s.partitions[i] = { ...p, isr: p.isr.filter((r) => r !== b), partitionEpoch: p.partitionEpoch + 1 };
      s.isrShrinks += 1;
    }
    if (s.partitions[i]!.leader === b) changeLeader(ctx, s, i);
  });
  publish(ctx, s);
}

/** One input to the controller. */
export function onController(ctx: C, s: ControllerState, input: Input<KafkaMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart': {
      const brokers = ctx.nodesWithRole('broker');
      // Every broker gets a fresh session: a controller that was down heard nobody meanwhile.
      for (const b of brokers)
        s.brokers[b] = { lastHeartbeatUs: ctx.now(), fenced: s.brokers[b]?.fenced ?? false };
      if (s.partitions.length === 0) {
        // CreateTopics: the topic exists from the start of the run.
        s.partitions = assignReplicas(brokers, ctx.params.partitions, ctx.params.replicationFactor);
        s.lastUncleanEpoch = s.partitions.map(() => -1);
      }
      restartGroup(ctx, s.group);
      publish(ctx, s);
      ctx.setTimer('session', ctx.params.heartbeatMs * 1000);
      return;
    }
    case 'timer': {
      if (input.name !== 'session') return;
      const now = ctx.now();
      for (const [b, info] of Object.entries(s.brokers))
        if (!info.fenced && now - info.lastHeartbeatUs > ctx.params.sessionTimeoutMs * 1000) fence(ctx, s, b);
      // The group coordinator's sessions are checked on the same tick.
      expireMembers(ctx, s.group);
      ctx.setTimer('session', ctx.params.heartbeatMs * 1000);
      return;
    }
    case 'message':
      if (input.msg.type === 'BrokerHeartbeat') onHeartbeat(ctx, s, input.from, input.msg);
      else if (input.msg.type === 'AlterPartition') onAlterPartition(ctx, s, input.from, input.msg);
      else if (input.msg.type === 'InitProducerId') {
        // KIP-98: every idempotent producer gets a new id (epoch 0); the id survives a crash.
        ctx.send(input.from, {
          type: 'InitProducerIdResponse',
          producerId: s.nextProducerId,
          producerEpoch: 0,
        });
        s.nextProducerId += 1;
      } else onGroupMessage(ctx, s.group, input.from, input.msg);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
  }
}

/** BrokerHeartbeat: the session goes on; a fenced broker is back (and may lead an offline partition); stale metadata is sent again. */
function onHeartbeat(ctx: C, s: ControllerState, from: string, m: MsgOf<'BrokerHeartbeat'>): void {
  const info = s.brokers[from];
  if (info === undefined) return;
  info.lastHeartbeatUs = ctx.now();
  if (info.fenced) {
    info.fenced = false;
    ctx.note(`unfence ${from}`);
    let changed = false;
    s.partitions.forEach((p, i) => {
      if (p.leader === '' && p.replicas.includes(from)) changed = changeLeader(ctx, s, i) || changed;
    });
    if (changed) {
      publish(ctx, s);
      return;
    }
  }
  if (m.metadataVersion < s.metadataVersion)
    ctx.send(from, { type: 'Metadata', version: s.metadataVersion, partitions: s.partitions });
}

/**
 * AlterPartition (KIP-497): the leader asks for a new ISR. Accepted only from the current
 * leader at the current leader and partition epochs, and only with live brokers in it
 * (KIP-841); the answer carries the partition as the controller now has it.
 */
function onAlterPartition(ctx: C, s: ControllerState, from: string, m: MsgOf<'AlterPartition'>): void {
  const p = s.partitions[m.partition];
  if (p === undefined) return;
  const ok =
    p.leader === from &&
    p.leaderEpoch === m.leaderEpoch &&
    p.partitionEpoch === m.partitionEpoch &&
    m.isr.every((r) => p.replicas.includes(r) && live(s, r)) &&
    m.isr.includes(from);
  if (!ok) {
    ctx.send(from, {
      type: 'AlterPartitionResponse',
      partition: m.partition,
      requested: m.isr,
      accepted: false,
      record: p,
    });
    return;
  }
  if (m.isr.length < p.isr.length) s.isrShrinks += 1;
  else s.isrExpands += 1;
  const next: PartitionRecord = {
    ...p,
    isr: [...m.isr],
    partitionEpoch: p.partitionEpoch + 1,
    // Once the unclean leader has a follower in sync again, it has recovered (KIP-704).
    leaderRecoveryState: 'recovered',
  };
  s.partitions[m.partition] = next;
  ctx.note(`p${m.partition} ISR [${next.isr.join(',')}]`);
  ctx.send(from, {
    type: 'AlterPartitionResponse',
    partition: m.partition,
    requested: m.isr,
    accepted: true,
    record: next,
  });
  publish(ctx, s);
}
