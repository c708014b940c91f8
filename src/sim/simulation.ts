import {
  type Fault,
  type FaultInput,
  FaultSchema,
  type Scenario,
  ScenarioSchema,
} from '../shared/scenario/schema';
import { checkScenario, getProtocol, type ScenarioIssue } from './catalog';
import { historyChecker, type KvOp } from './checkers/history';
import { Kernel, type KernelSnapshot, type Series, type StopReason, type Violation } from './kernel/kernel';
import { TRACE_KIND_NAMES, type TraceEvent, TraceKind, type TraceKindName } from './kernel/trace';
import type { NodeBadge } from './protocol';

/** A change applied at an event: live injection, or the difference of a fork. */
export type Change =
  | { kind: 'fault'; fault: FaultInput }
  | { kind: 'params'; params: Record<string, unknown> }
  | { kind: 'seed'; seed: number };

/** Options for a simulation. */
export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Events between checkpoints (default 10,000). */
  checkpointEvery?: number;
  /** Checkpoints kept before thinning (default 512): every other one is dropped and the interval doubles. */
  maxCheckpoints?: number;
}

/** Selects trace rows for stepUntil. Every given field must match. */
export interface TraceFilter {
  /** Row kind(s). */
  kind?: TraceKindName | TraceKindName[];
  /** Node id. */
  node?: string;
  /** Message type. */
  msgType?: string;
}

/** Where a run is (JSON). */
export interface SimStatus {
  /** Events processed. */
  eventIndex: number;
  /** Virtual time of the last event, microseconds. */
  nowUs: number;
  /** True when no more events will be processed. */
  done: boolean;
  /** Why it stopped, if it did. */
  stopReason: StopReason | null;
  /** The broken invariant, if any. */
  violation: Violation | null;
  /** Events queued. */
  queued: number;
  /** Trace rows. */
  traceRows: number;
  /** The seed. */
  seed: number;
}

/** A node as the inspector and the canvas see it (JSON). */
export interface NodeInfo {
  /** Node id. */
  id: string;
  /** Role ('switch' for switches). */
  role: string;
  /** Display name. */
  name: string;
  /** False when crashed or removed. */
  up: boolean;
  /** True when paused. */
  paused: boolean;
  /** True when removed from the topology. */
  removed: boolean;
  /** The node's local clock, microseconds. */
  localTimeUs: number;
  /** Local clock minus true time, microseconds. */
  clockErrorUs: number;
  /** Names of pending timers. */
  timers: string[];
  /** Protocol state (the durable part while crashed; null for switches). */
  state: unknown;
  /** Badge summary. */
  badge: NodeBadge;
}

/** One checker verdict. */
export interface Verdict {
  /** Invariant or history checker id. */
  id: string;
  /** Where it is evaluated. */
  kind: 'invariant' | 'history';
  /** true holds, false broken, null not evaluated (history checkers before the end, or not registered). */
  ok: boolean | null;
  /** Explanation. */
  message: string;
  /** Event index of the violation (or of the evaluation), null if none. */
  atEvent: number | null;
}

/** What a stepping call reports. */
export interface StepResult extends SimStatus {
  /** Events processed by this call. */
  steps: number;
  /** For stepUntil: whether a matching row was found. */
  matched?: boolean;
}

/** Thrown when a scenario does not fit its protocol; `issues` name the paths. */
export class ScenarioError extends Error {
  constructor(
    /** What is wrong, with paths. */
    readonly issues: ScenarioIssue[],
  ) {
    super(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    this.name = 'ScenarioError';
  }
}

interface Injection {
  atEvent: number;
  change: Change;
}

/**
 * A simulation run with stepping in both directions. Forward steps run the kernel. Backward
 * moves and seeks restore the nearest checkpoint at or before the target and replay from it;
 * since the kernel is deterministic, replay reaches exactly the state of a straight run.
 * Live injections are logged with the event index they were made at, so replay repeats them.
 * The trace always holds the rows of events 1..eventIndex: a step back drops later rows.
 */
export class Simulation {
  /** The scenario (validated). */
  readonly scenario: Scenario;
  private kernel: Kernel;
  private readonly every0: number;
  private every: number;
  private readonly maxCheckpoints: number;
  private cps = new Map<number, KernelSnapshot>();
  private cpIndexes: number[] = [];
  private injections: Injection[] = [];
  private injPtr = 0;
  private readonly opts: SimulationOptions;

