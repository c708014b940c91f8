import { describe, expect, it } from 'vitest';
import { SPEED_MAX_X, SPEED_MIN_X } from '../shared/api/contract';
import { defaultScenario, listProtocols, registerProtocol } from './catalog';
import { probe } from './test/probe';

describe('catalog: protocols declare their extras', () => {
  it('a protocol registered with a quick start and a speed gets both from its declaration alone', () => {
    registerProtocol({
      ...probe,
      id: 'test-quick-start',
      speed: 0.25,
      defaultTopology: (p: { tickUs: number }) => ({
        nodes: [
          { id: 'a', name: 'a', role: 'node', x: p.tickUs / 1000, y: 0, clockOffsetUs: 0, clockDriftPpm: 0 },
        ],
        links: [],
      }),
      quickStart: (p: { tickUs: number }) => ({
        name: 'Probe at work',
        workload: { kind: 'open', ratePerS: 5, keys: { pattern: 'k{i}', count: 3 } },
        faults: [{ atUs: 2 * p.tickUs, fault: { kind: 'crash', node: 'a' } }],
        maxTimeUs: 3_000_000,
      }),
    });
    const s = defaultScenario('test-quick-start');
    expect(s.name).toBe('Probe at work');
    // The builder hands quickStart and defaultTopology the parsed params (the defaults).
    expect(s.params).toEqual({ tickUs: 100_000, sendTo: '' });
    expect(s.topology.nodes[0]?.x).toBe(100);
    expect(s.faults).toEqual([{ atUs: 200_000, fault: { kind: 'crash', node: 'a' } }]);
    expect(s.workload).toMatchObject({ kind: 'open', ratePerS: 5 });
    expect(s.limits.maxTimeUs).toBe(3_000_000);
    expect(listProtocols().find((p) => p.id === 'test-quick-start')?.speed).toBe(0.25);
  });

  it("every built-in protocol's quick start is its own declaration, at a speed the app offers", () => {
    for (const p of listProtocols()) {
      expect(p.speed, p.id).toBeGreaterThanOrEqual(SPEED_MIN_X);
      expect(p.speed, p.id).toBeLessThanOrEqual(SPEED_MAX_X);
      const s = defaultScenario(p.id);
      expect(s.protocol).toBe(p.id);
      expect(s.params, p.id).toEqual(p.defaults);
    }
  });
});
