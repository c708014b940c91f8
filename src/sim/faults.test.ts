import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';
import { link, nodes, scenario } from './test/helpers';
import type { ProbeState } from './test/probe';

const probe = (extra: Record<string, unknown> = {}) =>
  scenario({
    protocol: 'test-probe',
    topic: 'test',
    params: { tickUs: 100_000, sendTo: 'b' },
    topology: { nodes: nodes('a', 'b'), links: [link('a', 'b')] },
    ...extra,
  });

describe('crash and restart', () => {
  it('a crash loses volatile state and keeps durable state', () => {
    const sim = new Simulation(
      probe({
        faults: [
          { atUs: 350_000, fault: { kind: 'crash', node: 'a' } },
          { atUs: 500_000, fault: { kind: 'restart', node: 'a' } },
        ],
      }),
    );
    sim.runUntil(349_999);
    const before = sim.nodeState('a')!.state as ProbeState;
    expect(before).toMatchObject({ volatile: 3, durable: 3 });
    sim.runUntil(400_000);
    const down = sim.nodeState('a')!;
    expect(down.up).toBe(false);
    expect(down.state).toEqual({ durable: 3 }); // only what durable() keeps
    expect(down.timers).toEqual([]);
    sim.runUntil(500_000);
    const after = sim.nodeState('a')!;
    expect(after.up).toBe(true);
    expect(after.state).toMatchObject({ volatile: 0, durable: 3, fired: [] });
    sim.runUntil(650_000);
    expect(sim.nodeState('a')!.state).toMatchObject({ volatile: 1, durable: 4 });
  });

  it('messages to a crashed node are dropped as down', () => {
    const sim = new Simulation(probe({ faults: [{ atUs: 0, fault: { kind: 'crash', node: 'b' } }] }));
    sim.runUntil(250_000);
    const drops = sim.traceWindow({ from: 0, to: 1e9 }).filter((r) => r.kind === 'drop');
    expect(drops.length).toBe(2);
    expect(drops.every((d) => d.detail === 'down' && d.node === 'a' && d.peer === 'b')).toBe(true);
  });

  it('a paused node holds deliveries and timers until resumed', () => {
    const sim = new Simulation(
      probe({
        faults: [
          { atUs: 150_000, fault: { kind: 'pause', node: 'b' } },
          { atUs: 450_000, fault: { kind: 'resume', node: 'b' } },
        ],
      }),
    );
    sim.runUntil(449_999);
    expect((sim.nodeState('b')!.state as ProbeState).got.length).toBe(1);
    expect((sim.nodeState('b')!.state as ProbeState).fired.length).toBe(1);
    sim.runUntil(450_000);
    const s = sim.nodeState('b')!.state as ProbeState;
    expect(s.got.length).toBe(4);
    expect(s.fired.length).toBe(2); // one held tick (re-armed after it runs), not three
  });
});

describe('timers on drifting clocks', () => {
  it('fire when the local clock says so', () => {
    // b runs 10% fast (100,000 ppm) from offset 1000: its 100 ms ticks come every 90.9 ms of true time.
    const sc = probe({
      params: { tickUs: 100_000, sendTo: '' },
      topology: {
        nodes: [
          { id: 'a', role: 'node' },
          { id: 'b', role: 'node', clockOffsetUs: 1000, clockDriftPpm: 100_000 },
        ],
        links: [link('a', 'b')],
      },
    });
    const sim = new Simulation(sc);
    sim.runUntil(1_000_000);
    // Independent arithmetic: the k-th tick fires at the first integer true time t with
    // local(t) = 1000 + 1.1 t >= deadline, and the next deadline is local(t) + 100,000.
    const want: { t: number; local: number }[] = [];
    let deadline = 1000 + 100_000;
    for (let k = 0; k < 3; k++) {
      const t = Math.ceil((deadline - 1000) / 1.1);
      const local = 1000 + t * 1.1;
      want.push({ t, local: Math.floor(local) });
      deadline = local + 100_000;
    }
    const fired = (sim.nodeState('b')!.state as ProbeState).fired;
    expect(fired.slice(0, 3)).toEqual(want.map((w) => w.local));
    const rows = sim.traceWindow({ from: 0, to: 1e9 }).filter((r) => r.kind === 'timer' && r.node === 'b');
    expect(rows.slice(0, 3).map((r) => r.timeUs)).toEqual(want.map((w) => w.t));
    expect(want[0]!.t).toBe(90910);
    expect((sim.nodeState('a')!.state as ProbeState).fired.slice(0, 2)).toEqual([100_000, 200_000]);
  });

  it('a clock step moves pending timers', () => {
    const sc = probe({
      params: { tickUs: 100_000, sendTo: '' },
      faults: [{ atUs: 50_000, fault: { kind: 'clock-step', node: 'a', deltaUs: 30_000 } }],
    });
    const sim = new Simulation(sc);
    sim.runUntil(200_000);
    const rows = sim.traceWindow({ from: 0, to: 1e9 }).filter((r) => r.kind === 'timer' && r.node === 'a');
    expect(rows[0]!.timeUs).toBe(70_000);
    expect((sim.nodeState('a')!.state as ProbeState).fired[0]).toBe(100_000);
  });
});

describe('topology changes', () => {
  it('an added node starts and a removed one stops', () => {
    const sc = probe({
      faults: [
        { atUs: 100_000, fault: { kind: 'add-node', node: { id: 'c', role: 'node' } } },
        { atUs: 100_000, fault: { kind: 'add-link', link: { id: 'c-b', a: 'c', b: 'b' } } },
        { atUs: 300_000, fault: { kind: 'remove-node', node: 'c' } },
      ],
    });
    const sim = new Simulation(sc);
    sim.runUntil(450_000);
    const c = sim.nodeState('c')!;
    expect(c.removed).toBe(true);
    // c ticks at 200 ms (one message to b); the scripted removal at 300 ms was queued before
    // c's second tick, so that tick never runs.
    expect((c.state as ProbeState).durable).toBe(1);
    const got = (sim.nodeState('b')!.state as ProbeState).got;
    expect(got.filter((g) => g === 'm:c').length).toBe(1);
  });
});
