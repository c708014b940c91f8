import { z } from 'zod';
import { murmur3 } from '../../hashing';
import type { Ctx, DefaultTopology, Liveness, NodeView, Protocol, StateField } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { star } from '../../toolkit/topology';
import { CORPUS } from './corpus';
import {
  expectedFile,
  fileDiff,
  JOBS,
  type Job,
  type Pair,
  pairBytes,
  runMap,
  runReduce,
  splitBytes,
  splitOf,
} from './jobs';
import { tasksView } from './timeline-view';

/**
 * MapReduce: Jeffrey Dean and Sanjay Ghemawat, "MapReduce: Simplified Data Processing on Large
 * Clusters", OSDI 2004.
 *
 * One master and many workers (§3.1, Figure 1). The input is cut into M splits; the master
 * hands each idle worker a map task or, once every map task is done, a reduce task (a choice:
 * the paper lets reduce workers start fetching early). A map worker reads its split, runs the
 * user's map function and keeps the intermediate pairs on its LOCAL disk, cut into R regions by
 * the partitioning function (§3.1 steps 3-4); it tells the master where they are. A reduce
 * worker fetches its region from every map worker (the shuffle), sorts the pairs by key, runs
 * the reduce function and writes its output file, renamed into place atomically (steps 5-6).
 *
 * The master keeps, for each task, its state (idle, in-progress, completed) and its worker, and
 * for each completed map task the sizes of its R regions (§3.2). It pings every worker (§3.3);
 * a worker that does not answer is failed: its in-progress tasks go back to idle, and so do its
 * COMPLETED map tasks, whose output sat on the failed machine's disk. Reduce workers are told
 * where a re-executed map task's output now lives. Completed reduce tasks are not redone: their
 * output is in the global file system. Near the end of a phase the master schedules backup
 * executions of the tasks still in progress (§3.6), and it prefers to give a map task to a
 * worker that holds a replica of its split (§3.4, locality).
 *
 * Jobs are the paper's examples (§2.3) on a built-in corpus (jobs.ts, corpus.ts). The checkers
 * compare every output file with a direct computation of the job, count renames per file, and
 * require the job to finish once the faults stop. See docs/protocols/mapreduce.md.
 */
export const MapReduceParams = z.object({
  /** The user program (§2.3). */
  job: z
    .enum(JOBS)
    .default('word-count')
    .describe('The user program: word count, inverted index, grep or sort.'),
  /** The substring the grep job looks for (case-insensitive). */
  grepPattern: z
    .string()
    .min(1)
    .max(40)
    .default('clerk')
    .describe('What the grep job looks for (a substring).'),
  /** M: map tasks, one per input split (§3.1). */
  mapTasks: z
    .number()
    .int()
    .min(1)
    .max(CORPUS.length)
    .default(8)
    .describe(`M: input splits, one map task each (1 to ${CORPUS.length}).`),
  /** R: reduce tasks, one output file each (§3.1). */
  reduceTasks: z.number().int().min(1).max(8).default(3).describe('R: reduce tasks, one output file each.'),
  /** Map cost: milliseconds per KB of input a worker maps. */
  mapMsPerKB: z.number().int().min(1).max(10_000).default(400),
  /** Reduce cost: milliseconds per KB of intermediate data a worker sorts and reduces. */
  reduceMsPerKB: z.number().int().min(1).max(10_000).default(150),
  /** Reading a split from another machine's disk: milliseconds per KB more (§3.4). */
  remoteReadMsPerKB: z.number().int().min(0).max(10_000).default(300),
  /** §3.4: give a map task to a worker that holds a replica of its split, when one is idle. */
  locality: z.boolean().default(true),
  /** §3.6: near the end of a phase, run the tasks still in progress a second time on idle workers. */
  backupTasks: z.boolean().default(false),
  /** A straggler (§3.6): this worker runs `slowFactor` times slower ('' for none). */
  slowWorker: z.string().max(64).default('').describe("A straggler's id, such as w4 ('' for none)."),
  /** How many times slower the straggler is. */
  slowFactor: z.number().int().min(1).max(100).default(10),
  /** How often the master pings every worker (§3.3). */
  pingMs: z.number().int().min(10).max(10_000).default(100),
  /** Silence after which the master marks a worker failed (§3.3). */
  deadAfterMs: z.number().int().min(20).max(60_000).default(300),
  /** How often a reduce worker asks again for regions it has not received. */
  fetchRetryMs: z.number().int().min(10).max(10_000).default(200),
  /** Liveness bound: after the last fault, the job must be done within this. */
  settleMs: z.number().int().min(100).max(600_000).default(2000),
  /** Bug switch: a failed worker's completed map tasks stay completed, though their output died with it. */
  bugNoRerunCompletedMaps: z.boolean().default(false),
  /** Bug switch: a second execution of a reduce task appends its output to the file the first one wrote. */
  bugCommitReduceTwice: z.boolean().default(false),
});
/** MapReduce params. */
export type MapReduceParams = z.infer<typeof MapReduceParams>;
type P = MapReduceParams;

