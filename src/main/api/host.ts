/**
 * Everything behind the API for one host (the Electron main process or a web-mode server):
 * the catalog, the sim host and the handlers, wired to one dispatcher. Both transports
 * build it the same way, so they answer the same calls the same way.
 */
import type Database from 'better-sqlite3';
import type { EventName, EventPayload } from '../../shared/api';
import type { Files } from '../files';
import { SeedSearchHost } from '../seed-search';
import { SimHost } from '../sim-host';
import { seedBuiltinLibrary } from '../store/builtins';
import { Library } from '../store/library';
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
  /** Folder of built-in library files to seed (default: resources/library; null: none). */
  builtinDir?: string | null;
  /** File dialogs and recent files (the desktop app). */
  files?: Files;
}

/** A ready API host. */
export interface ApiHost {
  /** Validates and answers calls. */
  dispatch: Dispatch;
  /** The running simulations. */
  sims: SimHost;
  /** The library over the store. */
  library: Library;
  /** Stops every simulation and seed search. */
  close(): void;
}

export function createApiHost(opts: ApiHostOptions): ApiHost {
  const sims = new SimHost({ emit: (payload) => opts.emit('sim.progress', payload) });
  const searches = new SeedSearchHost({ emit: (status) => opts.emit('search.progress', status) });
  const library = new Library(opts.db);
  // Built-ins are seeded at every start: new ones are added, untouched ones updated, the
  // person's edits kept (see docs/library.md). A file that fails is reported, not fatal.
  const seeded = seedBuiltinLibrary(library, opts.builtinDir);
  for (const refused of seeded.refused) opts.log?.(`built-in library: ${refused}`);
  const handlers = createHandlers({
    transport: opts.transport,
    dataDir: opts.dataDir,
    db: opts.db,
    version: opts.version,
    electronVersion: opts.electronVersion,
    catalog: createSimCatalog(),
    sims,
    searches,
    library,
    ...(opts.files ? { files: opts.files } : {}),
  });
  return {
    dispatch: createDispatcher(handlers, opts.log),
    sims,
    library,
    close: () => {
      sims.closeAll();
      searches.close();
    },
  };
}
