// Issue 16 item 4: a long call must not freeze web mode. sim.runUntil with huge limits and
// experiments.run with many trials run in slices: other sockets and Pause are answered while
// they run, and SIGTERM stops the server. Checked by the order of answers, not by timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { ask, openSocket, type Reply, type ServerProcess, startServerProcess } from './helpers';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  await server.stop();
});

/** A flood: ping-pong allowed 10^8 events and all the time in the world. */
async function createFlood(ws: WebSocket, id: number): Promise<string> {
  const def = await ask(ws, id, 'catalog.defaultScenario', { protocol: 'ping-pong' });
  const s = def.value as { limits: Record<string, number> };
  const scenario = { ...s, limits: { ...s.limits, maxEvents: 100_000_000, maxTimeUs: 1e15 } };
  const created = await ask(ws, id + 1, 'sim.create', { scenario });
  expect(created.ok, JSON.stringify(created.error)).toBe(true);
  return (created.value as { status: { simId: string } }).status.simId;
}

/** Sends a call and records when its reply arrives, in order with the others. */
function track(ws: WebSocket, order: string[], id: number, method: string, payload: unknown, name: string) {
  return ask(ws, id, method, payload).then((r) => {
    order.push(name);
    return r;
  });
}

describe('long calls in web mode', () => {
  it('while sim.runUntil {timeUs: 1e15, maxEvents: 1e8} runs, another socket is answered and Pause stops it', async () => {
    const a = await openSocket(server);
    const b = await openSocket(server);
    const simId = await createFlood(a, 1);
    const order: string[] = [];
    const progress: number[] = [];
    a.on('message', (d) => {
      const m = JSON.parse(d.toString()) as {
        event?: string;
        payload?: { status: { simId: string; eventIndex: number } };
      };
      if (m.event === 'sim.progress' && m.payload?.status.simId === simId)
        progress.push(m.payload.status.eventIndex);
    });
    const long = track(
      a,
      order,
      10,
      'sim.runUntil',
      { simId, timeUs: 1e15, maxEvents: 100_000_000 },
      'runUntil',
    );
    // Another socket: several round trips, each answered while the run goes on.
    for (let i = 0; i < 5; i++) {
      expect(await track(b, order, 20 + i, 'app.echo', { text: `ping ${i}` }, `ping ${i}`)).toMatchObject({
        ok: true,
      });
    }
    // The same socket: moving the run is refused as busy; Pause is answered and ends the call.
    const busy = await ask(a, 30, 'sim.step', { simId });
    expect(busy).toMatchObject({ ok: false, error: { code: 'busy' } });
    const paused = await track(a, order, 31, 'sim.pause', { simId }, 'pause');
    const end = (await long) as Reply & { value: { eventIndex: number; done: boolean } };
    expect(order.slice(0, 6)).toEqual(['ping 0', 'ping 1', 'ping 2', 'ping 3', 'ping 4', 'pause']);
    expect(end.ok).toBe(true);
    expect(end.value.done).toBe(false);
    expect(end.value.eventIndex).toBe((paused.value as { eventIndex: number }).eventIndex);
    expect(end.value.eventIndex).toBeLessThan(100_000_000);
    expect(progress.length).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  it('experiments.run with 500 trials per range answers others meanwhile, and experiments.cancel stops it', async () => {
    const a = await openSocket(server);
    const b = await openSocket(server);
    const order: string[] = [];
    const long = track(
      a,
      order,
      1,
      'experiments.run',
      { experiment: 'raft-election-timeouts', trials: 500, runId: 'fig16' },
      'experiment',
    );
    for (let i = 0; i < 3; i++) await track(b, order, 10 + i, 'app.echo', { text: 'x' }, `ping ${i}`);
    const cancel = await track(b, order, 20, 'experiments.cancel', { runId: 'fig16' }, 'cancel');
    expect(cancel).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await long).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    // The pings were answered while it ran (the cancel and its answer cross on two sockets).
    expect(order.slice(0, 3)).toEqual(['ping 0', 'ping 1', 'ping 2']);
    expect(order.slice(3).sort()).toEqual(['cancel', 'experiment']);
    a.close();
    b.close();
  });
});

describe('long reads in web mode', () => {
  it('while the history check of a finished run runs (sim.invariants), others are answered; closing the run stops it', async () => {
    const a = await openSocket(server);
    const b = await openSocket(server);
    // Raft with 30 requests outstanding on one key for a second of virtual time: a run of a
    // couple of seconds whose linearizability check explores its million states (seconds more).
    const def = await ask(a, 1, 'catalog.defaultScenario', { protocol: 'raft' });
    const s = def.value as { limits: Record<string, number>; workload: Record<string, unknown> };
    const scenario = {
      ...s,
      workload: {
        kind: 'closed',
        concurrency: 30,
        readFraction: 0.5,
        keys: { pattern: 'k{i}', count: 1, distribution: 'uniform', zipfS: 1.1 },
      },
      limits: { ...s.limits, maxTimeUs: 1_000_000 },
    };
    const created = await ask(a, 2, 'sim.create', { scenario });
    expect(created.ok, JSON.stringify(created.error)).toBe(true);
    const simId = (created.value as { status: { simId: string } }).status.simId;
    const ran = await ask(a, 3, 'sim.runUntil', { simId, timeUs: 1e15, maxEvents: 100_000_000 });
    expect(ran).toMatchObject({ ok: true, value: { done: true } });
    // The first progress of the check (it is pushed at most every 50 ms while it runs).
    const progress = new Promise<string>((resolve) =>
      a.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { event?: string; payload?: { simId: string; what: string } };
        if (m.event === 'sim.readProgress' && m.payload?.simId === simId) resolve(m.payload.what);
      }),
    );
    const order: string[] = [];
    const long = track(a, order, 10, 'sim.invariants', { simId }, 'invariants');
    for (let i = 0; i < 3; i++) await track(b, order, 20 + i, 'app.echo', { text: 'x' }, `ping ${i}`);
    // The same page: Pause and a read of the run are answered too (the run is not busy).
    await track(a, order, 30, 'sim.pause', { simId }, 'pause');
    await track(a, order, 31, 'sim.nodes', { simId }, 'nodes');
    expect(await progress).toBe('history check linearizability');
    await track(a, order, 32, 'sim.close', { simId }, 'close');
    const end = await long;
    expect(order).toEqual(['ping 0', 'ping 1', 'ping 2', 'pause', 'nodes', 'close', 'invariants']);
    expect(end).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(end.error?.message).toMatch(/closed while sim\.invariants ran/);
    a.close();
    b.close();
  });
});

describe('stopping', () => {
  it('SIGTERM during a long call stops the server', async () => {
    const own = await startServerProcess();
    const ws = await openSocket(own);
    const simId = await createFlood(ws, 1);
    ws.send(
      JSON.stringify({
        id: 5,
        method: 'sim.runUntil',
        payload: { simId, timeUs: 1e15, maxEvents: 100_000_000 },
      }),
    );
    // A round trip proves the long call is under way before the signal.
    expect(await ask(ws, 6, 'sim.nodes', { simId })).toMatchObject({ ok: true });
    expect(await own.stop()).toBe(0);
  });
});
