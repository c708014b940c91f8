import type { Fault, Limits, Scenario, ScenarioNode } from '../../shared/scenario/schema';
import type { KvOp } from '../checkers/history';
import type { AnyProtocol, Input, NodeView, Protocol, ProtocolMessage } from '../protocol';
import { lookCopy } from './archive';
import { Checks, type ChecksSnapshot } from './checks';
import { localAt } from './clock';
import { KernelCtx } from './ctx';
import { Ev } from './events';
import { Faults, type FaultsSnapshot } from './faults';
import { EventHeap, type HeapSnapshot } from './heap';
import { Interner } from './intern';
import { C, Metrics, type MetricsSnapshot, type Series } from './metrics';
import { Nemesis, type NemesisSnapshot } from './nemesis';
import { Network, type NetworkSnapshot, type NetworkView } from './network';
import { Nodes, type NodesSnapshot } from './nodes';
import type { Rng } from './rng';
import { type KernelSnapshot, SnapshotShare } from './snapshots';
import { Timers, type TimersSnapshot } from './timers';
import { Trace, TraceKind } from './trace';
import { Workload, type WorkloadSnapshot } from './workload';

export { Ev } from './events';
export { describeFault } from './faults';
export type { Series } from './metrics';
export type { NetworkView } from './network';
export type { KernelSnapshot } from './snapshots';
export { zipfRank } from './workload';

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

/** A snapshot as the kernel writes it: its own fields, then each part's piece. */
interface Snapshot extends KernelSnapshot {
  nowUs: number;
  seq: number;
  seed: number;
  params: unknown;
  violation: Violation | null;
  heap: HeapSnapshot;
  /** The trace, series and history are truncated to these lengths on load (storage kept). */
  traceLength: number;
  nodes: NodesSnapshot;
  timers: TimersSnapshot;
  network: NetworkSnapshot;
  metrics: MetricsSnapshot;
  workload: WorkloadSnapshot;
  nemesis: NemesisSnapshot;
  faults: FaultsSnapshot;
  checks: ChecksSnapshot;
}

