// Issue 16 item 4, the reads: the history checks of a finished run (sim.invariants),
// sim.summary and sim.diverge run in slices like the stepping calls, so other calls are served
// while they run, and closing the run cancels them. Checked by the order things happen in,
// not by timings: the host's clock advances 1 ms each time it is read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload, SearchStatus } from '../shared/api';
import type { Scenario } from '../shared/scenario/schema';
import { defaultScenario } from '../sim';
import { getProtocol } from '../sim/catalog';
import { registerHistoryChecker } from '../sim/checkers/history';
import { SeedSearchHost } from './seed-search';
import { READ_PIECE, SimHost } from './sim-host';

/** A history checker that takes SLOW_PIECES pieces of READ_PIECE steps, counting the steps it does. */
const SLOW_PIECES = 200;
let slowSteps = 0;
registerHistoryChecker(
  'test-slow',
  // In one piece: all its steps at once.
  () => {
    slowSteps += SLOW_PIECES * READ_PIECE;
    return { ok: true, message: 'slow but fine' };
  },
  () => {
    let left = SLOW_PIECES * READ_PIECE;
    return {
      advance: (work) => {
        const n = Math.min(work, left);
        left -= n;
        slowSteps += n;
        return left === 0 ? { ok: true, message: 'slow but fine' } : null;
      },
      progress: () => ({ done: SLOW_PIECES * READ_PIECE - left, total: SLOW_PIECES * READ_PIECE }),
    };
  },
);

const protocol = getProtocol('ping-pong')!;
let saved: string[];
beforeEach(() => {
  saved = protocol.historyCheckers;
  protocol.historyCheckers = ['test-slow'];
  slowSteps = 0;
});
afterEach(() => {
  protocol.historyCheckers = saved;
});

/** Ping-pong that ends (time limit) after `us` of virtual time. */
function ending(us: number): Scenario {
  const s = defaultScenario('ping-pong');
  return { ...s, limits: { ...s.limits, maxTimeUs: us } };
}

function host() {
  let now = 0;
  const reads: EventPayload<'sim.readProgress'>[] = [];
  const h = new SimHost({ emit: () => {}, emitRead: (p) => reads.push(p), nowMs: () => now++ });
  return { h, reads };
}

/** Lets the event loop turn once: whatever arrives now arrives after the call started. */
const later = () => new Promise((resolve) => setImmediate(resolve));

async function finished(h: SimHost, us = 200_000): Promise<string> {
  const id = h.create(ending(us)).status.simId;
  expect((await h.runUntil(id, 1e15, 10_000_000)).done).toBe(true);
  return id;
}

describe('the history checks of a finished run (sim.invariants)', () => {
  it('run in slices: a call on another run and a Pause are answered before the check', async () => {
    const { h, reads } = host();
    const a = await finished(h);
    const b = h.create(ending(200_000)).status.simId;
    const order: string[] = [];
    const check = h.invariants(a).then((v) => {
      order.push('check');
      return v;
    });
    await later();
    await h.step(b, 5);
    order.push('step on another run');
    h.pause(a);
    order.push('pause');
    const verdicts = await check;
    expect(order).toEqual(['step on another run', 'pause', 'check']);
    expect(verdicts.find((v) => v.id === 'test-slow')).toMatchObject({ ok: true, message: 'slow but fine' });
    // Progress was pushed while it ran, and only goes up.
    const mine = reads.filter((r) => r.simId === a && r.method === 'sim.invariants');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.what).toBe('history check test-slow');
    expect(mine.map((r) => r.done)).toEqual(mine.map((r) => r.done).sort((x, y) => x - y));
  });

  it('are kept: asking again at the same event answers at once, and two calls share one check', async () => {
    const { h } = host();
    const a = await finished(h);
    const [one, two] = await Promise.all([h.invariants(a), h.invariants(a)]);
    expect(two).toEqual(one);
    expect(slowSteps).toBe(SLOW_PIECES * READ_PIECE);
    expect(await h.invariants(a)).toEqual(one);
    // The summary uses them as they are.
    expect((await h.summary(a)).summary.invariants.map((v) => v.id)).toContain('test-slow');
    expect(slowSteps).toBe(SLOW_PIECES * READ_PIECE);
    // After the run moves, they are checked again.
    await h.stepBack(a, 1);
    await h.step(a, 1);
    await h.invariants(a);
    expect(slowSteps).toBe(2 * SLOW_PIECES * READ_PIECE);
  });

  it('stop when the run is closed: the call answers a conflict naming it', async () => {
    const { h } = host();
    const a = await finished(h);
    const check = h.invariants(a);
    await later();
    h.close(a);
    await expect(check).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/sim-1 was closed while sim\.invariants ran/),
    });
    expect(slowSteps).toBeLessThan(SLOW_PIECES * READ_PIECE);
  });
});