/** A task's state in the master (§3.2). */
export type TaskState = 'idle' | 'in-progress' | 'completed';

/** What the master keeps for a task (§3.2). */
export interface TaskInfo {
  /** Idle, in progress or completed. */
  state: TaskState;
  /** The worker machine: where it runs (in progress) or where it ran (completed); '' when idle. */
  worker: string;
  /** The execution that completed it (0 before). */
  attempt: number;
  /** Executions started so far (backups and re-executions included). */
  runs: number;
  /** When its current execution started (master's clock). */
  startUs: number;
}

/** A map task: also the sizes of its R intermediate regions, once completed (§3.2). */
export interface MapTaskInfo extends TaskInfo {
  /** Bytes of each of the R regions on the worker's disk ([] until completed). */
  sizes: number[];
}

/** An execution the master has handed a worker. */
export interface Execution {
  /** Map or reduce. */
  kind: 'map' | 'reduce';
  /** Task number (0-based). */
  task: number;
  /** The execution's number (1, 2, ... over the whole job). */
  attempt: number;
  /** A backup execution (§3.6). */
  backup: boolean;
}

/** What the master knows of a worker. */
export interface WorkerInfo {
  /** False once it missed its pings for `deadAfterMs` (§3.3), true again when it answers. */
  alive: boolean;
  /** When it last answered a ping (master's clock). */
  lastHeardUs: number;
  /** Its incarnation (bumped at each restart): a new one means it restarted and lost its disk. */
  incarnation: number;
  /** What it was told to run, or null when idle. */
  running: Execution | null;
}

/** One bar of the Tasks view: an execution, from its start to its end. */
export interface TaskBar {
  /** The execution. */
  attempt: number;
  /** The worker it ran on. */
  worker: string;
  /** 'M3', 'R1'; a backup is marked with a prime. */
  label: string;
  /** Map, reduce, backup, or lost (its work was thrown away). */
  tone: 'neutral' | 'info' | 'good' | 'warn' | 'bad';
  /** Start and end (null while running), master's clock. */
  startUs: number;
  endUs: number | null;
  /** How it ended. */
  outcome: string;
}

/** The master (§3.2's data structures, plus the output files and what the Tasks view draws). */
export interface MasterState {
  kind: 'master';
  /** The user program: job, grep pattern, M and R (§3.1 step 1). */
  job: Job;
  pattern: string;
  M: number;
  R: number;
  /** The M map tasks and R reduce tasks. */
  map: MapTaskInfo[];
  reduce: TaskInfo[];
  /** The workers, by id. */
  workers: Record<string, WorkerInfo>;
  /** The next execution number. */
  nextAttempt: number;
  /** The output files in the global file system (`mr-out-<r>`), each written by one atomic rename. */
  files: Record<string, Pair[]>;
  /** Renames into each output file. */
  commits: number[];
  /** The job is done: every reduce task completed. */
  done: boolean;
  /** When it was done (master's clock), null before. */
  doneUs: number | null;
  /** Tasks put back to idle after a failure (in progress, or completed maps whose output was lost). */
  reExecuted: number;
  /** Backup executions started (§3.6). */
  backups: number;
  /** Map tasks that read their split from another machine (§3.4). */
  remoteMaps: number;
  /** Every execution, for the Tasks view. */
  bars: TaskBar[];
  /** Moments worth marking on the Tasks view: failures, backups, the end. */
  markers: { atUs: number; label: string }[];
}

/** What a worker is doing. */
export interface WorkerTask {
  kind: 'map' | 'reduce';
  task: number;
  attempt: number;
  /** Map: the split is on this worker's disk (§3.4). */
  local: boolean;
}

/** A worker. */
export interface WorkerState {
  kind: 'worker';
  /** Bumped at each restart (kept on disk). */
  incarnation: number;
  /** The execution it runs, or null. */
  task: WorkerTask | null;
  /** Reduce: where each map task's output is, and the region fetched from it (null until it came). */
  locations: string[];
  fetched: (Pair[] | null)[];
  /** Local disk: intermediate output of each map task it ran, R regions each. Lost in a crash. */
  disk: Record<string, Pair[][]>;
  /** Bytes of regions sent to reduce workers (the shuffle), kept across crashes for the metric. */
  bytesServed: number;
}

export type MapReduceState = MasterState | WorkerState;

