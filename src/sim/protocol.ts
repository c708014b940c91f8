import type { z } from 'zod';
import type { ScenarioLink, ScenarioNode } from '../shared/scenario/schema';
import type { Rng } from './kernel/rng';

/**
 * The protocol contract, in the etcd-raft style (see ARCHITECTURE.md "A protocol"): a protocol
 * is a pure state machine. The kernel calls `step(state, input, env)`; the protocol returns the
 * new state and effects (messages, timers, replies, notes) and the kernel performs them.
 * Differences from the sketch, and why:
 * - Node state is treated as an immutable value: a protocol returns a new object instead of
 *   mutating the old one. Checkpoints then copy references, which makes step back cheap.
 * - Every message is an object with a string `type`, which the trace records and filters on.
 * - `restart` input comes after the kernel rebuilt the state as init() overlaid by the durable
 *   part saved at the crash, so a protocol only writes its recovery logic once.
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

/** A node's answer to a client operation. */
export interface ClientReply {
  /** The operation id being answered. */
  id: number;
  /** False when the operation failed for certain (it did not take effect). */
  ok: boolean;
  /** The value read (reads), null for a missing key. */
  value?: string | null;
}

/**
 * What a node is asked to handle. The kernel reuses the input objects of messages and timers
 * between steps: a step may keep the message or the name, not the input object itself.
 */
export type Input<M> =
  | { kind: 'start' }
  | { kind: 'restart' }
  | { kind: 'message'; from: NodeId; msg: M }
  | { kind: 'timer'; name: string }
  | { kind: 'client'; op: ClientOp };

/** A message to send. */
export interface Outbound<M> {
  /** Destination node id. */
  to: NodeId;
  /** The message. */
  msg: M;
}

/** Set (or reset) or cancel a named timer on the node's local clock. */
export type TimerCmd = { kind: 'set'; name: string; afterUs: number } | { kind: 'cancel'; name: string };

/** What a step returns. */
export interface Effects<S, M> {
  /** The node's new state (a new object if anything changed). */
  state: S;
  /** Messages to send, in order. */
  send?: Outbound<M>[];
  /** Timer commands, in order. */
  timers?: TimerCmd[];
  /** Replies to client operations. */
  reply?: ClientReply[];
  /** Free-text notes for the trace. */
  notes?: string[];
}

/** What the kernel tells a step about the world. The object is reused between steps. */
export interface StepEnv<P> {
  /** This node's id. */
  self: NodeId;
  /** This node's role. */
  role: string;
  /** The other protocol nodes (not switches, not removed), sorted by id. */
  readonly peers: readonly NodeId[];
  /** Ids of the nodes with a given role (sorted). */
  nodesWithRole(role: string): readonly NodeId[];
  /** The node's local clock, microseconds (integer part). */
  localTimeUs: number;
  /** This node's random stream. */
  rng: Rng;
  /** Protocol params. */
  params: P;
  /**
   * True when nothing but the kernel's current slot holds `state` (no checkpoint, fork, caller
   * or nemesis watch has seen the object since a step made it): the step may change that object
   * in place and return it. False: `state` must not be changed (return a new object). Either
   * way a step returns its input or an object nothing else holds. Protocols may ignore this
   * and always copy; it only saves the copy.
   */
  owned?: boolean;
  /**
   * True when the caller reads a step's effects before the next step and keeps neither the
   * effects object, its lists nor their Outbound records (the kernel does so; it keeps only the
   * messages, state and strings): a step may then return the same objects every time, refilled.
   */
  reuseEffects?: boolean;
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
}

/** What an invariant sees after each protocol step. */
export interface ClusterView<S> {
  /** All protocol nodes (by kernel index; switches excluded). */
  nodes: readonly NodeView<S>[];
  /** The node that just stepped. */
  changed: NodeView<S>;
  /** Virtual time, microseconds. */
  nowUs: number;
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

/** A gauge sampled in virtual time. */
export interface MetricSpec<S> {
  /** Series name. */
  id: string;
  /** Unit shown in charts. */
  unit: string;
  /** Reads the value from the nodes. */
  read(nodes: readonly NodeView<S>[]): number;
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
 * What a nemesis tuned for a protocol may ask of it (optional; consensus protocols give it).
 * Both are read only while the nemesis uses them, so they cost nothing otherwise.
 */
export interface NemesisHooks<S> {
  /**
   * The term or ballot round this node leads in, or null when it does not lead. The nemesis
   * takes the up node with the highest value as "the leader", and a step after which the
   * value changed from null (or to another round) as "just elected".
   */
  leads(state: S): number | null;
  /**
   * True when the step from `before` to `after` made a promise that must survive a crash: a
   * vote (Raft's votedFor), a Paxos promise or acceptance. The nemesis may crash the node right
   * after such a step and restart it at once, within the same term or ballot.
   */
  promised(before: S, after: S): boolean;
  /**
   * True when the step, taken as leader, advanced what the node knows committed (chosen)
   * before anything of its own term or ballot was: the first commits of a new leadership,
   * where a crash before the news leaves tests that a commit survives its leader.
   */
  firstCommits?(before: S, after: S): boolean;
}

/** A protocol definition. */
export interface Protocol<P = unknown, S = unknown, M extends ProtocolMessage = ProtocolMessage> {
  /** Catalog id used in scenarios. */
  id: string;
  /** Topic id. */
  topic: string;
  /** Display title. */
  title: string;
  /** Bumped when behaviour changes (old traces then hash differently). */
  version: number;
  /** Palette entries. */
  roles: RoleSpec[];
  /** Params schema (every field defaulted, so `parse({})` gives the defaults). */
  params: z.ZodType<P>;
  /** A topology for a quick start. */
  defaultTopology(params: P): DefaultTopology;
  /** Initial state of a node. */
  init(node: NodeInit<P>): S;
  /** Handles one input. Must not mutate `state`. */
  step(state: S, input: Input<M>, env: StepEnv<P>): Effects<S, M>;
  /** The part of the state that survives a crash. */
  durable(state: S): Partial<S>;
  /** Invariants checked after every step. */
  invariants: Invariant<S>[];
  /** End-of-run history checkers by id (see checkers/history.ts). */
  historyCheckers: string[];
  /** Gauges sampled in virtual time. */
  metrics: MetricSpec<S>[];
  /** Badge for a node. */
  summary(state: S, up: boolean): NodeBadge;
  /** Known-wrong variants. */
  bugs: BugSwitch[];
  /** The lesson. */
  lesson: Lesson;
  /** Hooks for the leader- and promise-targeted nemesis actions (docs/kernel.md "Nemesis"). */
  nemesis?: NemesisHooks<S>;
}

/** A protocol with its type parameters erased (what the catalog holds). */
// biome-ignore lint/suspicious/noExplicitAny: the catalog holds protocols of many state types.
export type AnyProtocol = Protocol<any, any, any>;
