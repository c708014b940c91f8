import {
  type CheckEvent,
  type ClientResult,
  type Ctx,
  DEFAULT_SLEW_PPM,
  type Input,
  type NodeId,
  type Protocol,
  type ProtocolMessage,
  type Random,
} from '../protocol';

/** What one handler call asked of the world, in the order it asked. */
export interface Recorded<M> {
  /** Messages sent. */
  sent: { to: NodeId; msg: M }[];
  /** Timers set (afterUs) or cancelled (afterUs null). */
  timers: { name: string; afterUs: number | null }[];
  /** Client replies. */
  replies: { id: number; result: ClientResult }[];
  /** Trace notes. */
  notes: string[];
  /** Check events. */
  events: CheckEvent[];
  /** Steps and slews of the node's clock (ctx.clock), in call order. */
  clock: ({ kind: 'step'; deltaUs: number } | { kind: 'slew'; deltaUs: number; ratePpm: number })[];
}

/** Where the recorded node stands: who it is, who else is there, its clock and its params. */
export interface RecorderWorld<P> {
  /** This node's id. */
  self: NodeId;
  /** This node's role (default 'node'). */
  role?: string;
  /** Every protocol node, with its role; this node included. */
  nodes: Record<NodeId, string>;
  /** Protocol params. */
  params: P;
  /** The local clock, microseconds (default 0); a ctx.clock.step in the handler moves it. */
  nowUs?: number;
  /** What a slew in progress still has to apply when the input arrives, µs (default 0). */
  slewLeftUs?: number;
  /** The random stream (default: one that throws if drawn from). */
  rng?: Random;
  /** Display names by node id (default: each node's id). */
  names?: Record<NodeId, string>;
  /** The workload's declared keys (default: none). */
  keySpace?: readonly string[];
}

const noRandom: Random = new Proxy({} as Random, {
  get(_t, name) {
    throw new Error(`the test gave no rng, and the handler called rng.${String(name)}`);
  },
});

/**
 * A context that records instead of performing: for testing a protocol's rules one input at a
 * time, off the kernel (`handle` below). Sends, timers and replies are kept in call order.
 */
export function recordingCtx<P, M extends ProtocolMessage>(
  world: RecorderWorld<P>,
): { ctx: Ctx<P, M>; out: Recorded<M> } {
  const out: Recorded<M> = { sent: [], timers: [], replies: [], notes: [], events: [], clock: [] };
  const ids = Object.keys(world.nodes).sort();
  // The handler's clock: a step moves it at once; a slew has done nothing yet within the handler.
  let local = world.nowUs ?? 0;
  let slewLeft = world.slewLeftUs ?? 0;
  const finite = (what: string, x: number): void => {
    if (!Number.isFinite(x)) throw new RangeError(`${world.self}: ${what}(${x}): not a finite number of µs`);
  };
  const ctx: Ctx<P, M> = {
    self: world.self,
    role: world.role ?? world.nodes[world.self] ?? 'node',
    peers: ids.filter((id) => id !== world.self),
    params: world.params,
    rng: world.rng ?? noRandom,
    now: () => Math.floor(local),
    clock: {
      step: (deltaUs) => {
        finite('ctx.clock.step', deltaUs);
        local += deltaUs;
        slewLeft = 0;
        out.clock.push({ kind: 'step', deltaUs });
      },
      slew: (deltaUs, ratePpm = DEFAULT_SLEW_PPM) => {
        finite('ctx.clock.slew', deltaUs);
        slewLeft = deltaUs;
        out.clock.push({ kind: 'slew', deltaUs, ratePpm });
      },
      slewLeftUs: () => slewLeft,
    },
    nodesWithRole: (role) => ids.filter((id) => world.nodes[id] === role),
    nameOf: (id) => world.names?.[id] || id,
    keySpace: () => world.keySpace ?? [],
    send: (to, msg) => void out.sent.push({ to, msg }),
    sendAll: (role, msg) => {
      for (const id of ids) if (id !== world.self && world.nodes[id] === role) out.sent.push({ to: id, msg });
    },
    setTimer: (name, afterUs) => void out.timers.push({ name, afterUs: Math.max(0, afterUs) }),
    cancelTimer: (name) => void out.timers.push({ name, afterUs: null }),
    reply: (op, result) => void out.replies.push({ id: op.id, result }),
    note: (text) => void out.notes.push(text),
    emit: (event) => void out.events.push(event),
  };
  return { ctx, out };
}

/** Hands one input to a protocol's handler on `state` (changed in place) and returns what it asked for. */
export function handle<P, S, M extends ProtocolMessage>(
  protocol: Protocol<P, S, M>,
  state: S,
  input: Input<M>,
  world: RecorderWorld<P>,
): Recorded<M> {
  const { ctx, out } = recordingCtx<P, M>(world);
  protocol.on(ctx, state, input);
  return out;
}
