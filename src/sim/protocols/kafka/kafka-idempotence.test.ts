/**
 * The idempotent producer (KIP-98): the broker's sequence check one input at a time (toolkit
 * `handle`), the producer's numbering and re-sends, and over seeds with links that duplicate
 * messages: without idempotence a copy is appended twice and the history breaks, with it each
 * record is appended once, and bugNoSequenceCheck is caught by appended-once.
 */
import '../../checkers/builtin';
import { describe, expect, it } from 'vitest';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { registerProtocol } from '../../catalog';
import type { Input, Random } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { kafka, kafkaQuickStart } from '.';
import { checkSequence, initBroker } from './broker';
import { initClient } from './client';
import { partitionForKey } from './partitioner';
import type { BrokerState, ClientState, KafkaMsg, LogRecord, MsgOf } from './types';
import { KafkaParams } from './types';

registerProtocol(kafka);

const NODES = { ctl: 'controller', b1: 'broker', b2: 'broker', c1: 'client' };
const params = (p: Record<string, unknown> = {}) =>
  KafkaParams.parse({ partitions: 1, idempotence: true, ...p });
const world = (self: string, p: Record<string, unknown> = {}, nowUs = 0) => ({
  self,
  nodes: NODES,
  params: params(p),
  nowUs,
});
const msg = (from: string, m: KafkaMsg): Input<KafkaMsg> => ({ kind: 'message', from, msg: m });

/** A record of producer `pid` (epoch `pe`) with sequence `seq`. */
const rec = (offset: number, pid: number, seq: number, pe = 0): LogRecord => ({
  offset,
  epoch: 0,
  timestamp: 0,
  key: 'k',
  value: `v${offset}`,
  producerId: pid,
  producerEpoch: pe,
  sequence: seq,
});

describe('the broker’s sequence check (KIP-98)', () => {
  const log = [rec(0, 7, 0), rec(1, 8, 0), rec(2, 7, 1), rec(3, 7, 2)];

  it('appends the next sequence, and a new producer’s first', () => {
    expect(checkSequence(log, 7, 0, 3)).toEqual({ kind: 'append' });
    expect(checkSequence(log, 9, 0, 0)).toEqual({ kind: 'append' });
    expect(checkSequence(log, 7, 1, 0)).toEqual({ kind: 'append' }); // a new epoch starts at 0
  });

  it('answers a duplicate with the offset of the record it repeats', () => {
    expect(checkSequence(log, 7, 0, 1)).toEqual({ kind: 'duplicate', offset: 2 });
    expect(checkSequence(log, 8, 0, 0)).toEqual({ kind: 'duplicate', offset: 1 });
  });

  it('refuses a gap, an unknown producer not starting at 0, an old epoch', () => {
    expect(checkSequence(log, 7, 0, 5)).toEqual({ kind: 'out-of-order' });
    expect(checkSequence(log, 9, 0, 2)).toEqual({ kind: 'out-of-order' });
    expect(checkSequence([rec(0, 7, 0, 2)], 7, 1, 1)).toEqual({ kind: 'fenced' });
  });

  it('an older sequence than the last five batches is a duplicate it cannot place', () => {
    const long = Array.from({ length: 8 }, (_, o) => rec(o, 7, o));
    expect(checkSequence(long, 7, 0, 1)).toEqual({ kind: 'duplicate-sequence-number' });
    expect(checkSequence(long, 7, 0, 5)).toEqual({ kind: 'duplicate', offset: 5 });
  });
});

/** b1 leading p0 alone (ISR b1), empty log. */
function leader(p: Record<string, unknown> = {}): BrokerState {
  const s = initBroker(params(p));
  s.replicas[0] = { log: [], highWatermark: 0 };
  handle(
    kafka,
    s,
    msg('ctl', {
      type: 'Metadata',
      version: 1,
      partitions: [
        {
          partition: 0,
          replicas: ['b1'],
          leader: 'b1',
          leaderEpoch: 0,
          isr: ['b1'],
          partitionEpoch: 0,
          leaderRecoveryState: 'recovered',
        },
      ],
    }),
    world('b1', p),
  );
  return s;
}
const produce = (req: number, sequence: number, value = `x${sequence}`): KafkaMsg => ({
  type: 'Produce',
  req,
  partition: 0,
  key: 'k',
  value,
  acks: 'all',
  producerId: 3,
  producerEpoch: 0,
  sequence,
});
const answers = (sent: { msg: KafkaMsg }[]) =>
  sent.map((s) => s.msg).filter((m): m is MsgOf<'ProduceResponse'> => m.type === 'ProduceResponse');

