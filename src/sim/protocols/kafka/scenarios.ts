import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { link } from '../../toolkit/topology';
import { kafka, kafkaTopology } from './kafka';

/** The quick start (kafka.quickStart: b1, p0's leader, crashes at 1 s and returns at 2 s) with `params`. */
export function kafkaQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(kafka, params);
}

/**
 * Unclean leader election: b1 leads p0 while b2 and b3 are cut off from it (they keep talking
 * to the controller), so they fall out of p0's ISR and b1 goes on alone (min.insync.replicas 1);
 * then b1 crashes. Only b2 and b3 are left, both outside the ISR: with
 * unclean.leader.election.enable on, b2 leads p0 without the records b1 acknowledged.
 */
export function kafkaUncleanElection(params: Record<string, unknown> = {}): Scenario {
  const base = kafkaQuickStart({ minInsyncReplicas: 1, uncleanLeaderElection: true, ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Kafka: unclean leader election',
    faults: [
      { atUs: 500_000, fault: { kind: 'partition-oneway', id: 'cut', from: ['b1'], to: ['b2', 'b3'] } },
      { atUs: 500_000, fault: { kind: 'partition-oneway', id: 'cut2', from: ['b2', 'b3'], to: ['b1'] } },
      { atUs: 1_200_000, fault: { kind: 'crash', node: 'b1' } },
      { atUs: 1_200_000, fault: { kind: 'heal', id: 'cut' } },
      { atUs: 1_200_000, fault: { kind: 'heal', id: 'cut2' } },
      { atUs: 2_200_000, fault: { kind: 'restart', node: 'b1' } },
    ],
    limits: { ...base.limits, maxTimeUs: 3_500_000 },
  });
}

/**
 * A consumer group (§4.5, §4.6): consumers g1, g2 and g3 join the group and share p0-p2 by the
 * `assignor` param while c1 and c2 produce. g3 crashes at 1 s (its session ends: a rebalance)
 * and comes back at 1.8 s (it joins: another); g2 is cut off from the coordinator from 2.2 s to
 * 2.8 s but still reaches the brokers, so it is removed and goes on reading as a "zombie"; when
 * it hears it was removed it tries to commit what it read, which the coordinator must refuse.
 */
export function kafkaConsumerGroup(params: Record<string, unknown> = {}): Scenario {
  const base = kafkaQuickStart(params);
  const consumers = ['g1', 'g2', 'g3'];
  const topology = kafkaTopology();
  const latency = { kind: 'normal' as const, meanUs: 1000, stdUs: 200, minUs: 300 };
  consumers.forEach((id, i) => {
    topology.nodes.push({
      id,
      name: id,
      role: 'consumer',
      x: 700,
      y: 20 + 110 * i,
      clockOffsetUs: 0,
      clockDriftPpm: 0,
    });
    topology.links.push(link(id, 'sw', latency, `${id}-sw`));
  });
  return ScenarioSchema.parse({
    ...base,
    name: 'Kafka: a consumer group rebalances',
    topology,
    faults: [
      { atUs: 1_000_000, fault: { kind: 'crash', node: 'g3' } },
      { atUs: 1_800_000, fault: { kind: 'restart', node: 'g3' } },
      { atUs: 2_200_000, fault: { kind: 'partition-oneway', id: 'zombie', from: ['g2'], to: ['ctl'] } },
      { atUs: 2_200_000, fault: { kind: 'partition-oneway', id: 'zombie2', from: ['ctl'], to: ['g2'] } },
      { atUs: 2_800_000, fault: { kind: 'heal', id: 'zombie' } },
      { atUs: 2_800_000, fault: { kind: 'heal', id: 'zombie2' } },
    ],
    limits: { ...base.limits, maxTimeUs: 4_500_000 },
  });
}

/**
 * A compacted topic (§4.8 "Log Compaction"): the quick start with cleanup.policy=compact and
 * 10-record segments. Every broker's cleaner keeps only the latest record of each key below the
 * high watermark (outside the active segment), so the logs stay near 24 records a partition
 * (the workload's keys) while the reads stay linearizable; b1 still crashes and returns.
 */
export function kafkaCompactedTopic(params: Record<string, unknown> = {}): Scenario {
  const base = kafkaQuickStart({ cleanupPolicy: 'compact', segmentRecords: 10, ...params });
  return ScenarioSchema.parse({ ...base, name: 'Kafka: a compacted topic' });
}

/**
 * Retention by size (retention.bytes as 40 records, 10-record segments) with one consumer
 * group member, g1, that crashes at 0.5 s and returns at 2 s: meanwhile the brokers delete the
 * oldest segments, the log start offset passes the group's committed offset, and g1's first
 * fetch is out of range; it resets to the log start (auto.offset.reset=earliest).
 */
export function kafkaRetention(params: Record<string, unknown> = {}): Scenario {
  const base = kafkaQuickStart({ retentionRecords: 40, segmentRecords: 10, ...params });
  const topology = kafkaTopology();
  topology.nodes.push({
    id: 'g1',
    name: 'g1',
    role: 'consumer',
    x: 700,
    y: 130,
    clockOffsetUs: 0,
    clockDriftPpm: 0,
  });
  topology.links.push(link('g1', 'sw', { kind: 'normal', meanUs: 1000, stdUs: 200, minUs: 300 }, 'g1-sw'));
  return ScenarioSchema.parse({
    ...base,
    name: 'Kafka: retention deletes old segments',
    topology,
    faults: [
      { atUs: 500_000, fault: { kind: 'crash', node: 'g1' } },
      { atUs: 2_000_000, fault: { kind: 'restart', node: 'g1' } },
    ],
    limits: { ...base.limits, maxTimeUs: 4_000_000 },
  });
}

/** The built-in Kafka scenarios. */
export function kafkaScenarios(): Scenario[] {
  return [
    kafkaQuickStart(),
    kafkaUncleanElection(),
    kafkaConsumerGroup(),
    kafkaCompactedTopic(),
    kafkaRetention(),
  ];
}
