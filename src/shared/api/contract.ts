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
import { RunSummarySchema } from '../exercise/run-summary';
import { FaultSchema, ScenarioSchema } from '../scenario/schema';
import { libraryMethods } from './library-contract';
import { method } from './method';
import { ExperimentInfoSchema, ExperimentSeriesSchema, ViewDataSchema, ViewInfoSchema } from './views';

export type { MethodSpec } from './method';

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

/** Slowest and fastest playback the app offers, in virtual seconds per wall second. */
export const SPEED_MIN_X = 0.001;
export const SPEED_MAX_X = 1000;
/** A playback speed the app offers. */
export const SpeedSchema = z.number().min(SPEED_MIN_X).max(SPEED_MAX_X);

/** Most scenarios whose playback speed is remembered (Settings.speeds). */
export const SPEEDS_KEPT = 200;

/** User preferences kept in the store. */
export const SettingsSchema = z.object({
  /** Light, dark or follow the OS. */
  theme: ThemeSchema,
  /** Topic the person last worked on, to reopen where they were. */
  lastTopic: z.string().nullable(),
  /** Protocol the person last worked on. */
  lastProtocol: z.string().nullable(),
  /** Height of the workbench's bottom panel in CSS pixels; null or absent: the default. */
  bottomPanelHeightPx: z.number().int().min(120).max(4000).nullable().optional(),
  /** Whether the bottom panel is collapsed to its tab strip; absent: expanded. */
  bottomPanelCollapsed: z.boolean().optional(),
  /**
   * The playback speed the person chose per scenario (`item:<library id>`, or `new:<protocol>`
   * for a protocol's unsaved quick start), most recently chosen last; absent: each opens at its
   * protocol's speed.
   */
  speeds: z
    .record(z.string().min(1).max(200), SpeedSchema)
    .refine((r) => Object.keys(r).length <= SPEEDS_KEPT, `at most ${SPEEDS_KEPT} speeds are kept`)
    .optional(),
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
  /** Topic id, e.g. 'basics' or 'consensus'. */
  topic: z.string(),
  /** Human title of the topic. */
  topicTitle: z.string(),
  /** Human title of the protocol. */
  title: z.string(),
  /** One-paragraph summary for pickers and the welcome view (the lesson's summary). */
  summary: z.string(),
  /** Behaviour version (old traces hash differently after a bump). */
  version: z.number().int(),
  /**
   * Playback speed at which the protocol's story plays at a human pace, in virtual seconds per
   * wall second: where the speed starts when a scenario of this protocol opens.
   */
  speed: SpeedSchema,
  /** Palette entries. */
  roles: z.array(RoleInfoSchema),
  /** JSON Schema of the params; drives the inspector form. */
  paramsJsonSchema: z.record(z.string(), z.unknown()),
  /** Default params. */
  defaults: z.record(z.string(), z.unknown()),
  /** Invariants checked as the run goes. */
  invariants: z.array(z.object({ id: z.string(), title: z.string() })),
  /** Liveness properties, checked once the faults stop. */
  liveness: z.array(z.object({ id: z.string(), title: z.string() })).default([]),
  /** Checks of the run so far that never stop it (shown with the invariants). */
  runChecks: z.array(z.object({ id: z.string(), title: z.string() })).default([]),
  /** Views the protocol declares (tabs drawn by a generic renderer of their kind). */
  views: z.array(ViewInfoSchema).default([]),
  /** Experiments that reproduce a figure of the protocol's source (`experiments.run`). */
  experiments: z.array(ExperimentInfoSchema).default([]),
  /** Metric series the protocol adds. */
  metrics: z.array(z.object({ id: z.string(), unit: z.string() })),
  /** Known-wrong variants a learner can switch on (boolean params). */
  bugs: z.array(z.object({ param: z.string(), title: z.string() })),
  /** The lesson: the concept, what to watch, things to try. */
  lesson: z.object({ summary: z.string(), watch: z.array(z.string()), tryThis: z.array(z.string()) }),
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

/** The kinds of trace rows (mirrors src/sim/kernel/trace.ts; a test keeps them equal). */
export const TraceKindSchema = z.enum([
  'start',
  'restart',
  'send',
  'deliver',
  'drop',
  'timer',
  'client',
  'reply',
  'note',
  'fault',
  'violation',
  'limit',
]);

/** A running simulation's handle. */
export const SimIdSchema = z.string().regex(/^sim-\d+$/, 'a simulation id looks like sim-1');

/** A broken invariant: where, when, and the seed that reproduces it. */
export const ViolationSchema = z.object({
  /** Invariant id. */
  invariant: z.string(),
  /** What is wrong. */
  message: z.string(),
  /** The run's seed. */
  seed: z.number(),
  /** Virtual time, microseconds. */
  timeUs: z.number(),
  /** The event that broke it. */
  eventIndex: z.number(),
  /** The node that had just stepped. */
  node: z.string(),
});

/** Where a run is. */
export const SimStatusSchema = z.object({
  /** The simulation's handle. */
  simId: SimIdSchema,
  /** Events processed. */
  eventIndex: z.number().int(),
  /** Virtual time of the last event, microseconds. */
  nowUs: z.number(),
  /** No more events will be processed. */
  done: z.boolean(),
  /**
   * Why it stopped, if it did: a kernel limit ('quiescent', 'time-limit', 'max-events',
   * 'trace-limit', 'violation') or the host's 'memory-budget'.
   */
  stopReason: z.string().nullable(),
  /** The host's sentence when it stopped the run (a memory budget: which, how much, how to raise it). */
  stopMessage: z.string().optional(),
  /** The broken invariant, if any. */
  violation: ViolationSchema.nullable(),
  /** Events queued. */
  queued: z.number().int(),
  /** Trace rows recorded. */
  traceRows: z.number().int(),
  /** The run's seed. */
  seed: z.number().int(),
  /**
   * The furthest event this run has reached (>= eventIndex): the timeline spans 0..here. After
   * a step back or seek the events up to here are a known future; a live change forgets them.
   */
  reachedEvent: z.number().int(),
  /** Whether the host is playing it. */
  playing: z.boolean(),
  /** Events processed by the call that produced this status (0 for events). */
  steps: z.number().int(),
  /** For stepUntil: whether a matching event was found. */
  matched: z.boolean().optional(),
});

/** A node as the canvas and the inspector see it during a run. */
export const SimNodeSchema = z.object({
  /** Node id. */
  id: z.string(),
  /** Role ('switch' for switches). */
  role: z.string(),
  /** Display name. */
  name: z.string(),
  /**
   * Canvas position, as the scenario or the add-node fault that added the node gave it (the
   * canvas draws a node the run added there).
   */
  x: z.number(),
  y: z.number(),
  /** False when crashed or removed. */
  up: z.boolean(),
  /** Paused by a fault. */
  paused: z.boolean(),
  /** Removed from the topology. */
  removed: z.boolean(),
  /** Added by the run (an add-node fault): not in the scenario's topology, drawn while present. */
  added: z.boolean(),
  /** The node's local clock, microseconds. */
  localTimeUs: z.number(),
  /** Local clock minus true time, microseconds. */
  clockErrorUs: z.number(),
  /** What a slew of the clock in progress still has to apply, signed microseconds (0: none). */
  slewLeftUs: z.number().optional(),
  /** Pending timer names. */
  timers: z.array(z.string()),
  /** Protocol state (JSON). */
  state: z.unknown(),
  /** Canvas badge. */
  badge: z.object({ text: z.string(), tone: z.enum(['neutral', 'good', 'warn', 'bad']) }),
});

/** A link's state during a run (sim.links). */
export const SimLinkSchema = z.object({
  /** Link id. */
  id: z.string(),
  /** One end (a cut a-to-b stops messages from here). */
  a: z.string(),
  /** The other end. */
  b: z.string(),
  /** ok, cut both ways, cut one way (see cutDirection), or degraded; a cut wins over degraded. */
  state: z.enum(['ok', 'cut', 'cut-one-way', 'degraded']),
  /** For a one-way cut, the direction that is cut. */
  cutDirection: z.enum(['a-to-b', 'b-to-a']).nullable(),
  /** What cuts it: a cut-link fault on it, a node partition, or both (empty when not cut). */
  cutBy: z.array(z.enum(['link', 'partition'])),
  /** Its loss, duplication, reordering or latency differ from the scenario's. */
  degraded: z.boolean(),
  /** Loss rate now. */
  lossRate: z.number(),
  /** Loss rate in the scenario (null for a link a fault added). */
  scenarioLossRate: z.number().nullable(),
  /** Mean latency now, microseconds. */
  meanLatencyUs: z.number(),
  /** Mean latency in the scenario, microseconds (null for a link a fault added). */
  scenarioMeanLatencyUs: z.number().nullable(),
});

/** The network at the current event: every link's state and who is cut off from whom. */
export const SimLinksSchema = z.object({
  /** The event this describes. */
  eventIndex: z.number().int(),
  /** Every present link, in scenario order. */
  links: z.array(SimLinkSchema),
  /** Nodes that cannot talk both ways with some protocol nodes (null above 100 protocol nodes). */
  cutOff: z
    .array(
      z.object({
        /** Node id. */
        node: z.string(),
        /** The protocol nodes it cannot reach or hear from, sorted. */
        from: z.array(z.string()),
        /** It talks both ways with at most half of the protocol nodes (itself included). */
        minority: z.boolean(),
      }),
    )
    .nullable(),
});

/** A fault injected live, as the scenario's fault script would hold it (sim.injections). */
export const SimInjectionSchema = z.object({
  /** The event it was made at. */
  atEvent: z.number().int(),
  /** The virtual time it happens at, microseconds. */
  atUs: z.number().int(),
  /** The fault. */
  fault: FaultSchema,
});

/** One trace row. */
export const TraceEventSchema = z.object({
  /** Row number from 0. */
  row: z.number().int(),
  /** Kernel event index (1-based; 0 before the first event). */
  index: z.number().int(),
  /** Virtual time, microseconds. */
  timeUs: z.number(),
  /** Row kind. */
  kind: TraceKindSchema,
  /** Node the row is about. */
  node: z.string(),
  /** Destination of a send, sender of a delivery. */
  peer: z.string().optional(),
  /** Message type. */
  msgType: z.string().optional(),
  /** Ties a delivery or drop to its send. */
  sendId: z.number().int().optional(),
  /** Drop reason, timer name, note, fault. */
  detail: z.string().optional(),
});

/**
 * A client operation a failed history check names (src/sim/simulation.ts `OffendingOp`): what it
 * did, where it was invoked and answered, and its part in the failure.
 */
export const OffendingOpSchema = z.object({
  /** Operation id. */
  opId: z.number().int(),
  /** True: the history cannot explain it (a stale read); false: what it is judged against. */
  offending: z.boolean(),
  /** Its part, in one line. */
  why: z.string(),
  /** The client node that invoked it. */
  client: z.string(),
  kind: z.enum(['read', 'write']),
  key: z.string(),
  /** A write's value. */
  value: z.string().optional(),
  /** A read's answer (null: the key missing); absent when never answered. */
  output: z.string().nullable().optional(),
  /** Virtual times of the invocation and the answer (null: never answered), µs. */
  callUs: z.number(),
  returnUs: z.number().nullable(),
  /** Event of the invocation. */
  invokeEvent: z.number().int(),
  /** Node that answered, and the event of the answer (null: never answered). */
  replyNode: z.string().nullable(),
  returnEvent: z.number().int().nullable(),
});

/** A checker verdict. */
export const VerdictSchema = z.object({
  /** Invariant or history checker id. */
  id: z.string(),
  /** Checked as the run goes, once the faults stop (liveness), or at the end over the history. */
  kind: z.enum(['invariant', 'liveness', 'history']),
  /**
   * Holds, broken, or null: not evaluated yet, or (a history checker with atEvent set)
   * evaluated without a verdict, e.g. the linearizability search ran out of budget on a key.
   */
  ok: z.boolean().nullable(),
  /** Explanation. */
  message: z.string(),
  /** Event of the violation or evaluation. */
  atEvent: z.number().int().nullable(),
  /** What the check promises (history and run checks). */
  title: z.string().optional(),
  /** Set when the protocol does not promise this check here: why (a failure is the lesson, not a bug). */
  lesson: z.string().optional(),
  /** For a failure: one line per item that shows it (offending operations, lost writes). */
  details: z.array(z.string()).optional(),
  /** For a failed history check: the client operations that show it, placed for the space-time diagram. */
  offending: z.array(OffendingOpSchema).optional(),
});

/** Metrics of a run. */
export const SimMetricsSchema = z.object({
  /** Counters by name. */
  counters: z.record(z.string(), z.number()),
  /** Gauges by name. */
  gauges: z.record(z.string(), z.number()),
  /** Time series sampled in virtual time. */
  series: z.array(
    z.object({
      id: z.string(),
      unit: z.string(),
      tUs: z.array(z.number()),
      v: z.array(z.number()),
      /** The chart it shares with other series (src/sim/protocol.ts ChartSpec). */
      chart: z
        .object({
          title: z.string(),
          scale: z.enum(['linear', 'asinh']).optional(),
          linearUnder: z.number().optional(),
          band: z.boolean().optional(),
          ceiling: z.boolean().optional(),
        })
        .optional(),
      /** The node a per-node series is of. */
      node: z.string().optional(),
    }),
  ),
});

/** A change applied at an event (live, or the difference of a fork). */
export const ChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fault'), fault: FaultSchema }),
  z.object({ kind: z.literal('params'), params: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal('seed'), seed: z.number().int().min(0).max(0xffffffff) }),
]);

