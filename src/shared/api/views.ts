import { z } from 'zod';

/**
 * The kinds of view a protocol may declare (Protocol.views), as the API carries them: each a
 * plain data shape that one generic renderer draws (src/renderer/src/components/views). A new
 * protocol's view needs no edit outside its folder unless it is a new kind.
 */

/** A hash ring: virtual nodes and keys as angles, and what the last membership change moved. */
export const RingViewSchema = z.object({
  kind: z.literal('ring'),
  /** Placement scheme and hash function, as labels. */
  scheme: z.string(),
  hash: z.string(),
  /** Physical members, in order. */
  members: z.array(z.string()),
  /** Virtual nodes: label, physical node, angle in degrees [0, 360) clockwise from the top. */
  vnodes: z.array(z.object({ label: z.string(), node: z.string(), angle: z.number() })),
  /** Keys: angle and owner. */
  keys: z.array(z.object({ key: z.string(), angle: z.number(), owner: z.string() })),
  /** Keys whose owner changed with the last membership change. */
  moved: z.array(z.object({ key: z.string(), from: z.string(), to: z.string() })),
  /** Members before the last change, or null. */
  previousMembers: z.array(z.string()).nullable(),
  /** Keys moved so far, and what modulo-N hashing would have moved. */
  keysMoved: z.number(),
  keysMovedModuloN: z.number(),
  /**
   * Keys each node that is up stores now, by node id: what its canvas badge counts, beside the
   * keys the ring places on it (absent: the protocol does not say).
   */
  held: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Keys written that no node that is up stores (lost with a removed node, or on a crashed one). */
  unheld: z.number().int().nonnegative().optional(),
});

/** One node's replicated log as a row of entries (RaftScope's view): term colours, commit mark. */
export const LogGridRowSchema = z.object({
  /** Node id. */
  node: z.string(),
  /** False when crashed. */
  up: z.boolean(),
  /** A short role label (leader, follower...). */
  label: z.string(),
  /** Index of the first entry shown (entries before it are compacted or left out). */
  firstIndex: z.number().int(),
  /** Entries from firstIndex on: the term (colour) and a short text; a negative term is a hole (no entry at that index, say compacted away), drawn empty. */
  entries: z.array(z.object({ term: z.number().int(), text: z.string() })),
  /** Highest index known committed (0 none). */
  commitIndex: z.number().int(),
  /**
   * Markers on the row, each after the entry at `index` (0: before the first): a position
   * someone holds in this log, such as a reader's committed offset. `label` names it (the hover
   * text and the picture's description). None by default.
   */
  marks: z
    .array(z.object({ index: z.number().int(), label: z.string().max(200) }))
    .max(16)
    .optional(),
});

/** Logs of every node, one row each, aligned by index. */
export const LogGridViewSchema = z.object({
  kind: z.literal('log-grid'),
  /** What a column is ("index"), and a caption. */
  caption: z.string(),
  rows: z.array(LogGridRowSchema),
});

/** A bar's colour hint: the badge tones plus 'info' (a second neutral colour). */
export const TimelineToneSchema = z.enum(['neutral', 'info', 'good', 'warn', 'bad']);

/**
 * A timeline (Gantt chart): one row per node, bars for spans of time (a task, a lock held...)
 * and markers for moments (a failure, the end). Times are virtual microseconds; a bar still
 * under way has no end and is drawn up to the current time.
 */
export const TimelineViewSchema = z.object({
  kind: z.literal('timeline'),
  /** What a bar is, as a caption. */
  caption: z.string(),
  /** The rows, top to bottom. */
  rows: z.array(
    z.object({
      /** Row id (a node id, usually). */
      id: z.string(),
      /** Label shown at the row's start. */
      label: z.string(),
      /** False when the node is down now (the row is greyed). */
      up: z.boolean(),
    }),
  ),
  /** The bars, each on a row. */
  bars: z.array(
    z.object({
      /** The row's id. */
      row: z.string(),
      /** Start, and end (null while under way), microseconds. */
      startUs: z.number(),
      endUs: z.number().nullable(),
      /** Short text drawn in the bar. */
      label: z.string(),
      /** Colour hint. */
      tone: TimelineToneSchema,
      /** Longer text shown on hover. */
      title: z.string().optional(),
    }),
  ),
  /** Moments: a dashed line across the rows (or on one row) with a label. */
  markers: z.array(z.object({ atUs: z.number(), label: z.string(), row: z.string().optional() })),
  /** What each tone means, for the legend (optional). */
  legend: z.array(z.object({ tone: TimelineToneSchema, label: z.string() })).optional(),
});

/**
 * A tree drawn as indented rows (a file tree): each row a node at a depth under the row above
 * it with a smaller depth, a label, a detail line, a tone and small badges. Generic: what a row
 * is (a znode, a directory...) is the protocol's; the renderer only indents and colours.
 */
export const TreeViewSchema = z.object({
  kind: z.literal('tree'),
  /** What a row is, as a caption. */
  caption: z.string(),
  /** Which copy of the tree is shown, or any other heading (optional). */
  source: z.string().optional(),
  /** The rows in display order (depth-first, parents before children). */
  rows: z.array(
    z.object({
      /** Stable id (a path). */
      id: z.string(),
      /** 0 for a root, 1 for its children... */
      depth: z.number().int().min(0),
      /** The name shown. */
      label: z.string(),
      /** A short detail line after the label (versions, data...). */
      detail: z.string(),
      /** Colour hint. */
      tone: TimelineToneSchema,
      /** Small tags after the detail (owner, watches...). */
      badges: z.array(z.object({ text: z.string(), tone: TimelineToneSchema, title: z.string().optional() })),
      /** Longer text shown on hover (optional). */
      title: z.string().optional(),
    }),
  ),
  /** What each tone means, for the legend (optional). */
  legend: z.array(z.object({ tone: TimelineToneSchema, label: z.string() })).optional(),
});

