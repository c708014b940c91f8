import { describe, expect, it } from 'vitest';
import { causalityOf, happenedBefore } from '../../analysis/causality';
import { Simulation } from '../../simulation';
import { quickStartScenario } from '../../toolkit/quick-start';
import { handle } from '../../toolkit/recorder';
import {
  type LogicalClockParams,
  type LogicalClockState,
  logicalClocks,
  type Stamp,
  type StampedMsg,
  stampBefore,
} from './logical-clocks';

const nodes = { p1: 'process', p2: 'process', p3: 'process' };
const ids = Object.keys(nodes);

function fresh(clock: 'lamport' | 'vector', extra: Partial<LogicalClockParams> = {}) {
  const params = logicalClocks.params.parse({ clock, ...extra });
  const state = (id: string) => logicalClocks.init({ id, role: 'process', params, nodes: ids });
  return { params, state };
}

/** A random stream that always picks the first peer. */
const firstPeer = {
  next: () => 0,
  int: (lo: number) => lo,
  chance: () => false,
  normal: () => 0,
  exponential: (mean: number) => mean,
  shuffled: <T>(xs: readonly T[]) => [...xs],
  pick: <T>(xs: readonly T[]) => xs[0]!,
};

const msg = (t: Stamp, sentBy = 1): { kind: 'message'; from: string; msg: StampedMsg } => ({
  kind: 'message',
  from: 'p2',
  msg: { type: 'Msg', t, sentBy },
});
const timer = (name: string) => ({ kind: 'timer' as const, name });

describe('Lamport clocks (1978, IR1 and IR2)', () => {
  it('IR1: every event ticks C; IR2(a): a send carries the send event’s C', () => {
    const { params, state } = fresh('lamport');
    const s = state('p1');
    const world = { self: 'p1', nodes, params, rng: firstPeer };
    const local = handle(logicalClocks, s, timer('local'), world);
    expect(s.C).toBe(1);
    expect(local.notes).toEqual(['local event · C=1']);
    const out = handle(logicalClocks, s, timer('send'), world);
    expect(s.C).toBe(2);
    expect(out.sent).toEqual([{ to: 'p2', msg: { type: 'Msg', t: 2, sentBy: 2 } }]);
    expect(out.notes).toEqual(['send to p2 · C=2']);
    expect(s.events.map((e) => [e.n, e.kind, e.t])).toEqual([
      [1, 'local', 1],
      [2, 'send', 2],
    ]);
  });

  it('IR2(b): a receipt sets C past both its own value and Tm', () => {
    const { params, state } = fresh('lamport');
    const s = state('p1');
    const world = { self: 'p1', nodes, params };
    handle(logicalClocks, s, msg(7), world);
    expect(s.C).toBe(8);
    handle(logicalClocks, s, msg(3), world);
    expect(s.C).toBe(9);
  });

  it('with bugNoMergeOnReceive a receipt only ticks; with bugIncrementAfterSend m carries C - 1', () => {
    const noMerge = fresh('lamport', { bugNoMergeOnReceive: true });
    const s = noMerge.state('p1');
    handle(logicalClocks, s, msg(7), { self: 'p1', nodes, params: noMerge.params });
    expect(s.C).toBe(1);
    const late = fresh('lamport', { bugIncrementAfterSend: true });
    const t = late.state('p1');
    const out = handle(logicalClocks, t, timer('send'), {
      self: 'p1',
      nodes,
      params: late.params,
      rng: firstPeer,
    });
    expect(t.C).toBe(1);
    expect(out.sent[0]!.msg.t).toBe(0);
  });
});

describe('vector clocks (Fidge 1988, Mattern 1989 §4)', () => {
  it('an event ticks its own entry; a receipt takes the componentwise maximum', () => {
    const { params, state } = fresh('vector');
    const s = state('p1');
    const world = { self: 'p1', nodes, params, rng: firstPeer };
    handle(logicalClocks, s, timer('local'), world);
    expect(s.V).toEqual({ p1: 1, p2: 0, p3: 0 });
    const r = handle(logicalClocks, s, msg({ p1: 0, p2: 4, p3: 2 }), world);
    expect(s.V).toEqual({ p1: 2, p2: 4, p3: 2 });
    expect(r.notes).toEqual(['receive from p2 · V=(2,4,2)']);
    const out = handle(logicalClocks, s, timer('send'), world);
    expect(out.sent[0]!.msg.t).toEqual({ p1: 3, p2: 4, p3: 2 });
    // The logged stamps are copies: later ticks do not change them.
    expect(s.events.map((e) => e.t)).toEqual([
      { p1: 1, p2: 0, p3: 0 },
      { p1: 2, p2: 4, p3: 2 },
      { p1: 3, p2: 4, p3: 2 },
    ]);
  });

  it('compares stamps: before when smaller somewhere and larger nowhere, else concurrent', () => {
    expect(stampBefore({ a: 1, b: 0 }, { a: 1, b: 1 })).toBe(true);
    expect(stampBefore({ a: 1, b: 1 }, { a: 1, b: 1 })).toBe(false);
    expect(stampBefore({ a: 2, b: 0 }, { a: 1, b: 1 })).toBe(false);
    expect(stampBefore({ a: 1, b: 1 }, { a: 2, b: 0 })).toBe(false);
    expect(stampBefore(3, 4)).toBe(true);
    expect(stampBefore(4, 4)).toBe(false);
  });

  it('keeps its clock and its stamped events over a crash, so its next event is still later (C1)', () => {
    const sc = quickStartScenario(logicalClocks, {});
    sc.faults = [
      { atUs: 2_000_000, fault: { kind: 'crash', node: 'p2' } },
      { atUs: 2_500_000, fault: { kind: 'restart', node: 'p2' } },
    ];
    const sim = new Simulation(sc);
    sim.runUntil(6_000_000);
    expect(sim.violation).toBeNull();
    const p2 = sim.nodeState('p2')?.state as LogicalClockState;
    expect(p2.events.length).toBeGreaterThan(10);
    expect(p2.V?.p2).toBe(p2.events.length);
  });
});

