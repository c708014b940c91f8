import type { z } from 'zod';
import type { ViewData, ViewKind } from '../shared/api/views';
import type { Scenario, ScenarioLink, ScenarioNode } from '../shared/scenario/schema';

/**
 * The protocol contract, second version (docs/kernel.md "Protocol contract";
 * docs/writing-a-protocol.md). A protocol is a state machine in the style of etcd-io/raft: the kernel hands
 * a node one input at a time, `on(ctx, state, input)` changes the node's plain, JSON-shaped
 * state in place and asks the context to send, set timers, reply, note and emit check events;
 * the kernel collects those requests (etcd's `Ready`) and performs them after the handler
 * returns, in a fixed order: sends, timers, replies, notes, then the invariants.
 *
 * Everything an engine needs (copies for checkpoints and forks, the outbox, caches) belongs to
 * the kernel: a protocol never copies its state, pools objects or keeps module-level state.
 * What survives a crash is declared as a list of state fields.
 */

/** A node id as written in the scenario. */
export type NodeId = string;

/** Every message carries a type (trace column, step filters). */
export interface ProtocolMessage {
  /** Message type, such as 'ping' or 'AppendEntries'. */
  type: string;
}

/** A key-value client operation issued by the workload. */
export interface ClientOp {
  /** Operation id, unique in the run. */
  id: number;
  /** The client node that issued it. */
  client: NodeId;
  /** Read or write. */
  op: 'read' | 'write';
  /** The key. */
  key: string;
  /** The value to write (writes only; unique per run). */
  value?: string;
}

/**
 * What a node is asked to handle. The kernel reuses the input objects of messages and timers
 * between inputs: a handler may keep the message, the name or the op, not the input itself.
 */
export type Input<M> =
  | { kind: 'start' }
  | { kind: 'restart' }
  | { kind: 'message'; from: NodeId; msg: M }
  | { kind: 'timer'; name: string }
  | { kind: 'client'; op: ClientOp };

/**
 * A node's random stream (a seeded xoshiro128** stream forked per node: the same seed gives
 * the same draws). Every random choice a protocol makes comes from here.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal draw. */
  normal(): number;
  /** Exponential draw with the given mean. */
  exponential(mean: number): number;
  /** A shuffled copy. */
  shuffled<T>(items: readonly T[]): T[];
  /** Picks one element. */
  pick<T>(items: readonly T[]): T;
}

/** What a handler may return to a client: the value read, or that the operation failed. */
export type ClientResult =
  | {
      /** The operation took effect (writes) or read this value. */
      ok: true;
      /** The value read (reads): null for a missing key. */
      value?: string | null;
    }
  | {
      /** The operation failed for certain: it did not take effect. */
      ok: false;
    };

/**
 * A fact a protocol states for its checkers, such as `{ type: 'elected', term: 7 }` or
 * `{ type: 'committed', index: 12, entry: 'x=1' }`. Invariants see the events of the step
 * they check (ClusterView.events), so "at most one leader per term" is a count of `elected`
 * events, not a comparison of states.
 */
export interface CheckEvent {
  /** What happened, such as 'elected' or 'committed'. */
  type: string;
  /** The facts, as plain JSON values. */
  [field: string]: unknown;
}

/**
 * The node's own clock as an operating system lets a time daemon discipline it
 * (docs/kernel.md "Clocks and timers"; docs/writing-a-protocol.md "Setting the clock"). A step is
 * `clock_settime`: the clock jumps at once. A slew is BSD's `adjtime(delta)` (Linux
 * `ntp_adjtime` with ADJ_OFFSET_SINGLESHOT): the clock runs faster or slower by `ratePpm` until
 * it has moved by `deltaUs`, so it never jumps and never runs backwards. A new slew replaces
 * one in progress, as adjtime does; a step abandons it. Both act at once on the kernel's clock
 * of this node (ctx.now() reads the new time in the same handler), and timers already set keep
 * their deadlines in local time: a step forward past a deadline fires the timer now, a step back
 * makes it wait longer.
 */
export interface ClockControl {
  /** Jumps the clock by `deltaUs` (signed, finite); a slew in progress is abandoned. */
  step(deltaUs: number): void;
  /**
   * Moves the clock by `deltaUs` (signed, finite) gradually, `ratePpm` microseconds per second
   * (0 < ratePpm <= 100,000; default 500, ntpd's and adjtime's limit). Replaces a slew in progress.
   */
  slew(deltaUs: number, ratePpm?: number): void;
  /** What the slew in progress still has to apply, signed µs (0 when none): adjtime's `olddelta`. */
  slewLeftUs(): number;
}

