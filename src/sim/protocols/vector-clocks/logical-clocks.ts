import { z } from 'zod';
import type { ClusterView, Ctx, Invariant, NodeId, NodeView, Protocol } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { fullMesh, type PlacedNode } from '../../toolkit/topology';

/**
 * Logical clocks: processes that exchange messages at random and have local events, each
 * event stamped by a logical clock, so the stamps can be compared with the happened-before
 * relation the run really had (src/sim/analysis/causality.ts computes it from the trace).
 *
 * - Lamport clocks: L. Lamport, "Time, Clocks, and the Ordering of Events in a Distributed
 *   System", CACM 21(7), 1978, §3. Each process Pi keeps a counter Ci.
 *   IR1: each process increments Ci between any two successive events.
 *   IR2: (a) a message m sent by event a carries the timestamp Tm = Ci(a); (b) on receiving m,
 *   Pj sets Cj greater than or equal to its present value and greater than Tm.
 *   They give the Clock Condition: a → b implies C(a) < C(b) (C1: within a process, C2: from a
 *   send to its receipt). The converse fails: concurrent events get ordered stamps too.
 * - Vector clocks: C. J. Fidge, "Timestamps in Message-Passing Systems That Preserve the
 *   Partial Ordering", 1988; F. Mattern, "Virtual Time and Global States of Distributed
 *   Systems", 1989, §4. Each process Pi keeps a vector Vi with one entry per process.
 *   Every event of Pi first ticks its own entry: Vi[i] := Vi[i] + 1. A send carries Vi; on
 *   receiving a message stamped t, Pi ticks and merges: Vi := sup(Vi, t) (componentwise max).
 *   Then Vi[j] counts the events of Pj that happened before, and (§5) a → b exactly when
 *   V(a) < V(b): vector order is happened-before, and incomparable stamps mean concurrent.
 *
 * One protocol with a `clock` param, so the same seed gives the same run under either clock
 * (the random draws do not depend on it) and the two can be compared event by event.
 */
export const LogicalClockParams = z.object({
  /** Which clock the processes keep: Lamport's scalar (1978) or the vector clock (Fidge, Mattern). */
  clock: z
    .enum(['lamport', 'vector'])
    .default('vector')
    .describe("Lamport's scalar clock, or the vector clock of Fidge and Mattern"),
  /** How often each process sends a message to a peer chosen at random, per second (Poisson). */
  sendRatePerS: z
    .number()
    .min(0)
    .max(1000)
    .default(2)
    .describe('Messages each process sends per second, to a peer picked at random'),
  /** How often each process has a local event (one that sends nothing), per second (Poisson). */
  localRatePerS: z
    .number()
    .min(0)
    .max(1000)
    .default(1)
    .describe('Local events per second at each process (no message)'),
  /** Bug switch: a receipt ticks the clock but ignores the message's timestamp (no max, no merge). */
  bugNoMergeOnReceive: z.boolean().default(false),
  /** Bug switch: a send puts the clock on the message before ticking it, so m carries Ci(a) - 1. */
  bugIncrementAfterSend: z.boolean().default(false),
});
/** Logical-clock params. */
export type LogicalClockParams = z.infer<typeof LogicalClockParams>;

/** A vector timestamp: one entry per process, by id (Mattern's V, written as a record). */
export type Vector = Record<NodeId, number>;

/** A timestamp: Lamport's C (a number) or a vector. */
export type Stamp = number | Vector;

/** The one message: its timestamp (Lamport's Tm, or the sender's vector) and, for the checks, which event sent it. */
export interface StampedMsg {
  type: 'Msg';
  /** The timestamp the message carries. */
  t: Stamp;
  /** The number of the send event at its sender (as the trace's send id does; not part of the algorithm). */
  sentBy: number;
}

/** An event of this process, with its timestamp. */
export interface ClockEvent {
  /** Its number at this process: 1, 2, 3... */
  n: number;
  /** Local, send or receive. */
  kind: 'local' | 'send' | 'receive';
  /** The peer: the receiver of a send, the sender of a receipt. */
  peer?: NodeId;
  /** Receipts: the number of the send event at the sender. */
  sentBy?: number;
  /** Receipts: the timestamp the message carried. */
  m?: Stamp;
  /** The timestamp of the event. */
  t: Stamp;
}