describe('the leader with idempotent produces', () => {
  it('appends a copy once and answers both with the same offset', () => {
    const s = leader({ minInsyncReplicas: 1 });
    const first = handle(kafka, s, msg('c1', produce(1, 0)), world('b1', { minInsyncReplicas: 1 }));
    const copy = handle(kafka, s, msg('c1', produce(1, 0)), world('b1', { minInsyncReplicas: 1 }));
    expect(s.replicas[0]!.log).toHaveLength(1);
    expect(answers(first.sent)).toMatchObject([{ error: 'none', offset: 0 }]);
    expect(answers(copy.sent)).toMatchObject([{ error: 'none', offset: 0 }]);
    expect(s.duplicates).toBe(1);
  });

  it('refuses a sequence after a gap (OutOfOrderSequenceNumber), appending nothing', () => {
    const s = leader({ minInsyncReplicas: 1 });
    handle(kafka, s, msg('c1', produce(1, 0)), world('b1', { minInsyncReplicas: 1 }));
    const out = handle(kafka, s, msg('c1', produce(3, 2)), world('b1', { minInsyncReplicas: 1 }));
    expect(answers(out.sent)).toMatchObject([{ error: 'out-of-order-sequence-number' }]);
    expect(s.replicas[0]!.log).toHaveLength(1);
    expect(s.outOfOrder).toBe(1);
  });

  it('with bugNoSequenceCheck appends the copy again', () => {
    const p = { minInsyncReplicas: 1, bugNoSequenceCheck: true };
    const s = leader(p);
    handle(kafka, s, msg('c1', produce(1, 0)), world('b1', p));
    handle(kafka, s, msg('c1', produce(1, 0)), world('b1', p));
    expect(s.replicas[0]!.log.map((r) => r.sequence)).toEqual([0, 0]);
  });
});

describe('the idempotent producer', () => {
  const key = 'key-1';
  const write = (id: number, value: string): Input<KafkaMsg> => ({
    kind: 'client',
    op: { id, client: 'c1', op: 'write', key, value },
  });
  /** c1 started, its producer id 5, the leader of the key's partition b1. */
  function producer(): ClientState {
    const c = initClient(params());
    const start = handle(kafka, c, { kind: 'start' }, world('c1'));
    expect(start.sent).toEqual([{ to: 'ctl', msg: { type: 'InitProducerId' } }]);
    handle(
      kafka,
      c,
      msg('ctl', { type: 'InitProducerIdResponse', producerId: 5, producerEpoch: 0 }),
      world('c1'),
    );
    c.leaders[partitionForKey(key, 1)] = 'b1';
    return c;
  }
  const produced = (sent: { to: string; msg: KafkaMsg }[]) =>
    sent.filter((s) => s.msg.type === 'Produce').map((s) => [s.to, s.msg] as const);

  it('numbers its records per partition, and re-sends an unanswered one with the same sequence', () => {
    const c = producer();
    const a = handle(kafka, c, write(1, 'a'), world('c1'));
    const b = handle(kafka, c, write(2, 'b'), world('c1'));
    expect(produced(a.sent)).toEqual([
      ['b1', expect.objectContaining({ producerId: 5, sequence: 0, value: 'a' })],
    ]);
    expect(produced(b.sent)).toEqual([['b1', expect.objectContaining({ sequence: 1, value: 'b' })]]);
    // request.timeout.ms (400 ms) later both go again with their sequences.
    // The leader is looked up again: with no answer from b1, any broker (the first, here) names it.
    const firstBroker = { int: (lo: number) => lo } as unknown as Random;
    const again = handle(
      kafka,
      c,
      { kind: 'timer', name: 'request-timeout' },
      {
        ...world('c1', {}, 400_000),
        rng: firstBroker,
      },
    );
    expect(
      produced(again.sent).map(([, m]) => [(m as MsgOf<'Produce'>).sequence, (m as MsgOf<'Produce'>).value]),
    ).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(c.resent).toBe(2);
    expect(again.replies).toEqual([]);
  });

  it('gives a produce up after delivery.timeout.ms and takes a new producer id (its sequence left a gap)', () => {
    const c = producer();
    handle(kafka, c, write(1, 'a'), world('c1'));
    const out = handle(kafka, c, { kind: 'timer', name: 'request-timeout' }, world('c1', {}, 1_200_000));
    expect(c.pending).toEqual([]);
    expect(out.sent).toContainEqual({ to: 'ctl', msg: { type: 'InitProducerId' } });
    expect(c.producerId).toBe(-1);
  });

  it('a write before the producer id is known fails at once, unsent', () => {
    const c = initClient(params());
    handle(kafka, c, { kind: 'start' }, world('c1'));
    const out = handle(kafka, c, write(1, 'a'), world('c1'));
    expect(produced(out.sent)).toEqual([]);
    expect(out.replies).toEqual([{ id: 1, result: { ok: false } }]);
  });
});

/** The quick start with every link duplicating 5 % of its messages. */
function duplicating(p: Record<string, unknown>): Scenario {
  const s = kafkaQuickStart(p);
  return ScenarioSchema.parse({
    ...s,
    topology: { ...s.topology, links: s.topology.links.map((l) => ({ ...l, dupRate: 0.05 })) },
  });
}
const runSeed = (sc: Scenario, seed: number) => {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
};
const verdict = (sim: Simulation, id: string) => sim.invariants().find((v) => v.id === id)?.ok;

describe('links that duplicate messages (5 % on every link, the quick start)', () => {
  it('without idempotence a duplicated produce is appended twice: the history breaks (seed 2)', () => {
    const sim = runSeed(duplicating({}), 2);
    expect(verdict(sim, 'linearizability')).toBe(false);
  });

  it('with idempotence every record is appended once and the history is linearizable (seeds 1-4)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const sim = runSeed(duplicating({ idempotence: true }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toBe(true);
      const dups = ['b1', 'b2', 'b3'].reduce(
        (a, b) => a + (sim.nodeState(b)!.state as BrokerState).duplicates,
        0,
      );
      expect(dups, `seed=${seed}`).toBeGreaterThan(0);
    }
  });

  it('bugNoSequenceCheck is caught by appended-once (seeds 1-3)', () => {
    for (const seed of [1, 2, 3]) {
      const sim = runSeed(duplicating({ idempotence: true, bugNoSequenceCheck: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('appended-once');
    }
  });
});