/** Messages, each named as the paper's step it carries. Data messages carry their size in bytes. */
export type MapReduceMsg =
  | { type: 'Ping' }
  | { type: 'Pong'; incarnation: number }
  | { type: 'AssignMap'; task: number; attempt: number; local: boolean }
  | { type: 'AssignReduce'; task: number; attempt: number; locations: string[] }
  | { type: 'MapDone'; task: number; attempt: number; sizes: number[] }
  | { type: 'MapLocation'; task: number; worker: string }
  | { type: 'Fetch'; task: number; region: number }
  | { type: 'Region'; task: number; region: number; pairs: Pair[]; bytes: number }
  | { type: 'ReduceDone'; task: number; attempt: number; output: Pair[]; bytes: number };

type C = Ctx<P, MapReduceMsg>;

const fileName = (r: number): string => `mr-out-${r}`;
const mapLabel = (m: number): string => `M${m}`;
const reduceLabel = (r: number): string => `R${r}`;
const kb = (bytes: number): number => bytes / 1024;
/** How much slower this worker runs (the straggler of §3.6). */
const slowness = (ctx: C): number => (ctx.params.slowWorker === ctx.self ? ctx.params.slowFactor : 1);
/**
 * The workers holding a replica of split m (§3.4): GFS keeps three copies of each 64 MB block on
 * chunkservers of its choosing; here two copies, on the two workers that rank highest by
 * murmur3("<worker>/split-<m>") (rendezvous hashing: a fixed, spread-out placement).
 */
export function replicasOf(m: number, workers: readonly string[]): string[] {
  return workers
    .map((w) => ({ w, h: murmur3(`${w}/split-${m}`) }))
    .sort((a, b) => b.h - a.h || (a.w < b.w ? -1 : 1))
    .slice(0, 2)
    .map((x) => x.w)
    .sort();
}

function newTask(): TaskInfo {
  return { state: 'idle', worker: '', attempt: 0, runs: 0, startUs: 0 };
}

// ---------------------------------------------------------------------------------------------
// The master

/** The master's worker entry for `w`, made when first seen (a worker added mid-run is used too). */
function workerInfo(s: MasterState, w: string, nowUs: number): WorkerInfo {
  let info = s.workers[w];
  if (info === undefined) {
    info = { alive: true, lastHeardUs: nowUs, incarnation: 0, running: null };
    s.workers[w] = info;
  }
  return info;
}

/** Executions of a task running now (the primary, and a backup maybe). */
function runnersOf(s: MasterState, kind: 'map' | 'reduce', task: number): string[] {
  return Object.keys(s.workers)
    .filter((w) => s.workers[w]!.running?.kind === kind && s.workers[w]!.running?.task === task)
    .sort();
}

/** Ends the Tasks view's bar of an execution. */
function endBar(
  s: MasterState,
  attempt: number,
  nowUs: number,
  outcome: string,
  tone?: TaskBar['tone'],
): void {
  const bar = s.bars.find((b) => b.attempt === attempt);
  if (bar === undefined) return;
  if (bar.endUs === null) bar.endUs = nowUs;
  bar.outcome = outcome;
  if (tone !== undefined) bar.tone = tone;
}

/** §3.1 step 2: hand an idle worker a task. */
function assign(
  ctx: C,
  s: MasterState,
  w: string,
  kind: 'map' | 'reduce',
  task: number,
  backup: boolean,
): void {
  const now = ctx.now();
  const t = kind === 'map' ? s.map[task]! : s.reduce[task]!;
  const attempt = s.nextAttempt++;
  s.workers[w]!.running = { kind, task, attempt, backup };
  t.runs += 1;
  if (!backup) {
    t.state = 'in-progress';
    t.worker = w;
    t.startUs = now;
  } else s.backups += 1;
  const label = `${kind === 'map' ? mapLabel(task) : reduceLabel(task)}${backup ? '′' : ''}`;
  s.bars.push({
    attempt,
    worker: w,
    label,
    tone: backup ? 'warn' : kind === 'map' ? 'info' : 'good',
    startUs: now,
    endUs: null,
    outcome: 'running',
  });
  if (kind === 'map') {
    const local = replicasOf(task, ctx.nodesWithRole('worker')).includes(w);
    if (!local) s.remoteMaps += 1;
    ctx.send(w, { type: 'AssignMap', task, attempt, local });
  } else {
    // Every map task is completed when a reduce task is handed out: its locations are all known.
    ctx.send(w, { type: 'AssignReduce', task, attempt, locations: s.map.map((m) => m.worker) });
  }
  ctx.note(`${label} → ${w}${backup ? ' (backup)' : ''}`);
}

/** The idle map task for worker w: one whose split w holds, if locality is on and there is one (§3.4). */
function pickMap(ctx: C, s: MasterState, w: string): number {
  const idle = s.map.flatMap((t, m) => (t.state === 'idle' ? [m] : []));
  if (idle.length === 0) return -1;
  if (ctx.params.locality) {
    const workers = ctx.nodesWithRole('worker');
    const local = idle.find((m) => replicasOf(m, workers).includes(w));
    if (local !== undefined) return local;
  }
  return idle[0]!;
}

