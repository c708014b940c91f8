/**
 * The consensus lessons' claims that were backed by one seed or none, as properties over seeds
 * (docs/protocols/lesson-claims.md lists every claim and the test that backs it).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import '../../src/sim/checkers/builtin';
import { ScenarioSchema } from '../../src/shared/scenario/schema';
import { defaultScenario, registerProtocol } from '../../src/sim/catalog';
import { multiPaxos, type ReplicaState } from '../../src/sim/protocols/consensus/multi-paxos/multi-paxos';
import {
  type AcceptorState,
  chosenValues,
  type PaxosState,
  paxos,
} from '../../src/sim/protocols/consensus/paxos/paxos';
import { lastLogIndex } from '../../src/sim/protocols/consensus/raft/log';
import { raft } from '../../src/sim/protocols/consensus/raft/raft';
import { raftScenario } from '../../src/sim/protocols/consensus/raft/scenario';
import type { ServerState } from '../../src/sim/protocols/consensus/raft/types';
import { Simulation } from '../../src/sim/simulation';
import { RaftDriver } from '../../src/sim/test/raft-driver';

beforeAll(() => {
  registerProtocol(raft);
  registerProtocol(paxos);
  registerProtocol(multiPaxos);
});

const LIB = join(dirname(fileURLToPath(import.meta.url)), '../../resources/library');
const SEEDS = Array.from({ length: 10 }, (_, k) => k + 1);

describe('raft: the lesson’s try-this steps, over seeds', () => {
  it('"crash the leader": a new leader in a higher term; restarted, the old one rejoins as a follower and catches up (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(raftScenario({ seed, maxTimeUs: 20_000_000 }));
      const d = new RaftDriver(sim, false);
      const l1 = d.untilLeader(3000);
      expect(l1, `seed ${seed}`).not.toBe('');
      d.run(300);
      const t1 = d.server(l1).s.currentTerm;
      const crashedAt = lastLogIndex(d.server(l1).s);
      d.inject({ kind: 'crash', node: l1 });
      const l2 = d.untilLeader(3000, [l1]);
      expect(l2, `seed ${seed}`).not.toBe('');
      expect(d.server(l2).s.currentTerm, `seed ${seed}`).toBeGreaterThan(t1);
      d.run(500);
      d.inject({ kind: 'restart', node: l1 });
      d.run(1000);
      const back = d.server(l1).s;
      expect(back.role, `seed ${seed}`).toBe('follower');
      expect(back.currentTerm, `seed ${seed}`).toBe(d.server(l2).s.currentTerm);
      expect(back.commitIndex, `seed ${seed}`).toBeGreaterThan(crashedAt);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('"partition the leader away": the majority elects a leader in a higher term, the old one cannot commit and steps down on healing (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(raftScenario({ seed, clients: 2, maxTimeUs: 20_000_000 }));
      const d = new RaftDriver(sim, false);
      const old = d.untilLeader(3000);
      d.run(200);
      const rest = d.servers.filter((s) => s !== old);
      const oldTerm = d.server(old).s.currentTerm;
      d.inject({
        kind: 'partition',
        id: 'cut',
        groups: [
          [old, 'c1'],
          [...rest, 'c2'],
        ],
      });
      const fresh = d.untilLeader(3000, [old]);
      expect(fresh, `seed ${seed}`).not.toBe('');
      expect(d.server(fresh).s.currentTerm, `seed ${seed}`).toBeGreaterThan(oldTerm);
      const commitBefore = d.server(old).s.commitIndex;
      d.run(1000);
      expect(d.server(old).s.role, `seed ${seed}: without check-quorum it does not know`).toBe('leader');
      expect(d.server(old).s.commitIndex, `seed ${seed}`).toBe(commitBefore);
      expect(d.server(fresh).s.commitIndex, `seed ${seed}`).toBeGreaterThan(commitBefore);
      d.inject({ kind: 'heal', id: 'cut' });
      d.run(500);
      expect(d.server(old).s.role, `seed ${seed}`).toBe('follower');
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('"(or at once with checkQuorum)": a cut-off leader steps down before the partition heals (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(
        raftScenario({ seed, params: { checkQuorum: true }, maxTimeUs: 20_000_000 }),
      );
      const d = new RaftDriver(sim, false);
      const old = d.untilLeader(3000);
      d.run(500);
      d.inject({ kind: 'partition', id: 'cut', groups: [[old], d.servers.filter((s) => s !== old)] });
      expect(
        d.until(() => d.server(old).s.role !== 'leader', 1000),
        `seed ${seed}`,
      ).toBe(true);
    }
  });

  it('"set electionTimeoutMsMin equal to electionTimeoutMsMax and watch split votes repeat": many more elections than with randomized timeouts (seeds 1..10)', () => {
    // Elections started in the first two seconds, and the leaders at the end of them.
    const firstTwoSeconds = (seed: number, params: Record<string, unknown>) => {
      const sim = new Simulation(raftScenario({ seed, clients: 0, params, maxTimeUs: 2_000_000 }));
      sim.runUntil(2_000_000);
      const ss = sim.nodeStates().filter((n) => n.role === 'server');
      const state = (n: (typeof ss)[number]) => n.state as ServerState;
      return {
        elections: ss.reduce((k, n) => k + state(n).ghost.elections, 0),
        leaders: ss.filter((n) => n.up && state(n).role === 'leader').length,
      };
    };
    let equal = 0;
    let random = 0;
    for (const seed of SEEDS) {
      const e = firstTwoSeconds(seed, { electionTimeoutMsMin: 150, electionTimeoutMsMax: 150 });
      const r = firstTwoSeconds(seed, {});
      expect(r.leaders, `seed ${seed}: randomized timeouts elect a leader`).toBe(1);
      equal += e.elections;
      random += r.elections;
    }
    expect(equal).toBeGreaterThan(5 * random);
  });
});

describe('paxos: the lesson’s try-this steps, over seeds', () => {
  const views = (sim: Simulation) =>
    sim
      .nodeStates()
      .filter((n) => n.role !== 'switch')
      .map((n) => ({ id: n.id, role: n.role, up: n.up, state: n.state as PaxosState }));
  const duels = (sim: Simulation) => paxos.metrics.find((m) => m.id === 'duels')!.read(views(sim));
  /** The quick start with a closed workload of concurrency 2 (both proposers busy) and `params`. */
  const busy = (seed: number, params: Record<string, unknown>, maxTimeUs = 1_000_000) => {
    const qs = defaultScenario('paxos');
    return ScenarioSchema.parse({
      ...qs,
      seed,
      params: { ...qs.params, ...params },
      workload: { ...qs.workload, kind: 'closed', concurrency: 2 },
      limits: { ...qs.limits, maxTimeUs },
    });
  };
  /** Duels before the first value is chosen (checked every millisecond). */
  const duelsBeforeChoice = (seed: number, params: Record<string, unknown>) => {
    const sim = new Simulation(busy(seed, params));
    for (let t = 1000; t <= 1_000_000; t += 1000) {
      sim.runUntil(t);
      if (chosenValues(views(sim)).length > 0) return duels(sim);
    }
    throw new Error(`seed ${seed}: no value chosen in 1 s`);
  };

  it('"backoff 0: duels"; "restore a random backoff: one proposer wins quickly" (seeds 1..60)', () => {
    const none = Array.from({ length: 60 }, (_, k) =>
      duelsBeforeChoice(k + 1, { backoffMsMin: 0, backoffMsMax: 0 }),
    );
    const random = Array.from({ length: 60 }, (_, k) => duelsBeforeChoice(k + 1, {}));
    // Without backoff some seeds pre-empt again and again before a value is chosen...
    expect(none.filter((d) => d >= 2).length).toBeGreaterThan(0);
    // ...with the default random backoff (10-120 ms) a proposer is pre-empted at most once.
    expect(Math.max(...random)).toBeLessThanOrEqual(1);
    expect(random.reduce((a, b) => a + b, 0)).toBeLessThan(none.reduce((a, b) => a + b, 0));
  });

  it('"crash one acceptor: a value is chosen; crash two and nothing can be chosen until one comes back" (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const down = (nodes: string[]) =>
        nodes.map((node) => ({ atUs: 0, fault: { kind: 'crash' as const, node } }));
      const one = new Simulation(ScenarioSchema.parse({ ...busy(seed, {}), faults: down(['a3']) }));
      one.runUntil(300_000);
      expect(new Set(chosenValues(views(one)).map((c) => c.v)).size, `seed ${seed}`).toBe(1);
      const two = new Simulation(
        ScenarioSchema.parse({
          ...busy(seed, {}),
          faults: [...down(['a1', 'a3']), { atUs: 500_000, fault: { kind: 'restart', node: 'a3' } }],
        }),
      );
      two.runUntil(499_000);
      expect(chosenValues(views(two)), `seed ${seed}: chosen with one acceptor of three`).toEqual([]);
      two.runUntil(1_000_000);
      expect(new Set(chosenValues(views(two)).map((c) => c.v)).size, `seed ${seed}`).toBe(1);
      expect(two.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('"crash an acceptor after it promised, restart it: the promise survived" (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(
        ScenarioSchema.parse({
          ...busy(seed, {}),
          faults: [
            { atUs: 100_000, fault: { kind: 'crash', node: 'a2' } },
            { atUs: 150_000, fault: { kind: 'restart', node: 'a2' } },
          ],
        }),
      );
      sim.runUntil(99_000);
      const promised = structuredClone((sim.nodeState('a2')!.state as AcceptorState).promised);
      expect(promised, `seed ${seed}: a2 promised a ballot`).not.toBeNull();
      sim.runUntil(150_001);
      expect(sim.nodeState('a2')!.up, `seed ${seed}`).toBe(true);
      expect((sim.nodeState('a2')!.state as AcceptorState).promised, `seed ${seed}`).toEqual(promised);
    }
  });
});

