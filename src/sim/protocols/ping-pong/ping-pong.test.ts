import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { MAX_TRIES, type PingPongMsg, type PingPongState, pingPong } from './ping-pong';

/** Ping-pong's rules, one input at a time, off the kernel. */
const params = pingPong.params.parse({ retryUs: 100 });
const world = (nowUs = 0, p = params) => ({
  self: 'n1',
  nodes: { n1: 'node', n2: 'node', n3: 'node' },
  params: p,
  nowUs,
});
const fresh = () => pingPong.init({ id: 'n1', role: 'node', params, nodes: ['n1', 'n2', 'n3'] });
const msg = (from: string, m: PingPongMsg) => ({ kind: 'message' as const, from, msg: m });

describe('ping-pong rules', () => {
  it('pings the next node in id order at start and arms the retry timer', () => {
    const s = fresh();
    const out = handle(pingPong, s, { kind: 'start' }, world(10));
    expect(s).toMatchObject({ partner: 'n2', seq: 1, sentAtUs: 10 });
    expect(out.sent).toEqual([{ to: 'n2', msg: { type: 'ping', seq: 1 } }]);
    expect(out.timers).toEqual([{ name: 'retry', afterUs: 100 }]);
  });

  it('counts a round for the pong of the outstanding ping, measures its round trip, pings again', () => {
    const s = fresh();
    handle(pingPong, s, { kind: 'start' }, world(10));
    const out = handle(pingPong, s, msg('n2', { type: 'pong', seq: 1 }), world(250));
    expect(s).toMatchObject({ seq: 2, rounds: 1, lastRttUs: 240, sentAtUs: 250 });
    expect(out.sent).toEqual([{ to: 'n2', msg: { type: 'ping', seq: 2 } }]);
  });

  it('ignores a late or duplicated pong, and a pong from a node it did not ping', () => {
    const s = fresh();
    handle(pingPong, s, { kind: 'start' }, world());
    handle(pingPong, s, msg('n2', { type: 'pong', seq: 1 }), world(5));
    const before = JSON.stringify(s);
    expect(handle(pingPong, s, msg('n2', { type: 'pong', seq: 1 }), world(9)).sent).toEqual([]);
    expect(handle(pingPong, s, msg('n3', { type: 'pong', seq: 2 }), world(9)).sent).toEqual([]);
    expect(JSON.stringify(s)).toBe(before);
  });

  it('answers a ping with a pong of the same sequence number; the bug switch breaks it', () => {
    const s = fresh();
    const out = handle(pingPong, s, msg('n3', { type: 'ping', seq: 7 }), world());
    expect(out.sent).toEqual([{ to: 'n3', msg: { type: 'pong', seq: 7 } }]);
    expect(s.answered).toBe(1);
    const bug = handle(
      pingPong,
      fresh(),
      msg('n3', { type: 'ping', seq: 7 }),
      world(0, { ...params, bugWrongSeq: true }),
    );
    expect(bug.sent).toEqual([{ to: 'n3', msg: { type: 'pong', seq: 8 } }]);
  });

  it('re-sends on the retry timer with the next sequence number; no timer when retries are off', () => {
    const s = fresh();
    handle(pingPong, s, { kind: 'start' }, world());
    expect(handle(pingPong, s, { kind: 'timer', name: 'retry' }, world(100)).sent).toEqual([
      { to: 'n2', msg: { type: 'ping', seq: 2 } },
    ]);
    const off = handle(pingPong, fresh(), { kind: 'start' }, world(0, { ...params, retryUs: 0 }));
    expect(off.timers).toEqual([]);
  });

  it('keeps partner, rounds and seq over a crash and forgets the rest; pings on after the restart', () => {
    const base = defaultScenario('ping-pong');
    const sc = ScenarioSchema.parse({
      ...base,
      faults: [
        { atUs: 200_000, fault: { kind: 'crash', node: 'n1' } },
        { atUs: 300_000, fault: { kind: 'restart', node: 'n1' } },
      ],
    });
    const sim = new Simulation(sc);
    sim.runUntil(250_000);
    const down = sim.nodeState('n1')!;
    expect(down.up).toBe(false);
    const kept = down.state as PingPongState;
    expect(Object.keys(kept).sort()).toEqual(['partner', 'rounds', 'seq']);
    expect(kept.rounds).toBeGreaterThan(10);
    sim.runUntil(400_000);
    const back = sim.nodeState('n1')!.state as PingPongState;
    expect(back.rounds).toBeGreaterThan(kept.rounds);
    expect(back.seq).toBeGreaterThan(kept.seq);
    expect(back.answered).toBeLessThan(kept.rounds); // volatile: counted again from 0
  });
});

describe('ping-pong liveness: every node completes a round once the faults stop', () => {
  const withLoss = (bugWrongSeq: boolean) => {
    const base = defaultScenario('ping-pong');
    return ScenarioSchema.parse({
      ...base,
      params: { ...base.params, bugWrongSeq },
      topology: { ...base.topology, links: base.topology.links.map((l) => ({ ...l, lossRate: 0.05 })) },
      faults: [
        { atUs: 200_000, fault: { kind: 'crash', node: 'n2' } },
        { atUs: 600_000, fault: { kind: 'restart', node: 'n2' } },
      ],
      limits: { maxTimeUs: 3_000_000 },
    });
  };

  it('holds for the correct protocol on lossy links, after a crash', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation(withLoss(false), { seed });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(sim.invariants().find((c) => c.id === 'rounds-complete')?.ok, `seed=${seed}`).toBe(true);
    }
  });

  it('bugWrongSeq: no pong ever counts, and rounds-complete stops the run', () => {
    const sim = new Simulation(withLoss(true), { seed: 1 });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    expect(sim.violation?.invariant).toBe('rounds-complete');
    const sent = Number(
      /sent (\d+) pings to n\d since its last round/.exec(sim.violation?.message ?? '')?.[1],
    );
    expect(sent).toBeGreaterThan(MAX_TRIES);
  });
});
