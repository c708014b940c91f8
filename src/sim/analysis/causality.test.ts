import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../catalog';
import type { TraceEvent } from '../kernel/trace';
import { Simulation } from '../simulation';
import { causalityOf, happenedBefore, ordering, parseShiViz, SHIVIZ_REGEX, toShiViz } from './causality';

/** Rows of a small run by hand: a sends m0 to b, b sends m1 to c; d only has a local event. */
function rows(): TraceEvent[] {
  const r: Omit<TraceEvent, 'row'>[] = [
    { index: 1, timeUs: 0, kind: 'start', node: 'a' },
    { index: 1, timeUs: 0, kind: 'send', node: 'a', peer: 'b', msgType: 'm', sendId: 0 },
    { index: 2, timeUs: 0, kind: 'start', node: 'c' },
    { index: 3, timeUs: 5, kind: 'timer', node: 'd', detail: 'tick' },
    { index: 4, timeUs: 10, kind: 'deliver', node: 'b', peer: 'a', msgType: 'm', sendId: 0 },
    { index: 4, timeUs: 10, kind: 'send', node: 'b', peer: 'c', msgType: 'n', sendId: 1 },
    { index: 4, timeUs: 10, kind: 'drop', node: 'b', peer: 'd', msgType: 'n', sendId: 2, detail: 'loss' },
    { index: 5, timeUs: 20, kind: 'deliver', node: 'c', peer: 'b', msgType: 'n', sendId: 1 },
    { index: 5, timeUs: 20, kind: 'note', node: 'c', detail: 'got it\nsecond line' },
  ];
  return r.map((x, row) => ({ ...x, row }));
}

describe('happened-before from a trace', () => {
  it('gives each event its vector clock: process order plus send → delivery', () => {
    const c = causalityOf(rows());
    expect(c.hosts).toEqual(['a', 'c', 'd', 'b']);
    expect(c.at.has(6)).toBe(false); // a drop is not an event of a process
    expect(c.clock(c.at.get(8)!)).toEqual({ a: 2, b: 2, c: 3, d: 0 });
    expect(c.clock(c.at.get(3)!)).toEqual({ a: 0, b: 0, c: 0, d: 1 });
  });

  it('says before, after or concurrent, with the chain of messages', () => {
    const c = causalityOf(rows());
    const o = ordering(c, 0, 8);
    expect(o.relation).toBe('before');
    expect(o.chain.map((h) => `${h.from}>${h.to}:${h.msgType}`)).toEqual(['a>b:m', 'b>c:n']);
    expect(o.reason).toMatch(/a sends m \(event 1\), b receives it \(event 4\); then b sends n/);
    expect(ordering(c, 8, 0).relation).toBe('after');
    expect(ordering(c, 8, 0).chain).toHaveLength(2);
    expect(ordering(c, 2, 7).relation).toBe('before'); // c's start, then c's delivery: one process
    expect(ordering(c, 2, 7).chain).toEqual([]);
    const d = ordering(c, 3, 8);
    expect(d.relation).toBe('concurrent');
    expect(d.reason).toMatch(/no chain of messages/);
    expect(ordering(c, 4, 4).relation).toBe('same');
    expect(() => ordering(c, 6, 0)).toThrow(/row 6 is not an event/);
  });
});

/** Brute force: the events reachable from x along process order and message edges. */
function reachable(ev: ReturnType<typeof causalityOf>['events']): (x: number) => Set<number> {
  const next: number[][] = ev.map(() => []);
  const lastOf = new Map<string, number>();
  const sendOf = new Map<number, number>();
  ev.forEach((e, j) => {
    const p = lastOf.get(e.node);
    if (p !== undefined) next[p]!.push(j);
    lastOf.set(e.node, j);
    if (e.kind === 'send') sendOf.set(e.sendId!, j);
    if (e.kind === 'deliver' && sendOf.has(e.sendId!)) next[sendOf.get(e.sendId!)!]!.push(j);
  });
  return (x) => {
    const seen = new Set<number>();
    const todo = [...next[x]!];
    while (todo.length > 0) {
      const i = todo.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      todo.push(...next[i]!);
    }
    return seen;
  };
}

describe('ShiViz export', () => {
  it('writes the regex, an empty delimiter line, then each event and its host with the vector clock', () => {
    const text = toShiViz(causalityOf(rows()));
    const lines = text.split('\n');
    expect(lines[0]).toBe(SHIVIZ_REGEX);
    expect(lines[1]).toBe('');
    expect(lines.slice(2, 4)).toEqual(['start · event 1, 0.000 ms', 'a {"a":1}']);
    expect(text).toContain('got it second line · event 5, 0.020 ms\nc {"a":2,"c":3,"b":2}\n');
  });

  it.each(['broadcast', 'raft', 'logical-clocks'])(
    'a %s run parses back with clocks that are exactly happened-before (what ShiViz checks)',
    (protocol) => {
      const sim = new Simulation(defaultScenario(protocol));
      sim.runFor(260);
      const all = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER);
      // A window from event 60 on: its clocks count only the events inside it.
      const window = all.filter((r) => r.index >= 60);
      const c = causalityOf(window);
      const back = parseShiViz(toShiViz(c));
      expect(back.length).toBe(c.events.length);
      expect(back.length).toBeGreaterThan(40);
      const seen = new Map<string, number>();
      back.forEach((e, i) => {
        // Each host's own entry counts 1, 2, 3... (ShiViz refuses anything else).
        const own = (seen.get(e.host) ?? 0) + 1;
        seen.set(e.host, own);
        expect(e.host).toBe(c.events[i]!.node);
        expect(e.clock[e.host]).toBe(own);
        for (const [h, x] of Object.entries(e.clock)) {
          expect(x).toBeGreaterThan(0); // zero entries are left out
          expect(x).toBeLessThanOrEqual(c.events.filter((v) => v.node === h).length);
        }
      });
      // Compare every pair of the first 150 events with a search of the event graph.
      const ev = c.events;
      const n = Math.min(150, ev.length);
      const from = reachable(ev);
      for (let x = 0; x < n; x++) {
        const after = from(x);
        for (let y = 0; y < n; y++) {
          const cx = back[x]!;
          const want = after.has(y);
          const byClock = x !== y && (back[y]!.clock[cx.host] ?? 0) >= cx.clock[cx.host]!;
          expect(byClock, `${protocol} ${x}->${y}`).toBe(want);
          expect(happenedBefore(c, x, y)).toBe(want);
        }
      }
    },
  );
});
