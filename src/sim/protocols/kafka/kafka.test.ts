/**
 * What the lesson claims, over seeds, by running whole simulations; every bug switch caught;
 * every check shown to fire. Failing assertions name the seed (`seed=7`): replay it with
 * `npm run -s lab -- run <file> --seed 7`.
 */
import '../../checkers/builtin';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../../shared/scenario/schema';
import { registerProtocol } from '../../catalog';
import type { ClusterView, NodeView } from '../../protocol';
import { Simulation } from '../../simulation';
import { seriesMax } from '../../test/summary';
import { kafka, kafkaQuickStart, kafkaUncleanElection } from '.';
import { kafkaInvariants } from './checks';
import { initGroup } from './group';
import type { BrokerState, ClientState, ControllerState, KafkaState } from './types';

registerProtocol(kafka);
const SEEDS = Array.from({ length: 10 }, (_, k) => k + 1);

function run(sc: Scenario, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
}
const verdict = (sim: Simulation, id: string) => sim.invariants().find((v) => v.id === id)?.ok;
const state = <S extends KafkaState>(sim: Simulation, id: string) => sim.nodeState(id)!.state as S;

describe('Kafka quick start: b1 (p0’s leader) crashes at 1 s and returns at 2 s', () => {
  it('every check holds, the history is linearizable, p0 moves to b2 and b1 is back in every ISR (seeds 1-10)', () => {
    for (const seed of SEEDS) {
      const sim = run(kafkaQuickStart(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(true);
      expect(verdict(sim, 'client-ops-answered'), `seed=${seed}`).toBe(true);
      const c = state<ControllerState>(sim, 'ctl');
      expect(c.partitions[0]!.leader, `seed=${seed}`).toBe('b2');
      for (const p of c.partitions)
        expect([...p.isr].sort(), `seed=${seed} p${p.partition}`).toEqual(['b1', 'b2', 'b3']);
      expect(seriesMax(sim, 'underReplicatedPartitions'), `seed=${seed}`).toBe(3);
      expect(seriesMax(sim, 'lostAckedRecords'), `seed=${seed}`).toBe(0);
      // Every replica ends with the same committed records.
      const logs = ['b1', 'b2', 'b3'].map((b) => state<BrokerState>(sim, b).replicas[0]!);
      const hw = Math.min(...logs.map((r) => r.highWatermark));
      expect(hw, `seed=${seed}`).toBeGreaterThan(20);
      for (const r of logs) expect(r.log.slice(0, hw), `seed=${seed}`).toEqual(logs[1]!.log.slice(0, hw));
    }
  });

  it('acks=1 answers before the followers have the record: reads miss acknowledged writes, and b1’s crash loses some (seeds 1-10)', () => {
    let lost = 0;
    for (const seed of SEEDS) {
      const sim = run(kafkaQuickStart({ acks: '1' }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(false);
      // Not promised with acks=1: the failure is the lesson (Protocol.notPromised).
      expect(sim.invariants().find((v) => v.id === 'linearizability')?.lesson, `seed=${seed}`).toMatch(
        /^acks=1/,
      );
      lost += seriesMax(sim, 'lostAckedRecords') > 0 ? 1 : 0;
    }
    expect(lost).toBeGreaterThanOrEqual(3);
  });

  it('min.insync.replicas 3: once b1 leaves the ISR, acks=all writes are refused (NotEnoughReplicas), and none is lost', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(kafkaQuickStart({ minInsyncReplicas: 3 }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(seriesMax(sim, 'notEnoughReplicas'), `seed=${seed}`).toBeGreaterThan(0);
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(true);
    }
  });
});

describe('Kafka: unclean leader election (the lesson: availability against acknowledged records)', () => {
  it('on: b2 leads p0 without b1’s records; acknowledged records are lost and b1 truncates them, no invariant stops the run', () => {
    for (const seed of SEEDS) {
      const sim = run(kafkaUncleanElection(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(seriesMax(sim, 'uncleanLeaderElections'), `seed=${seed}`).toBe(1);
      expect(seriesMax(sim, 'lostAckedRecords'), `seed=${seed}`).toBeGreaterThan(0);
      expect(state<BrokerState>(sim, 'b1').truncated, `seed=${seed}`).toBeGreaterThan(0);
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(false);
      expect(sim.invariants().find((v) => v.id === 'linearizability')?.lesson, `seed=${seed}`).toMatch(
        /unclean/,
      );
    }
  });

  it('off: p0 stays offline until b1 returns, and nothing acknowledged is lost', () => {
    for (const seed of SEEDS) {
      const sim = run(kafkaUncleanElection({ uncleanLeaderElection: false }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(seriesMax(sim, 'offlinePartitions'), `seed=${seed}`).toBe(1);
      expect(seriesMax(sim, 'lostAckedRecords'), `seed=${seed}`).toBe(0);
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(true);
      expect(state<ControllerState>(sim, 'ctl').partitions[0]!.leader, `seed=${seed}`).toBe('b1');
    }
  });
});

describe('bug switches are caught on every seed', () => {
  it('bugAdvanceHwBeforeIsr: hw-within-isr stops the run (seeds 1-10)', () => {
    for (const seed of SEEDS) {
      const sim = run(kafkaQuickStart({ bugAdvanceHwBeforeIsr: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('hw-within-isr');
    }
  });

  it('bugAckAllFromLeaderOnly: acked-not-lost stops the run (seeds 1-10)', () => {
    for (const seed of SEEDS) {
      const sim = run(kafkaQuickStart({ bugAckAllFromLeaderOnly: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('acked-not-lost');
    }
  });
});

describe('each check fires on a state that breaks it', () => {
  const check = (id: string) => kafkaInvariants.find((i) => i.id === id)!;
  const p0 = {
    partition: 0,
    replicas: ['b1', 'b2'],
    leader: 'b1',
    leaderEpoch: 1,
    isr: ['b1', 'b2'],
    partitionEpoch: 1,
    leaderRecoveryState: 'recovered' as const,
  };
  const controller = (): ControllerState => ({
    kind: 'controller',
    metadataVersion: 1,
    partitions: [p0],
    brokers: {},
    lastUncleanEpoch: [-1],
    elections: 0,
    uncleanElections: 0,
    isrShrinks: 0,
    isrExpands: 0,
    nextProducerId: 0,
    group: initGroup(1),
  });
  const broker = (values: string[], hw: number, leads: boolean): BrokerState => ({
    kind: 'broker',
    replicas: [
      {
        log: values.map((v, o) => ({ offset: o, epoch: 0, timestamp: 0, key: 'k', value: v })),
        highWatermark: hw,
      },
    ],
    metadataVersion: 1,
    partitions: [p0],
    leading: [
      leads ? { epochStartOffset: 0, followers: {}, waiting: [], pendingIsr: null, pendingSentUs: 0 } : null,
    ],
    fetching: {},
    appended: 0,
    fetched: 0,
    truncated: 0,
    duplicates: 0,
    outOfOrder: 0,
    retentionDeleted: 0,
    compacted: 0,
  });
  const client = (acked: ClientState['acked']): ClientState => ({
    kind: 'client',
    leader: '',
    nextReq: 1,
    pending: [],
    retries: 0,
    lastLatencyUs: 0,
    leaders: ['b1'],
    acked,
    notEnoughReplicas: 0,
    fireAndForget: 0,
    producerId: -1,
    producerEpoch: 0,
    sequences: [0],
    resent: 0,
  });
  const view = (
    nodes: NodeView<KafkaState>[],
    changed: string,
    events: ClusterView<KafkaState>['events'] = [],
  ): ClusterView<KafkaState> => ({
    nodes,
    changed: nodes.find((n) => n.id === changed)!,
    nowUs: 0,
    events,
  });
  const node = (id: string, s: KafkaState, role: string): NodeView<KafkaState> => ({
    id,
    role,
    up: true,
    state: s,
  });

  it('hw-within-isr: a leader HW above what an ISR member holds', () => {
    const nodes = [
      node('ctl', controller(), 'controller'),
      node('b1', broker(['a', 'b'], 2, true), 'broker'),
      node('b2', broker(['a'], 1, false), 'broker'),
    ];
    expect(check('hw-within-isr').check(view(nodes, 'b1'))).toContain('b2 (in the ISR) has 1 record');
    (nodes[1]!.state as BrokerState).replicas[0]!.highWatermark = 1;
    expect(check('hw-within-isr').check(view(nodes, 'b1'))).toBeNull();
  });

  it('consumers-read-committed: a read served above what an ISR member holds', () => {
    const nodes = [
      node('ctl', controller(), 'controller'),
      node('b1', broker(['a', 'b'], 2, true), 'broker'),
      node('b2', broker(['a'], 1, false), 'broker'),
    ];
    const ev = [{ type: 'consumed', partition: 0, upTo: 2 }];
    expect(check('consumers-read-committed').check(view(nodes, 'b1', ev))).toContain(
      'read p0 up to offset 2',
    );
    expect(
      check('consumers-read-committed').check(
        view(nodes, 'b1', [{ type: 'consumed', partition: 0, upTo: 1 }]),
      ),
    ).toBeNull();
  });

  it('partition-order: two replicas with different records below both HWs', () => {
    const nodes = [
      node('ctl', controller(), 'controller'),
      node('b1', broker(['a', 'b'], 2, true), 'broker'),
      node('b2', broker(['a', 'x'], 2, false), 'broker'),
    ];
    expect(check('partition-order').check(view(nodes, 'b2'))).toContain('p0 offset 1');
    // After an unclean election the partition is left alone: the lesson, not a bug.
    (nodes[0]!.state as ControllerState).lastUncleanEpoch[0] = 1;
    expect(check('partition-order').check(view(nodes, 'b2'))).toBeNull();
  });

  it('acked-not-lost: a clean new leader without an acknowledged record, and an ack for a record an ISR member lacks', () => {
    const acked = [{ partition: 0, offset: 1, epoch: 0, key: 'k', value: 'b', acks: 'all' as const }];
    const nodes = [
      node('ctl', controller(), 'controller'),
      node('b1', broker(['a'], 1, true), 'broker'),
      node('b2', broker(['a', 'b'], 2, false), 'broker'),
      node('c1', client(acked), 'client'),
    ];
    const elected = [{ type: 'became-leader', partition: 0, epoch: 1, clean: true }];
    expect(check('acked-not-lost').check(view(nodes, 'b1', elected))).toContain('is not in the log of b1');
    expect(check('acked-not-lost').check(view(nodes, 'b1', [{ ...elected[0]!, clean: false }]))).toBeNull();
    const ack = [{ type: 'acked', partition: 0, offset: 1, epoch: 0, value: 'b', acks: 'all' }];
    expect(check('acked-not-lost').check(view(nodes, 'c1', ack))).toContain(
      'b1, in the ISR, does not hold it',
    );
    expect(check('acked-not-lost').check(view(nodes, 'c1', [{ ...ack[0]!, acks: '1' }]))).toBeNull();
  });
});
