import { z } from 'zod';

/**
 * The Lambda and Kappa architectures' params, state and messages (lambda.ts has the rules and
 * the sources; checks.ts the ground truth and the checks).
 */

/** The URLs pages are viewed on (the first `urls` of them), most popular first. */
export const URLS = ['/home', '/news', '/shop', '/about', '/blog', '/help', '/jobs', '/docs'] as const;

export const LambdaParams = z.object({
  /** Lambda (batch + speed + serving) or Kappa (one replayable stream job). */
  architecture: z
    .enum(['lambda', 'kappa'])
    .default('lambda')
    .describe('lambda: batch, speed and serving layers; kappa: one stream job over a replayable log.'),
  /** How many URLs the page views spread over. */
  urls: z
    .number()
    .int()
    .min(1)
    .max(URLS.length)
    .default(4)
    .describe('URLs viewed (1 to 8); the first is the most popular.'),
  /** Page views each source emits before it stops (the story then settles). */
  eventsPerSource: z
    .number()
    .int()
    .min(0)
    .max(5000)
    .default(150)
    .describe('Page views each source emits, then stops.'),
  /** Mean gap between two page views of one source (exponential gaps). */
  eventEveryMs: z.number().int().min(1).max(10_000).default(30),
  /** Batch layer: the fixed cost of a run (reading the dataset, writing the view). */
  batchFixedMs: z.number().int().min(1).max(60_000).default(200),
  /** Batch layer: the cost of a run per event of the master dataset, microseconds. */
  batchUsPerEvent: z.number().int().min(0).max(1_000_000).default(2000),
  /** Batch layer: pause between the end of a run and the start of the next (Marz: none, a while(true) loop). */
  batchGapMs: z.number().int().min(0).max(60_000).default(0),
  /** Lambda: run the speed layer (off: the serving layer serves the batch view alone). */
  speedLayer: z.boolean().default(true).describe('Lambda: run the speed layer (off: batch views only).'),
  /** How often the speed layer (or Kappa's job) sends its view to the serving layer. */
  publishEveryMs: z.number().int().min(1).max(10_000).default(50),
  /** Reading the log back (a rebuild, a replay): cost per event read, microseconds. */
  replayUsPerEvent: z.number().int().min(0).max(1_000_000).default(1000),
  /** Events per read of the log back. */
  replayChunk: z.number().int().min(1).max(10_000).default(50),
  /** Kappa: when version 2 of the job is deployed and starts replaying the log (0: never). */
  redeployAtMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(2500)
    .describe('Kappa: when job version 2 is deployed and replays the log from offset 0 (0: never).'),
  /** How long a node waits for an answer (a snapshot, a read of the log, where the batch view ends) before asking again. */
  retryMs: z.number().int().min(1).max(60_000).default(200),
  /** How often the dashboard queries one URL's count. */
  queryEveryMs: z.number().int().min(1).max(60_000).default(100),
  /** Liveness bound: once the sources are done and the faults stopped, the served counts are exact within this. */
  settleMs: z.number().int().min(100).max(600_000).default(3000),
  /** Bug switch: the serving layer adds real-time counts the batch view already covers. */
  bugDoubleCountOverlap: z.boolean().default(false),
  /** Bug switch: the master dataset is a queue: a batch run takes (deletes) what it reads and adds it to its last view. */
  bugMutateMaster: z.boolean().default(false),
  /** Bug switch: the speed layer (Kappa: job version 1) jumps over events it missed instead of reading them from the log. */
  bugSpeedSkipsGap: z.boolean().default(false),
});
/** Lambda/Kappa params. */
export type LambdaParams = z.infer<typeof LambdaParams>;

/** Page views per URL (a view: batch, real-time, served). */
export type Counts = Record<string, number>;

/** A fact of the master dataset (Marz ch. 2): who saw which page, when; never changed once written. */
export interface Fact {
  /** Offset in the dataset. */
  offset: number;
  /** The source that emitted it, and its number there (the fact's identity). */
  source: string;
  n: number;
  /** The page viewed ('' once deleted: only with bugMutateMaster). */
  url: string;
  /** The batch run that first covers it: the number of snapshots taken before it (the speed layer's epoch). */
  epoch: number;
  /** When the log appended it (log's clock). */
  atUs: number;
}

/** A bar of the timeline view: a batch run, a replay, the speed layer live. */
export interface Bar {
  startUs: number;
  endUs: number | null;
  label: string;
  tone: 'neutral' | 'info' | 'good' | 'warn' | 'bad';
  title: string;
}

/** A source of page views (a web server). */
export interface SourceState {
  kind: 'source';
  /** What it emitted, in order: index n holds the URL of its n-th page view (the ground truth). */
  sent: string[];
}

/** The master dataset (Lambda) or the retained, replayable log (Kappa). */
export interface LogState {
  kind: 'log';
  /** The facts, in append order. */
  dataset: Fact[];
  /** Snapshots handed to the batch layer so far (the epoch of the next appended fact). */
  snapshots: number;
  /** bugMutateMaster: facts before this offset were taken by a batch run (and deleted). */
  taken: number;
}

