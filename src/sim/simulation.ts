import type { ViewData } from '../shared/api/views';
import {
  type Fault,
  type FaultInput,
  FaultSchema,
  type Scenario,
  ScenarioSchema,
} from '../shared/scenario/schema';
import { checkScenario, getProtocol, type ScenarioIssue } from './catalog';
import { type HistoryCheckRun, historyChecker, type KvOp, startHistoryCheck } from './checkers/history';
import {
  Kernel,
  type KernelSnapshot,
  type NetworkView,
  type Series,
  type StopReason,
  type Violation,
} from './kernel/kernel';
import { kvWindowSeries, staleReadList } from './kernel/kv-metrics';
import { meanLatencyUs } from './kernel/latency';
import { TRACE_KIND_NAMES, type TraceEvent, TraceKind, type TraceKindName } from './kernel/trace';
import type { Workload } from './kernel/workload';
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
  /** Canvas position, as the scenario or the add-node fault that added the node gave it. */
  x: number;
  y: number;
  /** False when crashed or removed. */
  up: boolean;
  /** True when paused. */
  paused: boolean;
  /** True when removed from the topology. */
  removed: boolean;
  /** True when the run added it (an add-node fault): the scenario's topology does not have it. */
  added: boolean;
  /** The node's local clock, microseconds. */
  localTimeUs: number;
  /** Local clock minus true time, microseconds. */
  clockErrorUs: number;
  /** What a slew of the clock in progress still has to apply, signed microseconds (0: none). */
  slewLeftUs: number;
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
  kind: 'invariant' | 'liveness' | 'history';
  /** true holds, false broken, null not evaluated (history checkers before the end, or not registered). */
  ok: boolean | null;
  /** Explanation. */
  message: string;
  /** Event index of the violation (or of the evaluation), null if none. */
  atEvent: number | null;
  /** What the check promises, when the verdict has a title of its own (history and run checks). */
  title?: string;
  /**
   * Set when the protocol does not promise this check with these params (Protocol.notPromised):
   * why. A failure is then what the lesson shows, not a bug, and does not fail the run.
   */
  lesson?: string;
  /** For a failure: one line per item that shows it (the offending operations, the lost writes). */
  details?: string[];
  /** For a failed history check: the client operations that show it, where they happened and why. */
  offending?: OffendingOp[];
}

/**
 * A client operation a failed history check names (Verdict.offending): what it did, where it
 * was invoked and answered (node and event, for the space-time diagram) and its part in the
 * failure. `offending` ops are the ones the history cannot explain (a read of a value it could
 * not have seen); the others are what they are judged against (the writes before them).
 */
export interface OffendingOp {
  /** Operation id. */
  opId: number;
  /** True for an operation the history cannot explain; false for one it is judged against. */
  offending: boolean;
  /** Its part, in one line ("stale read: got v1, v2 was written before it began"). */
  why: string;
  /** The client node that invoked it. */
  client: string;
  kind: 'read' | 'write';
  key: string;
  /** A write's value. */
  value?: string;
  /** A read's answer (null: the key missing); absent when never answered. */
  output?: string | null;
  /** Virtual time of the invocation and of the answer (null: never answered), µs. */
  callUs: number;
  returnUs: number | null;
  /** The event of the invocation. */
  invokeEvent: number;
  /** The node that answered and the event of the answer (null: never answered). */
  replyNode: string | null;
  returnEvent: number | null;
}

/**
 * The history checkers every run with a workload gets, whatever its protocol declares: a
 * key-value run (one whose clients answer the workload's reads and writes) says whether its
 * history was linearizable. A protocol that does not promise it says so (Protocol.notPromised).
 */
export const KV_HISTORY_CHECKERS: readonly string[] = ['linearizability'];

/** Titles of the built-in history checkers. */
const HISTORY_TITLES: Record<string, string> = {
  linearizability:
    'Linearizable: each read and write takes effect at one instant between its call and its answer',
};

