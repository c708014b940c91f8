/**
 * Kafka's replicated log, as the Apache Kafka documentation describes it ("Design" §4.7
 * "Replication", https://kafka.apache.org/documentation/#replication) with the leader-epoch
 * truncation of KIP-101 (in the fetch-based form of KIP-320/KIP-595): params, messages and
 * state in Kafka's own names. See docs/protocols/kafka.md.
 */
import { z } from 'zod';
import type { KvClientState } from '../../toolkit/kv-client';

export const KafkaParams = z.object({
  /** Partitions of the one topic (fixed when the controller creates it at start). */
  partitions: z
    .number()
    .int()
    .min(1)
    .max(8)
    .default(3)
    .describe('Partitions of the topic, fixed at creation.'),
  /** replication.factor: replicas per partition (at most the number of brokers). */
  replicationFactor: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(3)
    .describe('replication.factor: copies of each partition.'),
  /** acks: when a leader answers a produce: never (0), once it has the record (1), once every in-sync replica has it (all). */
  acks: z
    .enum(['0', '1', 'all'])
    .default('all')
    .describe('acks: 0 no answer, 1 leader only, all every in-sync replica.'),
  /** min.insync.replicas: with acks=all, a leader refuses a produce (NotEnoughReplicas) while its ISR is smaller. */
  minInsyncReplicas: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(2)
    .describe('min.insync.replicas: smallest ISR that takes acks=all writes.'),
  /** unclean.leader.election.enable: elect a replica outside the ISR when no in-sync one is alive. */
  uncleanLeaderElection: z
    .boolean()
    .default(false)
    .describe('unclean.leader.election.enable: may lose acknowledged records.'),
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR (Kafka: 30 000). */
  replicaLagTimeMaxMs: z
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(200)
    .describe('replica.lag.time.max.ms (Kafka: 30000).'),
  /** How long a follower waits after an empty fetch before the next (replica.fetch.wait.max.ms; Kafka: 500). */
  fetchWaitMs: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Pause after an empty fetch (replica.fetch.wait.max.ms).'),
  /** Records a fetch response carries at most (a stand-in for replica.fetch.max.bytes). */
  fetchMaxRecords: z.number().int().min(1).max(1000).default(50),
  /** broker.heartbeat.interval.ms (Kafka: 2 000). */
  heartbeatMs: z
    .number()
    .int()
    .min(5)
    .max(10_000)
    .default(50)
    .describe('broker.heartbeat.interval.ms (Kafka: 2000).'),
  /** broker.session.timeout.ms: the controller fences a broker it has not heard from for this long (Kafka: 9 000). */
  sessionTimeoutMs: z
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(300)
    .describe('broker.session.timeout.ms (Kafka: 9000).'),
  /** A client gives up on a request after this long and asks for the partition's leader again (request.timeout.ms). */
  requestTimeoutMs: z
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(400)
    .describe('request.timeout.ms: then refresh metadata.'),
  /** partition.assignment.strategy of the consumer group (consumers are the `consumer` role; none by default). */
  assignor: z
    .enum(['range', 'roundrobin', 'sticky'])
    .default('range')
    .describe('partition.assignment.strategy of the consumer group.'),
  /** The group coordinator removes a consumer it has not heard from for this long (session.timeout.ms; Kafka: 45 000). */
  groupSessionTimeoutMs: z
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(300)
    .describe('Consumer session.timeout.ms (Kafka: 45000).'),
  /** heartbeat.interval.ms of a consumer (Kafka: 3 000). */
  consumerHeartbeatMs: z
    .number()
    .int()
    .min(5)
    .max(10_000)
    .default(50)
    .describe('Consumer heartbeat.interval.ms (Kafka: 3000).'),
  /** enable.idempotence (KIP-98): producer ids and per-partition sequence numbers; a produce is re-sent until delivery.timeout.ms, and the broker appends it once. */
  idempotence: z
    .boolean()
    .default(false)
    .describe('enable.idempotence (KIP-98): retries append once (Kafka 3.0+: on by default).'),
  /** delivery.timeout.ms: an idempotent producer re-sends a produce until this long after its first send, then gives it up (Kafka: 120 000). */
  deliveryTimeoutMs: z
    .number()
    .int()
    .min(10)
    .max(600_000)
    .default(1200)
    .describe('delivery.timeout.ms: how long an idempotent produce is retried (Kafka: 120000).'),
  /** cleanup.policy: delete old segments (retention), keep the last record of each key (compaction), or both. */
  cleanupPolicy: z
    .enum(['delete', 'compact', 'compact,delete'])
    .default('delete')
    .describe('cleanup.policy: retention (delete), compaction (compact), or both.'),
  /** retention.ms: a segment whose newest record is older is deleted (0: no time limit; Kafka: 7 days). */
  retentionMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(0)
    .describe('retention.ms: delete segments older than this (0: never).'),
  /** retention.bytes, as records: the oldest segments are deleted while a replica holds more (0: no limit). */
  retentionRecords: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe('retention.bytes as a record count (0: no limit).'),
  /** segment.bytes, as offsets per segment: the unit retention deletes, and the active segment is never cleaned. */
  segmentRecords: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(20)
    .describe('segment.bytes as records per segment.'),
  /** delete.retention.ms: how long compaction keeps a tombstone (Kafka: 1 day). */
  deleteRetentionMs: z.number().int().min(0).max(3_600_000).default(500),
  /** log.retention.check.interval.ms: how often each broker cleans its logs (Kafka: 5 minutes); only with retention or compaction on. */
  cleanerIntervalMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(100)
    .describe('How often a broker runs retention and compaction.'),
  /** auto.offset.reset: where a group member resumes when its position is no longer in the log (Kafka: latest). */
  autoOffsetReset: z
    .enum(['earliest', 'latest'])
    .default('earliest')
    .describe('auto.offset.reset: resume at the log start or at the end.'),
  /** Bug switch: compaction keeps each key's oldest record instead of its latest. */
  bugCompactKeepOldest: z.boolean().default(false),
  /** Bug switch: the broker appends every produce, without checking its producer's sequence number. */
  bugNoSequenceCheck: z.boolean().default(false),
  /** Bug switch: the coordinator takes offset commits from any generation, so a removed consumer's late commit counts. */
  bugCommitStaleGeneration: z.boolean().default(false),
  /** Bug switch: the leader moves the high watermark to its own log end, not the ISR's minimum. */
  bugAdvanceHwBeforeIsr: z.boolean().default(false),
  /** Bug switch: with acks=all the leader answers as soon as it has appended, like acks=1. */
  bugAckAllFromLeaderOnly: z.boolean().default(false),
});
/** Kafka params. */
export type KafkaParams = z.infer<typeof KafkaParams>;