/** A process. */
export interface LogicalClockState {
  /** Lamport's clock Ci (null when the processes keep vectors). */
  C: number | null;
  /** The vector clock Vi (null when the processes keep Lamport clocks). */
  V: Vector | null;
  /** Every event of this process with its timestamp, in order (a log: entries never change). */
  events: ClockEvent[];
}

type LcCtx = Ctx<LogicalClockParams, StampedMsg>;

/** The stamp as the trace and the badges write it: `C=5`, or the vector `(2,0,1)` in process order. */
export function stampText(t: Stamp): string {
  if (typeof t === 'number') return `C=${t}`;
  return `V=(${Object.keys(t)
    .sort(byId)
    .map((k) => t[k])
    .join(',')})`;
}

/** Node ids in natural order: p2 before p10. */
function byId(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** A stamp, copied. */
const copy = (t: Stamp): Stamp => (typeof t === 'number' ? t : { ...t });

/** The current clock value, copied (so a logged stamp never changes afterwards). */
function now(s: LogicalClockState): Stamp {
  return s.V === null ? (s.C ?? 0) : { ...s.V };
}

/** IR1 / Vi[i] += 1: every event ticks the clock first. */
function tick(ctx: LcCtx, s: LogicalClockState): void {
  if (s.V !== null) s.V[ctx.self] = (s.V[ctx.self] ?? 0) + 1;
  else s.C = (s.C ?? 0) + 1;
}

function record(ctx: LcCtx, s: LogicalClockState, e: Omit<ClockEvent, 'n' | 't'>): ClockEvent {
  const event: ClockEvent = { n: s.events.length + 1, ...e, t: now(s) };
  s.events.push(event);
  const what =
    e.kind === 'local' ? 'local event' : e.kind === 'send' ? `send to ${e.peer}` : `receive from ${e.peer}`;
  ctx.note(`${what} · ${stampText(event.t)}`);
  return event;
}

/** A local event: IR1 only. */
function localEvent(ctx: LcCtx, s: LogicalClockState): void {
  tick(ctx, s);
  record(ctx, s, { kind: 'local' });
}

/** A send event to a peer picked at random: IR1, then IR2(a) (Tm = Ci(a)). */
function sendEvent(ctx: LcCtx, s: LogicalClockState): void {
  if (ctx.peers.length === 0) return;
  const to = ctx.rng.pick(ctx.peers);
  const before = now(s);
  tick(ctx, s);
  const e = record(ctx, s, { kind: 'send', peer: to });
  // IR2(a): the message carries the send event's timestamp. The bug sends the value from before the tick.
  const t = ctx.params.bugIncrementAfterSend ? before : now(s);
  ctx.send(to, { type: 'Msg', t, sentBy: e.n });
}

/** A receive event: IR2(b) for Lamport (Cj := max(Cj, Tm) + 1), tick and merge for vectors. */
function receiveEvent(ctx: LcCtx, s: LogicalClockState, from: NodeId, m: StampedMsg): void {
  const merge = !ctx.params.bugNoMergeOnReceive;
  if (s.V !== null) {
    if (merge && typeof m.t === 'object')
      for (const [p, x] of Object.entries(m.t)) if (x > (s.V[p] ?? 0)) s.V[p] = x;
  } else if (merge && typeof m.t === 'number') s.C = Math.max(s.C ?? 0, m.t);
  tick(ctx, s);
  record(ctx, s, { kind: 'receive', peer: from, sentBy: m.sentBy, m: copy(m.t) });
}

/** Sets the next send or local-event timer: exponential gaps, so events form a Poisson process. */
function plan(ctx: LcCtx, timer: 'send' | 'local'): void {
  const rate = timer === 'send' ? ctx.params.sendRatePerS : ctx.params.localRatePerS;
  if (rate > 0) ctx.setTimer(timer, Math.max(1, Math.round(ctx.rng.exponential(1e6 / rate))));
}

// ------------------------------------------------------------------ checks

/** a < b for stamps: C(a) < C(b), or V(a) ≤ V(b) componentwise with V(a) ≠ V(b). */
export function stampBefore(a: Stamp, b: Stamp): boolean {
  if (typeof a === 'number' || typeof b === 'number') return typeof a === typeof b && a < b;
  let less = false;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x > y) return false;
    if (x < y) less = true;
  }
  return less;
}

