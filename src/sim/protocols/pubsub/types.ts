import { z } from 'zod';
import type { KvClientState } from '../../toolkit/kv-client';

/**
 * Params, messages and states of the publish/subscribe broker (pubsub.ts has the sources).
 * Names follow the AMQP 0-9-1 model as RabbitMQ documents it: a queue holds *ready* messages
 * and *unacknowledged* deliveries, each delivery has a *delivery tag*, a consumer has a
 * *prefetch* count, a message carries a *delivery count* and a *redelivered* flag, and a
 * message that cannot be delivered any more goes to a *dead-letter* queue.
 */
export const PubSubParams = z.object({
  /**
   * Delivery semantics. at-most-once: fire and forget (no publisher confirms, consumers in
   * auto-ack mode); at-least-once: publisher confirms and re-sends, consumer acks, redelivery
   * after an ack timeout (duplicates happen); effectively-once: at-least-once plus idempotent
   * consumers that skip a message id they already applied.
   */
  semantics: z.enum(['at-most-once', 'at-least-once', 'effectively-once']).default('at-least-once'),
  /**
   * fanout: every subscriber gets its own queue per topic (each gets every message);
   * competing: one queue per topic shared by all subscribers (each message goes to one).
   */
  mode: z.enum(['fanout', 'competing']).default('fanout'),
  /** The topics every subscriber subscribes to (the workload's keys are the topics published to). */
  topics: z.array(z.string().min(1).max(40)).min(1).max(8).default(['orders', 'payments']),
  /** Prefetch: deliveries a consumer may hold unacknowledged at once (backpressure on the broker). */
  prefetch: z.number().int().min(1).max(1000).default(2),
  /** Ready messages a queue holds at most; a publish to a full queue is refused (reject-publish). */
  queueCapacity: z.number().int().min(1).max(100_000).default(100),
  /** How long the broker waits for an ack before it redelivers, milliseconds. */
  ackTimeoutMs: z.number().min(1).max(60_000).default(200),
  /** Failed processing attempts (rejections) of one message before it is dead-lettered instead of redelivered. */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** How long a consumer takes to process one message, milliseconds. */
  processMs: z.number().min(0).max(10_000).default(8),
  /** Chance that processing a message fails (the consumer rejects it and it is redelivered). */
  failRate: z.number().min(0).max(1).default(0.15),
  /** Queues and their messages survive a broker crash (durable queues, persistent messages). */
  durable: z.boolean().default(true),
  /** A consumer's lease: the broker drops a consumer it has not heard from for this long, milliseconds. */
  leaseMs: z.number().min(1).max(60_000).default(300),
  /** How long a publisher waits for the broker's confirm before it re-sends, milliseconds. */
  publishRetryMs: z.number().min(1).max(60_000).default(150),
  /** Sends of one publish before the publisher gives up (the first included). */
  publishMaxTries: z.number().int().min(1).max(100).default(5),
  /** How long after the last fault every confirmed message must be processed or dead-lettered, milliseconds. */
  settleMs: z.number().min(0).max(600_000).default(2000),
  /** Bug switch: the consumer acks a message on receipt, before processing it (a crash then loses it). */
  bugAckBeforeProcess: z.boolean().default(false),
  /** Bug switch: under effectively-once the consumer forgets to check its table of applied ids. */
  bugNoDedupe: z.boolean().default(false),
});
/** Pub/sub params. */
export type PubSubParams = z.infer<typeof PubSubParams>;

/** A message as the broker stores it and delivers it. */
export interface Message {
  /** Message id: `<publisher>:<seq>` (re-sends keep it). */
  id: string;
  /** The topic (routing key). */
  topic: string;
  /** Who published it. */
  publisher: string;
  /** The publisher's sequence number (1, 2, ...). */
  seq: number;
  /** Which send of the publish this copy came from (1 = the first). */
  publishTry: number;
  /** The body (the workload's unique value). */
  body: string;
  /** The publisher's local time when it first sent the message, microseconds (end-to-end latency). */
  publishedUs: number;
  /** Deliveries so far (x-delivery-count). */
  deliveries: number;
  /** Deliveries its consumer rejected (processing failed): what the delivery limit counts. */
  rejections: number;
  /** True once the message has been delivered before (AMQP's redelivered flag). */
  redelivered: boolean;
}

/** A delivery waiting for its ack. */
export interface Delivery {
  /** Delivery tag, unique in the broker. */
  tag: number;
  /** The consumer it went to. */
  consumer: string;
  /** Broker's local time of the delivery, microseconds (the ack timeout counts from it). */
  atUs: number;
  /** The message. */
  msg: Message;
}

