/**
 * Node state is plain JSON-compatible data (docs/kernel.md "Protocol contract"): it is snapshotted,
 * sent to the renderer and saved. Every registered protocol's default scenario, run for a
 * while, must have states that survive a JSON round trip unchanged (no Infinity, NaN,
 * undefined fields, Maps or class instances).
 */
import { describe, expect, it } from 'vitest';
import { createSimulation, defaultScenario, listProtocols } from './index';

describe('protocol state is JSON', () => {
  for (const p of listProtocols()) {
    it(`${p.id}: every node's state round-trips through JSON`, () => {
      const sim = createSimulation(defaultScenario(p.id), { seed: 3 });
      for (let chunk = 0; chunk < 5; chunk++) {
        sim.step(400);
        for (const node of sim.nodeStates()) {
          const state = node.state;
          expect(
            JSON.parse(JSON.stringify(state ?? null)),
            `${p.id} ${node.id} at event ${sim.eventIndex}`,
          ).toEqual(state ?? null);
        }
      }
    });
  }
});
