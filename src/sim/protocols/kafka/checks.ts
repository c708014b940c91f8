/**
 * What Kafka's replication promises (Design §4.7), as checks over the nodes' states and the
 * facts the handlers state:
 * - a record below the high watermark is on every in-sync replica ("committed");
 * - consumers read committed records only;
 * - per-partition order: replicas agree on every committed offset, so every consumer sees one
 *   order per partition;
 * - with acks=all, an acknowledged record is never lost while an in-sync replica survives: a
 *   clean election keeps it. An unclean election may lose it (the lesson, not a bug): the
 *   checks leave a partition's records from before its last unclean election alone, and the
 *   lostAckedRecords metric counts them.
 */
import type { CheckEvent, Invariant, Liveness, MetricSpec, NodeView } from '../../protocol';
import { keeps, logEndOffset, logStart, recordAt, recordsFrom } from './log';
import type {
  AckedRecord,
  BrokerState,
  ClientState,
  ConsumerState,
  ControllerState,
  KafkaParams,
  KafkaState,
  ReplicaLog,
} from './types';

type V = NodeView<KafkaState>;

export const controllerOf = (nodes: readonly V[]): ControllerState | undefined => {
  for (const v of nodes) if (v.state.kind === 'controller') return v.state;
  return undefined;
};
const brokerById = (nodes: readonly V[], id: string): BrokerState | undefined => {
  for (const v of nodes) if (v.id === id && v.state.kind === 'broker') return v.state;
  return undefined;
};
export const brokersOf = (nodes: readonly V[]): { id: string; up: boolean; state: BrokerState }[] =>
  nodes.flatMap((v) => (v.state.kind === 'broker' ? [{ id: v.id, up: v.up, state: v.state }] : []));
const clientsOf = (nodes: readonly V[]): ClientState[] =>
  nodes.flatMap((v) => (v.state.kind === 'client' ? [v.state] : []));
const consumersOf = (nodes: readonly V[]): ConsumerState[] =>
  nodes.flatMap((v) => (v.state.kind === 'consumer' ? [v.state] : []));

/**
 * Whether two replicas agree at offset `o`: they hold the same record, or one (or both) cleaned
 * it away (deleted below its log start, or compacted out: a later record follows in its log).
 * Without retention and compaction a replica lacks `o` only when its log ends before it.
 */
const same = (r: ReplicaLog, o: number, other: ReplicaLog) => {
  const a = recordAt(r, o);
  const b = recordAt(other, o);
  if (a !== undefined && b !== undefined)
    return a.epoch === b.epoch && a.key === b.key && a.value === b.value;
  const cleaned = (x: ReplicaLog) => o < logStart(x) || o < logEndOffset(x);
  return (a !== undefined || cleaned(r)) && (b !== undefined || cleaned(other));
};

/** The in-sync replica of `partition` that lacks, or holds otherwise, a record of `leader`'s below `upTo`; null when none. */
function isrMemberMissing(
  nodes: readonly V[],
  partition: number,
  leaderId: string,
  leader: ReplicaLog,
  upTo: number,
): string | null {
  const c = controllerOf(nodes);
  const p = c?.partitions[partition];
  if (p === undefined || upTo === 0) return null;
  for (const m of p.isr) {
    if (m === leaderId) continue;
    const r = brokerById(nodes, m)?.replicas[partition];
    if (r === null || r === undefined || logEndOffset(r) < upTo)
      return `${m} (in the ISR) has ${r == null ? 0 : logEndOffset(r)} record(s) of p${partition}, below offset ${upTo}`;
    if (!same(r, upTo - 1, leader))
      return `${m} (in the ISR) holds another record at p${partition} offset ${upTo - 1}`;
  }
  return null;
}

/** The partition's last unclean election epoch (-1: none). */
const uncleanEpoch = (c: ControllerState | undefined, partition: number) =>
  c?.lastUncleanEpoch[partition] ?? -1;

/** An acknowledged acks=all record the clean leader `leaderId` does not hold; null when it holds them all. */
function lostOn(nodes: readonly V[], leaderId: string, partition: number): string | null {
  const c = controllerOf(nodes);
  const r = brokerById(nodes, leaderId)?.replicas[partition];
  const check = (a: AckedRecord) => {
    if (a.acks !== 'all' || a.partition !== partition || a.epoch < uncleanEpoch(c, partition)) return null;
    return r != null && keeps(r, a.offset, a.key, a.value)
      ? null
      : `record ${a.key}=${a.value} acknowledged at p${partition} offset ${a.offset} (acks=all) is not in the log of ${leaderId}, its leader`;
  };
  for (const cl of clientsOf(nodes))
    for (const a of cl.acked) {
      const bad = check(a);
      if (bad !== null) return bad;
    }
  return null;
}