/** The default slew rate, ppm (ntpd's and adjtime's limit, the kernel's `clock-slew` fault's default). */
export const DEFAULT_SLEW_PPM = 500;

/**
 * Everything a handler asks of the world, owned by the kernel. Requests are queued and
 * performed after the handler returns, in the order sends, timers, replies, notes, events.
 */
export interface Ctx<P, M> {
  /** This node's id. */
  readonly self: NodeId;
  /** This node's role. */
  readonly role: string;
  /** The other protocol nodes (not switches, not removed), sorted by id. */
  readonly peers: readonly NodeId[];
  /** Protocol params. */
  readonly params: P;
  /** This node's random stream. */
  readonly rng: Random;
  /** The node's local clock, integer microseconds (offset, drift and steps included). */
  now(): number;
  /** Steps and slews this node's clock (ClockControl): what a time daemon does. */
  readonly clock: ClockControl;
  /** Ids of the nodes with a role, sorted (this node included when it has that role). */
  nodesWithRole(role: string): readonly NodeId[];
  /** A node's display name as the scenario gives it (its id when the scenario gives none). */
  nameOf(id: NodeId): string;
  /**
   * The keys the scenario's workload declares, in order: its key list, or its pattern's keys for
   * 0..count-1; empty without a workload. The same list for every node and the whole run.
   */
  keySpace(): readonly string[];
  /** Sends a message over the network. */
  send(to: NodeId, msg: M): void;
  /** Sends one message to every node of a role but this one, in id order. */
  sendAll(role: string, msg: M): void;
  /** Sets (or resets) a named timer to fire after `afterUs` on the local clock. */
  setTimer(name: string, afterUs: number): void;
  /** Cancels a named timer (nothing happens if it is not set). */
  cancelTimer(name: string): void;
  /** Answers a client operation. */
  reply(op: { readonly id: number }, result: ClientResult): void;
  /** Writes a line to the trace, shown in the event log. */
  note(text: string): void;
  /** States a fact for the checkers (see CheckEvent). */
  emit(event: CheckEvent): void;
}

/** What init() is given. */
export interface NodeInit<P> {
  /** The node's id. */
  id: NodeId;
  /** The node's role. */
  role: string;
  /** Protocol params. */
  params: P;
  /** All protocol node ids, sorted. */
  nodes: readonly NodeId[];
}

/** A palette entry. */
export interface RoleSpec {
  /** Role id used in scenarios. */
  id: string;
  /** Label shown in the palette. */
  label: string;
  /** Minimum count in a valid scenario. */
  min: number;
  /** Maximum count, or null for no limit. */
  max: number | null;
}

/** A node as invariants see it. */
export interface NodeView<S> {
  /** Node id. */
  id: NodeId;
  /** Role. */
  role: string;
  /** False when crashed or removed. */
  up: boolean;
  /** Current state (the durable part while crashed). */
  state: S;
  /**
   * The node's local clock at the view's time, integer microseconds (what ctx.now() would read).
   * Given by the kernel; absent in views a test builds by hand.
   */
  readonly localUs?: number;
  /**
   * The node's clock error: its local clock minus true time, µs (positive: ahead). Only checks
   * and metrics may read it: no node can know it. Given by the kernel; absent in views a test
   * builds by hand.
   */
  readonly clockErrorUs?: number;
  /** What the node's slew in progress still has to apply, signed µs (0: none). Given by the kernel. */
  readonly slewLeftUs?: number;
  /**
   * While the node is down (crashed or removed): the true time it went down, µs. Undefined
   * while it is up, and absent in views a test builds by hand. Only checks, metrics and views
   * may read it: no handler runs at a crash, so a node never learns when it crashed (its state
   * can keep its last step before, at most).
   */
  readonly downSinceUs?: number;
  /**
   * The node's times down, oldest first (its latest 32), in true time: when it crashed or was
   * removed, and when it restarted (null while still down). Given by the kernel; absent in views
   * a test builds by hand. Only checks, metrics and views may read it.
   */
  readonly downsUs?: readonly { readonly downUs: number; readonly upUs: number | null }[];
}

/** What an invariant sees after each protocol step. */
export interface ClusterView<S> {
  /** All protocol nodes (by kernel index; switches excluded). */
  nodes: readonly NodeView<S>[];
  /** The node that just stepped. */
  changed: NodeView<S>;
  /** Virtual time, microseconds. */
  nowUs: number;
  /** The check events the step emitted, in order (empty for most steps). */
  events: readonly CheckEvent[];
}