/**
 * A directed acyclic graph drawn in layers (a Hasse diagram, a lineage, a dependency graph):
 * boxes with a label and a detail line, arrows with optional labels, coloured by tone. Generic:
 * what a box is (a version, a task...) is the protocol's; the renderer puts each box one layer
 * after the furthest of its predecessors and draws the layers left to right or top down.
 */
export const DagViewSchema = z.object({
  kind: z.literal('dag'),
  /** What a box and an arrow are, as a caption. */
  caption: z.string(),
  /** What the graph is of (a key, a file...), as a heading (optional). */
  subject: z.string().optional(),
  /** Layers from left to right ('right', the default) or from top to bottom ('down'). */
  direction: z.enum(['right', 'down']).optional(),
  /** The boxes; within a layer they keep this order, as far as crossings allow. */
  nodes: z
    .array(
      z.object({
        /** Stable id, unique in the graph. */
        id: z.string(),
        /** The name shown, bold. */
        label: z.string(),
        /** A short line under the label. */
        detail: z.string(),
        /** Colour hint. */
        tone: TimelineToneSchema,
        /** Drawn faded (superseded, no longer in use). */
        faded: z.boolean().optional(),
        /** Longer text shown on hover (optional). */
        title: z.string().optional(),
      }),
    )
    .max(200),
  /** The arrows, between ids of `nodes` (an arrow naming an unknown id is not drawn; nor is one that closes a cycle). */
  edges: z.array(z.object({ from: z.string(), to: z.string(), label: z.string().optional() })).max(1000),
  /** What each tone (and fading) means, for the legend (optional). */
  legend: z
    .array(z.object({ tone: TimelineToneSchema, label: z.string(), faded: z.boolean().optional() }))
    .optional(),
});

/** A view's data, by kind. */
export const ViewDataSchema = z.discriminatedUnion('kind', [
  RingViewSchema,
  LogGridViewSchema,
  TimelineViewSchema,
  TreeViewSchema,
  DagViewSchema,
]);
/** A view's data, by kind. */
export type ViewData = z.infer<typeof ViewDataSchema>;
/** The kinds of view. */
export type ViewKind = ViewData['kind'];
/** A hash ring view. */
export type RingViewData = z.infer<typeof RingViewSchema>;
/** A log grid view. */
export type LogGridViewData = z.infer<typeof LogGridViewSchema>;
/** A timeline (Gantt) view. */
export type TimelineViewData = z.infer<typeof TimelineViewSchema>;
/** A tree view. */
export type TreeViewData = z.infer<typeof TreeViewSchema>;
/** A layered graph view. */
export type DagViewData = z.infer<typeof DagViewSchema>;

/** A view as the catalog lists it. */
export const ViewInfoSchema = z.object({
  /** View id, unique within its protocol. */
  id: z.string(),
  /** Tab title. */
  title: z.string(),
  /** Which generic renderer draws it. */
  kind: z.enum(['ring', 'log-grid', 'timeline', 'tree', 'dag']),
});

/** An experiment as the catalog lists it (src/sim/experiments). */
export const ExperimentInfoSchema = z.object({
  id: z.string(),
  /** The protocol it belongs to. */
  protocol: z.string(),
  title: z.string(),
  /** What it does and what to look for. */
  summary: z.string(),
  /** How it follows its source, and where it differs. */
  method: z.string(),
  /** What a series is ("timeout range"). */
  seriesLabel: z.string(),
  /** The label of the trials choice. */
  trialsLabel: z.string(),
  /** What the x axis measures. */
  measure: z.string(),
  /** What a censored trial (one that hit the cap) means. */
  censoredNote: z.string(),
  /** The graphs, in order (a series names its panel). */
  panels: z.array(z.object({ id: z.string(), title: z.string() })).min(1),
  trialsChoices: z.array(z.number().int()),
  defaultTrials: z.number().int(),
});
/** An experiment as the catalog lists it. */
export type ExperimentInfo = z.infer<typeof ExperimentInfoSchema>;

/** One line of an experiment's figure: every trial, measured or censored. */
export const ExperimentSeriesSchema = z.object({
  label: z.string(),
  /** The panel it is drawn in (an id of the experiment's panels). */
  panel: z.string(),
  /** Trials run; every one counts. */
  trials: z.number().int(),
  /** Measured values, ms, ascending (censored trials are not among them). */
  samplesMs: z.array(z.number()),
  /** Trials that reached the cap without a result (censored: above every sample). */
  censored: z.number().int(),
  /** The cap, ms. */
  capMs: z.number(),
  /** Empirical CDF over all trials; it ends below 1 when some are censored. */
  cdf: z.array(z.object({ ms: z.number(), p: z.number() })),
  /** Median over all trials, ms; null when half of them or more are censored. */
  medianMs: z.number().nullable(),
});
/** One line of an experiment's figure. */
export type ExperimentSeries = z.infer<typeof ExperimentSeriesSchema>;