const eventsOf = (events: readonly CheckEvent[], type: string) => events.filter((e) => e.type === type);

export const kafkaInvariants: Invariant<KafkaState>[] = [
  {
    id: 'hw-within-isr',
    title:
      'The high watermark never passes a record that an in-sync replica lacks (§4.7: committed = on every ISR member)',
    check({ changed, nodes }) {
      const s = changed.state;
      if (s.kind !== 'broker' || !changed.up) return null;
      const c = controllerOf(nodes);
      for (let i = 0; i < s.leading.length; i++) {
        const r = s.replicas[i];
        if (s.leading[i] == null || r == null) continue;
        const p = c?.partitions[i];
        if (p === undefined || p.leader !== changed.id || p.leaderEpoch !== s.partitions[i]?.leaderEpoch)
          continue;
        const bad = isrMemberMissing(nodes, i, changed.id, r, r.highWatermark);
        if (bad !== null) return `${changed.id} has p${i}'s high watermark at ${r.highWatermark}, but ${bad}`;
      }
      return null;
    },
  },
  {
    id: 'consumers-read-committed',
    title: 'A consumer reads only below the high watermark: records every in-sync replica holds',
    check({ changed, nodes, events }) {
      const s = changed.state;
      if (s.kind !== 'broker') return null;
      for (const e of eventsOf(events, 'consumed')) {
        const i = e.partition as number;
        const upTo = e.upTo as number;
        const r = s.replicas[i];
        if (r == null) continue;
        if (upTo > r.highWatermark)
          return `${changed.id} served p${i} up to ${upTo}, above its high watermark ${r.highWatermark}`;
        const bad = isrMemberMissing(nodes, i, changed.id, r, upTo);
        if (bad !== null) return `a consumer read p${i} up to offset ${upTo} from ${changed.id}, but ${bad}`;
      }
      return null;
    },
  },
  {
    id: 'partition-order',
    title: 'Per-partition order: every two replicas hold the same records below both their high watermarks',
    check({ changed, nodes }) {
      const s = changed.state;
      if (s.kind !== 'broker' || !changed.up) return null;
      const c = controllerOf(nodes);
      for (let i = 0; i < s.replicas.length; i++) {
        const r = s.replicas[i];
        if (r == null || uncleanEpoch(c, i) >= 0) continue;
        for (const b of brokersOf(nodes)) {
          const o = b.id === changed.id ? null : b.state.replicas[i];
          if (o == null) continue;
          const n = Math.min(r.highWatermark, o.highWatermark, logEndOffset(r), logEndOffset(o));
          for (let k = n - 1; k >= Math.max(logStart(r), logStart(o)); k--)
            if (!same(r, k, o))
              return `p${i} offset ${k} is committed on ${changed.id} and ${b.id} with different records`;
        }
      }
      return null;
    },
  },
  {
    id: 'acked-not-lost',
    title:
      'With acks=all, an acknowledged record is on every in-sync replica, and every clean leader election keeps it (§4.7 "Availability and Durability Guarantees")',
    check({ changed, nodes, events }) {
      const s = changed.state;
      if (s.kind === 'broker') {
        for (const e of eventsOf(events, 'became-leader')) {
          if (e.clean !== true) continue;
          const bad = lostOn(nodes, changed.id, e.partition as number);
          if (bad !== null)
            return `${changed.id} became leader of p${e.partition} (epoch ${e.epoch}): ${bad}`;
        }
        return null;
      }
      if (s.kind !== 'client') return null;
      // An acks=all acknowledgement means the record is committed: on every in-sync replica.
      const c = controllerOf(nodes);
      for (const e of eventsOf(events, 'acked')) {
        const i = e.partition as number;
        const offset = e.offset as number;
        const p = c?.partitions[i];
        if (e.acks !== 'all' || p === undefined || (e.epoch as number) < uncleanEpoch(c, i)) continue;
        for (const m of p.isr) {
          const r = brokerById(nodes, m)?.replicas[i];
          if (r == null || !keeps(r, offset, e.key as string, e.value as string))
            return `${changed.id} heard ${e.value} acknowledged at p${i} offset ${offset} (acks=all), but ${m}, in the ISR, does not hold it: a leader crash now loses it`;
        }
      }
      return null;
    },
  },
  {
    id: 'appended-once',
    title:
      'With an idempotent producer, each record appears once in its partition: a retried or duplicated produce is not appended again (KIP-98)',
    check({ changed }) {
      const s = changed.state;
      if (s.kind !== 'broker') return null;
      for (let i = 0; i < s.leading.length; i++) {
        const r = s.replicas[i];
        const last = r?.log[r.log.length - 1];
        if (s.leading[i] == null || r == null || last?.producerId === undefined) continue;
        // Sequences of one producer only grow along the log: look back until a smaller one.
        for (let o = r.log.length - 2; o >= 0; o--) {
          const rec = r.log[o]!;
          if (rec.producerId !== last.producerId || rec.producerEpoch !== last.producerEpoch) continue;
          if (rec.sequence === last.sequence)
            return `${changed.id} appended producer ${last.producerId}'s sequence ${last.sequence} (${last.key}=${last.value}) to p${i} twice: offsets ${rec.offset} and ${last.offset}`;
          if ((rec.sequence ?? 0) < (last.sequence ?? 0)) break;
        }
      }
      return null;
    },
  },
  {
    id: 'cleaned-log',
    title:
      'Retention and compaction keep a log in order and keep the latest value of every key: offsets only grow, and every acknowledged record is still there, replaced by a later record of its key, or below the log start (§4.8)',
    check({ changed, nodes, events }) {
      const s = changed.state;
      if (s.kind !== 'broker') return null;
      const c = controllerOf(nodes);
      for (const e of eventsOf(events, 'cleaned')) {
        const i = e.partition as number;
        const r = s.replicas[i];
        if (r == null) continue;
        for (let k = 0; k < r.log.length; k++)
          if (r.log[k]!.offset < logStart(r) || (k > 0 && r.log[k]!.offset <= r.log[k - 1]!.offset))
            return `${changed.id}'s p${i} log has offset ${r.log[k]!.offset} after ${k > 0 ? r.log[k - 1]!.offset : `log start ${logStart(r)}`}`;
        for (const cl of clientsOf(nodes))
          for (const a of cl.acked)
            if (
              a.partition === i &&
              a.acks === 'all' &&
              a.epoch >= uncleanEpoch(c, i) &&
              a.offset < r.highWatermark &&
              !keeps(r, a.offset, a.key, a.value)
            )
              return `${changed.id} cleaned p${i}: record ${a.key}=${a.value} (offset ${a.offset}, acknowledged) is gone, and no later record of ${a.key} replaces it`;
      }
      return null;
    },
  },
  {
    id: 'committed-once-per-group',
    title:
      'Each offset is committed once per group: every commit starts where the group stood, so no record is consumed twice, or skipped, as committed (§4.6)',
    check({ changed, events, nodes }) {
      if (changed.state.kind !== 'controller') return null;
      for (const e of eventsOf(events, 'offset-committed')) {
        const { partition, member, generation, from, to, prev } = e as unknown as Record<
          string,
          number | string
        >;
        if (from === prev) continue;
        // Skipping records retention deleted is auto.offset.reset=earliest, not a loss.
        const leader = changed.state.partitions[partition as number]?.leader ?? '';
        const lr = brokerById(nodes, leader)?.replicas[partition as number];
        if ((from as number) > (prev as number) && lr != null && (from as number) <= logStart(lr)) continue;
        return (from as number) < (prev as number)
          ? `${member} (generation ${generation}) committed p${partition} offsets ${from}..${(to as number) - 1}, but the group had committed up to ${prev}: offsets ${from}..${Math.min(to as number, prev as number) - 1} are consumed twice${(to as number) < (prev as number) ? `, and the group's offset moves back to ${to}` : ''}`
          : `${member} (generation ${generation}) committed p${partition} from ${from}, but the group stood at ${prev}: offsets ${prev}..${(from as number) - 1} are skipped`;
      }
      return null;
    },
  },
];

