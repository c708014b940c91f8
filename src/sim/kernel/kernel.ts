import type {
  Fault,
  Latency,
  Limits,
  Scenario,
  ScenarioLink,
  ScenarioNode,
} from '../../shared/scenario/schema';
import type { KvOp } from '../checkers/history';
import {
  type AnyProtocol,
  type CheckEvent,
  type ClientOp,
  type Input,
  type LeaderHook,
  type Liveness,
  type LivenessView,
  NEMESIS_EVENTS,
  type NodeView,
  type Protocol,
  type ProtocolMessage,
  type UnansweredOp,
} from '../protocol';
import { type Archived, archiveState, lookCopy, restoreState } from './archive';
import { type ClockState, fireTimeUs, localAt, newClock, setDrift, slewClock, stepClock } from './clock';
import { KernelCtx } from './ctx';
import { EventHeap, type HeapSnapshot } from './heap';
import { Interner, type LazyText } from './intern';
import { kvMetrics } from './kv-metrics';
import { meanLatencyUs, sampleLatencyUs } from './latency';
import { Rng, type RngState } from './rng';
import { type RouteGraph, shortestTree } from './routing';
import { Trace, TraceKind } from './trace';

/** Kinds of queued events (internal; the trace has its own kinds). */
export const Ev = {
  start: 0,
  deliver: 1,
  timer: 2,
  fault: 3,
  openLoop: 4,
  clientNext: 5,
  clientTimeout: 6,
  nemesis: 7,
} as const;

/** The slot of the `opLatencyUs` series (one point per answered operation) among the kernel's series. */
const OP_LATENCY_SERIES = 4;

/** The arg of an Ev.nemesis event that crashes one node the step watch chose (kinds 0–3 are the random actions). */
const NEM_TARGETED = 4;

/** Kernel counters, by slot in a Float64Array (a typed array: cheap to bump and to copy). */
const COUNTERS = [
  'events',
  'sent',
  'delivered',
  'dropped',
  'droppedLoss',
  'droppedPartition',
  'droppedDown',
  'droppedNoRoute',
  'droppedLimit',
  'duplicated',
  'timers',
  'faults',
  'opsInvoked',
  'opsOk',
  'opsFailed',
  'opsUnknown',
] as const;
type CounterName = (typeof COUNTERS)[number];
// A literal (not built with fromEntries) so property reads stay on V8's fast path.
const C = {
  events: 0,
  sent: 1,
  delivered: 2,
  dropped: 3,
  droppedLoss: 4,
  droppedPartition: 5,
  droppedDown: 6,
  droppedNoRoute: 7,
  droppedLimit: 8,
  duplicated: 9,
  timers: 10,
  faults: 11,
  opsInvoked: 12,
  opsOk: 13,
  opsFailed: 14,
  opsUnknown: 15,
} as const;

/** Why a run stopped. */
export type StopReason = 'quiescent' | 'time-limit' | 'max-events' | 'trace-limit' | 'violation';

/** A broken invariant: the run stops at this event. */
export interface Violation {
  /** Invariant id. */
  invariant: string;
  /** What is wrong. */
  message: string;
  /** The run's seed (reproduce with it). */
  seed: number;
  /** Virtual time, microseconds. */
  timeUs: number;
  /** The event that broke it. */
  eventIndex: number;
  /** The node that had just stepped. */
  node: string;
}

/** Network properties of a link that faults can change. */
interface LinkProps {
  latency: Latency;
  lossRate: number;
  dupRate: number;
  reorderRate: number;
  reorderDelayUs: number;
}

/** An active partition rule (end to end, by node). */
interface PartitionRule {
  id: string;
  /** Node index -> group number; messages between different groups are dropped. */
  groupOf?: Map<number, number>;
  /** One way: messages from `from` to `to` are dropped. */
  from?: Set<number>;
  to?: Set<number>;
}

/** The network's fault state (Kernel.networkView): fresh copies, plain data. */
export interface NetworkView {
  /** Every node ever added, by index. */
  nodes: { id: string; isSwitch: boolean; present: boolean; up: boolean }[];
  /** Every link ever added, by index, with its cut directions and current properties. */
  links: ({
    id: string;
    a: string;
    b: string;
    present: boolean;
    cutAToB: boolean;
    cutBToA: boolean;
  } & LinkProps)[];
  /** Active partition rules: node groups (both ways), or one way from -> to. */
  partitions: { id: string; groups?: string[][]; from?: string[]; to?: string[] }[];
}

/**
 * The same text as `s`, as V8's internalized (unique) copy: two different internalized strings
 * compare unequal without reading their characters. Node ids and roles reach the protocols
 * (self, peers, message senders) and come back as destinations; the send cache compares them.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/** The check events of a step that emitted none. */
const NO_EVENTS: readonly CheckEvent[] = Object.freeze([]);

/** Message types kept before the type map (see Kernel.typeId). */
const TYPE_CACHE = 8;

/** Destinations a sending node keeps in its cache (see Kernel.sendTo). */
const SEND_CACHE = 8;

/** A client operation not yet answered or timed out. */
interface PendingOp {
  /** When it was invoked (true time, microseconds). */
  startUs: number;
  /** The closed-loop client node that issues the next operation after it, or -1 (open loop). */
  node: number;
  /** The closed-loop slot (concurrency lane) it occupies. */
  slot: number;
}

interface TimerRec {
  /** Generation of the live queue entry; other entries for this name are stale. */
  gen: number;
  /** Local-clock deadline, microseconds. */
  deadlineUs: number;
  /** True time of the live queue entry. */
  atUs: number;
}

/** A delivery or timer held while its node is paused. */
interface Held {
  kind: number;
  peer: number;
  arg: number;
  payload: unknown;
}

/**
 * One client history record: an invocation, or its answer. It is also the text of the trace
 * note written with it (LazyText), made only when someone reads that note, so a run keeps no
 * note string per operation.
 */
class HistoryEntry implements LazyText {
  constructor(
    /** Invocation, or an answer that it completed or failed. */
    readonly t: 'invoke' | 'complete' | 'fail',
    /** Operation id. */
    readonly id: number,
    /** The client node (invocations). */
    readonly client: string | undefined,
    /** Read or write (invocations). */
    readonly op: 'read' | 'write' | undefined,
    /** The key (invocations). */
    readonly key: string | undefined,
    /** The value written (invocations) or read (answers); undefined when there is none. */
    readonly value: string | null | undefined,
    /** True time, microseconds. */
    readonly us: number,
  ) {}

  /** The trace note: `#id op key[=value]` for an invocation, `#id ok|fail[ value]` for an answer. */
  text(): string {
    const v = this.value;
    if (this.t === 'invoke') return `#${this.id} ${this.op} ${this.key}${v !== undefined ? `=${v}` : ''}`;
    return `#${this.id} ${this.t === 'complete' ? 'ok' : 'fail'}${v !== undefined ? ` ${v}` : ''}`;
  }
}

/** A named time series in virtual time. */
export interface Series {
  /** Series id. */
  id: string;
  /** Unit. */
  unit: string;
  /** Sample times, microseconds. */
  tUs: number[];
  /** Values. */
  v: number[];
}

/** Everything needed to put a kernel back at an event (see Simulation checkpoints). */
export interface KernelSnapshot {
  /** Event index. */
  eventIndex: number;
  /** Remaining fields are kernel internals. */
  [key: string]: unknown;
}

const SAMPLE_INTERVAL_US = 100_000;

/**
 * The simulation kernel: one event heap, nodes, links, clocks, faults, workload, nemesis,
 * trace and metrics. It only runs forward; Simulation adds checkpoints, step back and fork.
 */
export class Kernel {
  /** Protocol params (parsed). */
  params: unknown;
  /** The run seed. */
  seed: number;
  /** Limits. */
  readonly limits: Limits;
  /** Current virtual time: the time of the last processed event. */
  nowUs = 0;
  /** Number of events processed. */
  eventIndex = 0;
  /** Set when an invariant broke. */
  violation: Violation | null = null;
  /** The trace. */
  readonly trace: Trace;
  /** Interned strings. */
  readonly strings = new Interner();

  private seq = 0;
  private heap = new EventHeap();

  // Nodes, by index (indexes are never reused; removed nodes stay as tombstones).
  /** Node ids by index. */
  ids: string[] = [];
  private roles: string[] = [];
  private isSwitch: boolean[] = [];
  private present: boolean[] = [];
  private up: boolean[] = [];
  private paused: boolean[] = [];
  private states: unknown[] = [];
  private timers: Record<string, TimerRec>[] = [];
  /**
   * Per node: its timer table was made after the last snapshot was taken or loaded, so no
   * snapshot holds it and it is changed in place (derived; a snapshot clears every flag).
   */
  private timersOwned: boolean[] = [];
  /** The input objects of deliveries and timer firings, reused by every step (see Input). */
  private readonly messageInput: { kind: 'message'; from: string; msg: unknown } = {
    kind: 'message',
    from: '',
    msg: null,
  };
  private readonly timerInput: { kind: 'timer'; name: string } = { kind: 'timer', name: '' };
  private clocks: ClockState[] = [];
  /**
   * Per node, for a clock that runs at rate 1 (no drift, no slew): its t0Us and l0Us, so a
   * step reads its local time from two dense arrays instead of the clock object (localAt's
   * own arithmetic; derived from clocks). NaN in clockT0 for any other clock.
   */
  private clockT0: number[] = [];
  private clockL0: number[] = [];
  private nodeRngs: Rng[] = [];
  private held: Held[][] = [];
  private idIndex = new Map<string, number>();
  private views: NodeView<unknown>[] = [];
  private viewOf: number[] = [];
  private positions: { name: string; x: number; y: number }[] = [];

  // Links, by index.
  private linkIds: string[] = [];
  private linkA: number[] = [];
  private linkB: number[] = [];
  private linkProps: LinkProps[] = [];
  /** Per link: its constant latency when it has no loss, duplication or reordering, else -1 (derived). */
  private linkFast: number[] = [];
  /**
   * Per sending node: its last two destinations (id, index, route), so a node that alternates
   * between two peers (ping one, pong another) does no Map<string> lookup and no n-by-n route
   * table read per send (derived cache; routes are dropped when routeEpoch moves).
   */
  /**
   * Per sending node, its most recent destinations (up to SEND_CACHE), in flat arrays so one
   * node's entries sit together: ids in sendTo[node * SEND_CACHE + e]; node index, hop count
   * (-2 not looked up yet, -1 unreachable) and the first two hops (a short route is read
   * without touching the route array) in sendInt[(node * SEND_CACHE + e) * 4 + 0..3]; the
   * route in sendPath. sendMeta[node * 3 + 0..2]: entries in use, the entry a miss replaces
   * next (round robin), and the routeEpoch the entries belong to (the node's entries are
   * dropped when it moves). Derived: cleared by load().
   */
  private sendTo: string[] = [];
  private sendInt = new Int32Array(0);
  private sendPath: (Int32Array | null)[] = [];
  private sendMeta = new Int32Array(0);

