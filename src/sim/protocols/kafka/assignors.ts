/**
 * The consumer group's partition assignors (Apache Kafka documentation, "Design" §4.5 "The
 * Consumer" and the consumer configuration `partition.assignment.strategy`): the group leader
 * splits the partitions of the topics the members subscribe to among the members, so that each
 * partition is consumed by exactly one member of the group.
 *
 * Three strategies, each described by its class's javadoc in Apache Kafka's client
 * (clients/src/main/java/org/apache/kafka/clients/consumer/): the javadoc's worked examples are
 * the tests in assignors.test.ts. This is our own code, written from those descriptions.
 *
 * - `range` (RangeAssignor): "works on a per-topic basis": per topic, partitions in numeric order,
 *   the topic's subscribers in lexicographic order, each gets `partitions / consumers` in a
 *   contiguous range and "the first few consumers will have one extra partition".
 * - `roundrobin` (RoundRobinAssignor): all partitions of all subscribed topics in order (topics
 *   sorted), dealt one by one to the members in sorted order, "skipping over an instance if it is
 *   not subscribed to the topic".
 * - `sticky` (StickyAssignor): first "as balanced as possible" — the counts differ by at most one,
 *   or no member with 2+ fewer partitions than another could take one of that other's — and
 *   second it "preserves as many existing assignments as possible" when the group changes.
 *   Members tell the leader what they held (Kafka: the subscription's ownedPartitions / user data).
 *   Our rules (Kafka's own implementation is a longer search with the same two goals):
 *   1. keep every partition a member held before and still subscribes to (one owner per partition:
 *      a partition two members claim stays with the first in member order);
 *   2. hand the rest out in order — partitions with the fewest possible consumers first, then by
 *      topic and number — each to the least-loaded member that subscribes to its topic (ties by
 *      member id);
 *   3. while a member holds at least two more partitions than one that could take one of them,
 *      move the most-loaded member's last such partition to the least-loaded such member.
 *   Starting fresh, and for a member leaving, this gives the javadoc's examples exactly.
 */

/** A partition of a topic (Kafka's `TopicPartition`). */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** What a member sends when it joins: the topics it subscribes to and, for sticky, what it held. */
export interface Subscription {
  topics: readonly string[];
  /** The member's assignment before this rebalance (sticky's user data); others ignore it. */
  held?: readonly TopicPartition[];
}

export type AssignorName = 'range' | 'roundrobin' | 'sticky';

/** Member id → its partitions (every member of `subscriptions` present, maybe with none). */
export type Assignment = Record<string, TopicPartition[]>;

/** Kafka's `TopicPartition.toString`: "topic-partition". */
export function tpName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Java's natural order of strings (UTF-16 code units), which JavaScript's default sort also uses. */
function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return byString(a.topic, b.topic) || a.partition - b.partition;
}

function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }));
}

/** The member ids in order (not an object's key order, which puts integer-like keys first). */
function memberIds(subscriptions: Record<string, Subscription>): string[] {
  return Object.keys(subscriptions).sort(byString);
}

function emptyAssignment(subscriptions: Record<string, Subscription>): Assignment {
  const assignment: Assignment = {};
  for (const member of memberIds(subscriptions)) assignment[member] = [];
  return assignment;
}

/** The subscribed topics that exist, sorted. */
function subscribedTopics(
  partitionsPerTopic: Record<string, number>,
  subscriptions: Record<string, Subscription>,
): string[] {
  const topics = new Set<string>();
  for (const s of Object.values(subscriptions)) for (const t of s.topics) topics.add(t);
  return [...topics].filter((t) => (partitionsPerTopic[t] ?? 0) > 0).sort(byString);
}

/** RangeAssignor: per topic, a contiguous range of partitions to each subscriber in order. */
export function rangeAssign(
  partitionsPerTopic: Record<string, number>,
  subscriptions: Record<string, Subscription>,
): Assignment {
  const assignment = emptyAssignment(subscriptions);
  for (const topic of subscribedTopics(partitionsPerTopic, subscriptions)) {
    const consumers = Object.keys(subscriptions)
      .filter((m) => subscriptions[m]!.topics.includes(topic))
      .sort(byString);
    const partitions = partitionsOf(topic, partitionsPerTopic[topic]!);
    const perConsumer = Math.floor(partitions.length / consumers.length);
    const withExtra = partitions.length % consumers.length;
    consumers.forEach((member, i) => {
      const start = perConsumer * i + Math.min(i, withExtra);
      const length = perConsumer + (i < withExtra ? 1 : 0);
      assignment[member]!.push(...partitions.slice(start, start + length));
    });
  }
  return assignment;
}

