/**
 * The sim host: owns the running simulations of one window (or one web-mode server), runs
 * them in bounded chunks so the process stays responsive, and reports progress as events.
 * It is the only place outside src/sim that drives a Simulation; the renderer sees only the
 * JSON this host returns.
 *
 * Playing: every tick runs events until the virtual time a wall clock at `speed` has reached,
 * but never more than CHUNK_BUDGET_MS of work, then yields to the event loop. So a pause (or any
 * other API call) is handled within one chunk; progress is pushed at most every PROGRESS_MS.
 *
 * Stepping calls (step, stepUntil, runUntil, stepBack, seek, and a fork's replay) run the same
 * way: a job of slices of at most CHUNK_BUDGET_MS, yielding between them, with progress events
 * while it lasts. `sim.runUntil {timeUs: 1e15, maxEvents: 1e8}` takes as long as it takes, but
 * every other call, on any socket, is answered meanwhile. Pause (or close) cancels the job: the
 * call answers where the run got to. While a job runs, another call that would move the same run
 * is refused as busy.
 *
 * Memory: each run has a budget (its trace rows times BYTES_PER_TRACE_ROW) and the host has one
 * (the process's heap and external memory). A run that reaches either stops where it is, as if
 * at a limit: stopReason 'memory-budget' and a stopMessage naming the budget and how to raise
 * it. A new run is refused while the host is over its budget. A run belongs to the socket that
 * made it (its owner); release(owner) closes them all when that socket goes.
 */
import {
  DslabApiError,
  type EventPayload,
  type SimChange,
  type SimNode,
  type SimStatusInfo,
  type ViewData,
} from '../shared/api';
import type { RunSummary } from '../shared/exercise/run-summary';
import type { Scenario } from '../shared/scenario/schema';
import {
  causalityOf,
  createSimulation,
  type Divergence,
  type InPieces,
  ordering,
  type Simulation,
  summarizeRunInPieces,
  type TraceFilter,
  toShiViz,
  type Verdict,
} from '../sim';
import {
  BYTES_PER_TRACE_ROW,
  formatBytes,
  hostBytesInUse,
  type MemoryBudgets,
  memoryBudgets,
  RAISE_HOST,
  RAISE_SIM,
} from './memory';
import { PROGRESS_MS, realClock, runSliced, SLICE_MS } from './slices';

/** Most simulations one host keeps at once (each holds a trace and checkpoints). */
export const MAX_SIMULATIONS = 16;
/** Wall-clock work per play tick or job slice, milliseconds (src/main/slices.ts). */
export const CHUNK_BUDGET_MS = SLICE_MS;
export { PROGRESS_MS };
/**
 * Most trace rows sim.causality and sim.shiviz read: they compute happened-before in one go (not
 * in slices), which takes about a second per million rows; the CLI's dslab shiviz has no bound.
 */
export const CAUSALITY_MAX_ROWS = 200_000;
/** Units of a long read's work (checker steps, events counted, rows compared) between clock reads. */
export const READ_PIECE = 2_000;

/** A long read's progress (the sim.readProgress event). */
type ReadProgress = EventPayload<'sim.readProgress'>;
/** The methods whose reads run in slices. */
type ReadMethod = ReadProgress['method'];
/** A long read: work in pieces, and how far it got ({what, done, total}). */
type Read<T> = InPieces<T> & { progress(): Omit<ReadProgress, 'simId' | 'method'> };

/** A stepping call in progress on a run (see SimHost.job). */
interface Job {
  /** The API method it serves, for the busy answer. */
  method: string;
  /** Set by pause or close: the job stops before its next slice. */
  cancelled: boolean;
}

/** One slice of a job: run at most `chunk` events; `more` is false once the call is complete. */
type Slice = (chunk: number) => { steps: number; more: boolean; matched?: boolean };

