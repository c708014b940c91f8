/**
 * Kafka's replication (Apache Kafka documentation, "Design" §4.7 "Replication"): brokers hold
 * a topic's partitions as replicated, append-only logs; a controller picks each partition's
 * leader; followers fetch from the leader; the leader keeps the in-sync replicas (ISR) and the
 * high watermark (HW); producers choose acks=0/1/all and min.insync.replicas; consumers read
 * below the HW; unclean.leader.election.enable trades acknowledged records for availability.
 * Leader epochs and truncation follow KIP-101 (in KIP-320's fetch-based form), ISR changes
 * KIP-497 (AlterPartition), the controller KIP-631 (KRaft: heartbeats and fencing).
 * See docs/protocols/kafka.md for the sources and every choice made here.
 */
import type { DefaultTopology, Protocol, StateField } from '../../protocol';
import { clientOpsAnswered } from '../../toolkit/liveness';
import { star } from '../../toolkit/topology';
import { initBroker, onBroker } from './broker';
import { groupConsumesEveryRecord, kafkaInvariants, kafkaMetrics } from './checks';
import { initClient, onClient } from './client';
import { initConsumer, onConsumer } from './consumer';
import { initController, onController } from './controller';
import { type KafkaMsg, KafkaParams, type KafkaState } from './types';
import { logsTab } from './view';

/** Controller ctl, brokers b1-b3, clients c1 and c2, on one switch with 1 ms hops. */
export function kafkaTopology(): DefaultTopology {
  return star(
    [
      { id: 'ctl', role: 'controller', x: 300, y: 40 },
      { id: 'b1', role: 'broker', x: 100, y: 420 },
      { id: 'b2', role: 'broker', x: 300, y: 460 },
      { id: 'b3', role: 'broker', x: 500, y: 420 },
      { id: 'c1', role: 'client', x: 80, y: 120 },
      { id: 'c2', role: 'client', x: 520, y: 120 },
    ],
    { id: 'sw', x: 300, y: 250 },
    { kind: 'normal', meanUs: 1000, stdUs: 200, minUs: 300 },
  );
}

/** The quick start's workload: two clients, two requests each in flight, half reads, 24 keys. */
export function kafkaWorkload() {
  return {
    kind: 'closed' as const,
    concurrency: 2,
    thinkTimeUs: 10_000,
    readFraction: 0.5,
    keys: { pattern: 'key-{i}', count: 24, distribution: 'uniform' as const, zipfS: 1.1 },
    timeoutUs: 1_000_000,
  };
}

// A broker keeps its logs and high-watermark checkpoints; the controller keeps everything (its
// metadata log); a client keeps what it was told (the acknowledged records) and its counters.
const DURABLE: StateField<KafkaState>[] = [
  'kind',
  'replicas',
  'appended',
  'fetched',
  'truncated',
  'metadataVersion',
  'partitions',
  'brokers',
  'lastUncleanEpoch',
  'elections',
  'uncleanElections',
  'isrShrinks',
  'isrExpands',
  'nextProducerId',
  'duplicates',
  'outOfOrder',
  'retentionDeleted',
  'compacted',
  'acked',
  'nextReq',
  'notEnoughReplicas',
  'fireAndForget',
  'resent',
  'group',
  'processed',
  'resets',
];

