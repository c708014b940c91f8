import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';
import { Simulation } from '../simulation';
import { clientOpsAnswered } from '../toolkit/liveness';

/**
 * Liveness properties (Protocol.liveness) are checked once the faults stop: not while a fault
 * is queued or the nemesis is still at work, and only after their bound. The kernel's part is
 * knowing when the run is quiet and which client operations went unanswered since.
 */

const Params = z.object({
  /** Bug: a node that restarted never answers again. */
  muteAfterRestart: z.boolean().default(false),
});
type Params = z.infer<typeof Params>;
interface State {
  kv: Record<string, string>;
  restarted: boolean;
}

/** A one-node key-value store that answers at once. */
const kv: Protocol<Params, State, { type: string }> = {
  id: 'test-kv-liveness',
  topic: 'test',
  title: 'Test KV',
  version: 1,
  speed: 0.01,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: Params,
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ kv: {}, restarted: false }),
  on(ctx, s, input) {
    if (input.kind === 'restart') s.restarted = true;
    if (input.kind !== 'client') return;
    if (s.restarted && ctx.params.muteAfterRestart) return;
    const op = input.op;
    if (op.op === 'write') {
      s.kv[op.key] = op.value ?? '';
      ctx.reply(op, { ok: true });
    } else ctx.reply(op, { ok: true, value: s.kv[op.key] ?? null });
  },
  durable: ['kv'],
  invariants: [],
  liveness: [clientOpsAnswered(() => 500_000)],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
};
registerProtocol(kv);

function scenario(extra: Record<string, unknown> = {}) {
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'liveness test',
    topic: 'test',
    protocol: kv.id,
    topology: {
      nodes: [
        { id: 'n1', role: 'node' },
        { id: 'c1', role: 'client' },
      ],
      links: [{ id: 'l', a: 'n1', b: 'c1', latency: { kind: 'constant', us: 1000 } }],
    },
    workload: {
      kind: 'closed',
      concurrency: 1,
      thinkTimeUs: 20_000,
      readFraction: 0.5,
      keys: { list: ['x'] },
      timeoutUs: 200_000,
    },
    faults: [
      { atUs: 1_000_000, fault: { kind: 'crash', node: 'n1' } },
      { atUs: 1_500_000, fault: { kind: 'restart', node: 'n1' } },
    ],
    limits: { maxTimeUs: 4_000_000 },
    seed: 1,
    ...extra,
  });
}

// Operations go to the client-role node when there is one (c1 here, which runs the protocol
// too), so in the first test n1's crash does not touch them; the others run n1 alone.
describe('liveness, checked once the faults stop', () => {
  it('holds and is reported as checked when every operation is answered', () => {
    const sim = new Simulation(scenario());
    sim.runUntil(4_000_000);
    expect(sim.violation).toBeNull();
    expect(sim.invariants().find((v) => v.id === 'client-ops-answered')).toMatchObject({
      kind: 'liveness',
      ok: true,
    });
  });

  it('catches a node that stops answering after a restart, after the bound and not before', () => {
    const sc = scenario({
      params: { muteAfterRestart: true },
      topology: {
        nodes: [{ id: 'n1', role: 'node' }],
        links: [],
      },
    });
    const sim = new Simulation(sc);
    sim.runUntil(4_000_000);
    expect(sim.violation?.invariant).toBe('client-ops-answered');
    expect(sim.violation?.message).toMatch(/^operation #\d+ from n1/);
    // The last fault is the restart at 1.5 s; the bound is 0.5 s.
    expect(sim.violation!.timeUs).toBeGreaterThanOrEqual(2_000_000);
    expect(sim.invariants().find((v) => v.id === 'client-ops-answered')?.ok).toBe(false);
  });

  it('is not checked while faults are still queued or the nemesis is at work', () => {
    const late = scenario({
      params: { muteAfterRestart: true },
      topology: { nodes: [{ id: 'n1', role: 'node' }], links: [] },
      faults: [
        { atUs: 1_000_000, fault: { kind: 'crash', node: 'n1' } },
        { atUs: 1_100_000, fault: { kind: 'restart', node: 'n1' } },
        { atUs: 3_900_000, fault: { kind: 'clock-step', node: 'n1', deltaUs: 1 } },
      ],
    });
    const a = new Simulation(late);
    a.runUntil(3_800_000);
    expect(a.violation).toBeNull();
    expect(a.invariants().find((v) => v.id === 'client-ops-answered')?.ok).toBeNull();
  });

  it('a violation replays at the same event after a seek back and a fork', () => {
    const sc = scenario({
      params: { muteAfterRestart: true },
      topology: { nodes: [{ id: 'n1', role: 'node' }], links: [] },
    });
    const sim = new Simulation(sc, { checkpointEvery: 100 });
    sim.runUntil(4_000_000);
    const v = sim.violation!;
    sim.seek(Math.floor(v.eventIndex / 2));
    expect(sim.violation).toBeNull();
    sim.runUntil(4_000_000);
    expect(sim.violation).toEqual(v);
    const fork = sim.fork(Math.floor(v.eventIndex / 3), { kind: 'params', params: {} });
    fork.runUntil(4_000_000);
    expect(fork.violation).toEqual(v);
  });
});

describe('protocol metrics', () => {
  it('a gauge that reads NaN stops the run with an error naming it', () => {
    const bad: Protocol<Params, State, { type: string }> = {
      ...kv,
      id: 'test-kv-nan-metric',
      liveness: [],
      metrics: [{ id: 'broken', unit: 'x', read: () => Number.NaN }],
    };
    registerProtocol(bad);
    const sim = new Simulation(scenario({ protocol: bad.id }));
    expect(() => sim.runUntil(1_000_000)).toThrow(/metric broken read NaN: a gauge must be a finite number/);
  });
});
