import { describe, expect, it } from 'vitest';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import type { Input } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { pubsub } from './pubsub';
import { pubsubNemesis, pubsubQuickStart } from './scenarios';
import type {
  BrokerState,
  Message,
  PublisherState,
  PubSubMsg,
  PubSubParams,
  PubSubState,
  SubscriberState,
} from './types';

const nodes = { p1: 'client', broker: 'broker', s1: 'subscriber', s2: 'subscriber' };
const params = (change: Partial<PubSubParams> = {}): PubSubParams => pubsub.params.parse(change);
const world = (self: string, p = params(), nowUs = 0, rng?: { chance: () => boolean }) => ({
  self,
  nodes,
  params: p,
  nowUs,
  ...(rng ? { rng: rng as never } : {}),
});
const init = <S extends PubSubState>(id: string, p = params()): S =>
  pubsub.init({
    id,
    role: nodes[id as keyof typeof nodes],
    params: p,
    nodes: Object.keys(nodes).sort(),
  }) as S;
const msg = (from: string, m: PubSubMsg): Input<PubSubMsg> => ({ kind: 'message', from, msg: m });
const message = (seq: number, topic = 'orders', change: Partial<Message> = {}): Message => ({
  id: `p1:${seq}`,
  topic,
  publisher: 'p1',
  seq,
  publishTry: 1,
  body: `v${seq}`,
  publishedUs: 0,
  deliveries: 0,
  rejections: 0,
  redelivered: false,
  ...change,
});
const publish = (seq: number, topic = 'orders'): Input<PubSubMsg> =>
  msg('p1', { type: 'Publish', req: seq, msg: message(seq, topic), confirm: true });
const subscribe = (s: string, topics = ['orders']): Input<PubSubMsg> => msg(s, { type: 'Subscribe', topics });
const tick: Input<PubSubMsg> = { kind: 'timer', name: 'tick' };
const never = { chance: () => false };

/** A broker with s1 and s2 subscribed to orders. */
function broker(p = params()): BrokerState {
  const b = init<BrokerState>('broker', p);
  handle(pubsub, b, subscribe('s1'), world('broker', p));
  handle(pubsub, b, subscribe('s2'), world('broker', p));
  return b;
}