/** A node id. */
type Id = string;

/** One record of a partition's log (a record batch of one record): its offset, the leader epoch that wrote it, key and value. */
export interface LogRecord {
  offset: number;
  /** partitionLeaderEpoch: the epoch of the leader that appended it (KIP-101). */
  epoch: number;
  /** The record's timestamp (KIP-32, message.timestamp.type=LogAppendTime): the leader's clock at the append, µs. */
  timestamp: number;
  key: string;
  value: string;
  /** A tombstone: a record with a null value, deleting its key from a compacted log (§4.8); absent otherwise. */
  tombstone?: true;
  /** The batch header's producer id, producer epoch and base sequence (KIP-98); absent when the producer is not idempotent. */
  producerId?: number;
  producerEpoch?: number;
  sequence?: number;
}

/**
 * A partition as the controller records it (KRaft's PartitionRecord / PartitionChangeRecord):
 * its replicas in preference order, the leader ('' when offline), the leader epoch, the ISR,
 * the partition epoch (bumped at every change, so a stale AlterPartition is refused: KIP-497)
 * and whether an unclean election made the leader (leaderRecoveryState, KIP-704).
 */
export interface PartitionRecord {
  partition: number;
  replicas: Id[];
  leader: Id;
  leaderEpoch: number;
  isr: Id[];
  partitionEpoch: number;
  leaderRecoveryState: 'recovered' | 'recovering';
}

/** A broker's copy of one partition, on disk: the log and the high-watermark checkpoint. */
export interface ReplicaLog {
  log: LogRecord[];
  /** The high watermark: offsets below it are committed (§4.7), so consumers may read them. */
  highWatermark: number;
  /** The log start offset: records below it were deleted by retention (absent: 0). */
  logStartOffset?: number;
}

/** What a leader knows of one follower (Kafka's Replica state). */
export interface FollowerState {
  /** The follower's log end offset: the fetchOffset of its last fetch. */
  logEndOffset: number;
  /** When it was last caught up (Replica.updateFetchState). */
  lastCaughtUpUs: number;
  /** When it last fetched, and the leader's log end offset then. */
  lastFetchUs: number;
  lastFetchLeaderLogEndOffset: number;
}

/** A produce waiting for the high watermark to pass its offset (acks=all: a DelayedProduce). */
export interface WaitingProduce {
  client: Id;
  req: number;
  offset: number;
}