  constructor(scenario: Scenario, opts: SimulationOptions = {}) {
    this.scenario = scenario;
    this.opts = opts;
    const protocol = getProtocol(scenario.protocol);
    const issues = checkScenario(scenario);
    if (protocol === undefined || issues.length > 0)
      throw new ScenarioError(
        issues.length > 0 ? issues : [{ path: ['protocol'], message: 'unknown protocol' }],
      );
    this.kernel = new Kernel(protocol, scenario, opts.seed ?? scenario.seed);
    this.every0 = Math.max(1, opts.checkpointEvery ?? 10_000);
    this.every = this.every0;
    this.maxCheckpoints = Math.max(4, opts.maxCheckpoints ?? 512);
    this.addCheckpoint();
  }

  /** Validates unknown data (a parsed file) and creates a simulation. Throws ZodError naming the path. */
  static fromData(data: unknown, opts: SimulationOptions = {}): Simulation {
    return new Simulation(ScenarioSchema.parse(data), opts);
  }

  // -------------------------------------------------------------- getters

  /** Events processed. */
  get eventIndex(): number {
    return this.kernel.eventIndex;
  }
  /** Virtual time of the last processed event, microseconds. */
  get nowUs(): number {
    return this.kernel.nowUs;
  }
  /** True when the run cannot go on (queue empty, limit, violation). */
  get done(): boolean {
    return this.kernel.stopReason !== null;
  }
  /** Why the run stopped, or null. */
  get stopReason(): StopReason | null {
    return this.kernel.stopReason;
  }
  /** The broken invariant, or null. */
  get violation(): Violation | null {
    return this.kernel.violation;
  }
  /** The run's seed. */
  get seed(): number {
    return this.kernel.seed;
  }

  /** Where the run is. */
  status(): SimStatus {
    const k = this.kernel;
    return {
      eventIndex: k.eventIndex,
      nowUs: k.nowUs,
      done: this.done,
      stopReason: k.stopReason,
      violation: k.violation,
      queued: k.queued,
      traceRows: k.trace.length,
      seed: k.seed,
    };
  }

  // -------------------------------------------------------------- forward

  private applyInjections(): void {
    const k = this.kernel;
    while (this.injPtr < this.injections.length && this.injections[this.injPtr]!.atEvent === k.eventIndex) {
      this.applyChange(this.injections[this.injPtr]!.change);
      this.injPtr++;
    }
  }

  private applyChange(c: Change): void {
    const k = this.kernel;
    if (c.kind === 'fault') k.injectFault(FaultSchema.parse(c.fault) as Fault);
    else if (c.kind === 'params') k.setParams(c.params);
    else k.reseed(c.seed);
  }

  /** One event; false when the run cannot go on. */
  private advance(): boolean {
    this.applyInjections();
    const k = this.kernel;
    if (!k.stepOne()) return false;
    // Checkpoints hold the state before the changes made live at their event...
    if (k.eventIndex % this.every === 0 && !this.cps.has(k.eventIndex)) this.addCheckpoint();
    // ...and every move ends with them applied, as they were when first made.
    this.applyInjections();
    return true;
  }

  private addCheckpoint(): void {
    const idx = this.kernel.eventIndex;
    this.cps.set(idx, this.kernel.save());
    this.cpIndexes.push(idx);
    if (this.cpIndexes.length > this.maxCheckpoints) {
      // Thin: keep checkpoint 0 and every other one, double the interval. Memory stays bounded
      // and replay after a step back stays proportional to the interval.
      this.every *= 2;
      const keep = this.cpIndexes.filter((i) => i % this.every === 0 || i === 0);
      for (const i of this.cpIndexes) if (!keep.includes(i)) this.cps.delete(i);
      this.cpIndexes = keep;
    }
  }