/** Where two runs first differ (sim.diverge). */
export const DivergenceSchema = z.object({
  /** Rows compared (both runs had them). */
  compared: z.number().int(),
  /** First differing row number, or null when every compared row is equal. */
  row: z.number().int().nullable(),
  /** Event index of the difference (the earlier of the two rows), or null. */
  index: z.number().int().nullable(),
  /** Virtual time of the difference, microseconds, or null. */
  timeUs: z.number().nullable(),
  /** Run a's row there (null past its end). */
  a: TraceEventSchema.nullable(),
  /** Run b's row there (null past its end). */
  b: TraceEventSchema.nullable(),
});

const simRef = z.object({ simId: SimIdSchema }).strict();

/** A message on a happened-before chain (sim.causality). */
const HopSchema = z.object({
  from: z.string(),
  to: z.string(),
  msgType: z.string(),
  sendRow: z.number().int(),
  deliverRow: z.number().int(),
  sendIndex: z.number().int(),
  deliverIndex: z.number().int(),
});

/** How two events are ordered, and why (src/sim/analysis/causality.ts `Ordering`). */
export const OrderingSchema = z.object({
  relation: z.enum(['before', 'after', 'concurrent', 'same']),
  chain: z.array(HopSchema),
  reason: z.string(),
  clockA: z.record(z.string(), z.number()),
  clockB: z.record(z.string(), z.number()),
});

