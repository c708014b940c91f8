import { beforeAll, describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../catalog';
import '../../../checkers/builtin';
import type { CheckEvent, Input } from '../../../protocol';
import { Simulation } from '../../../simulation';
import { consensusScenario, restarted, testRng } from '../../../test/paxos-kit';
import { handle } from '../../../toolkit/recorder';
import type { Ballot } from '../paxos/ballot';
import {
  type Cmd,
  type MultiPaxosMsg,
  MultiPaxosParams,
  type MultiPaxosState,
  multiPaxos,
  type ReplicaState,
} from './multi-paxos';

beforeAll(() => registerProtocol(multiPaxos));

const params = MultiPaxosParams.parse({});
const roles = { r1: 'replica', r2: 'replica', r3: 'replica', c1: 'client' };
const init = (id: string) =>
  multiPaxos.init({
    id,
    role: roles[id as keyof typeof roles],
    params,
    nodes: Object.keys(roles).sort(),
  }) as ReplicaState;
const msg = (from: string, m: MultiPaxosMsg): Input<MultiPaxosMsg> => ({ kind: 'message', from, msg: m });
const b = (r: number, p: string): Ballot => ({ r, p });
const put = (id: number, key: string, value: string): Cmd & { kind: 'op' } => ({
  kind: 'op',
  client: 'c1',
  id,
  op: 'put',
  key,
  value,
});

/**
 * Feeds inputs to one node, starting from a copy of `start` (so a test can branch from one
 * state); returns the final state and every input's sends, notes and check events.
 */
function feed(
  id: string,
  inputs: Input<MultiPaxosMsg>[],
  start: MultiPaxosState = init(id),
  p: Partial<MultiPaxosParams> = {},
) {
  const s = structuredClone(start);
  const world = { self: id, nodes: roles, params: { ...params, ...p }, rng: testRng(id) };
  const sent: { to: string; msg: MultiPaxosMsg }[] = [];
  const notes: string[] = [];
  const events: CheckEvent[] = [];
  for (const input of inputs) {
    const out = handle(multiPaxos, s, input, world);
    sent.push(...out.sent);
    notes.push(...out.notes);
    events.push(...out.events);
  }
  return { s: s as ReplicaState, sent, notes, events };
}

/** r1 as leader at ballot 1.r1 (phase 1 done with r1, r2; nothing accepted before). */
function leader() {
  return feed('r1', [
    { kind: 'timer', name: 'election' },
    msg('r1', { type: 'p1b', b: b(1, 'r1'), accepted: [] }),
    msg('r2', { type: 'p1b', b: b(1, 'r1'), accepted: [] }),
  ]);
}

describe('rules (Paxos Made Simple §3; Paxos Made Moderately Complex)', () => {
  it('phase 1 covers every slot from the first undecided one; the promise reports every accepted slot', () => {
    // Paxos Made Simple §3: the new leader executes phase 1 "for infinitely many instances".
    const c = feed('r1', [{ kind: 'timer', name: 'election' }]);
    expect(c.s.mode).toBe('candidate');
    expect(c.sent.map((o) => o.msg)).toEqual([
      { type: 'p1a', b: b(1, 'r1'), from: 0 },
      { type: 'p1a', b: b(1, 'r1'), from: 0 },
      { type: 'p1a', b: b(1, 'r1'), from: 0 },
    ]);
    const a = feed('r2', [
      msg('r3', { type: 'p2a', b: b(1, 'r3'), slot: 0, cmd: put(1, 'x', 'a') }),
      msg('r3', { type: 'p2a', b: b(1, 'r3'), slot: 4, cmd: put(2, 'y', 'b') }),
      msg('r1', { type: 'p1a', b: b(2, 'r1'), from: 1 }),
    ]);
    const p1b = a.sent.find((o) => o.msg.type === 'p1b')!;
    expect(p1b).toEqual({
      to: 'r1',
      msg: { type: 'p1b', b: b(2, 'r1'), accepted: [[4, { b: b(1, 'r3'), cmd: put(2, 'y', 'b') }]] },
    });
  });

  it('takeover: each slot gets the highest-ballot value reported; gaps are filled with no-ops', () => {
    // Paxos Made Simple §3 (gaps filled with no-op) and §2.2 P2c applied per slot.
    const c = feed('r1', [{ kind: 'timer', name: 'election' }]).s;
    const l = feed(
      'r1',
      [
        msg('r1', {
          type: 'p1b',
          b: b(1, 'r1'),
          accepted: [[0, { b: b(0, 'r2'), cmd: put(1, 'x', 'old') }]],
        }),
        msg('r3', {
          type: 'p1b',
          b: b(1, 'r1'),
          accepted: [
            [0, { b: b(0, 'r3'), cmd: put(2, 'x', 'newer') }],
            [2, { b: b(0, 'r2'), cmd: put(3, 'z', 'c') }],
          ],
        }),
      ],
      c,
    );
    expect(l.s.mode).toBe('leader');
    const p2a = l.sent.filter((o) => o.msg.type === 'p2a' && o.to === 'r2').map((o) => o.msg);
    expect(p2a).toEqual([
      { type: 'p2a', b: b(1, 'r1'), slot: 0, cmd: put(2, 'x', 'newer') },
      { type: 'p2a', b: b(1, 'r1'), slot: 1, cmd: { kind: 'noop' } },
      { type: 'p2a', b: b(1, 'r1'), slot: 2, cmd: put(3, 'z', 'c') },
    ]);
    expect(l.s.nextSlot).toBe(3);
    expect(l.notes[0]).toMatch(/re-propose 2 slot\(s\), 1 no-op\(s\), next slot 3/);
  });

  it('steady state: a client command costs phase 2 only, in the next slot; decided on a majority', () => {
    // Paxos Made Simple §3: with a stable leader only phase 2 runs per command.
    const l = leader().s;
    const p = feed('r1', [msg('c1', { type: 'request', cmd: put(7, 'k', 'v') })], l);
    expect(p.sent.map((o) => o.msg.type)).toEqual(['p2a', 'p2a', 'p2a']);
    expect(p.sent[0]!.msg).toEqual({ type: 'p2a', b: b(1, 'r1'), slot: 0, cmd: put(7, 'k', 'v') });
    const one = feed('r1', [msg('r1', { type: 'p2b', b: b(1, 'r1'), slot: 0 })], p.s);
    expect(one.s.decided[0]).toBeUndefined(); // 1 of 3 is not a majority
    const two = feed('r1', [msg('r3', { type: 'p2b', b: b(1, 'r1'), slot: 0 })], one.s);
    expect(two.s.decided[0]).toEqual(put(7, 'k', 'v'));
    expect(two.s.kv).toEqual({ k: 'v' });
    expect(two.sent.map((o) => `${o.msg.type}>${o.to}`).sort()).toEqual([
      'decision>r2',
      'decision>r3',
      'response>c1',
    ]);
  });

  it('P1a per slot: an acceptor refuses a lower ballot, and the refused leader steps down (a duel)', () => {
    // Paxos Made Simple §2.2 P1a, §2.3 (abandon on a higher number).
    const a = feed('r2', [
      msg('r3', { type: 'p1a', b: b(2, 'r3'), from: 0 }),
      msg('r1', { type: 'p2a', b: b(1, 'r1'), slot: 0, cmd: put(1, 'x', 'a') }),
    ]);
    expect(a.s.accepted[0]).toBeUndefined();
    expect(a.sent.at(-1)).toEqual({ to: 'r1', msg: { type: 'nack', b: b(1, 'r1'), promised: b(2, 'r3') } });
    const l = leader().s;
    const down = feed('r1', [msg('r2', { type: 'nack', b: b(1, 'r1'), promised: b(2, 'r3') })], l);
    expect(down.s.mode).toBe('follower');
    expect(down.s.duels).toBe(1);
    expect(down.notes).toEqual(['duel: ballot 1.r1 pre-empted by 2.r3 (leader steps down)']);
    // Its next ballot is higher than anything seen.
    const again = feed('r1', [{ kind: 'timer', name: 'election' }], { ...down.s, promised: b(2, 'r3') });
    expect(again.s.ballot).toEqual(b(3, 'r1'));
  });

  it('a heartbeat from a deposed leader is refused', () => {
    const f = feed('r2', [
      msg('r3', { type: 'p1a', b: b(2, 'r3'), from: 0 }),
      msg('r1', { type: 'heartbeat', b: b(1, 'r1'), commit: 0 }),
    ]);
    expect(f.sent.at(-1)).toEqual({ to: 'r1', msg: { type: 'nack', b: b(1, 'r1'), promised: b(2, 'r3') } });
    expect(f.s.leader).toBe('');
  });

  it('retries are deduplicated by request id: executed once, answered from the result table', () => {
    // Paxos Made Moderately Complex §3 (replicas): a command decided twice is performed once.
    const f = feed('r2', [
      msg('r1', { type: 'decision', slot: 1, cmd: put(5, 'x', 'a') }),
      msg('r1', { type: 'decision', slot: 0, cmd: put(4, 'x', 'b') }),
      msg('r1', { type: 'decision', slot: 2, cmd: put(4, 'x', 'b') }),
    ]);
    expect(f.s.execNext).toBe(3);
    expect(f.s.kv).toEqual({ x: 'a' }); // slot 2 (a retry of #4) did not overwrite
    const l = leader().s;
    const done = { ...l, results: { 9: null } };
    const r = feed('r1', [msg('c1', { type: 'request', cmd: put(9, 'y', 'z') })], done);
    expect(r.sent).toEqual([{ to: 'c1', msg: { type: 'response', id: 9, value: null } }]);
    expect(r.s.nextSlot).toBe(l.nextSlot);
  });

  it('stable storage: promise, accepted slots, decided log and round survive; the bug drops the promise', () => {
    const a = feed('r2', [
      msg('r3', { type: 'p2a', b: b(1, 'r3'), slot: 0, cmd: put(1, 'x', 'a') }),
      msg('r1', { type: 'p1a', b: b(4, 'r1'), from: 0 }),
    ]).s;
    const revived = restarted(multiPaxos.durable, a, init('r2'));
    const ok = feed('r2', [{ kind: 'restart' }], revived).s;
    expect(ok.promised).toEqual(b(4, 'r1'));
    expect(ok.accepted[0]).toEqual({ b: b(1, 'r3'), cmd: put(1, 'x', 'a') });
    const buggy = feed('r2', [{ kind: 'restart' }], revived, { bugForgetPromiseOnRestart: true }).s;
    expect(buggy.promised).toEqual(b(1, 'r3'));
  });

  it('states facts for the checkers and the nemesis: promised, accepted, decided, elected', () => {
    // NEMESIS_EVENTS 'promised' where the promise rose (§2.3: a p1a, or a p2a above the promise),
    // not at each acceptance under a promise already made, which a restart cannot undo (one per
    // slot: the nemesis's crash after a promise would otherwise fire on every command);
    // 'elected' where a candidate finishes phase 1; 'accepted' and 'decided' feed the invariants.
    const types = (f: { events: CheckEvent[] }) => f.events.map((e) => e.type);
    const a = feed('r2', [msg('r1', { type: 'p1a', b: b(1, 'r1'), from: 0 })]);
    expect(types(a)).toEqual(['promised']);
    expect(types(feed('r2', [msg('r1', { type: 'p1a', b: b(1, 'r1'), from: 0 })], a.s))).toEqual([]);
    const acc = feed('r2', [msg('r1', { type: 'p2a', b: b(1, 'r1'), slot: 0, cmd: put(1, 'x', 'a') })], a.s);
    expect(acc.events).toEqual([{ type: 'accepted', slot: 0, b: b(1, 'r1'), cmd: put(1, 'x', 'a') }]);
    const above = feed(
      'r2',
      [msg('r3', { type: 'p2a', b: b(2, 'r3'), slot: 1, cmd: put(2, 'y', 'b') })],
      acc.s,
    );
    expect(above.events).toEqual([
      { type: 'promised', ballot: b(2, 'r3') },
      { type: 'accepted', slot: 1, b: b(2, 'r3'), cmd: put(2, 'y', 'b') },
    ]);
    // The same proposal again (a re-send) changes nothing on disk.
    expect(
      types(feed('r2', [msg('r1', { type: 'p2a', b: b(1, 'r1'), slot: 0, cmd: put(1, 'x', 'a') })], acc.s)),
    ).toEqual([]);
    const dec = feed('r2', [msg('r1', { type: 'decision', slot: 0, cmd: put(1, 'x', 'a') })], acc.s);
    expect(dec.events).toEqual([{ type: 'decided', slot: 0, cmd: put(1, 'x', 'a') }]);
    const l = leader();
    expect(types(l)).toContain('elected');
    expect(l.events.filter((e) => e.type === 'elected')).toEqual([{ type: 'elected', ballot: b(1, 'r1') }]);
    expect(multiPaxos.nemesis!.leads(l.s)).toBe(1);
    // The bug switch rewrites the promise on restart, which counts as a promise too.
    const higher = feed('r2', [msg('r3', { type: 'p1a', b: b(4, 'r3'), from: 0 })], acc.s).s;
    const revived = restarted(multiPaxos.durable, higher, init('r2'));
    expect(types(feed('r2', [{ kind: 'restart' }], revived))).toEqual([]);
    expect(types(feed('r2', [{ kind: 'restart' }], revived, { bugForgetPromiseOnRestart: true }))).toEqual([
      'promised',
    ]);
  });
});

// ------------------------------------------------------------------ runs

function topology(replicas: number) {
  const t = multiPaxos.defaultTopology(params);
  for (let k = 4; k <= replicas; k++) {
    t.nodes.push({ ...t.nodes.find((n) => n.id === 'r3')!, id: `r${k}`, name: `r${k}`, y: 100 + 60 * k });
    t.links.push({ ...t.links.find((l) => l.a === 'r3')!, id: `r${k}-sw`, a: `r${k}` });
  }
  return t;
}

function scenario(extra: Record<string, unknown> = {}, replicas = 3, stopUs = 1_500_000) {
  return consensusScenario('multi-paxos', {
    topology: topology(replicas),
    workload: {
      kind: 'closed',
      concurrency: 2,
      readFraction: 0.5,
      keys: { pattern: 'k{i}', count: 3 },
      timeoutUs: 1_000_000,
      // The workload stops before the end, so the last decisions reach every replica.
      stopUs,
    },
    limits: { maxTimeUs: 2_000_000 },
    ...extra,
  });
}

function replicas(sim: Simulation): { id: string; up: boolean; s: ReplicaState }[] {
  return sim
    .nodeStates()
    .filter((n) => n.role === 'replica')
    .map((n) => ({ id: n.id, up: n.up, s: n.state as ReplicaState }));
}

/** Checks the end of a run: no violation, linearizable, acknowledged writes in the log, no hole. */
function checkRun(sim: Simulation, label: string) {
  expect(sim.violation, `reproduce with ${label}`).toBeNull();
  const lin = sim.invariants().find((v) => v.id === 'linearizability')!;
  expect(lin.ok, `${label}: ${lin.message}`).toBe(true);
  const rs = replicas(sim);
  const longest = rs.reduce((a, r) => (r.s.execNext > a.s.execNext ? r : a));
  const inLog = new Set<number>();
  for (let slot = 0; slot < longest.s.execNext; slot++) {
    const c = longest.s.decided[slot]!;
    if (c.kind === 'op') inLog.add(c.id);
  }
  for (const o of sim.history())
    if (o.kind === 'put' && o.returnUs !== null)
      expect(inLog.has(o.id), `${label}: acked put #${o.id} not in the log`).toBe(true);
  return rs;
}

describe('runs', () => {
  it('a clean run elects one leader, executes the log everywhere and is linearizable', () => {
    const sim = new Simulation(scenario());
    sim.runFor(1e6);
    const rs = checkRun(sim, 'seed=1');
    expect(rs.filter((r) => r.s.mode === 'leader')).toHaveLength(1);
    const m = sim.metrics();
    expect(m.counters.opsOk).toBeGreaterThan(100);
    expect(
      multiPaxos.metrics
        .find((x) => x.id === 'leaderChanges')!
        .read(rs.map((r) => ({ ...r, role: 'replica', state: r.s }))),
    ).toBe(1);
    const n = Math.min(...rs.map((r) => r.s.execNext));
    expect(n).toBeGreaterThan(100);
    for (const r of rs) expect(r.s.kv, r.id).toEqual(rs[0]!.s.kv);
  });

  it('leader crash: a follower takes over, re-proposes open slots, and clients carry on', () => {
    const probe = new Simulation(scenario());
    probe.runUntil(500_000);
    const first = replicas(probe).find((r) => r.s.mode === 'leader')!.id;
    const sim = new Simulation(
      scenario({
        faults: [
          { atUs: 500_000, fault: { kind: 'crash', node: first } },
          { atUs: 1_200_000, fault: { kind: 'restart', node: first } },
        ],
      }),
    );
    sim.runFor(1e6);
    const rs = checkRun(sim, `seed=1 leader ${first} crashed`);
    const notes = sim
      .traceWindow({ from: 0, to: 1e9 }, 1e6)
      .filter((r) => r.kind === 'note' && r.detail?.startsWith('leader at'));
    expect(notes.length).toBeGreaterThanOrEqual(2);
    expect(notes.at(-1)!.node).not.toBe(first);
    const late = sim.history().filter((o) => o.callUs > 900_000 && o.returnUs !== null);
    expect(late.length).toBeGreaterThan(20);
    // The restarted replica catches up.
    expect(rs.find((r) => r.id === first)!.s.execNext).toBeGreaterThan(0);
  });

  it('equal election timeouts make candidates duel; randomized ones rarely do', () => {
    // Paxos Made Simple §2.4/§3: progress needs one distinguished proposer; randomized
    // timeouts make it likely that one candidate finishes phase 1 before the others start.
    const duels = (p: Record<string, unknown>) => {
      let n = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const everyone = ['r1', 'r2', 'r3'];
        const sim = new Simulation(
          scenario({
            seed,
            params: p,
            faults: [
              ...everyone.map((node) => ({ atUs: 500_000, fault: { kind: 'crash', node } })),
              ...everyone.map((node) => ({ atUs: 520_000, fault: { kind: 'restart', node } })),
            ],
            limits: { maxTimeUs: 1_500_000 },
          }),
        );
        sim.runFor(1e6);
        expect(sim.violation, `seed=${seed}`).toBeNull();
        n += multiPaxos.metrics
          .find((m) => m.id === 'duels')!
          .read(replicas(sim).map((r) => ({ id: r.id, role: 'replica', up: r.up, state: r.s })));
      }
      return n;
    };
    const equal = duels({ electionTimeoutMsMin: 150, electionTimeoutMsMax: 150 });
    const random = duels({});
    expect(equal).toBeGreaterThanOrEqual(10);
    expect(random).toBeLessThan(equal / 2);
  });

  it('without client nodes the leader takes workload operations directly; the log stays linearizable', () => {
    const topo = topology(3);
    const sim = new Simulation(
      scenario({
        topology: {
          nodes: topo.nodes.filter((n) => n.role !== 'client'),
          links: topo.links.filter((l) => !l.a.startsWith('c')),
        },
        workload: {
          kind: 'open',
          ratePerS: 100,
          readFraction: 0.5,
          keys: { pattern: 'k{i}', count: 3 },
          stopUs: 1_500_000,
        },
      }),
    );
    sim.runFor(1e6);
    checkRun(sim, 'seed=1 without clients');
    expect(sim.metrics().counters.opsOk!).toBeGreaterThan(20);
  });

  it('same seed, same trace hash (determinism)', () => {
    const run = () => {
      const sim = new Simulation(scenario({ seed: 9, nemesis: nemesis() }));
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
    stopUs: 1_800_000,
    crashRatePerS: 4,
    meanDowntimeUs: 100_000,
    partitionRatePerS: 3,
    meanPartitionUs: 250_000,
    oneWayFraction: 0.3,
    lossRatePerS: 2,
    lossRate: 0.4,
    meanLossUs: 200_000,
    clockSkewRatePerS: 2,
    maxSkewUs: 50_000,
  };
}

describe('safety under faults', () => {
  it('100 seeds with the nemesis (3 and 5 replicas): one command per slot, linearizable, acked writes in the log', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const n = seed % 2 === 0 ? 5 : 3;
      const sim = new Simulation(
        scenario({ seed, nemesis: nemesis(), limits: { maxTimeUs: 3_000_000 } }, n, 2_200_000),
      );
      sim.runFor(1e6);
      const rs = checkRun(sim, `seed=${seed} replicas=${n}`);
      // Liveness after the nemesis stops: the log has no hole and everyone caught up with it.
      const longest = Math.max(...rs.map((r) => r.s.execNext));
      for (const r of rs) {
        const beyond = Object.keys(r.s.decided).filter((k) => Number(k) >= r.s.execNext);
        expect(beyond, `seed=${seed}: ${r.id} has a hole at ${r.s.execNext}`).toEqual([]);
        expect(r.s.execNext, `seed=${seed}: ${r.id} behind`).toBe(longest);
      }
    }
  });

  /** r1 and r2 cannot talk; both reach r3, which flaps (down 0.5 ms every 5 ms). */
  function flapping(seed: number, bug: boolean) {
    const faults: unknown[] = [{ atUs: 0, fault: { kind: 'partition', groups: [['r1'], ['r2']] } }];
    for (let t = 300_000; t < 1_000_000; t += 5000)
      faults.push(
        { atUs: t, fault: { kind: 'crash', node: 'r3' } },
        { atUs: t + 500, fault: { kind: 'restart', node: 'r3' } },
      );
    return scenario({
      seed,
      params: { bugForgetPromiseOnRestart: bug },
      faults,
      limits: { maxTimeUs: 1_000_000 },
    });
  }

  it('bugForgetPromiseOnRestart is caught on a seed found by search, and replays to the same violation', () => {
    // Paxos Made Simple §2.3: promises must survive restarts. r3 promises the new candidate's
    // ballot, forgets it, and accepts the deposed leader's phase 2 for a slot the new leader
    // then fills differently: two commands chosen in one slot.
    let seed = -1;
    for (let s = 1; s <= 100 && seed < 0; s++) {
      const sim = new Simulation(flapping(s, true));
      sim.runFor(1e6);
      if (sim.violation !== null) seed = s;
    }
    expect(seed, 'no seed in 1..100 caught the bug').toBeGreaterThan(0);
    console.log(`multi-paxos bugForgetPromiseOnRestart caught with seed=${seed}`);
    const a = new Simulation(flapping(seed, true));
    a.runFor(1e6);
    const again = new Simulation(flapping(seed, true));
    again.runFor(1e6);
    expect(a.violation!.invariant).toBe('one-value-per-slot');
    expect(a.violation!.message).toMatch(
      /^slot \d+: (c\d#\d+|noop) chosen at \d+\.r\d \(r\d,r\d\) and (c\d#\d+|noop) at \d+\.r\d /,
    );
    console.log(a.violation!.message);
    expect(again.violation).toEqual(a.violation);
    expect(again.traceHash()).toBe(a.traceHash());
    const fixed = new Simulation(flapping(seed, false));
    fixed.runFor(1e6);
    checkRun(fixed, `seed=${seed} without the bug`);
  });

  it('the flapping schedule is safe with durable promises (40 seeds)', () => {
    for (let s = 1; s <= 40; s++) {
      const sim = new Simulation(flapping(s, false));
      sim.runFor(1e6);
      expect(sim.violation, `reproduce with seed=${s}`).toBeNull();
      expect(sim.invariants().find((v) => v.id === 'linearizability')!.ok, `seed=${s}`).toBe(true);
    }
  });

  /** Heavy load; r1's link turns lossy and r1 crashes 15 ms later (restarting at 0.7 s). */
  function lossyCrash(seed: number, bug: boolean) {
    return scenario(
      {
        seed,
        params: { bugNoNoopFill: bug },
        workload: {
          kind: 'closed',
          concurrency: 8,
          readFraction: 0.5,
          keys: { pattern: 'k{i}', count: 3 },
          timeoutUs: 1_000_000,
          stopUs: 1_000_000,
        },
        faults: [
          { atUs: 400_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0.6 } },
          { atUs: 415_000, fault: { kind: 'crash', node: 'r1' } },
          { atUs: 415_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0 } },
          { atUs: 700_000, fault: { kind: 'restart', node: 'r1' } },
        ],
        limits: { maxTimeUs: 1_500_000 },
      },
      3,
    );
  }

  it('bugNoNoopFill leaves a hole that stops the log (a seed found by search); no-op filling closes it', () => {
    // Paxos Made Simple §3: without no-ops a gap blocks execution of every later command.
    const hole = (sim: Simulation) =>
      replicas(sim).some((r) => r.up && Object.keys(r.s.decided).some((k) => Number(k) > r.s.execNext));
    let seed = -1;
    for (let s = 1; s <= 60 && seed < 0; s++) {
      const sim = new Simulation(lossyCrash(s, true));
      sim.runFor(1e6);
      if (hole(sim)) seed = s;
    }
    expect(seed, 'no seed in 1..60 left a hole').toBeGreaterThan(0);
    console.log(`multi-paxos bugNoNoopFill leaves a hole with seed=${seed}`);
    const buggy = new Simulation(lossyCrash(seed, true));
    buggy.runFor(1e6);
    const fixed = new Simulation(lossyCrash(seed, false));
    fixed.runFor(1e6);
    expect(hole(fixed)).toBe(false);
    checkRun(fixed, `seed=${seed} with no-op filling`);
    // The stalled log shows up as operations that were never answered.
    expect(buggy.metrics().counters.opsUnknown!).toBeGreaterThan(fixed.metrics().counters.opsUnknown!);
  });

  it('liveness catches bugNoNoopFill: after the faults stop, the hole leaves client operations unanswered', () => {
    // The same faults under a workload that goes on after them: with the bug, a hole blocks
    // execution for good and operations go unanswered; client-ops-answered says so.
    const longer = (seed: number, bug: boolean) => {
      const sc = lossyCrash(seed, bug);
      return {
        ...sc,
        workload: { ...sc.workload, stopUs: undefined },
        limits: { ...sc.limits, maxTimeUs: 6_000_000 },
      };
    };
    let caught = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const buggy = new Simulation(longer(seed, true));
      buggy.runFor(3e6);
      const fixed = new Simulation(longer(seed, false));
      fixed.runFor(3e6);
      expect(fixed.violation, `seed=${seed} with no-op filling`).toBeNull();
      expect(fixed.invariants().find((v) => v.id === 'client-ops-answered')?.ok, `seed=${seed}`).toBe(true);
      if (buggy.violation?.invariant === 'client-ops-answered') caught++;
      else {
        // Not caught: then there is no hole either (a checker must not stay quiet over one).
        expect(buggy.violation, `seed=${seed} with the bug`).toBeNull();
        const hole = replicas(buggy).some(
          (r) => r.up && Object.keys(r.s.decided).some((k) => Number(k) > r.s.execNext),
        );
        expect(hole, `seed=${seed}: a hole, and client-ops-answered said nothing`).toBe(false);
      }
    }
    console.log(`multi-paxos bugNoNoopFill caught by client-ops-answered on ${caught} of 40 seeds`);
    expect(caught).toBeGreaterThan(0);
  }, 240_000);
});