interface Entry {
  sim: Simulation;
  /** Who made it (a web-mode socket), or null. */
  owner: string | null;
  /** The stepping call running on it, if any. */
  job: Job | null;
  /** Why it stopped at a memory budget, when it did (see overBudget). */
  budgetStop: string | null;
  /**
   * Times the run went back (a seek or step back restored a checkpoint) or was changed live:
   * a long read under way starts over, since rows it read may now be different.
   */
  rewinds: number;
  /** Long reads under way (see read): closing the run cancels them. */
  reads: Set<{ cancelled: boolean }>;
  /** The last verdicts, at an event and rewinds count (`${eventIndex}/${rewinds}`), and a check under way. */
  verdicts: { at: string; value: Verdict[] } | null;
  checking: { at: string; value: Promise<Verdict[]> } | null;
  /** Ring view: the members seen by the last call, and the ones before the last change. */
  /** What each view returned last (see view). */
  lastViews: Map<string, ViewData>;
  playing: boolean;
  speed: number;
  wallStartMs: number;
  virtStartUs: number;
  chunkEvents: number;
  lastProgressMs: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What the host needs from its surroundings (injected so tests can drive time). */
export interface SimHostDeps {
  /** Pushes a progress event to the window/page. */
  emit(payload: { status: SimStatusInfo; nodes: SimNode[] }): void;
  /** Pushes a long read's progress (sim.readProgress); default: not sent. */
  emitRead(payload: ReadProgress): void;
  /** Wall clock in milliseconds (performance.now in production). */
  nowMs(): number;
  /** Schedules the next tick. */
  schedule(fn: () => void, delayMs: number): ReturnType<typeof setTimeout>;
  /** Cancels a scheduled tick. */
  cancel(handle: ReturnType<typeof setTimeout>): void;
  /** Lets the event loop serve other calls between two slices of a job. */
  yieldNow(): Promise<void>;
  /** Bytes the host process uses now (hostBytesInUse in production). */
  hostBytes(): number;
  /** The memory budgets (default: from DSLAB_SIM_MEMORY_MB and DSLAB_MEMORY_MB, see memory.ts). */
  budgets: MemoryBudgets;
}

const defaultDeps = (emit: SimHostDeps['emit']): SimHostDeps => ({
  emit,
  emitRead: () => {},
  nowMs: realClock.nowMs,
  schedule: (fn, delayMs) => setTimeout(fn, delayMs),
  cancel: (h) => clearTimeout(h),
  yieldNow: realClock.yieldNow,
  hostBytes: hostBytesInUse,
  budgets: memoryBudgets().budgets,
});

export class SimHost {
  private readonly sims = new Map<string, Entry>();
  private nextId = 1;
  private readonly deps: SimHostDeps;

  constructor(deps: Partial<SimHostDeps> & Pick<SimHostDeps, 'emit'>) {
    this.deps = { ...defaultDeps(deps.emit), ...deps };
  }

  /** Starts a simulation of a validated scenario, paused at event 0. */
  create(scenario: Scenario, seed?: number, owner?: string): { status: SimStatusInfo; nodes: SimNode[] } {
    this.ensureRoom();
    let sim: Simulation;
    try {
      sim = createSimulation(scenario, seed === undefined ? {} : { seed });
    } catch (err) {
      throw new DslabApiError({
        code: 'bad-request',
        message: `The scenario cannot run: ${err instanceof Error ? err.message : String(err)}`,
        path: ['scenario'],
      });
    }
    return this.add(sim, owner);
  }

  /**
   * A new simulation from an event of an existing one, with a change applied there. The new run
   * starts from the parent's last checkpoint at or before that event and is replayed to it in
   * slices; the parent is busy meanwhile, and pausing or closing it cancels the fork.
   */
  async fork(
    simId: string,
    atEvent: number,
    change: SimChange,
    owner?: string,
  ): Promise<{ status: SimStatusInfo; nodes: SimNode[] }> {
    const parent = this.entry(simId);
    this.ensureRoom();
    const f = parent.sim.forkBase(atEvent);
    const target = Math.max(0, Math.floor(atEvent));
    const job = await this.job(simId, parent, 'sim.fork', this.seekSlice(f, target), {
      pauses: false,
      watch: f,
      forward: true,
    });
    if (job.end === 'cancelled') {
      throw new DslabApiError({
        code: 'conflict',
        message: `The fork of ${simId} was cancelled (the run was paused or closed) at event ${f.eventIndex} of ${target}; nothing was opened.`,
      });
    }
    if (job.end === 'budget') {
      throw new DslabApiError({
        code: 'too-large',
        message: `The fork of ${simId} stopped at event ${f.eventIndex} of ${target}; nothing was opened. ${job.why}`,
      });
    }
    f.applyLive(change);
    this.ensureRoom();
    return this.add(f, owner);
  }