describe('the broker (AMQP 0-9-1 model)', () => {
  it('fanout: a publish goes into every subscriber’s queue, is confirmed with their names, and delivered to each', () => {
    const b = broker();
    const out = handle(pubsub, b, publish(1), world('broker'));
    expect(out.sent).toEqual([
      { to: 'p1', msg: { type: 'PublishOk', req: 1, id: 'p1:1', queues: ['orders@s1', 'orders@s2'] } },
      {
        to: 's1',
        msg: { type: 'Deliver', queue: 'orders@s1', tag: 1, msg: { ...message(1), deliveries: 1 } },
      },
      {
        to: 's2',
        msg: { type: 'Deliver', queue: 'orders@s2', tag: 2, msg: { ...message(1), deliveries: 1 } },
      },
    ]);
  });

  it('competing: one shared queue per topic, its messages handed out round robin', () => {
    const p = params({ mode: 'competing' });
    const b = broker(p);
    const to = [1, 2, 3].map(
      (k) => handle(pubsub, b, publish(k), world('broker', p)).sent.find((o) => o.msg.type === 'Deliver')?.to,
    );
    expect(Object.keys(b.queues)).toEqual(['orders']);
    expect(to).toEqual(['s1', 's2', 's1']);
  });

  it('a topic nobody subscribes to is unroutable: confirmed into no queue, counted', () => {
    const b = broker();
    const out = handle(pubsub, b, publish(1, 'payments'), world('broker'));
    expect(out.sent).toEqual([{ to: 'p1', msg: { type: 'PublishOk', req: 1, id: 'p1:1', queues: [] } }]);
    expect(b.unroutable).toBe(1);
  });

  it('prefetch: a consumer holding `prefetch` unacked deliveries gets no more until it acks', () => {
    const p = params({ prefetch: 2, mode: 'competing' });
    const b = init<BrokerState>('broker', p);
    handle(pubsub, b, subscribe('s1'), world('broker', p));
    for (const k of [1, 2, 3]) handle(pubsub, b, publish(k), world('broker', p));
    expect(b.queues.orders!.unacked.map((d) => d.msg.id)).toEqual(['p1:1', 'p1:2']);
    expect(b.queues.orders!.ready.map((m) => m.id)).toEqual(['p1:3']);
    const out = handle(pubsub, b, msg('s1', { type: 'Ack', queue: 'orders', tag: 1 }), world('broker', p));
    expect(out.sent.map((o) => [o.to, o.msg.type])).toEqual([['s1', 'Deliver']]);
    expect(b.queues.orders!.unacked.map((d) => d.msg.id)).toEqual(['p1:2', 'p1:3']);
  });

  it('a full queue refuses the publish (reject-publish: a nack), the other queues still take it', () => {
    const p = params({ queueCapacity: 1, prefetch: 1 });
    const b = broker(p);
    handle(pubsub, b, publish(1), world('broker', p)); // delivered to both: nothing ready
    handle(pubsub, b, publish(2), world('broker', p)); // ready in both: both full now
    handle(pubsub, b, msg('s1', { type: 'Ack', queue: 'orders@s1', tag: 1 }), world('broker', p)); // s1's queue moves on
    const out = handle(pubsub, b, publish(3), world('broker', p));
    expect(out.sent[0]).toEqual({
      to: 'p1',
      msg: { type: 'PublishNack', req: 3, id: 'p1:3', queue: 'orders@s2' },
    });
    expect(b.queues['orders@s1']!.ready.map((m) => m.id)).toEqual(['p1:3']);
    expect(b.queues['orders@s2']!.ready.map((m) => m.id)).toEqual(['p1:2']);
    expect(b.refused).toBe(1);
  });

  it('a nack puts the message back at the head, redelivered; after maxAttempts rejections it is dead-lettered', () => {
    const p = params({ maxAttempts: 2, mode: 'competing', prefetch: 1 });
    const b = init<BrokerState>('broker', p);
    handle(pubsub, b, subscribe('s1'), world('broker', p));
    handle(pubsub, b, publish(1), world('broker', p));
    handle(pubsub, b, publish(2), world('broker', p));
    const again = handle(pubsub, b, msg('s1', { type: 'Nack', queue: 'orders', tag: 1 }), world('broker', p));
    expect(again.sent).toEqual([
      {
        to: 's1',
        msg: {
          type: 'Deliver',
          queue: 'orders',
          tag: 2,
          msg: { ...message(1), deliveries: 2, rejections: 1, redelivered: true },
        },
      },
    ]);
    expect(b.redeliveries).toBe(1);
    const out = handle(pubsub, b, msg('s1', { type: 'Nack', queue: 'orders', tag: 2 }), world('broker', p));
    expect(b.deadLetters).toEqual([{ queue: 'orders', id: 'p1:1', reason: 'delivery-limit' }]);
    expect(out.sent.map((o) => (o.msg as { msg: Message }).msg.id)).toEqual(['p1:2']);
  });

  it('redelivers a delivery whose ack did not come within the ack timeout, and drops a consumer whose lease ran out', () => {
    const p = params({ ackTimeoutMs: 200, leaseMs: 300, mode: 'competing', prefetch: 1 });
    const b = init<BrokerState>('broker', p);
    handle(pubsub, b, subscribe('s1'), world('broker', p, 0));
    handle(pubsub, b, subscribe('s2'), world('broker', p, 0));
    handle(pubsub, b, publish(1), world('broker', p, 0)); // to s1
    handle(pubsub, b, subscribe('s2'), world('broker', p, 150_000)); // s2 renews its lease
    const late = handle(pubsub, b, tick, world('broker', p, 200_000));
    expect(late.notes).toContain('requeue p1:1 in orders (ack timeout)');
    expect(late.sent.map((o) => o.to)).toEqual(['s2']);
    // A late ack says nothing about the message: it does not count toward the delivery limit.
    expect(b.queues.orders!.unacked[0]!.msg).toMatchObject({
      deliveries: 2,
      rejections: 0,
      redelivered: true,
    });
    const lost = handle(pubsub, b, tick, world('broker', p, 310_000));
    expect(lost.notes).toContain('lost consumer s1');
    expect(b.queues.orders!.consumers).toEqual(['s2']);
  });

  it('a durable broker keeps its queues through a crash and takes back what was unacked; a transient one starts empty', () => {
    for (const durable of [true, false]) {
      const p = params({ durable });
      const b = broker(p);
      handle(pubsub, b, publish(1), world('broker', p));
      const kept = Object.fromEntries(pubsub.durable.filter((f) => f in b).map((f) => [f, (b as never)[f]]));
      const after = { ...init<BrokerState>('broker', p), ...structuredClone(kept) } as BrokerState;
      handle(pubsub, after, { kind: 'restart' }, world('broker', p));
      if (durable) {
        expect(after.queues['orders@s1']!.ready).toEqual([
          { ...message(1), deliveries: 1, redelivered: true },
        ]);
        expect(after.queues['orders@s1']!.consumers).toEqual([]);
      } else expect(after.queues).toEqual({});
    }
  });
});

