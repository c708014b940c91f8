/**
 * Everything behind the API for one host (the Electron main process or a web-mode server):
 * the catalog, the sim host and the handlers, wired to one dispatcher. Both transports
 * build it the same way, so they answer the same calls the same way.
 */
import type Database from 'better-sqlite3';
import type { EventName, EventPayload } from '../../shared/api';
import { SimHost } from '../sim-host';
import { createSimCatalog } from './catalog';
import { createDispatcher, type Dispatch } from './dispatch';
import { createHandlers } from './handlers';

/** What a host provides. */
export interface ApiHostOptions {
  /** Which transport serves the calls. */
  transport: 'electron' | 'web';
  /** The data folder. */
  dataDir: string;
  /** The open store. */
  db: Database.Database;
  /** Product version. */
  version: string;
  /** Electron version when hosted by Electron. */
  electronVersion: string | null;
  /** Pushes an event to the page(s). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Where handler failures are logged. */
  log?: (message: string) => void;
}

/** A ready API host. */
export interface ApiHost {
  /** Validates and answers calls. */
  dispatch: Dispatch;
  /** The running simulations. */
  sims: SimHost;
  /** Stops every simulation. */
  close(): void;
}

export function createApiHost(opts: ApiHostOptions): ApiHost {
  const sims = new SimHost({ emit: (payload) => opts.emit('sim.progress', payload) });
  const handlers = createHandlers({
    transport: opts.transport,
    dataDir: opts.dataDir,
    db: opts.db,
    version: opts.version,
    electronVersion: opts.electronVersion,
    catalog: createSimCatalog(),
    sims,
  });
  return {
    dispatch: createDispatcher(handlers, opts.log),
    sims,
    close: () => sims.closeAll(),
  };
}