export const kafka: Protocol<KafkaParams, KafkaState, KafkaMsg> = {
  id: 'kafka',
  topic: 'kafka',
  title: 'Kafka replication (ISR, high watermark, acks)',
  version: 1,
  // A fetch round is a few ms; at 0.1x the records flow along the rows at a readable pace and
  // b1's crash at 1 s comes 10 s after Play, its new leader 3 s later.
  speed: 0.1,
  roles: [
    { id: 'controller', label: 'Controller', min: 1, max: 1 },
    { id: 'broker', label: 'Broker', min: 1, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
    { id: 'consumer', label: 'Group consumer', min: 0, max: null },
  ],
  params: KafkaParams,
  defaultTopology: kafkaTopology,
  quickStart() {
    // b1, p0's leader, crashes at 1 s and comes back at 2 s: the controller moves p0 to b2,
    // the ISR shrinks and grows back once b1 has caught up.
    return {
      name: 'Kafka quick start',
      workload: kafkaWorkload(),
      faults: [
        { atUs: 1_000_000, fault: { kind: 'crash', node: 'b1' } },
        { atUs: 2_000_000, fault: { kind: 'restart', node: 'b1' } },
      ],
      maxTimeUs: 3_500_000,
    };
  },
  init(n) {
    if (n.role === 'controller') return initController(n.params);
    if (n.role === 'broker') return initBroker(n.params);
    if (n.role === 'consumer') return initConsumer(n.params);
    return initClient(n.params);
  },
  on(ctx, s, input) {
    if (s.kind === 'controller') onController(ctx, s, input);
    else if (s.kind === 'broker') onBroker(ctx, s, input);
    else if (s.kind === 'consumer') onConsumer(ctx, s, input);
    else onClient(ctx, s, input);
  },
  durable: DURABLE,
  invariants: kafkaInvariants,
  // Once the faults stop, a new leader is in place within a session timeout and the clients
  // find it within a request timeout.
  // The consumer group, once the faults stop, owns every partition and consumes every record.
  liveness: [
    clientOpsAnswered((p) => (p.sessionTimeoutMs + p.requestTimeoutMs) * 1000 + 500_000),
    groupConsumesEveryRecord,
  ],
  historyCheckers: ['linearizability'],
  // The settings the lesson turns to lose acknowledged records fail as the lesson, not as a bug.
  notPromised(p): Record<string, string> {
    const why: string[] = [];
    if (p.acks !== 'all')
      why.push(
        `acks=${p.acks} answers before the in-sync followers have the record: a read at the high watermark misses an acknowledged write, and a leader crash loses it`,
      );
    if (p.uncleanLeaderElection)
      why.push(
        'unclean leader election makes a replica outside the ISR leader when none in it is alive: records it never had are lost, though acknowledged',
      );
    if (p.retentionMs > 0 || p.retentionRecords > 0)
      why.push(
        'retention deletes the oldest segments: a key whose last write was in one reads as missing (compaction alone keeps the latest value of every key)',
      );
    return why.length === 0 ? {} : { linearizability: why.join('; ') };
  },
  metrics: kafkaMetrics,
  views: [logsTab],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'controller') {
      const brokers = Object.values(s.brokers);
      const live = brokers.filter((b) => !b.fenced).length;
      const offline = s.partitions.filter((p) => p.leader === '').length;
      return {
        text: `brokers ${live}/${brokers.length}${offline > 0 ? ` · ${offline} offline` : ''}`,
        tone: offline > 0 ? 'bad' : live < brokers.length ? 'warn' : 'good',
      };
    }
    if (s.kind === 'broker') {
      if (s.metadataVersion === 0) return { text: 'no metadata yet', tone: 'warn' };
      const led = s.partitions.filter((p, i) => s.leading[i] != null && p.leader !== '');
      if (led.length === 0) return { text: 'follower', tone: 'neutral' };
      const short = led.filter((p) => p.isr.length < p.replicas.length);
      return {
        text: `leads ${led.map((p) => `p${p.partition}`).join(' ')}${short.length > 0 ? ` · ISR ${short[0]!.isr.length}/${short[0]!.replicas.length}` : ''}`,
        tone: short.length > 0 ? 'warn' : 'good',
      };
    }
    if (s.kind === 'consumer') {
      if (s.generation < 0) return { text: 'joining the group', tone: 'warn' };
      return {
        text: `gen ${s.generation} · ${s.assigned.map((p) => `p${p}@${s.position[p]}`).join(' ') || 'idle'}`,
        tone: 'good',
      };
    }
    return {
      text: `${s.acked.length} acked${s.notEnoughReplicas > 0 ? ` · ${s.notEnoughReplicas} refused` : ''}`,
      tone: s.notEnoughReplicas > 0 ? 'warn' : 'neutral',
    };
  },
  bugs: [
    {
      param: 'bugAdvanceHwBeforeIsr',
      title:
        'The leader moves the high watermark to its own log end: consumers read records the followers lack',
    },
    {
      param: 'bugAckAllFromLeaderOnly',
      title: 'acks=all is answered once the leader has the record: a leader crash loses acknowledged records',
    },
    {
      param: 'bugNoSequenceCheck',
      title:
        'The broker appends every idempotent produce without checking its sequence number: a duplicated or retried produce is appended twice',
    },
    {
      param: 'bugCompactKeepOldest',
      title:
        'Compaction keeps the oldest record of each key instead of the latest: readers of the compacted log go back in time',
    },
    {
      param: 'bugCommitStaleGeneration',
      title:
        'The group coordinator takes offset commits from any generation: a consumer removed from the group moves the offset back',
    },
  ],
  lesson: {
    summary:
      'A Kafka topic is split into partitions, each an append-only log replicated on several brokers. One replica leads: producers write to it and followers fetch from it. The followers that keep up form the in-sync replicas (ISR); a record is committed once every ISR member has it, which the leader marks with the high watermark, and consumers read only below it. With acks=all a producer hears back only for committed records, so they survive as long as one in-sync replica does; acks=1 answers earlier and can lose them when the leader dies; an unclean election trades them for availability.',
    watch: [
      'The Partition logs tab: each replica’s log, the bar at its high watermark, the leader and ISR in the labels',
      'b1 crashing at 1 s: the controller fences it after broker.session.timeout.ms and b2 leads p0 (a new colour: a new leader epoch)',
      '"shrink the ISR" and "back into the ISR" notes, and the underReplicatedPartitions metric',
      '"truncate" notes when b1 returns with records the new leader never had (KIP-101)',
    ],
    tryThis: [
      'Set acks to 1 and run the quick start over a few seeds: the linearizability check fails (a read misses a write the leader already acknowledged), and on some seeds lostAckedRecords counts records b1 took down with it',
      'Set minInsyncReplicas to 3: while b1 is out of the ISR, acks=all writes are refused with NotEnoughReplicas (the notEnoughReplicas metric), and accepted again once it is back',
      'Open the unclean-election scenario: b2 and b3 lose b1 and leave p0’s ISR, b1 goes on alone and dies, and with uncleanLeaderElection on b2 leads without b1’s records: lostAckedRecords and the failed linearizability check are the lesson; turn the param off and p0 stays offline until b1 returns instead',
      'Turn on bugAdvanceHwBeforeIsr: the hw-within-isr invariant stops the run at the first produce',
      'Turn on bugAckAllFromLeaderOnly: acked-not-lost stops the run at the first acknowledgement of a record a follower in the ISR does not have yet, which a leader crash would lose',
      'Open the consumer-group scenario: "rebalance, generation N" notes at each join and each session that ends, every member resuming from the committed offsets; when g2, cut off from ctl, hears it was removed, its late commit is refused (rejectedCommits). Try assignor sticky and see fewer partitions move (partitionMoves 6 instead of 9); turn on bugCommitStaleGeneration and committed-once-per-group stops the run',
      'Set a duplication rate on the links (5 %) and run the quick start over a few seeds: a copy of a produce can be appended twice and the linearizability check fails; turn idempotence on and the brokers drop the copies (duplicateProduces) while the producers retry safely (resentProduces); then turn on bugNoSequenceCheck and appended-once stops the run',
      'Open the compacted-topic scenario: the brokers keep only the latest record of each key below the high watermark (empty dashed cells where records went) and the reads stay linearizable; turn on bugCompactKeepOldest and cleaned-log stops the run. Then open the retention scenario: the log start offset moves, g1 comes back behind it and resets (auto.offset.reset), and the linearizability check fails as the lesson: retention forgets old keys',
      'Raise sessionTimeoutMs to 1000: nobody leads p0 for a second after b1’s crash ("timed out at b1" notes), while p1 and p2 go on once b1 leaves their ISR after replicaLagTimeMaxMs',
    ],
  },
};