describe('the subscriber', () => {
  const deliver = (seq: number, tag: number, change: Partial<Message> = {}): Input<PubSubMsg> =>
    msg('broker', { type: 'Deliver', queue: 'orders@s1', tag, msg: message(seq, 'orders', change) });
  const processTimer: Input<PubSubMsg> = { kind: 'timer', name: 'process' };

  it('at least once: processes, applies the effect, then acks; a failure nacks instead', () => {
    const s = init<SubscriberState>('s1');
    const got = handle(pubsub, s, deliver(1, 7), world('s1'));
    expect(got.sent).toEqual([]);
    expect(got.timers).toEqual([{ name: 'process', afterUs: 8000 }]);
    const done = handle(pubsub, s, processTimer, world('s1', params(), 0, never));
    expect(done.sent).toEqual([{ to: 'broker', msg: { type: 'Ack', queue: 'orders@s1', tag: 7 } }]);
    expect(s.applied['p1:1']).toEqual({ queue: 'orders@s1', n: 1 });
    handle(pubsub, s, deliver(2, 8), world('s1'));
    const failed = handle(pubsub, s, processTimer, world('s1', params(), 0, { chance: () => true }));
    expect(failed.sent).toEqual([{ to: 'broker', msg: { type: 'Nack', queue: 'orders@s1', tag: 8 } }]);
    expect(s.applied['p1:2']).toBeUndefined();
  });

  it('bugAckBeforeProcess acks on receipt, before the effect', () => {
    const p = params({ bugAckBeforeProcess: true });
    const s = init<SubscriberState>('s1', p);
    const got = handle(pubsub, s, deliver(1, 7), world('s1', p));
    expect(got.sent).toEqual([{ to: 'broker', msg: { type: 'Ack', queue: 'orders@s1', tag: 7 } }]);
    expect(handle(pubsub, s, processTimer, world('s1', p, 0, never)).sent).toEqual([]);
  });

  it('a second delivery of an applied message: at least once applies it again, effectively once skips it, bugNoDedupe does not', () => {
    const cases: [Partial<PubSubParams>, number, boolean | null][] = [
      [{ semantics: 'at-least-once' }, 2, false],
      [{ semantics: 'effectively-once' }, 1, null],
      [{ semantics: 'effectively-once', bugNoDedupe: true }, 2, true],
    ];
    for (const [change, n, promised] of cases) {
      const p = params(change);
      const s = init<SubscriberState>('s1', p);
      for (const tag of [1, 2]) {
        handle(pubsub, s, deliver(1, tag, { redelivered: tag === 2 }), world('s1', p));
        const out = handle(pubsub, s, processTimer, world('s1', p, 0, never));
        expect(out.sent.at(-1)?.msg.type, JSON.stringify(change)).toBe('Ack');
        if (tag === 2)
          expect(out.events, JSON.stringify(change)).toEqual(
            promised === null ? [] : [{ type: 'duplicate-effect', id: 'p1:1', n: 2, promised }],
          );
      }
      expect(s.applied['p1:1']!.n, JSON.stringify(change)).toBe(n);
      expect(s.duplicates).toBe(1);
    }
  });

  it('states an order break when a first delivery comes after a later message of its publisher, not for a redelivery', () => {
    const s = init<SubscriberState>('s1');
    handle(pubsub, s, deliver(2, 1), world('s1'));
    expect(handle(pubsub, s, deliver(1, 2, { redelivered: true }), world('s1')).events).toEqual([]);
    expect(handle(pubsub, s, deliver(1, 3), world('s1')).events).toEqual([
      { type: 'out-of-order', queue: 'orders@s1', publisher: 'p1', seq: 1, after: 2 },
    ]);
  });
});

