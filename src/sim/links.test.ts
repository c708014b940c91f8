/** Simulation.links(): each link's state and who is cut off, as the workbench draws them. */
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';
import { link, nodes, scenario } from './test/helpers';

const three = (extra: Record<string, unknown> = {}) =>
  scenario({
    protocol: 'test-probe',
    topic: 'test',
    params: { tickUs: 100_000, sendTo: 'b' },
    topology: { nodes: nodes('a', 'b', 'c'), links: [link('a', 'b'), link('b', 'c'), link('a', 'c')] },
    ...extra,
  });

const stateOf = (sim: Simulation) => Object.fromEntries(sim.links().links.map((l) => [l.id, l.state]));

describe('links', () => {
  it('a scripted partition cuts the links between the groups, and the minority is cut off', () => {
    const sim = new Simulation(
      three({ faults: [{ atUs: 200_000, fault: { kind: 'partition', groups: [['a'], ['b', 'c']] } }] }),
    );
    sim.runUntil(199_999);
    expect(stateOf(sim)).toEqual({ 'a-b': 'ok', 'b-c': 'ok', 'a-c': 'ok' });
    expect(sim.links().cutOff).toEqual([]);
    sim.runUntil(200_000);
    const info = sim.links();
    expect(info.eventIndex).toBe(sim.eventIndex);
    expect(stateOf(sim)).toEqual({ 'a-b': 'cut', 'b-c': 'ok', 'a-c': 'cut' });
    expect(info.links.find((l) => l.id === 'a-b')).toMatchObject({
      cutBy: ['partition'],
      cutDirection: null,
    });
    expect(info.cutOff).toEqual([
      { node: 'a', from: ['b', 'c'], minority: true },
      { node: 'b', from: ['a'], minority: false },
      { node: 'c', from: ['a'], minority: false },
    ]);
  });

  it('a one-way cut names the direction that is cut', () => {
    const sim = new Simulation(
      three({ faults: [{ atUs: 50_000, fault: { kind: 'cut-link', link: 'b-c', direction: 'b-to-a' } }] }),
    );
    sim.runUntil(50_000);
    const bc = sim.links().links.find((l) => l.id === 'b-c')!;
    // b-c's a end is b: b-to-a is c -> b.
    expect(bc).toMatchObject({ state: 'cut-one-way', cutDirection: 'b-to-a', cutBy: ['link'] });
    // Only direct links carry messages between protocol nodes, so c cannot send to b.
    expect(sim.links().cutOff).toEqual([
      { node: 'b', from: ['c'], minority: false },
      { node: 'c', from: ['b'], minority: false },
    ]);
  });

  it('a one-way partition cuts one direction of the links between the sides', () => {
    const sim = new Simulation(
      three({ faults: [{ atUs: 50_000, fault: { kind: 'partition-oneway', from: ['a'], to: ['b'] } }] }),
    );
    sim.runUntil(50_000);
    expect(sim.links().links.find((l) => l.id === 'a-b')).toMatchObject({
      state: 'cut-one-way',
      cutDirection: 'a-to-b',
      cutBy: ['partition'],
    });
    expect(stateOf(sim)['a-c']).toBe('ok');
  });

  it('a cut around a switch cuts the node off by route; a degraded link reports both loss rates', () => {
    const sim = new Simulation(
      scenario({
        protocol: 'test-probe',
        topic: 'test',
        params: { tickUs: 100_000, sendTo: 'b' },
        topology: {
          nodes: nodes('a', 'b', 'c', 'sw1'),
          links: [link('a', 'sw1'), link('b', 'sw1'), link('c', 'sw1', 1000, { lossRate: 0.1 })],
        },
        faults: [
          { atUs: 50_000, fault: { kind: 'cut-link', link: 'a-sw1', direction: 'both' } },
          { atUs: 60_000, fault: { kind: 'degrade-link', link: 'c-sw1', lossRate: 0.5 } },
        ],
      }),
    );
    sim.runUntil(60_000);
    const info = sim.links();
    expect(stateOf(sim)).toEqual({ 'a-sw1': 'cut', 'b-sw1': 'ok', 'c-sw1': 'degraded' });
    expect(info.links.find((l) => l.id === 'c-sw1')).toMatchObject({ lossRate: 0.5, scenarioLossRate: 0.1 });
    expect(info.cutOff?.map((c) => [c.node, c.from, c.minority])).toEqual([
      ['a', ['b', 'c'], true],
      ['b', ['a'], false],
      ['c', ['a'], false],
    ]);
  });

  it('behind a switch, a partition cuts the links whose every crossing it drops', () => {
    const sim = new Simulation(
      scenario({
        protocol: 'test-probe',
        topic: 'test',
        params: { tickUs: 100_000, sendTo: 'b' },
        topology: {
          nodes: nodes('a', 'b', 'c', 'sw1'),
          links: [link('a', 'sw1'), link('b', 'sw1'), link('c', 'sw1')],
        },
        faults: [{ atUs: 50_000, fault: { kind: 'partition', groups: [['a', 'b'], ['c']] } }],
      }),
    );
    sim.runUntil(50_000);
    // a and b still talk through the switch; everything c sends or gets crosses the cut.
    expect(stateOf(sim)).toEqual({ 'a-sw1': 'ok', 'b-sw1': 'ok', 'c-sw1': 'cut' });
    expect(sim.links().links.find((l) => l.id === 'c-sw1')!.cutBy).toEqual(['partition']);
    expect(sim.links().cutOff?.find((c) => c.node === 'c')).toEqual({
      node: 'c',
      from: ['a', 'b'],
      minority: true,
    });
  });

  it('a live cut un-draws after stepping back before it, and comes back when replayed', () => {
    const sim = new Simulation(three());
    sim.runUntil(150_000);
    const before = sim.eventIndex;
    sim.inject({ kind: 'cut-link', link: 'a-b', direction: 'both' });
    sim.stepUntil({ kind: 'fault' });
    expect(stateOf(sim)['a-b']).toBe('cut');
    sim.seek(before);
    expect(stateOf(sim)['a-b']).toBe('ok');
    sim.stepUntil({ kind: 'fault' });
    expect(stateOf(sim)['a-b']).toBe('cut');
  });

  it('a scripted heal draws the links ok again', () => {
    const sim = new Simulation(
      three({
        faults: [
          { atUs: 50_000, fault: { kind: 'partition', id: 'p', groups: [['a'], ['b', 'c']] } },
          { atUs: 90_000, fault: { kind: 'heal', id: 'p' } },
        ],
      }),
    );
    sim.runUntil(89_999);
    expect(stateOf(sim)['a-b']).toBe('cut');
    sim.runUntil(90_000);
    expect(stateOf(sim)).toEqual({ 'a-b': 'ok', 'b-c': 'ok', 'a-c': 'ok' });
    expect(sim.links().cutOff).toEqual([]);
  });

  it('a nemesis partition is drawn while it lasts, and stepping back before it un-draws it', () => {
    const sim = new Simulation(
      three({
        nemesis: { enabled: true, partitionRatePerS: 5, oneWayFraction: 0, meanPartitionUs: 500_000 },
      }),
    );
    const r = sim.stepUntil({ kind: 'fault' }, 100_000);
    expect(r.matched).toBe(true);
    const row = sim
      .traceWindow({ from: sim.eventIndex, to: sim.eventIndex + 1 })
      .find((x) => x.kind === 'fault')!;
    expect(row.detail).toMatch(/^nemesis: partition/);
    const info = sim.links();
    const cut = info.links.filter((l) => l.state === 'cut');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((l) => l.cutBy.includes('partition'))).toBe(true);
    expect(info.cutOff!.length).toBeGreaterThan(0);
    sim.stepBack(1);
    expect(sim.links().links.every((l) => l.state === 'ok')).toBe(true);
    expect(sim.links().cutOff).toEqual([]);
  });

  it('live faults are listed with the virtual time they happen at', () => {
    const sim = new Simulation(three());
    sim.runUntil(150_000);
    const at = sim.nowUs;
    const ev = sim.eventIndex;
    sim.inject({ kind: 'crash', node: 'c' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.nowUs).toBe(at);
    sim.inject({ kind: 'pause', node: 'b' });
    expect(sim.liveFaults()).toEqual([
      { atEvent: ev, atUs: at, fault: { kind: 'crash', node: 'c' } },
      { atEvent: sim.eventIndex, atUs: at, fault: { kind: 'pause', node: 'b' } },
    ]);
  });
});