/** What a broker keeps while it leads a partition. */
export interface LeaderState {
  /** The log end offset when it became leader: the first offset of its epoch (KIP-101's cache entry). */
  epochStartOffset: number;
  /** Followers of this partition, by id. */
  followers: Record<Id, FollowerState>;
  /** acks=all produces waiting for the high watermark. */
  waiting: WaitingProduce[];
  /** The ISR of an AlterPartition in flight (null: none); the HW counts the union with the ISR (KIP-497's "maximal ISR"). */
  pendingIsr: Id[] | null;
  /** When that AlterPartition was last sent (local clock): unanswered, it is sent again. */
  pendingSentUs: number;
}

/** A broker. */
export interface BrokerState {
  kind: 'broker';
  /** Per partition: this broker's copy (durable), null when it holds no replica of it. */
  replicas: (ReplicaLog | null)[];
  /** The cluster metadata as last heard from the controller (version 0: nothing yet). */
  metadataVersion: number;
  partitions: PartitionRecord[];
  /** Per partition: the leader's state while this broker leads it, else null. */
  leading: (LeaderState | null)[];
  /** Fetches in flight, by leader: when sent (local clock). */
  fetching: Record<Id, number>;
  /** Records appended as leader, and fetched as follower. */
  appended: number;
  fetched: number;
  /** Records removed by truncation (KIP-101), and unclean elections this broker won. */
  truncated: number;
  /** Idempotent produces not appended: duplicates of a record in the log, and sequences out of order (KIP-98). */
  duplicates: number;
  outOfOrder: number;
  /** Records deleted by retention, and removed by compaction. */
  retentionDeleted: number;
  compacted: number;
}

/** The controller (KRaft's active controller, KIP-631): brokers' sessions and the partitions. */
export interface ControllerState {
  kind: 'controller';
  metadataVersion: number;
  partitions: PartitionRecord[];
  /** Per broker: the last heartbeat (local clock) and whether it is fenced. */
  brokers: Record<Id, { lastHeartbeatUs: number; fenced: boolean }>;
  /** Per partition: the leader epoch of its last unclean election (-1: none). */
  lastUncleanEpoch: number[];
  elections: number;
  uncleanElections: number;
  isrShrinks: number;
  isrExpands: number;
  /** The next producer id to hand out (InitProducerId; KRaft's controller allocates them, KIP-730). */
  nextProducerId: number;
  /** The consumer group's coordinator (on the controller here; Kafka: the broker leading the group's __consumer_offsets partition). */
  group: GroupState;
}

/**
 * A consumer group as its coordinator keeps it (KIP-848's server-side form: the coordinator
 * runs the assignor): the generation (bumped at every rebalance), the members and when each was
 * last heard, what each is assigned, and the committed offset of each partition (the next record
 * the group will consume).
 */
export interface GroupState {
  generation: number;
  members: Record<Id, { lastHeartbeatUs: number }>;
  /** Member → partitions, of the current generation. */
  assignment: Record<Id, number[]>;
  /** Per partition: the committed offset (0: nothing consumed yet). */
  committed: number[];
  rebalances: number;
  /** Partitions that changed owner in a rebalance (a leaver's partitions included): what a sticky assignor saves. */
  moves: number;
  /** Offset commits refused for a stale generation or a partition the member does not own. */
  rejectedCommits: number;
}

/** A member of the consumer group (role `consumer`): it consumes the partitions it is assigned and commits after each batch. */
export interface ConsumerState {
  kind: 'consumer';
  /** The generation of the assignment it holds (-1: none yet). */
  generation: number;
  assigned: number[];
  /** Per partition: the next offset to consume (the committed offset at assignment, then past each batch). */
  position: number[];
  /** Per partition: a fetch or commit in flight, and when it was sent (-1: none). */
  inFlightUs: number[];
  /** Per partition: the commit in flight (its range), to send again until answered. */
  pendingCommit: ({ from: number; to: number } | null)[];
  /** Per partition: the leader as last heard ('' unknown). */
  leaders: Id[];
  /** Records processed, over its life (kept across a crash). */
  processed: number;
  /** Positions reset by auto.offset.reset (the records there were deleted). */
  resets: number;
  /** When it last heard from the coordinator (local clock). */
  lastJoinUs: number;
}

/** A record a producer was told is written. */
export interface AckedRecord {
  partition: number;
  offset: number;
  epoch: number;
  key: string;
  value: string;
  acks: '1' | 'all';
}

/** What an idempotent producer keeps with a produce (KIP-98): the batch's producer id, epoch and sequence; null for a read or without idempotence. */
export type ProduceData = { producerId: number; producerEpoch: number; sequence: number } | null;