  private result(steps: number, matched?: boolean): StepResult {
    const r: StepResult = { ...this.status(), steps };
    if (matched !== undefined) r.matched = matched;
    return r;
  }

  /** Processes up to n events. */
  step(n = 1): StepResult {
    let steps = 0;
    while (steps < n && this.advance()) steps++;
    return this.result(steps);
  }

  /** Processes up to maxEvents events (a bounded chunk, so a host stays responsive). */
  runFor(maxEvents: number): StepResult {
    return this.step(maxEvents);
  }

  /**
   * Processes events whose time is <= timeUs, at most maxEvents of them. nowUs then is the
   * time of the last event processed (time only moves with events).
   */
  runUntil(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): StepResult {
    let steps = 0;
    const k = this.kernel;
    while (steps < maxEvents) {
      this.applyInjections();
      const next = k.nextEventUs();
      if (next < 0 || next > timeUs) break;
      if (!this.advance()) break;
      steps++;
    }
    return this.result(steps);
  }

  /** Steps until an event writes a trace row matching the filter (at most maxEvents events). */
  stepUntil(filter: TraceFilter, maxEvents = 1_000_000): StepResult {
    const k = this.kernel;
    const t = k.trace;
    const kinds =
      filter.kind === undefined
        ? null
        : new Set((Array.isArray(filter.kind) ? filter.kind : [filter.kind]).map((n) => TraceKind[n]));
    const node = filter.node === undefined ? -2 : k.indexOf(filter.node);
    const type = filter.msgType === undefined ? -2 : k.strings.id(filter.msgType);
    let steps = 0;
    while (steps < maxEvents) {
      const before = t.length;
      if (!this.advance()) break;
      steps++;
      for (let r = before; r < t.length; r++) {
        if (kinds !== null && !kinds.has(t.kindAt(r) as never)) continue;
        if (node !== -2 && t.nodeAt(r) !== node) continue;
        if (type !== -2 && t.msgTypeAt(r) !== type) continue;
        return this.result(steps, true);
      }
    }
    return this.result(steps, false);
  }

  // -------------------------------------------------------------- backward

  /** Goes back n events (to 0 at most). */
  stepBack(n = 1): StepResult {
    return this.seek(Math.max(0, this.kernel.eventIndex - n));
  }

  /**
   * Puts the run at event `target` (after events 1..target and the injections made there).
   * Forward seeks past the end stop at the end.
   */
  seek(target: number): StepResult {
    const k = this.kernel;
    target = Math.max(0, Math.floor(target));
    let best = -1;
    for (const i of this.cpIndexes) if (i <= target && i > best) best = i;
    if (target < k.eventIndex || best > k.eventIndex) {
      k.load(this.cps.get(best)!);
      this.injPtr = this.injections.findIndex((x) => x.atEvent >= best);
      if (this.injPtr < 0) this.injPtr = this.injections.length;
    }
    const start = k.eventIndex;
    while (k.eventIndex < target && this.advance()) {}
    this.applyInjections();
    return this.result(Math.abs(k.eventIndex - start));
  }

  // -------------------------------------------------------------- changes

  /**
   * Applies a change now: a fault is queued at the current time, params and seed take effect
   * at once. If the run had been stepped back, the old future is forgotten from here.
   */
  applyLive(change: Change): StepResult {
    const at = this.kernel.eventIndex;
    // Applied first: an invalid change throws here and nothing is logged or forgotten.
    this.applyChange(change);
    this.injections = this.injections.filter((x) => x.atEvent <= at);
    this.cpIndexes = this.cpIndexes.filter((i) => {
      if (i <= at) return true;
      this.cps.delete(i);
      return false;
    });
    this.injections.push({ atEvent: at, change });
    this.injPtr = this.injections.length;
    return this.result(0);
  }

