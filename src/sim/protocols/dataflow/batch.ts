import { z } from 'zod';
import type { Ctx, DefaultTopology, Input, Liveness, MetricSpec, NodeView, StateField } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { star } from '../../toolkit/topology';
import {
  contributions,
  corpusSplit,
  DATAFLOW_JOBS,
  type DataflowJob,
  expectedPart,
  graphSplit,
  initialRanks,
  newRanks,
  outputDiff,
  type Pair,
  pairBytes,
  splitRecords,
  wordCountMap,
  wordCountReduce,
} from './workload';

/**
 * The batch machinery Hadoop (hadoop.ts) and Spark (spark.ts) share: a master (Hadoop's
 * JobTracker, Spark's driver) that cuts a job into stages of tasks and hands the tasks to
 * workers, as in Dean and Ghemawat, "MapReduce", OSDI 2004, §3.1-§3.3, and Zaharia et al.,
 * "Resilient Distributed Datasets", NSDI 2012, §5.1: a stage's tasks run once every task of
 * the stage before is done (a shuffle between stages is a barrier); a task's output is either
 * cut into buckets kept on its worker's local disk for the next stage to fetch (the shuffle),
 * or written to the distributed file system (DFS), replicated, where it survives any worker.
 *
 * The two engines differ only in their plan of stages (what each stage reads and where its
 * output goes) and their costs: Hadoop runs a multi-stage job as a chain of MapReduce jobs whose
 * every output goes to the DFS; Spark runs a DAG of stages whose results stay in memory, and
 * recomputes a lost partition from its lineage. The master pings its workers (§3.3); a worker
 * that does not answer is failed: its task in progress goes back to idle, and so does every
 * completed task whose output was on its local disk and is still needed, stage by stage back to
 * the DFS (for Spark: back along the lineage; for Hadoop: only the current MapReduce job).
 */

// ---------------------------------------------------------------------------------------------
// The plan

/** A stage's work (workload.ts): map or reduce of word count, or a PageRank step. */
export type StageOp = 'wc-map' | 'wc-reduce' | 'pr-first' | 'pr-iterate' | 'pr-last' | 'pr-map' | 'pr-reduce';

/** One stage of a job: its tasks, what they read, where their output goes. */
export interface Stage {
  /** As the timeline and the notes name it: 'map', 'job 2 reduce', 'stage 3'. */
  name: string;
  /** Prefix of its tasks' bar labels: 'M', 'J2R', 'S3'. */
  short: string;
  /** What its tasks compute. */
  op: StageOp;
  /** Main input: a DFS file, read from disk, or the previous stage's shuffle buckets. */
  input: { from: 'dfs'; file: string } | { from: 'shuffle' };
  /** PageRank's links: not needed, read from the DFS graph file, or from the cache (Spark's persist). */
  links: 'none' | 'dfs' | 'cache';
  /** Output: shuffle buckets on the worker's local disk, or a DFS file (`final`: the job's output). */
  output: { to: 'shuffle' } | { to: 'dfs'; file: string; final: boolean };
}

/** The DFS file that holds a job's output. */
export const OUTPUT_FILE = 'output';