describe('multi-paxos: the lesson’s try-this steps, over seeds', () => {
  const replicas = (sim: Simulation) =>
    sim
      .nodeStates()
      .filter((n) => n.role === 'replica')
      .map((n) => ({ id: n.id, up: n.up, state: n.state as ReplicaState }));
  const leaders = (sim: Simulation) => replicas(sim).filter((r) => r.up && r.state.mode === 'leader');

  it('"partition the leader away from the others, then heal: the old leader’s next heartbeat is refused and it steps down" (seeds 1..10)', () => {
    const qs = defaultScenario('multi-paxos');
    for (const seed of SEEDS) {
      const probe = new Simulation(ScenarioSchema.parse({ ...qs, seed, faults: [] }));
      probe.runUntil(500_000);
      const [old] = leaders(probe);
      expect(old, `seed ${seed}: a leader by 0.5 s`).toBeDefined();
      const others = replicas(probe)
        .map((r) => r.id)
        .filter((id) => id !== old!.id);
      const sim = new Simulation(
        ScenarioSchema.parse({
          ...qs,
          seed,
          faults: [
            { atUs: 500_000, fault: { kind: 'partition', id: 'cut', groups: [[old!.id], others] } },
            { atUs: 1_500_000, fault: { kind: 'heal', id: 'cut' } },
          ],
        }),
      );
      sim.runUntil(1_499_000);
      // The others elected a leader of their own; the old one, alone, does not know yet.
      const during = leaders(sim).map((r) => r.id);
      expect(during, `seed ${seed}`).toContain(old!.id);
      expect(
        during.filter((id) => id !== old!.id),
        `seed ${seed}`,
      ).toHaveLength(1);
      sim.runUntil(1_800_000);
      const after = leaders(sim).map((r) => r.id);
      expect(after, `seed ${seed}: the old leader stepped down`).not.toContain(old!.id);
      expect(after, `seed ${seed}`).toHaveLength(1);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });
});

describe('multi-paxos: the quick start, over seeds', () => {
  const replicaStates = (sim: Simulation) =>
    sim
      .nodeStates()
      .filter((n) => n.role === 'replica')
      .map((n) => ({ id: n.id, role: n.role, up: n.up, state: n.state as ReplicaState }));
  const leaderChanges = (sim: Simulation) =>
    multiPaxos.metrics.find((m) => m.id === 'leaderChanges')!.read(replicaStates(sim));

  it('"one leader at a time in a healthy run"; "the leader r1 crashes at 1 s": a follower takes over (seeds 1..10)', () => {
    const qs = defaultScenario('multi-paxos');
    const quickStart = loadScenarioFile(join(LIB, 'paxos-multi-quick-start.dslab.json'), []).scenario;
    let r1Seeds = 0;
    for (const seed of SEEDS) {
      const healthy = new Simulation(ScenarioSchema.parse({ ...qs, seed, faults: [] }));
      healthy.runUntil(Number.MAX_SAFE_INTEGER);
      expect(healthy.violation, `seed ${seed}`).toBeNull();
      expect(leaderChanges(healthy), `seed ${seed}: healthy`).toBe(1);
      // The library's quick start crashes r1 at 1 s and restarts it at 2 s: a takeover when r1 leads then.
      const sim = new Simulation(quickStart, { seed });
      sim.runUntil(999_000);
      const r1Leads = (sim.nodeState('r1')!.state as ReplicaState).mode === 'leader';
      if (r1Leads) r1Seeds++;
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `seed ${seed}`).toBeNull();
      const takeovers = sim
        .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1e6)
        .filter((r) => r.kind === 'note' && r.detail?.startsWith('leader at') && r.timeUs > 1_000_000);
      if (!r1Leads) {
        expect(leaderChanges(sim), `seed ${seed}: r1 was not leading`).toBe(1);
        continue;
      }
      expect(leaderChanges(sim), `seed ${seed}`).toBeGreaterThanOrEqual(2);
      expect(takeovers.length, `seed ${seed}: a takeover note after the crash`).toBeGreaterThan(0);
      expect(takeovers[0]!.node, `seed ${seed}`).not.toBe('r1');
      const late = sim.history().filter((o) => o.callUs > 1_500_000 && o.returnUs !== null);
      expect(late.length, `seed ${seed}: clients carry on`).toBeGreaterThan(20);
    }
    // As the description says: r1 leads at 1 s on the file's seed; on other seeds it varies.
    expect(r1Seeds).toBeGreaterThan(2);
    const fileSeed = new Simulation(quickStart);
    fileSeed.runUntil(999_000);
    expect((fileSeed.nodeState('r1')!.state as ReplicaState).mode).toBe('leader');
  });
});
