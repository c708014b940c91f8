/**
 * The implementation behind every API method, independent of the transport. Electron's
 * main process and the web server both build their dispatcher from `createHandlers`.
 */
import type Database from 'better-sqlite3';
import {
  type DefaultTopology,
  DslabApiError,
  type EventName,
  type EventPayload,
  type ProtocolInfo,
} from '../../shared/api';
import type { Scenario } from '../../shared/scenario/schema';
import { ExperimentRuns } from '../experiment-runs';
import type { Files } from '../files';
import type { SeedSearchHost } from '../seed-search';
import type { SimHost } from '../sim-host';
import type { SliceClock } from '../slices';
import type { Library } from '../store/library';
import { SettingsRepo } from '../store/settings';
import type { Handlers } from './dispatch';
import { libraryHandlers } from './library-handlers';

/** What the protocols catalog offers the API (backed by src/sim's catalog). */
export interface CatalogPort {
  /** Every protocol, in catalog order. */
  list(): ProtocolInfo[];
  /** A protocol's quick-start topology, or undefined for an unknown id. */
  defaultTopology(protocolId: string): DefaultTopology | undefined;
  /** A protocol's ready-to-run scenario, or undefined for an unknown id. */
  defaultScenario(protocolId: string): Scenario | undefined;
}

/** Everything the handlers need from their host. */
export interface HostContext {
  /** Which transport serves the calls. */
  transport: 'electron' | 'web';
  /** The data folder. */
  dataDir: string;
  /** The open store. */
  db: Database.Database;
  /** Product version from package.json. */
  version: string;
  /** Electron version, when hosted by Electron. */
  electronVersion: string | null;
  /** The protocol catalog. */
  catalog: CatalogPort;
  /** The running simulations. */
  sims: SimHost;
  /** The running seed searches. */
  searches: SeedSearchHost;
  /** Saved scenarios, exercises and runs. */
  library: Library;
  /** File dialogs and recent files (desktop only; absent in web mode). */
  files?: Files;
  /** Pushes an event to the page(s) (experiments.progress); none: progress is not sent. */
  emit?<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** The clock long work is sliced by (tests); default the real one. */
  clock?: SliceClock;
  /** experiments.run calls under way (default: a runner of its own, with emit and clock). */
  experiments?: ExperimentRuns;
}

function unknownProtocol(protocol: string): DslabApiError {
  return new DslabApiError({
    code: 'not-found',
    message: `No protocol with id ${JSON.stringify(protocol)} in the catalog.`,
    path: ['protocol'],
  });
}

function desktopOnly(): never {
  throw new DslabApiError({
    code: 'forbidden',
    message: 'File dialogs belong to the desktop app; in web mode, use Upload and Download.',
  });
}

export function createHandlers(ctx: HostContext): Handlers {
  const { sims, files } = ctx;
  const experimentRuns =
    ctx.experiments ??
    new ExperimentRuns({
      ...(ctx.emit ? { emit: ctx.emit } : {}),
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    });
  const settings = new SettingsRepo(ctx.db);
  const sqliteVersion = (ctx.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return {
    'app.info': () => ({
      name: 'DSLab',
      version: ctx.version,
      transport: ctx.transport,
      dataDir: ctx.dataDir,
      nodeVersion: process.versions.node,
      electronVersion: ctx.electronVersion,
      storeVersion: ctx.db.pragma('user_version', { simple: true }) as number,
      sqliteVersion,
    }),
    'app.echo': ({ text }) => ({ text }),
    'settings.get': () => settings.get(),
    'settings.set': (change) => settings.set(change),
    'catalog.list': () => ctx.catalog.list(),
    'catalog.defaultTopology': ({ protocol }) => {
      const topology = ctx.catalog.defaultTopology(protocol);
      if (!topology) throw unknownProtocol(protocol);
      return topology;
    },
    'catalog.defaultScenario': ({ protocol }) => {
      const scenario = ctx.catalog.defaultScenario(protocol);
      if (!scenario) throw unknownProtocol(protocol);
      return scenario;
    },
    'sim.create': ({ scenario, seed }, caller) => sims.create(scenario as Scenario, seed, caller?.id),
    'sim.step': ({ simId, count }) => sims.step(simId, count ?? 1),
    'sim.stepUntil': ({ simId, filter, maxEvents }) => sims.stepUntil(simId, filter, maxEvents ?? 1_000_000),
    'sim.runUntil': ({ simId, timeUs, maxEvents }) => sims.runUntil(simId, timeUs, maxEvents ?? 5_000_000),
    'sim.stepBack': ({ simId, count }) => sims.stepBack(simId, count ?? 1),
    'sim.seek': ({ simId, event }) => sims.seek(simId, event),
    'sim.play': ({ simId, speed }) => sims.play(simId, speed ?? 1),
    'sim.pause': ({ simId }) => sims.pause(simId),
    'sim.inject': ({ simId, change }) => sims.inject(simId, change as never),
    'sim.fork': ({ simId, atEvent, change }, caller) =>
      sims.fork(simId, atEvent, change as never, caller?.id),
    'sim.diverge': ({ a, b }) => sims.diverge(a, b),
    'sim.trace': ({ simId, from, to, max }) => sims.trace(simId, from, to, max ?? 5_000),
    'sim.causality': ({ simId, rowA, rowB }) => sims.causality(simId, rowA, rowB),
    'sim.shiviz': ({ simId }) => sims.shiviz(simId),
    'sim.nodes': ({ simId }) => sims.nodes(simId),
    'sim.links': ({ simId }) => sims.links(simId),
    'sim.injections': ({ simId }) => sims.injections(simId),
    'sim.metrics': ({ simId }) => sims.metrics(simId),
    'sim.invariants': ({ simId }) => sims.invariants(simId),
    'sim.close': ({ simId }) => sims.close(simId),
    'sim.summary': async ({ simId }) => (await sims.summary(simId)).summary,
    'sim.view': ({ simId, view }) => sims.view(simId, view),
    'search.start': ({ scenario, from, to }) => ctx.searches.start(scenario as Scenario, from, to),
    'search.cancel': ({ searchId }) => ctx.searches.cancel(searchId),
    'experiments.run': ({ experiment, trials, seed, runId }, caller) =>
      experimentRuns.run({ experiment, trials: trials ?? 40, seed: seed ?? 1, runId }, caller?.id),
    'experiments.cancel': ({ runId }) => ({ cancelled: experimentRuns.cancel(runId) }),
    ...libraryHandlers(ctx.library, { summaryOf: (simId) => sims.summary(simId) }),
    'files.open': () => (files ? files.open() : desktopOnly()),
    'files.save': ({ fileName, text }) => (files ? files.save(fileName, text) : desktopOnly()),
    'files.recent': () => (files ? files.recent() : desktopOnly()),
    'files.openRecent': ({ path }) => (files ? files.openRecent(path) : desktopOnly()),
  };
}
