/**
 * Everything behind the API for one host (the Electron main process or a web-mode server):
 * the catalog, the sim host and the handlers, wired to one dispatcher. Both transports
 * build it the same way, so they answer the same calls the same way.
 */
import type Database from 'better-sqlite3';
import type { EventName, EventPayload } from '../../shared/api';
import { ExperimentRuns } from '../experiment-runs';
import type { Files } from '../files';
import { hostBytesInUse, type MemoryBudgets, memoryBudgets } from '../memory';
import { SeedSearchHost } from '../seed-search';
import { SimHost } from '../sim-host';
import type { SliceClock } from '../slices';
import { seedBuiltinLibrary } from '../store/builtins';
import { Library } from '../store/library';
import { createSimCatalog } from './catalog';
import { type Caller, createDispatcher, type Dispatch } from './dispatch';
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
  /** Memory budgets (default: from DSLAB_SIM_MEMORY_MB and DSLAB_MEMORY_MB; problems are logged). */
  budgets?: MemoryBudgets;
  /** The clock experiments are sliced by (tests slow them down with it); default the real one. */
  experimentClock?: SliceClock;
}

/** A ready API host. */
export interface ApiHost {
  /** Validates and answers calls. */
  dispatch: Dispatch;
  /** The running simulations. */
  sims: SimHost;
  /** The library over the store. */
  library: Library;
  /** Frees what a caller (a closed web-mode socket) held: its simulations and experiments. */
  release(caller: Caller): void;
  /** Stops every simulation and seed search. */
  close(): void;
}

export function createApiHost(opts: ApiHostOptions): ApiHost {
  let budgets = opts.budgets;
  if (!budgets) {
    const fromEnv = memoryBudgets();
    for (const problem of fromEnv.problems) opts.log?.(`memory budget: ${problem}; using the default`);
    budgets = fromEnv.budgets;
  }
  const sims = new SimHost({
    emit: (payload) => opts.emit('sim.progress', payload),
    emitRead: (payload) => opts.emit('sim.readProgress', payload),
    budgets,
  });
  const experiments = new ExperimentRuns({
    emit: opts.emit,
    ...(opts.experimentClock ? { clock: opts.experimentClock } : {}),
    hostBudgetBytes: budgets.hostBytes,
    hostBytes: hostBytesInUse,
  });
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
    emit: opts.emit,
    experiments,
    ...(opts.files ? { files: opts.files } : {}),
  });
  return {
    dispatch: createDispatcher(handlers, opts.log),
    sims,
    library,
    release: (caller) => {
      sims.release(caller.id);
      experiments.release(caller.id);
    },
    close: () => {
      sims.closeAll();
      searches.close();
    },
  };
}
