import type { Liveness, MetricSpec, NodeView, Protocol } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { link } from '../../toolkit/topology';
import { initBroker, onBroker } from './broker';
import { initPublisher, onPublisher } from './publisher';
import { initSubscriber, onSubscriber } from './subscriber';
import {
  type BrokerState,
  type PublisherState,
  type PubSubMsg,
  PubSubParams,
  type PubSubState,
  type SubscriberState,
} from './types';

/**
 * Publish/subscribe through a message broker with topics and queues.
 *
 * The model is Eugster, Felber, Guerraoui & Kermarrec, "The Many Faces of Publish/Subscribe",
 * ACM Computing Surveys 35(2), 2003: publishers and subscribers are decoupled in space (they do
 * not know each other: the broker routes), in time (a subscriber that is down gets its messages
 * later, from its queue) and in synchronization (a publisher does not wait for subscribers)
 * (§2, §3.1); subscriptions are topic-based (§3.1: a topic is a channel named by a keyword).
 * The two ways a topic's messages reach consumers are the survey's "one-to-many" and
 * "one-of-many" (§4.1, message queuing's point-to-point): `mode` fanout gives every subscriber
 * its own queue, competing has all subscribers consume one shared queue.
 *
 * The mechanics are AMQP 0-9-1's as RabbitMQ documents them ("AMQP 0-9-1 Model Explained";
 * "Consumer Acknowledgements and Publisher Confirms"; "Consumer Prefetch"; "Queue Length
 * Limit"; "Dead Letter Exchanges"; "Quorum Queues: poison message handling"):
 * - publisher confirms: the broker acks (PublishOk) a message once every bound queue holds it,
 *   or nacks it (PublishNack) when a queue is full and refuses it (overflow `reject-publish`);
 * - consumer acknowledgements: a delivery stays unacked in its queue until the consumer acks it;
 *   a nack, a lost consumer or an ack that does not come within `ackTimeoutMs` puts it back at
 *   the head of its queue with the redelivered flag set;
 * - prefetch: a consumer holds at most `prefetch` unacked deliveries (backpressure);
 * - delivery limit and dead-lettering: a message whose processing failed (the consumer rejected
 *   it) `maxAttempts` times goes to the dead-letter queue instead of being redelivered again;
 * - durable queues with persistent messages survive a broker restart; transient ones do not.
 *
 * Delivery semantics (`semantics`): at-most-once sends and forgets at both ends; at-least-once
 * confirms, acks and redelivers, so nothing confirmed is lost but duplicates happen;
 * effectively-once adds idempotent consumers (they dedupe by message id), so duplicates are
 * delivered but their side effects are applied once.
 *
 * Checks: no confirmed message is lost (at-least-once and effectively-once: once the faults
 * stop, each one is in its queue, in a consumer's hands, processed or dead-lettered);
 * effectively-once applies no effect twice; first deliveries keep each publisher's order per
 * queue. docs/protocols/pubsub.md names every choice.
 */

type Node = NodeView<PubSubState>;
const isBroker = (s: PubSubState): s is BrokerState => s.kind === 'broker';
const isSub = (s: PubSubState): s is SubscriberState => s.kind === 'subscriber';
const isPub = (s: PubSubState): s is PublisherState => s.kind === 'publisher';

/** Ready and unacked messages over every queue of a broker. */
function depth(s: BrokerState): number {
  let n = 0;
  for (const q of Object.values(s.queues ?? {})) n += q.ready.length + q.unacked.length;
  return n;
}

/**
 * No confirmed message is lost (at-least-once, effectively-once): once the faults have stopped
 * for `settleMs`, every message the broker confirmed is, for each queue it was put in, still
 * in that queue (ready or unacked), in a consumer's buffer, processed, or dead-lettered.
 */
const noLostMessage: Liveness<PubSubState, PubSubParams> = {
  id: 'no-lost-message',
  title: 'At least once: every confirmed message is eventually processed or dead-lettered, never lost',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }, p) {
    if (p.semantics === 'at-most-once') return null;
    const where = new Set<string>();
    for (const n of nodes) {
      const s = n.state;
      if (isBroker(s)) {
        for (const q of Object.values(s.queues ?? {})) {
          for (const m of q.ready) where.add(`${q.name}|${m.id}`);
          for (const d of q.unacked) where.add(`${q.name}|${d.msg.id}`);
        }
        for (const d of s.deadLetters ?? []) where.add(`${d.queue}|${d.id}`);
      } else if (isSub(s)) {
        for (const d of s.buffer ?? []) where.add(`${d.queue}|${d.msg.id}`);
        for (const [id, a] of Object.entries(s.applied ?? {})) where.add(`${a.queue}|${id}`);
      }
    }
    for (const n of nodes) {
      const s = n.state;
      if (!isPub(s)) continue;
      for (const c of s.confirmed ?? [])
        for (const q of c.queues)
          if (!where.has(`${q}|${c.id}`))
            return `${c.id}, confirmed into ${q}, is lost: not queued, not held by a consumer, not processed, not dead-lettered`;
    }
    return null;
  },
};