/** The send event a receipt matches, read from the sender's log. */
function sendOf(nodes: readonly NodeView<LogicalClockState>[], e: ClockEvent): ClockEvent | undefined {
  const from = nodes.find((n) => n.id === e.peer);
  return from?.state.events[(e.sentBy ?? 0) - 1];
}

/**
 * The Clock Condition (Lamport 1978, §3): a → b implies C(a) < C(b), checked on the two kinds
 * of edge that make up happened-before, as each new event adds them: C1 (the process's previous
 * event) and C2 (for a receipt, the send it matches, whose stamp is read from the sender's own
 * log, not from the message).
 */
const clockCondition: Invariant<LogicalClockState> = {
  id: 'clock-condition',
  title: 'Clock Condition: if a happened before b then C(a) < C(b) (Lamport 1978, C1 and C2)',
  check({ changed, nodes }: ClusterView<LogicalClockState>) {
    const log = changed.state.events;
    const e = log[log.length - 1];
    if (e === undefined) return null;
    const prev = log[log.length - 2];
    if (prev !== undefined && !stampBefore(prev.t, e.t))
      return `C1 broken at ${changed.id}: event ${e.n} (${stampText(e.t)}) is not after event ${prev.n} (${stampText(prev.t)})`;
    if (e.kind === 'receive') {
      const s = sendOf(nodes, e);
      if (s !== undefined && !stampBefore(s.t, e.t))
        return `C2 broken: ${e.peer}'s send (event ${s.n}, ${stampText(s.t)}) happened before ${changed.id}'s receipt of it (event ${e.n}, ${stampText(e.t)}), yet the clocks do not say so`;
    }
    return null;
  },
};

/**
 * Vector clocks only: each new stamp is exactly its causal past (Mattern 1989, §5, the converse of
 * the Clock Condition: V(a) < V(b) only if a → b). Vi[i] is the event's number, and every other
 * entry is the largest the process's previous event or the matched send knew.
 */
const vectorIsCausalPast: Invariant<LogicalClockState> = {
  id: 'vector-is-causal-past',
  title: 'A vector stamp counts exactly the events that happened before (Mattern 1989 §5)',
  check({ changed, nodes }: ClusterView<LogicalClockState>) {
    const log = changed.state.events;
    const e = log[log.length - 1];
    if (e === undefined || typeof e.t === 'number') return null;
    const prev = log[log.length - 2]?.t;
    const sent = e.kind === 'receive' ? sendOf(nodes, e)?.t : undefined;
    const want: Vector = {};
    for (const src of [prev, sent])
      if (src !== undefined && typeof src === 'object')
        for (const [p, x] of Object.entries(src)) want[p] = Math.max(want[p] ?? 0, x);
    want[changed.id] = e.n;
    for (const p of new Set([...Object.keys(want), ...Object.keys(e.t)]))
      if ((want[p] ?? 0) !== (e.t[p] ?? 0))
        return `${changed.id}'s event ${e.n} has ${stampText(e.t)}, but ${p} has ${want[p] ?? 0} events in its causal past (the stamp says ${e.t[p] ?? 0})`;
    return null;
  },
};

/**
 * Receipts the clocks prove concurrent with the receiver's previous event: incomparable vectors,
 * or equal Lamport stamps (a → b would make C(a) < C(b), so a tie proves concurrency). Most
 * concurrent pairs get different Lamport stamps, which prove nothing: on the very same run
 * Lamport clocks find a few of the concurrent receipts vectors find.
 */
function concurrentReceipts(s: LogicalClockState): number {
  let n = 0;
  for (let i = 1; i < s.events.length; i++) {
    const e = s.events[i]!;
    const prev = s.events[i - 1]!.t;
    if (e.kind === 'receive' && e.m !== undefined && !stampBefore(prev, e.m) && !stampBefore(e.m, prev)) n++;
  }
  return n;
}