/** Most seeds one search covers (`search.start`). */
export const SEARCH_MAX_SEEDS = 100_000;

/** Where a seed search stands (`search.start`, `search.cancel`, `search.progress`). */
export const SearchStatusSchema = z.object({
  /** The search's handle. */
  searchId: z.string(),
  /** The seed range, inclusive. */
  from: z.number().int(),
  to: z.number().int(),
  /** The seed under way (or the last one run). */
  seed: z.number().int(),
  /** Seeds run to their end so far. */
  done: z.number().int(),
  /** running; found (a seed failed a check); none (every seed passed); cancelled; error (a run threw). */
  state: z.enum(['running', 'found', 'none', 'cancelled', 'error']),
  /** The first failing seed: the check it failed, why, and the event to open it at. */
  found: z
    .object({
      seed: z.number().int(),
      invariant: z.string(),
      message: z.string(),
      eventIndex: z.number().int(),
    })
    .nullable(),
  /** What a run that threw said (state error). */
  error: z.string().nullable(),
});
const count = z.number().int().min(1).max(10_000_000).default(1);

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
  'catalog.defaultScenario': method(
    z.object({ protocol: z.string().min(1) }).strict(),
    ScenarioSchema,
    "A protocol's ready-to-run scenario (default topology and params).",
  ),
  'sim.create': method(
    z.object({ scenario: ScenarioSchema, seed: z.number().int().min(0).max(0xffffffff).optional() }).strict(),
    z.object({ status: SimStatusSchema, nodes: z.array(SimNodeSchema) }),
    'Start a simulation of a scenario (paused at event 0).',
  ),
  'sim.step': method(simRef.extend({ count }), SimStatusSchema, 'Process the next events.'),
  'sim.stepUntil': method(
    simRef.extend({
      filter: z
        .object({
          kind: z.union([TraceKindSchema, z.array(TraceKindSchema).min(1)]).optional(),
          node: z.string().optional(),
          msgType: z.string().optional(),
        })
        .strict(),
      maxEvents: z.number().int().min(1).max(100_000_000).default(1_000_000),
    }),
    SimStatusSchema,
    'Run to the next event whose trace row matches the filter.',
  ),
  'sim.runUntil': method(
    simRef.extend({
      timeUs: z.number().int().min(0),
      maxEvents: z.number().int().min(1).max(100_000_000).default(5_000_000),
    }),
    SimStatusSchema,
    'Run until a virtual time (bounded by maxEvents).',
  ),
  'sim.stepBack': method(
    simRef.extend({ count }),
    SimStatusSchema,
    'Go back some events (checkpoint + replay).',
  ),
  'sim.seek': method(
    simRef.extend({ event: z.number().int().min(0) }),
    SimStatusSchema,
    'Go to an event index.',
  ),
  'sim.play': method(
    simRef.extend({ speed: z.number().positive().max(1e9).default(1) }),
    SimStatusSchema,
    'Play in the background: speed is virtual seconds per wall second; progress arrives as sim.progress.',
  ),
  'sim.pause': method(
    simRef,
    SimStatusSchema,
    'Stop playing, and stop a stepping call running on this run (it answers where the run got to); takes effect within one chunk, under 100 ms.',
  ),
  'sim.inject': method(
    simRef.extend({ change: ChangeSchema }),
    SimStatusSchema,
    'Apply a fault or change now.',
  ),
  'sim.fork': method(
    simRef.extend({ atEvent: z.number().int().min(0), change: ChangeSchema }),
    z.object({ status: SimStatusSchema, nodes: z.array(SimNodeSchema) }),
    'A new run from an event of this one, with a change applied there.',
  ),
  'sim.diverge': method(
    z.object({ a: SimIdSchema, b: SimIdSchema }).strict(),
    DivergenceSchema,
    'The first trace row where two runs differ (a fork and its parent), compared on event, time, kind, node, peer, message type and detail over the rows both have. Compared in slices (other calls are answered meanwhile; progress as sim.readProgress); closing either run cancels it.',
  ),
  'sim.trace': method(
    simRef.extend({
      from: z.number().int().min(0),
      to: z.number().int().min(0),
      max: z.number().int().min(1).max(50_000).default(5_000),
    }),
    z.object({ rows: z.array(TraceEventSchema), total: z.number().int() }),
    'Trace rows of events from..to (event indexes, end exclusive), at most max.',
  ),
  'sim.nodes': method(simRef, z.array(SimNodeSchema), 'Every node with its state and badge.'),
  'sim.causality': method(
    simRef.extend({ rowA: z.number().int().min(0), rowB: z.number().int().min(0) }),
    OrderingSchema,
    'How the events of two trace rows are ordered by happened-before (before, after, concurrent or the same event), with the chain of messages and both vector clocks, computed from the trace so far.',
  ),
  'sim.shiviz': method(
    simRef,
    z.object({ text: z.string(), events: z.number().int() }),
    "The run so far as a log ShiViz opens: its regex line, an empty delimiter line, then each process event and `host {vector clock}` (the CLI's dslab shiviz).",
  ),
  'sim.links': method(
    simRef,
    SimLinksSchema,
    "Every link's state at the current event (cut, cut one way, degraded, ok) and which nodes are cut off from which.",
  ),
  'sim.injections': method(
    simRef,
    z.array(SimInjectionSchema),
    'The faults injected live in this run, in order, with the virtual time each happens at.',
  ),
  'sim.metrics': method(simRef, SimMetricsSchema, 'Counters, gauges and series so far.'),
  'sim.invariants': method(
    simRef,
    z.array(VerdictSchema),
    'Checker verdicts so far. The history checks of a finished run run in slices (other calls are answered meanwhile; progress as sim.readProgress) and are kept until the run moves; closing the run cancels them.',
  ),
  'sim.close': method(simRef, z.object({ closed: z.boolean() }), 'Drop a simulation and its memory.'),
  'sim.summary': method(
    simRef,
    RunSummarySchema,
    'What the library keeps of the run so far: totals, final metrics, verdicts, event counts. Built in slices like sim.invariants.',
  ),
  'sim.view': method(
    z.object({ simId: z.string().min(1).max(100), view: z.string().min(1).max(100) }).strict(),
    ViewDataSchema.nullable(),
    "One of the protocol's declared views (catalog `views`) at the current event: data for the generic renderer of its kind; null when it has nothing to show yet.",
  ),
  'search.start': method(
    z
      .object({
        scenario: ScenarioSchema,
        from: z.number().int().min(0).max(0xffffffff),
        to: z.number().int().min(0).max(0xffffffff),
      })
      .strict()
      .refine((r) => r.to >= r.from, { message: 'to must be at least from', path: ['to'] })
      .refine((r) => r.to - r.from < SEARCH_MAX_SEEDS, {
        message: `at most ${SEARCH_MAX_SEEDS} seeds per search`,
        path: ['to'],
      }),
    SearchStatusSchema,
    'Run the scenario for each seed from..to in the background, stopping at the first that fails a check (what `dslab check --seeds` does); progress arrives as search.progress.',
  ),
  'search.cancel': method(
    z.object({ searchId: z.string().min(1) }).strict(),
    SearchStatusSchema,
    'Stop a seed search (within one chunk of work).',
  ),
  'experiments.run': method(
    z
      .object({
        experiment: z.string().min(1).max(100),
        trials: z.number().int().min(5).max(1000).default(40),
        seed: z.number().int().min(0).max(0xffffffff).default(1),
        /** A name the caller picks, to follow experiments.progress and to cancel the run. */
        runId: z.string().min(1).max(100).optional(),
      })
      .strict(),
    z.array(ExperimentSeriesSchema),
    "Runs one of a protocol's experiments (catalog `experiments`): many simulations on clusters of their own, one cumulative distribution per series. It runs in slices (other calls are answered meanwhile), reports experiments.progress, and answers `cancelled` when experiments.cancel stops it.",
  ),
  'experiments.cancel': method(
    z.object({ runId: z.string().min(1).max(100) }).strict(),
    z.object({ cancelled: z.boolean() }),
    'Stops the experiments.run started with this runId (false: none is running); that call answers `cancelled`.',
  ),

  ...libraryMethods,
  'files.open': method(
    z.object({}).strict(),
    z.object({ name: z.string(), path: z.string(), text: z.string() }).nullable(),
    'Desktop only: choose a .dslab.json file with the system dialog and read it (null: cancelled).',
  ),
  'files.save': method(
    z.object({ fileName: z.string().min(1).max(255), text: z.string() }).strict(),
    z.object({ path: z.string() }).nullable(),
    'Desktop only: choose where to save a file with the system dialog and write it (null: cancelled).',
  ),
  'files.recent': method(
    z.object({}).strict(),
    z.array(z.string()),
    'Desktop only: recently opened or saved files.',
  ),
  'files.openRecent': method(
    z.object({ path: z.string().min(1) }).strict(),
    z.object({ name: z.string(), path: z.string(), text: z.string() }),
    'Desktop only: read a file from the recent list (no other path is readable).',
  ),
} as const;