  /** Room in the send cache for node indexes below n (new rows empty). */
  private growSendCache(n: number): void {
    const cap = Math.max(n, 2 * (this.sendMeta.length / 3));
    const meta = new Int32Array(cap * 3);
    meta.set(this.sendMeta);
    const int = new Int32Array(cap * SEND_CACHE * 4);
    int.set(this.sendInt);
    this.sendMeta = meta;
    this.sendInt = int;
    // Filled, not lengthened: a long array with holes would fall back to dictionary elements.
    while (this.sendTo.length < cap * SEND_CACHE) {
      this.sendTo.push('');
      this.sendPath.push(null);
    }
  }
  /** Bumped whenever cached routes become invalid. */
  private routeEpoch = 0;
  private linkCut: number[] = []; // bit 1: a->b cut, bit 2: b->a cut
  private linkPresent: boolean[] = [];
  private linkRngs: Rng[] = [];
  private lastArrival: number[] = []; // per directed link (2*l for a->b, 2*l+1 for b->a)
  private linkIndex = new Map<string, number>();
  private partitions: PartitionRule[] = [];

  // Caches (rebuilt on demand; not part of snapshots).
  private routeTrees = new Map<number, Int32Array>();
  /** routes[src][dst]: directed links of the path, null unreachable, undefined not computed. */
  private routes: (Int32Array | null | undefined)[][] = [];
  private graph: RouteGraph | null = null;
  private peerCache = new Map<number, string[]>();
  private roleCache = new Map<string, string[]>();
  private sortedIds: string[] | null = null;

  // Counters.
  private nextSendId = 0;
  private timerGen = 0;
  private inFlight = 0;
  private counters = new Float64Array(COUNTERS.length);
  private series: Series[] = [];
  /** Logical length of each series (arrays may hold more: a future a replay rewrites). */
  private seriesLen: number[] = [];
  private nextSampleUs = 0;

  // Workload and nemesis.
  private wlRng: Rng;
  private nemRng: Rng;
  private nextOpId = 1;
  private seqKey = 0;
  // Pending operations by id: a mutable map of immutable records, copied whole by a checkpoint
  // (O(pending) per checkpoint rather than per operation).
  private pending = new Map<number, PendingOp>();
  private history: HistoryEntry[] = [];
  private historyLen = 0;
  private nemesisCount = 0;
  /** Faults queued and not yet applied (scripted, live, and the nemesis's undo actions). */
  private faultsQueued = 0;
  /** When the last fault was applied (0: none yet). */
  private lastFaultUs = 0;
  /** Operations invoked since the last fault whose client gave up waiting (for liveness). */
  private gaveUp: UnansweredOp[] = [];
  /** The protocol's liveness properties (contract v2), and whether each was checked yet. */
  private readonly liveness: readonly Liveness<unknown, unknown>[];
  private livenessChecked: boolean[] = [];
  /** The protocol's nemesis hooks, when the scenario's nemesis watches steps (crashAfterPromise, crashNewLeader). */
  private nemWatch: LeaderHook<unknown> | null = null;
  /** Why the step watch crashes the node that just stepped (trace note). */
  private crashWhy = '';
  /** Workload key names by index, for a key pattern (derived cache). */
  private readonly patternKeys: string[] = [];
  /** Every key the workload declares, in order (derived cache, built on first use). */
  private declaredKeys: readonly string[] | null = null;

  /** The protocol, as the kernel calls it. */
  private readonly handler: Protocol<unknown, unknown, ProtocolMessage>;
  /** The context (and outbox) of contract-v2 handlers. */
  private readonly ctx: KernelCtx;
  /** Contract v2: the protocol's declared logs (shared between checkpoints in chunks). */
  private readonly logs: readonly string[];
  /** Contract v2: each node's state as the last checkpoint taken or loaded holds it. */
  private lastArchive: (Archived | undefined)[] = [];
  private initialised = false;
  private clusterView: {
    nodes: NodeView<unknown>[];
    changed: NodeView<unknown>;
    nowUs: number;
    events: readonly CheckEvent[];
  } = {
    nodes: [],
    changed: { id: '', role: '', up: false, state: null },
    nowUs: 0,
    events: NO_EVENTS,
  };
  private readonly hasInvariants: boolean;
  private readonly delivered: number[] = [0];
  private typeIds = new Map<string, number>();
  private readonly detailIds: Record<string, number> = {};
  /** Interned ids of the client and reply notes by operation id (Interner.idByKey). */
  private readonly clientNoteIds: number[] = [];
  private readonly replyNoteIds: number[] = [];

  constructor(
    /** The protocol. */
    readonly protocol: AnyProtocol,
    /** The scenario (validated). */
    readonly scenario: Scenario,
    seed: number,
  ) {
    this.seed = seed >>> 0;
    this.params = protocol.params.parse(scenario.params);
    this.limits = scenario.limits;
    this.trace = new Trace(this.strings, () => this.ids);
    this.wlRng = new Rng(this.seed, 'workload');
    this.nemRng = new Rng(this.seed, 'nemesis');
    this.hasInvariants = protocol.invariants.length > 0;
    const nem = scenario.nemesis;
    if (
      nem.enabled &&
      protocol.nemesis !== undefined &&
      (nem.crashAfterPromise > 0 || nem.crashNewLeader > 0 || nem.crashAfterFirstCommit > 0)
    )
      this.nemWatch = protocol.nemesis;
    this.series.push({ id: 'inFlight', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'sent', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'delivered', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'dropped', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'opLatencyUs', unit: 'us', tUs: [], v: [] });
    for (const m of protocol.metrics) this.series.push({ id: m.id, unit: m.unit, tUs: [], v: [] });
    this.seriesLen = this.series.map(() => 0);
    for (const d of ['loss', 'partition', 'down', 'no-route', 'limit', 'unknown-node'])
      this.detailIds[d] = this.strings.id(d);

    this.handler = protocol as Protocol<unknown, unknown, ProtocolMessage>;
    this.logs = this.handler.logs ?? [];
    this.liveness = this.handler.liveness ?? [];
    this.livenessChecked = this.liveness.map(() => false);
    this.ctx = new KernelCtx(
      {
        peersOf: (i) => this.peersOf(i),
        nodesWithRole: (role) => this.nodesWithRole(role),
        localNowUs: (i) => this.localNowUs(i),
        nameOf: (id) => this.nameOf(id),
        keySpace: () => this.keySpace(),
      },
      this.params,
    );

    for (const n of scenario.topology.nodes) this.addNode(n);
    for (const l of scenario.topology.links) this.addLink(l);
    // init() sees the whole initial membership, so states are built once every node exists.
    this.initialised = true;
    for (let i = 0; i < this.ids.length; i++) if (!this.isSwitch[i]) this.initState(i);
    // Start every protocol node at time 0, in scenario order.
    for (let i = 0; i < this.ids.length; i++)
      if (!this.isSwitch[i]) this.schedule(0, Ev.start, i, -1, 0, null);
    for (const f of scenario.faults) this.scheduleFault(f.atUs, f.fault);
    this.scheduleWorkloadStart();
    this.scheduleNemesisStart();
  }

  // ---------------------------------------------------------------- queue

  private schedule(
    timeUs: number,
    kind: number,
    node: number,
    peer: number,
    arg: number,
    payload: unknown,
  ): void {
    this.heap.push(timeUs, this.seq++, kind, node, peer, arg, payload);
  }

  /** Number of queued events. */
  get queued(): number {
    return this.heap.size;
  }

  /** Time of the next queued event, or -1. */
  nextEventUs(): number {
    const s = this.heap.peek();
    return s < 0 ? -1 : this.heap.time[s]!;
  }

  /** Queues a fault now (after the events already queued for this time). */
  injectFault(f: Fault): void {
    this.scheduleFault(this.nowUs, f);
  }

  /** Queues a fault; the run is not quiet (liveness) while one is queued. */
  private scheduleFault(atUs: number, f: Fault): void {
    this.faultsQueued++;
    this.schedule(atUs, Ev.fault, -1, -1, 0, f);
  }

  /** Changes protocol params from now on. */
  setParams(params: Record<string, unknown>): void {
    this.params = this.protocol.params.parse({ ...(this.params as object), ...params });
    this.ctx.params = this.params;
  }

  /** Re-seeds every stream from now on (a fork with another seed). */
  reseed(seed: number): void {
    this.seed = seed >>> 0;
    for (let i = 0; i < this.ids.length; i++) this.nodeRngs[i] = new Rng(this.seed, `node:${this.ids[i]}`);
    for (let l = 0; l < this.linkIds.length; l++)
      this.linkRngs[l] = new Rng(this.seed, `link:${this.linkIds[l]}`);
    this.wlRng = new Rng(this.seed, 'workload');
    this.nemRng = new Rng(this.seed, 'nemesis');
  }

  /**
   * Processes the next event. Returns false when there is none to
   * process: queue empty, a limit reached, or an invariant broken.
   */
  stepOne(): boolean {
    if (this.violation !== null) return false;
    const heap = this.heap;
    for (;;) {
      const slot = heap.peek();
      if (slot < 0) return false;
      const t = heap.time[slot]!;
      if (t > this.limits.maxTimeUs || this.eventIndex >= this.limits.maxEvents) return false;
      if (this.trace.length >= this.limits.maxTraceRows) return false;
      heap.popPeeked(slot);
      const kind = heap.kind[slot]!;
      const node = heap.node[slot]!;
      const peer = heap.peer[slot]!;
      const arg = heap.arg[slot]!;
      const payload = heap.payload[slot];
      heap.release(slot);
      if (kind === Ev.timer) {
        // Lazy cancellation: a reset or cancelled timer leaves a stale entry, skipped here
        // without counting as an event.
        const rec = this.timers[node]![payload as string];
        if (rec === undefined || rec.gen !== arg) continue;
        // A timer reset to a later deadline keeps its queue entry (no push per reset); when
        // that entry comes up early it is re-queued for the real deadline.
        const due = fireTimeUs(this.clocks[node]!, t, rec.deadlineUs);
        if (due > t) {
          this.putTimer(node, payload as string, rec.gen, rec.deadlineUs, due);
          heap.push(due, this.seq++, Ev.timer, node, -1, rec.gen, payload);
          continue;
        }
      }
      const sampled = t >= this.nextSampleUs;
      if (sampled) this.sample(t);
      this.nowUs = t;
      this.eventIndex++;
      this.counters[C.events]!++;
      this.dispatch(kind, node, peer, arg, payload);
      if (sampled && this.liveness.length > 0 && this.violation === null) this.checkLiveness();
      return true;
    }
  }