/** A queue (AMQP 0-9-1: a named FIFO bound to an exchange by a routing key, here the topic). */
export interface Queue {
  /** Name: the topic (competing) or `<topic>@<subscriber>` (fanout). */
  name: string;
  /** The topic it is bound to. */
  topic: string;
  /** Consumers attached, in the order they subscribed. */
  consumers: string[];
  /** Round-robin position among the consumers. */
  next: number;
  /** Ready messages, head first. */
  ready: Message[];
  /** Deliveries not yet acknowledged. */
  unacked: Delivery[];
}

/** A dead-lettered message. */
export interface DeadLetter {
  /** The queue it left. */
  queue: string;
  /** Message id. */
  id: string;
  /** Why: 'delivery-limit' (rejected `maxAttempts` times). */
  reason: string;
}

/** Publisher → broker: basic.publish (with `confirm`, the broker answers PublishOk or PublishNack). */
export interface PublishMsg {
  type: 'Publish';
  /** The publisher's request number (its sequence number). */
  req: number;
  /** The message (deliveries 0, not redelivered). */
  msg: Message;
  /** Publisher confirms on: answer with PublishOk / PublishNack. */
  confirm: boolean;
}

/** The messages of the protocol. */
export type PubSubMsg =
  | PublishMsg
  /** Broker → publisher: the message is in every queue bound to its topic (basic.ack of a confirm). */
  | { type: 'PublishOk'; req: number; id: string; queues: string[] }
  /** Broker → publisher: a bound queue was full and refused it (basic.nack, reject-publish). */
  | { type: 'PublishNack'; req: number; id: string; queue: string }
  /** Subscriber → broker: declare my queues and consume from them (sent again as a heartbeat). */
  | { type: 'Subscribe'; topics: string[] }
  /** Broker → subscriber: basic.deliver. `tag` 0 in auto-ack mode (no ack expected). */
  | { type: 'Deliver'; queue: string; tag: number; msg: Message }
  /** Subscriber → broker: basic.ack. */
  | { type: 'Ack'; queue: string; tag: number }
  /** Subscriber → broker: basic.nack with requeue (processing failed). */
  | { type: 'Nack'; queue: string; tag: number };

/** The broker. */
export interface BrokerState {
  kind: 'broker';
  /** Queues by name. */
  queues: Record<string, Queue>;
  /** The dead-letter queue. */
  deadLetters: DeadLetter[];
  /** Next delivery tag. */
  nextTag: number;
  /** When each consumer was last heard from, local microseconds (volatile: connections die with the broker). */
  leases: Record<string, number>;
  /** Messages accepted into at least one queue. */
  accepted: number;
  /** Publishes refused by a full queue. */
  refused: number;
  /** Publishes to a topic no queue is bound to (dropped, as AMQP drops unroutable messages). */
  unroutable: number;
  /** Deliveries made, redeliveries included. */
  deliveries: number;
  /** Redeliveries (after an ack timeout, a nack, a lost consumer or a broker restart). */
  redeliveries: number;
}

/** A message as the publisher remembers it was confirmed (for the no-loss check). */
export interface Confirmed {
  /** Message id. */
  id: string;
  /** The queues the broker put it in. */
  queues: string[];
}

/** A publisher: the toolkit's key-value client carries each publish, with its retries. */
export interface PublisherState extends KvClientState {
  kind: 'publisher';
  /** Messages the broker confirmed (durable: the publisher's record of what it was promised). */
  confirmed: Confirmed[];
  /** Publishes sent (first sends). */
  published: number;
  /** Publishes the broker refused. */
  nacked: number;
}

/** What a subscriber applied for one message id: the side effect, in the subscriber's own store. */
export interface Applied {
  /** The queue it came from. */
  queue: string;
  /** Times the effect was applied (more than 1 is a duplicate side effect). */
  n: number;
}

/** A subscriber (consumer). */
export interface SubscriberState {
  kind: 'subscriber';
  /** Deliveries received and not yet processed, in arrival order (volatile: the consumer's memory). */
  buffer: { queue: string; tag: number; msg: Message; acked: boolean }[];
  /** A message is being processed (the `process` timer is set). */
  busy: boolean;
  /** The side effects applied, by message id (durable: the consumer's database). */
  applied: Record<string, Applied>;
  /** Per publisher, the highest sequence number first-delivered here (order check). */
  lastSeq: Record<string, number>;
  /** Deliveries received. */
  received: number;
  /** Messages processed with their effect applied. */
  processed: number;
  /** Deliveries of a message already applied here (seen again). */
  duplicates: number;
  /** Effects applied a second time (or more). */
  duplicateEffects: number;
  /** Processing attempts that failed. */
  failed: number;
  /** End-to-end latency of the last processed message, microseconds (publisher clock to ours). */
  lastLatencyUs: number;
  /** The last few message ids processed, newest last. */
  recent: string[];
}

/** Any node's state. */
export type PubSubState = BrokerState | PublisherState | SubscriberState;