describe('the publisher', () => {
  const op = (id: number): Input<PubSubMsg> => ({
    kind: 'client',
    op: { id, client: 'p1', op: 'write', key: 'orders', value: `v${id}` },
  });

  it('at most once sends and answers at once, asking for no confirm', () => {
    const p = params({ semantics: 'at-most-once' });
    const c = init<PublisherState>('p1', p);
    const out = handle(pubsub, c, op(5), world('p1', p, 1000));
    expect(out.sent).toEqual([
      {
        to: 'broker',
        msg: {
          type: 'Publish',
          req: 1,
          msg: { ...message(1), body: 'v5', publishedUs: 1000 },
          confirm: false,
        },
      },
    ]);
    expect(out.replies).toEqual([{ id: 5, result: { ok: true } }]);
  });

  it('at least once waits for the confirm, re-sends with the same id, and a refusal fails the publish', () => {
    const c = init<PublisherState>('p1');
    const first = handle(pubsub, c, op(5), world('p1'));
    expect(first.replies).toEqual([]);
    const again = handle(pubsub, c, { kind: 'timer', name: 'op:5' }, world('p1', params(), 150_000));
    expect(again.sent).toEqual([
      {
        to: 'broker',
        msg: { type: 'Publish', req: 1, msg: { ...message(1), body: 'v5', publishTry: 2 }, confirm: true },
      },
    ]);
    const ok = handle(
      pubsub,
      c,
      msg('broker', { type: 'PublishOk', req: 1, id: 'p1:1', queues: ['orders@s1'] }),
      world('p1'),
    );
    expect(ok.replies).toEqual([{ id: 5, result: { ok: true } }]);
    expect(c.confirmed).toEqual([{ id: 'p1:1', queues: ['orders@s1'] }]);
    handle(pubsub, c, op(6), world('p1'));
    const no = handle(
      pubsub,
      c,
      msg('broker', { type: 'PublishNack', req: 2, id: 'p1:2', queue: 'orders@s1' }),
      world('p1'),
    );
    expect(no.replies).toEqual([{ id: 6, result: { ok: false } }]);
  });
});

/** Runs a scenario to its end with params and seed changed. */
function run(base: Scenario, seed: number, change: Record<string, unknown> = {}): Simulation {
  const sc = ScenarioSchema.parse({ ...base, seed, params: { ...base.params, ...change } });
  const sim = new Simulation(sc);
  sim.runUntil(sc.limits.maxTimeUs, 1_000_000);
  return sim;
}
const last = (sim: Simulation, id: string): number =>
  sim
    .metrics()
    .series.find((x) => x.id === id)!
    .v.at(-1)!;
const states = <S extends PubSubState>(sim: Simulation, kind: S['kind']): S[] =>
  sim
    .nodeStates()
    .map((n) => n.state as S)
    .filter((s) => s.kind === kind);