  /**
   * Why the next step would not run, or null if it would. Derived from the state (never
   * stored), so a run that reached a limit and one stepped exactly to the same event agree.
   */
  get stopReason(): StopReason | null {
    if (this.violation !== null) return 'violation';
    const slot = this.heap.peek();
    if (slot < 0) return 'quiescent';
    if (this.heap.time[slot]! > this.limits.maxTimeUs) return 'time-limit';
    if (this.eventIndex >= this.limits.maxEvents) return 'max-events';
    if (this.trace.length >= this.limits.maxTraceRows) return 'trace-limit';
    return null;
  }

  private dispatch(kind: number, node: number, peer: number, arg: number, payload: unknown): void {
    switch (kind) {
      case Ev.deliver:
        this.onDeliver(node, peer, arg, payload);
        return;
      case Ev.timer:
        this.onTimer(node, arg, payload as string);
        return;
      case Ev.start:
        if (!this.present[node] || !this.up[node]) return;
        this.row(TraceKind.start, node, -1, -1, -1, -1);
        this.runStep(node, { kind: 'start' });
        return;
      case Ev.fault:
        this.faultsQueued--;
        this.applyFault(payload as Fault, '');
        return;
      case Ev.openLoop:
        this.onOpenLoop();
        return;
      case Ev.clientNext:
        this.issueOp(node, arg);
        return;
      case Ev.clientTimeout:
        this.onClientTimeout(arg);
        return;
      case Ev.nemesis:
        if (arg === NEM_TARGETED) this.onTargetedCrash(node, payload as string);
        else this.onNemesis(arg);
        return;
    }
  }

  private row(
    kind: number,
    node: number,
    peer: number,
    msgType: number,
    sendId: number,
    detail: number,
  ): void {
    this.trace.push(this.eventIndex, this.nowUs, kind, node, peer, msgType, sendId, detail);
  }

  private note(kind: number, node: number, text: string): void {
    this.row(kind, node, -1, -1, -1, this.strings.id(text));
  }

  // ---------------------------------------------------------------- nodes

  private addNode(n: ScenarioNode): number {
    if (this.idIndex.has(n.id)) throw new Error(`node ${n.id} exists`);
    const i = this.ids.length;
    const id = internalized(n.id);
    this.ids.push(id);
    this.idIndex.set(id, i);
    this.roles.push(internalized(n.role));
    const sw = n.role === 'switch';
    this.isSwitch.push(sw);
    this.present.push(true);
    this.up.push(true);
    this.paused.push(false);
    this.timers.push({});
    this.timersOwned.push(false);
    this.clocks.push(newClock(n.clockOffsetUs, n.clockDriftPpm));
    this.clockT0.push(Number.NaN);
    this.clockL0.push(0);
    this.refreshClockFast(i);
    this.nodeRngs.push(new Rng(this.seed, `node:${n.id}`));
    this.held.push([]);
    this.positions.push({ name: n.name, x: n.x, y: n.y });
    this.invalidateTopology();
    if (sw) {
      this.states.push(null);
      this.viewOf.push(-1);
    } else {
      this.states.push(null);
      this.viewOf.push(this.views.length);
      this.views.push({ id: n.id, role: n.role, up: true, state: null });
      if (this.initialised) this.initState(i);
    }
    return i;
  }

  /** Re-derives clockT0/clockL0 for node i after its clock changed. */
  private refreshClockFast(i: number): void {
    const c = this.clocks[i]!;
    const rate1 = c.slewEndUs < 0 && 1 + (c.driftPpm + c.slewPpm) / 1e6 === 1;
    this.clockT0[i] = rate1 ? c.t0Us : Number.NaN;
    this.clockL0[i] = c.l0Us;
  }

  private initState(i: number): void {
    this.states[i] = this.protocol.init(this.initCtx(i));
    this.views[this.viewOf[i]!]!.state = this.states[i];
  }

  private initCtx(i: number) {
    return { id: this.ids[i]!, role: this.roles[i]!, params: this.params, nodes: this.sortedProtocolIds() };
  }

  private sortedProtocolIds(): string[] {
    if (this.sortedIds === null) {
      const ids: string[] = [];
      for (let i = 0; i < this.ids.length; i++)
        if (this.present[i] && !this.isSwitch[i]) ids.push(this.ids[i]!);
      ids.sort();
      this.sortedIds = ids;
    }
    return this.sortedIds;
  }

  private peersOf(i: number): string[] {
    let p = this.peerCache.get(i);
    if (p === undefined) {
      const self = this.ids[i];
      p = this.sortedProtocolIds().filter((id) => id !== self);
      this.peerCache.set(i, p);
    }
    return p;
  }

  private nodesWithRole(role: string): string[] {
    let p = this.roleCache.get(role);
    if (p === undefined) {
      p = this.sortedProtocolIds().filter((id) => this.roles[this.idIndex.get(id)!] === role);
      this.roleCache.set(role, p);
    }
    return p;
  }

  private invalidateTopology(): void {
    this.routeEpoch++;
    this.routeTrees.clear();
    this.routes = [];
    this.graph = null;
    this.peerCache.clear();
    this.roleCache.clear();
    this.sortedIds = null;
  }

  private invalidateRoutes(): void {
    this.routeEpoch++;
    this.routeTrees.clear();
    this.routes = [];
    this.graph = null;
  }

  /** Node index of an id, or -1. */
  indexOf(id: string): number {
    return this.idIndex.get(id) ?? -1;
  }

  /** Node i's local clock now, integer microseconds. */
  /** A node's display name as the scenario gives it, or its id when it has none (or is unknown). */
  private nameOf(id: string): string {
    const i = this.idIndex.get(id);
    const name = i === undefined ? '' : (this.positions[i]?.name ?? '');
    return name === '' ? id : name;
  }

  /** The workload's declared keys: its list, or its pattern for 0..count-1 (empty without a workload). */
  private keySpace(): readonly string[] {
    if (this.declaredKeys !== null) return this.declaredKeys;
    const w = this.scenario.workload;
    let keys: string[] = [];
    if (w.kind !== 'none') {
      const k = w.keys;
      if (k.list !== undefined) keys = [...k.list];
      else {
        keys = new Array<string>(k.count);
        for (let i = 0; i < k.count; i++)
          keys[i] = this.patternKeys[i] ?? k.pattern.replaceAll('{i}', String(i));
      }
    }
    this.declaredKeys = Object.freeze(keys);
    return this.declaredKeys;
  }

  private localNowUs(i: number): number {
    const t0 = this.clockT0[i]!;
    // Rate-1 clock: localAt is l0Us + (t - t0Us) * 1, the same value without the clock object.
    return Math.floor(
      !Number.isNaN(t0) ? this.clockL0[i]! + (this.nowUs - t0) : localAt(this.clocks[i]!, this.nowUs),
    );
  }

  /**
   * One input to the node's handler: it changes the node's state in place (checkpoints keep
   * their own copies, see save), then the outbox is performed in a fixed order: sends, timers,
   * replies, notes, invariants (docs/kernel.md "Protocol contract").
   */
  private runStep(i: number, input: Input<unknown>): void {
    const h = this.handler;
    const view = this.views[this.viewOf[i]!]!;
    const state = this.states[i];
    const ctx = this.ctx;
    ctx.begin(i, this.ids[i]!, this.roles[i]!, this.nodeRngs[i]!);
    h.on(ctx, state, input as unknown as Input<ProtocolMessage>);
    // The nemesis aimed at leaders and promises reads the step's events (NEMESIS_EVENTS).
    if (this.nemWatch !== null && ctx.events.length > 0 && this.watchEvents(i, ctx.events)) {
      // Crashed at once: what it wrote is kept (durable decides); messages, timers and replies are lost.
      this.drainNotes(ctx, i);
      if (this.hasInvariants) this.checkInvariants(view, ctx.events);
      if (this.violation === null) this.onTargetedCrash(i, this.crashWhy);
      return;
    }
    for (let k = 0; k < ctx.nSend; k++) this.send(i, ctx.sendTo[k]!, ctx.sendMsg[k]!);
    for (let k = 0; k < ctx.nTimer; k++) {
      const after = ctx.timerAfterUs[k]!;
      if (after >= 0) this.setTimer(i, ctx.timerName[k]!, after);
      else this.dropTimer(i, ctx.timerName[k]!);
    }
    for (let k = 0; k < ctx.nReply; k++) {
      const r = ctx.replyResult[k]!;
      this.onReply(i, ctx.replyId[k]!, r.ok, r.ok ? r.value : undefined);
    }
    this.drainNotes(ctx, i);
    if (this.hasInvariants) this.checkInvariants(view, ctx.events);
  }

  private drainNotes(ctx: KernelCtx, i: number): void {
    const notes = ctx.notes;
    for (let k = 0; k < notes.length; k++) this.note(TraceKind.note, i, notes[k]!);
  }

  /** Stops the run at this event: a broken invariant or liveness property, on node i (-1 none). */
  private breakRun(id: string, message: string, i: number): void {
    this.violation = {
      invariant: id,
      message,
      seed: this.seed,
      timeUs: this.nowUs,
      eventIndex: this.eventIndex,
      node: i >= 0 ? this.ids[i]! : '',
    };
    this.note(TraceKind.violation, i, `${id}: ${message}`);
  }

  /** No fault queued and the nemesis past its stopUs (or off): nothing more will go wrong. */
  private isQuiet(): boolean {
    if (this.faultsQueued > 0) return false;
    const n = this.scenario.nemesis;
    return !n.enabled || (n.stopUs !== undefined && this.nowUs >= n.stopUs);
  }

  /** The liveness properties whose bound has passed since the faults stopped (see Liveness). */
  private checkLiveness(): void {
    if (!this.isQuiet()) return;
    let view: LivenessView<unknown> | null = null;
    for (let k = 0; k < this.liveness.length; k++) {
      const p = this.liveness[k]!;
      if (this.nowUs < this.lastFaultUs + p.withinUs(this.params)) continue;
      if (view === null) {
        const unanswered: UnansweredOp[] = [];
        for (const [id, op] of this.pending)
          if (op.startUs >= this.lastFaultUs)
            unanswered.push({ id, client: this.ids[op.node] ?? '', invokedUs: op.startUs, gaveUpUs: null });
        unanswered.push(...this.gaveUp);
        view = { nodes: this.views, nowUs: this.nowUs, quietSinceUs: this.lastFaultUs, unanswered };
      }
      this.livenessChecked[k] = true;
      const msg = p.check(view, this.params);
      if (msg !== null) {
        this.breakRun(p.id, msg, -1);
        return;
      }
    }
  }

