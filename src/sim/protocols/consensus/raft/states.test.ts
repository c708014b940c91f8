import { beforeAll, describe, expect, it } from 'vitest';
import '../../../checkers/builtin';
import { registerProtocol } from '../../../catalog';
import { Simulation } from '../../../simulation';
import { raft } from './raft';
import { RAFT_TEST_NEMESIS, raftScenario } from './scenario';

/**
 * A Raft server changes its state in place (contract v2), its log is declared a log (the
 * kernel archives it in shared chunks and freezes written entries), and the kernel changes its
 * timer records in place; a checkpoint, a fork or an inspector read must see none of it. Each
 * run here is compared with the same run made while the inspector reads every node's state
 * after every step (the kernel hands out copies, and freezes the log entries it shares): the
 * same trace, the same verdicts, the same states. Failures print the seed.
 */

beforeAll(() => registerProtocol(raft));

const WORKLOAD = {
  kind: 'closed' as const,
  concurrency: 2,
  thinkTimeUs: 5000,
  readFraction: 0.5,
  keys: { pattern: 'k{i}', count: 40, distribution: 'uniform' as const },
  timeoutUs: 1_000_000,
};

function scenario(seed: number, params: Record<string, unknown>) {
  return raftScenario({
    seed,
    params,
    clients: 2,
    workload: WORKLOAD,
    nemesis: RAFT_TEST_NEMESIS,
    maxTimeUs: 8_000_000,
  });
}

const statesJson = (sim: Simulation) => JSON.stringify(sim.nodeStates().map((n) => n.state));

describe('Raft states changed in place (contract v2)', () => {
  const paramSets: Record<string, unknown>[] = [
    {},
    { snapshotEvery: 20 },
    { preVote: true, checkQuorum: true },
    { bugNoElectionRestriction: true },
  ];
  for (const params of paramSets) {
    it(`run the same as runs that copy every state (${JSON.stringify(params)}, 6 seeds)`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const sc = scenario(seed, params);
        const fast = new Simulation(sc);
        fast.runUntil(sc.limits.maxTimeUs);
        const read = new Simulation(sc);
        while (!read.done && read.eventIndex < fast.eventIndex) {
          read.step();
          read.nodeStates();
        }
        const why = `reproduce with seed=${seed} params=${JSON.stringify(params)}`;
        expect(fast.eventIndex, why).toBeGreaterThan(2000);
        expect(read.eventIndex, why).toBe(fast.eventIndex);
        expect(read.traceHash(), why).toBe(fast.traceHash());
        expect(read.violation, why).toEqual(fast.violation);
        expect(statesJson(read), why).toBe(statesJson(fast));
      }
    });
  }

  it('never changes a state it handed out, checkpointed or forked', () => {
    const sc = scenario(3, { snapshotEvery: 20 });
    const sim = new Simulation(sc, { checkpointEvery: 1000 });
    // Events between checkpoints, so a step after each one would find its state owned.
    const marks = Array.from({ length: 12 }, (_, k) => 623 + k * 1237);
    const seen = new Map<number, { states: string; hash: string }>();
    let held: unknown[] = [];
    let heldJson = '';
    for (const at of marks) {
      sim.runFor(at - sim.eventIndex);
      seen.set(at, { states: statesJson(sim), hash: sim.traceHash() });
      if (at === marks[3]) {
        held = sim.nodeStates().map((n) => n.state);
        heldJson = JSON.stringify(held);
      }
    }
    // The objects the inspector got at one mark still say what they said then.
    expect(JSON.stringify(held)).toBe(heldJson);
    // Back to every mark through a checkpoint (states and timer tables as they were) and a replay.
    for (const at of [...marks].reverse()) {
      sim.seek(at);
      expect({ states: statesJson(sim), hash: sim.traceHash() }, `event ${at}`).toEqual(seen.get(at));
    }
    // A fork runs on with a change; the main run then replays to its last mark unchanged.
    const last = marks[marks.length - 1]!;
    const fork = sim.fork(8000, { kind: 'fault', fault: { kind: 'crash', node: 's1' } });
    fork.runFor(5000);
    sim.seek(last);
    expect({ states: statesJson(sim), hash: sim.traceHash() }).toEqual(seen.get(last));
  });

  it('never changes a kernel snapshot after it is taken (states, timer tables, everything)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const sim = new Simulation(scenario(seed, { snapshotEvery: 20 }));
      const kernel = sim.kernelForTests;
      const snaps: { at: number; snap: unknown; json: string }[] = [];
      for (let k = 0; k < 8; k++) {
        sim.runFor(977);
        const snap = kernel.save();
        snaps.push({ at: sim.eventIndex, snap, json: JSON.stringify(snap) });
      }
      sim.runFor(3000);
      for (const s of snaps) expect(JSON.stringify(s.snap), `seed=${seed} event ${s.at}`).toBe(s.json);
    }
  });
});