/** An invariant checked as the run goes. */
export interface Invariant<S> {
  /** Stable id. */
  id: string;
  /** One-line description. */
  title: string;
  /** null when it holds, else what is wrong. Keep it cheap: it runs after every step. */
  check(view: ClusterView<S>): string | null;
}

/** A client operation that has no answer yet, or that its client gave up on. */
export interface UnansweredOp {
  /** Operation id. */
  id: number;
  /** The client node that issued it. */
  client: NodeId;
  /** When it was invoked (true time, microseconds). */
  invokedUs: number;
  /** When the client gave up waiting (its workload timeout), or null while it still waits. */
  gaveUpUs: number | null;
}

/** What a liveness property sees. */
export interface LivenessView<S> {
  /** All protocol nodes (switches excluded). */
  nodes: readonly NodeView<S>[];
  /** Virtual time, microseconds. */
  nowUs: number;
  /** When the last fault happened (0 if none): nothing has gone wrong since. */
  quietSinceUs: number;
  /** Operations invoked since the faults stopped that have no answer: pending or given up on. */
  unanswered: readonly UnansweredOp[];
  /**
   * Messages in flight now. 0 means the network has drained: a protocol with no timer that
   * sends will receive nothing more, so a property such as "every correct node delivered what
   * one delivered" can be judged.
   */
  inFlight: number;
  /**
   * Messages the network has lost so far: to loss, a partition, no route or the in-flight cap
   * (not those sent to a node that was down). Algorithms that assume perfect links promise
   * nothing on a run where this is above 0.
   */
  lostToNetwork: number;
}

/**
 * A liveness property: "after the faults stop, something good happens within a bound". The
 * kernel checks it at every metrics sample (every 100 ms of virtual time) once the faults have
 * stopped (no fault queued, the nemesis past its stopUs) and `withinUs` has passed since the
 * last one; a property that does not hold then is a violation like a broken invariant. It is
 * not checked while faults go on: a protocol owes no progress while the network is cut.
 */
export interface Liveness<S, P = unknown> {
  /** Stable id. */
  id: string;
  /** One-line description. */
  title: string;
  /** How long after the last fault the property may take to hold, microseconds. */
  withinUs(params: P): number;
  /** null when it holds, else what is wrong. */
  check(view: LivenessView<S>, params: P): string | null;
}

/** What a run check sees: every protocol node as it is now, and the params. */
export interface RunCheckView<S, P = unknown> {
  /** All protocol nodes (switches excluded; a crashed node shows what its disk kept). */
  nodes: readonly NodeView<S>[];
  /** Protocol params. */
  params: P;
}

/** A run check's finding: what is wrong, and the items that show it (writes, operations). */
export interface RunCheckFailure {
  /** What is wrong, in one line, such as "acknowledged writes lost: 4". */
  message: string;
  /** One line per item that shows it (at most a few hundred), such as each lost write. */
  details?: string[];
}

/**
 * A check of the whole run so far, read off the nodes whenever the checkers are shown (and at
 * the end): unlike an invariant it never stops the run, so a property that a protocol keeps
 * only under some params (durability of acknowledged writes, say) can fail as the lesson
 * (Protocol.notPromised) and still be counted and listed.
 */
export interface RunCheck<S, P = unknown> {
  /** Stable id. */
  id: string;
  /** What the check promises, in one line. */
  title: string;
  /** null when it holds, else what is wrong. */
  check(view: RunCheckView<S, P>): RunCheckFailure | null;
}

/**
 * Where the Metrics tab draws a series: every series with the same chart title shares one
 * chart (a series without a chart gets its own).
 */
export interface ChartSpec {
  /** The chart's title; series naming the same title are drawn together. */
  title: string;
  /**
   * The y scale: 'linear' (default), or 'asinh', linear within ±`linearUnder` of zero and
   * logarithmic beyond, both ways: for signed values that span microseconds to seconds.
   */
  scale?: 'linear' | 'asinh';
  /** With 'asinh': where the scale turns logarithmic, in the series' unit (default 1). */
  linearUnder?: number;
  /** Draws the series a second time negated, both dashed: a bound ±b around zero. */
  band?: boolean;
  /** Draws the series dashed, once, as a ceiling over the chart's other lines (a bound on a spread). */
  ceiling?: boolean;
}

/** A gauge sampled in virtual time. */
export interface MetricSpec<S> {
  /** Series name. */
  id: string;
  /** Unit shown in charts. */
  unit: string;
  /** Reads the value from the nodes. */
  read(nodes: readonly NodeView<S>[]): number;
  /** The chart it shares with other series (optional; see ChartSpec). */
  chart?: ChartSpec;
}