  /** Per liveness property (by index): whether it has been checked in this run yet. */
  livenessCheckedSoFar(): readonly boolean[] {
    return this.livenessChecked;
  }

  private checkInvariants(changed: NodeView<unknown>, events: readonly CheckEvent[] = NO_EVENTS): void {
    // One view object, refreshed per check (no allocation on the hot path).
    const view = this.clusterView;
    view.nodes = this.views;
    view.changed = changed;
    view.nowUs = this.nowUs;
    view.events = events;
    const invariants = this.protocol.invariants;
    for (let k = 0; k < invariants.length; k++) {
      const inv = invariants[k]!;
      const msg = inv.check(view);
      if (msg !== null) {
        this.breakRun(inv.id, msg, this.idIndex.get(changed.id) ?? -1);
        return;
      }
    }
  }

  private setTimer(i: number, name: string, afterUs: number): void {
    const clock = this.clocks[i]!;
    const deadlineUs = localAt(clock, this.nowUs) + Math.max(0, afterUs);
    const at = fireTimeUs(clock, this.nowUs, deadlineUs);
    const rec = this.timers[i]![name];
    if (rec !== undefined && rec.atUs <= at) {
      this.putTimer(i, name, rec.gen, deadlineUs, rec.atUs);
      return;
    }
    const gen = ++this.timerGen;
    this.putTimer(i, name, gen, deadlineUs, at);
    this.schedule(at, Ev.timer, i, -1, gen, name);
  }

  // Per-node timer tables and held lists are copied on write after a snapshot, so a checkpoint
  // copies one array of references instead of one object per node. A table is copied, with its
  // records, by its first change after a snapshot; after that the table and its records are
  // changed in place (timersOwned), so resetting a timer allocates nothing.
  private ownTimers(i: number): Record<string, TimerRec> {
    if (this.timersOwned[i]) return this.timers[i]!;
    const src = this.timers[i]!;
    const table: Record<string, TimerRec> = {};
    // Same keys in the same order as a spread of src.
    for (const k in src) {
      const r = src[k]!;
      table[k] = { gen: r.gen, deadlineUs: r.deadlineUs, atUs: r.atUs };
    }
    this.timers[i] = table;
    this.timersOwned[i] = true;
    return table;
  }

  private putTimer(i: number, name: string, gen: number, deadlineUs: number, atUs: number): void {
    const table = this.ownTimers(i);
    const rec = table[name];
    if (rec === undefined) table[name] = { gen, deadlineUs, atUs };
    else {
      rec.gen = gen;
      rec.deadlineUs = deadlineUs;
      rec.atUs = atUs;
    }
  }

  private dropTimer(i: number, name: string): void {
    delete this.ownTimers(i)[name];
  }

  /** After a clock change, timers are re-planned against the new clock. */
  private replanTimers(i: number): void {
    const clock = this.clocks[i]!;
    const tm = this.timers[i]!;
    for (const name of Object.keys(tm).sort()) {
      const rec = tm[name]!;
      const gen = ++this.timerGen;
      const at = fireTimeUs(clock, this.nowUs, rec.deadlineUs);
      this.putTimer(i, name, gen, rec.deadlineUs, at);
      this.schedule(at, Ev.timer, i, -1, gen, name);
    }
  }

  private onTimer(i: number, gen: number, name: string): void {
    if (this.paused[i]) {
      this.held[i] = [...this.held[i]!, { kind: Ev.timer, peer: -1, arg: gen, payload: name }];
      return;
    }
    this.dropTimer(i, name);
    this.counters[C.timers]!++;
    this.row(TraceKind.timer, i, -1, -1, -1, this.strings.id(name));
    const input = this.timerInput;
    input.name = name;
    this.runStep(i, input);
  }

  // ---------------------------------------------------------------- network

