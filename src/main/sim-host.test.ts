import { describe, expect, it } from 'vitest';
import { TraceKindSchema } from '../shared/api';
import { defaultScenario } from '../sim';
import { TRACE_KIND_NAMES } from '../sim/kernel/trace';
import { BYTES_PER_TRACE_ROW } from './memory';
import { MAX_SIMULATIONS, PROGRESS_MS, SimHost } from './sim-host';

/** A host whose wall clock and timers the test drives by hand. */
function manualHost() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const progress: { eventIndex: number; playing: boolean; done: boolean }[] = [];
  const host = new SimHost({
    emit: ({ status }) =>
      progress.push({ eventIndex: status.eventIndex, playing: status.playing, done: status.done }),
    nowMs: () => now,
    schedule: (fn, delayMs) => {
      const id = nextId++;
      queue.push({ at: now + delayMs, fn, id });
      return id as unknown as ReturnType<typeof setTimeout>;
    },
    cancel: (h) => {
      const i = queue.findIndex((q) => q.id === (h as unknown as number));
      if (i >= 0) queue.splice(i, 1);
    },
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = queue[0];
      if (!next || next.at > until) break;
      queue.shift();
      now = Math.max(now, next.at);
      next.fn();
    }
    now = until;
  };
  return { host, advance, progress, pending: () => queue.length };
}

const pingPong = () => defaultScenario('ping-pong');

