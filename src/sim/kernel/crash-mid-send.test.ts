import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';
import { Simulation } from '../simulation';

/**
 * The nemesis's crashMidSend: a step that sends to two or more nodes may be cut short by a
 * crash, so that only part of its messages leave (Cachin et al. 2011 §3.3: a process may crash
 * in the middle of a broadcast). Any protocol; drawn from the nemesis stream.
 */

interface State {
  got: number;
}

/** Node a sends one `hello` to each of the others every 100 ms; the others count them. */
const fanOut: Protocol<Record<string, never>, State, { type: 'hello' }> = {
  id: 'test-fan-out',
  topic: 'test',
  title: 'Fan-out',
  version: 1,
  speed: 0.01,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: z.object({}),
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ got: 0 }),
  on(ctx, s, input) {
    if (input.kind === 'message') s.got += 1;
    if (ctx.self !== 'a') return;
    if (input.kind === 'start' || input.kind === 'restart' || input.kind === 'timer') {
      for (const p of ctx.peers) ctx.send(p, { type: 'hello' });
      ctx.setTimer('tick', 100_000);
    }
  },
  durable: [],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
};
registerProtocol(fanOut);

function scenario(crashMidSend: number) {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'fan-out',
    topic: 'test',
    protocol: 'test-fan-out',
    params: {},
    topology: {
      nodes: ids.map((id, i) => ({ id, role: 'node', x: i * 100, y: 0 })),
      links: ids
        .slice(1)
        .map((id) => ({ id: `a-${id}`, a: 'a', b: id, latency: { kind: 'constant', us: 1000 } })),
    },
    nemesis: { enabled: true, startUs: 0, stopUs: 5_000_000, crashMidSend, meanDowntimeUs: 50_000 },
    seed: 1,
    limits: { maxTimeUs: 5_000_000 },
  });
}

describe('nemesis crashMidSend', () => {
  it("lets part of a step's sends leave (at least one, never all), then crashes the sender", () => {
    const sim = new Simulation(scenario(0.5), { seed: 3 });
    sim.runUntil(5_000_000);
    const cuts = sim
      .traceWindow({ from: 0, to: sim.traceRows }, sim.traceRows)
      .filter((r) => /while sending: \d+ of 4 messages left/.test(r.detail ?? ''));
    expect(cuts.length).toBeGreaterThan(5);
    for (const r of cuts) {
      const [, part] = /while sending: (\d+) of 4/.exec(r.detail ?? '')!;
      expect(Number(part)).toBeGreaterThanOrEqual(1);
      expect(Number(part)).toBeLessThanOrEqual(3);
    }
    // Every cut is a crash of a: the others received fewer hellos than a tried to send them.
    const got = ['b', 'c', 'd', 'e'].map((id) => (sim.nodeState(id)!.state as State).got);
    expect(new Set(got).size).toBeGreaterThan(1);
  });

  it('draws nothing when it is 0: the run is the one without the option', () => {
    const off = new Simulation(scenario(0), { seed: 3 });
    const base = ScenarioSchema.parse({
      ...scenario(0),
      nemesis: { ...scenario(0).nemesis, enabled: false },
    });
    const plain = new Simulation(base, { seed: 3 });
    off.runUntil(5_000_000);
    plain.runUntil(5_000_000);
    expect(off.traceHash()).toBe(plain.traceHash());
  });

  it('is deterministic: the same seed cuts the same sends', () => {
    const a = new Simulation(scenario(0.5), { seed: 9 });
    const b = new Simulation(scenario(0.5), { seed: 9 });
    a.runUntil(5_000_000);
    b.runUntil(5_000_000);
    expect(a.traceHash()).toBe(b.traceHash());
  });
});