  private typeId(type: string): number {
    // The first TYPE_CACHE types seen, searched before the map (a protocol has a few message
    // types; Raft's leader alternates four of them).
    const keys = this.typeKeys;
    for (let k = 0; k < keys.length; k++) if (keys[k] === type) return this.typeVals[k]!;
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.strings.id(type);
      this.typeIds.set(type, id);
    }
    if (keys.length < TYPE_CACHE) {
      keys.push(type);
      this.typeVals.push(id);
    }
    return id;
  }
  private readonly typeKeys: string[] = [];
  private readonly typeVals: number[] = [];

  private drop(
    src: number,
    dst: number,
    type: number,
    sendId: number,
    reason: string,
    counter: CounterName,
  ): void {
    this.counters[C.dropped]!++;
    this.counters[C[counter]]!++;
    const d = this.detailIds[reason] ?? this.strings.id(reason);
    this.row(TraceKind.drop, src, dst, type, sendId, d);
  }

  private send(src: number, to: string, msg: { type: string }): void {
    const sendId = this.nextSendId++;
    const type = this.typeId(msg.type);
    if (src * 3 >= this.sendMeta.length) this.growSendCache(src + 1);
    const meta = this.sendMeta;
    const m = src * 3;
    if (meta[m + 2] !== this.routeEpoch) {
      meta[m] = 0;
      meta[m + 1] = 0;
      meta[m + 2] = this.routeEpoch;
    }
    // A leader sends to every follower in turn: a short list searched by id (node ids are the
    // kernel's own internalized strings, so the comparison is by reference).
    const tos = this.sendTo;
    const base = src * SEND_CACHE;
    const n = meta[m]!;
    let e = base;
    while (e < base + n && tos[e] !== to) e++;
    const int = this.sendInt;
    if (e === base + n) {
      if (n < SEND_CACHE) meta[m] = n + 1;
      else {
        e = base + meta[m + 1]!;
        meta[m + 1] = (meta[m + 1]! + 1) % SEND_CACHE;
      }
      tos[e] = to;
      int[e * 4] = this.idIndex.get(to) ?? -1;
      int[e * 4 + 1] = -2;
      this.sendPath[e] = null;
    }
    const dst = int[e * 4]!;
    this.counters[C.sent]!++;
    this.row(TraceKind.send, src, dst, type, sendId, -1);
    if (dst < 0 || !this.present[dst] || this.isSwitch[dst]) {
      this.drop(src, dst, type, sendId, 'unknown-node', 'droppedNoRoute');
      return;
    }
    if (this.inFlight >= this.limits.maxInFlight) {
      this.drop(src, dst, type, sendId, 'limit', 'droppedLimit');
      return;
    }
    if (this.partitions.length > 0 && this.blocked(src, dst)) {
      this.drop(src, dst, type, sendId, 'partition', 'droppedPartition');
      return;
    }
    if (src === dst) {
      this.inFlight++;
      this.schedule(this.nowUs, Ev.deliver, dst, src, sendId, msg);
      return;
    }
    let hops = int[e * 4 + 1]!;
    if (hops === -2) {
      const p = this.route(src, dst);
      hops = p === null ? -1 : p.length;
      int[e * 4 + 1] = hops;
      int[e * 4 + 2] = hops > 0 ? p![0]! : 0;
      int[e * 4 + 3] = hops > 1 ? p![1]! : 0;
      this.sendPath[e] = p;
    }
    const ha = int[e * 4 + 2]!;
    const hb = int[e * 4 + 3]!;
    const path = hops > 2 ? this.sendPath[e]! : null;
    if (hops < 0) {
      this.drop(src, dst, type, sendId, 'no-route', 'droppedNoRoute');
      return;
    }
    let t = this.nowUs;
    let dup = false;
    let dupLink = -1;
    for (let k = 0; k < hops; k++) {
      const dl = k === 0 ? ha : k === 1 ? hb : path![k]!;
      const l = dl >> 1;
      const fast = this.linkFast[l]!;
      if (fast >= 0) {
        // Fast path: constant latency, nothing random.
        t += fast;
        const last = this.lastArrival[dl]!;
        if (t < last) t = last;
        this.lastArrival[dl] = t;
        continue;
      }
      const p = this.linkProps[l]!;
      const rng = this.linkRngs[l]!;
      if (p.lossRate > 0 && rng.chance(p.lossRate)) {
        this.drop(src, dst, type, sendId, 'loss', 'droppedLoss');
        return;
      }
      t += p.latency.kind === 'constant' ? p.latency.us : sampleLatencyUs(p.latency, rng);
      if (p.reorderRate > 0 && rng.chance(p.reorderRate)) {
        // A reordered message skips the per-link FIFO and waits a little extra.
        t += Math.floor(rng.next() * (p.reorderDelayUs + 1));
      } else {
        // Links are FIFO otherwise: never arrive before an earlier message on this direction.
        const last = this.lastArrival[dl]!;
        if (t < last) t = last;
        this.lastArrival[dl] = t;
      }
      if (p.dupRate > 0 && rng.chance(p.dupRate)) {
        dup = true;
        dupLink = l;
      }
    }
    this.inFlight++;
    this.schedule(t, Ev.deliver, dst, src, sendId, msg);
    if (dup) {
      // The copy is made on the link that duplicated it and travels that link's latency again.
      const p = this.linkProps[dupLink]!;
      const extra = sampleLatencyUs(p.latency, this.linkRngs[dupLink]!);
      this.inFlight++;
      this.counters[C.duplicated]!++;
      this.schedule(t + extra, Ev.deliver, dst, src, sendId, msg);
    }
  }

  private blocked(src: number, dst: number): boolean {
    for (const p of this.partitions) {
      if (p.groupOf !== undefined) {
        const a = p.groupOf.get(src);
        const b = p.groupOf.get(dst);
        if (a !== undefined && b !== undefined && a !== b) return true;
      } else if (p.from?.has(src) && p.to?.has(dst)) return true;
    }
    return false;
  }

  private routeGraph(): RouteGraph {
    const n = this.ids.length;
    const out: number[][] = [];
    const present: boolean[] = [];
    for (let i = 0; i < n; i++) {
      out.push([]);
      present.push(this.present[i]! && (!this.isSwitch[i] || this.up[i]!));
    }
    for (let l = 0; l < this.linkIds.length; l++) {
      if (!this.linkPresent[l]) continue;
      const a = this.linkA[l]!;
      const b = this.linkB[l]!;
      const w = meanLatencyUs(this.linkProps[l]!.latency);
      const cut = this.linkCut[l]!;
      if ((cut & 1) === 0) out[a]!.push(2 * l, b, w);
      if ((cut & 2) === 0) out[b]!.push(2 * l + 1, a, w);
    }
    return { nodeCount: n, isSwitch: this.isSwitch, present, out };
  }

  /** The directed links from src to dst (shortest mean latency), or null when unreachable. */
  route(src: number, dst: number): Int32Array | null {
    let row = this.routes[src];
    if (row === undefined) {
      // Dense rows for ordinary topologies; on very large ones a sparse row, so memory follows
      // the pairs that actually talk rather than nodes squared.
      row =
        this.ids.length <= 4096
          ? new Array<Int32Array | null | undefined>(this.ids.length).fill(undefined)
          : ([] as (Int32Array | null | undefined)[]);
      this.routes[src] = row;
    }
    const cached = row[dst];
    if (cached !== undefined) return cached;
    let tree = this.routeTrees.get(src);
    if (tree === undefined) {
      if (this.graph === null) this.graph = this.routeGraph();
      // Trees are only needed until a source's routes are cached; keep a bounded number
      // (a cache: dropping one never changes a route).
      if (this.routeTrees.size >= 256) this.routeTrees.clear();
      tree = shortestTree(this.graph, src);
      this.routeTrees.set(src, tree);
    }
    const hops: number[] = [];
    let v = dst;
    let ok = true;
    while (v !== src) {
      const dl = tree[v]!;
      if (dl < 0) {
        ok = false;
        break;
      }
      hops.push(dl);
      const l = dl >> 1;
      v = (dl & 1) === 0 ? this.linkA[l]! : this.linkB[l]!;
    }
    const path = ok ? Int32Array.from(hops.reverse()) : null;
    row[dst] = path;
    return path;
  }

  /** Route between two node ids as a list of link ids (for tests and the inspector). */
  routeIds(src: string, dst: string): string[] | null {
    const p = this.route(this.indexOf(src), this.indexOf(dst));
    return p === null ? null : Array.from(p, (dl) => this.linkIds[dl >> 1]!);
  }

  /**
   * The network's fault state now, as fresh copies (read-only; for the host's link view):
   * nodes, links with their cut bits and current properties, and the active partition rules
   * by node id (groups in node-index order).
   */
  networkView(): NetworkView {
    const n = this.ids.length;
    const nodes = this.ids.map((id, i) => ({
      id,
      isSwitch: this.isSwitch[i]!,
      present: this.present[i]!,
      up: this.up[i]!,
    }));
    const links = this.linkIds.map((id, l) => ({
      id,
      a: this.ids[this.linkA[l]!]!,
      b: this.ids[this.linkB[l]!]!,
      present: this.linkPresent[l]!,
      cutAToB: (this.linkCut[l]! & 1) !== 0,
      cutBToA: (this.linkCut[l]! & 2) !== 0,
      ...this.linkProps[l]!,
    }));
    const partitions = this.partitions.map((p) => {
      if (p.groupOf === undefined)
        return {
          id: p.id,
          from: [...(p.from ?? [])].map((i) => this.ids[i]!),
          to: [...(p.to ?? [])].map((i) => this.ids[i]!),
        };
      const groups: string[][] = [];
      for (let i = 0; i < n; i++) {
        const g = p.groupOf.get(i);
        if (g === undefined) continue;
        while (groups.length <= g) groups.push([]);
        groups[g]!.push(this.ids[i]!);
      }
      return { id: p.id, groups };
    });
    return { nodes, links, partitions };
  }

  private onDeliver(i: number, src: number, sendId: number, msg: unknown): void {
    if (this.paused[i] && this.up[i]) {
      this.held[i] = [...this.held[i]!, { kind: Ev.deliver, peer: src, arg: sendId, payload: msg }];
      return;
    }
    this.inFlight--;
    const type = this.typeId((msg as { type: string }).type);
    if (!this.present[i] || !this.up[i]) {
      this.drop(src, i, type, sendId, 'down', 'droppedDown');
      return;
    }
    this.counters[C.delivered]!++;
    this.row(TraceKind.deliver, i, src, type, sendId, -1);
    const input = this.messageInput;
    input.from = this.ids[src]!;
    input.msg = msg;
    this.runStep(i, input);
  }

  private refreshLinkFast(): void {
    this.linkFast = this.linkProps.map((p) =>
      p.latency.kind === 'constant' && p.lossRate === 0 && p.dupRate === 0 && p.reorderRate === 0
        ? p.latency.us
        : -1,
    );
  }

  private addLink(l: ScenarioLink): void {
    const a = this.idIndex.get(l.a);
    const b = this.idIndex.get(l.b);
    if (a === undefined || b === undefined) throw new Error(`link ${l.id} names an unknown node`);
    if (this.linkIndex.has(l.id)) throw new Error(`link ${l.id} exists`);
    this.linkIndex.set(l.id, this.linkIds.length);
    this.linkIds.push(l.id);
    this.linkA.push(a);
    this.linkB.push(b);
    this.linkProps.push({
      latency: l.latency,
      lossRate: l.lossRate,
      dupRate: l.dupRate,
      reorderRate: l.reorderRate,
      reorderDelayUs: l.reorderDelayUs,
    });
    this.refreshLinkFast();
    this.linkCut.push(0);
    this.linkPresent.push(true);
    this.linkRngs.push(new Rng(this.seed, `link:${l.id}`));
    this.lastArrival.push(0, 0);
    this.invalidateRoutes();
  }

  // ---------------------------------------------------------------- faults

  private nodeArg(id: string): number {
    const i = this.idIndex.get(id);
    return i === undefined || !this.present[i] ? -1 : i;
  }

  private applyFault(f: Fault, prefix: string): void {
    this.counters[C.faults]!++;
    // Liveness counts from the last fault: what was given up on before it is forgiven.
    this.lastFaultUs = this.nowUs;
    this.gaveUp.length = 0;
    const node = 'node' in f && typeof f.node === 'string' ? this.nodeArg(f.node) : -1;
    this.note(TraceKind.fault, node, prefix + describeFault(f));
    switch (f.kind) {
      case 'crash':
        if (node >= 0) this.crash(node);
        return;
      case 'restart':
        if (node >= 0) this.restart(node);
        return;
      case 'pause':
        if (node >= 0 && this.up[node] && !this.isSwitch[node]) this.paused[node] = true;
        return;
      case 'resume':
        if (node >= 0 && this.paused[node]) {
          this.paused[node] = false;
          // Held deliveries and timers run now, in the order they arrived.
          for (const h of this.held[node]!) this.schedule(this.nowUs, h.kind, node, h.peer, h.arg, h.payload);
          this.held[node] = [];
        }
        return;
      case 'partition': {
        const groupOf = new Map<number, number>();
        f.groups.forEach((g, k) => {
          for (const id of g) {
            const i = this.nodeArg(id);
            if (i >= 0) groupOf.set(i, k);
          }
        });
        this.partitions = [...this.partitions, { id: f.id ?? `p${this.eventIndex}`, groupOf }];
        return;
      }
      case 'partition-oneway': {
        const from = new Set(f.from.map((id) => this.nodeArg(id)).filter((i) => i >= 0));
        const to = new Set(f.to.map((id) => this.nodeArg(id)).filter((i) => i >= 0));
        this.partitions = [...this.partitions, { id: f.id ?? `p${this.eventIndex}`, from, to }];
        return;
      }
      case 'cut-link': {
        const l = this.linkIndex.get(f.link);
        if (l === undefined || !this.linkPresent[l]) return;
        const bits = f.direction === 'both' ? 3 : f.direction === 'a-to-b' ? 1 : 2;
        this.linkCut[l] = this.linkCut[l]! | bits;
        this.invalidateRoutes();
        return;
      }
      case 'heal': {
        if (f.id === undefined) {
          this.partitions = [];
          this.linkCut = this.linkCut.map(() => 0);
        } else {
          this.partitions = this.partitions.filter((p) => p.id !== f.id);
          const l = this.linkIndex.get(f.id);
          if (l !== undefined) this.linkCut[l] = 0;
        }
        this.invalidateRoutes();
        return;
      }
      case 'degrade-link': {
        const l = this.linkIndex.get(f.link);
        if (l === undefined) return;
        const p = this.linkProps[l]!;
        this.linkProps[l] = {
          latency: f.latency ?? p.latency,
          lossRate: f.lossRate ?? p.lossRate,
          dupRate: f.dupRate ?? p.dupRate,
          reorderRate: f.reorderRate ?? p.reorderRate,
          reorderDelayUs: p.reorderDelayUs,
        };
        this.refreshLinkFast();
        if (f.latency !== undefined) this.invalidateRoutes();
        return;
      }
      case 'clock-step':
        if (node < 0) return;
        this.clocks[node] = stepClock(this.clocks[node]!, this.nowUs, f.deltaUs);
        this.refreshClockFast(node);
        this.replanTimers(node);
        return;
      case 'clock-slew':
        if (node < 0) return;
        this.clocks[node] = slewClock(this.clocks[node]!, this.nowUs, f.deltaUs, f.ratePpm);
        this.refreshClockFast(node);
        this.replanTimers(node);
        return;
      case 'clock-drift':
        if (node < 0) return;
        this.clocks[node] = setDrift(this.clocks[node]!, this.nowUs, f.driftPpm);
        this.refreshClockFast(node);
        this.replanTimers(node);
        return;
      case 'add-node': {
        if (this.idIndex.has(f.node.id)) return;
        const i = this.addNode(f.node);
        if (!this.isSwitch[i]) this.schedule(this.nowUs, Ev.start, i, -1, 0, null);
        return;
      }
      case 'remove-node':
        if (node < 0) return;
        if (!this.isSwitch[node]) this.crash(node);
        this.present[node] = false;
        this.up[node] = false;
        this.invalidateTopology();
        return;
      case 'add-link':
        if (this.linkIndex.has(f.link.id) || this.nodeArg(f.link.a) < 0 || this.nodeArg(f.link.b) < 0) return;
        this.addLink(f.link);
        return;
      case 'remove-link': {
        const l = this.linkIndex.get(f.link);
        if (l !== undefined) this.linkPresent[l] = false;
        this.invalidateRoutes();
        return;
      }
    }
  }

  private crash(i: number): void {
    if (!this.up[i]) return;
    this.up[i] = false;
    this.paused[i] = false;
    // Held messages are lost with the process; the in-flight count forgets them.
    for (const h of this.held[i]!) if (h.kind === Ev.deliver) this.inFlight--;
    this.held[i] = [];
    this.timers[i] = {};
    if (this.isSwitch[i]) {
      this.invalidateRoutes();
      return;
    }
    this.states[i] = this.durablePart(this.states[i]);
    const v = this.views[this.viewOf[i]!]!;
    v.up = false;
    v.state = this.states[i];
    // Operations pending at the crashed node stay pending: their outcome is unknown, and a
    // closed-loop client moves on at its timeout, as a real client would.
  }

  /** What survives a crash: the protocol's declared durable fields. */
  private durablePart(state: unknown): unknown {
    const kept: Record<string, unknown> = {};
    const s = state as Record<string, unknown>;
    for (const key of this.handler.durable) if (key in s) kept[key] = s[key];
    return kept;
  }

  private restart(i: number): void {
    if (this.up[i] || !this.present[i]) return;
    this.up[i] = true;
    if (this.isSwitch[i]) {
      this.invalidateRoutes();
      return;
    }
    const base = this.protocol.init(this.initCtx(i)) as object;
    // The durable fields written before the crash overlay a fresh initial state.
    this.states[i] = { ...base, ...(this.states[i] as object) };
    const v = this.views[this.viewOf[i]!]!;
    v.up = true;
    v.state = this.states[i];
    this.row(TraceKind.restart, i, -1, -1, -1, -1);
    this.runStep(i, { kind: 'restart' });
  }

  // ---------------------------------------------------------------- workload

  private clientNodes(): number[] {
    const ids = this.nodesWithRole('client');
    const list = ids.length > 0 ? ids : this.sortedProtocolIds();
    return list.map((id) => this.idIndex.get(id)!);
  }

  private scheduleWorkloadStart(): void {
    const w = this.scenario.workload;
    if (w.kind === 'open') this.schedule(w.startUs, Ev.openLoop, -1, -1, 0, null);
    else if (w.kind === 'closed') {
      for (const c of this.clientNodes())
        for (let s = 0; s < w.concurrency; s++) this.schedule(w.startUs, Ev.clientNext, c, -1, s, null);
    }
  }

  private pickKey(): string {
    const w = this.scenario.workload;
    if (w.kind === 'none') return '';
    const k = w.keys;
    const count = k.list !== undefined ? k.list.length : k.count;
    let i: number;
    if (k.distribution === 'sequential') i = this.seqKey++ % count;
    else if (k.distribution === 'uniform') i = Math.floor(this.wlRng.next() * count);
    else i = zipfRank(this.wlRng.next(), count, k.zipfS) - 1;
    if (k.list !== undefined) return k.list[i]!;
    // Key names from a pattern are built once per index (a cache: the scenario never changes).
    let name = this.patternKeys[i];
    if (name === undefined) {
      name = k.pattern.replaceAll('{i}', String(i));
      this.patternKeys[i] = name;
    }
    return name;
  }

  private onOpenLoop(): void {
    const w = this.scenario.workload;
    if (w.kind !== 'open') return;
    if (w.stopUs !== undefined && this.nowUs >= w.stopUs) return;
    const clients = this.clientNodes();
    if (clients.length > 0) this.issueOp(this.wlRng.pick(clients), -1);
    const gap = Math.max(1, Math.round(this.wlRng.exponential(1e6 / w.ratePerS)));
    this.schedule(this.nowUs + gap, Ev.openLoop, -1, -1, 0, null);
  }

  private issueOp(i: number, slot: number): void {
    const w = this.scenario.workload;
    if (w.kind === 'none') return;
    if (w.stopUs !== undefined && this.nowUs >= w.stopUs) return;
    const id = this.nextOpId++;
    const isRead = this.wlRng.next() < w.readFraction;
    const key = this.pickKey();
    const op: ClientOp = isRead
      ? { id, client: this.ids[i]!, op: 'read', key }
      : { id, client: this.ids[i]!, op: 'write', key, value: `v${id}` };
    this.counters[C.opsInvoked]!++;
    const h = new HistoryEntry('invoke', id, op.client, op.op, key, op.value, this.nowUs);
    this.pushHistory(h);
    this.pending.set(id, { startUs: this.nowUs, node: w.kind === 'closed' ? i : -1, slot });
    this.row(TraceKind.client, i, -1, -1, -1, this.strings.idByKey(this.clientNoteIds, id, h));
    if (w.kind === 'closed') {
      // A fixed delay from now: timeouts come due in the order they are made (the heap's FIFO lane).
      this.heap.pushLate(this.nowUs + w.timeoutUs, this.seq++, Ev.clientTimeout, i, -1, id, null);
    }
    if (!this.present[i] || !this.up[i] || this.paused[i]) return; // never answered: unknown
    this.runStep(i, { kind: 'client', op });
  }

  private onReply(i: number, id: number, ok: boolean, value: string | null | undefined): void {
    const p = this.pending.get(id);
    if (p === undefined) return; // late or duplicate reply
    this.pending.delete(id);
    const h = new HistoryEntry(
      ok ? 'complete' : 'fail',
      id,
      undefined,
      undefined,
      undefined,
      value,
      this.nowUs,
    );
    this.pushHistory(h);
    if (ok) this.counters[C.opsOk]!++;
    else this.counters[C.opsFailed]!++;
    this.pushSample(OP_LATENCY_SERIES, this.nowUs, this.nowUs - p.startUs);
    this.row(TraceKind.reply, i, -1, -1, -1, this.strings.idByKey(this.replyNoteIds, id, h));
    this.nextAfter(p);
  }

  /** A closed-loop client's next operation, after the think time, once one is answered or timed out. */
  private nextAfter(p: PendingOp): void {
    const w = this.scenario.workload;
    if (p.node < 0 || w.kind !== 'closed') return;
    this.schedule(this.nowUs + w.thinkTimeUs, Ev.clientNext, p.node, -1, p.slot, null);
  }

  private onClientTimeout(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (this.liveness.length > 0 && p.startUs >= this.lastFaultUs && this.isQuiet())
      this.gaveUp.push({ id, client: this.ids[p.node] ?? '', invokedUs: p.startUs, gaveUpUs: this.nowUs });
    this.counters[C.opsUnknown]!++;
    this.nextAfter(p);
  }

  /**
   * The client history as key-value operations (for history checkers). A failed operation
   * (ok: false) certainly did not take effect, so it is left out; one never answered has
   * returnUs null (it may or may not have taken effect).
   */
  kvHistory(): KvOp[] {
    const clients = [...new Set(this.history.slice(0, this.historyLen).map((h) => h.client ?? ''))]
      .filter((c) => c !== '')
      .sort();
    const clientNo = new Map(clients.map((c, k) => [c, k]));
    const ops = new Map<number, KvOp>();
    const failed = new Set<number>();
    for (let k = 0; k < this.historyLen; k++) {
      const h = this.history[k]!;
      if (h.t === 'invoke') {
        const op: KvOp = {
          id: h.id,
          client: clientNo.get(h.client!) ?? 0,
          kind: h.op === 'write' ? 'put' : 'get',
          key: h.key!,
          callUs: h.us,
          returnUs: null,
        };
        if (h.op === 'write') op.value = h.value ?? '';
        ops.set(h.id, op);
      } else if (h.t === 'fail') failed.add(h.id);
      else {
        const op = ops.get(h.id);
        if (op === undefined) continue;
        op.returnUs = h.us;
        if (op.kind === 'get') op.output = h.value ?? null;
      }
    }
    return [...ops.values()].filter((op) => !failed.has(op.id));
  }

  // ---------------------------------------------------------------- nemesis

  private scheduleNemesisStart(): void {
    const n = this.scenario.nemesis;
    if (!n.enabled) return;
    const rates = [n.crashRatePerS, n.partitionRatePerS, n.lossRatePerS, n.clockSkewRatePerS];
    rates.forEach((r, k) => {
      if (r > 0) this.schedule(n.startUs + this.nemGap(r), Ev.nemesis, -1, -1, k, null);
    });
  }

  /** Schedules the restart of a node the nemesis crashed: soon (within quickRestartUs) or after an exponential downtime. */
  private scheduleNemesisRestart(id: string, quick: boolean): void {
    const n = this.scenario.nemesis;
    const rng = this.nemRng;
    const down = quick ? rng.int(1, Math.max(1, n.quickRestartUs)) : rng.exponential(n.meanDowntimeUs);
    const back = this.nowUs + Math.max(1, Math.round(down));
    this.scheduleFault(back, { kind: 'restart', node: id } satisfies Fault);
  }

  /** The up node that leads in the highest term or ballot (by the protocol's hook), or -1. */
  private nemesisLeader(): number {
    const hooks = this.protocol.nemesis as LeaderHook<unknown> | undefined;
    if (hooks === undefined) return -1;
    let best = -1;
    let bestRound = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.ids.length; i++) {
      if (!this.present[i] || !this.up[i] || this.isSwitch[i]) continue;
      const r = hooks.leads(this.states[i]);
      if (r !== null && r > bestRound) {
        best = i;
        bestRound = r;
      }
    }
    return best;
  }

  /**
   * Cuts the leader off from a majority of its peers (the nodes of its role): the leader and
   * fewer than half of them on one side, the rest on the other; nodes of other roles (clients)
   * fall on either side at random. One-way as often as oneWayFraction says (leader side to the rest).
   */
  private isolateLeader(leader: number, tag: string): void {
    const n = this.scenario.nemesis;
    const rng = this.nemRng;
    const role = this.roles[leader]!;
    const leaderId = this.ids[leader]!;
    const peers = this.nodesWithRole(role).filter((id) => id !== leaderId);
    const others = this.sortedProtocolIds().filter((id) => id !== leaderId && !peers.includes(id));
    const shuffled = rng.shuffled(peers);
    // The leader's side holds at most floor((peers + 1 - 1) / 2) servers in all: a minority.
    const minority = Math.floor(peers.length / 2);
    const withLeader = minority > 0 ? rng.int(0, minority - 1) : 0;
    const g1 = [leaderId, ...shuffled.slice(0, withLeader)];
    const g2 = shuffled.slice(withLeader);
    for (const id of others) (rng.chance(0.5) ? g1 : g2).push(id);
    g1.sort();
    g2.sort();
    if (g2.length === 0) return;
    const f: Fault = rng.chance(n.oneWayFraction)
      ? { kind: 'partition-oneway', id: tag, from: g1, to: g2 }
      : { kind: 'partition', id: tag, groups: [g1, g2] };
    this.applyFault(f, 'nemesis (the leader cut off): ');
    const back = this.nowUs + Math.max(1, Math.round(rng.exponential(n.meanPartitionUs)));
    this.scheduleFault(back, { kind: 'heal', id: tag } satisfies Fault);
  }

  /**
   * After each step while the nemesis watches: a node that just became leader, or committed
   * first as a new leader, may be crashed inside that step; one that just made a promise is
   * crashed right after it (its messages already sent). Read from the events the step emitted
   * (NEMESIS_EVENTS), drawn from the nemesis stream in this order.
   */
  private watchEvents(i: number, events: readonly CheckEvent[]): boolean {
    const n = this.scenario.nemesis;
    if (this.nowUs < n.startUs || (n.stopUs !== undefined && this.nowUs >= n.stopUs)) return false;
    const has = (type: string) => events.some((e) => e.type === type);
    if (n.crashNewLeader > 0 && has(NEMESIS_EVENTS.elected) && this.nemRng.chance(n.crashNewLeader)) {
      this.crashWhy = 'just elected, before its messages left';
      return true;
    }
    if (
      n.crashAfterFirstCommit > 0 &&
      has(NEMESIS_EVENTS.firstCommit) &&
      this.nemRng.chance(n.crashAfterFirstCommit)
    ) {
      this.crashWhy = 'a new leader, right after its first commit';
      return true;
    }
    if (n.crashAfterPromise > 0 && has(NEMESIS_EVENTS.promised) && this.nemRng.chance(n.crashAfterPromise))
      this.schedule(this.nowUs, Ev.nemesis, i, -1, NEM_TARGETED, 'right after a promise');
    return false;
  }

  /** A crash the step watch asked for; a promise crash restarts quickly, a new leader's like any crash. */
  private onTargetedCrash(i: number, why: string): void {
    if (!this.present[i] || !this.up[i]) return;
    const id = this.ids[i]!;
    this.nemesisCount++;
    this.applyFault({ kind: 'crash', node: id }, `nemesis (${why}): `);
    const n = this.scenario.nemesis;
    const quick =
      why === 'right after a promise' ||
      (n.quickRestartFraction > 0 && this.nemRng.chance(n.quickRestartFraction));
    this.scheduleNemesisRestart(id, quick);
  }

  private nemGap(ratePerS: number): number {
    return Math.max(1, Math.round(this.nemRng.exponential(1e6 / ratePerS)));
  }

  /**
   * One nemesis action (kind 0 crash, 1 partition, 2 loss burst, 3 clock skew) drawn from the
   * nemesis stream, its undo scheduled as a fault, and the next action of the kind scheduled.
   */
  private onNemesis(kind: number): void {
    const n = this.scenario.nemesis;
    if (n.stopUs !== undefined && this.nowUs >= n.stopUs) return;
    const rng = this.nemRng;
    const nodes = this.sortedProtocolIds();
    const tag = `nemesis${this.nemesisCount++}`;
    if (kind === 0) {
      const leader = n.leaderFocus > 0 && rng.chance(n.leaderFocus) ? this.nemesisLeader() : -1;
      const upNodes = leader >= 0 ? [] : nodes.filter((id) => this.up[this.idIndex.get(id)!]);
      if (leader >= 0 || upNodes.length > 0) {
        const id = leader >= 0 ? this.ids[leader]! : rng.pick(upNodes);
        this.applyFault({ kind: 'crash', node: id }, leader >= 0 ? 'nemesis (the leader): ' : 'nemesis: ');
        this.scheduleNemesisRestart(id, n.quickRestartFraction > 0 && rng.chance(n.quickRestartFraction));
      }
      this.schedule(this.nowUs + this.nemGap(n.crashRatePerS), Ev.nemesis, -1, -1, 0, null);
    } else if (kind === 1) {
      const leader = n.leaderFocus > 0 && rng.chance(n.leaderFocus) ? this.nemesisLeader() : -1;
      if (leader >= 0) this.isolateLeader(leader, tag);
      else if (nodes.length >= 2) {
        const shuffled = rng.shuffled(nodes);
        const cut = 1 + Math.floor(rng.next() * (shuffled.length - 1));
        const g1 = shuffled.slice(0, cut).sort();
        const g2 = shuffled.slice(cut).sort();
        const f: Fault = rng.chance(n.oneWayFraction)
          ? { kind: 'partition-oneway', id: tag, from: g1, to: g2 }
          : { kind: 'partition', id: tag, groups: [g1, g2] };
        this.applyFault(f, 'nemesis: ');
        const back = this.nowUs + Math.max(1, Math.round(rng.exponential(n.meanPartitionUs)));
        this.scheduleFault(back, { kind: 'heal', id: tag } satisfies Fault);
      }
      this.schedule(this.nowUs + this.nemGap(n.partitionRatePerS), Ev.nemesis, -1, -1, 1, null);
    } else if (kind === 2) {
      const links = this.linkIds.filter((_, l) => this.linkPresent[l]);
      if (links.length > 0) {
        const id = rng.pick(links);
        // Restore to the loss before the burst; if another nemesis burst on this link was
        // still running (its rate is what we see), restore to the configured rate instead, so
        // overlapping bursts cannot leave the link lossy for ever.
        const current = this.linkProps[this.linkIndex.get(id)!]!.lossRate;
        const configured = this.scenario.topology.links.find((l) => l.id === id)?.lossRate ?? 0;
        const before = current === n.lossRate ? configured : current;
        this.applyFault({ kind: 'degrade-link', link: id, lossRate: n.lossRate }, 'nemesis: ');
        const back = this.nowUs + Math.max(1, Math.round(rng.exponential(n.meanLossUs)));
        this.scheduleFault(back, {
          kind: 'degrade-link',
          link: id,
          lossRate: before,
        } satisfies Fault);
      }
      this.schedule(this.nowUs + this.nemGap(n.lossRatePerS), Ev.nemesis, -1, -1, 2, null);
    } else {
      if (nodes.length > 0) {
        const id = rng.pick(nodes);
        const delta = Math.round((rng.next() * 2 - 1) * n.maxSkewUs);
        this.applyFault({ kind: 'clock-step', node: id, deltaUs: delta }, 'nemesis: ');
      }
      this.schedule(this.nowUs + this.nemGap(n.clockSkewRatePerS), Ev.nemesis, -1, -1, 3, null);
    }
  }

  // ---------------------------------------------------------------- metrics

  private sample(tUs: number): void {
    // One sample per boundary crossed, taken before the event at tUs (a long quiet gap yields
    // one sample, at the first boundary, not thousands).
    const at = this.nextSampleUs;
    const push = (k: number, v: number): void => this.pushSample(k, at, v);
    push(0, this.inFlight);
    push(1, this.counters[C.sent]!);
    push(2, this.counters[C.delivered]!);
    push(3, this.counters[C.dropped]!);
    this.protocol.metrics.forEach((m, k) => {
      const v = m.read(this.views);
      // A gauge that is not a number is a protocol bug (often a crashed node's missing field):
      // said at once, rather than a chart gap or a grade that skips the sample.
      if (!Number.isFinite(v)) throw new Error(`metric ${m.id} read ${v}: a gauge must be a finite number`);
      push(5 + k, v);
    });
    this.nextSampleUs = (Math.floor(tUs / SAMPLE_INTERVAL_US) + 1) * SAMPLE_INTERVAL_US;
  }

  private pushSample(k: number, tUs: number, v: number): void {
    const s = this.series[k]!;
    const n = this.seriesLen[k]!;
    s.tUs[n] = tUs;
    s.v[n] = v;
    this.seriesLen[k] = n + 1;
  }

  private pushHistory(h: HistoryEntry): void {
    this.history[this.historyLen++] = h;
  }

  /** Counters, gauges and series (copies; JSON-serialisable). */
  metrics(): { counters: Record<string, number>; gauges: Record<string, number>; series: Series[] } {
    return {
      counters: Object.fromEntries(COUNTERS.map((n, i) => [n, this.counters[i]!])),
      gauges: {
        inFlight: this.inFlight,
        queued: this.heap.size,
        traceRows: this.trace.length,
        ...this.kvMetrics(),
      },
      series: this.series.map((s, k) => ({
        ...s,
        tUs: s.tUs.slice(0, this.seriesLen[k]),
        v: s.v.slice(0, this.seriesLen[k]),
      })),
    };
  }

  /** The common key-value metrics (kv-metrics.ts) of a run with a workload; none without one. */
  private kvMetrics(): Record<string, number> {
    const w = this.scenario.workload;
    if (w.kind === 'none') return {};
    const c = this.counters;
    const k = OP_LATENCY_SERIES;
    return kvMetrics(this.series[k]!.v.slice(0, this.seriesLen[k]), {
      invoked: c[C.opsInvoked]!,
      ok: c[C.opsOk]!,
      failed: c[C.opsFailed]!,
      unknown: c[C.opsUnknown]!,
      sent: c[C.sent]!,
      spanUs: Math.max(0, this.nowUs - w.startUs),
    });
  }

  // ---------------------------------------------------------------- inspection

  /** The protocol nodes as invariants see them (live: read, never keep or change). */
  nodeViews(): readonly NodeView<unknown>[] {
    return this.views;
  }

  /** Per-node inspector data. */
  nodeInfo(i: number) {
    const id = this.ids[i]!;
    // The caller gets the state object itself: no step may change it in place afterwards.
    const sw = this.isSwitch[i]!;
    const up = this.up[i]! && this.present[i]!;
    return {
      id,
      role: this.roles[i]!,
      name: this.positions[i]!.name,
      up,
      paused: this.paused[i]!,
      removed: !this.present[i],
      localTimeUs: Math.floor(localAt(this.clocks[i]!, this.nowUs)),
      clockErrorUs: Math.round(localAt(this.clocks[i]!, this.nowUs) - this.nowUs),
      timers: Object.keys(this.timers[i]!).sort(),
      // Contract v2: a copy, since the handler goes on changing the state itself.
      state:
        this.handler === null
          ? (this.states[i] ?? null)
          : sw
            ? null
            : lookCopy(this.states[i] ?? null, this.logs),
      badge: sw
        ? { text: up ? 'switch' : 'switch down', tone: up ? ('neutral' as const) : ('bad' as const) }
        : this.protocol.summary(this.states[i], up),
    };
  }

  /** Number of nodes ever added (including removed ones). */
  get nodeCount(): number {
    return this.ids.length;
  }

  // ---------------------------------------------------------------- snapshots

  /** The timer tables for a snapshot: shared from now on, so the next change copies. */
  private saveTimers(): Record<string, TimerRec>[] {
    this.timersOwned.fill(false);
    return this.timers;
  }

  /** The stream states in the last snapshot taken (shared by the next one when unchanged). */
  private savedNodeRngs: Uint32Array | undefined;
  private savedLinkRngs: Uint32Array | undefined;
  /** The copy of each per-node or per-link table in the last snapshot taken (see share). */
  private readonly savedTables: Record<string, readonly unknown[]> = {};

  /**
   * A snapshot copy of a table: the previous snapshot's copy when every element is the same
   * (snapshots are never mutated, so they can share it), else a fresh copy. Between two
   * checkpoints of a large run most tables (ids, roles, links, clocks, timers...) do not
   * change, so a checkpoint costs a scan instead of an allocation that the GC must then copy.
   */
  private share<T>(key: string, cur: readonly T[]): T[] {
    const prev = this.savedTables[key] as T[] | undefined;
    if (prev !== undefined && prev.length === cur.length) {
      let k = 0;
      while (k < cur.length && prev[k] === cur[k]) k++;
      if (k === cur.length) return prev;
    }
    const copy = cur.slice();
    this.savedTables[key] = copy;
    return copy;
  }

  /**
   * Contract v2: checkpoint copies of the node states (switches null). Handlers change states
   * in place, so a checkpoint must hold its own copy; logs are shared with the previous
   * checkpoint in chunks (archive.ts), so a checkpoint costs about the size of what changed.
   */
  private archiveStates(): (Archived | null)[] {
    const out: (Archived | null)[] = [];
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i];
      const a = s === null || s === undefined ? null : archiveState(s, this.logs, this.lastArchive[i]);
      out.push(a);
      this.lastArchive[i] = a ?? undefined;
    }
    return out;
  }

  /**
   * A snapshot of the whole state. First-contract node states are immutable values, so they
   * are shared; contract-v2 states are archived (archiveStates).
   */
  save(): KernelSnapshot {
    // The snapshot holds every state object from now on: the next step of each node copies.
    const nodeRngs = saveRngs(this.nodeRngs, this.savedNodeRngs);
    const linkRngs = saveRngs(this.linkRngs, this.savedLinkRngs);
    this.savedNodeRngs = nodeRngs;
    this.savedLinkRngs = linkRngs;
    return {
      eventIndex: this.eventIndex,
      nowUs: this.nowUs,
      seq: this.seq,
      seed: this.seed,
      params: this.params,
      violation: this.violation,
      heap: this.heap.save(),
      traceLength: this.trace.length,
      ids: this.share('ids', this.ids),
      roles: this.share('roles', this.roles),
      isSwitch: this.share('isSwitch', this.isSwitch),
      viewOf: this.share('viewOf', this.viewOf),
      positions: this.share('positions', this.positions),
      present: this.share('present', this.present),
      up: this.share('up', this.up),
      paused: this.share('paused', this.paused),
      states: this.archiveStates(),
      timers: this.share('timers', this.saveTimers()),
      clocks: this.share('clocks', this.clocks),
      nodeRngs,
      held: this.share('held', this.held),
      linkIds: this.share('linkIds', this.linkIds),
      linkA: this.share('linkA', this.linkA),
      linkB: this.share('linkB', this.linkB),
      linkProps: this.share('linkProps', this.linkProps),
      linkCut: this.share('linkCut', this.linkCut),
      linkPresent: this.share('linkPresent', this.linkPresent),
      linkRngs,
      lastArrival: this.share('lastArrival', this.lastArrival),
      partitions: this.partitions,
      nextSendId: this.nextSendId,
      timerGen: this.timerGen,
      inFlight: this.inFlight,
      counters: this.counters.slice(),
      seriesLengths: this.seriesLen.slice(),
      nextSampleUs: this.nextSampleUs,
      wlRng: this.wlRng.save(),
      nemRng: this.nemRng.save(),
      nextOpId: this.nextOpId,
      seqKey: this.seqKey,
      pending: new Map(this.pending),
      historyLength: this.historyLen,
      nemesisCount: this.nemesisCount,
      faultsQueued: this.faultsQueued,
      lastFaultUs: this.lastFaultUs,
      gaveUp: this.gaveUp.slice(),
      livenessChecked: this.livenessChecked.slice(),
    };
  }

  /**
   * Makes this (fresh) kernel continue another kernel's run from one of its snapshots: copies
   * the interned strings, the trace, series and history up to the snapshot, then loads it.
   * Snapshots are never mutated after they are taken, so the two kernels can share them.
   */
  adopt(parent: Kernel, snap: KernelSnapshot): void {
    const g = snap as Record<string, unknown>;
    // Both interners start with the same constructor strings, so ids line up.
    this.strings.copyFrom(parent.strings);
    this.trace.copyFrom(parent.trace, g.traceLength as number);
    const lens = g.seriesLengths as number[];
    this.series.forEach((ser, k) => {
      const from = parent.series[k]!;
      ser.tUs = from.tUs.slice(0, lens[k]);
      ser.v = from.v.slice(0, lens[k]);
    });
    this.history = parent.history.slice(0, g.historyLength as number);
    this.load(snap);
  }

  /** Puts the kernel back at a snapshot taken from this kernel (trace truncated to match). */
  load(s: KernelSnapshot): void {
    const g = s as Record<string, unknown>;
    this.eventIndex = s.eventIndex;
    this.nowUs = g.nowUs as number;
    this.seq = g.seq as number;
    if (g.seed !== this.seed) this.reseed(g.seed as number);
    this.params = g.params;
    this.ctx.params = this.params;
    this.violation = g.violation as Violation | null;
    this.heap.load(g.heap as HeapSnapshot);
    this.trace.setLength(g.traceLength as number);
    // Node and link tables are restored whole: a seek may cross an add-node either way.
    this.ids = (g.ids as string[]).slice();
    this.roles = (g.roles as string[]).slice();
    this.isSwitch = (g.isSwitch as boolean[]).slice();
    this.viewOf = (g.viewOf as number[]).slice();
    this.positions = (g.positions as { name: string; x: number; y: number }[]).slice();
    const n = this.ids.length;
    this.idIndex = new Map(this.ids.map((id, i) => [id, i]));
    // Node indexes may mean other nodes now: every node's cached destinations are dropped.
    this.sendMeta.fill(-1);
    this.present = (g.present as boolean[]).slice();
    this.up = (g.up as boolean[]).slice();
    this.paused = (g.paused as boolean[]).slice();
    this.lastArchive = (g.states as (Archived | null)[]).map((a) => a ?? undefined);
    this.states = (g.states as (Archived | null)[]).map((a) => (a === null ? null : restoreState(a)));
    this.timers = (g.timers as Record<string, TimerRec>[]).slice();
    this.timersOwned = this.timers.map(() => false);
    this.clocks = (g.clocks as ClockState[]).slice();
    this.clockT0 = this.clocks.map(() => Number.NaN);
    this.clockL0 = this.clocks.map(() => 0);
    for (let i = 0; i < this.clocks.length; i++) this.refreshClockFast(i);
    loadRngs(this.nodeRngs, g.nodeRngs as Uint32Array);
    this.held = (g.held as Held[][]).slice();
    this.views = [];
    for (let i = 0; i < n; i++) {
      if (this.viewOf[i]! >= 0)
        this.views.push({
          id: this.ids[i]!,
          role: this.roles[i]!,
          up: this.up[i]! && this.present[i]!,
          state: this.states[i],
        });
    }
    this.linkIds = (g.linkIds as string[]).slice();
    this.linkA = (g.linkA as number[]).slice();
    this.linkB = (g.linkB as number[]).slice();
    this.linkIndex = new Map(this.linkIds.map((id, l) => [id, l]));
    loadRngs(this.linkRngs, g.linkRngs as Uint32Array);
    this.linkProps = (g.linkProps as LinkProps[]).slice();
    this.refreshLinkFast();
    this.linkCut = (g.linkCut as number[]).slice();
    this.linkPresent = (g.linkPresent as boolean[]).slice();
    this.lastArrival = (g.lastArrival as number[]).slice();
    this.partitions = g.partitions as PartitionRule[];
    this.nextSendId = g.nextSendId as number;
    this.timerGen = g.timerGen as number;
    this.inFlight = g.inFlight as number;
    this.counters = (g.counters as Float64Array).slice();
    this.seriesLen = (g.seriesLengths as number[]).slice();
    this.nextSampleUs = g.nextSampleUs as number;
    this.wlRng.load(g.wlRng as RngState);
    this.nemRng.load(g.nemRng as RngState);
    this.nextOpId = g.nextOpId as number;
    this.seqKey = g.seqKey as number;
    this.pending = new Map(g.pending as Map<number, PendingOp>);
    this.historyLen = g.historyLength as number;
    this.nemesisCount = g.nemesisCount as number;
    this.faultsQueued = g.faultsQueued as number;
    this.lastFaultUs = g.lastFaultUs as number;
    this.gaveUp = (g.gaveUp as UnansweredOp[]).slice();
    this.livenessChecked = (g.livenessChecked as boolean[]).slice();
    this.invalidateTopology();
  }
}