describe('the sim host', () => {
  it('creates a run paused at event 0 and steps it', async () => {
    const { host } = manualHost();
    const { status, nodes } = host.create(pingPong());
    expect(status).toMatchObject({ simId: 'sim-1', eventIndex: 0, playing: false, done: false });
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(await host.step(status.simId, 5)).toMatchObject({ eventIndex: 5, steps: 5 });
    expect(await host.stepBack(status.simId, 2)).toMatchObject({ eventIndex: 3 });
    expect(await host.seek(status.simId, 10)).toMatchObject({ eventIndex: 10 });
  });

  it('gives the same trace as a second run of the same scenario and seed', async () => {
    const { host } = manualHost();
    const a = host.create(pingPong(), 7).status.simId;
    const b = host.create(pingPong(), 7).status.simId;
    await host.step(a, 200);
    await host.step(b, 150);
    await host.step(b, 50);
    expect(host.trace(a, 0, 1e9, 50_000)).toEqual(host.trace(b, 0, 1e9, 50_000));
  });

  it('plays in the background, reports progress, and stops on pause', async () => {
    const { host, advance, progress, pending } = manualHost();
    const id = host.create(pingPong()).status.simId;
    expect(host.play(id, 1).playing).toBe(true);
    advance(500);
    const during = host.pause(id);
    expect(during.playing).toBe(false);
    expect(during.eventIndex).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(pending()).toBe(0);
    // Nothing runs after the pause, however long we wait.
    advance(1000);
    expect((await host.step(id, 1)).eventIndex).toBe(during.eventIndex + 1);
  });

  it('follows virtual time at the given speed', async () => {
    const { host, advance } = manualHost();
    const id = host.create(pingPong()).status.simId;
    host.play(id, 0.01); // 10 ms of virtual time per wall second
    advance(1000);
    const s = host.pause(id);
    expect(s.nowUs).toBeLessThanOrEqual(10_000);
    expect(s.nowUs).toBeGreaterThan(0);
  });

  it('sends progress no more often than every PROGRESS_MS', async () => {
    const { host, advance, progress } = manualHost();
    const id = host.create(pingPong()).status.simId;
    host.play(id, 1000);
    advance(10 * PROGRESS_MS);
    host.pause(id);
    expect(progress.length).toBeLessThanOrEqual(11);
  });

  it('reports the furthest event reached, kept after going back and forgotten by a live change', async () => {
    const { host } = manualHost();
    const id = host.create(pingPong()).status.simId;
    expect(await host.step(id, 60)).toMatchObject({ eventIndex: 60, reachedEvent: 60 });
    expect(await host.seek(id, 25)).toMatchObject({ eventIndex: 25, reachedEvent: 60 });
    expect(await host.stepBack(id, 5)).toMatchObject({ eventIndex: 20, reachedEvent: 60 });
    expect(await host.step(id, 10)).toMatchObject({ eventIndex: 30, reachedEvent: 60 });
    expect(await host.seek(id, 70)).toMatchObject({ eventIndex: 70, reachedEvent: 70 });
    await host.seek(id, 40);
    const node = host.nodes(id)[0]!.id;
    // A crash at event 40 rewrites what comes after it: the old future is no longer known.
    expect(host.inject(id, { kind: 'fault', fault: { kind: 'crash', node } })).toMatchObject({
      eventIndex: 40,
      reachedEvent: 40,
    });
  });

  it('a manual step pauses play', async () => {
    const { host, advance } = manualHost();
    const id = host.create(pingPong()).status.simId;
    host.play(id, 1);
    advance(20);
    expect((await host.step(id, 1)).playing).toBe(false);
  });

  it('refuses an unknown simulation by name, and a scenario that cannot run', async () => {
    const { host } = manualHost();
    expect(() => host.step('sim-99', 1)).toThrow(/No open simulation sim-99/);
    const broken = { ...pingPong(), protocol: 'no-such-protocol' };
    expect(() => host.create(broken)).toThrow(/cannot run/);
  });

  it('caps the number of open simulations, and close frees a slot', async () => {
    const { host } = manualHost();
    const ids = Array.from({ length: MAX_SIMULATIONS }, () => host.create(pingPong()).status.simId);
    expect(() => host.create(pingPong())).toThrow(/At most/);
    expect(host.close(ids[0]!)).toEqual({ closed: true });
    expect(host.close(ids[0]!)).toEqual({ closed: false });
    expect(() => host.create(pingPong())).not.toThrow();
  });

  it('forks a run into a second one that shares its past', async () => {
    const { host } = manualHost();
    const id = host.create(pingPong()).status.simId;
    await host.step(id, 40);
    const node = host.nodes(id)[0]!.id;
    const fork = await host.fork(id, 20, { kind: 'fault', fault: { kind: 'crash', node } });
    expect(fork.status.eventIndex).toBe(20);
    expect(host.trace(fork.status.simId, 0, 21, 10_000).rows).toEqual(host.trace(id, 0, 21, 10_000).rows);
  });

  it('reports where a fork first differs from its parent', async () => {
    const { host } = manualHost();
    const id = host.create(pingPong()).status.simId;
    await host.step(id, 40);
    const node = host.nodes(id)[0]!.id;
    const fork = (await host.fork(id, 20, { kind: 'fault', fault: { kind: 'crash', node } })).status.simId;
    await host.runUntil(fork, (await host.step(id, 0)).nowUs, 10_000);
    const d = await host.diverge(id, fork);
    expect(d.index).toBe(21);
    expect(d.b).toMatchObject({ kind: 'fault', index: 21 });
    expect(() => host.diverge(id, 'sim-99')).toThrow(/No open simulation sim-99/);
  });
});