describe('sim.summary', () => {
  it('runs in slices: a call on another run is answered before it', async () => {
    const { h, reads } = host();
    const a = await finished(h);
    const b = h.create(ending(200_000)).status.simId;
    const order: string[] = [];
    const summary = h.summary(a).then(() => order.push('summary'));
    await later();
    await h.step(b, 5);
    order.push('step on another run');
    await summary;
    expect(order).toEqual(['step on another run', 'summary']);
    expect(reads.some((r) => r.method === 'sim.summary')).toBe(true);
  });

  it('starts over when the run goes back meanwhile, and answers for where it is then', async () => {
    const { h } = host();
    const a = await finished(h);
    const summary = h.summary(a);
    await later();
    const back = await h.stepBack(a, 100);
    const { summary: s } = await summary;
    expect(s.events).toBe(back.eventIndex);
    const rows = h.trace(a, 0, back.eventIndex + 1, 50_000).rows;
    expect(s.eventCounts.send).toBe(rows.filter((r) => r.kind === 'send').length);
  });
});

describe('sim.diverge', () => {
  it('compares in slices: a call on another run is answered before it; closing a run cancels it', async () => {
    const { h, reads } = host();
    // Two runs of the same scenario and seed: the same trace, compared to the last row.
    const a = await finished(h, 20_000_000);
    const b = await finished(h, 20_000_000);
    const other = h.create(ending(200_000)).status.simId;
    const order: string[] = [];
    const diverge = h.diverge(a, b).then((d) => {
      order.push('diverge');
      return d;
    });
    await later();
    await h.step(other, 5);
    order.push('step on another run');
    const same = await diverge;
    expect(order).toEqual(['step on another run', 'diverge']);
    expect(same).toMatchObject({ row: null });
    expect(same.compared).toBeGreaterThan(10 * READ_PIECE);
    expect(reads.some((r) => r.method === 'sim.diverge' && r.what === 'trace rows compared')).toBe(true);
    // A run closed under it: a conflict, not an answer about a run that is gone.
    const again = h.diverge(a, b);
    await later();
    h.close(b);
    await expect(again).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('a seed search', () => {
  it("checks a seed's history in the search's chunks, so Cancel stops it halfway", () => {
    let now = 0;
    const ticks: (() => void)[] = [];
    const emitted: SearchStatus[] = [];
    const search = new SeedSearchHost({
      emit: (st) => emitted.push(st),
      nowMs: () => now++,
      schedule: (fn) => {
        ticks.push(fn);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      },
      cancel: () => {},
    });
    const { searchId } = search.start(ending(200_000), 1, 3);
    // Tick until the first seed's check has begun; it has not ended with that tick.
    for (let i = 0; i < 10_000 && slowSteps === 0; i++) ticks.shift()!();
    expect(slowSteps).toBeGreaterThan(0);
    expect(slowSteps).toBeLessThan(SLOW_PIECES * READ_PIECE);
    expect(search.cancel(searchId)).toMatchObject({ state: 'cancelled', done: 0 });
    while (ticks.length > 0) ticks.shift()!();
    expect(slowSteps).toBeLessThan(SLOW_PIECES * READ_PIECE);
    expect(emitted.at(-1)?.state).toBe('cancelled');
  });

  it('still finds nothing wrong in a seed whose slow check passes', () => {
    let now = 0;
    const ticks: (() => void)[] = [];
    const emitted: SearchStatus[] = [];
    const search = new SeedSearchHost({
      emit: (st) => emitted.push(st),
      nowMs: () => now++,
      schedule: (fn) => {
        ticks.push(fn);
        return 0 as unknown as ReturnType<typeof setTimeout>;
      },
      cancel: () => {},
    });
    search.start(ending(200_000), 1, 2);
    for (let i = 0; i < 100_000 && ticks.length > 0; i++) ticks.shift()!();
    expect(emitted.at(-1)).toMatchObject({ state: 'none', done: 2 });
    expect(slowSteps).toBe(2 * SLOW_PIECES * READ_PIECE);
  });
});