/** The run of a quick start under a clock, with every process's stamped events and the trace's causality. */
function runOf(clock: 'lamport' | 'vector', seed: number, params: Partial<LogicalClockParams> = {}) {
  const sim = new Simulation({ ...quickStartScenario(logicalClocks, { clock, ...params }), seed });
  sim.runUntil(4_000_000);
  const rows = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER);
  const c = causalityOf(rows);
  // The k-th stamped event of a process is its k-th note; its step's first row stands for it in
  // the trace (a step's later rows, its sends and its note, have no other causes).
  const firstRow = new Map<string, number>();
  for (const r of rows)
    if (!firstRow.has(`${r.index}/${r.node}`)) firstRow.set(`${r.index}/${r.node}`, r.row);
  const events: { node: string; t: Stamp; pos: number }[] = [];
  for (const n of sim.nodeStates()) {
    const notes = rows.filter((r) => r.kind === 'note' && r.node === n.id);
    const log = (n.state as LogicalClockState).events;
    expect(notes.length).toBe(log.length);
    log.forEach((e, k) => {
      const pos = c.at.get(firstRow.get(`${notes[k]!.index}/${n.id}`)!)!;
      events.push({ node: n.id, t: e.t, pos });
    });
  }
  return {
    sim,
    c,
    events,
    hash: rows.map((r) => `${r.index} ${r.kind} ${r.node} ${r.peer ?? ''}`).join('\n'),
  };
}

describe('logical clocks against the happened-before relation of the trace (src/sim/analysis)', () => {
  it('vector order is happened-before, on every pair of events, seeds 1-8', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { c, events, sim } = runOf('vector', seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(events.length, `seed=${seed}`).toBeGreaterThan(30);
      for (const a of events)
        for (const b of events)
          if (a !== b)
            expect(
              stampBefore(a.t, b.t),
              `seed=${seed} ${a.node}:${JSON.stringify(a.t)} ${b.node}:${JSON.stringify(b.t)}`,
            ).toBe(happenedBefore(c, a.pos, b.pos));
    }
  });

  it('Lamport order is consistent with happened-before, yet orders some concurrent pairs (seeds 1-8)', () => {
    let lamportFound = 0;
    let vectorFound = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const vector = runOf('vector', seed);
      const { c, events, sim, hash } = runOf('lamport', seed);
      expect(hash, `seed=${seed}: the clock does not change the run`).toBe(vector.hash);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      let concurrentButOrdered = 0;
      for (const a of events)
        for (const b of events) {
          if (a === b) continue;
          if (happenedBefore(c, a.pos, b.pos)) expect(stampBefore(a.t, b.t), `seed=${seed}`).toBe(true);
          else if (!happenedBefore(c, b.pos, a.pos) && stampBefore(a.t, b.t)) concurrentButOrdered++;
        }
      expect(
        concurrentButOrdered,
        `seed=${seed}: a concurrent pair with ordered Lamport stamps`,
      ).toBeGreaterThan(0);
      // The metric says the same: Lamport stamps prove only some of the concurrent receipts
      // (the ties) that vector stamps prove.
      const last = (s: Simulation) =>
        s
          .metrics()
          .series.find((x) => x.id === 'concurrentReceipts')
          ?.v.at(-1) ?? 0;
      expect(last(sim), `seed=${seed}`).toBeLessThanOrEqual(last(vector.sim));
      lamportFound += last(sim);
      vectorFound += last(vector.sim);
    }
    expect(lamportFound).toBeLessThan(vectorFound / 2);
  });

  it.each([
    ['bugNoMergeOnReceive', 'lamport'],
    ['bugNoMergeOnReceive', 'vector'],
    ['bugIncrementAfterSend', 'lamport'],
    ['bugIncrementAfterSend', 'vector'],
  ] as const)('%s under %s clocks breaks the Clock Condition on every seed 1-20', (bug, clock) => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new Simulation({ ...quickStartScenario(logicalClocks, { clock, [bug]: true }), seed });
      sim.runUntil(6_000_000);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('clock-condition');
    }
  });

  it('the exactness check fires on a vector that counts an event that did not happen before', () => {
    const check = logicalClocks.invariants.find((i) => i.id === 'vector-is-causal-past')!;
    const state: LogicalClockState = {
      C: null,
      V: { p1: 1, p2: 1 },
      events: [{ n: 1, kind: 'local', t: { p1: 1, p2: 1 } }],
    };
    const view = { id: 'p1', role: 'process', up: true, state };
    expect(check.check({ nodes: [view], changed: view, nowUs: 0, events: [] })).toMatch(
      /p2 has 0 events in its causal past/,
    );
    state.events[0]!.t = { p1: 1, p2: 0 };
    expect(check.check({ nodes: [view], changed: view, nowUs: 0, events: [] })).toBeNull();
  });
});