/**
 * The states of many streams in one typed array: `prev` (the last snapshot's, never mutated)
 * when no stream has moved since, else one new allocation.
 */
function saveRngs(rngs: readonly Rng[], prev: Uint32Array | undefined): Uint32Array {
  if (prev !== undefined && prev.length === rngs.length * 4) {
    let i = 0;
    while (i < rngs.length && rngs[i]!.equalsAt(prev, i * 4)) i++;
    if (i === rngs.length) return prev;
  }
  const out = new Uint32Array(rngs.length * 4);
  for (let i = 0; i < rngs.length; i++) rngs[i]!.saveInto(out, i * 4);
  return out;
}

/** Restores streams saved by saveRngs, growing or shrinking the list to match. */
function loadRngs(rngs: Rng[], saved: Uint32Array): void {
  const n = saved.length / 4;
  rngs.length = n;
  for (let i = 0; i < n; i++) {
    const r = rngs[i] ?? new Rng(0);
    r.loadFrom(saved, i * 4);
    rngs[i] = r;
  }
}

/**
 * Zipf rank in [1, n] with exponent s, by inverting the continuous approximation of the CDF
 * (rank 1 is the most popular). Exact enough for a workload and O(1) for any n.
 */
export function zipfRank(u: number, n: number, s: number): number {
  let x: number;
  if (Math.abs(s - 1) < 1e-9) x = Math.exp(u * Math.log(n + 1));
  else {
    const a = 1 - s;
    x = ((n + 1) ** a - 1) * u + 1;
    x = x ** (1 / a);
  }
  return Math.min(n, Math.max(1, Math.floor(x)));
}