describe('run summaries', () => {
  it('count what the trace holds and carry the verdicts', async () => {
    const { host } = manualHost();
    const id = host.create(defaultScenario('broadcast')).status.simId;
    await host.runUntil(id, 1_000_000, 1_000_000);
    const { summary } = await host.summary(id);
    const rows = host.trace(id, 0, 1e9, 50_000).rows;
    expect(summary.events).toBe((await host.step(id, 0)).eventIndex);
    expect(summary.eventCounts.send).toBe(rows.filter((r) => r.kind === 'send').length);
    expect(summary.eventCounts.send).toBe(summary.metrics.sent);
    const byType = rows.filter((r) => r.kind === 'send' && r.msgType === 'bcast').length;
    expect(summary.eventCounts['msg:bcast']).toBe(byType);
    expect(summary.invariants.map((v) => v.id).sort()).toEqual(['no-creation', 'no-duplication']);
    expect(summary.invariants.every((v) => v.ok)).toBe(true);
    expect(summary.outcome).toBe('stopped');
  });

  it('report a violation with its event', async () => {
    const { host } = manualHost();
    const scenario = defaultScenario('broadcast');
    const id = host.create({ ...scenario, params: { ...scenario.params, bugNoDedupe: true } }).status.simId;
    await host.runUntil(id, 5_000_000, 5_000_000);
    const { summary } = await host.summary(id);
    expect(summary.outcome).toBe('violation');
    const broken = summary.invariants.find((v) => !v.ok);
    expect(broken?.id).toBe('no-duplication');
    expect(broken?.atEvent).toBe(summary.events);
  });
});

describe('the API contract mirrors the kernel', () => {
  it('lists the same trace kinds as the kernel', async () => {
    expect([...TraceKindSchema.options]).toEqual([...TRACE_KIND_NAMES]);
  });
});

describe('protocol views (the consistent-hashing ring)', () => {
  it('shows virtual nodes and keys, and what a join moved', async () => {
    const { host } = manualHost();
    const id = host.create(defaultScenario('consistent-hashing')).status.simId;
    await host.runUntil(id, 2_000_000, 5_000_000);
    const ring = () => {
      const v = host.view(id, 'ring');
      if (v?.kind !== 'ring') throw new Error(`expected a ring, got ${JSON.stringify(v)}`);
      return v;
    };
    const before = ring();
    expect(before.scheme).toBe('ring');
    expect(before.vnodes.length).toBeGreaterThan(before.members.length);
    for (const v of before.vnodes) expect(v.label).toMatch(new RegExp(`^${v.node}#\\d+$`));
    expect(before.keys.length).toBeGreaterThan(0);
    for (const k of before.keys) expect(before.members).toContain(k.owner);
    // the quick start adds a node mid-run: afterwards the view names what moved, all to it
    await host.runUntil(id, 4_500_000, 5_000_000);
    const after = ring();
    expect(after.members.length).toBe(before.members.length + 1);
    const joined = after.members.find((m) => !before.members.includes(m))!;
    expect(after.moved.length).toBeGreaterThan(0);
    for (const m of after.moved) expect(m.to).toBe(joined);
  });

  it('is null for a view the protocol does not declare', async () => {
    const { host } = manualHost();
    const id = host.create(defaultScenario('raft')).status.simId;
    expect(host.view(id, 'ring')).toBeNull();
    expect(host.view(id, 'no-such-view')).toBeNull();
  });
});

/**
 * A host on the real event loop whose clock moves 1 ms at every read: a job's slice then ends
 * after a few sub-chunks, whatever the machine's speed, so the tests see slices without timing.
 */
function slicedHost() {
  let now = 0;
  const progress: { simId: string; eventIndex: number }[] = [];
  const host = new SimHost({
    emit: ({ status }) => progress.push({ simId: status.simId, eventIndex: status.eventIndex }),
    nowMs: () => ++now,
  });
  return { host, progress };
}

/** Ping-pong that would run for 10^8 events: far longer than any test waits. */
const endless = () => {
  const s = pingPong();
  return { ...s, limits: { ...s.limits, maxEvents: 100_000_000, maxTimeUs: 1e15 } };
};

