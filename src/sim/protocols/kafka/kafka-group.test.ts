/**
 * The consumer group: the coordinator's rules one input at a time (toolkit `handle`), and the
 * group scenario over seeds: the committed-once check holds with generation fencing and catches
 * bugCommitStaleGeneration.
 */
import '../../checkers/builtin';
import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../catalog';
import type { Input, NodeView } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { kafka, kafkaConsumerGroup, kafkaQuickStart } from '.';
import { initBroker } from './broker';
import { groupConsumesEveryRecord, groupSettleUs } from './checks';
import { initConsumer } from './consumer';
import { assignReplicas, initController } from './controller';
import {
  type ConsumerState,
  type ControllerState,
  type KafkaMsg,
  KafkaParams,
  type KafkaState,
} from './types';

registerProtocol(kafka);

const NODES = {
  ctl: 'controller',
  b1: 'broker',
  b2: 'broker',
  b3: 'broker',
  g1: 'consumer',
  g2: 'consumer',
  g3: 'consumer',
};
const params = (p: Record<string, unknown> = {}) => KafkaParams.parse({ partitions: 3, ...p });
const world = (p: Record<string, unknown> = {}, nowUs = 0) => ({
  self: 'ctl',
  nodes: NODES,
  params: params(p),
  nowUs,
});
const msg = (from: string, m: KafkaMsg): Input<KafkaMsg> => ({ kind: 'message', from, msg: m });
const join = (held: number[] = []): KafkaMsg => ({ type: 'JoinGroup', held });

/** A coordinator with g1 and g2 in generation 2 (range: g1 p0 p1, g2 p2). */
function twoMembers(p: Record<string, unknown> = {}): ControllerState {
  const c = initController(params(p));
  handle(kafka, c, msg('g1', join()), world(p));
  handle(kafka, c, msg('g2', join()), world(p));
  return c;
}

describe('the group coordinator (§4.5, KIP-848 server-side assignment)', () => {
  it('every join is a rebalance: a new generation, split by the assignor, every member told its share', () => {
    const c = initController(params());
    const first = handle(kafka, c, msg('g1', join()), world());
    expect(first.sent).toEqual([
      {
        to: 'g1',
        msg: { type: 'SyncAssignment', generation: 1, partitions: [0, 1, 2], committed: [0, 0, 0] },
      },
    ]);
    const second = handle(kafka, c, msg('g2', join()), world());
    expect(c.group.generation).toBe(2);
    expect(second.sent.map((s) => [s.to, s.msg])).toEqual([
      ['g1', { type: 'SyncAssignment', generation: 2, partitions: [0, 1], committed: [0, 0, 0] }],
      ['g2', { type: 'SyncAssignment', generation: 2, partitions: [2], committed: [0, 0, 0] }],
    ]);
    const rr = twoMembers({ assignor: 'roundrobin' });
    expect(rr.group.assignment).toEqual({ g1: [0, 2], g2: [1] });
  });

  it('takes a commit from the owner in the current generation, and the event says where the group stood', () => {
    const c = twoMembers();
    const out = handle(
      kafka,
      c,
      msg('g1', { type: 'OffsetCommit', generation: 2, partition: 1, from: 0, to: 5 }),
      world(),
    );
    expect(c.group.committed).toEqual([0, 5, 0]);
    expect(out.events).toEqual([
      { type: 'offset-committed', partition: 1, member: 'g1', generation: 2, from: 0, to: 5, prev: 0 },
    ]);
    expect(out.sent[0]!.msg).toMatchObject({ type: 'OffsetCommitResponse', error: 'none', to: 5 });
    // The same commit again (its answer lost) changes nothing and emits nothing.
    const again = handle(
      kafka,
      c,
      msg('g1', { type: 'OffsetCommit', generation: 2, partition: 1, from: 0, to: 5 }),
      world(),
    );
    expect(again.events).toEqual([]);
    expect(again.sent[0]!.msg).toMatchObject({ error: 'none' });
  });

  it('refuses a commit from an older generation or for a partition the member does not own (ILLEGAL_GENERATION)', () => {
    const c = twoMembers();
    for (const [from, generation, partition] of [
      ['g1', 1, 0],
      ['g2', 2, 0],
      ['g3', 2, 2],
    ] as const) {
      const out = handle(
        kafka,
        c,
        msg(from, { type: 'OffsetCommit', generation, partition, from: 0, to: 3 }),
        world(),
      );
      expect(out.sent[0]!.msg, `${from} gen ${generation} p${partition}`).toMatchObject({
        error: 'illegal-generation',
      });
      expect(out.events).toEqual([]);
    }
    expect(c.group.committed).toEqual([0, 0, 0]);
    expect(c.group.rejectedCommits).toBe(3);
  });

  it('with bugCommitStaleGeneration, a removed member’s late commit moves the offset back', () => {
    const c = twoMembers({ bugCommitStaleGeneration: true });
    c.group.committed[0] = 10;
    const out = handle(
      kafka,
      c,
      msg('g1', { type: 'OffsetCommit', generation: 1, partition: 0, from: 4, to: 7 }),
      world({ bugCommitStaleGeneration: true }),
    );
    expect(c.group.committed[0]).toBe(7);
    expect(out.events[0]).toMatchObject({ from: 4, to: 7, prev: 10 });
  });

  it('a member silent for session.timeout.ms leaves in a rebalance; its heartbeat then hears unknown-member', () => {
    const c = twoMembers();
    c.group.members.g1!.lastHeartbeatUs = 500_000;
    const out = handle(kafka, c, { kind: 'timer', name: 'session' }, world({}, 700_000));
    expect(Object.keys(c.group.members)).toEqual(['g1']);
    expect(c.group.assignment).toEqual({ g1: [0, 1, 2] });
    expect(out.sent.filter((s) => s.msg.type === 'SyncAssignment').map((s) => s.to)).toEqual(['g1']);
    const hb = handle(kafka, c, msg('g2', { type: 'GroupHeartbeat', generation: 2 }), world());
    expect(hb.sent).toEqual([{ to: 'g2', msg: { type: 'GroupHeartbeatResponse', error: 'unknown-member' } }]);
  });
});

