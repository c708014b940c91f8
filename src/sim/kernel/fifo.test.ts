import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Fault, type ScenarioLink, ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';
import { Simulation } from '../simulation';

/**
 * Where a message can overtake an earlier one (docs/kernel.md "Network", "What FIFO means
 * here"): the rules as the network applies them, so a protocol author can rely on what the
 * page says, and a change to delivery order shows up here first.
 */

const Params = z.object({
  /** Per sender: when (local µs) to send its numbered messages to `r`. */
  plan: z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))).default({}),
});
interface State {
  /** What `r` received, in order: "a#1@3942" (sender, number, local time). */
  got: string[];
}
type Msg = { type: 'm'; from: string; n: number };

const probe: Protocol<z.infer<typeof Params>, State, Msg> = {
  id: 'test-fifo',
  topic: 'test',
  title: 'FIFO probe',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: Params,
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ got: [] }),
  on(ctx, s, input) {
    if (input.kind === 'start')
      for (const [at, n] of ctx.params.plan[ctx.self] ?? []) ctx.setTimer(`send ${n}`, at);
    else if (input.kind === 'timer')
      ctx.send('r', { type: 'm', from: ctx.self, n: Number(input.name.slice(5)) });
    else if (input.kind === 'message') s.got.push(`${input.msg.from}#${input.msg.n}@${ctx.now()}`);
  },
  durable: [],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
  speed: 1,
};
registerProtocol(probe);

const node = (id: string, role = 'node') => ({ id, role, x: 0, y: 0 });
const link = (id: string, a: string, b: string, more: Partial<ScenarioLink> = {}) => ({ id, a, b, ...more });
const constant = (us: number) => ({ latency: { kind: 'constant' as const, us } });

function received(
  nodes: ReturnType<typeof node>[],
  links: ReturnType<typeof link>[],
  plan: z.infer<typeof Params>['plan'],
  faults: { atUs: number; fault: Fault }[] = [],
  seed = 1,
): string[] {
  const sim = new Simulation(
    ScenarioSchema.parse({
      schemaVersion: 1,
      name: 'FIFO probe',
      topic: 'test',
      protocol: probe.id,
      params: { plan },
      topology: { nodes, links },
      faults,
      seed,
      limits: { maxTimeUs: 2_000_000 },
    }),
    { seed },
  );
  sim.runUntil(2_000_000);
  return (sim.nodeState('r')!.state as State).got;
}

const order = (got: string[]) => got.map((g) => g.split('@')[0]);
const six: [number, number][] = [1, 2, 3, 4, 5, 6].map((n) => [n * 100, n]);
const inOrder = ['a#1', 'a#2', 'a#3', 'a#4', 'a#5', 'a#6'];

describe('link FIFO: which messages can overtake earlier ones', () => {
  it('a lowered latency does not let a later message pass an earlier one (a tie keeps send order)', () => {
    const got = received(
      [node('a'), node('r')],
      [link('a-r', 'a', 'r', constant(50_000))],
      {
        a: [
          [100, 1],
          [2_000, 2],
        ],
      },
      [{ atUs: 1_000, fault: { kind: 'degrade-link', link: 'a-r', ...constant(10) } }],
    );
    expect(got).toEqual(['a#1@50100', 'a#2@50100']);
  });

  it('FIFO is by send order on every hop: a fast message waits behind one still on a slow first hop', () => {
    const got = received(
      [node('a'), node('c'), node('sw', 'switch'), node('r')],
      [
        link('a-sw', 'a', 'sw', constant(50_000)),
        link('c-sw', 'c', 'sw', constant(10)),
        link('sw-r', 'sw', 'r', constant(10)),
      ],
      { a: [[1_000, 1]], c: [[2_000, 1]] },
    );
    // c's message reaches the switch at 2.01 ms, a's at 51 ms; c's still waits for a's on sw→r.
    expect(got).toEqual(['a#1@51010', 'c#1@51010']);
  });

  it('only the last hop reorders end to end: reordering on the uplink to a switch is undone', () => {
    const nodes = [node('a'), node('sw', 'switch'), node('r')];
    const reorder = { reorderRate: 0.5, reorderDelayUs: 5_000 };
    for (let seed = 1; seed <= 5; seed++) {
      const uplink = received(
        nodes,
        [link('a-sw', 'a', 'sw', reorder), link('sw-r', 'sw', 'r')],
        { a: six },
        [],
        seed,
      );
      expect(order(uplink), `seed ${seed}`).toEqual(inOrder);
    }
    const overtaken = [1, 2, 3, 4, 5].filter((seed) => {
      const last = received(
        nodes,
        [link('a-sw', 'a', 'sw'), link('sw-r', 'sw', 'r', reorder)],
        { a: six },
        [],
        seed,
      );
      return order(last).join() !== inOrder.join();
    });
    expect(overtaken.length).toBeGreaterThan(0);
  });

  it('a duplicate copy comes one more latency later, after messages sent after it', () => {
    const got = received(
      [node('a'), node('r')],
      [link('a-r', 'a', 'r', { dupRate: 1, ...constant(1_000) })],
      {
        a: [
          [100, 1],
          [200, 2],
        ],
      },
    );
    expect(got).toEqual(['a#1@1100', 'a#2@1200', 'a#1@2100', 'a#2@2200']);
  });

  it('a new route can overtake the old one: FIFO is per link, not per pair of nodes', () => {
    const got = received(
      [node('a'), node('sw', 'switch'), node('r')],
      [
        link('a-r', 'a', 'r', constant(50_000)),
        link('a-sw', 'a', 'sw', constant(60_000)),
        link('sw-r', 'sw', 'r', constant(1_000)),
      ],
      {
        a: [
          [1_000, 1],
          [2_000, 2],
        ],
      },
      [{ atUs: 1_500, fault: { kind: 'degrade-link', link: 'a-sw', ...constant(1_000) } }],
    );
    expect(got).toEqual(['a#2@4000', 'a#1@51000']);
  });

  it('a message arriving at the very microsecond of a resume is delivered before those held by the pause', () => {
    const got = received(
      [node('a'), node('r')],
      [link('a-r', 'a', 'r', constant(1_000))],
      {
        a: [
          [1_000, 1],
          [9_000, 2],
        ],
      },
      [
        { atUs: 1_500, fault: { kind: 'pause', node: 'r' } },
        { atUs: 10_000, fault: { kind: 'resume', node: 'r' } },
      ],
    );
    expect(got).toEqual(['a#2@10000', 'a#1@10000']);
    // One microsecond later, it comes after them.
    const later = received(
      [node('a'), node('r')],
      [link('a-r', 'a', 'r', constant(1_000))],
      {
        a: [
          [1_000, 1],
          [9_001, 2],
        ],
      },
      [
        { atUs: 1_500, fault: { kind: 'pause', node: 'r' } },
        { atUs: 10_000, fault: { kind: 'resume', node: 'r' } },
      ],
    );
    expect(later).toEqual(['a#1@10000', 'a#2@10001']);
  });
});