  /** Injects a fault now (validated; throws a ZodError naming the path). */
  inject(fault: FaultInput): StepResult {
    return this.applyLive({ kind: 'fault', fault });
  }

  /**
   * A new run that shares this one's past up to event atEvent and then has `change` applied:
   * the two futures can be compared. The fork copies this run's trace, series and history up
   * to the last checkpoint at or before atEvent, shares the checkpoints (they are immutable)
   * and replays at most one checkpoint interval. A fork past this run's current event replays
   * from the start instead.
   */
  fork(atEvent: number, change: Change): Simulation {
    const f = new Simulation(this.scenario, { ...this.opts, seed: this.opts.seed ?? this.scenario.seed });
    atEvent = Math.max(0, Math.floor(atEvent));
    f.injections = this.injections.filter((x) => x.atEvent <= atEvent);
    f.injPtr = 0;
    if (atEvent <= this.kernel.eventIndex) {
      let best = 0;
      for (const i of this.cpIndexes) if (i <= atEvent && i > best) best = i;
      const snap = this.cps.get(best)!;
      f.kernel.adopt(this.kernel, snap);
      f.cps = new Map();
      f.cpIndexes = this.cpIndexes.filter((i) => i <= best);
      for (const i of f.cpIndexes) f.cps.set(i, this.cps.get(i)!);
      f.every = this.every;
      f.injPtr = f.injections.findIndex((x) => x.atEvent >= best);
      if (f.injPtr < 0) f.injPtr = f.injections.length;
    }
    f.seek(atEvent);
    f.applyLive(change);
    return f;
  }

  // -------------------------------------------------------------- trace

  /**
   * Trace rows by event index [from, to) or by time [fromUs, toUs), at most `max` rows
   * (default 5,000).
   */
  traceWindow(q: { from: number; to: number } | { fromUs: number; toUs: number }, max = 5000): TraceEvent[] {
    const t = this.kernel.trace;
    if ('from' in q) return t.rows(t.rowOfIndex(q.from), t.rowOfIndex(q.to), max);
    return t.rows(t.rowOfTime(q.fromUs), t.rowOfTime(q.toUs), max);
  }

  /** Number of trace rows. */
  get traceRows(): number {
    return this.kernel.trace.length;
  }

  /** The stable hash of the trace so far (16 hex digits). */
  traceHash(): string {
    return this.kernel.trace.hash();
  }

  /** Trace rows for events [from, to) as NDJSON (one JSON object a line). */
  exportNdjson(from = 0, to = Number.POSITIVE_INFINITY): string {
    const t = this.kernel.trace;
    const a = t.rowOfIndex(from);
    const b = to === Number.POSITIVE_INFINITY ? t.length : t.rowOfIndex(to);
    const lines: string[] = [];
    for (let r = a; r < b; r++) lines.push(JSON.stringify(t.row(r)));
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  /** Trace kind names (for filters). */
  static traceKinds(): readonly TraceKindName[] {
    return TRACE_KIND_NAMES;
  }

  // -------------------------------------------------------------- inspection

  /** Counters, gauges and time series. */
  metrics(): { counters: Record<string, number>; gauges: Record<string, number>; series: Series[] } {
    return this.kernel.metrics();
  }

  /** Every node (switches and removed nodes included), in scenario order. */
  nodeStates(): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (let i = 0; i < this.kernel.nodeCount; i++) out.push(this.kernel.nodeInfo(i));
    return out;
  }

  /** One node, or undefined. */
  nodeState(id: string): NodeInfo | undefined {
    const i = this.kernel.indexOf(id);
    return i < 0 ? undefined : this.kernel.nodeInfo(i);
  }

  /** Route between two nodes as link ids (null when unreachable). */
  route(from: string, to: string): string[] | null {
    return this.kernel.routeIds(from, to);
  }

  /** The client history so far. */
  history(): KvOp[] {
    return this.kernel.kvHistory();
  }

