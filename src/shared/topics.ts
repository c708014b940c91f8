/**
 * The lab's topics, in the order of the roadmap, with the titles pickers show. A protocol's
 * `topic` is one of these ids; 'basics' holds the small protocols that exercise the engine.
 */
export interface TopicInfo {
  /** Id used in scenarios and the catalog. */
  id: string;
  /** Title for pickers and the welcome view. */
  title: string;
  /** The question the topic answers, one line. */
  blurb: string;
}

export const TOPICS: readonly TopicInfo[] = [
  {
    id: 'basics',
    title: 'Simulation basics',
    blurb: 'Messages, latency, loss and clocks on a wired network.',
  },
  { id: 'replication', title: 'Read replication', blurb: 'Scaling reads with a leader and followers.' },
  { id: 'sharding', title: 'Sharding', blurb: 'Splitting data and load across shards.' },
  { id: 'consistent-hashing', title: 'Consistent hashing', blurb: 'Moving few keys when nodes come and go.' },
  { id: 'cap', title: 'CAP', blurb: 'Consistency or availability when the network splits.' },
  {
    id: 'transactions',
    title: 'Atomic commit',
    blurb: 'All or nothing across machines: 2PC, 3PC, Paxos Commit.',
  },
  { id: 'clocks', title: 'NTP and clock drift', blurb: 'Why global time is an illusion.' },
  { id: 'vector-clocks', title: 'Vector clocks', blurb: 'Causality without a master clock.' },
  { id: 'consensus', title: 'Consensus', blurb: 'Agreeing on one value despite failures: Raft and Paxos.' },
  { id: 'mapreduce', title: 'MapReduce', blurb: 'Master and workers over large inputs.' },
  {
    id: 'big-data',
    title: 'Hadoop, Spark, Storm',
    blurb: 'Batch, in-memory and stream processing compared.',
  },
  { id: 'lambda', title: 'Lambda architecture', blurb: 'A batch layer and a speed layer together.' },
  { id: 'pubsub', title: 'Publish/subscribe', blurb: 'Decoupling services with message queues.' },
  { id: 'kafka', title: 'Kafka', blurb: 'A persistent, partitioned, append-only log.' },
  { id: 'zookeeper', title: 'ZooKeeper', blurb: 'Configuration and coordination for a cluster.' },
];

/** The title of a topic id; the id itself for an unknown one. */
export function topicTitle(id: string): string {
  return TOPICS.find((t) => t.id === id)?.title ?? id;
}
