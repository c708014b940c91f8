import { beforeAll, describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../catalog';
import type { Input, NodeView } from '../../../protocol';
import { Simulation } from '../../../simulation';
import { consensusScenario, restarted, testRng } from '../../../test/paxos-kit';
import { handle } from '../../../toolkit/recorder';
import { type Ballot, cmpBallot } from './ballot';
import {
  type AcceptorState,
  chosenValues,
  type LearnerState,
  type PaxosMsg,
  PaxosParams,
  type PaxosState,
  type ProposerState,
  paxos,
} from './paxos';

beforeAll(() => registerProtocol(paxos));

const params = PaxosParams.parse({});
const roles = {
  p1: 'proposer',
  p2: 'proposer',
  a1: 'acceptor',
  a2: 'acceptor',
  a3: 'acceptor',
  l1: 'learner',
  c1: 'client',
};
const init = (id: string) =>
  paxos.init({ id, role: roles[id as keyof typeof roles], params, nodes: Object.keys(roles).sort() });
const msg = (from: string, m: PaxosMsg): Input<PaxosMsg> => ({ kind: 'message', from, msg: m });
const b = (r: number, p: string): Ballot => ({ r, p });

/**
 * Feeds inputs to one node, starting from a copy of `start` (so a test can branch from one
 * state); returns the final state and every input's sends, notes and check events.
 */
function feed(
  id: string,
  inputs: Input<PaxosMsg>[],
  start: PaxosState = init(id),
  p: Partial<PaxosParams> = {},
) {
  const s = structuredClone(start);
  const world = { self: id, nodes: roles, params: { ...params, ...p }, rng: testRng(id) };
  const sent: { to: string; msg: PaxosMsg }[] = [];
  const notes: string[] = [];
  const events: string[] = [];
  for (const input of inputs) {
    const out = handle(paxos, s, input, world);
    sent.push(...out.sent);
    notes.push(...out.notes);
    events.push(...out.events.map((e) => e.type));
  }
  return { s, sent, notes, events };
}

/** The node's state after a crash and restart: its durable fields over a fresh state. */
const revive = (id: string, s: PaxosState) => restarted(paxos.durable, s, init(id));

/** The default topology with a closed workload on one register ('x'). */
function scenario(extra: Record<string, unknown> = {}) {
  return consensusScenario('paxos', {
    topology: paxos.defaultTopology(params),
    workload: {
      kind: 'closed',
      concurrency: 2,
      readFraction: 0.2,
      keys: { list: ['x'] },
      timeoutUs: 2_000_000,
    },
    limits: { maxTimeUs: 2_000_000 },
    ...extra,
  });
}

function views(sim: Simulation): NodeView<PaxosState>[] {
  return sim
    .nodeStates()
    .filter((n) => n.role !== 'switch')
    .map((n) => ({ id: n.id, role: n.role, up: n.up, state: n.state as PaxosState }));
}

describe('rules (Lamport, Paxos Made Simple, 2001)', () => {
  it('ballots are totally ordered by round, then proposer id; null is lowest', () => {
    // Paxos Made Simple §2.2 ("proposals are numbered"), §2.3 (disjoint sets per proposer).
    expect(cmpBallot(b(1, 'p2'), b(2, 'p1'))).toBeLessThan(0);
    expect(cmpBallot(b(2, 'p1'), b(2, 'p2'))).toBeLessThan(0);
    expect(cmpBallot(b(2, 'p2'), b(2, 'p2'))).toBe(0);
    expect(cmpBallot(null, b(1, 'p1'))).toBeLessThan(0);
  });

  it('P1: an acceptor accepts the first proposal it receives', () => {
    // Paxos Made Simple §2.2, P1: "An acceptor must accept the first proposal that it receives."
    const { s, sent } = feed('a1', [msg('p1', { type: 'accept', b: b(3, 'p1'), v: 'x' })]);
    expect((s as AcceptorState).accepted).toEqual({ b: b(3, 'p1'), v: 'x' });
    expect(sent.map((o) => `${o.msg.type}>${o.to}`).sort()).toEqual(['accepted>l1', 'accepted>p1']);
  });

  it('P1a: an acceptor accepts unless it promised a higher ballot', () => {
    // Paxos Made Simple §2.2, P1a: "An acceptor can accept a proposal numbered n iff it has not
    // responded to a prepare request having a number greater than n."
    const promised = feed('a1', [msg('p2', { type: 'prepare', b: b(2, 'p2') })]).s;
    const low = feed('a1', [msg('p1', { type: 'accept', b: b(1, 'p1'), v: 'x' })], promised);
    expect((low.s as AcceptorState).accepted).toBeNull();
    expect(low.sent).toEqual([
      { to: 'p1', msg: { type: 'nack', b: b(1, 'p1'), promised: b(2, 'p2'), phase: 2, settled: false } },
    ]);
    const equal = feed('a1', [msg('p2', { type: 'accept', b: b(2, 'p2'), v: 'y' })], promised);
    expect((equal.s as AcceptorState).accepted).toEqual({ b: b(2, 'p2'), v: 'y' });
    const higher = feed('a1', [msg('p1', { type: 'accept', b: b(3, 'p1'), v: 'z' })], promised);
    expect((higher.s as AcceptorState).accepted).toEqual({ b: b(3, 'p1'), v: 'z' });
  });

  it('phase 1b: a promise carries the highest-numbered proposal accepted; lower prepares are refused', () => {
    // Paxos Made Simple §2.3, phase 1(b): respond "with a promise not to accept any more
    // proposals numbered less than n and with the highest-numbered proposal (if any) that it
    // has accepted".
    const { s, sent } = feed('a1', [
      msg('p1', { type: 'accept', b: b(1, 'p1'), v: 'x' }),
      msg('p2', { type: 'prepare', b: b(2, 'p2') }),
      msg('p1', { type: 'prepare', b: b(1, 'p1') }),
    ]);
    const replies = sent.filter((o) => o.msg.type === 'promise' || o.msg.type === 'nack');
    expect(replies).toEqual([
      { to: 'p2', msg: { type: 'promise', b: b(2, 'p2'), accepted: { b: b(1, 'p1'), v: 'x' } } },
      { to: 'p1', msg: { type: 'nack', b: b(1, 'p1'), promised: b(2, 'p2'), phase: 1, settled: false } },
    ]);
    expect((s as AcceptorState).promised).toEqual(b(2, 'p2'));
  });

  it('P2c: the proposer proposes the value of the highest-numbered proposal among a majority’s replies', () => {
    // Paxos Made Simple §2.2, P2c, and §2.3 phase 2(a): "v is the value of the highest-numbered
    // proposal among the responses, or is any value if the responses reported no proposals."
    const started = feed('p1', [msg('c1', { type: 'request', id: 1, value: 'mine' })]);
    const bal = (started.s as ProposerState).ballot!;
    expect(started.sent.filter((o) => o.msg.type === 'prepare').map((o) => o.to)).toEqual(['a1', 'a2', 'a3']);
    const one = feed(
      'p1',
      [msg('a1', { type: 'promise', b: bal, accepted: { b: b(1, 'p2'), v: 'old' } })],
      started.s,
    );
    expect((one.s as ProposerState).phase).toBe('prepare'); // 1 of 3 is not a majority
    const two = feed(
      'p1',
      [msg('a3', { type: 'promise', b: bal, accepted: { b: b(0, 'p3'), v: 'older' } })],
      one.s,
    );
    expect((two.s as ProposerState).phase).toBe('accept');
    const accepts = two.sent.filter((o) => o.msg.type === 'accept');
    expect(accepts.map((o) => o.to)).toEqual(['a1', 'a2', 'a3']);
    expect(accepts.every((o) => o.msg.type === 'accept' && o.msg.v === 'old')).toBe(true);
    // With no accepted proposal among the replies, the proposer is free to use its own value.
    const free = feed(
      'p1',
      [
        msg('a1', { type: 'promise', b: bal, accepted: null }),
        msg('a2', { type: 'promise', b: bal, accepted: null }),
      ],
      started.s,
    );
    expect(free.sent.every((o) => o.msg.type !== 'accept' || o.msg.v === 'mine')).toBe(true);
    expect(free.sent.some((o) => o.msg.type === 'accept')).toBe(true);
  });

  it('a learner learns only when a majority accepted the same ballot', () => {
    // Paxos Made Simple §2.4: a value is learned once "a proposal has been accepted by a
    // majority of acceptors"; §2.2: chosen means one proposal (one number) accepted by a majority.
    const acc = (from: string, r: number, v: string) => msg(from, { type: 'accepted', b: b(r, 'p1'), v });
    const oneTwice = feed('l1', [acc('a1', 1, 'x'), acc('a1', 1, 'x')]);
    expect((oneTwice.s as LearnerState).learned).toBeNull();
    const mixed = feed('l1', [acc('a1', 1, 'x'), acc('a2', 2, 'x')]);
    expect((mixed.s as LearnerState).learned).toBeNull(); // two ballots, no majority at either
    const maj = feed('l1', [acc('a1', 2, 'x'), acc('a3', 2, 'x')]);
    expect((maj.s as LearnerState).learned).toBe('x');
    expect(maj.notes).toEqual(['learned x (ballot 2.p1, accepted by a1,a3)']);
  });

  it('a proposer retries with a higher ballot after a NACK, and a pre-emption by another proposer is a duel', () => {
    // Paxos Made Simple §2.3 (abandon on a higher number) and §2.4 (duelling proposers).
    const started = feed('p1', [msg('c1', { type: 'request', id: 1, value: 'v' })]);
    const bal = (started.s as ProposerState).ballot!;
    const late = feed(
      'p1',
      [msg('a2', { type: 'nack', b: bal, promised: b(4, 'p2'), phase: 1, settled: true })],
      started.s,
    );
    expect((late.s as ProposerState).duels).toBe(0); // the rival already got a value accepted: not a duel
    expect(late.notes[0]).toBe('ballot 1.p1: too late, 4.p2 already has a value accepted');
    const duel = feed(
      'p1',
      [msg('a2', { type: 'nack', b: bal, promised: b(4, 'p2'), phase: 1, settled: false })],
      started.s,
    );
    const s = duel.s as ProposerState;
    expect(s.phase).toBe('backoff');
    expect(s.duels).toBe(1);
    expect(duel.notes[0]).toBe('duel: ballot 1.p1 pre-empted by 4.p2');
    const retry = feed('p1', [{ kind: 'timer', name: 'retry' }], s);
    expect((retry.s as ProposerState).ballot).toEqual(b(5, 'p1'));
  });

  it('stable storage: a proposer never reuses a ballot, an acceptor keeps promise and accepted across a crash', () => {
    // Paxos Made Simple §2.3: a proposer remembers "the highest-numbered proposal it has tried
    // to issue"; "an acceptor must remember this information even if it fails and then restarts".
    const p = feed('p1', [msg('c1', { type: 'request', id: 1, value: 'v' })]).s;
    const again = feed('p1', [msg('c1', { type: 'request', id: 2, value: 'w' })], revive('p1', p));
    expect((again.s as ProposerState).ballot).toEqual(b(2, 'p1'));
    const a = feed('a1', [
      msg('p1', { type: 'accept', b: b(1, 'p1'), v: 'x' }),
      msg('p2', { type: 'prepare', b: b(3, 'p2') }),
    ]).s;
    const back = feed('a1', [{ kind: 'restart' }], revive('a1', a)).s as AcceptorState;
    expect(back.promised).toEqual(b(3, 'p2'));
    expect(back.accepted).toEqual({ b: b(1, 'p1'), v: 'x' });
    // The bug switch drops the promise: only the accepted ballot is left.
    const buggy = feed('a1', [{ kind: 'restart' }], revive('a1', a), {
      bugForgetPromiseOnRestart: true,
    }).s as AcceptorState;
    expect(buggy.promised).toEqual(b(1, 'p1'));
  });

  it('states facts for the nemesis: a changed promise or acceptance, and a proposer entering phase 2', () => {
    // NEMESIS_EVENTS: 'promised' where a promise must survive a crash (§2.3), 'elected' where a
    // proposer starts leading its ballot's round (phase 2).
    const a = feed('a1', [
      msg('p1', { type: 'prepare', b: b(1, 'p1') }),
      msg('p1', { type: 'prepare', b: b(1, 'p1') }), // the same promise again: nothing new
      msg('p1', { type: 'accept', b: b(1, 'p1'), v: 'x' }),
      msg('p1', { type: 'accept', b: b(1, 'p1'), v: 'x' }), // already accepted
      msg('p2', { type: 'accept', b: b(0, 'p2'), v: 'y' }), // refused
    ]);
    expect(a.events).toEqual(['promised', 'promised']);
    // The bug switch rewrites the promise on restart, which counts as a promise too.
    const promisedHigher = feed('a1', [msg('p2', { type: 'prepare', b: b(3, 'p2') })], a.s).s;
    expect(feed('a1', [{ kind: 'restart' }], revive('a1', promisedHigher)).events).toEqual([]);
    expect(
      feed('a1', [{ kind: 'restart' }], revive('a1', promisedHigher), { bugForgetPromiseOnRestart: true })
        .events,
    ).toEqual(['promised']);
    const started = feed('p1', [msg('c1', { type: 'request', id: 1, value: 'v' })]);
    const bal = (started.s as ProposerState).ballot!;
    const p = feed(
      'p1',
      [
        msg('a1', { type: 'promise', b: bal, accepted: null }),
        msg('a2', { type: 'promise', b: bal, accepted: null }),
        msg('a3', { type: 'promise', b: bal, accepted: null }),
      ],
      started.s,
    );
    expect(p.events).toEqual(['elected']);
    expect(paxos.nemesis!.leads(p.s)).toBe(bal.r);
    expect(paxos.nemesis!.leads(started.s)).toBeNull();
  });
});

describe('runs', () => {
  it('a clean run chooses one value; the learner learns it; acknowledged writes carry it', () => {
    const sim = new Simulation(scenario());
    sim.runFor(1e6);
    expect(sim.violation, `seed=${sim.seed}`).toBeNull();
    const chosen = chosenValues(views(sim));
    expect(new Set(chosen.map((c) => c.v)).size).toBe(1);
    const v = chosen[0]!.v;
    const l1 = sim.nodeState('l1')!.state as LearnerState;
    expect(l1.learned).toBe(v);
    const h = sim.history();
    const acked = h.filter((o) => o.kind === 'put' && o.returnUs !== null);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((o) => o.value === v)).toBe(true);
    expect(
      h
        .filter((o) => o.kind === 'get' && o.returnUs !== null && o.output !== null)
        .every((o) => o.output === v),
    ).toBe(true);
    expect(paxos.summary(sim.nodeState('l1')!.state as PaxosState, true).text).toBe(
      `learner · learned ${v}@${chosen[0]!.b}`,
    );
  });

  it('duelling proposers are visible: trace notes and the duels metric', () => {
    // Paxos Made Simple §2.4: two proposers can keep pre-empting each other.
    let found = -1;
    for (let seed = 1; seed <= 50 && found < 0; seed++) {
      const sim = new Simulation(
        scenario({ seed, params: { backoffMsMin: 0, backoffMsMax: 5 }, limits: { maxTimeUs: 300_000 } }),
      );
      sim.runFor(1e6);
      const duels = sim
        .traceWindow({ from: 0, to: 1e9 }, 1e6)
        .filter((r) => r.kind === 'note' && r.detail?.startsWith('duel:'));
      const series = sim.metrics().series.find((s) => s.id === 'duels')!;
      const gauge = paxos.metrics.find((m) => m.id === 'duels')!.read(views(sim));
      if (duels.length >= 1) {
        expect(gauge, `seed=${seed}`).toBe(duels.length);
        expect(series.v.at(-1)!, `seed=${seed}`).toBeLessThanOrEqual(gauge);
        expect(duels[0]!.detail).toMatch(/^duel: ballot \d+\.p\d pre-empted by \d+\.p\d$/);
        found = seed;
      }
    }
    expect(found, 'no seed in 1..50 with a duel').toBeGreaterThan(0);
  });

  it('an acceptor crash leaves a majority: a value is still chosen, and the promise survives the crash', () => {
    const sim = new Simulation(
      scenario({
        faults: [
          { atUs: 0, fault: { kind: 'crash', node: 'a3' } },
          { atUs: 300_000, fault: { kind: 'restart', node: 'a3' } },
        ],
      }),
    );
    sim.runUntil(250_000);
    const a3 = sim.nodeState('a3')!;
    expect(a3.up).toBe(false);
    expect(new Set(chosenValues(views(sim)).map((c) => c.v)).size).toBe(1);
    sim.runFor(1e6);
    expect(sim.violation).toBeNull();
  });

  it('without client nodes the workload talks to the nodes directly; proposers propose its writes', () => {
    const topo = paxos.defaultTopology(params);
    const sim = new Simulation(
      scenario({
        topology: {
          nodes: topo.nodes.filter((n) => n.id !== 'c1'),
          links: topo.links.filter((l) => l.a !== 'c1'),
        },
        workload: { kind: 'open', ratePerS: 50, readFraction: 0.3, keys: { list: ['x'] }, stopUs: 1_000_000 },
      }),
    );
    sim.runFor(1e6);
    expect(sim.violation).toBeNull();
    const chosen = [...new Set(chosenValues(views(sim)).map((c) => c.v))];
    expect(chosen).toHaveLength(1);
    const acked = sim.history().filter((o) => o.kind === 'put' && o.returnUs !== null);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((o) => o.value === chosen[0])).toBe(true);
  });

  it('same seed, same trace hash (determinism)', () => {
    const run = () => {
      const sim = new Simulation(scenario({ seed: 42, nemesis: nemesis() }));
      sim.runFor(1e6);
      return sim.traceHash();
    };
    expect(run()).toBe(run());
  });
});

