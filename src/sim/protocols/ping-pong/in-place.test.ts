import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { builtinScenarios, pingPongStar } from '../../scenarios';
import { Simulation } from '../../simulation';
import { pingPong } from './ping-pong';

/**
 * Ping-pong changes its state in place when the kernel says no one else holds it
 * (StepEnv.owned) and lends the kernel one effects object (StepEnv.reuseEffects). Each run here
 * is compared with the same run made while every node's state is read after every step (which
 * hands the states out, so every step copies): the same trace, verdicts and states. Failures
 * print the seed.
 */

const statesJson = (sim: Simulation) => JSON.stringify(sim.nodeStates().map((n) => n.state));

const stress = builtinScenarios().find((s) => s.name === 'ping-pong under a bad network')!;

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

describe('ping-pong states changed in place', () => {
  it('runs under faults, the nemesis and retries the same as runs that copy every state (8 seeds)', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const sc = ScenarioSchema.parse({ ...stress, seed });
      sameAsCopying(sc, 6000, `reproduce with the bad-network scenario, seed=${seed}`);
    }
  });

  it('runs with the wrong-seq bug and without retries the same as runs that copy (4 seeds each)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const bug = ScenarioSchema.parse({ ...stress, seed, params: { ...stress.params, bugWrongSeq: true } });
      sameAsCopying(bug, 4000, `reproduce with bugWrongSeq, seed=${seed}`);
      sameAsCopying(pingPongStar(7, { seed }), 4000, `reproduce with pingPongStar(7), seed=${seed}`);
    }
  });

  it('never changes a state it handed out, checkpointed or forked', () => {
    const sim = new Simulation(ScenarioSchema.parse({ ...stress, seed: 5 }), { checkpointEvery: 500 });
    sim.runFor(777);
    const held = sim.nodeStates().map((n) => n.state);
    const heldJson = JSON.stringify(held);
    const hash = sim.traceHash();
    const fork = sim.fork(777, { kind: 'params', params: {} });
    const forkHash = fork.traceHash();
    sim.runFor(3000);
    // Seeking back restores checkpointed states; the states handed out stay as they were.
    expect(JSON.stringify(held)).toBe(heldJson);
    sim.seek(777);
    expect(sim.traceHash()).toBe(hash);
    expect(statesJson(sim)).toBe(heldJson);
    // The fork replayed from the shared checkpoint to the same trace, and running it changes
    // nothing the first run handed out.
    expect(forkHash).toBe(hash);
    fork.runFor(3000);
    expect(JSON.stringify(held)).toBe(heldJson);
    sim.seek(777);
    expect(statesJson(sim)).toBe(heldJson);
  });

  it('gives callers other than the kernel new objects every step', () => {
    const env = {
      self: 'n1',
      role: 'node',
      peers: ['n2'],
      nodesWithRole: () => ['n1', 'n2'],
      localTimeUs: 10,
      rng: undefined as never,
      params: { retryUs: 100, bugWrongSeq: false },
    };
    const s0 = pingPong.init({ id: 'n1', role: 'node', nodes: ['n1', 'n2'] } as never);
    const a = pingPong.step(s0, { kind: 'start' }, env as never);
    const b = pingPong.step(
      a.state,
      { kind: 'message', from: 'n2', msg: { type: 'pong', seq: 1 } },
      env as never,
    );
    expect(a).not.toBe(b);
    expect(a.state).not.toBe(s0);
    expect(b.state).not.toBe(a.state);
    expect(a.send).not.toBe(b.send);
    expect(s0).toEqual({ partner: 'n2', seq: 0, rounds: 0, answered: 0, sentAtUs: 0, lastRttUs: 0 });
    expect(a.state).toMatchObject({ seq: 1, rounds: 0 });
    expect(b.state).toMatchObject({ seq: 2, rounds: 1 });
    expect(a.send).toEqual([{ to: 'n2', msg: { type: 'ping', seq: 1 } }]);
    expect(a.timers).toEqual([{ kind: 'set', name: 'retry', afterUs: 100 }]);
  });
});