describe('the guarantees, over seeds', () => {
  it('at least once under crashes of the broker and the subscribers: nothing confirmed is lost (nemesis, seeds 1-8)', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const sim = run(pubsubNemesis(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const verdict = sim.invariants().find((v) => v.id === 'no-lost-message');
      expect(verdict?.ok, `seed=${seed}`).toBe(true);
      expect(last(sim, 'processed'), `seed=${seed}`).toBeGreaterThan(200);
    }
  });

  it('effectively once: duplicates are delivered and counted, but no effect is applied twice (nemesis, seeds 1-8)', () => {
    let duplicates = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const sim = run(pubsubNemesis(), seed, { semantics: 'effectively-once' });
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(last(sim, 'duplicateEffects'), `seed=${seed}`).toBe(0);
      duplicates += last(sim, 'duplicates');
    }
    expect(duplicates).toBeGreaterThan(0);
  });

  it('competing consumers each dedupe against their own table: the metric counts a message another one applied (nemesis, seeds 1-3)', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const sim = run(pubsubNemesis(), seed, { semantics: 'effectively-once', mode: 'competing' });
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const subs = states<SubscriberState>(sim, 'subscriber');
      const own = subs.reduce((n, s) => n + s.duplicateEffects, 0);
      const owners = new Map<string, number>();
      for (const s of subs)
        for (const id of Object.keys(s.applied)) owners.set(id, (owners.get(id) ?? 0) + 1);
      const across = [...owners.values()].reduce((n, k) => n + k - 1, 0);
      expect(own, `seed=${seed}`).toBe(0);
      expect(across, `seed=${seed}`).toBeGreaterThan(0);
      expect(last(sim, 'duplicateEffects'), `seed=${seed}`).toBe(across);
    }
  });

  it('at least once applies the duplicates: the duplicateEffects metric counts them (nemesis, seeds 1-4)', () => {
    let dup = 0;
    for (let seed = 1; seed <= 4; seed++) dup += last(run(pubsubNemesis(), seed), 'duplicateEffects');
    expect(dup).toBeGreaterThan(0);
  });

  it('bugAckBeforeProcess loses confirmed messages: no-lost-message fires on every seed (quick start, 1-10)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const sim = run(pubsubQuickStart(), seed, { bugAckBeforeProcess: true });
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('no-lost-message');
      expect(sim.violation?.message, `seed=${seed}`).toMatch(/is lost: not queued/);
    }
  });

  it('bugNoDedupe applies a duplicate under effectively once: no-duplicate-effects fires on every seed (quick start, 1-10)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const sim = run(pubsubQuickStart(), seed, { semantics: 'effectively-once', bugNoDedupe: true });
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('no-duplicate-effects');
    }
  });

  it('a transient broker (durable off) loses confirmed messages when it crashes', () => {
    const base = pubsubQuickStart({ durable: false });
    const sc = ScenarioSchema.parse({
      ...base,
      faults: [
        { atUs: 1_000_000, fault: { kind: 'crash', node: 'broker' } },
        { atUs: 1_100_000, fault: { kind: 'restart', node: 'broker' } },
      ],
    });
    for (let seed = 1; seed <= 3; seed++) {
      const sim = run(ScenarioSchema.parse({ ...sc, params: { ...sc.params, processMs: 30 } }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('no-lost-message');
      const durable = run(
        ScenarioSchema.parse({ ...sc, params: { ...sc.params, processMs: 30, durable: true } }),
        seed,
      );
      expect(durable.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('fanout gives every subscriber every message; competing consumers process each message once in all', () => {
    const base = pubsubQuickStart({ failRate: 0 });
    const calm = ScenarioSchema.parse({
      ...base,
      faults: [],
      workload: { ...base.workload, stopUs: 3_000_000 },
      topology: { ...base.topology, links: base.topology.links.map((l) => ({ ...l, lossRate: 0 })) },
    });
    for (const mode of ['fanout', 'competing'] as const) {
      const sim = run(calm, 1, { mode });
      const confirmed = states<PublisherState>(sim, 'publisher').flatMap((c) => c.confirmed.map((x) => x.id));
      const subs = states<SubscriberState>(sim, 'subscriber');
      expect(confirmed.length).toBeGreaterThan(100);
      const done = (id: string) => subs.filter((s) => s.applied[id] !== undefined).length;
      // The publishes stop at 3 s, two seconds before the end: every one has arrived by then.
      for (const id of confirmed) expect(done(id), `${mode} ${id}`).toBe(mode === 'fanout' ? 3 : 1);
    }
  });

  it('backpressure: with a small queue and a subscriber away, the broker refuses publishes and publishers see failures', () => {
    const sim = run(pubsubQuickStart({ queueCapacity: 5 }), 1);
    expect(sim.violation).toBeNull();
    expect(last(sim, 'refused')).toBeGreaterThan(0);
    expect(sim.metrics().gauges.availability).toBeLessThan(1);
  });

  it('per-publisher order breaks where it is not promised: a link that reorders', () => {
    const base = pubsubQuickStart({ semantics: 'at-most-once' });
    const sc = ScenarioSchema.parse({
      ...base,
      topology: {
        ...base.topology,
        links: base.topology.links.map((l) =>
          l.a === 'p1' ? { ...l, reorderRate: 0.5, reorderDelayUs: 60_000 } : l,
        ),
      },
    });
    const sim = run(sc, 1);
    expect(sim.violation?.invariant).toBe('per-publisher-order');
    expect(run(base, 1).violation).toBeNull();
  });

  it('owes nothing while the faults go on: no-lost-message is not checked under a nemesis that never stops', () => {
    const base = pubsubNemesis({ bugAckBeforeProcess: true, failRate: 0 });
    const sim = run(ScenarioSchema.parse({ ...base, nemesis: { ...base.nemesis, stopUs: undefined } }), 1);
    expect(sim.violation).toBeNull();
    expect(sim.invariants().find((v) => v.id === 'no-lost-message')?.ok).toBeNull();
  });
});