/**
 * The oldest in-progress task of the phase with no backup yet, once the phase has no idle task
 * left: "when a MapReduce operation is close to completion, the master schedules backup
 * executions of the remaining in-progress tasks" (§3.6). -1 when there is none.
 */
function pickBackup(s: MasterState, kind: 'map' | 'reduce'): number {
  const tasks = kind === 'map' ? s.map : s.reduce;
  if (tasks.some((t) => t.state === 'idle')) return -1;
  let best = -1;
  tasks.forEach((t, k) => {
    if (t.state !== 'in-progress' || runnersOf(s, kind, k).length !== 1) return;
    if (best < 0 || t.startUs < tasks[best]!.startUs) best = k;
  });
  return best;
}

/** Hands out work to every idle worker that is alive: maps first, then reduces, then backups. */
function schedule(ctx: C, s: MasterState): void {
  if (s.done) return;
  for (const w of ctx.nodesWithRole('worker')) {
    const info = workerInfo(s, w, ctx.now());
    if (!info.alive || info.running !== null) continue;
    const m = pickMap(ctx, s, w);
    if (m >= 0) {
      assign(ctx, s, w, 'map', m, false);
      continue;
    }
    const mapsDone = s.map.every((t) => t.state === 'completed');
    const r = mapsDone ? s.reduce.findIndex((t) => t.state === 'idle') : -1;
    if (r >= 0) {
      assign(ctx, s, w, 'reduce', r, false);
      continue;
    }
    if (!ctx.params.backupTasks) continue;
    const kind = mapsDone ? 'reduce' : 'map';
    const b = pickBackup(s, kind);
    if (b < 0) continue;
    if (s.backups === 0) s.markers.push({ atUs: ctx.now(), label: 'backups begin' });
    assign(ctx, s, w, kind, b, true);
  }
}

/**
 * §3.3 "Worker Failure": the failed worker's task in progress goes back to idle (unless a
 * backup of it runs elsewhere), and so do the map tasks it completed, whose output was on its
 * local disk. Completed reduce tasks stay done: their output is in the global file system.
 */
function failWorker(ctx: C, s: MasterState, w: string, why: string): void {
  const now = ctx.now();
  const info = s.workers[w]!;
  const run = info.running;
  info.running = null;
  const lost: string[] = [];
  if (run !== null) {
    endBar(s, run.attempt, now, `lost: ${why}`, 'bad');
    const t = run.kind === 'map' ? s.map[run.task]! : s.reduce[run.task]!;
    const others = runnersOf(s, run.kind, run.task);
    if (t.state === 'in-progress' && t.worker === w) {
      if (others.length > 0)
        t.worker = others[0]!; // the backup carries on as the task's execution
      else {
        t.state = 'idle';
        t.worker = '';
        s.reExecuted += 1;
        lost.push(run.kind === 'map' ? mapLabel(run.task) : reduceLabel(run.task));
      }
    }
  }
  if (!ctx.params.bugNoRerunCompletedMaps)
    s.map.forEach((t, m) => {
      if (t.state !== 'completed' || t.worker !== w) return;
      endBar(s, t.attempt, now, `output lost: ${why}`, 'bad');
      Object.assign(t, newTask(), { runs: t.runs });
      (t as MapTaskInfo).sizes = [];
      s.reExecuted += 1;
      lost.push(mapLabel(m));
    });
  s.markers.push({ atUs: now, label: `${w} ${why}` });
  ctx.note(`${w} ${why}: ${lost.length > 0 ? `${lost.join(' ')} back to idle` : 'nothing to redo'}`);
}

/** §3.3: ping every worker; one silent for `deadAfterMs` is marked failed. */
function onPingTimer(ctx: C, s: MasterState): void {
  const now = ctx.now();
  for (const w of ctx.nodesWithRole('worker')) {
    const info = workerInfo(s, w, now);
    if (info.alive && now - info.lastHeardUs > ctx.params.deadAfterMs * 1000) {
      info.alive = false;
      // Once the job is done there is nothing left to redo: the output is in the file system.
      if (!s.done) failWorker(ctx, s, w, 'failed');
    }
    ctx.send(w, { type: 'Ping' });
  }
  schedule(ctx, s);
  ctx.setTimer('ping', ctx.params.pingMs * 1000);
}

function onPong(ctx: C, s: MasterState, w: string, incarnation: number): void {
  const info = workerInfo(s, w, ctx.now());
  info.lastHeardUs = ctx.now();
  if (incarnation !== info.incarnation) {
    // It restarted since we last heard from it: its disk and its task are gone.
    if (info.alive && !s.done) failWorker(ctx, s, w, 'restarted');
    info.incarnation = incarnation;
  }
  if (!info.alive) {
    info.alive = true;
    ctx.note(`${w} answers again`);
  }
  schedule(ctx, s);
}

