import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { builtinScenarios, pingPongStar } from '../scenarios';
import { Simulation } from '../simulation';
import { copyState } from './copy';

/**
 * Contract-v2 handlers change node states in place; the kernel keeps its own copies where a
 * state must not change under someone: a checkpoint archives the states, a restore or fork
 * copies them back, and the inspector (nodeInfo) gets a copy. Each run here is compared with
 * the same run while every node's state is read after every step: the same trace, verdicts
 * and states. Failures print the seed.
 */

const statesJson = (sim: Simulation) => JSON.stringify(sim.nodeStates().map((n) => n.state));
const named = (name: string) => builtinScenarios().find((s) => s.name === name)!;

function sameAsCopying(sc: ReturnType<typeof pingPongStar>, events: number, why: string): void {
  const fast = new Simulation(sc);
  fast.runFor(events);
  const read = new Simulation(sc);
  while (!read.done && read.eventIndex < fast.eventIndex) {
    read.step();
    read.nodeStates();
  }
  expect(read.eventIndex, why).toBe(fast.eventIndex);
  expect(read.traceHash(), why).toBe(fast.traceHash());
  expect(read.violation, why).toEqual(fast.violation);
  expect(statesJson(read), why).toBe(statesJson(fast));
}

describe('node states changed in place (contract v2)', () => {
  it('ping-pong under faults, the nemesis and retries: the same as copying every step (8 seeds)', () => {
    const stress = named('ping-pong under a bad network');
    for (let seed = 1; seed <= 8; seed++)
      sameAsCopying(ScenarioSchema.parse({ ...stress, seed }), 6000, `bad-network scenario, seed=${seed}`);
  });

  it('broadcast with clients, a partition and a crash: the same as copying every step (4 seeds)', () => {
    const bc = named('broadcast with closed-loop clients and a partition');
    for (let seed = 1; seed <= 4; seed++)
      sameAsCopying(ScenarioSchema.parse({ ...bc, seed }), 5000, `closed-loop broadcast, seed=${seed}`);
  });

  it('with a bug switch on and without retries: the same as copying (4 seeds each)', () => {
    const stress = named('ping-pong under a bad network');
    for (let seed = 1; seed <= 4; seed++) {
      const bug = ScenarioSchema.parse({ ...stress, seed, params: { ...stress.params, bugWrongSeq: true } });
      sameAsCopying(bug, 4000, `bugWrongSeq, seed=${seed}`);
      sameAsCopying(pingPongStar(7, { seed }), 4000, `pingPongStar(7), seed=${seed}`);
    }
  });

  it('never changes a state it handed out, checkpointed or forked', () => {
    for (const name of [
      'ping-pong under a bad network',
      'broadcast with closed-loop clients and a partition',
    ]) {
      const sim = new Simulation(ScenarioSchema.parse({ ...named(name), seed: 5 }), { checkpointEvery: 500 });
      sim.runFor(777);
      const held = sim.nodeStates().map((n) => n.state);
      const heldJson = JSON.stringify(held);
      const hash = sim.traceHash();
      const fork = sim.fork(777, { kind: 'params', params: {} });
      const forkHash = fork.traceHash();
      sim.runFor(3000);
      // Seeking back restores checkpointed states; the states handed out stay as they were.
      expect(JSON.stringify(held), name).toBe(heldJson);
      sim.seek(777);
      expect(sim.traceHash(), name).toBe(hash);
      expect(statesJson(sim), name).toBe(heldJson);
      // The fork replayed from the shared checkpoint to the same trace, and running it changes
      // nothing the first run handed out.
      expect(forkHash, name).toBe(hash);
      fork.runFor(3000);
      expect(JSON.stringify(held), name).toBe(heldJson);
      sim.seek(777);
      expect(statesJson(sim), name).toBe(heldJson);
    }
  });
});

describe('copyState', () => {
  it('copies JSON-shaped data deeply: the copy shares no object with the original', () => {
    const s = { a: [1, { b: 'x', c: [null, true] }], d: { e: {} }, n: -0.5 };
    const c = copyState(s);
    expect(c).toEqual(s);
    expect(c).not.toBe(s);
    expect(c.a).not.toBe(s.a);
    expect(c.a[1]).not.toBe(s.a[1]);
    expect(c.d.e).not.toBe(s.d.e);
    expect(JSON.stringify(c)).toBe(JSON.stringify(s));
  });

  it('refuses what JSON cannot hold, naming where it is', () => {
    expect(() => copyState({ log: [{ m: new Map() }] })).toThrow(/state\.log\[0\]\.m is a Map/);
    expect(() => copyState({ f: () => 1 })).toThrow(/state\.f is a function/);
    class Entry {}
    expect(() => copyState({ e: new Entry() })).toThrow(/state\.e is a Entry/);
  });
});