describe('long calls run in slices', () => {
  it('a huge runUntil answers other calls meanwhile, reports progress, and Pause cancels it', async () => {
    const { host, progress } = slicedHost();
    const id = host.create(endless()).status.simId;
    const other = host.create(pingPong()).status.simId;
    const long = host.runUntil(id, 1e15, 100_000_000);
    // The first slice has run and the call is waiting for its next turn: others are served.
    expect((await host.step(other, 3)).eventIndex).toBe(3);
    expect(host.nodes(id).length).toBeGreaterThan(0);
    // A second call that would move the same run is refused, naming what runs.
    await expect(host.step(id, 1)).rejects.toThrow(/sim-1 is busy with sim\.runUntil/);
    expect(() => host.play(id, 1)).toThrow(/busy/);
    await new Promise((r) => setTimeout(r, 20)); // a few slices
    const paused = host.pause(id);
    const end = await long;
    expect(end.eventIndex).toBe(paused.eventIndex);
    expect(end.steps).toBe(end.eventIndex);
    expect(end.eventIndex).toBeGreaterThan(0);
    expect(end.done).toBe(false);
    expect(progress.some((p) => p.simId === id && p.eventIndex > 0)).toBe(true);
    // Once it answered, the run is free again.
    expect((await host.step(id, 1)).eventIndex).toBe(end.eventIndex + 1);
  });

  it('gives the same run, event for event, as one straight call', async () => {
    const sliced = slicedHost().host;
    const straight = manualHost().host; // its clock stands still: one slice does everything
    const a = sliced.create(pingPong(), 3).status.simId;
    const b = straight.create(pingPong(), 3).status.simId;
    const sa = await sliced.runUntil(a, 2_000_000, 40_000);
    const sb = await straight.runUntil(b, 2_000_000, 40_000);
    expect(sa).toEqual(sb);
    expect(await sliced.stepUntil(a, { kind: 'timer' }, 50_000)).toEqual(
      await straight.stepUntil(b, { kind: 'timer' }, 50_000),
    );
    expect(await sliced.seek(a, 1_234)).toEqual(await straight.seek(b, 1_234));
    expect(await sliced.seek(a, 30_000)).toEqual(await straight.seek(b, 30_000));
    expect(await sliced.stepBack(a, 25_000)).toEqual(await straight.stepBack(b, 25_000));
    expect(sliced.trace(a, 0, 1e9, 50_000)).toEqual(straight.trace(b, 0, 1e9, 50_000));
    const node = sliced.nodes(a)[0]!.id;
    const change = { kind: 'fault', fault: { kind: 'crash', node } } as const;
    const fa = (await sliced.fork(a, 20_000, change)).status;
    const fb = (await straight.fork(b, 20_000, change)).status;
    expect({ ...fa, simId: '' }).toEqual({ ...fb, simId: '' });
  });

  it('closing a run cancels its call, which says so', async () => {
    const { host } = slicedHost();
    const id = host.create(endless()).status.simId;
    const long = host.stepUntil(id, { kind: 'violation' }, 100_000_000);
    host.close(id);
    await expect(long).rejects.toThrow(/sim-1 was closed while sim\.stepUntil ran/);
  });

  it('a fork replaying from the start can be cancelled by pausing its parent; nothing is opened', async () => {
    const { host } = slicedHost();
    const id = host.create(endless()).status.simId;
    const node = host.nodes(id)[0]!.id;
    const fork = host.fork(id, 50_000_000, { kind: 'fault', fault: { kind: 'crash', node } });
    await new Promise((r) => setTimeout(r, 10));
    host.pause(id);
    await expect(fork).rejects.toThrow(/fork of sim-1 was cancelled/);
    expect(host.size).toBe(1);
  });
});