/** All nemesis kinds: crashes and restarts, partitions (30% one-way), loss bursts, clock steps. */
function nemesis() {
  return {
    enabled: true,
    stopUs: 1_500_000,
    crashRatePerS: 4,
    meanDowntimeUs: 150_000,
    partitionRatePerS: 2,
    meanPartitionUs: 200_000,
    oneWayFraction: 0.3,
    lossRatePerS: 2,
    lossRate: 0.4,
    meanLossUs: 200_000,
    clockSkewRatePerS: 2,
    maxSkewUs: 50_000,
  };
}

describe('safety under faults', () => {
  it('120 seeds with the nemesis: one value chosen, acknowledged writes carry it, learners agree', () => {
    let chosenRuns = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const sim = new Simulation(scenario({ seed, nemesis: nemesis(), limits: { maxTimeUs: 3_000_000 } }));
      sim.runFor(1e6);
      expect(sim.violation, `reproduce with seed=${seed}`).toBeNull();
      const vs = views(sim);
      const chosen = [...new Set(chosenValues(vs).map((c) => c.v))];
      expect(chosen.length, `seed=${seed}`).toBeLessThanOrEqual(1);
      if (chosen.length === 1) chosenRuns++;
      for (const o of sim.history())
        if (o.kind === 'put' && o.returnUs !== null)
          expect(o.value, `seed=${seed}: acked write`).toBe(chosen[0]);
      for (const v of vs)
        if (v.role === 'learner') {
          const l = v.state as Partial<LearnerState>;
          if (l.learned != null) expect(l.learned, `seed=${seed}`).toBe(chosen[0]);
        }
    }
    // Liveness once the nemesis stops (1.5 s) and its faults heal: every run chooses.
    expect(chosenRuns).toBe(120);
  });

  /** A2 flaps (down 0.5 ms every 5 ms) while one-way cuts make p1 use {a1,a2} and p2 {a2,a3}. */
  function flapping(seed: number, bug: boolean) {
    const faults: unknown[] = [
      { atUs: 0, fault: { kind: 'partition-oneway', from: ['p2'], to: ['a1'] } },
      { atUs: 0, fault: { kind: 'partition-oneway', from: ['p1'], to: ['a3'] } },
    ];
    for (let t = 2000; t < 200_000; t += 5000)
      faults.push(
        { atUs: t, fault: { kind: 'crash', node: 'a2' } },
        { atUs: t + 500, fault: { kind: 'restart', node: 'a2' } },
      );
    return scenario({
      seed,
      params: { bugForgetPromiseOnRestart: bug },
      workload: {
        kind: 'closed',
        concurrency: 2,
        readFraction: 0,
        keys: { list: ['x'] },
        timeoutUs: 2_000_000,
      },
      faults,
      limits: { maxTimeUs: 200_000 },
    });
  }

  it('bugForgetPromiseOnRestart is caught: a seed found by search chooses two values, and replays to the same violation', () => {
    // Paxos Made Simple §2.3: the promise must survive a restart. a2 promises 1.p2, restarts
    // without it, accepts p1's lower ballot (a majority with a1): v1 chosen; p2's phase 1 had
    // a2's promise with nothing accepted, so p2 gets its own value chosen with a3: two values.
    let seed = -1;
    for (let s = 1; s <= 200 && seed < 0; s++) {
      const sim = new Simulation(flapping(s, true));
      sim.runFor(1e6);
      if (sim.violation !== null) seed = s;
    }
    expect(seed, 'no seed in 1..200 caught the bug').toBeGreaterThan(0);
    console.log(`bugForgetPromiseOnRestart caught with seed=${seed}`);
    const a = new Simulation(flapping(seed, true));
    a.runFor(1e6);
    const b2 = new Simulation(flapping(seed, true));
    b2.runFor(1e6);
    expect(a.violation!.invariant).toBe('at-most-one-chosen');
    expect(a.violation!.message).toMatch(/^two values chosen: /);
    expect(b2.violation).toEqual(a.violation);
    expect(b2.traceHash()).toBe(a.traceHash());
    const notes = a.traceWindow({ from: 0, to: 1e9 }, 1e6).filter((r) => r.kind === 'note');
    expect(notes.some((r) => r.node === 'a2' && r.detail?.includes('forgotten (bug)'))).toBe(true);
    // The same schedule with durable promises stays safe.
    const fixed = new Simulation(flapping(seed, false));
    fixed.runFor(1e6);
    expect(fixed.violation, `seed=${seed}`).toBeNull();
  });

  it('the same flapping schedule never breaks safety with durable promises (100 seeds)', () => {
    for (let s = 1; s <= 100; s++) {
      const sim = new Simulation(flapping(s, false));
      sim.runFor(1e6);
      expect(sim.violation, `reproduce with seed=${s}`).toBeNull();
    }
  });
});