/**
 * The simulation kernel: one event queue and the parts the events go to. It only runs
 * forward; Simulation adds checkpoints, step back and fork.
 *
 * This class is the coordinator: the event loop (stepOne pops an event and hands it to the
 * part that owns its kind), a protocol step and its outbox (runStep), snapshots (each part
 * saves its own piece) and the surface hosts read. The parts, one concern each, share the
 * kernel's clock, queue and trace through it:
 * - nodes.ts: the node table (states, clocks, streams, membership);
 * - timers.ts: named timers on local clocks;
 * - network.ts: links, routes, partitions, sends and arrivals;
 * - faults.ts: applying faults; nemesis.ts: the nemesis; workload.ts: clients and history;
 * - checks.ts: invariants and liveness; metrics.ts: counters and series;
 * - snapshots.ts: what consecutive snapshots share.
 * The parts are public fields so that they can reach each other; hosts use the methods below.
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
  private readonly heap = new EventHeap();

  // The parts (for each other; hosts use the methods).
  readonly stats: Metrics;
  readonly nodes: Nodes;
  readonly timers: Timers;
  readonly network: Network;
  readonly checks: Checks;
  readonly faults: Faults;
  readonly workload: Workload;
  readonly nemesis: Nemesis;
  private readonly share = new SnapshotShare();

  /** The counters (the metrics' own array, bumped in place). */
  private readonly counters: Float64Array;
  /** The protocol, as the kernel calls it. */
  private readonly handler: Protocol<unknown, unknown, ProtocolMessage>;
  /** The context (and outbox) of contract-v2 handlers. */
  private readonly ctx: KernelCtx;
  /** Contract v2: the protocol's declared logs (shared between checkpoints in chunks). */
  private readonly logs: readonly string[];
  /** The input objects of deliveries and timer firings, reused by every step (see Input). */
  private readonly messageInput: { kind: 'message'; from: string; msg: unknown } = {
    kind: 'message',
    from: '',
    msg: null,
  };
  private readonly timerInput: { kind: 'timer'; name: string } = { kind: 'timer', name: '' };
  private initialised = false;
  /** The protocol has invariants; the nemesis watches steps (constant for the run). */
  private readonly hasInvariants: boolean;
  private readonly nemesisWatches: boolean;
  /** The nemesis may crash a node part-way through a step's sends (crashMidSend). */
  private readonly nemesisCutsSends: boolean;
  // The node table's arrays that a step reads, kept here (they are never replaced, see Nodes).
  private readonly nodeIds: readonly string[];
  private readonly roles: readonly string[];
  private readonly states: readonly unknown[];
  private readonly rngs: readonly Rng[];
  private readonly views: readonly NodeView<unknown>[];
  private readonly viewOf: readonly number[];

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
    this.handler = protocol as Protocol<unknown, unknown, ProtocolMessage>;
    this.logs = this.handler.logs ?? [];
    this.trace = new Trace(this.strings, () => this.nodes.ids);
    // In this order: a part reads the parts made before it.
    this.stats = new Metrics(
      this.handler,
      scenario.topology.nodes.filter((n) => n.role !== 'switch').map((n) => n.id),
    );
    this.counters = this.stats.counters;
    this.nodes = new Nodes(this);
    this.timers = new Timers(this);
    this.network = new Network(this);
    this.checks = new Checks(this);
    this.faults = new Faults(this);
    this.workload = new Workload(this);
    this.nemesis = new Nemesis(this);
    const nodes = this.nodes;
    this.ctx = new KernelCtx(nodes, this.params);
    this.hasInvariants = this.checks.hasInvariants;
    this.nemesisWatches = this.nemesis.watch !== null;
    this.nemesisCutsSends = this.nemesis.cutsSends;
    this.nodeIds = nodes.ids;
    this.roles = nodes.roles;
    this.states = nodes.states;
    this.rngs = nodes.rngs;
    this.views = nodes.views;
    this.viewOf = nodes.viewOf;

    for (const n of scenario.topology.nodes) this.addNode(n);
    for (const l of scenario.topology.links) this.network.addLink(l);
    // init() sees the whole initial membership, so states are built once every node exists.
    this.initialised = true;
    for (let i = 0; i < nodes.ids.length; i++) if (!nodes.isSwitch[i]) this.initState(i);
    // Start every protocol node at time 0, in scenario order.
    for (let i = 0; i < nodes.ids.length; i++)
      if (!nodes.isSwitch[i]) this.schedule(0, Ev.start, i, -1, 0, null);
    for (const f of scenario.faults) this.faults.schedule(f.atUs, f.fault);
    this.workload.start();
    this.nemesis.start();
  }

  // ---------------------------------------------------------------- queue and trace

  /** Queues an event (after the events already queued for its time). */
  schedule(timeUs: number, kind: number, node: number, peer: number, arg: number, payload: unknown): void {
    this.heap.push(timeUs, this.seq++, kind, node, peer, arg, payload);
  }

  /** Queues an event at a fixed delay from now, in the heap's FIFO lane (heap.ts pushLate). */
  scheduleLate(
    timeUs: number,
    kind: number,
    node: number,
    peer: number,
    arg: number,
    payload: unknown,
  ): void {
    this.heap.pushLate(timeUs, this.seq++, kind, node, peer, arg, payload);
  }

  /** Writes a trace row for the current event. */
  row(kind: number, node: number, peer: number, msgType: number, sendId: number, detail: number): void {
    this.trace.push(this.eventIndex, this.nowUs, kind, node, peer, msgType, sendId, detail);
  }

  /** Writes a trace row with a text (note, fault, violation). */
  note(kind: number, node: number, text: string): void {
    this.row(kind, node, -1, -1, -1, this.strings.id(text));
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

  // ---------------------------------------------------------------- live changes

  /** Queues a fault now (after the events already queued for this time). */
  injectFault(f: Fault): void {
    this.faults.schedule(this.nowUs, f);
  }

  /** Changes protocol params from now on. */
  setParams(params: Record<string, unknown>): void {
    this.params = this.protocol.params.parse({ ...(this.params as object), ...params });
    this.ctx.params = this.params;
  }

  /** Re-seeds every stream from now on (a fork with another seed). */
  reseed(seed: number): void {
    this.seed = seed >>> 0;
    this.nodes.reseed(this.seed);
    this.network.reseed(this.seed);
    this.workload.reseed(this.seed);
    this.nemesis.reseed(this.seed);
  }

  // ---------------------------------------------------------------- the event loop

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
      // A stale timer entry (reset or cancelled) is skipped without counting as an event.
      if (kind === Ev.timer && !this.timers.comesDue(node, payload as string, arg, t)) continue;
      const sampled = t >= this.stats.nextSampleUs;
      if (sampled) this.stats.sample(t, this.network.inFlight, this.nodes.views);
      this.nowUs = t;
      this.eventIndex++;
      this.counters[C.events]!++;
      // The event goes to the part that owns its kind. (Inline, not a method: one compiled
      // loop with the queue's pop in it; see docs/kernel.md "Inside the kernel".)
      switch (kind) {
        case Ev.deliver:
          if (this.network.arrive(node, peer, arg, payload)) {
            const input = this.messageInput;
            input.from = this.nodeIds[peer]!;
            input.msg = payload;
            this.runStep(node, input);
          }
          break;
        case Ev.timer:
          if (this.timers.fire(node, arg, payload as string)) {
            const input = this.timerInput;
            input.name = payload as string;
            this.runStep(node, input);
          }
          break;
        case Ev.start:
          if (this.nodes.present[node] && this.nodes.up[node]) {
            this.row(TraceKind.start, node, -1, -1, -1, -1);
            this.runStep(node, { kind: 'start' });
          }
          break;
        case Ev.fault:
          this.faults.onEvent(payload as Fault);
          break;
        case Ev.openLoop:
          this.workload.onOpenLoop();
          break;
        case Ev.clientNext:
          this.workload.issueOp(node, arg);
          break;
        case Ev.clientTimeout:
          this.workload.onClientTimeout(arg);
          break;
        case Ev.scripted:
          this.workload.issueScripted(node, arg);
          break;
        case Ev.nemesis:
          this.nemesis.onEvent(node, arg, payload);
          break;
      }
      if (sampled && this.checks.liveness.length > 0 && this.violation === null) this.checks.checkLiveness();
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

  /**
   * One input to the node's handler: it changes the node's state in place (checkpoints keep
   * their own copies, see save), then the outbox is performed in a fixed order: sends, timers,
   * replies, notes, invariants (docs/kernel.md "Protocol contract").
   */
  runStep(i: number, input: Input<unknown>): void {
    const view = this.views[this.viewOf[i]!]!;
    const state = this.states[i];
    const ctx = this.ctx;
    ctx.begin(i, this.nodeIds[i]!, this.roles[i]!, this.rngs[i]!);
    this.handler.on(ctx, state, input as unknown as Input<ProtocolMessage>);
    // The nemesis aimed at leaders and promises reads the step's events (NEMESIS_EVENTS).
    if (this.nemesisWatches && ctx.events.length > 0 && this.nemesis.watchEvents(i, ctx.events)) {
      // Crashed at once: what it wrote is kept (durable decides); messages, timers and replies are lost.
      this.drainNotes(ctx, i);
      if (this.hasInvariants) this.checks.checkInvariants(view, ctx.events);
      if (this.violation === null) this.nemesis.onTargetedCrash(i, this.nemesis.crashWhy);
      return;
    }
    const network = this.network;
    // The nemesis may crash the node while it sends (crashMidSend): part of the messages leave,
    // then the crash loses the rest with the step's timers and replies.
    if (this.nemesisCutsSends && ctx.nSend >= 2) {
      const part = this.nemesis.cutSends(ctx.nSend);
      if (part >= 0) {
        for (let k = 0; k < part; k++) network.send(i, ctx.sendTo[k]!, ctx.sendMsg[k]!);
        this.drainNotes(ctx, i);
        if (this.hasInvariants) this.checks.checkInvariants(view, ctx.events);
        if (this.violation === null)
          this.nemesis.onTargetedCrash(i, `while sending: ${part} of ${ctx.nSend} messages left`);
        return;
      }
    }
    for (let k = 0; k < ctx.nSend; k++) network.send(i, ctx.sendTo[k]!, ctx.sendMsg[k]!);
    const timers = this.timers;
    for (let k = 0; k < ctx.nTimer; k++) {
      const after = ctx.timerAfterUs[k]!;
      if (after >= 0) timers.set(i, ctx.timerName[k]!, after);
      else timers.drop(i, ctx.timerName[k]!);
    }
    for (let k = 0; k < ctx.nReply; k++) {
      const r = ctx.replyResult[k]!;
      this.workload.onReply(i, ctx.replyId[k]!, r.ok, r.ok ? r.value : undefined);
    }
    this.drainNotes(ctx, i);
    if (this.hasInvariants) this.checks.checkInvariants(view, ctx.events);
  }

  private drainNotes(ctx: KernelCtx, i: number): void {
    const notes = ctx.notes;
    for (let k = 0; k < notes.length; k++) this.note(TraceKind.note, i, notes[k]!);
  }

  // ---------------------------------------------------------------- membership

  /** Adds a node (scenario topology or an add-node fault); its state once the membership is known. */
  addNode(n: ScenarioNode): number {
    const i = this.nodes.add(n);
    this.timers.addNode();
    this.invalidateTopology();
    if (!this.nodes.isSwitch[i] && this.initialised) this.initState(i);
    return i;
  }

  private initState(i: number): void {
    const nodes = this.nodes;
    nodes.states[i] = this.protocol.init(this.initCtx(i));
    nodes.views[nodes.viewOf[i]!]!.state = nodes.states[i];
  }

  /** What init() sees of node i (a fresh start or a restart). */
  initCtx(i: number) {
    const nodes = this.nodes;
    return {
      id: nodes.ids[i]!,
      role: nodes.roles[i]!,
      params: this.params,
      nodes: nodes.sortedProtocolIds(),
    };
  }

  /** The membership changed: routes and the peer and role lists are rebuilt on demand. */
  invalidateTopology(): void {
    this.network.invalidateRoutes();
    this.nodes.forgetMembership();
  }

  // ---------------------------------------------------------------- inspection

  /** Node ids by index (every node ever added). */
  get ids(): readonly string[] {
    return this.nodes.ids;
  }

  /** Number of nodes ever added (including removed ones). */
  get nodeCount(): number {
    return this.nodes.ids.length;
  }

  /** Node index of an id, or -1. */
  indexOf(id: string): number {
    return this.nodes.indexOf(id);
  }

  /** The directed links from src to dst (shortest mean latency), or null when unreachable. */
  route(src: number, dst: number): Int32Array | null {
    return this.network.route(src, dst);
  }

  /** Route between two node ids as a list of link ids (for tests and the inspector). */
  routeIds(src: string, dst: string): string[] | null {
    return this.network.routeIds(src, dst);
  }

  /**
   * The network's fault state now, as fresh copies (read-only; for the host's link view):
   * nodes, links with their cut bits and current properties, and the active partition rules
   * by node id (groups in node-index order).
   */
  networkView(): NetworkView {
    return this.network.view();
  }

  /** Per liveness property (by index): whether it has been checked in this run yet. */
  livenessCheckedSoFar(): readonly boolean[] {
    return this.checks.checkedSoFar();
  }

  /**
   * The client history as key-value operations (for history checkers). A failed operation
   * (ok: false) certainly did not take effect, so it is left out; one never answered has
   * returnUs null (it may or may not have taken effect).
   */
  kvHistory(): KvOp[] {
    return this.workload.kvHistory();
  }

  /** Counters, gauges and series (copies; JSON-serialisable). */
  metrics(): { counters: Record<string, number>; gauges: Record<string, number>; series: Series[] } {
    return this.stats.report({
      inFlight: this.network.inFlight,
      queued: this.heap.size,
      traceRows: this.trace.length,
      ...this.kvMetrics(),
    });
  }

  /** The common key-value metrics (kv-metrics.ts) of a run with a workload; none without one. */
  private kvMetrics(): Record<string, number> {
    const w = this.scenario.workload;
    if (w.kind === 'none') return {};
    return this.stats.kvGauges(this.nowUs - (w.kind === 'script' ? (w.ops[0]?.atUs ?? 0) : w.startUs));
  }

  /** The protocol nodes as invariants see them (live: read, never keep or change). */
  nodeViews(): readonly NodeView<unknown>[] {
    return this.nodes.views;
  }

  /** Per-node inspector data. */
  nodeInfo(i: number) {
    const nodes = this.nodes;
    const id = nodes.ids[i]!;
    const sw = nodes.isSwitch[i]!;
    const up = nodes.up[i]! && nodes.present[i]!;
    const at = nodes.positions[i]!;
    return {
      id,
      role: nodes.roles[i]!,
      name: at.name,
      x: at.x,
      y: at.y,
      // Nodes after the scenario's own were added by the run (an add-node fault).
      added: i >= this.scenario.topology.nodes.length,
      up,
      paused: nodes.paused[i]!,
      removed: !nodes.present[i],
      localTimeUs: Math.floor(localAt(nodes.clocks[i]!, this.nowUs)),
      clockErrorUs: Math.round(localAt(nodes.clocks[i]!, this.nowUs) - this.nowUs),
      slewLeftUs: nodes.slewLeftUs(i),
      timers: this.timers.names(i),
      // Contract v2: a copy, since the handler goes on changing the state itself.
      state: sw ? null : lookCopy(nodes.states[i] ?? null, this.logs),
      badge: sw
        ? { text: up ? 'switch' : 'switch down', tone: up ? ('neutral' as const) : ('bad' as const) }
        : this.protocol.summary(nodes.states[i], up),
    };
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * A snapshot of the whole state: the kernel's clock, queue and trace length, and each part's
   * piece. Node states are archived (copied, logs shared in chunks); unchanged tables and
   * streams are shared with the previous snapshot (snapshots.ts).
   */
  save(): KernelSnapshot {
    const share = this.share;
    const s: Snapshot = {
      eventIndex: this.eventIndex,
      nowUs: this.nowUs,
      seq: this.seq,
      seed: this.seed,
      params: this.params,
      violation: this.violation,
      heap: this.heap.save(),
      traceLength: this.trace.length,
      nodes: this.nodes.save(share, this.logs),
      timers: this.timers.save(share),
      network: this.network.save(share),
      metrics: this.stats.save(),
      workload: this.workload.save(),
      nemesis: this.nemesis.save(),
      faults: this.faults.save(),
      checks: this.checks.save(),
    };
    return s;
  }

  /**
   * Makes this (fresh) kernel continue another kernel's run from one of its snapshots: copies
   * the interned strings, the trace, series and history up to the snapshot, then loads it.
   * Snapshots are never mutated after they are taken, so the two kernels can share them.
   */
  adopt(parent: Kernel, snap: KernelSnapshot): void {
    const s = snap as Snapshot;
    // Both interners start with the same constructor strings, so ids line up.
    this.strings.copyFrom(parent.strings);
    this.trace.copyFrom(parent.trace, s.traceLength);
    this.stats.copySeries(parent.stats, s.metrics);
    this.workload.copyHistory(parent.workload, s.workload);
    this.load(snap);
  }

  /** Puts the kernel back at a snapshot taken from this kernel (trace truncated to match). */
  load(snap: KernelSnapshot): void {
    const s = snap as Snapshot;
    this.eventIndex = s.eventIndex;
    this.nowUs = s.nowUs;
    this.seq = s.seq;
    if (s.seed !== this.seed) this.reseed(s.seed);
    this.params = s.params;
    this.ctx.params = this.params;
    this.violation = s.violation;
    this.heap.load(s.heap);
    this.trace.setLength(s.traceLength);
    this.nodes.load(s.nodes);
    this.timers.load(s.timers);
    this.network.load(s.network);
    this.stats.load(s.metrics);
    this.workload.load(s.workload);
    this.nemesis.load(s.nemesis);
    this.faults.load(s.faults);
    this.checks.load(s.checks);
    this.invalidateTopology();
  }
}
