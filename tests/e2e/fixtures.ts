/**
 * Web-mode fixtures: a DSLab server on 127.0.0.1 with a throw-away data folder, started
 * in the test process with the real handlers and store, and a page opened on its URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { createApiHost } from '../../src/main/api/host';
import type { MemoryBudgets } from '../../src/main/memory';
import type { SliceClock } from '../../src/main/slices';
import { openStore } from '../../src/main/store/database';
import { startWebServer, type WebServer } from '../../src/server/server';

export interface Lab {
  /** The running server. */
  server: WebServer;
  /** Its data folder. */
  dataDir: string;
}

export async function startLab(
  dataDir?: string,
  opts: { budgets?: MemoryBudgets; experimentClock?: SliceClock } = {},
): Promise<Lab & { stop(): Promise<void> }> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-e2e-'));
  const db = openStore(dir);
  let server: WebServer | undefined;
  const host = createApiHost({
    transport: 'web',
    dataDir: dir,
    db,
    version: '0.0.0-test',
    electronVersion: null,
    emit: (event, payload) => server?.emit(event, payload),
    ...(opts.budgets ? { budgets: opts.budgets } : {}),
    ...(opts.experimentClock ? { experimentClock: opts.experimentClock } : {}),
  });
  server = await startWebServer({
    port: 0,
    staticDir: path.resolve('out/renderer'),
    dispatch: host.dispatch,
    release: host.release,
  });
  return {
    server,
    dataDir: dir,
    async stop() {
      host.close();
      await server.close();
      db.close();
    },
  };
}

export const test = base.extend<{ lab: Lab }>({
  lab: async ({ page }, use) => {
    const lab = await startLab();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await use(lab);
    await lab.stop();
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };

/**
 * Where a test's screenshot goes: test-results, or $DSLAB_SHOTS_DIR (a folder other runs do
 * not clean). Tests never write into docs/: pictures for the docs are copied there by hand.
 */
export const shot = (name: string): string => path.join(process.env.DSLAB_SHOTS_DIR ?? 'test-results', name);
