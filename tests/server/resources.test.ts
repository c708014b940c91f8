// Issue 16 item 3 in web mode as run: memory budgets set by flag or environment, a clear
// refusal of a bad value, and a closed socket's simulations freed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ask, openSocket, ROOT, startServerProcess } from './helpers';

describe('memory budgets in web mode', () => {
  it('--sim-memory-mb stops a run at its budget with a message saying how to raise it', async () => {
    const server = await startServerProcess({ args: ['--sim-memory-mb', '16'] });
    try {
      const ws = await openSocket(server);
      const def = await ask(ws, 1, 'catalog.defaultScenario', { protocol: 'ping-pong' });
      const s = def.value as { limits: Record<string, number> };
      const scenario = { ...s, limits: { ...s.limits, maxEvents: 4e9, maxTimeUs: 1e15, maxTraceRows: 1e9 } };
      const created = await ask(ws, 2, 'sim.create', { scenario });
      const simId = (created.value as { status: { simId: string } }).status.simId;
      const end = await ask(ws, 3, 'sim.runUntil', { simId, timeUs: 1e15, maxEvents: 100_000_000 });
      expect(end.value).toMatchObject({ done: true, stopReason: 'memory-budget' });
      const { stopMessage, traceRows } = end.value as { stopMessage: string; traceRows: number };
      expect(stopMessage).toMatch(/one run may use 16 MiB/);
      expect(stopMessage).toMatch(/--sim-memory-mb N/);
      expect(traceRows * 35).toBeLessThan(32 * 1024 * 1024);
      ws.close();
    } finally {
      await server.stop();
    }
  });

  for (const [args, env, name] of [
    [['--memory-mb', 'lots'], {}, '--memory-mb'],
    [['--sim-memory-mb', '0.5'], {}, '--sim-memory-mb'],
    [[], { DSLAB_MEMORY_MB: '-1' }, 'DSLAB_MEMORY_MB'],
  ] as const) {
    it(`refuses ${name} that is not a whole number of MiB, naming it`, () => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/server/main.ts', '--port', '0', '--static', ROOT, ...args],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`dslab web: ${name} must be a whole number of MiB, 16 or more`));
    });
  }
});

describe('a closed socket', () => {
  it("frees the simulations it made; another socket's stay open", async () => {
    const server = await startServerProcess();
    try {
      const a = await openSocket(server);
      const b = await openSocket(server);
      const def = await ask(a, 1, 'catalog.defaultScenario', { protocol: 'ping-pong' });
      const simA = (
        (await ask(a, 2, 'sim.create', { scenario: def.value })).value as { status: { simId: string } }
      ).status.simId;
      const simB = (
        (await ask(b, 2, 'sim.create', { scenario: def.value })).value as { status: { simId: string } }
      ).status.simId;
      expect(await ask(b, 3, 'sim.nodes', { simId: simA })).toMatchObject({ ok: true });
      const closed = new Promise((r) => a.once('close', r));
      a.close();
      await closed;
      // The server hears of the close a moment after the client; ask until it has.
      let reply = await ask(b, 4, 'sim.nodes', { simId: simA });
      for (let id = 5; reply.ok && id < 200; id++) reply = await ask(b, id, 'sim.nodes', { simId: simA });
      expect(reply).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await ask(b, 300, 'sim.nodes', { simId: simB })).toMatchObject({ ok: true });
      b.close();
    } finally {
      await server.stop();
    }
  });
});
