/**
 * The consumer group: the coordinator's rules one input at a time (toolkit `handle`), and the
 * group scenario over seeds: the committed-once check holds with generation fencing and catches
 * bugCommitStaleGeneration.
 */
import '../../checkers/builtin';
import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../catalog';
import type { Input } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { kafka, kafkaConsumerGroup } from '.';
import { initController } from './controller';
import { type ConsumerState, type ControllerState, type KafkaMsg, KafkaParams } from './types';

registerProtocol(kafka);

const NODES = { ctl: 'controller', b1: 'broker', b2: 'broker', b3: 'broker', g1: 'consumer', g2: 'consumer' };
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