/** Whether a completion comes from an execution the master still counts on (else it is stale). */
function current(s: MasterState, w: string, kind: 'map' | 'reduce', attempt: number): Execution | null {
  const run = s.workers[w]?.running ?? null;
  if (run === null || run.kind !== kind || run.attempt !== attempt) return null;
  s.workers[w]!.running = null;
  return run;
}

/** §3.1 step 4 / §3.3: a map task's output is on w's disk; reduce workers in progress learn where. */
function onMapDone(
  ctx: C,
  s: MasterState,
  w: string,
  m: { task: number; attempt: number; sizes: number[] },
): void {
  const now = ctx.now();
  const run = current(s, w, 'map', m.attempt);
  if (run === null) return void ctx.note(`${mapLabel(m.task)} from ${w} ignored: no longer its task`);
  const t = s.map[m.task]!;
  if (t.state === 'completed') {
    // "If the master receives a completion message for an already completed map task, it ignores the message."
    endBar(s, m.attempt, now, 'done, not needed');
    ctx.note(`${mapLabel(m.task)} from ${w} ignored: already completed`);
  } else {
    t.state = 'completed';
    t.worker = w;
    t.attempt = m.attempt;
    t.sizes = [...m.sizes];
    endBar(s, m.attempt, now, 'done');
    // "All workers executing reduce tasks are notified of the re-execution."
    for (const [r, info] of Object.entries(s.workers))
      if (info.running?.kind === 'reduce') ctx.send(r, { type: 'MapLocation', task: m.task, worker: w });
  }
  schedule(ctx, s);
}

/** §3.1 step 6 / §3.3: the reduce output's atomic rename into its final file. */
function onReduceDone(
  ctx: C,
  s: MasterState,
  w: string,
  m: { task: number; attempt: number; output: Pair[] },
): void {
  const now = ctx.now();
  const run = current(s, w, 'reduce', m.attempt);
  if (run === null) return void ctx.note(`${reduceLabel(m.task)} from ${w} ignored: no longer its task`);
  const t = s.reduce[m.task]!;
  const name = fileName(m.task);
  if (t.state === 'completed' && !ctx.params.bugCommitReduceTwice) {
    // The final file exists: a second rename leaves it as the first execution wrote it.
    endBar(s, m.attempt, now, 'done, not needed');
    ctx.note(`${reduceLabel(m.task)} from ${w}: ${name} already in place`);
  } else {
    if (t.state === 'completed')
      s.files[name]!.push(...m.output); // the bug: appended, not renamed
    else s.files[name] = [...m.output];
    s.commits[m.task]! += 1;
    t.state = 'completed';
    t.worker = w;
    t.attempt = m.attempt;
    endBar(s, m.attempt, now, 'done');
    ctx.note(`${name} written by ${w} (${m.output.length} pairs)`);
    ctx.emit({ type: 'commit', task: m.task });
  }
  if (!s.done && s.reduce.every((x) => x.state === 'completed')) {
    s.done = true;
    s.doneUs = now;
    s.markers.push({ atUs: now, label: 'job done' });
    ctx.note(`job done in ${(now / 1e6).toFixed(3)} s`);
    ctx.emit({ type: 'job-done' });
  }
  schedule(ctx, s);
}

