/**
 * The one table of DSLab's API: every method the renderer may call and every event main or
 * the web server may push. The preload exposes exactly this table as `window.dslab`; main
 * (ipc.ts) and the web server (src/server) register their handlers from it and validate
 * every payload with the schemas below before a handler sees it.
 *
 * Adding a method: add an entry here, then a handler in src/main/api/handlers.ts. Both
 * transports pick it up; nothing else lists channels.
 */
import { z } from 'zod';

/** A method's request and response schemas. */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** Validates what the renderer sends. */
  request: Req;
  /** Describes what the handler answers (checked in tests, trusted at run time). */
  response: Res;
  /** One line for the docs and error messages. */
  doc: string;
}

function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  doc: string,
): MethodSpec<Req, Res> {
  return { request, response, doc };
}

/** Appearance preference; 'system' follows the OS. */
export const ThemeSchema = z.enum(['light', 'dark', 'system']);

/** What the renderer needs to know about where it runs. */
export const AppInfoSchema = z.object({
  /** Product name shown in the title and About box. */
  name: z.string(),
  /** package.json version. */
  version: z.string(),
  /** 'electron' for the desktop window, 'web' for the browser transport. */
  transport: z.enum(['electron', 'web']),
  /** Folder holding the SQLite store. */
  dataDir: z.string(),
  /** Node.js version of the host process. */
  nodeVersion: z.string(),
  /** Electron version, when hosted by Electron. */
  electronVersion: z.string().nullable(),
  /** The store's schema version (PRAGMA user_version). */
  storeVersion: z.number().int(),
  /** SQLite library version inside better-sqlite3. */
  sqliteVersion: z.string(),
});

/** User preferences kept in the store. */
export const SettingsSchema = z.object({
  /** Light, dark or follow the OS. */
  theme: ThemeSchema,
  /** Topic the person last worked on, to reopen where they were. */
  lastTopic: z.string().nullable(),
  /** Protocol the person last worked on. */
  lastProtocol: z.string().nullable(),
});

/** A role a protocol offers in the palette. */
export const RoleInfoSchema = z.object({
  /** Stable id used in scenarios. */
  id: z.string(),
  /** Palette label. */
  label: z.string(),
  /** Fewest nodes of this role a valid topology has. */
  min: z.number().int().nonnegative(),
  /** Most nodes of this role, or null for no limit. */
  max: z.number().int().positive().nullable(),
});

/** One protocol in the catalog, as the editor sees it. */
export const ProtocolInfoSchema = z.object({
  /** Catalog id, e.g. 'ping-pong'. */
  id: z.string(),
  /** Topic id, e.g. 'kernel' or 'consensus'. */
  topic: z.string(),
  /** Human title of the topic. */
  topicTitle: z.string(),
  /** Human title of the protocol. */
  title: z.string(),
  /** One-paragraph summary for pickers and the welcome view. */
  summary: z.string(),
  /** Palette entries. */
  roles: z.array(RoleInfoSchema),
});

/** A node on the canvas, as the editor stores it. */
export const TopologyNodeSchema = z.object({
  /** Stable id, unique in the topology. */
  id: z.string().min(1),
  /** Display name, editable in place. */
  name: z.string().min(1),
  /** Role id from the protocol, or 'client' / 'switch'. */
  role: z.string().min(1),
  /** Canvas x position. */
  x: z.number().finite(),
  /** Canvas y position. */
  y: z.number().finite(),
});

/** A link between two nodes. */
export const TopologyLinkSchema = z.object({
  /** Stable id, unique in the topology. */
  id: z.string().min(1),
  /** One end (node id). */
  a: z.string().min(1),
  /** The other end (node id). */
  b: z.string().min(1),
});

/** A protocol's starting topology for a quick start. */
export const DefaultTopologySchema = z.object({
  /** Nodes with positions. */
  nodes: z.array(TopologyNodeSchema),
  /** Links between them. */
  links: z.array(TopologyLinkSchema),
});

/** Menu commands main forwards to the renderer. */
export const MenuCommandSchema = z.enum([
  'file.new',
  'file.open',
  'file.save',
  'file.saveAs',
  'file.import',
  'file.export',
  'view.toggleTheme',
  'view.zoomToFit',
  'help.shortcuts',
  'help.about',
]);

export const methods = {
  'app.info': method(z.object({}).strict(), AppInfoSchema, 'Versions, transport and data folder.'),
  'app.echo': method(
    z.object({ text: z.string().max(10_000) }).strict(),
    z.object({ text: z.string() }),
    'Round-trip check used by health probes and tests.',
  ),
  'settings.get': method(z.object({}).strict(), SettingsSchema, 'Read the preferences.'),
  'settings.set': method(SettingsSchema.partial().strict(), SettingsSchema, 'Change some preferences.'),
  'catalog.list': method(
    z.object({}).strict(),
    z.array(ProtocolInfoSchema),
    'Every protocol the lab offers, grouped by topic.',
  ),
  'catalog.defaultTopology': method(
    z.object({ protocol: z.string().min(1) }).strict(),
    DefaultTopologySchema,
    "A protocol's quick-start topology.",
  ),
} as const;

export const events = {
  'app.menu': z.object({ command: MenuCommandSchema }),
} as const;

/** Every method name. */
export type MethodName = keyof typeof methods;
/** Every event name. */
export type EventName = keyof typeof events;
/** What a method takes. */
export type Req<M extends MethodName> = z.input<(typeof methods)[M]['request']>;
/** What a method answers. */
export type Res<M extends MethodName> = z.output<(typeof methods)[M]['response']>;
/** What an event carries. */
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type AppInfo = z.output<typeof AppInfoSchema>;
export type Settings = z.output<typeof SettingsSchema>;
export type ProtocolInfo = z.output<typeof ProtocolInfoSchema>;
export type DefaultTopology = z.output<typeof DefaultTopologySchema>;
export type MenuCommand = z.output<typeof MenuCommandSchema>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
