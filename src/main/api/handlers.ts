/**
 * The implementation behind every API method, independent of the transport. Electron's
 * main process and the web server both build their dispatcher from `createHandlers`.
 */
import type Database from 'better-sqlite3';
import { type DefaultTopology, DslabApiError, type ProtocolInfo } from '../../shared/api';
import { SettingsRepo } from '../store/settings';

/** What the protocols catalog offers the API (backed by src/sim's catalog). */
export interface CatalogPort {
  /** Every protocol, in catalog order. */
  list(): ProtocolInfo[];
  /** A protocol's quick-start topology, or undefined for an unknown id. */
  defaultTopology(protocolId: string): DefaultTopology | undefined;
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
}

export function createHandlers(ctx: HostContext) {
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
    'app.echo': ({ text }: { text: string }) => ({ text }),
    'settings.get': () => settings.get(),
    'settings.set': (change: Parameters<SettingsRepo['set']>[0]) => settings.set(change),
    'catalog.list': () => ctx.catalog.list(),
    'catalog.defaultTopology': ({ protocol }: { protocol: string }) => {
      const topology = ctx.catalog.defaultTopology(protocol);
      if (!topology) {
        throw new DslabApiError({
          code: 'not-found',
          message: `No protocol with id ${JSON.stringify(protocol)} in the catalog.`,
          path: ['protocol'],
        });
      }
      return topology;
    },
  } satisfies import('./dispatch').Handlers;
}