function onMaster(
  ctx: C,
  s: MasterState,
  input: Parameters<Protocol<P, MapReduceState, MapReduceMsg>['on']>[2],
): void {
  switch (input.kind) {
    case 'start':
      for (const w of ctx.nodesWithRole('worker')) workerInfo(s, w, ctx.now());
      schedule(ctx, s);
      ctx.setTimer('ping', ctx.params.pingMs * 1000);
      return;
    case 'restart': {
      // Restarted from its checkpoint (§3.3 "Master Failure"): the completion messages sent
      // while it was down are lost, so every execution it had handed out is started again.
      const now = ctx.now();
      for (const info of Object.values(s.workers)) {
        info.lastHeardUs = now;
        const run = info.running;
        if (run === null) continue;
        info.running = null;
        endBar(s, run.attempt, now, 'lost: master restarted', 'bad');
        const t = run.kind === 'map' ? s.map[run.task]! : s.reduce[run.task]!;
        if (t.state === 'in-progress') {
          t.state = 'idle';
          t.worker = '';
          s.reExecuted += 1;
        }
      }
      s.markers.push({ atUs: now, label: 'master restarted' });
      schedule(ctx, s);
      ctx.setTimer('ping', ctx.params.pingMs * 1000);
      return;
    }
    case 'timer':
      if (input.name === 'ping') onPingTimer(ctx, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false }); // not a key-value store
      return;
    case 'message': {
      const m = input.msg;
      if (m.type === 'Pong') onPong(ctx, s, input.from, m.incarnation);
      else if (m.type === 'MapDone') onMapDone(ctx, s, input.from, m);
      else if (m.type === 'ReduceDone') onReduceDone(ctx, s, input.from, m);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A worker

/** Reduce: ask for the region of map task m (or read it from this worker's own disk). */
function fetch(ctx: C, s: WorkerState, m: number): void {
  const r = s.task!.task;
  const at = s.locations[m]!;
  if (at === ctx.self) {
    const mine = s.disk[String(m)];
    if (mine !== undefined) s.fetched[m] = mine[r] ?? [];
    return;
  }
  if (at !== '') ctx.send(at, { type: 'Fetch', task: m, region: r });
}

/** Reduce: once every region is in, sort and reduce (its cost grows with the bytes). */
function maybeReduce(ctx: C, s: WorkerState): void {
  if (s.fetched.some((f) => f === null)) return;
  ctx.cancelTimer('fetch');
  const bytes = s.fetched.reduce((n, f) => n + pairBytes(f!), 0);
  ctx.setTimer('work', Math.max(1, Math.round(kb(bytes) * ctx.params.reduceMsPerKB * 1000 * slowness(ctx))));
}

function onWorker(
  ctx: C,
  s: WorkerState,
  input: Parameters<Protocol<P, MapReduceState, MapReduceMsg>['on']>[2],
): void {
  const p = ctx.params;
  switch (input.kind) {
    case 'start':
      return;
    case 'restart':
      s.incarnation += 1; // the disk's contents are gone; the master learns it from the next Pong
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'timer':
      if (input.name === 'fetch' && s.task?.kind === 'reduce') {
        for (let m = 0; m < s.fetched.length; m++) if (s.fetched[m] === null) fetch(ctx, s, m);
        maybeReduce(ctx, s);
        if (s.fetched.some((f) => f === null)) ctx.setTimer('fetch', p.fetchRetryMs * 1000);
      } else if (input.name === 'work' && s.task !== null) finishTask(ctx, s);
      return;
    case 'message':
      break;
  }
  const from = input.from;
  const m = input.msg;
  switch (m.type) {
    case 'Ping':
      ctx.send(from, { type: 'Pong', incarnation: s.incarnation });
      return;
    case 'AssignMap': {
      // §3.1 step 3: read the split (from this disk or another's, §3.4) and map it.
      s.task = { kind: 'map', task: m.task, attempt: m.attempt, local: m.local };
      s.locations = [];
      s.fetched = [];
      ctx.cancelTimer('fetch');
      const bytes = splitBytes(splitOf(m.task, p.mapTasks));
      const ms = kb(bytes) * (p.mapMsPerKB * slowness(ctx) + (m.local ? 0 : p.remoteReadMsPerKB));
      ctx.setTimer('work', Math.max(1, Math.round(ms * 1000)));
      return;
    }
    case 'AssignReduce':
      // §3.1 step 5: read this region from every map worker's disk (remote reads: the shuffle).
      s.task = { kind: 'reduce', task: m.task, attempt: m.attempt, local: true };
      s.locations = [...m.locations];
      s.fetched = m.locations.map(() => null);
      ctx.cancelTimer('work');
      for (let k = 0; k < s.locations.length; k++) fetch(ctx, s, k);
      maybeReduce(ctx, s);
      if (s.fetched.some((f) => f === null)) ctx.setTimer('fetch', p.fetchRetryMs * 1000);
      return;
    case 'MapLocation':
      if (s.task?.kind === 'reduce' && s.fetched[m.task] === null) {
        s.locations[m.task] = m.worker;
        fetch(ctx, s, m.task);
        maybeReduce(ctx, s);
      }
      return;
    case 'Fetch': {
      const mine = s.disk[String(m.task)];
      if (mine === undefined) return; // not here (lost in a crash): the master will re-run it
      const pairs = mine[m.region] ?? [];
      const bytes = pairBytes(pairs);
      s.bytesServed += bytes;
      ctx.send(from, { type: 'Region', task: m.task, region: m.region, pairs, bytes });
      return;
    }
    case 'Region':
      if (s.task?.kind === 'reduce' && s.task.task === m.region && s.fetched[m.task] === null) {
        s.fetched[m.task] = m.pairs;
        maybeReduce(ctx, s);
      }
      return;
    default:
      return;
  }
}

/** The task's work is done: write the map output to local disk, or the reduce output to a file. */
function finishTask(ctx: C, s: WorkerState): void {
  const p = ctx.params;
  const t = s.task!;
  s.task = null;
  if (t.kind === 'map') {
    const regions = runMap(p.job, splitOf(t.task, p.mapTasks), p.reduceTasks, p.grepPattern);
    s.disk[String(t.task)] = regions;
    ctx.send(ctx.nodesWithRole('master')[0] ?? '', {
      type: 'MapDone',
      task: t.task,
      attempt: t.attempt,
      sizes: regions.map(pairBytes),
    });
    return;
  }
  const output = runReduce(p.job, s.fetched as Pair[][]);
  s.fetched = [];
  s.locations = [];
  ctx.send(ctx.nodesWithRole('master')[0] ?? '', {
    type: 'ReduceDone',
    task: t.task,
    attempt: t.attempt,
    output,
    bytes: pairBytes(output),
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

const masterOf = (nodes: readonly NodeView<MapReduceState>[]): NodeView<MasterState> | undefined =>
  nodes.find((n) => n.state.kind === 'master') as NodeView<MasterState> | undefined;

/** Every output file is renamed into place once (§3.3: atomic rename, one execution's data). */
const exactlyOnceCommit = {
  id: 'exactly-once-commit',
  title: 'Each output file is written by exactly one execution of its reduce task',
  check({ changed, events }: { changed: NodeView<MapReduceState>; events: readonly { type: string }[] }) {
    if (changed.state.kind !== 'master' || !events.some((e) => e.type === 'commit')) return null;
    const s = changed.state;
    const twice = s.commits.findIndex((n) => n > 1);
    return twice < 0 ? null : `${fileName(twice)} was written ${s.commits[twice]} times`;
  },
};

/** Each output file holds what the direct computation of the job puts in its partition. */
const outputCorrect = {
  id: 'output-correct',
  title: 'Each output file equals the direct computation of the job on the corpus (its partition)',
  check({
    changed,
    events,
  }: {
    changed: NodeView<MapReduceState>;
    events: readonly { type: string; task?: unknown }[];
  }) {
    if (changed.state.kind !== 'master') return null;
    const s = changed.state;
    for (const e of events) {
      if (e.type !== 'commit' || typeof e.task !== 'number') continue;
      const diff = fileDiff(s.files[fileName(e.task)] ?? [], expectedFile(s.job, s.pattern, s.R, e.task));
      if (diff !== null) return `${fileName(e.task)}: ${diff}`;
    }
    return null;
  },
};

/** Once the faults stop, the job finishes: every task completes and every output file is there. */
const jobCompletes: Liveness<MapReduceState, P> = {
  id: 'job-completes',
  title: 'After the faults stop, every task completes and the job is done',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    const master = masterOf(nodes);
    if (master === undefined) return null;
    const s = master.state;
    if (s.done && s.reduce.every((_, r) => s.files[fileName(r)] !== undefined)) return null;
    if (!master.up) return 'the master is down';
    const count = (ts: TaskInfo[]) => ts.filter((t) => t.state === 'completed').length;
    const stuck = [
      ...s.map.flatMap((t, m) => (t.state === 'completed' ? [] : [`${mapLabel(m)} ${t.state}`])),
      ...s.reduce.flatMap((t, r) => (t.state === 'completed' ? [] : [`${reduceLabel(r)} ${t.state}`])),
    ];
    return `the job is not done: maps ${count(s.map)}/${s.M}, reduces ${count(s.reduce)}/${s.R} completed (${stuck.slice(0, 4).join(', ')}${stuck.length > 4 ? ', …' : ''})`;
  },
};

// ---------------------------------------------------------------------------------------------
// The protocol

/** Master m above a row of workers, through one switch. */
function topology(workers: number): DefaultTopology {
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

const masterMetric = (id: string, unit: string, read: (s: MasterState) => number) => ({
  id,
  unit,
  read(nodes: readonly NodeView<MapReduceState>[]) {
    const m = masterOf(nodes);
    return m === undefined ? 0 : read(m.state);
  },
});

export const mapReduce: Protocol<P, MapReduceState, MapReduceMsg> = {
  id: 'mapreduce',
  topic: 'mapreduce',
  title: 'MapReduce',
  version: 1,
  // A map task takes about 130 ms and the job about 1.3 s: at 0.25x the first maps end half a
  // second after Play and the whole story (crash, re-execution, reduces) plays in about 6 s.
  speed: 0.25,
  roles: [
    { id: 'master', label: 'Master', min: 1, max: 1 },
    { id: 'worker', label: 'Worker', min: 1, max: null },
  ],
  params: MapReduceParams,
  defaultTopology: () => topology(4),
  quickStart: () => ({
    name: 'MapReduce quick start: word count, w3 crashes after its map',
    faults: [{ atUs: 300_000, fault: { kind: 'crash', node: 'w3' } }],
    maxTimeUs: 3_000_000,
  }),
  init(node): MapReduceState {
    const p = node.params;
    if (node.role === 'master')
      return {
        kind: 'master',
        job: p.job,
        pattern: p.grepPattern,
        M: p.mapTasks,
        R: p.reduceTasks,
        map: Array.from({ length: p.mapTasks }, () => ({ ...newTask(), sizes: [] })),
        reduce: Array.from({ length: p.reduceTasks }, newTask),
        workers: {},
        nextAttempt: 1,
        files: {},
        commits: Array.from({ length: p.reduceTasks }, () => 0),
        done: false,
        doneUs: null,
        reExecuted: 0,
        backups: 0,
        remoteMaps: 0,
        bars: [],
        markers: [],
      };
    return {
      kind: 'worker',
      incarnation: 0,
      task: null,
      locations: [],
      fetched: [],
      disk: {},
      bytesServed: 0,
    };
  },
  on(ctx, s, input) {
    if (s.kind === 'master') onMaster(ctx, s, input);
    else onWorker(ctx, s, input);
  },
  // The master checkpoints everything (§3.3 suggests periodic checkpoints; we write one at
  // every step). A worker's local disk is lost with the machine: it keeps only its incarnation
  // and the shuffle counter of the metric.
  durable: [
    'kind',
    'job',
    'pattern',
    'M',
    'R',
    'map',
    'reduce',
    'workers',
    'nextAttempt',
    'files',
    'commits',
    'done',
    'doneUs',
    'reExecuted',
    'backups',
    'remoteMaps',
    'bars',
    'markers',
    'incarnation',
    'bytesServed',
  ] satisfies StateField<MapReduceState>[],
  invariants: [exactlyOnceCommit, outputCorrect],
  liveness: [jobCompletes],
  historyCheckers: [],
  metrics: [
    masterMetric('jobTimeMs', 'ms', (s) => (s.doneUs === null ? 0 : Math.round(s.doneUs / 1000))),
    masterMetric('mapsCompleted', 'tasks', (s) => s.map.filter((t) => t.state === 'completed').length),
    masterMetric('reducesCompleted', 'tasks', (s) => s.reduce.filter((t) => t.state === 'completed').length),
    masterMetric('tasksReExecuted', 'tasks', (s) => s.reExecuted),
    masterMetric('backupTasks', 'tasks', (s) => s.backups),
    masterMetric('remoteMaps', 'tasks', (s) => s.remoteMaps),
    sumOver<MapReduceState>('bytesShuffled', 'bytes', (s) => (s.kind === 'worker' ? s.bytesServed : 0)),
  ],
  views: [tasksView],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'master') {
      if (s.done) return { text: `done in ${((s.doneUs ?? 0) / 1e6).toFixed(2)} s`, tone: 'good' };
      const maps = s.map.filter((t) => t.state === 'completed').length;
      const reduces = s.reduce.filter((t) => t.state === 'completed').length;
      return { text: `maps ${maps}/${s.M} · reduces ${reduces}/${s.R}`, tone: 'neutral' };
    }
    if (s.task === null) return { text: 'idle', tone: 'neutral' };
    if (s.task.kind === 'map')
      return { text: `map ${mapLabel(s.task.task)}${s.task.local ? '' : ' (remote)'}`, tone: 'neutral' };
    const got = s.fetched.filter((f) => f !== null).length;
    return got < s.fetched.length
      ? { text: `${reduceLabel(s.task.task)} fetch ${got}/${s.fetched.length}`, tone: 'warn' }
      : { text: `reduce ${reduceLabel(s.task.task)}`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugNoRerunCompletedMaps',
      title:
        "A failed worker's completed map tasks are not re-run: their output died with its disk, and the reduces wait for ever (job-completes breaks)",
    },
    {
      param: 'bugCommitReduceTwice',
      title:
        'A second execution of a reduce task (a backup) appends to the output file instead of an atomic rename (exactly-once-commit and output-correct break)',
    },
  ],
  lesson: {
    summary:
      'MapReduce runs a job over many machines: a master cuts the input into M splits and hands out map tasks, whose output stays on each worker’s own disk in R regions; reduce tasks then fetch their region from every map worker, sort it by key and write one output file each. When a worker fails, the master runs its tasks again — its completed map tasks too, because their output was on the failed machine.',
    watch: [
      'The Tasks tab: one row per worker, a bar per task execution (blue maps, green reduces, amber backups, red work thrown away)',
      'w3 crashes at 300 ms, after finishing M3: 300 ms later the master marks it failed, and M3 goes back to idle although it had completed (its output was on w3’s disk)',
      'The reduces start only once every map is done; their badges count the regions fetched (the shuffle)',
      'The checkers panel: every output file is compared with a direct count of the corpus',
    ],
    tryThis: [
      'Turn on bugNoRerunCompletedMaps: the reduces wait for M3’s output on a dead machine, and job-completes stops the run',
      'Set slowWorker to w4 (slowFactor 10): the job waits for one straggler; then turn on backupTasks and compare jobTimeMs',
      'With backupTasks on and a straggler, turn on bugCommitReduceTwice: two executions of the same reduce write one file twice',
      'Change job to inverted-index, grep or sort, and open the master in the inspector to read its output files',
      'Turn off locality and watch remoteMaps: map tasks read their split across the network and take longer',
    ],
  },
};
