import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { methodNames, methods } from '../../shared/api';
import { SimHost } from '../sim-host';
import { migrate } from '../store/database';
import { createSimCatalog } from './catalog';
import { createDispatcher } from './dispatch';
import { createHandlers } from './handlers';

function setup() {
  const db = new Database(':memory:');
  migrate(db);
  const handlers = createHandlers({
    transport: 'web',
    dataDir: '/tmp/x',
    db,
    version: '1.2.3',
    electronVersion: null,
    catalog: createSimCatalog(),
    sims: new SimHost({ emit: () => {} }),
  });
  const logs: string[] = [];
  return { db, dispatch: createDispatcher(handlers, (m) => logs.push(m)), handlers, logs };
}

describe('the API dispatcher', () => {
  it('answers a valid call with its value', async () => {
    const { dispatch } = setup();
    await expect(dispatch('app.echo', { text: 'hi' })).resolves.toEqual({ ok: true, value: { text: 'hi' } });
  });

  it('names the wrong field of a malformed payload, and keeps serving', async () => {
    const { dispatch } = setup();
    const bad = await dispatch('app.echo', { text: 7 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('bad-request');
    expect(bad.error.path).toEqual(['text']);
    expect(bad.error.message).toMatch(/^app\.echo: payload\.text: .*string/);
    await expect(dispatch('app.echo', { text: 'again' })).resolves.toMatchObject({ ok: true });
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const { dispatch } = setup();
    const res = await dispatch('settings.set', { theme: 'dark', colour: 'red' });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!res.ok) expect(res.error.message).toMatch(/colour/);
  });

  it('refuses a method that is not in the contract, including prototype names', async () => {
    const { dispatch } = setup();
    for (const name of ['nope', 'toString', '__proto__', 42, null]) {
      await expect(dispatch(name, {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'unknown-method' },
      });
    }
  });

  it('turns a thrown handler error into an internal error and logs it', async () => {
    const { dispatch, db, logs } = setup();
    db.close();
    const res = await dispatch('settings.get', {});
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logs.join('\n')).toMatch(/settings\.get failed/);
  });

  it('maps a not-found to its code and path', async () => {
    const { dispatch } = setup();
    await expect(dispatch('catalog.defaultTopology', { protocol: 'no-such' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'not-found', path: ['protocol'] },
    });
  });

  it('has a handler for every method, whose answer matches the response schema', async () => {
    const { handlers, dispatch } = setup();
    expect(Object.keys(handlers).sort()).toEqual([...methodNames].sort());
    const protocol = createSimCatalog().list()[0]!.id;
    const scenario = createSimCatalog().defaultScenario(protocol);
    const created = await dispatch('sim.create', { scenario });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const simId = (created as { value: { status: { simId: string } } }).value.status.simId;
    const node = scenario!.topology.nodes[0]!.id;
    const samples: Record<string, unknown> = {
      'app.echo': { text: 'x' },
      'settings.set': { theme: 'dark' },
      'catalog.defaultTopology': { protocol },
      'catalog.defaultScenario': { protocol },
      'sim.create': { scenario, seed: 3 },
      'sim.step': { simId, count: 10 },
      'sim.stepUntil': { simId, filter: { kind: 'deliver' } },
      'sim.runUntil': { simId, timeUs: 50_000 },
      'sim.stepBack': { simId, count: 3 },
      'sim.seek': { simId, event: 5 },
      'sim.play': { simId, speed: 1 },
      'sim.pause': { simId },
      'sim.inject': { simId, change: { kind: 'fault', fault: { kind: 'crash', node } } },
      'sim.fork': { simId, atEvent: 2, change: { kind: 'seed', seed: 9 } },
      'sim.trace': { simId, from: 0, to: 100 },
      'sim.nodes': { simId },
      'sim.metrics': { simId },
      'sim.invariants': { simId },
      'sim.close': { simId },
    };
    // close last, so the other sim calls find the run open
    const order = [...methodNames.filter((n) => n !== 'sim.close'), 'sim.close' as const];
    for (const name of order) {
      const res = await dispatch(name, samples[name] ?? {});
      expect(res.ok, `${name}: ${JSON.stringify(res)}`).toBe(true);
      if (res.ok) {
        const parsed = methods[name].response.safeParse(res.value);
        expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
      }
    }
  });

  it('names the path inside a scenario that cannot be valid', async () => {
    const { dispatch } = setup();
    const scenario = structuredClone(createSimCatalog().defaultScenario('ping-pong')!);
    scenario.topology.links[0]!.a = 'ghost';
    const res = await dispatch('sim.create', { scenario });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'bad-request', path: ['scenario', 'topology', 'links', 0, 'a'] },
    });
    if (!res.ok)
      expect(res.error.message).toMatch(
        /payload\.scenario\.topology\.links\.0\.a: link .* names unknown node ghost/,
      );
  });

  it('keeps settings across calls', async () => {
    const { dispatch } = setup();
    await dispatch('settings.set', { theme: 'dark', lastProtocol: 'ping-pong' });
    await expect(dispatch('settings.get', {})).resolves.toEqual({
      ok: true,
      value: { theme: 'dark', lastTopic: null, lastProtocol: 'ping-pong' },
    });
  });
});