  step(simId: string, count: number): Promise<SimStatusInfo> {
    const e = this.entry(simId);
    let left = count;
    return this.stepping(simId, e, 'sim.step', true, (chunk) => {
      const ask = Math.min(chunk, left);
      const r = e.sim.step(ask);
      left -= r.steps;
      return { steps: r.steps, more: left > 0 && r.steps === ask };
    });
  }

  stepUntil(simId: string, filter: TraceFilter, maxEvents: number): Promise<SimStatusInfo> {
    const e = this.entry(simId);
    let left = maxEvents;
    return this.stepping(simId, e, 'sim.stepUntil', true, (chunk) => {
      const ask = Math.min(chunk, left);
      const r = e.sim.stepUntil(filter, ask);
      left -= r.steps;
      const matched = r.matched === true;
      return { steps: r.steps, matched, more: !matched && left > 0 && r.steps === ask };
    });
  }

  runUntil(simId: string, timeUs: number, maxEvents: number): Promise<SimStatusInfo> {
    const e = this.entry(simId);
    let left = maxEvents;
    return this.stepping(simId, e, 'sim.runUntil', true, (chunk) => {
      const ask = Math.min(chunk, left);
      const r = e.sim.runUntil(timeUs, ask);
      left -= r.steps;
      return { steps: r.steps, more: left > 0 && r.steps === ask };
    });
  }

  stepBack(simId: string, count: number): Promise<SimStatusInfo> {
    const e = this.entry(simId);
    return this.seekTo(simId, e, 'sim.stepBack', Math.max(0, e.sim.eventIndex - count));
  }

  seek(simId: string, event: number): Promise<SimStatusInfo> {
    return this.seekTo(simId, this.entry(simId), 'sim.seek', event);
  }

  inject(simId: string, change: SimChange): SimStatusInfo {
    const e = this.entry(simId);
    this.refuseBusy(simId, e, 'sim.inject');
    const r = e.sim.applyLive(change);
    e.rewinds++; // the run's future changed: a read under way starts over
    if (e.playing) {
      // A live change while playing: keep the wall/virtual anchor consistent.
      e.wallStartMs = this.deps.nowMs();
      e.virtStartUs = e.sim.nowUs;
    }
    return this.status(simId, e, r.steps);
  }

  /** Starts (or re-speeds) background play. */
  play(simId: string, speed: number): SimStatusInfo {
    const e = this.entry(simId);
    this.refuseBusy(simId, e, 'sim.play');
    e.budgetStop = this.overBudget(e.sim);
    if (e.budgetStop !== null) {
      this.stop(e);
      return this.status(simId, e, 0);
    }
    e.speed = speed;
    e.wallStartMs = this.deps.nowMs();
    e.virtStartUs = e.sim.nowUs;
    if (!e.playing && !e.sim.done) {
      e.playing = true;
      this.scheduleTick(simId, e, 0);
    }
    return this.status(simId, e, 0);
  }

  /** Stops background play (the next tick will not run) and cancels a running stepping call. */
  pause(simId: string): SimStatusInfo {
    const e = this.entry(simId);
    this.stop(e);
    if (e.job) e.job.cancelled = true;
    return this.status(simId, e, 0);
  }

  trace(simId: string, from: number, to: number, max: number) {
    const { sim } = this.entry(simId);
    return { rows: sim.traceWindow({ from, to }, max), total: sim.traceRows };
  }

  /** The trace so far as happened-before (src/sim/analysis/causality.ts), refused past CAUSALITY_MAX_ROWS. */
  private causalityOf(simId: string) {
    const { sim } = this.entry(simId);
    if (sim.traceRows > CAUSALITY_MAX_ROWS)
      throw new DslabApiError({
        code: 'too-large',
        message: `The run has ${sim.traceRows.toLocaleString('en-US')} trace rows; the app computes happened-before for at most ${CAUSALITY_MAX_ROWS.toLocaleString('en-US')} (dslab shiviz --from/--to exports a window of any run)`,
      });
    return causalityOf(sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER));
  }

