/**
 * Web-mode fixtures: a DSLab server on 127.0.0.1 with a throw-away data folder, started
 * in the test process with the real handlers and store, and a page opened on its URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { createSimCatalog } from '../../src/main/api/catalog';
import { createDispatcher } from '../../src/main/api/dispatch';
import { createHandlers } from '../../src/main/api/handlers';
import { openStore } from '../../src/main/store/database';
import { startWebServer, type WebServer } from '../../src/server/server';

export interface Lab {
  /** The running server. */
  server: WebServer;
  /** Its data folder. */
  dataDir: string;
}

export async function startLab(dataDir?: string): Promise<Lab & { stop(): Promise<void> }> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-e2e-'));
  const db = openStore(dir);
  const handlers = createHandlers({
    transport: 'web',
    dataDir: dir,
    db,
    version: '0.0.0-test',
    electronVersion: null,
    catalog: createSimCatalog(),
  });
  const server = await startWebServer({
    port: 0,
    staticDir: path.resolve('out/renderer'),
    dispatch: createDispatcher(handlers),
  });
  return {
    server,
    dataDir: dir,
    async stop() {
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
