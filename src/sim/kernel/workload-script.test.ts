import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { dynamoFigure3 } from '../protocols/cap/dynamo/scenarios';
import { Simulation } from '../simulation';

/**
 * A scripted workload (docs/kernel.md "Workloads"): exactly the listed operations, each at its
 * client at its time, whatever became of the ones before it.
 */

const figure = dynamoFigure3();
const script = figure.workload.kind === 'script' ? figure.workload.ops : [];

describe('a scripted workload', () => {
  it('invokes every operation at its time, at its client, with its value, same-time ones in list order', () => {
    for (const seed of [1, 7, 42]) {
      const sim = new Simulation(figure, { seed });
      sim.runUntil(1_000_000);
      const ops = sim.history();
      expect(
        ops.map((op) => [op.callUs, op.kind, op.value ?? null]),
        `seed=${seed}`,
      ).toEqual(script.map((s) => [s.atUs, s.op === 'write' ? 'put' : 'get', s.value ?? null]));
      // Operation ids follow the list, so ops at one time keep their order: c2's read before c3's.
      const clients = sim
        .traceWindow({ fromUs: 0, toUs: 1_000_000 })
        .filter((r) => r.kind === 'client')
        .map((r) => r.node);
      expect(clients).toEqual(script.map((s) => s.client));
    }
  });

  it('a write without a value writes v<op id>, and an unsorted list is invoked in time order', () => {
    const s = ScenarioSchema.parse({
      ...figure,
      workload: {
        kind: 'script',
        ops: [
          { atUs: 10_000, client: 'c1', op: 'write', key: 'a' },
          { atUs: 5_000, client: 'c2', op: 'write', key: 'b' },
          { atUs: 60_000, client: 'c3', op: 'read', key: 'a' },
        ],
      },
    });
    const sim = new Simulation(s, { seed: 1 });
    sim.runUntil(200_000);
    // The list need not be sorted: b at 5 ms is invoked first and gets id 1.
    expect(sim.history().map((op) => [op.key, op.value ?? op.output])).toEqual([
      ['b', 'v1'],
      ['a', 'v2'],
      ['a', 'v2'],
    ]);
  });

  it('an operation at a crashed client is never answered, given up on after the timeout, and the script goes on', () => {
    const s = ScenarioSchema.parse({
      ...figure,
      faults: [{ atUs: 150_000, fault: { kind: 'crash', node: 'c2' } }],
      workload: { ...figure.workload, timeoutUs: 100_000 },
    });
    const sim = new Simulation(s, { seed: 1 });
    sim.runUntil(1_000_000);
    const { counters } = sim.metrics();
    // c2's read at 200 ms, its write at 300 ms and its read at 600 ms: three given up on.
    expect(counters.opsUnknown).toBe(3);
    expect(counters.opsInvoked).toBe(script.length);
    const c2 = sim.history().filter((op) => op.returnUs === null);
    expect(c2.map((op) => op.callUs)).toEqual([200_000, 300_000, 600_000]);
    // c1's story goes on without c2: its D5 still comes after D4 alone.
    expect(sim.history().find((op) => op.value === 'D5')?.returnUs).not.toBeNull();
  });
});