export const events = {
  'app.menu': z.object({ command: MenuCommandSchema }),
  'sim.progress': z.object({ status: SimStatusSchema, nodes: z.array(SimNodeSchema) }),
  /** An experiments.run under way: trials done of the total (its runId, when it was given one). */
  'experiments.progress': z.object({
    runId: z.string().nullable(),
    experiment: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  'search.progress': SearchStatusSchema,
  /**
   * A long read of a run under way (sim.invariants' history checks, sim.summary, sim.diverge):
   * how far it got in `what` (keys of a history checker, events counted, rows compared).
   */
  'sim.readProgress': z.object({
    simId: z.string(),
    method: z.enum(['sim.invariants', 'sim.summary', 'sim.diverge']),
    what: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  /** Desktop: a file arrived from the menu's Open Recent, the OS (file association) or a second launch. */
  'app.openFile': z.object({ name: z.string(), path: z.string(), text: z.string() }),
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
/** How two events are ordered by happened-before (sim.causality). */
export type Ordering = z.output<typeof OrderingSchema>;
export type OffendingOp = z.output<typeof OffendingOpSchema>;
export type ProtocolInfo = z.output<typeof ProtocolInfoSchema>;
export type DefaultTopology = z.output<typeof DefaultTopologySchema>;
export type MenuCommand = z.output<typeof MenuCommandSchema>;
export type SimStatusInfo = z.output<typeof SimStatusSchema>;
export type SimNode = z.output<typeof SimNodeSchema>;
export type SearchStatus = z.output<typeof SearchStatusSchema>;
export type TraceRow = z.output<typeof TraceEventSchema>;
export type Divergence = z.output<typeof DivergenceSchema>;
export type SimChange = z.output<typeof ChangeSchema>;
export type SimLinks = z.output<typeof SimLinksSchema>;
export type SimInjection = z.output<typeof SimInjectionSchema>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
