import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';
import { link, nodes, scenario } from './test/helpers';

const probeAll = (sendTo: string) => ({
  protocol: 'test-probe',
  topic: 'test',
  params: { tickUs: 10_000, sendTo },
});

describe('routes', () => {
  // a - sw1 - b (2 x 1000 us) and a - sw2 - sw3 - b (3 x 100 us); a - c direct but c does not forward.
  const topo = {
    nodes: nodes('a', 'b', 'c', 'sw1', 'sw2', 'sw3'),
    links: [
      link('a', 'sw1'),
      link('sw1', 'b'),
      link('a', 'sw2', 100),
      link('sw2', 'sw3', 100),
      link('sw3', 'b', 100),
      link('a', 'c', 10),
      link('c', 'b', 10),
    ],
  };
  it('follow the shortest latency path through switches only', () => {
    const sim = new Simulation(scenario({ topology: topo }));
    expect(sim.route('a', 'b')).toEqual(['a-sw2', 'sw2-sw3', 'sw3-b']);
    expect(sim.route('b', 'a')).toEqual(['sw3-b', 'sw2-sw3', 'a-sw2']);
    expect(sim.route('a', 'c')).toEqual(['a-c']);
  });
  it('re-route around a cut link, per direction', () => {
    const sim = new Simulation(scenario({ topology: topo }));
    sim.inject({ kind: 'cut-link', link: 'sw2-sw3', direction: 'a-to-b' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.route('a', 'b')).toEqual(['a-sw1', 'sw1-b']);
    expect(sim.route('b', 'a')).toEqual(['sw3-b', 'sw2-sw3', 'a-sw2']);
    sim.inject({ kind: 'heal' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.route('a', 'b')).toEqual(['a-sw2', 'sw2-sw3', 'sw3-b']);
  });
  it('avoid a crashed switch and a removed link, and come back when they do', () => {
    const sim = new Simulation(scenario({ topology: topo }));
    sim.inject({ kind: 'crash', node: 'sw3' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.route('a', 'b')).toEqual(['a-sw1', 'sw1-b']);
    sim.inject({ kind: 'remove-link', link: 'sw1-b' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.route('a', 'b')).toBeNull();
    sim.inject({ kind: 'restart', node: 'sw3' });
    sim.stepUntil({ kind: 'fault' });
    expect(sim.route('a', 'b')).toEqual(['a-sw2', 'sw2-sw3', 'sw3-b']);
  });

  it('are null when no path exists, and messages are dropped as no-route', () => {
    const sim = new Simulation(
      scenario({ ...probeAll('b'), topology: { nodes: nodes('a', 'b'), links: [] } }),
    );
    expect(sim.route('a', 'b')).toBeNull();
    sim.runUntil(50_000);
    const drops = sim.traceWindow({ from: 0, to: 1e9 }).filter((r) => r.kind === 'drop');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => d.detail === 'no-route')).toBe(true);
  });
  it('deliveries take the sum of the hop latencies', () => {
    const sim = new Simulation(scenario({ ...probeAll('b'), topology: topo }));
    sim.runUntil(15_000);
    const rows = sim.traceWindow({ from: 0, to: 1e9 });
    const send = rows.find((r) => r.kind === 'send' && r.node === 'a')!;
    const del = rows.find((r) => r.kind === 'deliver' && r.sendId === send.sendId)!;
    expect(del.timeUs - send.timeUs).toBe(300);
  });
});

describe('partitions', () => {
  const three = {
    nodes: nodes('n1', 'n2', 'n3', 'sw'),
    links: [link('n1', 'sw'), link('n2', 'sw'), link('n3', 'sw')],
  };
  function run(fault: Record<string, unknown>) {
    // Every node sends to every other node on each tick: probe sends to one; use ping-pong ring instead.
    const sim = new Simulation(
      scenario({
        topology: three,
        params: { retryUs: 5000 },
        faults: [
          { atUs: 100_000, fault },
          { atUs: 300_000, fault: { kind: 'heal' } },
        ],
        limits: { maxTimeUs: 400_000 },
      }),
    );
    sim.runFor(1e6);
    return sim.traceWindow({ from: 0, to: 1e9 }, 1e6);
  }
  const during = (r: { timeUs: number }) => r.timeUs >= 100_000 && r.timeUs < 300_000;

  it('isolated groups drop exactly the messages between groups, both ways', () => {
    const rows = run({ kind: 'partition', groups: [['n1'], ['n2', 'n3']] });
    const sends = rows.filter((r) => r.kind === 'send' && during(r));
    const crosses = (r: { node: string; peer?: string }) => (r.node === 'n1') !== (r.peer === 'n1');
    expect(sends.some(crosses)).toBe(true);
    for (const s of sends) {
      const fate = rows.find((r) => r.sendId === s.sendId && r.kind !== 'send')!;
      if (crosses(s)) expect([fate.kind, fate.detail]).toEqual(['drop', 'partition']);
      else expect(fate.kind).toBe('deliver');
    }
    // After the heal, n1 talks again.
    expect(rows.some((r) => r.kind === 'deliver' && r.timeUs > 300_000 && r.node === 'n1')).toBe(true);
  });

  it('one-way partitions drop in one direction only', () => {
    // Ring n1 -> n2 -> n3 -> n1: n1 pings n2 (and retries), n2 answers with pongs.
    const rows = run({ kind: 'partition-oneway', from: ['n2'], to: ['n1'] });
    const sends = rows.filter((r) => r.kind === 'send' && during(r));
    const blocked = sends.filter((s) => s.node === 'n2' && s.peer === 'n1');
    const open = sends.filter((s) => s.node === 'n1' && s.peer === 'n2');
    expect(blocked.length).toBeGreaterThan(0);
    expect(open.length).toBeGreaterThan(0);
    for (const s of blocked)
      expect(rows.find((r) => r.sendId === s.sendId && r.kind === 'drop')?.detail).toBe('partition');
    for (const s of open) expect(rows.some((r) => r.sendId === s.sendId && r.kind === 'deliver')).toBe(true);
    for (const s of sends.filter((x) => !(x.node === 'n2' && x.peer === 'n1')))
      expect(rows.some((r) => r.sendId === s.sendId && r.kind === 'drop' && r.detail === 'partition')).toBe(
        false,
      );
  });

  it('a cut link in one direction drops only that direction when there is no other route', () => {
    const rows = run({ kind: 'cut-link', link: 'n1-sw', direction: 'a-to-b' });
    const sends = rows.filter((r) => r.kind === 'send' && during(r));
    for (const s of sends) {
      const dropped = rows.some((r) => r.sendId === s.sendId && r.kind === 'drop');
      expect(dropped).toBe(s.node === 'n1');
    }
  });
});

describe('loss, duplication, reordering', () => {
  function lossy(extra: Record<string, unknown>) {
    const sim = new Simulation(
      scenario({
        topology: { nodes: nodes('n1', 'n2'), links: [link('n1', 'n2', 1000, extra)] },
        params: { retryUs: 3000 },
        limits: { maxTimeUs: 2_000_000 },
      }),
    );
    sim.runFor(1e6);
    return sim;
  }
  it('loss drops about lossRate of the messages', () => {
    const m = lossy({ lossRate: 0.2 }).metrics().counters;
    const rate = m.droppedLoss! / m.sent!;
    expect(rate).toBeGreaterThan(0.17);
    expect(rate).toBeLessThan(0.23);
  });
  it('duplication delivers a second copy with the same send id', () => {
    const sim = lossy({ dupRate: 0.3 });
    const rows = sim.traceWindow({ from: 0, to: 1e9 }, 1e6).filter((r) => r.kind === 'deliver');
    const perSend = new Map<number, number>();
    for (const r of rows) perSend.set(r.sendId!, (perSend.get(r.sendId!) ?? 0) + 1);
    const twice = [...perSend.values()].filter((n) => n === 2).length;
    expect(twice / perSend.size).toBeGreaterThan(0.25);
    expect(twice / perSend.size).toBeLessThan(0.35);
  });
  it('without reordering a link is FIFO; with it, some messages overtake', () => {
    const order = (sim: Simulation) => {
      const d = sim
        .traceWindow({ from: 0, to: 1e9 }, 1e6)
        .filter((r) => r.kind === 'deliver' && r.node === 'n2');
      let inversions = 0;
      for (let k = 1; k < d.length; k++) if (d[k]!.sendId! < d[k - 1]!.sendId!) inversions++;
      return inversions;
    };
    const jitter = { latency: { kind: 'uniform', minUs: 100, maxUs: 5000 } };
    expect(order(lossy(jitter))).toBe(0);
    expect(order(lossy({ ...jitter, reorderRate: 0.5, reorderDelayUs: 10_000 }))).toBeGreaterThan(0);
  });
});