/** RoundRobinAssignor: every partition in order, dealt to the members in a circle, skipping non-subscribers. */
export function roundRobinAssign(
  partitionsPerTopic: Record<string, number>,
  subscriptions: Record<string, Subscription>,
): Assignment {
  const assignment = emptyAssignment(subscriptions);
  const members = memberIds(subscriptions);
  let next = 0;
  for (const topic of subscribedTopics(partitionsPerTopic, subscriptions)) {
    for (const tp of partitionsOf(topic, partitionsPerTopic[topic]!)) {
      // Some member subscribes to `topic` (it is a subscribed topic), so this stops.
      while (!subscriptions[members[next % members.length]!]!.topics.includes(topic)) next++;
      assignment[members[next % members.length]!]!.push(tp);
      next++;
    }
  }
  return assignment;
}

/** StickyAssignor: balanced first, then as little movement from `held` as possible (rules in the file comment). */
export function stickyAssign(
  partitionsPerTopic: Record<string, number>,
  subscriptions: Record<string, Subscription>,
): Assignment {
  const assignment = emptyAssignment(subscriptions);
  const members = memberIds(subscriptions);
  const canTake = (member: string, tp: TopicPartition) => subscriptions[member]!.topics.includes(tp.topic);
  const all = subscribedTopics(partitionsPerTopic, subscriptions).flatMap((t) =>
    partitionsOf(t, partitionsPerTopic[t]!),
  );
  const exists = new Set(all.map(tpName));

  // 1. Keep what each member still may own.
  const taken = new Set<string>();
  for (const member of members) {
    for (const tp of subscriptions[member]!.held ?? []) {
      const name = tpName(tp);
      if (!exists.has(name) || taken.has(name) || !canTake(member, tp)) continue;
      taken.add(name);
      assignment[member]!.push({ topic: tp.topic, partition: tp.partition });
    }
  }

  // 2. The rest, fewest potential consumers first, each to the least-loaded member that may take it.
  const potential = (tp: TopicPartition) => members.filter((m) => canTake(m, tp)).length;
  const unassigned = all
    .filter((tp) => !taken.has(tpName(tp)))
    .sort((a, b) => potential(a) - potential(b) || byTopicPartition(a, b));
  const leastLoaded = (candidates: string[]) =>
    candidates.reduce((best, m) => (assignment[m]!.length < assignment[best]!.length ? m : best));
  for (const tp of unassigned) {
    const candidates = members.filter((m) => canTake(m, tp));
    assignment[leastLoaded(candidates)]!.push(tp);
  }

  // 3. Balance: move a partition from a member with 2+ more to one that may take it. Each move
  // lowers the sum of squared counts, so this ends.
  for (;;) {
    const receivers = [...members].sort(
      (a, b) => assignment[a]!.length - assignment[b]!.length || byString(a, b),
    );
    const owners = [...members].sort(
      (a, b) => assignment[b]!.length - assignment[a]!.length || byString(a, b),
    );
    let moved = false;
    search: for (const receiver of receivers) {
      for (const owner of owners) {
        if (assignment[owner]!.length < assignment[receiver]!.length + 2) break;
        const list = assignment[owner]!;
        for (let i = list.length - 1; i >= 0; i--) {
          if (!canTake(receiver, list[i]!)) continue;
          assignment[receiver]!.push(list.splice(i, 1)[0]!);
          moved = true;
          break search;
        }
      }
    }
    if (!moved) return assignment;
  }
}

/** The assignor of `partition.assignment.strategy`, by its Kafka name. */
export function assign(
  strategy: AssignorName,
  partitionsPerTopic: Record<string, number>,
  subscriptions: Record<string, Subscription>,
): Assignment {
  if (Object.keys(subscriptions).length === 0) return {};
  switch (strategy) {
    case 'range':
      return rangeAssign(partitionsPerTopic, subscriptions);
    case 'roundrobin':
      return roundRobinAssign(partitionsPerTopic, subscriptions);
    case 'sticky':
      return stickyAssign(partitionsPerTopic, subscriptions);
  }
}