  /**
   * Checker verdicts: every invariant (false at the violating event), then every history
   * checker (evaluated only once the run is done; null before, or when not registered).
   */
  invariants(): Verdict[] {
    const k = this.kernel;
    const v = k.violation;
    const out: Verdict[] = k.protocol.invariants.map((inv) =>
      v !== null && v.invariant === inv.id
        ? { id: inv.id, kind: 'invariant', ok: false, message: v.message, atEvent: v.eventIndex }
        : { id: inv.id, kind: 'invariant', ok: true, message: inv.title, atEvent: null },
    );
    for (const id of k.protocol.historyCheckers) {
      const check = historyChecker(id);
      if (!this.done || check === undefined) {
        out.push({
          id,
          kind: 'history',
          ok: null,
          message: check === undefined ? 'checker not registered' : 'evaluated when the run is done',
          atEvent: null,
        });
        continue;
      }
      const r = check(k.kvHistory());
      out.push({ id, kind: 'history', ok: r.ok, message: r.message ?? '', atEvent: k.eventIndex });
    }
    return out;
  }

  /** Live changes made so far, with the event index each was made at (save them with a run to replay it). */
  injectionLog(): { atEvent: number; change: Change }[] {
    return this.injections.map((x) => ({ atEvent: x.atEvent, change: x.change }));
  }

  /**
   * The first trace row where this run and `other` differ, comparing rows in order on event
   * index, virtual time, kind, node, peer, message type and detail (send ids are left out: they
   * are counters, and they follow from the rest up to the first difference). Only the rows
   * both runs have recorded are compared; when one run has ended (done) and the other has rows
   * past its end, the first of those is the difference. Pure: neither run moves.
   */
  divergence(other: Simulation): Divergence {
    const ta = this.kernel.trace;
    const tb = other.kernel.trace;
    const n = Math.min(ta.length, tb.length);
    for (let r = 0; r < n; r++) if (!ta.sameRowAs(tb, r)) return divergedAt(r, ta.row(r), tb.row(r), n);
    if (ta.length !== tb.length && (ta.length < tb.length ? this.done : other.done)) {
      const a = n < ta.length ? ta.row(n) : null;
      const b = n < tb.length ? tb.row(n) : null;
      return divergedAt(n, a, b, n);
    }
    return { compared: n, row: null, index: null, timeUs: null, a: null, b: null };
  }

  /** Number of checkpoints held (for diagnostics and the benchmark). */
  get checkpointCount(): number {
    return this.cpIndexes.length;
  }

  /** Direct kernel access for tests and the benchmark (not part of the host API). */
  get kernelForTests(): Kernel {
    return this.kernel;
  }
}

/** Where two runs' traces first differ (Simulation.divergence). */
export interface Divergence {
  /** Rows compared (both runs had them). */
  compared: number;
  /** First differing row number, or null when the compared rows are all equal. */
  row: number | null;
  /** Event index of the difference (the earlier of the two rows' events), or null. */
  index: number | null;
  /** Virtual time of the difference (the earlier of the two rows), µs, or null. */
  timeUs: number | null;
  /** This run's row there (null past its end). */
  a: TraceEvent | null;
  /** The other run's row there (null past its end). */
  b: TraceEvent | null;
}

/** Whether two trace rows record the same happening (send ids left out, see divergence). */
export function sameTraceRow(a: TraceEvent, b: TraceEvent): boolean {
  return (
    a.index === b.index &&
    a.timeUs === b.timeUs &&
    a.kind === b.kind &&
    a.node === b.node &&
    a.peer === b.peer &&
    a.msgType === b.msgType &&
    a.detail === b.detail
  );
}

function divergedAt(row: number, a: TraceEvent | null, b: TraceEvent | null, compared: number): Divergence {
  const first = !a
    ? b
    : !b
      ? a
      : a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.index <= b.index)
        ? a
        : b;
  return { compared, row, index: first?.index ?? null, timeUs: first?.timeUs ?? null, a, b };
}

/** Creates a simulation from a scenario (validated here). */
export function createSimulation(scenario: unknown, opts: SimulationOptions = {}): Simulation {
  return Simulation.fromData(scenario, opts);
}