/** The mean end-to-end latency of the last message each up subscriber processed, microseconds. */
const e2eLatency: MetricSpec<PubSubState> = {
  id: 'e2eLatencyUs',
  unit: 'us',
  read(nodes: readonly Node[]) {
    let sum = 0;
    let n = 0;
    for (const v of nodes)
      if (v.up && isSub(v.state) && v.state.lastLatencyUs > 0) {
        sum += v.state.lastLatencyUs;
        n += 1;
      }
    return n === 0 ? 0 : Math.round(sum / n);
  },
};

/**
 * Effects applied more than once: a subscriber applying a message again, and, with competing
 * consumers, a second subscriber applying a message of the shared queue that another already
 * applied (each keeps its own table, so neither sees the other's: a duplicate all the same).
 */
const duplicateEffects: MetricSpec<PubSubState> = {
  id: 'duplicateEffects',
  unit: 'messages',
  read(nodes: readonly Node[]) {
    let n = 0;
    const seen = new Set<string>();
    for (const v of nodes) {
      const s = v.state;
      if (!isSub(s)) continue;
      n += s.duplicateEffects ?? 0;
      for (const [id, a] of Object.entries(s.applied ?? {})) {
        const key = `${a.queue}|${id}`;
        if (seen.has(key)) n += 1;
        else seen.add(key);
      }
    }
    return n;
  },
};

const brokerField = (f: (s: BrokerState) => number) => (s: PubSubState) => (isBroker(s) ? f(s) : undefined);
const subField = (f: (s: SubscriberState) => number) => (s: PubSubState) => (isSub(s) ? f(s) : undefined);

/**
 * Where the quick start draws its nodes: publishers on the left, the broker in the middle, the
 * subscribers on the right, kept clear of the canvas's bottom-right corner (the minimap's).
 */
const PLACES: [string, string, number, number][] = [
  ['p1', 'client', 100, 120],
  ['p2', 'client', 100, 400],
  ['broker', 'broker', 400, 250],
  ['s1', 'subscriber', 700, 0],
  ['s2', 'subscriber', 700, 120],
  ['s3', 'subscriber', 700, 240],
];