/** Most detail lines a verdict carries. */
const MAX_DETAILS = 200;

/** One client operation of the history as a line: `#12 client 1 read key-3 -> v9 [1.200-1.234 ms]`. */
export function describeOp(op: KvOp): string {
  const ms = (us: number) => (us / 1000).toFixed(3);
  const what =
    op.kind === 'put'
      ? `write ${op.key}=${op.value ?? ''}`
      : `read ${op.key} -> ${op.returnUs === null ? '?' : op.output === null || op.output === undefined ? 'missing' : op.output}`;
  const until = op.returnUs === null ? 'no answer' : `${ms(op.returnUs)} ms`;
  return `#${op.id} client ${op.client} ${what} [${ms(op.callUs)} ms - ${until}]`;
}

/** Most operations a verdict's `offending` list names. */
const MAX_OFFENDING = 200;

/**
 * The operations a history verdict names, placed (OffendingOp): its checker's notes, and every
 * stale read of the history (kernel/kv-metrics.ts `staleReadList`: each one a violation of
 * linearizability on its own, where the checker stops at the first it cannot place). Offending
 * ones first, by call time, then the ones they are judged against; at most MAX_OFFENDING.
 */
function offendingOps(
  workload: Workload,
  history: readonly KvOp[],
  notes: readonly { op: number; offending: boolean; why: string }[],
): OffendingOp[] {
  const byId = new Map(history.map((op) => [op.id, op]));
  const parts = new Map<number, { offending: boolean; why: string }>();
  const show = (v: string | null | undefined) => (v === null || v === undefined ? 'nothing' : v);
  const stale = staleReadList(history).stale;
  for (const s of stale) {
    const newer = byId.get(s.newer)!;
    const read = byId.get(s.id)!;
    parts.set(s.id, {
      offending: true,
      why: `stale read: got ${show(read.output)}, but ${show(newer.value)} was written (op #${newer.id}) before it began`,
    });
  }
  for (const n of notes) {
    const had = parts.get(n.op);
    if (had === undefined || (n.offending && !had.offending))
      parts.set(n.op, { offending: n.offending, why: n.why });
  }
  for (const s of stale) {
    const newer = parts.get(s.newer);
    if (newer === undefined)
      parts.set(s.newer, { offending: false, why: `written before op #${s.id} began` });
  }
  const ids = [...parts.keys()].filter((id) => byId.has(id));
  ids.sort((a, b) => {
    const pa = parts.get(a)!;
    const pb = parts.get(b)!;
    if (pa.offending !== pb.offending) return pa.offending ? -1 : 1;
    return byId.get(a)!.callUs - byId.get(b)!.callUs || a - b;
  });
  const chosen = ids.slice(0, MAX_OFFENDING);
  const places = workload.places(new Set(chosen));
  const out: OffendingOp[] = [];
  for (const id of chosen) {
    const op = byId.get(id)!;
    const place = places.get(id);
    if (place === undefined) continue;
    const o: OffendingOp = {
      opId: id,
      ...parts.get(id)!,
      client: place.client,
      kind: op.kind === 'put' ? 'write' : 'read',
      key: op.key,
      callUs: op.callUs,
      returnUs: op.returnUs,
      invokeEvent: place.invokeEvent,
      replyNode: place.replyNode,
      returnEvent: place.returnEvent,
    };
    if (op.kind === 'put' && op.value !== undefined) o.value = op.value;
    if (op.kind === 'get' && op.returnUs !== null) o.output = op.output ?? null;
    out.push(o);
  }
  return out;
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

/** A link as the canvas draws it during a run (JSON). */
export interface LinkInfo {
  /** Link id. */
  id: string;
  /** One end (a-to-b starts here). */
  a: string;
  /** The other end. */
  b: string;
  /** ok, cut both ways, cut one way (see cutDirection), or degraded (network properties differ from the scenario's). A cut wins over degraded. */
  state: 'ok' | 'cut' | 'cut-one-way' | 'degraded';
  /** For a one-way cut: the direction that is cut; null otherwise. */
  cutDirection: 'a-to-b' | 'b-to-a' | null;
  /** What cuts it: a cut-link fault on the link itself, a node partition, or both (empty when not cut). */
  cutBy: ('link' | 'partition')[];
  /** True when its loss, duplication, reordering or latency differ from the scenario's. */
  degraded: boolean;
  /** Loss rate now. */
  lossRate: number;
  /** Loss rate in the scenario (null for a link added by a fault). */
  scenarioLossRate: number | null;
  /** Mean latency now, microseconds. */
  meanLatencyUs: number;
  /** Mean latency in the scenario, microseconds (null for a link added by a fault). */
  scenarioMeanLatencyUs: number | null;
}

/** A node that cannot exchange messages both ways with some others (JSON). */
export interface CutOffInfo {
  /** Node id. */
  node: string;
  /** The protocol nodes it cannot reach or hear from, sorted. */
  from: string[];
  /** True when it can talk both ways with at most half of the protocol nodes (itself included): cut off from the majority. */
  minority: boolean;
}

/** The network's state at the current event (JSON). */
export interface LinksInfo {
  /** The event this describes. */
  eventIndex: number;
  /** Every present link, in scenario order. */
  links: LinkInfo[];
  /** Nodes cut off from others (empty when nothing is cut; null above MAX_CUT_OFF_NODES protocol nodes). */
  cutOff: CutOffInfo[] | null;
}

/** Most protocol nodes for which links() works out who is cut off from whom (it is quadratic). */
export const MAX_CUT_OFF_NODES = 100;

/** Whether a partition rule drops messages from src to dst (the kernel's rule, by node id). */
function partitionRules(partitions: NetworkView['partitions']): (src: string, dst: string) => boolean {
  const rules = partitions.map((p) => {
    if (p.groups === undefined) return { groupOf: null, from: new Set(p.from), to: new Set(p.to) };
    const groupOf = new Map<string, number>();
    p.groups.forEach((g, k) => {
      for (const id of g) groupOf.set(id, k);
    });
    return { groupOf, from: null, to: null };
  });
  return (src, dst) => {
    for (const r of rules) {
      if (r.groupOf !== null) {
        const a = r.groupOf.get(src);
        const b = r.groupOf.get(dst);
        if (a !== undefined && b !== undefined && a !== b) return true;
      } else if (r.from?.has(src) && r.to?.has(dst)) return true;
    }
    return false;
  };
}

/**
 * The protocol nodes on one side of a link: the end itself when it is a protocol node, else
 * the protocol nodes its switches reach without crossing the link (cuts aside: this is who
 * could send across the link, not who can now).
 */
function sideOf(
  kinds: ReadonlyMap<string, 'switch' | 'node'>,
  adj: ReadonlyMap<string, { link: string; other: string }[]>,
  end: string,
  link: string,
): string[] {
  if (kinds.get(end) !== 'switch') return [end];
  const seen = new Set([end]);
  const out: string[] = [];
  const stack = [end];
  while (stack.length > 0) {
    const u = stack.pop()!;
    for (const e of adj.get(u) ?? []) {
      if (e.link === link || seen.has(e.other)) continue;
      seen.add(e.other);
      const kind = kinds.get(e.other);
      if (kind === 'switch') stack.push(e.other);
      else if (kind === 'node') out.push(e.other);
    }
  }
  return out;
}

interface Injection {
  atEvent: number;
  /** Virtual time when it was made (a live fault happens at this time). */
  atUs: number;
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
  /** The furthest event left by a seek since the last live change (see reachedEvent). */
  private reached = 0;
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
  /**
   * The furthest event this run has reached. After a step back or seek, the events up to here
   * are a known future (replay is deterministic); a live change forgets the future after it.
   * Not part of status(): it is where the run has been, not the state it is in.
   */
  get reachedEvent(): number {
    return Math.max(this.reached, this.kernel.eventIndex);
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
    // Remember how far the run had got before leaving (kept out of advance(), the hot path).
    if (k.eventIndex > this.reached) this.reached = k.eventIndex;
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
    this.injections.push({ atEvent: at, atUs: this.kernel.nowUs, change });
    this.injPtr = this.injections.length;
    this.reached = at;
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
    const f = this.forkBase(atEvent);
    f.seek(Math.max(0, Math.floor(atEvent)));
    f.applyLive(change);
    return f;
  }

  /**
   * The first half of fork: the new run, holding this one's past up to the last checkpoint at
   * or before atEvent (or event 0), not yet replayed to atEvent. A host that replays in chunks
   * seeks it there and applies the change itself; fork does both at once.
   */
  forkBase(atEvent: number): Simulation {
    const f = new Simulation(this.scenario, { ...this.opts, seed: this.opts.seed ?? this.scenario.seed });
    atEvent = Math.max(0, Math.floor(atEvent));
    f.injections = this.injections.filter((x) => x.atEvent <= atEvent);
    f.injPtr = 0;
    if (atEvent <= this.kernel.eventIndex) {
      const best = this.checkpointAtOrBefore(atEvent);
      const snap = this.cps.get(best)!;
      f.kernel.adopt(this.kernel, snap);
      f.cps = new Map();
      f.cpIndexes = this.cpIndexes.filter((i) => i <= best);
      for (const i of f.cpIndexes) f.cps.set(i, this.cps.get(i)!);
      f.every = this.every;
      f.injPtr = f.injections.findIndex((x) => x.atEvent >= best);
      if (f.injPtr < 0) f.injPtr = f.injections.length;
    }
    return f;
  }

  /**
   * The event of the last checkpoint at or before `event`: where seek(event) restores from
   * when it goes back, or jumps to when it lies ahead of the current event. A host that replays
   * in chunks seeks there first, then forward a chunk at a time.
   */
  checkpointAtOrBefore(event: number): number {
    let best = 0;
    for (const i of this.cpIndexes) if (i <= event && i > best) best = i;
    return best;
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
    const m = this.kernel.metrics();
    if (this.scenario.workload.kind === 'none') return m;
    // Read off the client history (kernel/kv-metrics.ts), like the kernel's own key-value gauges.
    const { reads, stale } = staleReadList(this.kernel.kvHistory());
    m.gauges.staleReads = stale.length;
    if (reads > 0) m.gauges.staleReadRate = stale.length / reads;
    // CAP over time: availability against stale reads, per window (kv-metrics.ts kvWindowSeries).
    const staleIds = new Set(stale.map((s) => s.id));
    const finished = this.kernel.workload.finishedOps().map((op) => ({
      endUs: op.endUs,
      outcome: op.outcome,
      ...(op.read && op.outcome === 'ok' ? { stale: staleIds.has(op.id) } : {}),
    }));
    const windows = kvWindowSeries(finished, this.kernel.nowUs);
    m.series.push({ id: 'windowAvailability', unit: 'fraction', ...windows.availability });
    m.series.push({ id: 'windowStaleReads', unit: 'fraction', ...windows.staleReads });
    // Time to converge after healing, where the protocol measures divergence (a metric whose id
    // starts with "divergent", e.g. replicas disagreeing on a key): from the last heal so far to
    // the first sample at or after it that reads 0.
    const heals = [
      ...this.scenario.faults.filter((f) => f.fault.kind === 'heal').map((f) => f.atUs),
      ...this.liveFaults()
        .filter((f) => f.fault.kind === 'heal')
        .map((f) => f.atUs),
    ].filter((t) => t <= this.kernel.nowUs);
    const divergence = m.series.find((s) => s.id.startsWith('divergent'));
    if (heals.length > 0 && divergence !== undefined) {
      const healUs = Math.max(...heals);
      const k = divergence.tUs.findIndex((t, i) => t >= healUs && divergence.v[i] === 0);
      if (k >= 0) m.gauges.convergedAfterHealUs = divergence.tUs[k]! - healUs;
    }
    return m;
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

  /**
   * One of the protocol's declared views (Protocol.views) at the current event, or null when
   * the protocol has no such view or nothing to show yet. `previous` is what the caller got
   * the last time it asked for this view of this run.
   */
  view(id: string, previous: ViewData | null = null): ViewData | null {
    const spec = this.kernel.protocol.views?.find((v) => v.id === id);
    if (spec === undefined) return null;
    return spec.read(this.kernel.nodeViews(), this.kernel.params, previous);
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
   * Checker verdicts: every invariant (false at the violating event), every liveness property,
   * every history checker (evaluated only once the run is done; null before, or when not
   * registered; a run with a workload always gets KV_HISTORY_CHECKERS), then every run check
   * (evaluated now). A history or run check the protocol does not promise here carries the
   * lesson's `lesson`; a failure lists what shows it in `details`. invariantsInPieces run to
   * its end.
   */
  invariants(): Verdict[] {
    return runToEnd(this.invariantsInPieces());
  }

  /**
   * invariants(), a piece at a time (the history checks can take seconds on a long run): the
   * invariant and liveness verdicts are read at once, the history of the run as it is now is
   * taken, and each history checker runs on it for at most about `work` of its steps per call
   * of advance. The verdicts are those of the event the call was made at.
   */
  invariantsInPieces(): InPieces<Verdict[]> & { progress(): CheckProgress | null } {
    const k = this.kernel;
    const v = k.violation;
    const out: Verdict[] = k.protocol.invariants.map((inv) =>
      v !== null && v.invariant === inv.id
        ? { id: inv.id, kind: 'invariant', ok: false, message: v.message, atEvent: v.eventIndex }
        : { id: inv.id, kind: 'invariant', ok: true, message: inv.title, atEvent: null },
    );
    const liveness = k.protocol.liveness ?? [];
    const checked = k.livenessCheckedSoFar();
    liveness.forEach((l, n) => {
      if (v !== null && v.invariant === l.id)
        out.push({ id: l.id, kind: 'liveness', ok: false, message: v.message, atEvent: v.eventIndex });
      else if (checked[n])
        out.push({ id: l.id, kind: 'liveness', ok: true, message: l.title, atEvent: null });
      else
        out.push({
          id: l.id,
          kind: 'liveness',
          ok: null,
          message: 'checked once the faults have stopped for long enough',
          atEvent: null,
        });
    });
    const notPromised = k.protocol.notPromised?.(k.params, this.scenario) ?? {};
    const withLesson = (verdict: Verdict): Verdict => {
      const why = notPromised[verdict.id];
      return why === undefined ? verdict : { ...verdict, lesson: why };
    };
    const ids = [...k.protocol.historyCheckers];
    if (this.scenario.workload.kind !== 'none')
      for (const id of KV_HISTORY_CHECKERS) if (!ids.includes(id)) ids.push(id);
    // The history checks still to run: the slot of out each fills, in the protocol's order.
    const todo: { id: string; slot: number; run: HistoryCheckRun }[] = [];
    const atEvent = k.eventIndex;
    let history: KvOp[] | null = null;
    for (const id of ids) {
      const registered = historyChecker(id) !== undefined;
      const title = HISTORY_TITLES[id];
      const titled = title === undefined ? {} : { title };
      out.push(
        withLesson({
          id,
          kind: 'history',
          ok: null,
          message: registered ? 'evaluated when the run is done' : 'checker not registered',
          atEvent: null,
          ...titled,
        }),
      );
      if (!registered || !this.done) continue;
      history ??= k.kvHistory();
      todo.push({ id, slot: out.length - 1, run: startHistoryCheck(id, history)! });
    }
    for (const c of k.protocol.runChecks ?? []) {
      const r = c.check({ nodes: k.nodeViews(), params: k.params });
      const verdict: Verdict =
        r === null
          ? { id: c.id, kind: 'history', ok: true, message: c.title, atEvent: k.eventIndex, title: c.title }
          : {
              id: c.id,
              kind: 'history',
              ok: false,
              message: r.message,
              atEvent: k.eventIndex,
              title: c.title,
            };
      if (r?.details !== undefined && r.details.length > 0) verdict.details = r.details.slice(0, MAX_DETAILS);
      out.push(withLesson(verdict));
    }
    return {
      advance(work: number): Verdict[] | null {
        while (todo.length > 0) {
          const { id, slot, run } = todo[0]!;
          const r = run.advance(work);
          if (r === null) return null;
          const title = HISTORY_TITLES[id];
          const verdict: Verdict = {
            id,
            kind: 'history',
            ok: r.ok,
            message: r.message ?? '',
            atEvent,
            ...(title === undefined ? {} : { title }),
          };
          if (r.ok === false && r.ops !== undefined && r.ops.length > 0 && history !== null) {
            const byId = new Map(history.map((op) => [op.id, op]));
            verdict.details = r.ops
              .slice(0, MAX_DETAILS)
              .map((n) => byId.get(n))
              .filter((op) => op !== undefined)
              .map(describeOp);
          }
          if (r.ok !== true && history !== null) {
            const offending = offendingOps(k.workload, history, r.notes ?? []);
            if (offending.length > 0) verdict.offending = offending;
          }
          out[slot] = withLesson(verdict);
          todo.shift();
        }
        return out;
      },
      progress: () => (todo.length === 0 ? null : { checker: todo[0]!.id, ...todo[0]!.run.progress() }),
    };
  }

  /** Live changes made so far, with the event index each was made at (save them with a run to replay it). */
  injectionLog(): { atEvent: number; change: Change }[] {
    return this.injections.map((x) => ({ atEvent: x.atEvent, change: x.change }));
  }

  /**
   * The live faults of this run, in order, each with the event it was made at and the virtual
   * time it happens at (a fault is queued at the time of the event it was made at). After a
   * step back the later ones are listed too: replay repeats them.
   */
  liveFaults(): { atEvent: number; atUs: number; fault: Fault }[] {
    const out: { atEvent: number; atUs: number; fault: Fault }[] = [];
    for (const x of this.injections)
      if (x.change.kind === 'fault')
        out.push({ atEvent: x.atEvent, atUs: x.atUs, fault: FaultSchema.parse(x.change.fault) as Fault });
    return out;
  }

  /**
   * Each link's state at the current event (cut both ways, one way, degraded, ok) and which
   * nodes are cut off from which. A link is cut in a direction by a cut-link fault or when a
   * partition rule drops messages between its two ends; nodes talk both ways when a route
   * exists each way (only switches relay, as the kernel routes) and no partition drops either.
   */
  links(): LinksInfo {
    const net = this.kernel.networkView();
    const base = new Map(this.scenario.topology.links.map((l) => [l.id, l]));
    const blocked = partitionRules(net.partitions);
    // Present nodes by kind (removed ones are left out), and who is linked to whom.
    const kinds = new Map<string, 'switch' | 'node'>();
    for (const n of net.nodes) if (n.present) kinds.set(n.id, n.isSwitch ? 'switch' : 'node');
    const adj = new Map<string, { link: string; other: string }[]>();
    for (const l of net.links) {
      if (!l.present) continue;
      if (!adj.has(l.a)) adj.set(l.a, []);
      if (!adj.has(l.b)) adj.set(l.b, []);
      adj.get(l.a)!.push({ link: l.id, other: l.b });
      adj.get(l.b)!.push({ link: l.id, other: l.a });
    }
    // A partition cuts a link's direction when it drops every message that could cross it
    // that way (for a link between two protocol nodes: the messages from one to the other).
    // For a link between a protocol node and a switch, the switch's side is every protocol node
    // its switches reach but that node (protocol nodes do not relay, so that is exact).
    const comps = new Map<string, string[]>();
    const side = (end: string, other: string, link: string) => {
      if (kinds.get(end) !== 'switch' || kinds.get(other) === 'switch') return sideOf(kinds, adj, end, link);
      let comp = comps.get(end);
      if (comp === undefined) {
        comp = sideOf(kinds, adj, end, '');
        comps.set(end, comp);
      }
      return comp.filter((id) => id !== other);
    };
    // Above MAX_CUT_OFF_NODES protocol nodes only links between two protocol nodes are checked
    // (a switch's side has every node behind it: pairs grow with the square of the nodes).
    let peers = 0;
    for (const k of kinds.values()) if (k === 'node') peers++;
    const large = peers > MAX_CUT_OFF_NODES;
    const partitionCuts = (l: NetworkView['links'][number], from: string, to: string) => {
      if (net.partitions.length === 0) return false;
      if (large && (kinds.get(from) === 'switch' || kinds.get(to) === 'switch')) return false;
      const src = side(from, to, l.id);
      const dst = side(to, from, l.id);
      let pairs = 0;
      for (const s of src)
        for (const d of dst) {
          if (s === d) continue;
          if (!blocked(s, d)) return false;
          pairs++;
        }
      return pairs > 0;
    };
    const links: LinkInfo[] = [];
    for (const l of net.links) {
      if (!l.present) continue;
      const pAB = partitionCuts(l, l.a, l.b);
      const pBA = partitionCuts(l, l.b, l.a);
      const ab = l.cutAToB || pAB;
      const ba = l.cutBToA || pBA;
      const cutBy: LinkInfo['cutBy'] = [];
      if (l.cutAToB || l.cutBToA) cutBy.push('link');
      if (pAB || pBA) cutBy.push('partition');
      const s = base.get(l.id);
      const degraded =
        s !== undefined &&
        (s.lossRate !== l.lossRate ||
          s.dupRate !== l.dupRate ||
          s.reorderRate !== l.reorderRate ||
          JSON.stringify(s.latency) !== JSON.stringify(l.latency));
      links.push({
        id: l.id,
        a: l.a,
        b: l.b,
        state: ab && ba ? 'cut' : ab || ba ? 'cut-one-way' : degraded ? 'degraded' : 'ok',
        cutDirection: ab && !ba ? 'a-to-b' : ba && !ab ? 'b-to-a' : null,
        cutBy,
        degraded,
        lossRate: l.lossRate,
        scenarioLossRate: s === undefined ? null : s.lossRate,
        meanLatencyUs: meanLatencyUs(l.latency),
        scenarioMeanLatencyUs: s === undefined ? null : meanLatencyUs(s.latency),
      });
    }
    return { eventIndex: this.kernel.eventIndex, links, cutOff: cutOff(net, blocked) };
  }

  /**
   * The first trace row where this run and `other` differ, comparing rows in order on event
   * index, virtual time, kind, node, peer, message type and detail (send ids are left out: they
   * are counters, and they follow from the rest up to the first difference). Only the rows
   * both runs have recorded are compared; when one run has ended (done) and the other has rows
   * past its end, the first of those is the difference. Pure: neither run moves.
   */
  divergence(other: Simulation): Divergence {
    return runToEnd(this.divergenceInPieces(other));
  }

  /**
   * divergence(), a piece at a time: at most `work` rows compared per call of advance. The rows
   * compared are those both runs had when it was called; neither run should go back meanwhile
   * (the sim host starts over when one does).
   */
  divergenceInPieces(
    other: Simulation,
  ): InPieces<Divergence> & { progress(): { done: number; total: number } } {
    const n = Math.min(this.kernel.trace.length, other.kernel.trace.length);
    const aDone = this.done;
    const bDone = other.done;
    let r = 0;
    return {
      advance: (work) => {
        const ta = this.kernel.trace;
        const tb = other.kernel.trace;
        const end = Math.min(n, r + work, ta.length, tb.length);
        for (; r < end; r++) if (!ta.sameRowAs(tb, r)) return divergedAt(r, ta.row(r), tb.row(r), n);
        if (r < n && r < Math.min(ta.length, tb.length)) return null;
        if (ta.length !== tb.length && (ta.length < tb.length ? aDone : bDone)) {
          const a = n < ta.length ? ta.row(n) : null;
          const b = n < tb.length ? tb.row(n) : null;
          return divergedAt(n, a, b, n);
        }
        return { compared: n, row: null, index: null, timeUs: null, a: null, b: null };
      },
      progress: () => ({ done: r, total: n }),
    };
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

/** Who is cut off from whom (see Simulation.links); null above MAX_CUT_OFF_NODES protocol nodes. */
function cutOff(net: NetworkView, blocked: (src: string, dst: string) => boolean): CutOffInfo[] | null {
  const cuts = net.partitions.length > 0 || net.links.some((l) => l.present && (l.cutAToB || l.cutBToA));
  if (!cuts) return [];
  const peers = net.nodes.map((n, i) => ({ ...n, i })).filter((n) => n.present && !n.isSwitch);
  if (peers.length > MAX_CUT_OFF_NODES) return null;
  // Directed adjacency over uncut link directions; a down switch relays nothing.
  const out: number[][] = net.nodes.map(() => []);
  const index = new Map(net.nodes.map((n, i) => [n.id, i]));
  for (const l of net.links) {
    if (!l.present) continue;
    const a = index.get(l.a)!;
    const b = index.get(l.b)!;
    if (!l.cutAToB) out[a]!.push(b);
    if (!l.cutBToA) out[b]!.push(a);
  }
  const relays = (i: number) => net.nodes[i]!.isSwitch && net.nodes[i]!.present && net.nodes[i]!.up;
  const reach = peers.map((p) => {
    const seen = new Uint8Array(net.nodes.length);
    seen[p.i] = 1;
    const stack = [p.i];
    while (stack.length > 0) {
      const u = stack.pop()!;
      if (u !== p.i && !relays(u)) continue;
      for (const v of out[u]!) {
        if (seen[v] || !net.nodes[v]!.present || (net.nodes[v]!.isSwitch && !relays(v))) continue;
        seen[v] = 1;
        stack.push(v);
      }
    }
    return seen;
  });
  const res: CutOffInfo[] = [];
  peers.forEach((p, x) => {
    const from: string[] = [];
    peers.forEach((q, y) => {
      if (x === y) return;
      const talk =
        reach[x]![q.i] === 1 && reach[y]![p.i] === 1 && !blocked(p.id, q.id) && !blocked(q.id, p.id);
      if (!talk) from.push(q.id);
    });
    if (from.length === 0) return;
    const talking = peers.length - from.length; // itself included
    res.push({ node: p.id, from: from.sort(), minority: talking * 2 <= peers.length });
  });
  return res;
}

/**
 * Work done a piece at a time: each call of advance does at most about `work` units (the
 * method's own unit) and answers the result once there is one, else null.
 */
export interface InPieces<T> {
  advance(work: number): T | null;
}

/** Runs work in pieces to its end, in one go. */
export function runToEnd<T>(w: InPieces<T>): T {
  for (;;) {
    const r = w.advance(Number.POSITIVE_INFINITY);
    if (r !== null) return r;
  }
}

/** How far a history check under way got, in its checker's unit (keys, for linearizability). */
export interface CheckProgress {
  checker: string;
  done: number;
  total: number;
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