describe('memory budgets', () => {
  /** A sliced host with small budgets and a host memory reading the test sets. */
  function budgetHost(simRows: number, hostMb = 1024) {
    let used = 100 * 1024 * 1024;
    let now = 0;
    const progress: { done: boolean; stopReason: string | null; playing: boolean }[] = [];
    const host = new SimHost({
      emit: ({ status }) => progress.push(status),
      nowMs: () => ++now,
      hostBytes: () => used,
      budgets: { simBytes: simRows * BYTES_PER_TRACE_ROW, hostBytes: hostMb * 1024 * 1024 },
    });
    return { host, progress, setUsedMb: (mb: number) => (used = mb * 1024 * 1024) };
  }

  /** A scenario that may write a billion trace rows (the audit's 7.6 GB run). */
  const hungry = () => {
    const s = endless();
    return { ...s, limits: { ...s.limits, maxTraceRows: 1e9 } };
  };

  it('a run stops at its own budget with a message naming it and how to raise it', async () => {
    const { host } = budgetHost(20_000);
    const id = host.create(hungry()).status.simId;
    const end = await host.runUntil(id, 1e15, 100_000_000);
    expect(end).toMatchObject({ done: true, stopReason: 'memory-budget', playing: false });
    expect(end.traceRows).toBeGreaterThanOrEqual(20_000);
    expect(end.traceRows).toBeLessThan(1_000_000);
    expect(end.stopMessage).toMatch(/This run reached its memory budget: its [\d,]+ trace rows take about/);
    expect(end.stopMessage).toMatch(/DSLAB_SIM_MEMORY_MB=N \(web mode: npm run web -- --sim-memory-mb N\)/);
    // Going on is refused the same way; going back is free, and the run may come forward again.
    expect(await host.step(id, 10)).toMatchObject({ steps: 0, stopReason: 'memory-budget' });
    const back = await host.stepBack(id, end.eventIndex - 10);
    expect(back).toMatchObject({ eventIndex: 10, done: false, stopReason: null });
    expect(back.stopMessage).toBeUndefined();
    expect(await host.step(id, 5)).toMatchObject({ eventIndex: 15, steps: 5 });
  });

  it('play stops at the budget too, and says so in its last progress event', async () => {
    const { host, progress } = budgetHost(5_000);
    const id = host.create(hungry()).status.simId;
    host.play(id, 1e6);
    while (progress.at(-1)?.playing !== false) await new Promise((r) => setTimeout(r, 5));
    expect(progress.at(-1)).toMatchObject({ done: true, stopReason: 'memory-budget', playing: false });
    expect(host.play(id, 1)).toMatchObject({ playing: false, stopReason: 'memory-budget' });
  });

  it('the host budget stops runs and refuses new ones, naming DSLAB_MEMORY_MB', async () => {
    const { host, setUsedMb } = budgetHost(10_000_000, 512);
    const id = host.create(endless()).status.simId;
    setUsedMb(600);
    const stopped = await host.runUntil(id, 1e15, 100_000_000);
    expect(stopped).toMatchObject({ stopReason: 'memory-budget', done: true });
    expect(stopped.stopMessage).toMatch(/DSLab is using 600 MiB, over its memory budget of 512 MiB/);
    expect(() => host.create(pingPong())).toThrow(/No new run: DSLab is using 600 MiB.*DSLAB_MEMORY_MB=N/);
    const node = host.nodes(id)[0]!.id;
    await expect(host.fork(id, 0, { kind: 'fault', fault: { kind: 'crash', node } })).rejects.toThrow(
      /No new run/,
    );
    // Memory freed elsewhere: the run goes on.
    setUsedMb(300);
    expect(await host.step(id, 3)).toMatchObject({ steps: 3, done: false });
  });
});

describe('owners', () => {
  it('release closes the runs one owner made, and only those', async () => {
    const { host } = manualHost();
    const a1 = host.create(pingPong(), 1, 'socket-a').status.simId;
    const b1 = host.create(pingPong(), 1, 'socket-b').status.simId;
    const node = host.nodes(a1)[0]!.id;
    const forkA = (await host.fork(b1, 0, { kind: 'fault', fault: { kind: 'crash', node } }, 'socket-a'))
      .status.simId;
    expect(host.release('socket-a')).toBe(2);
    expect(() => host.nodes(a1)).toThrow(/No open simulation/);
    expect(() => host.nodes(forkA)).toThrow(/No open simulation/);
    expect(host.nodes(b1).length).toBeGreaterThan(0);
    expect(host.release('socket-a')).toBe(0);
  });
});