/**
 * How long after the last fault the group may take to consume again: a member's session to end
 * (groupSessionTimeoutMs) or a broker's, then a consumer's fetch to the dead leader to time out
 * (requestTimeoutMs), a follower cut off to leave the ISR so the high watermark moves
 * (replicaLagTimeMaxMs), and a few heartbeats and polls.
 */
export const groupSettleUs = (p: KafkaParams) =>
  (Math.max(p.groupSessionTimeoutMs, p.sessionTimeoutMs + p.requestTimeoutMs) +
    p.replicaLagTimeMaxMs +
    2 * p.consumerHeartbeatMs +
    5 * p.fetchWaitMs) *
  1000;

/**
 * The consumer group's liveness (§4.5, §4.6): once the faults stop, every partition is owned by
 * a live member that holds the current generation's assignment, and the group consumes every
 * committed record: none older (by its LogAppendTime timestamp) than the settle bound lies
 * between the group's committed offset and the leader's high watermark. Nothing to check
 * without consumers.
 */
export const groupConsumesEveryRecord: Liveness<KafkaState, KafkaParams> = {
  id: 'group-consumes-every-record',
  title:
    'After the faults stop, every partition is assigned to a live member of the current generation, and the group consumes every committed record',
  withinUs: groupSettleUs,
  check({ nodes, nowUs }, params) {
    if (!nodes.some((v) => v.state.kind === 'consumer')) return null;
    const cv = nodes.find((v) => v.state.kind === 'controller');
    if (cv === undefined || cv.state.kind !== 'controller') return null;
    if (!cv.up) return 'the group coordinator is down';
    const c = cv.state;
    const g = c.group;
    const oldest = nowUs - groupSettleUs(params);
    for (let p = 0; p < c.partitions.length; p++) {
      const owner = Object.keys(g.assignment).find((m) => g.assignment[m]!.includes(p));
      if (owner === undefined) return `p${p} is assigned to no member in generation ${g.generation}`;
      const ov = nodes.find((v) => v.id === owner);
      if (ov === undefined || !ov.up) return `p${p} is assigned to ${owner}, which is down`;
      if (ov.state.kind !== 'consumer') return `p${p} is assigned to ${owner}, not a consumer`;
      if (ov.state.generation !== g.generation || !ov.state.assigned.includes(p))
        return `p${p} is assigned to ${owner} in generation ${g.generation}, but ${owner} holds generation ${ov.state.generation} with [${ov.state.assigned.map((q) => `p${q}`).join(' ')}]`;
      const leader = c.partitions[p]!.leader;
      const r = leader === '' ? undefined : brokerById(nodes, leader)?.replicas[p];
      const next = r == null ? undefined : recordsFrom(r, g.committed[p] ?? 0, 1)[0];
      if (r != null && next !== undefined && next.offset < r.highWatermark && next.timestamp < oldest)
        return `p${p}: the record at offset ${next.offset}, appended at ${(next.timestamp / 1e6).toFixed(3)} s and committed on ${leader}, is not consumed by the group (its committed offset is ${g.committed[p]})`;
    }
    return null;
  },
};