/**
 * A gauge sampled per node: one series per protocol node of the scenario's topology, named
 * `<id>.<node id>` (nodes added by the run are not charted). `read` gives null for no sample
 * at this time (the node is down, or the value means nothing for it).
 */
export interface NodeMetricSpec<S> {
  /** Series name prefix. */
  id: string;
  /** Unit shown in charts. */
  unit: string;
  /** Reads one node's value, or null for no sample. */
  read(node: NodeView<S>): number | null;
  /** The chart it shares with other series (optional; see ChartSpec). */
  chart?: ChartSpec;
}

/** Canvas badge and inspector headline. */
export interface NodeBadge {
  /** Short text on the badge. */
  text: string;
  /** Colour hint. */
  tone: 'neutral' | 'good' | 'warn' | 'bad';
}

/** A known-wrong variant a learner can turn on. */
export interface BugSwitch {
  /** Param key that turns it on (a boolean param). */
  param: string;
  /** What goes wrong. */
  title: string;
}

/** A lesson: the concept and things to try. */
export interface Lesson {
  /** What the concept is. */
  summary: string;
  /** What to watch. */
  watch: string[];
  /** Try-this steps. */
  tryThis: string[];
}

/** The default topology a protocol offers for a quick start. */
export interface DefaultTopology {
  /** Nodes. */
  nodes: ScenarioNode[];
  /** Links. */
  links: ScenarioLink[];
}

/**
 * The check events the nemesis watches for (docs/kernel.md "Nemesis"). A consensus protocol
 * emits them where they happen; the nemesis may then crash the node right after that step:
 * - `elected`: this node just became leader (of a new term or ballot round), before its
 *   messages leave;
 * - `promised`: this step made a promise that must survive a crash (Raft's vote, a Paxos
 *   promise or acceptance); the nemesis crashes and restarts the node at once;
 * - `first-commit`: as leader, this step advanced what the node knows committed (chosen)
 *   before anything of its own term or round was: the first commits of a new leadership.
 */
export const NEMESIS_EVENTS = {
  elected: 'elected',
  promised: 'promised',
  firstCommit: 'first-commit',
} as const;

/** What a nemesis aimed at leaders asks of a contract-v2 protocol (the rest comes from NEMESIS_EVENTS). */
export interface LeaderHook<S> {
  /**
   * The term or ballot round this node leads in, or null when it does not lead. The nemesis
   * takes the up node with the highest value as "the leader".
   */
  leads(state: S): number | null;
}

/**
 * A view a protocol declares: a tab in the app, drawn by the generic renderer of its kind
 * (a ring, a log grid...; src/shared/api/views.ts). `read` builds the data from the nodes at
 * the current event; `previous` is what it returned the last time it was asked for this run
 * (or null), for views that show what changed.
 */
export interface ViewSpec<S, P = unknown> {
  /** Id, unique within the protocol. */
  id: string;
  /** Tab title. */
  title: string;
  /** Which generic renderer draws it. */
  kind: ViewKind;
  /** The data, or null when there is nothing to show yet. */
  read(nodes: readonly NodeView<S>[], params: P, previous: ViewData | null): ViewData | null;
}

/** What every protocol declares besides its handler. */
interface ProtocolInfoFields<P, S> {
  /** Catalog id used in scenarios. */
  id: string;
  /** Topic id. */
  topic: string;
  /** Display title. */
  title: string;
  /** Bumped when behaviour changes (old traces then hash differently). */
  version: number;
  /**
   * The playback speed at which the quick start's story plays at a human pace, in virtual
   * seconds per wall second: the app starts a scenario of this protocol at it (a learner's own
   * choice, once made, is remembered per scenario). Pick it so the first thing worth watching
   * happens within a few seconds of Play and a message hop can still be followed by eye
   * (Raft: 0.05x puts the first election, about 165 ms in, 3 s after Play), and the quick
   * start's first fault comes at most 20 s after Play (src/sim/quick-start-pace.test.ts).
   */
  speed: number;
  /** Palette entries. */
  roles: RoleSpec[];
  /** Params schema (every field defaulted, so `parse({})` gives the defaults). */
  params: z.ZodType<P>;
  /** A topology for a quick start. */
  defaultTopology(params: P): DefaultTopology;
  /** Initial state of a node: plain JSON-shaped data (objects, arrays, strings, finite numbers, booleans, null). */
  init(node: NodeInit<P>): S;
  /** Invariants checked after every step. */
  invariants: Invariant<S>[];
  /** Liveness properties, checked once the faults stop (optional). */
  liveness?: Liveness<S, P>[];
  /**
   * End-of-run history checkers by id (see checkers/history.ts). Every run with a workload is
   * checked for linearizability besides these (src/sim/simulation.ts `KV_HISTORY_CHECKERS`).
   */
  historyCheckers: string[];
  /** Checks of the run so far that never stop it (optional; see RunCheck). */
  runChecks?: RunCheck<S, P>[];
  /**
   * The history checks and run checks this protocol does not promise to pass with these params
   * in this scenario, each with why: a failure of one is what the lesson shows (reads from
   * asynchronous followers are not linearizable), not a bug in the protocol or in DSLab, and
   * it does not fail the run. Invariants always stop the run, so they are never listed here.
   */
  notPromised?(params: P, scenario: Scenario): Record<string, string>;
  /** Gauges sampled in virtual time. */
  metrics: MetricSpec<S>[];
  /** Gauges sampled per node, a series each (optional; see NodeMetricSpec). */
  nodeMetrics?: NodeMetricSpec<S>[];
  /** Views drawn by the app's generic renderers (optional). */
  views?: ViewSpec<S, P>[];
  /** Badge for a node. */
  summary(state: S, up: boolean): NodeBadge;
  /** Known-wrong variants. */
  bugs: BugSwitch[];
  /** The lesson. */
  lesson: Lesson;
}