  /** How the events of two trace rows are ordered by happened-before, and why. */
  causality(simId: string, rowA: number, rowB: number) {
    const c = this.causalityOf(simId);
    for (const row of [rowA, rowB])
      if (!c.at.has(row))
        throw new DslabApiError({
          code: 'bad-request',
          message: `Row ${row} is not an event of a process in this run so far (a drop, a violation, or past the current event)`,
          path: [row === rowA ? 'rowA' : 'rowB'],
        });
    return ordering(c, rowA, rowB);
  }

  /** The run so far as a ShiViz log. */
  shiviz(simId: string) {
    const c = this.causalityOf(simId);
    return { text: toShiViz(c), events: c.events.length };
  }

  /**
   * The first trace row where two open runs differ (see Simulation.divergence), compared in
   * slices (a long read, see read).
   */
  diverge(a: string, b: string): Promise<Divergence> {
    const ea = this.entry(a);
    const eb = this.entry(b);
    return this.read('sim.diverge', [a, b], true, () => {
      const d = ea.sim.divergenceInPieces(eb.sim);
      return {
        advance: (w) => d.advance(w),
        progress: () => ({ what: 'trace rows compared', ...d.progress() }),
      };
    });
  }

  nodes(simId: string): SimNode[] {
    return this.entry(simId).sim.nodeStates() as SimNode[];
  }

  /** Each link's state and who is cut off, at the run's current event. */
  links(simId: string) {
    return this.entry(simId).sim.links();
  }

  /** The faults injected live in the run, with the virtual time each happens at. */
  injections(simId: string) {
    return this.entry(simId).sim.liveFaults();
  }

  metrics(simId: string) {
    return this.entry(simId).sim.metrics();
  }

  /**
   * Checker verdicts at the current event. The history checks of a finished run can take
   * seconds: they run in slices (a long read, see read), and their verdicts are kept until the
   * run moves, so asking again is immediate; two calls at the same event share one check.
   */
  invariants(simId: string): Promise<Verdict[]> {
    const e = this.entry(simId);
    const at = `${e.sim.eventIndex}/${e.rewinds}`;
    if (e.verdicts?.at === at) return Promise.resolve(e.verdicts.value);
    if (e.checking?.at === at) return e.checking.value;
    const value = this.read('sim.invariants', [simId], false, () => {
      const c = e.sim.invariantsInPieces();
      return {
        advance: (w) => c.advance(w),
        progress: () => {
          const p = c.progress();
          return p === null
            ? { what: 'verdicts', done: 1, total: 1 }
            : { what: `history check ${p.checker}`, done: p.done, total: p.total };
        },
      };
    });
    const checking = { at, value };
    e.checking = checking;
    value
      .then((v) => {
        e.verdicts = { at, value: v };
      })
      .catch(() => {})
      .finally(() => {
        if (e.checking === checking) e.checking = null;
      });
    return value;
  }

  /**
   * The run's summary as the library records it, and the scenario it ran, built in slices (a
   * long read, see read); verdicts already checked at this event are used as they are.
   */
  async summary(simId: string): Promise<{ summary: RunSummary; scenario: Scenario }> {
    const e = this.entry(simId);
    const summary = await this.read('sim.summary', [simId], true, () => {
      const known = e.verdicts?.at === `${e.sim.eventIndex}/${e.rewinds}` ? e.verdicts.value : undefined;
      const w = summarizeRunInPieces(e.sim, known);
      return {
        advance: (n) => w.advance(n),
        progress: () => {
          const p = w.progress();
          return p.checker === null
            ? { what: 'events counted', done: p.done, total: p.total }
            : { what: `history check ${p.checker}`, done: p.done, total: p.total };
        },
      };
    });
    return { summary, scenario: e.sim.scenario };
  }

  /**
   * One of the protocol's declared views at the current event. Each view gets back what it
   * returned the last time for this run, so a view can show what changed (the ring's moved keys).
   */
  view(simId: string, viewId: string): ViewData | null {
    const e = this.entry(simId);
    const data = e.sim.view(viewId, e.lastViews.get(viewId) ?? null);
    if (data !== null) e.lastViews.set(viewId, data);
    return data;
  }

