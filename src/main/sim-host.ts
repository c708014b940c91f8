/**
 * The sim host: owns the running simulations of one window (or one web-mode server), runs
 * them in bounded chunks so the process stays responsive, and reports progress as events.
 * It is the only place outside src/sim that drives a Simulation; the renderer sees only the
 * JSON this host returns.
 *
 * Playing: every tick runs events until the virtual time a wall clock at `speed` has reached,
 * but never more than CHUNK_BUDGET_MS of work, then yields to the event loop. So a pause (or any
 * other API call) is handled within one chunk; progress is pushed at most every PROGRESS_MS.
 */
import {
  DslabApiError,
  type SimChange,
  type SimNode,
  type SimStatusInfo,
  type ViewData,
} from '../shared/api';
import type { RunSummary } from '../shared/exercise/run-summary';
import type { Scenario } from '../shared/scenario/schema';
import { createSimulation, type Simulation, type StepResult, type TraceFilter } from '../sim';
import { summarizeRun } from '../sim/run-summary';

/** Most simulations one host keeps at once (each holds a trace and checkpoints). */
export const MAX_SIMULATIONS = 16;
/** Wall-clock work per play tick, milliseconds. */
export const CHUNK_BUDGET_MS = 8;
/** Least wall time between two progress events, milliseconds. */
export const PROGRESS_MS = 50;

interface Entry {
  sim: Simulation;
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
  /** Wall clock in milliseconds (performance.now in production). */
  nowMs(): number;
  /** Schedules the next tick. */
  schedule(fn: () => void, delayMs: number): ReturnType<typeof setTimeout>;
  /** Cancels a scheduled tick. */
  cancel(handle: ReturnType<typeof setTimeout>): void;
}

const defaultDeps = (emit: SimHostDeps['emit']): SimHostDeps => ({
  emit,
  nowMs: () => performance.now(),
  schedule: (fn, delayMs) => setTimeout(fn, delayMs),
  cancel: (h) => clearTimeout(h),
});

export class SimHost {
  private readonly sims = new Map<string, Entry>();
  private nextId = 1;
  private readonly deps: SimHostDeps;

  constructor(deps: Partial<SimHostDeps> & Pick<SimHostDeps, 'emit'>) {
    this.deps = { ...defaultDeps(deps.emit), ...deps };
  }

  /** Starts a simulation of a validated scenario, paused at event 0. */
  create(scenario: Scenario, seed?: number): { status: SimStatusInfo; nodes: SimNode[] } {
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
    return this.add(sim);
  }

  /** A new simulation from an event of an existing one, with a change applied there. */
  fork(simId: string, atEvent: number, change: SimChange): { status: SimStatusInfo; nodes: SimNode[] } {
    const { sim } = this.entry(simId);
    this.ensureRoom();
    return this.add(sim.fork(atEvent, change));
  }

  step(simId: string, count: number): SimStatusInfo {
    return this.drive(simId, (sim) => sim.step(count));
  }

  stepUntil(simId: string, filter: TraceFilter, maxEvents: number): SimStatusInfo {
    return this.drive(simId, (sim) => sim.stepUntil(filter, maxEvents));
  }

  runUntil(simId: string, timeUs: number, maxEvents: number): SimStatusInfo {
    return this.drive(simId, (sim) => sim.runUntil(timeUs, maxEvents));
  }

  stepBack(simId: string, count: number): SimStatusInfo {
    return this.drive(simId, (sim) => sim.stepBack(count));
  }

  seek(simId: string, event: number): SimStatusInfo {
    return this.drive(simId, (sim) => sim.seek(event));
  }

  inject(simId: string, change: SimChange): SimStatusInfo {
    return this.drive(simId, (sim) => sim.applyLive(change), false);
  }

  /** Starts (or re-speeds) background play. */
  play(simId: string, speed: number): SimStatusInfo {
    const e = this.entry(simId);
    e.speed = speed;
    e.wallStartMs = this.deps.nowMs();
    e.virtStartUs = e.sim.nowUs;
    if (!e.playing && !e.sim.done) {
      e.playing = true;
      this.scheduleTick(simId, e, 0);
    }
    return this.status(simId, e, 0);
  }

  /** Stops background play; the next tick will not run. */
  pause(simId: string): SimStatusInfo {
    const e = this.entry(simId);
    this.stop(e);
    return this.status(simId, e, 0);
  }

  trace(simId: string, from: number, to: number, max: number) {
    const { sim } = this.entry(simId);
    return { rows: sim.traceWindow({ from, to }, max), total: sim.traceRows };
  }

  /** The first trace row where two open runs differ (see Simulation.divergence). */
  diverge(a: string, b: string) {
    return this.entry(a).sim.divergence(this.entry(b).sim);
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

  invariants(simId: string) {
    return this.entry(simId).sim.invariants();
  }

  /** The run's summary as the library records it, and the scenario it ran. */
  summary(simId: string): { summary: RunSummary; scenario: Scenario } {
    const { sim } = this.entry(simId);
    return { summary: summarizeRun(sim), scenario: sim.scenario };
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
    this.sims.delete(simId);
    return { closed: true };
  }

  /** Stops and drops every simulation (window closed, server stopping). */
  closeAll(): void {
    for (const id of [...this.sims.keys()]) this.close(id);
  }

  /** How many simulations are open. */
  get size(): number {
    return this.sims.size;
  }

  private add(sim: Simulation) {
    const simId = `sim-${this.nextId++}`;
    const e: Entry = {
      sim,
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

  /** Runs one synchronous stepping call; stepping by hand pauses play first. */
  private drive(simId: string, fn: (sim: Simulation) => StepResult, pauses = true): SimStatusInfo {
    const e = this.entry(simId);
    if (pauses) this.stop(e);
    const r = fn(e.sim);
    if (e.playing) {
      // A live change while playing: keep the wall/virtual anchor consistent.
      e.wallStartMs = this.deps.nowMs();
      e.virtStartUs = e.sim.nowUs;
    }
    return this.status(simId, e, r.steps, r.matched);
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
      const r = e.sim.runUntil(Math.floor(targetUs), e.chunkEvents);
      steps += r.steps;
      const took = this.deps.nowMs() - before;
      // Adapt the sub-chunk so one takes about a quarter of the budget.
      if (r.steps >= e.chunkEvents && took < CHUNK_BUDGET_MS / 8)
        e.chunkEvents = Math.min(e.chunkEvents * 2, 1_000_000);
      else if (took > CHUNK_BUDGET_MS / 2) e.chunkEvents = Math.max(100, Math.floor(e.chunkEvents / 2));
      if (r.steps < e.chunkEvents) {
        caughtUp = true; // the next event lies beyond the target time (or there is none)
        break;
      }
    }
    const now = this.deps.nowMs();
    const finished = e.sim.done;
    if (finished) e.playing = false;
    if (finished || now - e.lastProgressMs >= PROGRESS_MS) {
      e.lastProgressMs = now;
      this.deps.emit({ status: this.status(simId, e, steps), nodes: this.nodes(simId) });
    }
    if (e.playing) {
      // Caught up with the wall clock: wait a frame; otherwise yield and go on at once.
      this.scheduleTick(simId, e, caughtUp ? 16 : 0);
    }
  }

  private status(simId: string, e: Entry, steps: number, matched?: boolean): SimStatusInfo {
    const s = e.sim.status();
    return {
      simId,
      eventIndex: s.eventIndex,
      nowUs: s.nowUs,
      done: s.done,
      stopReason: s.stopReason,
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