// ------------------------------------------------------------------ the protocol

const PLACES: PlacedNode[] = [
  { id: 'p1', role: 'process', x: 120, y: 100 },
  { id: 'p2', role: 'process', x: 460, y: 100 },
  { id: 'p3', role: 'process', x: 290, y: 360 },
];

export const logicalClocks: Protocol<LogicalClockParams, LogicalClockState, StampedMsg> = {
  id: 'logical-clocks',
  topic: 'vector-clocks',
  title: 'Logical clocks (Lamport, vector)',
  version: 1,
  // About five events a second per process, hops of 20-200 ms: at 0.25x a hop takes up to
  // 0.8 s on screen and each process stamps an event every second or so.
  speed: 0.25,
  roles: [{ id: 'process', label: 'Process', min: 2, max: null }],
  params: LogicalClockParams,
  defaultTopology() {
    return fullMesh(PLACES, { kind: 'uniform', minUs: 20_000, maxUs: 200_000 });
  },
  quickStart(p) {
    return { name: `Logical clocks (${p.clock}) quick start`, maxTimeUs: 6_000_000 };
  },
  init(node) {
    const vector = node.params.clock === 'vector';
    const V: Vector = {};
    if (vector) for (const id of node.nodes) V[id] = 0;
    return { C: vector ? null : 0, V: vector ? V : null, events: [] };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        plan(ctx, 'send');
        plan(ctx, 'local');
        return;
      case 'timer':
        if (input.name === 'send') {
          sendEvent(ctx, s);
          plan(ctx, 'send');
        } else if (input.name === 'local') {
          localEvent(ctx, s);
          plan(ctx, 'local');
        }
        return;
      case 'message':
        receiveEvent(ctx, s, input.from, input.msg);
        return;
      case 'client':
        ctx.reply(input.op, { ok: false }); // not a key-value store
        return;
    }
  },
  // A clock must never run backwards, so a process writes it (and its stamped events) to disk:
  // after a restart its next event is still after everything it did before the crash (C1).
  durable: ['C', 'V', 'events'],
  logs: ['events'],
  invariants: [clockCondition, vectorIsCausalPast],
  historyCheckers: [],
  metrics: [
    sumOver('clockEvents', 'events', (s) => s.events.length),
    sumOver('receipts', 'events', (s) => s.events.filter((e) => e.kind === 'receive').length),
    sumOver('concurrentReceipts', 'events', concurrentReceipts),
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    return { text: s.V !== null ? stampText(s.V) : stampText(s.C ?? 0), tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugNoMergeOnReceive',
      title:
        'A receipt ignores the message’s timestamp: a receive can carry a smaller stamp than its send (C2 breaks)',
    },
    {
      param: 'bugIncrementAfterSend',
      title:
        'A message carries the clock from before the send ticked it: the receipt can tie with its send (C2 breaks)',
    },
  ],
  lesson: {
    summary:
      'Without a shared clock, processes can still order events by causality: an event happened before another if a chain of messages (or the process itself) leads from one to the other. Lamport clocks give every event a number that grows along every such chain; vector clocks count, per process, the events in an event’s past, so comparing two stamps says before, after or concurrent.',
    watch: [
      'The badges: each process’s clock, ticking at every event, jumping when a message from a process further ahead arrives',
      'The space-time tab: hover a note to see the stamp of each local event, send and receipt',
      'With the vector clock, two events whose stamps are incomparable (each larger somewhere) are concurrent: no message chain joins them',
    ],
    tryThis: [
      'Shift+click two events in the space-time tab: the lab says before, after or concurrent, and names the chain of messages; compare with their stamps',
      'Set clock to lamport and run the same seed: the same events, now with scalar stamps. Find two concurrent events with different Lamport stamps: the order Lamport gives them is arbitrary',
      'Turn on bugNoMergeOnReceive and watch the Clock Condition stop the run at the first receipt stamped before its send',
      'Turn on bugIncrementAfterSend: the message carries one less than its send event, and a receipt can tie with it',
      'Export the run for ShiViz (Export ShiViz in the space-time tab, or npx dslab shiviz <file> --out run.log) and open it at bestchai.bitbucket.io/shiviz',
    ],
  },
};