  close(simId: string): { closed: boolean } {
    const e = this.sims.get(simId);
    if (!e) return { closed: false };
    this.stop(e);
    if (e.job) e.job.cancelled = true;
    for (const r of e.reads) r.cancelled = true;
    this.sims.delete(simId);
    return { closed: true };
  }

  /** Stops and drops every simulation (window closed, server stopping). */
  closeAll(): void {
    for (const id of [...this.sims.keys()]) this.close(id);
  }

  /** Stops and drops the simulations an owner made (its socket closed); how many there were. */
  release(owner: string): number {
    let n = 0;
    for (const [id, e] of [...this.sims]) {
      if (e.owner !== owner) continue;
      this.close(id);
      n++;
    }
    return n;
  }

  /** How many simulations are open. */
  get size(): number {
    return this.sims.size;
  }

  private add(sim: Simulation, owner?: string) {
    const simId = `sim-${this.nextId++}`;
    const e: Entry = {
      sim,
      owner: owner ?? null,
      job: null,
      budgetStop: null,
      rewinds: 0,
      reads: new Set(),
      verdicts: null,
      checking: null,
      lastViews: new Map(),
      playing: false,
      speed: 1,
      wallStartMs: 0,
      virtStartUs: 0,
      chunkEvents: 2_000,
      lastProgressMs: Number.NEGATIVE_INFINITY,
      timer: null,
    };
    this.sims.set(simId, e);
    return { status: this.status(simId, e, 0), nodes: this.nodes(simId) };
  }

  private ensureRoom(): void {
    if (this.sims.size >= MAX_SIMULATIONS) {
      throw new DslabApiError({
        code: 'conflict',
        message: `At most ${MAX_SIMULATIONS} simulations can be open at once; close one first.`,
      });
    }
    const host = this.hostOverBudget();
    if (host !== null) throw new DslabApiError({ code: 'too-large', message: `No new run: ${host}` });
  }

  /** Why a run may not go further now: its own memory budget or the host's; null if it may. */
  private overBudget(sim: Simulation): string | null {
    const { simBytes } = this.deps.budgets;
    const bytes = sim.traceRows * BYTES_PER_TRACE_ROW;
    if (bytes > simBytes) {
      return `This run reached its memory budget: its ${sim.traceRows.toLocaleString('en-US')} trace rows take about ${formatBytes(bytes)}, and one run may use ${formatBytes(simBytes)}. Step back or fork from an earlier event, lower the scenario's limits, or raise the budget with ${RAISE_SIM}.`;
    }
    return this.hostOverBudget();
  }

  /** Why the host may not grow now, or null. */
  private hostOverBudget(): string | null {
    const { hostBytes } = this.deps.budgets;
    const used = this.deps.hostBytes();
    if (used <= hostBytes) return null;
    return `DSLab is using ${formatBytes(used)}, over its memory budget of ${formatBytes(hostBytes)}. Close runs you no longer need, or raise the budget with ${RAISE_HOST}.`;
  }

  private entry(simId: string): Entry {
    const e = this.sims.get(simId);
    if (!e) {
      throw new DslabApiError({
        code: 'not-found',
        message: `No open simulation ${simId}.`,
        path: ['simId'],
      });
    }
    return e;
  }

  /** A stepping call: stepping by hand pauses play first, then runs as a job. */
  private async stepping(
    simId: string,
    e: Entry,
    method: string,
    forward: boolean,
    slice: Slice,
    steps?: () => number,
  ) {
    const job = await this.job(simId, e, method, slice, { pauses: true, watch: e.sim, forward });
    if (!this.sims.has(simId)) {
      throw new DslabApiError({
        code: 'conflict',
        message: `${simId} was closed while ${method} ran.`,
        path: ['simId'],
      });
    }
    return this.status(simId, e, steps ? steps() : job.steps, job.matched);
  }

  /** Seeks in slices: to the last checkpoint at or before the target first, then forward. */
  private seekTo(simId: string, e: Entry, method: string, event: number): Promise<SimStatusInfo> {
    const start = e.sim.eventIndex;
    const target = Math.max(0, Math.floor(event));
    if (target < start && !e.job) e.rewinds++; // it restores a checkpoint: a read under way starts over
    return this.stepping(simId, e, method, target > start, this.seekSlice(e.sim, target), () =>
      Math.abs(e.sim.eventIndex - start),
    );
  }