/** A batch run under way: the snapshot it recomputes from. */
export interface BatchRun {
  run: number;
  upTo: number;
  /** Events read from the dataset. */
  read: number;
  /** The view it will publish when done. */
  view: Counts;
}

/** The batch layer: one worker that recomputes the batch view from the whole dataset, in a loop. */
export interface BatchState {
  kind: 'batch';
  /** Waiting for a snapshot. */
  waiting: boolean;
  /** The run under way, or null. */
  current: BatchRun | null;
  /** Runs finished and published. */
  runs: number;
  /** Events read by all runs (the recomputation cost). */
  processed: number;
  /** bugMutateMaster only: the last view, to which the next run adds what it takes. */
  base: Counts;
  bars: Bar[];
}

/** A speed layer node (Lambda) or a stream job (Kappa). */
export interface SpeedState {
  kind: 'speed';
  /** Job version: 1 for the first speed node, 2 for Kappa's redeployed job. */
  version: number;
  /** Processing events (Kappa v2 before its deploy, or v1 after the switch, is not). */
  running: boolean;
  /** Kappa: version 2 was deployed / version 1 was stopped (kept on disk: operators' decisions). */
  deployed: boolean;
  stopped: boolean;
  /** The next log offset to apply; -1 while it does not know where to start (just restarted). */
  next: number;
  /** The real-time views: counts per URL by epoch (the batch run that will first cover them). */
  views: Record<string, Counts>;
  /** The newest batch run the serving layer has installed (epochs below it are expired). */
  batchRun: number;
  /** A read of the log back is under way (a rebuild or a replay), and the chunk being processed. */
  reading: boolean;
  chunk: Fact[];
  /** Incarnation (bumped at each restart) and publish sequence: the serving layer keeps the newest. */
  inc: number;
  seq: number;
  /** The view changed since the last publish. */
  dirty: boolean;
  /** Publish ticks since the last publish. */
  quiet: number;
  /** When it last stepped (on disk for the timeline: about when a crash came). */
  lastStepUs: number;
  /** Events read back from the log (rebuilds, replays): Kappa's replay cost. */
  replayed: number;
  /** Events jumped over (bugSpeedSkipsGap). */
  skipped: number;
  /** One past the highest offset pushed to it (it reads the log back until it gets there). */
  seen: number;
  bars: Bar[];
}

/** A real-time view as the serving layer last received it. */
export interface RealtimeCopy {
  inc: number;
  seq: number;
  version: number;
  next: number;
  views: Record<string, Counts>;
}

/** The serving layer: the batch view, the real-time views it was sent, and the merge. */
export interface ServingState {
  kind: 'serving';
  /** The installed batch view: its run, the offset it covers up to, its counts. */
  batch: { run: number; upTo: number; counts: Counts } | null;
  /** The real-time views by speed node. */
  realtime: Record<string, RealtimeCopy>;
  /** The speed node whose view is served ('' for none), and its job version. */
  active: string;
  activeVersion: number;
  /** The merge of the two (Marz's query function), kept up to date, and the offset it covers up to. */
  merged: Counts;
  horizon: number;
  /** Queries answered. */
  answered: number;
  /** Moments for the timeline: batch views installed, a switch-over. */
  markers: { atUs: number; label: string }[];
}

/** An answer the dashboard received: the count, and the offset the served view covers up to. */
export interface Answer {
  atUs: number;
  url: string;
  count: number;
  horizon: number;
}

/** The dashboard: the client that queries the serving layer. */
export interface DashboardState {
  kind: 'dashboard';
  nextQ: number;
  /** Every answer received (what the user was told). */
  answers: Answer[];
}

export type LambdaState = SourceState | LogState | BatchState | SpeedState | ServingState | DashboardState;

export type LambdaMsg =
  | { type: 'PageView'; n: number; url: string }
  | { type: 'Event'; fact: Fact }
  | { type: 'Snapshot' }
  | { type: 'Dataset'; run: number; upTo: number; facts: Fact[] }
  | { type: 'BatchView'; run: number; upTo: number; counts: Counts }
  | { type: 'Horizon'; run: number; upTo: number; active: string }
  | { type: 'Hello' }
  | { type: 'Replay'; from: number }
  | { type: 'Events'; from: number; facts: Fact[]; tail: number }
  | {
      type: 'Realtime';
      inc: number;
      seq: number;
      version: number;
      next: number;
      views: Record<string, Counts>;
    }
  | { type: 'Stop' }
  | { type: 'Query'; q: number; url: string }
  | { type: 'Answer'; q: number; url: string; count: number; horizon: number };

/** Adds k page views of url to a view. */
export const add = (c: Counts, url: string, k = 1): void => {
  c[url] = (c[url] ?? 0) + k;
};

/** Microseconds as whole milliseconds, for notes. */
export const ms = (us: number): string => `${(us / 1000).toFixed(0)} ms`;