/** A short human description of a fault for the trace. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'remove-node':
      return `${f.kind} ${f.node}`;
    case 'partition':
      return `partition${f.id ? ` ${f.id}` : ''} ${f.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'partition-oneway':
      return `partition-oneway${f.id ? ` ${f.id}` : ''} {${f.from.join(',')}} -> {${f.to.join(',')}}`;
    case 'cut-link':
      return `cut-link ${f.link} ${f.direction}`;
    case 'heal':
      return f.id ? `heal ${f.id}` : 'heal all';
    case 'degrade-link':
      return `degrade-link ${f.link}${f.lossRate !== undefined ? ` loss=${f.lossRate}` : ''}${
        f.latency ? ` latency=${f.latency.kind}` : ''
      }${f.dupRate !== undefined ? ` dup=${f.dupRate}` : ''}${f.reorderRate !== undefined ? ` reorder=${f.reorderRate}` : ''}`;
    case 'clock-step':
      return `clock-step ${f.node} ${f.deltaUs}us`;
    case 'clock-slew':
      return `clock-slew ${f.node} ${f.deltaUs}us at ${f.ratePpm}ppm`;
    case 'clock-drift':
      return `clock-drift ${f.node} ${f.driftPpm}ppm`;
    case 'add-node':
      return `add-node ${f.node.id} (${f.node.role})`;
    case 'add-link':
      return `add-link ${f.link.id} ${f.link.a}-${f.link.b}`;
    case 'remove-link':
      return `remove-link ${f.link}`;
  }
}