  /** The slices of sim.seek(target): the same state, in pieces of at most `chunk` events. */
  private seekSlice(sim: Simulation, target: number): Slice {
    let first = true;
    return (chunk) => {
      if (first) {
        first = false;
        const cp = sim.checkpointAtOrBefore(target);
        if (target < sim.eventIndex || cp > sim.eventIndex) sim.seek(cp); // a restore, no replay
      }
      const from = sim.eventIndex;
      const to = Math.min(target, from + chunk);
      sim.seek(to);
      const moved = sim.eventIndex - from;
      return { steps: moved, more: sim.eventIndex < target && moved === to - from };
    };
  }

  /**
   * Runs a slice function until it is done, cancelled or over a memory budget: sub-chunks of
   * `chunkEvents` events (adapted so one takes about a quarter of the budget) for at most
   * CHUNK_BUDGET_MS, then a budget check, a progress event and a yield to the event loop, and
   * again. `watch` is the run that grows (the fork for a fork); a call that moves it `forward`
   * does not start when it is over budget. The entry's budgetStop says how it ended.
   */
  private async job(
    simId: string,
    e: Entry,
    method: string,
    slice: Slice,
    opts: { pauses: boolean; watch: Simulation; forward: boolean },
  ): Promise<{
    steps: number;
    matched: boolean | undefined;
    end: 'done' | 'cancelled' | 'budget';
    why: string | null;
  }> {
    this.refuseBusy(simId, e, method);
    if (opts.pauses) this.stop(e);
    let why = opts.forward ? this.overBudget(opts.watch) : null;
    const job: Job = { method, cancelled: false };
    e.job = job;
    let steps = 0;
    let matched: boolean | undefined;
    let more = why === null;
    try {
      while (more && !job.cancelled) {
        const started = this.deps.nowMs();
        while (more && this.deps.nowMs() - started < CHUNK_BUDGET_MS) {
          const before = this.deps.nowMs();
          const asked = e.chunkEvents;
          const r = slice(asked);
          steps += r.steps;
          more = r.more;
          if (r.matched !== undefined) matched = r.matched;
          this.adapt(e, asked, r.steps, this.deps.nowMs() - before);
        }
        if (!more) break;
        why = this.overBudget(opts.watch);
        if (why !== null) break;
        this.progress(simId, e, steps, false);
        await this.deps.yieldNow();
      }
    } finally {
      e.job = null;
    }
    // Where the call ends decides what the status says: a run stopped at its budget says why.
    if (why === null && opts.watch === e.sim) why = opts.forward && !more ? this.overBudget(e.sim) : null;
    if (opts.watch === e.sim) e.budgetStop = why;
    const end = why !== null ? 'budget' : more ? 'cancelled' : 'done';
    return { steps, matched, end, why };
  }

  /**
   * A long read of open runs (history checks, a summary, a comparison), in slices of at most
   * CHUNK_BUDGET_MS like a job, yielding between them, with sim.readProgress at most every
   * PROGRESS_MS. It neither moves the runs nor makes them busy: they may play or step
   * meanwhile, and Pause does not stop it. When `restart` and one of them went back or was
   * changed live (rewinds), the read starts over, since rows it read may now differ; closing
   * one cancels it, and the call answers a conflict.
   */
  private async read<T>(
    method: ReadMethod,
    simIds: string[],
    restart: boolean,
    start: () => Read<T>,
  ): Promise<T> {
    const entries = simIds.map((id) => this.entry(id));
    const token = { cancelled: false };
    for (const e of entries) e.reads.add(token);
    const rewinds = () => entries.map((e) => e.rewinds).join('/');
    let seen = rewinds();
    let lastProgressMs = this.deps.nowMs();
    try {
      let work = start();
      let result: T | null = null;
      const finished = await runSliced(
        () => {
          if (restart && rewinds() !== seen) {
            seen = rewinds();
            work = start();
          }
          result = work.advance(READ_PIECE);
          return result === null;
        },
        {
          clock: this.deps,
          cancelled: () => token.cancelled,
          afterSlice: () => {
            const now = this.deps.nowMs();
            if (now - lastProgressMs < PROGRESS_MS) return;
            lastProgressMs = now;
            this.deps.emitRead({ simId: simIds[0]!, method, ...work.progress() });
          },
        },
      );
      if (!finished || result === null) {
        const closed = simIds.filter((id) => !this.sims.has(id));
        throw new DslabApiError({
          code: 'conflict',
          message: `${closed.join(' and ') || simIds.join(' and ')} was closed while ${method} ran; nothing was answered.`,
          path: ['simId'],
        });
      }
      return result;
    } finally {
      for (const e of entries) e.reads.delete(token);
    }
  }