/** The input files every run starts with (in the DFS): the corpus and the graph, cut into P splits. */
export function inputSplit(file: string, p: number, P: number): Pair[] | null {
  if (file === 'corpus') return splitRecords(corpusSplit(p, P));
  if (file === 'graph') return graphSplit(p, P);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Params

/** The params both engines take: the job, the cluster's costs, failure detection, the bound. */
export const batchParamsShape = {
  /** The job (workload.ts). */
  job: z.enum(DATAFLOW_JOBS).default('word-count').describe('The job: word count, or PageRank rounds.'),
  /** P: partitions of every dataset, so tasks per stage. */
  partitions: z.number().int().min(1).max(8).default(4).describe('P: partitions, so tasks per stage.'),
  /** PageRank rounds. */
  rounds: z.number().int().min(1).max(10).default(4).describe('PageRank: rounds (iterations).'),
  /** Starting a task: a new JVM for Hadoop, a thread in a running executor for Spark. */
  taskStartMs: z.number().int().min(0).max(10_000).default(30),
  /** Computing: milliseconds per KB a task reads. */
  cpuMsPerKB: z.number().int().min(0).max(10_000).default(60),
  /** Reading from disk (the DFS, or a shuffle file), milliseconds per KB. */
  diskReadMsPerKB: z.number().int().min(0).max(10_000).default(100),
  /** Writing to disk, milliseconds per KB per copy. */
  diskWriteMsPerKB: z.number().int().min(0).max(10_000).default(100),
  /**
   * Parsing text read from the DFS into records, milliseconds per KB: what a cached partition
   * saves besides the disk (RDD §6.2 finds the conversion to in-memory objects costs Hadoop more
   * than the reading).
   */
  parseMsPerKB: z.number().int().min(0).max(10_000).default(150),
  /** Reading a partition cached in memory, milliseconds per KB. */
  memReadMsPerKB: z.number().int().min(0).max(10_000).default(5),
  /** Copies the DFS keeps of each block (HDFS's default is 3). */
  replication: z.number().int().min(1).max(5).default(3).describe('DFS copies of every block written.'),
  /** How often the master pings every worker (MapReduce §3.3). */
  pingMs: z.number().int().min(10).max(10_000).default(100),
  /** Silence after which the master marks a worker failed. */
  deadAfterMs: z.number().int().min(20).max(60_000).default(300),
  /** Liveness bound: after the last fault, the job must be done within this. */
  settleMs: z.number().int().min(100).max(600_000).default(4000),
};

/** What the batch machinery reads of an engine's params. */
export interface BatchParams {
  job: DataflowJob;
  partitions: number;
  rounds: number;
  taskStartMs: number;
  cpuMsPerKB: number;
  diskReadMsPerKB: number;
  diskWriteMsPerKB: number;
  parseMsPerKB: number;
  memReadMsPerKB: number;
  replication: number;
  pingMs: number;
  deadAfterMs: number;
  settleMs: number;
  /** Spark: persist the links (cache()). */
  cache?: boolean;
  /** Spark's bug switch: a lost partition is read as empty instead of recomputed from its lineage. */
  bugNoLineageRecompute?: boolean;
  /** Hadoop's bug switch: a chained job's output stays on its worker instead of the DFS. */
  bugNoMaterialize?: boolean;
}

// ---------------------------------------------------------------------------------------------
// State and messages

/** A task's state in the master (MapReduce §3.2). */
export interface BatchTask {
  state: 'idle' | 'in-progress' | 'completed';
  /** Where it runs or ran ('' when idle; '' when completed means its output is lost: the Spark bug). */
  worker: string;
  /** The execution that runs or completed it. */
  attempt: number;
  /** Executions started so far. */
  runs: number;
}

/** What the master knows of a worker. */
export interface BatchWorkerInfo {
  alive: boolean;
  lastHeardUs: number;
  incarnation: number;
  /** What it runs: stage, task, execution; null when idle. */
  running: { stage: number; task: number; attempt: number } | null;
}

/** A part of a DFS file: its records, and where they are when they are not in the DFS (Hadoop's bug). */
export interface DfsPart {
  pairs: Pair[];
  /** '' in the DFS (replicated, survives any worker); a worker id when only that worker has it. */
  at: string;
}

/** One bar of the Stages view. */
export interface StageBar {
  attempt: number;
  worker: string;
  label: string;
  tone: 'neutral' | 'info' | 'good' | 'warn' | 'bad';
  startUs: number;
  endUs: number | null;
  outcome: string;
}

/** The master. */
export interface BatchMaster {
  kind: 'master';
  /** The job and its size, as the master was started with. */
  job: DataflowJob;
  rounds: number;
  P: number;
  /** Each stage's tasks. */
  stages: BatchTask[][];
  workers: Record<string, BatchWorkerInfo>;
  nextAttempt: number;
  /** The files the job wrote (input files are not kept here: `inputSplit`). */
  dfs: Record<string, (DfsPart | null)[]>;
  /** Spark: where each partition of the cached links is (partition → worker). */
  cacheAt: Record<string, string>;
  done: boolean;
  doneUs: number | null;
  /** Executions started, and those that ran a task a second time (work redone). */
  tasksRun: number;
  tasksRedone: number;
  /** Time spent by executions that ran a task again, and by executions whose work was lost. */
  workRedoneMs: number;
  bars: StageBar[];
  markers: { atUs: number; label: string }[];
}

/** A task a worker runs: its inputs as they arrive. */
export interface WorkerRun {
  stage: number;
  task: number;
  attempt: number;
  /** The main input, once read (a DFS split comes with the order; shuffle buckets are fetched). */
  main: Pair[] | null;
  /** Where each bucket of the shuffle input is (one per task of the stage before). */
  parents: string[];
  fetched: (Pair[] | null)[];
  /** PageRank's links for this partition, when the stage needs them. */
  links: Pair[] | null;
  /** Where the links came from: the cache or the DFS (for the cost). */
  linksFrom: 'none' | 'cache' | 'dfs';
}

/** A worker. */
export interface BatchWorker {
  kind: 'worker';
  incarnation: number;
  run: WorkerRun | null;
  /** Local disk: shuffle buckets of the tasks it completed ("stage/task" → buckets). Lost in a crash. */
  shuffle: Record<string, Pair[][]>;
  /** Memory: cached partitions of the links (partition → records). Lost in a crash. */
  cache: Record<string, Pair[]>;
  /** Bytes written to disk (local shuffle files, and every DFS copy) and read from it. Kept for the metrics. */
  bytesWritten: number;
  bytesRead: number;
}

export type BatchState = BatchMaster | BatchWorker;

export type BatchMsg =
  | { type: 'Ping' }
  | { type: 'Pong'; incarnation: number }
  | {
      type: 'RunTask';
      stage: number;
      task: number;
      attempt: number;
      /** The DFS split it reads (or null: its input is the shuffle). */
      main: Pair[] | null;
      parents: string[];
      /** The links read from the DFS, or null (cached here, or not needed). */
      links: Pair[] | null;
    }
  | { type: 'Abort'; attempt: number }
  | { type: 'Fetch'; stage: number; task: number; bucket: number }
  | { type: 'Bucket'; stage: number; task: number; bucket: number; pairs: Pair[] }
  | {
      type: 'TaskDone';
      stage: number;
      task: number;
      attempt: number;
      output: Pair[] | null;
      cached: boolean;
    };

/** An engine: its plan of stages and how it names itself. */
export interface Engine {
  /** The stages of the job under these params. */
  plan(p: BatchParams): Stage[];
  /** Whether an intermediate DFS output stays on its worker (Hadoop's bugNoMaterialize). */
  keepsOutputLocal(p: BatchParams, stage: Stage): boolean;
}

type C = Ctx<BatchParams, BatchMsg>;
const kb = (bytes: number): number => bytes / 1024;
const taskLabel = (st: Stage, t: number): string => `${st.short}${t}`;

// ---------------------------------------------------------------------------------------------
// The master

function workerInfo(s: BatchMaster, w: string, nowUs: number): BatchWorkerInfo {
  let info = s.workers[w];
  if (info === undefined) {
    info = { alive: true, lastHeardUs: nowUs, incarnation: 0, running: null };
    s.workers[w] = info;
  }
  return info;
}

function endBar(
  s: BatchMaster,
  attempt: number,
  nowUs: number,
  outcome: string,
  tone?: StageBar['tone'],
): void {
  const bar = s.bars.find((b) => b.attempt === attempt);
  if (bar === undefined) return;
  if (bar.endUs === null) bar.endUs = nowUs;
  bar.outcome = outcome;
  if (tone !== undefined) bar.tone = tone;
  if (tone === 'bad' || bar.tone === 'warn') s.workRedoneMs += Math.round((bar.endUs - bar.startUs) / 1000);
}

const complete = (tasks: readonly BatchTask[]): boolean => tasks.every((t) => t.state === 'completed');

/** Hand task t of stage k to worker w: with its DFS input, its parents' locations, its links. */
function assign(ctx: C, s: BatchMaster, plan: Stage[], w: string, k: number, t: number): void {
  const st = plan[k]!;
  const task = s.stages[k]![t]!;
  const attempt = s.nextAttempt++;
  const again = task.runs > 0;
  task.state = 'in-progress';
  task.worker = w;
  task.attempt = attempt;
  task.runs += 1;
  s.tasksRun += 1;
  if (again) s.tasksRedone += 1;
  s.workers[w]!.running = { stage: k, task: t, attempt };
  let main: Pair[] | null = null;
  if (st.input.from === 'dfs') main = readDfs(s, st.input.file, t);
  const parents = k > 0 && st.input.from === 'shuffle' ? s.stages[k - 1]!.map((x) => x.worker) : [];
  // The links: from the cache when this worker holds them (Spark's persist), else from the DFS:
  // read and parsed again, which is how Spark recomputes a lost cached partition (its lineage is
  // one narrow dependency on the graph file, §3.1).
  let links: Pair[] | null = null;
  const needsLinks = st.links !== 'none';
  if (needsLinks && !(st.links === 'cache' && s.cacheAt[String(t)] === w))
    links = inputSplit('graph', t, s.P);
  const label = taskLabel(st, t);
  s.bars.push({
    attempt,
    worker: w,
    label,
    tone: again ? 'warn' : k % 2 === 0 ? 'info' : 'good',
    startUs: ctx.now(),
    endUs: null,
    outcome: 'running',
  });
  ctx.send(w, { type: 'RunTask', stage: k, task: t, attempt, main, parents, links });
  ctx.note(
    `${label} → ${w}${again ? ' (again)' : ''}${needsLinks && links === null ? ' (links cached)' : ''}`,
  );
}

/** A DFS file's part: an input split, or what a task wrote (empty if it was lost: the Hadoop bug). */
function readDfs(s: BatchMaster, file: string, t: number): Pair[] {
  return inputSplit(file, t, s.P) ?? s.dfs[file]?.[t]?.pairs ?? [];
}

/**
 * Give every idle live worker a task of the first stage with idle tasks whose stage before is
 * complete (a shuffle is a barrier, RDD §5.1). A task whose links a worker has cached goes to
 * that worker (§5.1: "assigns tasks to machines based on data locality").
 */
function schedule(ctx: C, e: Engine, s: BatchMaster): void {
  if (s.done) return;
  const plan = planOf(ctx, e);
  const idleWorkers = ctx.nodesWithRole('worker').filter((w) => {
    const info = workerInfo(s, w, ctx.now());
    return info.alive && info.running === null;
  });
  for (let k = 0; k < s.stages.length && idleWorkers.length > 0; k++) {
    if (k > 0 && !complete(s.stages[k - 1]!)) break;
    const idle = s.stages[k]!.flatMap((t, i) => (t.state === 'idle' ? [i] : []));
    if (idle.length === 0) continue;
    // Locality first: each task whose cached links sit on an idle worker goes there.
    for (const t of [...idle]) {
      const at = s.cacheAt[String(t)];
      const i = at === undefined ? -1 : idleWorkers.indexOf(at);
      if (i < 0) continue;
      assign(ctx, s, plan, at!, k, t);
      idleWorkers.splice(i, 1);
      idle.splice(idle.indexOf(t), 1);
    }
    while (idle.length > 0 && idleWorkers.length > 0)
      assign(ctx, s, plan, idleWorkers.shift()!, k, idle.shift()!);
    break;
  }
}

/** Stop an execution in progress (its task back to idle). */
function abort(ctx: C, s: BatchMaster, w: string, why: string): void {
  const run = s.workers[w]?.running ?? null;
  if (run === null) return;
  s.workers[w]!.running = null;
  const task = s.stages[run.stage]![run.task]!;
  if (task.attempt === run.attempt && task.state === 'in-progress') {
    task.state = 'idle';
    task.worker = '';
  }
  endBar(s, run.attempt, ctx.now(), why, 'bad');
  if (s.workers[w]!.alive) ctx.send(w, { type: 'Abort', attempt: run.attempt });
}

/**
 * A worker failed (MapReduce §3.3; RDD §5.3 for Spark): its task in progress goes back to idle;
 * what it held is gone: its shuffle buckets, its cached partitions, and (the Hadoop bug) any
 * output it never wrote to the DFS. Going back from the last stage, a stage whose outputs on the
 * dead worker are still needed (the stage after it is not complete) has those tasks run again,
 * which makes that stage incomplete in turn: the recomputation follows the lineage back until
 * the DFS. Executions of the stage after a lost one stop: their input is gone.
 */
function failWorker(ctx: C, e: Engine, s: BatchMaster, w: string, why: string): void {
  const p = ctx.params;
  const plan = planOf(ctx, e);
  abort(ctx, s, w, `lost: ${why}`);
  for (const [part, at] of Object.entries(s.cacheAt))
    if (at === w && !p.bugNoLineageRecompute) delete s.cacheAt[part];
  for (const file of Object.values(s.dfs))
    for (const part of file) if (part !== null && part.at === w) part.pairs = []; // only w had it
  const redo: string[] = [];
  for (let k = plan.length - 2; k >= 0; k--) {
    if (plan[k]!.output.to !== 'shuffle' || complete(s.stages[k + 1]!)) continue;
    let lost = false;
    s.stages[k]!.forEach((t, i) => {
      if (t.state !== 'completed' || t.worker !== w) return;
      lost = true;
      endBar(s, t.attempt, ctx.now(), `output lost: ${why}`, 'bad');
      if (p.bugNoLineageRecompute)
        t.worker = ''; // the bug: read as empty from now on
      else {
        t.state = 'idle';
        t.worker = '';
        redo.push(taskLabel(plan[k]!, i));
      }
    });
    if (!lost) continue;
    // The stage after it read (or is reading) what is gone: its executions stop.
    for (const [x, info] of Object.entries(s.workers))
      if (info.running?.stage === k + 1) abort(ctx, s, x, `input lost on ${w}`);
  }
  s.markers.push({ atUs: ctx.now(), label: `${w} ${why}` });
  ctx.note(`${w} ${why}: ${redo.length > 0 ? `${redo.join(' ')} to run again` : 'no output lost'}`);
}

function onPingTimer(ctx: C, e: Engine, s: BatchMaster): void {
  const now = ctx.now();
  for (const w of ctx.nodesWithRole('worker')) {
    const info = workerInfo(s, w, now);
    if (info.alive && now - info.lastHeardUs > ctx.params.deadAfterMs * 1000) {
      info.alive = false;
      if (!s.done) failWorker(ctx, e, s, w, 'failed');
    }
    ctx.send(w, { type: 'Ping' });
  }
  schedule(ctx, e, s);
  ctx.setTimer('ping', ctx.params.pingMs * 1000);
}

function onPong(ctx: C, e: Engine, s: BatchMaster, w: string, incarnation: number): void {
  const info = workerInfo(s, w, ctx.now());
  info.lastHeardUs = ctx.now();
  if (incarnation !== info.incarnation) {
    if (info.alive && !s.done) failWorker(ctx, e, s, w, 'restarted');
    info.incarnation = incarnation;
  }
  if (!info.alive) {
    info.alive = true;
    ctx.note(`${w} answers again`);
  }
  schedule(ctx, e, s);
}

function onTaskDone(
  ctx: C,
  e: Engine,
  s: BatchMaster,
  w: string,
  m: Extract<BatchMsg, { type: 'TaskDone' }>,
): void {
  const now = ctx.now();
  const plan = planOf(ctx, e);
  const run = s.workers[w]?.running ?? null;
  if (run === null || run.attempt !== m.attempt)
    return void ctx.note(`${w}'s execution ${m.attempt} ignored: stopped`);
  s.workers[w]!.running = null;
  const st = plan[m.stage]!;
  const task = s.stages[m.stage]![m.task]!;
  task.state = 'completed';
  task.worker = w;
  endBar(s, m.attempt, now, 'done');
  if (m.cached) s.cacheAt[String(m.task)] = w;
  if (st.output.to === 'dfs') {
    if (s.dfs[st.output.file] === undefined) s.dfs[st.output.file] = Array.from({ length: s.P }, () => null);
    const file = s.dfs[st.output.file]!;
    const local = e.keepsOutputLocal(ctx.params, st);
    file[m.task] = { pairs: m.output ?? [], at: local ? w : '' };
    if (st.output.final) ctx.emit({ type: 'commit', task: m.task });
  }
  if (complete(s.stages[m.stage]!)) ctx.note(`${st.name} complete`);
  if (!s.done && complete(s.stages[s.stages.length - 1]!)) {
    s.done = true;
    s.doneUs = now;
    s.markers.push({ atUs: now, label: 'job done' });
    ctx.note(`job done in ${(now / 1e6).toFixed(3)} s`);
    ctx.emit({ type: 'job-done' });
  }
  schedule(ctx, e, s);
}

function onMaster(ctx: C, e: Engine, s: BatchMaster, input: Input<BatchMsg>): void {
  switch (input.kind) {
    case 'start':
      for (const w of ctx.nodesWithRole('worker')) workerInfo(s, w, ctx.now());
      schedule(ctx, e, s);
      ctx.setTimer('ping', ctx.params.pingMs * 1000);
      return;
    case 'restart': {
      // Back from its checkpoint: what it had handed out is started again (MapReduce §3.3).
      const now = ctx.now();
      for (const [w, info] of Object.entries(s.workers)) {
        info.lastHeardUs = now;
        abort(ctx, s, w, 'lost: master restarted');
      }
      s.markers.push({ atUs: now, label: 'master restarted' });
      schedule(ctx, e, s);
      ctx.setTimer('ping', ctx.params.pingMs * 1000);
      return;
    }
    case 'timer':
      if (input.name === 'ping') onPingTimer(ctx, e, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'message': {
      const m = input.msg;
      if (m.type === 'Pong') onPong(ctx, e, s, input.from, m.incarnation);
      else if (m.type === 'TaskDone') onTaskDone(ctx, e, s, input.from, m);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A worker

/** Once every input is in: how long the task takes (start, reads, compute, writes), then run it. */
function maybeStart(ctx: C, e: Engine, s: BatchWorker): void {
  const r = s.run;
  if (r === null || r.fetched.some((f) => f === null)) return;
  const p = ctx.params;
  const st = planOf(ctx, e)[r.stage]!;
  if (r.main === null) r.main = r.fetched.flat() as Pair[];
  const mainBytes = pairBytes(r.main);
  const linksBytes = r.links === null ? 0 : pairBytes(r.links);
  const fromDfs = (st.input.from === 'dfs' ? mainBytes : 0) + (r.linksFrom === 'dfs' ? linksBytes : 0);
  const readMs =
    kb(mainBytes) * p.diskReadMsPerKB +
    kb(linksBytes) * (r.linksFrom === 'cache' ? p.memReadMsPerKB : p.diskReadMsPerKB) +
    kb(fromDfs) * p.parseMsPerKB;
  s.bytesRead += mainBytes + (r.linksFrom === 'dfs' ? linksBytes : 0);
  const cpuMs = kb(mainBytes + linksBytes) * p.cpuMsPerKB;
  const out = compute(ctx, st, r);
  const copies = st.output.to === 'shuffle' ? 1 : e.keepsOutputLocal(p, st) ? 0 : p.replication;
  const outBytes =
    st.output.to === 'shuffle'
      ? (out as Pair[][]).reduce((n, b) => n + pairBytes(b), 0)
      : pairBytes(out as Pair[]);
  const writeMs = kb(outBytes) * p.diskWriteMsPerKB * copies;
  ctx.setTimer('work', Math.max(1, Math.round((p.taskStartMs + readMs + cpuMs + writeMs) * 1000)));
}

/** The task's function over its inputs (workload.ts): shuffle buckets, or output records. */
function compute(ctx: C, st: Stage, r: WorkerRun): Pair[][] | Pair[] {
  const P = ctx.params.partitions;
  const main = r.main ?? [];
  switch (st.op) {
    case 'wc-map':
      return wordCountMap(main, P);
    case 'wc-reduce':
      return wordCountReduce(r.fetched as Pair[][]);
    case 'pr-first': // links = the graph split; ranks = 1/N each
      return contributions(main, initialRanks(main), P);
    case 'pr-map': // Hadoop: this job's ranks from the DFS (the first job: from the graph)
      return contributions(
        r.links ?? main,
        st.input.from === 'dfs' && st.input.file === 'graph' ? initialRanks(main) : main,
        P,
      );
    case 'pr-iterate':
      return contributions(r.links ?? [], newRanks(r.fetched as Pair[][]), P);
    case 'pr-last':
    case 'pr-reduce':
      return newRanks(r.fetched as Pair[][]);
  }
}

function fetchAll(ctx: C, s: BatchWorker): void {
  const r = s.run!;
  r.parents.forEach((at, k) => {
    if (r.fetched[k] !== null) return;
    if (at === '')
      r.fetched[k] = []; // lost, and the master did not recompute it (the Spark bug)
    else if (at === ctx.self) r.fetched[k] = s.shuffle[`${r.stage - 1}/${k}`]?.[r.task] ?? [];
    else ctx.send(at, { type: 'Fetch', stage: r.stage - 1, task: k, bucket: r.task });
  });
}

function onWorker(ctx: C, e: Engine, s: BatchWorker, input: Input<BatchMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'client':
      if (input.kind === 'client') ctx.reply(input.op, { ok: false });
      return;
    case 'restart':
      s.incarnation += 1; // disk and memory are gone; the master learns it from the next Pong
      return;
    case 'timer':
      if (input.name === 'work' && s.run !== null) finish(ctx, e, s);
      return;
    case 'message':
      break;
  }
  const { from, msg: m } = input;
  switch (m.type) {
    case 'Ping':
      ctx.send(from, { type: 'Pong', incarnation: s.incarnation });
      return;
    case 'RunTask': {
      const st = planOf(ctx, e)[m.stage]!;
      ctx.cancelTimer('work');
      let links: Pair[] | null = null;
      let linksFrom: WorkerRun['linksFrom'] = 'none';
      if (st.links !== 'none') {
        // Sent from the DFS, or cached here. A cached partition this worker no longer has (it
        // restarted) is recomputed from its lineage, the graph file (RDD §3.1, §5.3), unless
        // the bug reads it as empty.
        const cached = m.links === null ? s.cache[String(m.task)] : undefined;
        if (m.links !== null) [links, linksFrom] = [m.links, 'dfs'];
        else if (cached !== undefined) [links, linksFrom] = [cached, 'cache'];
        else if (ctx.params.bugNoLineageRecompute) [links, linksFrom] = [[], 'cache'];
        else [links, linksFrom] = [inputSplit('graph', m.task, ctx.params.partitions) ?? [], 'dfs'];
      }
      s.run = {
        stage: m.stage,
        task: m.task,
        attempt: m.attempt,
        main: m.main,
        parents: [...m.parents],
        fetched: m.parents.map(() => null),
        links,
        linksFrom,
      };
      fetchAll(ctx, s);
      maybeStart(ctx, e, s);
      return;
    }
    case 'Abort':
      if (s.run?.attempt === m.attempt) {
        s.run = null;
        ctx.cancelTimer('work');
      }
      return;
    case 'Fetch': {
      const buckets = s.shuffle[`${m.stage}/${m.task}`];
      if (buckets === undefined) return; // lost in a crash: the master will run it again
      ctx.send(from, {
        type: 'Bucket',
        stage: m.stage,
        task: m.task,
        bucket: m.bucket,
        pairs: buckets[m.bucket] ?? [],
      });
      return;
    }
    case 'Bucket': {
      const r = s.run;
      if (r === null || r.stage !== m.stage + 1 || r.task !== m.bucket || r.fetched[m.task] !== null) return;
      if (r.parents[m.task] !== from) return;
      r.fetched[m.task] = m.pairs;
      maybeStart(ctx, e, s);
      return;
    }
    default:
      return;
  }
}

/** The work is done: keep the shuffle buckets on local disk, or send the output to the DFS. */
function finish(ctx: C, e: Engine, s: BatchWorker): void {
  const p = ctx.params;
  const r = s.run!;
  s.run = null;
  const st = planOf(ctx, e)[r.stage]!;
  const out = compute(ctx, st, r);
  let cached = false;
  if (st.links !== 'none' && p.cache === true && r.links !== null) {
    s.cache[String(r.task)] = r.links;
    cached = true;
  }
  if (st.op === 'pr-first' && p.cache === true) {
    s.cache[String(r.task)] = r.main ?? []; // links.persist(): the parsed graph split stays in memory
    cached = true;
  }
  let output: Pair[] | null = null;
  if (st.output.to === 'shuffle') {
    s.shuffle[`${r.stage}/${r.task}`] = out as Pair[][];
    s.bytesWritten += (out as Pair[][]).reduce((n, b) => n + pairBytes(b), 0);
  } else {
    output = out as Pair[];
    if (!e.keepsOutputLocal(p, st)) s.bytesWritten += pairBytes(output) * p.replication;
  }
  const master = ctx.nodesWithRole('master')[0] ?? '';
  ctx.send(master, { type: 'TaskDone', stage: r.stage, task: r.task, attempt: r.attempt, output, cached });
}

// The engine's plan, as the master and workers read it

function planOf(ctx: { params: BatchParams }, e: Engine): Stage[] {
  return e.plan(ctx.params);
}

// ---------------------------------------------------------------------------------------------
// Checks, metrics, the definition's shared parts

export const masterOf = (nodes: readonly NodeView<BatchState>[]): NodeView<BatchMaster> | undefined =>
  nodes.find((n) => n.state.kind === 'master') as NodeView<BatchMaster> | undefined;

/** Each part of the job's output, once written, equals the direct computation's (its partition). */
export const outputCorrect = {
  id: 'output-correct',
  title: 'Each part of the output equals the direct computation of the job (its partition)',
  check({
    changed,
    events,
  }: {
    changed: NodeView<BatchState>;
    events: readonly { type: string; task?: unknown }[];
  }) {
    if (changed.state.kind !== 'master') return null;
    const s = changed.state;
    for (const e of events) {
      if (e.type !== 'commit' || typeof e.task !== 'number') continue;
      const got = s.dfs[OUTPUT_FILE]?.[e.task]?.pairs ?? [];
      const diff = outputDiff(got, expectedPart(s.job, s.rounds, e.task, s.P));
      if (diff !== null) return `output part ${e.task}: ${diff}`;
    }
    return null;
  },
};

/** Once the faults stop, the job finishes. */
export const jobCompletes: Liveness<BatchState, BatchParams> = {
  id: 'job-completes',
  title: 'After the faults stop, every stage completes and the job is done',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    const m = masterOf(nodes);
    if (m === undefined || m.state.done) return null;
    if (!m.up) return 'the master is down';
    const left = m.state.stages.map((ts) => ts.filter((t) => t.state !== 'completed').length);
    return `the job is not done: tasks left per stage ${left.join(' ')}`;
  },
};

const masterMetric = (
  id: string,
  unit: string,
  read: (s: BatchMaster) => number,
): MetricSpec<BatchState> => ({
  id,
  unit,
  read(nodes) {
    const m = masterOf(nodes);
    return m === undefined ? 0 : read(m.state);
  },
});

/** The metrics both engines report. */
export const batchMetrics: MetricSpec<BatchState>[] = [
  masterMetric('jobTimeMs', 'ms', (s) => (s.doneUs === null ? 0 : Math.round(s.doneUs / 1000))),
  masterMetric('tasksRun', 'tasks', (s) => s.tasksRun),
  masterMetric('tasksRedone', 'tasks', (s) => s.tasksRedone),
  masterMetric('workRedoneMs', 'ms', (s) => s.workRedoneMs),
  sumOver<BatchState>('diskBytesWritten', 'bytes', (s) => (s.kind === 'worker' ? s.bytesWritten : 0)),
  sumOver<BatchState>('diskBytesRead', 'bytes', (s) => (s.kind === 'worker' ? s.bytesRead : 0)),
];

/** The first state of a node. */
export function initBatch(role: string, p: BatchParams, plan: Stage[]): BatchState {
  if (role === 'master')
    return {
      kind: 'master',
      job: p.job,
      rounds: p.rounds,
      P: p.partitions,
      stages: plan.map(() =>
        Array.from({ length: p.partitions }, () => ({ state: 'idle', worker: '', attempt: 0, runs: 0 })),
      ),
      workers: {},
      nextAttempt: 1,
      dfs: {},
      cacheAt: {},
      done: false,
      doneUs: null,
      tasksRun: 0,
      tasksRedone: 0,
      workRedoneMs: 0,
      bars: [],
      markers: [],
    };
  return { kind: 'worker', incarnation: 0, run: null, shuffle: {}, cache: {}, bytesWritten: 0, bytesRead: 0 };
}

/** The handler of both roles. */
export function onBatch(e: Engine) {
  return (ctx: C, s: BatchState, input: Input<BatchMsg>): void => {
    if (s.kind === 'master') onMaster(ctx, e, s, input);
    else onWorker(ctx, e, s, input);
  };
}

/**
 * What survives a crash: the master checkpoints everything (MapReduce §3.3 suggests periodic
 * checkpoints; here one at every step, and the DFS lives with it); a worker keeps its
 * incarnation and its counters, and loses its local disk's shuffle files and its memory.
 */
export const batchDurable = [
  'kind',
  'job',
  'rounds',
  'P',
  'stages',
  'workers',
  'nextAttempt',
  'dfs',
  'cacheAt',
  'done',
  'doneUs',
  'tasksRun',
  'tasksRedone',
  'workRedoneMs',
  'bars',
  'markers',
  'incarnation',
  'bytesWritten',
  'bytesRead',
] satisfies StateField<BatchState>[];

/** A badge. */
export function batchSummary(s: BatchState, up: boolean, plan: (p: BatchMaster) => Stage[]) {
  if (!up) return { text: 'crashed', tone: 'bad' as const };
  if (s.kind === 'master') {
    if (s.done) return { text: `done in ${((s.doneUs ?? 0) / 1e6).toFixed(2)} s`, tone: 'good' as const };
    const k = s.stages.findIndex((ts) => !complete(ts));
    const st = plan(s)[k];
    const n = s.stages[k]?.filter((t) => t.state === 'completed').length ?? 0;
    return { text: `${st?.name ?? 'stage'} ${n}/${s.P}`, tone: 'neutral' as const };
  }
  if (s.run === null) return { text: 'idle', tone: 'neutral' as const };
  const got = s.run.fetched.filter((f) => f !== null).length;
  if (got < s.run.fetched.length)
    return { text: `fetch ${got}/${s.run.fetched.length}`, tone: 'warn' as const };
  return {
    text: `stage ${s.run.stage} task ${s.run.task}${s.run.linksFrom === 'cache' ? ' (cached)' : ''}`,
    tone: 'neutral' as const,
  };
}

/** Master m above a row of workers, through one switch (MapReduce's cluster, so the same cluster). */
export function batchTopology(workers = 4): DefaultTopology {
  const ids = Array.from({ length: workers }, (_, k) => `w${k + 1}`);
  return star(
    [
      { id: 'm', role: 'master', x: 400, y: 80 },
      ...ids.map((id, k) => ({ id, role: 'worker', x: 100 + k * 200, y: 400 })),
    ],
    { id: 'sw', x: 400, y: 240 },
    { kind: 'uniform', minUs: 500, maxUs: 1500 },
  );
}