/**
 * What a protocol's quick start adds to its default topology and params: a workload, a fault
 * script, a run length. Plain scenario fields, validated with the scenario (src/shared/scenario);
 * src/sim/toolkit/quick-start.ts builds the scenario.
 */
export interface QuickStart {
  /** The scenario's name (default: "<title> quick start"). */
  name?: string;
  /** A client workload (Scenario.workload). */
  workload?: Record<string, unknown>;
  /** Scripted faults (Scenario.faults): `{ atUs, fault }` each. */
  faults?: { atUs: number; fault: Record<string, unknown> }[];
  /** How long the run goes, virtual microseconds (default 10 s). */
  maxTimeUs?: number;
}

/**
 * A field of a state: for a state that is a union of roles (a proposer, an acceptor...), a
 * field of any of them. `durable` and `logs` list such fields; the kernel keeps each listed
 * field a node has.
 */
export type StateField<S> = S extends unknown ? keyof S & string : never;

/** A protocol definition. */
export interface Protocol<P = unknown, S = unknown, M extends ProtocolMessage = ProtocolMessage>
  extends ProtocolInfoFields<P, S> {
  /**
   * Handles one input: changes `state` in place and asks `ctx` for everything else. The state
   * is this node's alone while the handler runs; the kernel copies it where it must (a
   * checkpoint, a fork, the inspector), so a handler never does.
   */
  on(ctx: Ctx<P, M>, state: S, input: Input<M>): void;
  /**
   * The state fields that survive a crash (what the node wrote to disk). While a node is down
   * its state holds these fields alone; on restart they overlay a fresh `init()`.
   */
  durable: readonly StateField<S>[];
  /**
   * State fields that are logs, such as Raft's log: lists that change only at their ends
   * (appended to, truncated, cut from the front when compacted), whose entries never change
   * once written and never come back into the middle once removed. Declaring them lets the
   * kernel share their entries between checkpoints instead of copying them (docs/kernel.md
   * "Protocol contract"); a written entry is then frozen, so changing one throws, and the
   * tests check that nothing else changes a log.
   */
  logs?: readonly StateField<S>[];
  /**
   * What the quick start adds to the default topology: workload, faults, run length (optional).
   * Gets the parsed params (the defaults, or a variant's), the same the topology is built from.
   */
  quickStart?(params: P): QuickStart;
  /** Who leads, for the nemesis aimed at leaders; its other targets come from NEMESIS_EVENTS. */
  nemesis?: LeaderHook<S>;
  /**
   * What is wrong with a scenario beyond its params and roles, where the two must agree (say,
   * the workload's keys and a param that says what a key is), or nothing (optional). Called by
   * `checkScenario` with params already valid; each issue names the offending path.
   */
  scenarioIssues?(scenario: Scenario, params: P): ScenarioIssue[];
}

/** A problem with a scenario that the file schema alone cannot see. */
export interface ScenarioIssue {
  /** Path of the offending field, as zod reports paths. */
  path: (string | number)[];
  /** What is wrong. */
  message: string;
}

/** A protocol with its type parameters erased (what the catalog holds). */
// biome-ignore lint/suspicious/noExplicitAny: the catalog holds protocols of many state types.
export type AnyProtocol = Protocol<any, any, any>;