/** Acknowledged records (acks 1 and all) that the current leader of their partition does not hold. */
export function lostAckedRecords(nodes: readonly V[]): number {
  const c = controllerOf(nodes);
  if (c === undefined) return 0;
  let lost = 0;
  for (const cl of clientsOf(nodes))
    for (const a of cl.acked) {
      const leader = c.partitions[a.partition]?.leader ?? '';
      if (leader === '') continue;
      const r = brokerById(nodes, leader)?.replicas[a.partition];
      if (r == null || !keeps(r, a.offset, a.key, a.value)) lost++;
    }
  return lost;
}

export const kafkaMetrics: MetricSpec<KafkaState>[] = [
  {
    id: 'underReplicatedPartitions',
    unit: 'partitions',
    read: (n) => controllerOf(n)?.partitions.filter((p) => p.isr.length < p.replicas.length).length ?? 0,
  },
  {
    id: 'offlinePartitions',
    unit: 'partitions',
    read: (n) => controllerOf(n)?.partitions.filter((p) => p.leader === '').length ?? 0,
  },
  { id: 'isrShrinks', unit: 'changes', read: (n) => controllerOf(n)?.isrShrinks ?? 0 },
  { id: 'uncleanLeaderElections', unit: 'elections', read: (n) => controllerOf(n)?.uncleanElections ?? 0 },
  { id: 'ackedRecords', unit: 'records', read: (n) => clientsOf(n).reduce((a, c) => a + c.acked.length, 0) },
  { id: 'lostAckedRecords', unit: 'records', read: lostAckedRecords },
  {
    id: 'notEnoughReplicas',
    unit: 'produces',
    read: (n) => clientsOf(n).reduce((a, c) => a + c.notEnoughReplicas, 0),
  },
  { id: 'groupRebalances', unit: 'rebalances', read: (n) => controllerOf(n)?.group.rebalances ?? 0 },
  {
    id: 'committedRecords',
    unit: 'records',
    read: (n) => controllerOf(n)?.group.committed.reduce((a, b) => a + b, 0) ?? 0,
  },
  {
    id: 'processedRecords',
    unit: 'records',
    read: (n) => consumersOf(n).reduce((a, c) => a + c.processed, 0),
  },
  {
    id: 'duplicateProduces',
    unit: 'produces',
    read: (n) => brokersOf(n).reduce((a, b) => a + b.state.duplicates, 0),
  },
  {
    id: 'outOfOrderProduces',
    unit: 'produces',
    read: (n) => brokersOf(n).reduce((a, b) => a + b.state.outOfOrder, 0),
  },
  { id: 'resentProduces', unit: 'produces', read: (n) => clientsOf(n).reduce((a, c) => a + c.resent, 0) },
  { id: 'partitionMoves', unit: 'partitions', read: (n) => controllerOf(n)?.group.moves ?? 0 },
  { id: 'rejectedCommits', unit: 'commits', read: (n) => controllerOf(n)?.group.rejectedCommits ?? 0 },
  {
    id: 'truncatedRecords',
    unit: 'records',
    read: (n) => brokersOf(n).reduce((a, b) => a + b.state.truncated, 0),
  },
];