/** A producer and consumer (the workload's client), on the toolkit's key-value client. */
export interface ClientState extends KvClientState<ProduceData> {
  kind: 'client';
  /** The leader of each partition as this client last heard ('' unknown): its metadata cache. */
  leaders: Id[];
  /** Records acknowledged to this client (acks 1 and all), what the durability check reads. */
  acked: AckedRecord[];
  /** Produces refused with NotEnoughReplicas. */
  notEnoughReplicas: number;
  /** acks=0 records sent (never answered). */
  fireAndForget: number;
  /** The idempotent producer's id and epoch from InitProducerId (-1: none yet), and its next sequence number per partition. */
  producerId: number;
  producerEpoch: number;
  sequences: number[];
  /** Produces re-sent after a timeout or a retriable error (idempotent producer only). */
  resent: number;
}

export type KafkaState = BrokerState | ControllerState | ClientState | ConsumerState;

/** A partition of a Fetch: where the follower is, and the epoch of its last record (KIP-320). */
export interface FetchPartition {
  partition: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
}

/** A partition of a FetchResponse. */
export interface FetchPartitionResponse {
  partition: number;
  error: 'none' | 'not-leader-or-follower' | 'fenced-leader-epoch';
  records: LogRecord[];
  highWatermark: number;
  /** Where the follower's log diverges from the leader's: truncate to endOffset (KIP-101/KIP-320), or null. */
  divergingEpoch: { epoch: number; endOffset: number } | null;
  /** The leader's log start offset: the follower deletes below it too (absent: 0). */
  logStartOffset?: number;
}

/** A produce or read error, as Kafka names them. */
export type ClientError =
  | 'none'
  | 'not-leader-or-follower'
  | 'not-enough-replicas'
  | 'not-enough-replicas-after-append'
  | 'offset-not-available'
  | 'out-of-order-sequence-number'
  | 'duplicate-sequence-number'
  | 'invalid-producer-epoch';

export type KafkaMsg =
  | { type: 'BrokerHeartbeat'; metadataVersion: number }
  | { type: 'Metadata'; version: number; partitions: PartitionRecord[] }
  | { type: 'AlterPartition'; partition: number; leaderEpoch: number; partitionEpoch: number; isr: Id[] }
  | {
      type: 'AlterPartitionResponse';
      partition: number;
      /** The ISR the request asked for: an answer to an older request leaves a newer one pending. */
      requested: Id[];
      accepted: boolean;
      record: PartitionRecord;
    }
  | { type: 'Fetch'; partitions: FetchPartition[] }
  | { type: 'FetchResponse'; partitions: FetchPartitionResponse[] }
  | {
      type: 'Produce';
      req: number;
      partition: number;
      key: string;
      value: string;
      acks: '0' | '1' | 'all';
      /** An idempotent producer's batch header (KIP-98); absent otherwise. */
      producerId?: number;
      producerEpoch?: number;
      sequence?: number;
    }
  | { type: 'InitProducerId' }
  | { type: 'InitProducerIdResponse'; producerId: number; producerEpoch: number }
  | {
      type: 'ProduceResponse';
      req: number;
      partition: number;
      error: ClientError;
      offset: number;
      epoch: number;
      leader: Id;
    }
  | { type: 'ReadLatest'; req: number; partition: number; key: string }
  | { type: 'JoinGroup'; held: number[] }
  | { type: 'SyncAssignment'; generation: number; partitions: number[]; committed: number[] }
  | { type: 'GroupHeartbeat'; generation: number }
  | { type: 'GroupHeartbeatResponse'; error: 'none' | 'unknown-member' }
  | { type: 'OffsetCommit'; generation: number; partition: number; from: number; to: number }
  | {
      type: 'OffsetCommitResponse';
      generation: number;
      partition: number;
      to: number;
      error: 'none' | 'illegal-generation';
    }
  | { type: 'ConsumerFetch'; partition: number; offset: number }
  | {
      type: 'ConsumerFetchResponse';
      partition: number;
      offset: number;
      error: 'none' | 'not-leader-or-follower' | 'offset-not-available' | 'offset-out-of-range';
      records: LogRecord[];
      leader: Id;
      /** With offset-out-of-range: the leader's log start offset and high watermark, for auto.offset.reset. */
      logStartOffset?: number;
      highWatermark?: number;
    }
  | { type: 'ReadLatestResponse'; req: number; error: ClientError; value: string | null; leader: Id };

/** A message of one type. */
export type MsgOf<T extends KafkaMsg['type']> = Extract<KafkaMsg, { type: T }>;