export const pubsub: Protocol<PubSubParams, PubSubState, PubSubMsg> = {
  id: 'pubsub',
  topic: 'pubsub',
  title: 'Publish/subscribe broker',
  version: 1,
  // Hops of about 1.5 ms and a publish every 25 ms: at 0.05x a publish comes every half second
  // on screen, the badges count the deliveries and acks as they land, and s2's crash at 1 s
  // comes 20 s after Play (at 0.01x, where a single hop can be followed, it came 100 s in).
  speed: 0.05,
  roles: [
    { id: 'broker', label: 'Broker', min: 1, max: 1 },
    { id: 'client', label: 'Publisher', min: 1, max: null },
    { id: 'subscriber', label: 'Subscriber', min: 1, max: null },
  ],
  params: PubSubParams,
  defaultTopology() {
    // Every publisher and subscriber wired to the broker, the hub of the system; 2% of the
    // messages are lost, so some confirms and acks never arrive (re-sends, redeliveries).
    const latency = { kind: 'normal' as const, meanUs: 1500, stdUs: 500, minUs: 300 };
    return {
      nodes: PLACES.map(([id, role, x, y]) => ({
        id,
        name: id,
        role,
        x,
        y,
        clockOffsetUs: 0,
        clockDriftPpm: 0,
      })),
      links: PLACES.filter(([id]) => id !== 'broker').map(([id]) => ({
        ...link(id, 'broker', latency),
        lossRate: 0.02,
      })),
    };
  },
  quickStart(p) {
    // Two publishers, 40 publishes a second on the subscribed topics; s2 crashes at 1 s and is
    // back at 1.6 s: its queue fills while it is away and drains when it returns.
    return {
      workload: {
        kind: 'open',
        ratePerS: 40,
        readFraction: 0,
        keys: { list: p.topics, distribution: 'uniform' },
        startUs: 20_000,
      },
      faults: [
        { atUs: 1_000_000, fault: { kind: 'crash', node: 's2' } },
        { atUs: 1_600_000, fault: { kind: 'restart', node: 's2' } },
      ],
      maxTimeUs: 5_000_000,
    };
  },
  init(node) {
    if (node.role === 'broker') return initBroker();
    if (node.role === 'subscriber') return initSubscriber();
    return initPublisher();
  },
  on(ctx, s, input) {
    if (s.kind === 'broker') onBroker(ctx, s, input);
    else if (s.kind === 'subscriber') onSubscriber(ctx, s, input);
    else onPublisher(ctx, s, input);
  },
  // The broker keeps its queues (a transient broker empties them on restart: broker.ts) and its
  // counters; a publisher its sequence numbers and what it was confirmed; a subscriber its
  // database: the effects applied with their ids, and its counters.
  durable: [
    'kind',
    'queues',
    'deadLetters',
    'nextTag',
    'accepted',
    'refused',
    'unroutable',
    'deliveries',
    'redeliveries',
    'nextReq',
    'confirmed',
    'published',
    'nacked',
    'retries',
    'applied',
    'lastSeq',
    'received',
    'processed',
    'duplicates',
    'duplicateEffects',
    'failed',
  ],
  invariants: [
    {
      id: 'no-duplicate-effects',
      title: 'Effectively once: no subscriber applies the same message twice',
      check({ changed, events }) {
        for (const e of events)
          if (e.type === 'duplicate-effect' && e.promised === true)
            return `${changed.id} applied ${String(e.id)} ${String(e.n)} times`;
        return null;
      },
    },
    {
      id: 'per-publisher-order',
      title: "A queue delivers each publisher's messages in the order they were published (first deliveries)",
      check({ changed, events }) {
        for (const e of events)
          if (e.type === 'out-of-order')
            return `${changed.id} got ${String(e.publisher)}'s #${String(e.seq)} from ${String(e.queue)} after #${String(e.after)}`;
        return null;
      },
    },
  ],
  liveness: [noLostMessage],
  historyCheckers: [],
  metrics: [
    sumOver(
      'deliveries',
      'messages',
      brokerField((s) => s.deliveries),
    ),
    sumOver(
      'processed',
      'messages',
      subField((s) => s.processed),
    ),
    sumOver(
      'duplicates',
      'messages',
      subField((s) => s.duplicates),
    ),
    duplicateEffects,
    sumOver(
      'redeliveries',
      'messages',
      brokerField((s) => s.redeliveries),
    ),
    sumOver(
      'deadLettered',
      'messages',
      brokerField((s) => s.deadLetters?.length ?? 0),
    ),
    sumOver(
      'refused',
      'messages',
      brokerField((s) => s.refused),
    ),
    sumOver('queueDepth', 'messages', brokerField(depth)),
    e2eLatency,
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (isBroker(s)) {
      const dead = s.deadLetters.length;
      return { text: `${depth(s)} queued · ${dead} dead`, tone: s.refused > 0 ? 'warn' : 'good' };
    }
    if (isSub(s)) {
      const dup = s.duplicates > 0 ? ` · ${s.duplicates} dup` : '';
      return { text: `${s.processed} done${dup}`, tone: s.duplicateEffects > 0 ? 'warn' : 'good' };
    }
    return {
      text: `${s.published} sent · ${s.pending.length} unconfirmed`,
      tone: s.nacked > 0 ? 'warn' : 'neutral',
    };
  },
  bugs: [
    {
      param: 'bugAckBeforeProcess',
      title:
        'The consumer acks before processing: a crash or a failure in between loses the message (no-lost-message breaks)',
    },
    {
      param: 'bugNoDedupe',
      title:
        'Effectively once without the dedupe check: a redelivered message is applied twice (no-duplicate-effects breaks)',
    },
  ],
  lesson: {
    summary:
      'A broker decouples publishers from subscribers: messages go to topics, queues hold them until a consumer takes them. What a crash or a lost message costs depends on the delivery semantics: at most once loses messages, at least once never loses a confirmed one but delivers some twice, and effectively once makes the duplicates harmless with consumers that remember what they applied.',
    watch: [
      'A publish reaching the broker, the confirm going back, and one delivery per subscriber (fanout)',
      "s2's queue growing on the broker's badge while s2 is down, then draining when it returns",
      'Acks going back after processing; a failed processing sends a nack and the message comes again',
      'The duplicates and redeliveries metrics: under at least once some messages are processed twice',
    ],
    tryThis: [
      'Set semantics to effectively-once: duplicates are still delivered, but duplicateEffects stays at 0',
      'Then set mode to competing and add a nemesis: duplicateEffects is no longer 0, because each subscriber dedupes against its own table only',
      'Turn on bugNoDedupe under effectively-once and watch no-duplicate-effects stop the run',
      'Turn on bugAckBeforeProcess: a message acked and then failed or crashed is gone, and no-lost-message fires',
      "Set mode to competing: the subscribers share each topic's queue and each message is processed once in all",
      "Lower queueCapacity to 10 and crash s2 for longer: the broker refuses publishes once s2's queue is full",
      'Turn durable off and crash the broker: the confirmed messages in its queues are lost',
    ],
  },
};