  /** Refuses a call that would move a run while a stepping call is moving it. */
  private refuseBusy(simId: string, e: Entry, method: string): void {
    if (!e.job) return;
    throw new DslabApiError({
      code: 'busy',
      message: `${simId} is busy with ${e.job.method} (at event ${e.sim.eventIndex.toLocaleString('en-US')}); ${method} can run once it answers, or pause the run to stop it.`,
    });
  }

  /** Sizes the next sub-chunk so one takes about a quarter of the budget. */
  private adapt(e: Entry, asked: number, steps: number, tookMs: number): void {
    if (steps >= asked && tookMs < CHUNK_BUDGET_MS / 8)
      e.chunkEvents = Math.min(e.chunkEvents * 2, 1_000_000);
    else if (tookMs > CHUNK_BUDGET_MS / 2) e.chunkEvents = Math.max(100, Math.floor(e.chunkEvents / 2));
  }

  /** Pushes a progress event, at most every PROGRESS_MS unless `force`. */
  private progress(simId: string, e: Entry, steps: number, force: boolean): void {
    const now = this.deps.nowMs();
    if (!force && now - e.lastProgressMs < PROGRESS_MS) return;
    e.lastProgressMs = now;
    this.deps.emit({ status: this.status(simId, e, steps), nodes: this.nodes(simId) });
  }

  private stop(e: Entry): void {
    e.playing = false;
    if (e.timer !== null) this.deps.cancel(e.timer);
    e.timer = null;
  }

  private scheduleTick(simId: string, e: Entry, delayMs: number): void {
    e.timer = this.deps.schedule(() => this.tick(simId), delayMs);
  }

  private tick(simId: string): void {
    const e = this.sims.get(simId);
    if (!e?.playing) return;
    e.timer = null;
    const started = this.deps.nowMs();
    const targetUs = e.virtStartUs + (started - e.wallStartMs) * 1000 * e.speed;
    let steps = 0;
    let caughtUp = false;
    // Run in sub-chunks until the target time, the budget, or the end.
    while (!e.sim.done && this.deps.nowMs() - started < CHUNK_BUDGET_MS) {
      const before = this.deps.nowMs();
      const asked = e.chunkEvents;
      const r = e.sim.runUntil(Math.floor(targetUs), asked);
      steps += r.steps;
      this.adapt(e, asked, r.steps, this.deps.nowMs() - before);
      if (r.steps < asked) {
        caughtUp = true; // the next event lies beyond the target time (or there is none)
        break;
      }
    }
    e.budgetStop = this.overBudget(e.sim);
    const finished = e.sim.done || e.budgetStop !== null;
    if (finished) e.playing = false;
    this.progress(simId, e, steps, finished);
    if (e.playing) {
      // Caught up with the wall clock: wait a frame; otherwise yield and go on at once.
      this.scheduleTick(simId, e, caughtUp ? 16 : 0);
    }
  }

  private status(simId: string, e: Entry, steps: number, matched?: boolean): SimStatusInfo {
    const s = e.sim.status();
    // A run at a memory budget reads as stopped at a limit, the kernel's own limits first.
    const budget = e.budgetStop !== null && !s.done;
    return {
      simId,
      eventIndex: s.eventIndex,
      nowUs: s.nowUs,
      done: s.done || budget,
      stopReason: budget ? 'memory-budget' : s.stopReason,
      ...(budget ? { stopMessage: e.budgetStop! } : {}),
      violation: s.violation,
      queued: s.queued,
      traceRows: s.traceRows,
      seed: s.seed,
      reachedEvent: e.sim.reachedEvent,
      playing: e.playing,
      steps,
      ...(matched === undefined ? {} : { matched }),
    };
  }
}