describe('the consumer-group scenario (g3 crashes and returns, g2 is cut off from the coordinator)', () => {
  const run = (p: Record<string, unknown>, seed: number) => {
    const sim = new Simulation(kafkaConsumerGroup(p), { seed });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    return sim;
  };

  it('with generation fencing each offset is committed once, the zombie’s commit is refused, and the group ends whole (seeds 1-3, each assignor)', () => {
    for (const assignor of ['range', 'roundrobin', 'sticky'])
      for (const seed of [1, 2, 3]) {
        const sim = run({ assignor }, seed);
        const where = `${assignor} seed=${seed}`;
        expect(sim.violation, where).toBeNull();
        const c = sim.nodeState('ctl')!.state as ControllerState;
        expect(c.group.rejectedCommits, where).toBeGreaterThan(0);
        const members = ['g1', 'g2', 'g3'].map((id) => sim.nodeState(id)!.state as ConsumerState);
        // One generation at the end, every partition consumed by exactly one member.
        for (const m of members) expect(m.generation, where).toBe(c.group.generation);
        expect(members.flatMap((m) => m.assigned).sort(), where).toEqual([0, 1, 2]);
        for (const p of [0, 1, 2]) expect(c.group.committed[p], `${where} p${p}`).toBeGreaterThan(20);
      }
  });

  it('bugCommitStaleGeneration is caught by committed-once-per-group (seeds 1-3)', () => {
    for (const seed of [1, 2, 3]) {
      const sim = run({ bugCommitStaleGeneration: true }, seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('committed-once-per-group');
    }
  });
});

describe('the group liveness check (every partition owned by a live member, every committed record consumed)', () => {
  const P = params();
  /** ctl with p0-p2 led by b1, b1 holding `records` records of p0 (all committed, appended at 0 s), g1 owning everything in generation 1. */
  function cluster(records = 5) {
    const ctl = initController(P);
    ctl.partitions = assignReplicas(['b1'], 3, 1);
    ctl.group.generation = 1;
    ctl.group.members = { g1: { lastHeartbeatUs: 0 } };
    ctl.group.assignment = { g1: [0, 1, 2] };
    const b1 = initBroker(P);
    b1.replicas = [0, 1, 2].map((i) => ({
      log:
        i === 0
          ? Array.from({ length: records }, (_, o) => ({
              offset: o,
              epoch: 0,
              timestamp: 0,
              key: 'k',
              value: `v${o}`,
            }))
          : [],
      highWatermark: i === 0 ? records : 0,
    }));
    const g1 = initConsumer(P);
    g1.generation = 1;
    g1.assigned = [0, 1, 2];
    const nodes: NodeView<KafkaState>[] = [
      { id: 'ctl', role: 'controller', up: true, state: ctl },
      { id: 'b1', role: 'broker', up: true, state: b1 },
      { id: 'g1', role: 'consumer', up: true, state: g1 },
    ];
    return { ctl, g1, nodes };
  }
  const check = (nodes: NodeView<KafkaState>[], nowUs = groupSettleUs(P) + 1) =>
    groupConsumesEveryRecord.check(
      { nodes, nowUs, quietSinceUs: 0, unanswered: [], inFlight: 0, lostToNetwork: 0 },
      P,
    );

  it('holds once the group has committed every committed record, and without consumers', () => {
    const { ctl, nodes } = cluster();
    ctl.group.committed[0] = 5;
    expect(check(nodes)).toBeNull();
    expect(check(nodes.filter((v) => v.role !== 'consumer'))).toBeNull();
  });

  it('fails for a committed record the group has not consumed within the bound, not before', () => {
    const { ctl, nodes } = cluster();
    ctl.group.committed[0] = 3;
    expect(check(nodes)).toMatch(/p0: the record at offset 3, .* is not consumed by the group/);
    expect(check(nodes, groupSettleUs(P) - 1)).toBeNull();
  });

  it('fails for a partition with no owner, an owner that is down, or one behind the generation', () => {
    const a = cluster(0);
    a.ctl.group.assignment = { g1: [0, 1] };
    expect(check(a.nodes)).toBe('p2 is assigned to no member in generation 1');
    const b = cluster(0);
    b.nodes[2]!.up = false;
    expect(check(b.nodes)).toBe('p0 is assigned to g1, which is down');
    const c = cluster(0);
    c.g1.generation = 0;
    expect(check(c.nodes)).toMatch(/^p0 is assigned to g1 in generation 1, but g1 holds generation 0/);
  });
});

describe('partitionMoves: partitions that change owner in a rebalance', () => {
  it('counts the partitions that move at each join and leave; sticky moves only what it must', () => {
    const moves = (assignor: string) => {
      const c = twoMembers({ assignor }); // g1 [p0 p1], g2 [p2]: p2 moved off g1
      const counts = [c.group.moves];
      // g3 joins: range gives g1 p0, g2 p1, g3 p2 (two move); sticky keeps g1's p0 and g2's p2 and moves p1.
      handle(kafka, c, msg('g3', join()), world({ assignor }));
      counts.push(c.group.moves);
      // g1 leaves: its p0 moves (to g2 under range, which keeps p1 there; to the least loaded under sticky).
      c.group.members.g1!.lastHeartbeatUs = 300_000;
      for (const m of ['g2', 'g3']) c.group.members[m]!.lastHeartbeatUs = 650_000;
      handle(kafka, c, { kind: 'timer', name: 'session' }, world({ assignor }, 700_000));
      counts.push(c.group.moves);
      return counts;
    };
    expect(moves('range')).toEqual([1, 3, 4]);
    expect(moves('sticky')).toEqual([1, 2, 3]);
  });
});

describe('the Partition logs tab with a consumer group', () => {
  it('marks, on each leader row, the gap after the last record the group committed', () => {
    const sim = new Simulation(kafkaConsumerGroup(), { seed: 1 });
    sim.runUntil(2_000_000);
    const data = sim.view('logs');
    if (data?.kind !== 'log-grid') throw new Error('no log grid');
    const c = sim.nodeState('ctl')!.state as ControllerState;
    for (const p of c.partitions) {
      const rows = data.rows.filter((r) => r.node.startsWith(`p${p.partition} `));
      const leader = rows.find((r) => r.node === `p${p.partition} ${p.leader}`)!;
      // The grid's index of offset o is firstIndex + o: the mark after the entry of offset committed - 1.
      expect(leader.marks, `p${p.partition}`).toEqual([
        {
          index: leader.firstIndex - 1 + c.group.committed[p.partition]!,
          label: `the group's committed offset ${c.group.committed[p.partition]}`,
        },
      ]);
      expect(c.group.committed[p.partition]).toBeGreaterThan(0);
      for (const r of rows) if (r !== leader) expect(r.marks).toBeUndefined();
    }
    expect(data.caption).toContain('committed offset');
  });

  it('has no marks without consumers', () => {
    const sim = new Simulation(kafkaQuickStart(), { seed: 1 });
    sim.runUntil(500_000);
    const data = sim.view('logs');
    if (data?.kind !== 'log-grid') throw new Error('no log grid');
    expect(data.rows.every((r) => r.marks === undefined)).toBe(true);
  });
});
