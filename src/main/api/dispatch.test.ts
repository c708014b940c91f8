import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type MethodName, methodNames, methods } from '../../shared/api';
import { SeedSearchHost } from '../seed-search';
import { SimHost } from '../sim-host';
import { seedBuiltinLibrary } from '../store/builtins';
import { migrate } from '../store/database';
import { Library } from '../store/library';
import { createSimCatalog } from './catalog';
import { createDispatcher } from './dispatch';
import { createHandlers } from './handlers';

function builtinExercise(): unknown {
  const file = path.resolve('resources/library/broadcast-break-dedupe.dslab.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { exercise: unknown }).exercise;
}

function setup() {
  const db = new Database(':memory:');
  migrate(db);
  const events: { event: string; payload: unknown }[] = [];
  const library = new Library(db);
  const handlers = createHandlers({
    emit: (event, payload) => events.push({ event, payload }),
    transport: 'web',
    dataDir: '/tmp/x',
    db,
    version: '1.2.3',
    electronVersion: null,
    catalog: createSimCatalog(),
    sims: new SimHost({ emit: () => {} }),
    searches: new SeedSearchHost({ emit: () => {} }),
    library,
  });
  const logs: string[] = [];
  return { db, library, dispatch: createDispatcher(handlers, (m) => logs.push(m)), handlers, logs, events };
}

describe('the API dispatcher', () => {
  it('serves other calls while an experiment runs (it runs in chunks)', async () => {
    const { dispatch } = setup();
    const order: string[] = [];
    const experiment = dispatch('experiments.run', { experiment: 'raft-election-timeouts', trials: 5 }).then(
      (r) => {
        order.push('experiment');
        return r;
      },
    );
    const echo = dispatch('app.echo', { text: 'meanwhile' }).then(() => order.push('echo'));
    const [r] = await Promise.all([experiment, echo]);
    expect(r).toMatchObject({ ok: true });
    expect(order).toEqual(['echo', 'experiment']);
  });

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
    const { handlers, dispatch, library } = setup();
    seedBuiltinLibrary(library);
    const builtin = library.list({ limit: 1 }).items[0]!.id;
    expect(Object.keys(handlers).sort()).toEqual([...methodNames].sort());
    const protocol = createSimCatalog().list()[0]!.id;
    const scenario = createSimCatalog().defaultScenario(protocol);
    const created = await dispatch('sim.create', { scenario });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const simId = (created as { value: { status: { simId: string } } }).value.status.simId;
    const node = scenario!.topology.nodes[0]!.id;
    // Each method once, in an order where each call finds what it needs; payloads may use
    // what earlier answers returned.
    const got: Record<string, unknown> = {};
    const item = () => got['library.createScenario'] as { id: string; revision: number };
    const calls: [MethodName, () => unknown][] = [
      ['app.info', () => ({})],
      ['app.echo', () => ({ text: 'x' })],
      ['settings.get', () => ({})],
      ['settings.set', () => ({ theme: 'dark' })],
      ['catalog.list', () => ({})],
      ['catalog.defaultTopology', () => ({ protocol })],
      ['catalog.defaultScenario', () => ({ protocol })],
      ['sim.create', () => ({ scenario, seed: 3 })],
      ['sim.step', () => ({ simId, count: 10 })],
      ['sim.stepUntil', () => ({ simId, filter: { kind: 'deliver' } })],
      ['sim.runUntil', () => ({ simId, timeUs: 50_000 })],
      ['sim.stepBack', () => ({ simId, count: 3 })],
      ['sim.seek', () => ({ simId, event: 5 })],
      ['sim.play', () => ({ simId, speed: 1 })],
      ['sim.pause', () => ({ simId })],
      ['sim.inject', () => ({ simId, change: { kind: 'fault', fault: { kind: 'crash', node } } })],
      ['sim.fork', () => ({ simId, atEvent: 2, change: { kind: 'seed', seed: 9 } })],
      ['sim.trace', () => ({ simId, from: 0, to: 100 })],
      ['sim.causality', () => ({ simId, rowA: 0, rowB: 1 })],
      ['sim.shiviz', () => ({ simId })],
      [
        'sim.diverge',
        () => ({ a: simId, b: (got['sim.fork'] as { status: { simId: string } }).status.simId }),
      ],
      ['sim.nodes', () => ({ simId })],
      ['sim.links', () => ({ simId })],
      ['sim.injections', () => ({ simId })],
      ['sim.metrics', () => ({ simId })],
      ['sim.invariants', () => ({ simId })],
      ['sim.summary', () => ({ simId })],
      ['sim.view', () => ({ simId, view: 'ring' })],
      ['search.start', () => ({ scenario, from: 1, to: 3 })],
      ['search.cancel', () => ({ searchId: (got['search.start'] as { searchId: string }).searchId })],
      ['experiments.run', () => ({ experiment: 'raft-election-timeouts', trials: 5 })],
      ['experiments.cancel', () => ({ runId: 'none-running' })],
      ['library.createScenario', () => ({ scenario, tags: ['demo'] })],
      ['library.createExercise', () => ({ exercise: builtinExercise() })],
      ['library.list', () => ({ limit: 10 })],
      ['library.search', () => ({ query: 'ping' })],
      ['library.get', () => ({ id: item().id })],
      ['library.open', () => ({ id: item().id })],
      ['library.recent', () => ({})],
      ['library.tags', () => ({})],
      ['library.save', () => ({ id: item().id, doc: scenario, expectedRevision: item().revision })],
      ['library.saveAs', () => ({ id: item().id, doc: scenario, name: 'copy' })],
      ['library.rename', () => ({ id: item().id, name: 'renamed' })],
      ['library.duplicate', () => ({ id: item().id })],
      ['library.tag', () => ({ id: item().id, add: ['x'], remove: ['demo'] })],
      ['library.autosave', () => ({ id: item().id, doc: scenario })],
      ['library.recoverAutosaves', () => ({})],
      ['library.discardAutosave', () => ({ id: item().id })],
      ['library.export', () => ({ ids: [item().id] })],
      ['library.import', () => ({ text: (got['library.export'] as { text: string }).text })],
      ['runs.record', () => ({ itemId: item().id, simId })],
      ['runs.list', () => ({ itemId: item().id })],
      ['sim.close', () => ({ simId })],
      ['library.trash', () => ({ id: item().id })],
      ['library.restore', () => ({ id: item().id })],
      ['library.restoreBuiltin', () => ({ id: builtin })],
      ['library.emptyTrash', () => ({})],
    ];
    // The file dialogs exist only in the desktop app; here (no Files port) they refuse clearly.
    const desktopOnly: MethodName[] = ['files.open', 'files.save', 'files.recent', 'files.openRecent'];
    expect([...calls.map(([n]) => n), ...desktopOnly].sort()).toEqual([...methodNames].sort());
    const filePayloads: Record<string, unknown> = {
      'files.save': { fileName: 'a.dslab.json', text: '{}' },
      'files.openRecent': { path: '/tmp/a.dslab.json' },
    };
    for (const name of desktopOnly) {
      await expect(dispatch(name, filePayloads[name] ?? {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/desktop app/) },
      });
    }
    for (const [name, payload] of calls) {
      const res = await dispatch(name, payload());
      expect(res.ok, `${name}: ${JSON.stringify(res)}`).toBe(true);
      if (res.ok) {
        got[name] = res.value;
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

  it('refuses a bad file naming its JSON path, and saves nothing', async () => {
    const { dispatch } = setup();
    const scenario = structuredClone(createSimCatalog().defaultScenario('ping-pong')!);
    scenario.topology.links[0]!.b = 'ghost';
    const text = JSON.stringify({ format: 'dslab', kind: 'scenario', schemaVersion: 1, scenario });
    const res = await dispatch('library.import', { text });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!res.ok) expect(res.error.message).toMatch(/\$\.scenario\.topology\.links\[0\]\.b: .*ghost/);
    await expect(dispatch('library.list', {})).resolves.toMatchObject({ ok: true, value: { total: 0 } });
  });

  it('maps a stale save to a conflict', async () => {
    const { dispatch } = setup();
    const scenario = createSimCatalog().defaultScenario('ping-pong')!;
    const created = await dispatch('library.createScenario', { scenario });
    const { id, revision } = (created as { value: { id: string; revision: number } }).value;
    await expect(
      dispatch('library.save', { id, doc: scenario, expectedRevision: revision }),
    ).resolves.toMatchObject({ ok: true });
    await expect(
      dispatch('library.save', { id, doc: scenario, expectedRevision: revision }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('refuses a save over a built-in as read-only, from any client', async () => {
    const { dispatch, library } = setup();
    seedBuiltinLibrary(library);
    const ring = library.list().items.find((i) => i.name === 'Ping-pong ring')!;
    const doc = { ...library.getScenario(ring.id).scenario, protocol: 'raft', topic: 'consensus' };
    const res = await dispatch('library.save', { id: ring.id, doc, expectedRevision: ring.revision });
    expect(res).toMatchObject({
      ok: false,
      error: {
        code: 'read-only',
        message: expect.stringMatching(/^"Ping-pong ring" is a built-in and stays as shipped/),
      },
    });
    await expect(dispatch('library.rename', { id: ring.id, name: 'Mine' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'read-only' },
    });
    expect(library.getScenario(ring.id)).toMatchObject({ name: 'Ping-pong ring', protocol: 'ping-pong' });
  });

  it('keeps the bottom panel layout and refuses a height out of range', async () => {
    const { dispatch } = setup();
    await dispatch('settings.set', { bottomPanelHeightPx: 320, bottomPanelCollapsed: true });
    await expect(dispatch('settings.get', {})).resolves.toMatchObject({
      ok: true,
      value: { bottomPanelHeightPx: 320, bottomPanelCollapsed: true },
    });
    const res = await dispatch('settings.set', { bottomPanelHeightPx: 10 });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('keeps settings across calls', async () => {
    const { dispatch } = setup();
    await dispatch('settings.set', { theme: 'dark', lastProtocol: 'ping-pong' });
    await expect(dispatch('settings.get', {})).resolves.toEqual({
      ok: true,
      value: { theme: 'dark', lastTopic: null, lastProtocol: 'ping-pong' },
    });
  });

  it('runs an experiment in slices: other calls are answered meanwhile, progress is sent, cancel stops it', async () => {
    const { dispatch, events } = setup();
    const run = dispatch('experiments.run', {
      experiment: 'raft-election-timeouts',
      trials: 500,
      runId: 'fig16',
    });
    // The first slice has run; the call waits for its next turn while these are answered.
    await expect(dispatch('app.echo', { text: 'meanwhile' })).resolves.toMatchObject({ ok: true });
    await expect(
      dispatch('experiments.run', { experiment: 'raft-election-timeouts', trials: 5, runId: 'fig16' }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'conflict', path: ['runId'] } });
    await new Promise((r) => setTimeout(r, 30));
    await expect(dispatch('experiments.cancel', { runId: 'fig16' })).resolves.toEqual({
      ok: true,
      value: { cancelled: true },
    });
    const res = await run;
    expect(res).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    if (!res.ok)
      expect(res.error.message).toMatch(/raft-election-timeouts was cancelled after \d+ of 5000 trials/);
    const progress = events.filter((e) => e.event === 'experiments.progress').map((e) => e.payload);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ runId: 'fig16', experiment: 'raft-election-timeouts', total: 5000 });
    // Its name is free again, and a cancel of nothing says so.
    await expect(dispatch('experiments.cancel', { runId: 'fig16' })).resolves.toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });
});
