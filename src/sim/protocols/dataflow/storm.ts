import { z } from 'zod';
import type { TimelineViewData } from '../../../shared/api/views';
import type {
  Ctx,
  Input,
  Liveness,
  MetricSpec,
  NodeView,
  Protocol,
  StateField,
  ViewSpec,
} from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { batchTopology } from './batch';
import { CORPUS, directWordCounts, type Pair, partitionOfKey, splitRecords, words } from './workload';

/**
 * Storm: a streaming topology of spouts and bolts (Toshniwal et al., "Storm @Twitter", SIGMOD
 * 2014, §2-§3), and its guarantee that every tuple is processed at least once (the Storm docs,
 * "Guaranteeing Message Processing"; the paper's §4.2 "Processing semantics").
 *
 * Word count as a stream: a spout emits the corpus's lines, one tuple each; a split bolt (one
 * task per worker, shuffle grouping) cuts a line into word tuples, each anchored to the line;
 * a count bolt (one task per worker, fields grouping on the word) adds each word to its table.
 * A line and the word tuples made from it form a tuple tree.
 *
 * The acker: each tuple has a random 64-bit id (31 bits here). The acker keeps, per tree, the
 * XOR of every tuple id it has been told of. The spout tells it the line tuple's id; a bolt that
 * is done with a tuple acks it with the tuple's id XOR the ids of the tuples it emitted anchored
 * to it. Each id thus goes in twice (created, then acked) and the value comes back to zero
 * exactly when every tuple of the tree has been processed: the acker then tells the spout,
 * which forgets the line. A tree not completed within the message timeout is failed, and the
 * spout emits the line again (replay): at-least-once. A few bytes per tree, whatever its size.
 *
 * Choices where the sources leave room: the spout and the acker are tasks on node m (Storm
 * places them on workers like any task); a crashed worker's tasks stay on it and come back
 * with it (Storm's supervisor restarts the worker; Nimbus would move them after a longer
 * timeout); the count bolt's table is kept in a store that survives the worker (durable), and
 * with `idempotentCounts` it stores with each count the ids of the words it applied, so that a
 * replayed line is not counted twice (the docs' "transactional topologies" idea; plain Storm is
 * at-least-once and counts a replayed line again).
 */
export const StormParams = z.object({
  /** The spout emits a line every this often. */
  spoutIntervalMs: z.number().int().min(1).max(10_000).default(10),
  /** topology.max.spout.pending: lines in flight (not yet acked) at most. */
  maxSpoutPending: z.number().int().min(1).max(100).default(8),
  /** topology.message.timeout.secs (30 s in Storm): a tree not acked by then is replayed. */
  messageTimeoutMs: z.number().int().min(10).max(600_000).default(400),
  /** A bolt's work: milliseconds per KB of tuple it processes (as the batch engines' cpuMsPerKB). */
  cpuMsPerKB: z.number().int().min(0).max(10_000).default(60),
  /** A bolt's fixed cost per tuple, microseconds (deserialize, dispatch). */
  tupleCostUs: z.number().int().min(0).max(100_000).default(300),
  /** The count bolt remembers which words it applied, so a replay is not counted twice. */
  idempotentCounts: z
    .boolean()
    .default(true)
    .describe('Store with the counts the words applied, so a replayed line is not counted twice.'),
  /** Liveness bound: after the last fault, every line must be acked within this. */
  settleMs: z.number().int().min(100).max(600_000).default(3000),
  /** Bug switch: the split bolt acks a line when it gets it, before it emits (anchors) the words. */
  bugAckBeforeEmit: z.boolean().default(false),
});
export type StormParams = z.infer<typeof StormParams>;
type P = StormParams;

/** The stream: every line of the corpus, in order (a message id is a line's index). */
export const STREAM: readonly Pair[] = splitRecords(CORPUS);

/** A line the spout has emitted and not yet seen acked. */
export interface PendingLine {
  /** The tree's root id and the line tuple's id in this try. */
  root: number;
  /** When this try was emitted, and when the line was first emitted (spout's clock). */
  emittedUs: number;
  firstUs: number;
  tries: number;
  /** Its row in the Trees tab (one of maxSpoutPending), or -1 while it waits for its replay. */
  slot: number;
}

/** One bar of the Trees tab: a try of a line, from its emit to its ack or its timeout. */
export interface TreeBar {
  slot: number;
  msgId: number;
  tries: number;
  startUs: number;
  endUs: number | null;
  outcome: 'in flight' | 'acked' | 'timed out';
}

/** Node m: the spout task and the acker task. */
export interface SpoutState {
  kind: 'spout';
  /** The next line to emit for the first time. */
  next: number;
  /** Lines in flight, by message id. */
  pending: Record<string, PendingLine>;
  /** Lines failed (timed out), to emit again first. */
  replay: number[];
  /** Lines acked (fully processed), by message id. */
  acked: boolean[];
  /** The acker's ledger: per tree (root id), the XOR of the ids it was told of, and its line. */
  ledger: Record<string, { val: number; msgId: number }>;
  /** Trees replayed, trees completed, and the sum and max of their latencies (first emit to ack). */
  replays: number;
  completed: number;
  latencySumUs: number;
  latencyMaxUs: number;
  /** When every line was acked (null before). */
  doneUs: number | null;
  /** The count bolts store the words they applied (the param, for the no-loss check). */
  idempotentCounts: boolean;
  /** Every try of every line, for the Trees tab. */
  bars: TreeBar[];
}

/** A tuple on its way to a bolt. */
export type Tuple =
  | { type: 'Line'; root: number; id: number; msgId: number; line: string }
  | { type: 'Word'; root: number; id: number; msgId: number; pos: number; word: string };

/** A worker: a split bolt task and a count bolt task. */
export interface BoltWorker {
  kind: 'worker';
  /** Tuples received and not yet processed, in order (memory: lost in a crash). */
  queue: Tuple[];
  /** The count bolt's table (in a store that survives the worker). */
  counts: Record<string, number>;
  /** With idempotentCounts: the words applied ("line:position"), stored with the counts. */
  applied: Record<string, boolean>;
  /** Tuples processed (kept for the metric). */
  processed: number;
}

export type StormState = SpoutState | BoltWorker;

export type StormMsg = Tuple | { type: 'Ack'; root: number; val: number };

type C = Ctx<P, StormMsg>;

/** A random tuple id (Storm: 64 bits; here 31, so that XOR stays within JavaScript's integers). */
const newId = (ctx: C): number => ctx.rng.int(1, 0x7fffffff);
const tupleBytes = (t: Tuple): number => (t.type === 'Line' ? t.line.length : t.word.length) + 16;

// ---------------------------------------------------------------------------------------------
// The spout and the acker (node m)

/** Ends the Trees tab's bar of a line's current try. */
function endBar(s: SpoutState, msgId: number, nowUs: number, outcome: TreeBar['outcome']): void {
  for (let i = s.bars.length - 1; i >= 0; i--) {
    const b = s.bars[i]!;
    if (b.msgId !== msgId || b.endUs !== null) continue;
    b.endUs = nowUs;
    b.outcome = outcome;
    return;
  }
}

/** Emit a line as the root of a new tree (a first try or a replay) and tell the acker. */
function emitLine(ctx: C, s: SpoutState, msgId: number): void {
  const root = newId(ctx);
  const id = newId(ctx);
  const prev = s.pending[String(msgId)];
  const used = new Set(Object.values(s.pending).map((l) => l.slot));
  let slot = 0;
  while (used.has(slot)) slot++;
  const tries = (prev?.tries ?? 0) + 1;
  s.pending[String(msgId)] = { root, emittedUs: ctx.now(), firstUs: prev?.firstUs ?? ctx.now(), tries, slot };
  s.bars.push({ slot, msgId, tries, startUs: ctx.now(), endUs: null, outcome: 'in flight' });
  // The acker's init: the tree's value starts as the id of the spout's tuple.
  s.ledger[String(root)] = { val: id, msgId };
  // Shuffle grouping: a split task at random.
  const workers = ctx.nodesWithRole('worker');
  const to = workers[ctx.rng.int(0, workers.length - 1)]!;
  ctx.send(to, { type: 'Line', root, id, msgId, line: STREAM[msgId]![1] });
}

/** The spout's loop: fail what timed out, then emit a line if fewer than maxSpoutPending are in flight. */
function onSpoutTick(ctx: C, s: SpoutState): void {
  const p = ctx.params;
  const now = ctx.now();
  for (const [msgId, line] of Object.entries(s.pending)) {
    // (A line waiting for its replay has no slot and is not failed twice.)
    if (line.slot < 0 || now - line.emittedUs < p.messageTimeoutMs * 1000) continue;
    // fail(msgId): the tree timed out. The acker forgets it; the line goes out again.
    delete s.ledger[String(line.root)];
    endBar(s, Number(msgId), now, 'timed out');
    line.slot = -1;
    s.replay.push(Number(msgId));
    s.replays += 1;
    ctx.note(`line ${msgId} timed out: replay`);
  }
  const inFlight = Object.keys(s.pending).length - s.replay.length;
  if (inFlight < p.maxSpoutPending) {
    if (s.replay.length > 0) emitLine(ctx, s, s.replay.shift()!);
    else if (s.next < STREAM.length) emitLine(ctx, s, s.next++);
  }
  // nextTuple() is called in a loop for as long as the topology runs, with or without lines left.
  ctx.setTimer('tick', p.spoutIntervalMs * 1000);
}

/** The acker: XOR the value in; at zero the tree is complete and the spout acks its line. */
function onAck(ctx: C, s: SpoutState, root: number, val: number): void {
  const key = String(root);
  // An ack may come before the tree is known (or after it was forgotten): Storm's acker keeps it.
  const entry = s.ledger[key] ?? { val: 0, msgId: -1 };
  entry.val = (entry.val ^ val) >>> 0;
  s.ledger[key] = entry;
  if (entry.val !== 0 || entry.msgId < 0) return;
  delete s.ledger[key];
  const line = s.pending[String(entry.msgId)];
  if (line === undefined || line.root !== root) return;
  delete s.pending[String(entry.msgId)];
  endBar(s, entry.msgId, ctx.now(), 'acked');
  s.acked[entry.msgId] = true;
  s.completed += 1;
  const latency = ctx.now() - line.firstUs;
  s.latencySumUs += latency;
  s.latencyMaxUs = Math.max(s.latencyMaxUs, latency);
  if (s.doneUs === null && s.acked.every((a) => a)) {
    s.doneUs = ctx.now();
    ctx.note(`every line acked in ${(s.doneUs / 1e6).toFixed(3)} s`);
    ctx.emit({ type: 'stream-done' });
  }
}

function onSpout(ctx: C, s: SpoutState, input: Input<StormMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      ctx.setTimer('tick', ctx.params.spoutIntervalMs * 1000);
      return;
    case 'timer':
      if (input.name === 'tick') onSpoutTick(ctx, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'message':
      if (input.msg.type === 'Ack') onAck(ctx, s, input.msg.root, input.msg.val);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The bolts (a worker)

const acker = (ctx: C): string => ctx.nodesWithRole('master')[0] ?? '';

/** How long the bolt takes over a tuple. */
const costUs = (ctx: C, t: Tuple): number =>
  Math.max(1, Math.round(ctx.params.tupleCostUs + (tupleBytes(t) / 1024) * ctx.params.cpuMsPerKB * 1000));

/** The split bolt: emit each word anchored to the line, then ack the line with the XOR of their ids. */
function split(ctx: C, t: Extract<Tuple, { type: 'Line' }>): void {
  const workers = ctx.nodesWithRole('worker');
  let val = t.id;
  words(t.line).forEach((word, pos) => {
    const id = newId(ctx);
    val = (val ^ id) >>> 0;
    // Fields grouping: the same word always goes to the same count task.
    ctx.send(workers[partitionOfKey(word, workers.length)]!, {
      type: 'Word',
      root: t.root,
      id,
      msgId: t.msgId,
      pos,
      word,
    });
  });
  if (!ctx.params.bugAckBeforeEmit) ctx.send(acker(ctx), { type: 'Ack', root: t.root, val });
}

/** The count bolt: add the word to the table (once, with idempotentCounts), ack it. */
function count(ctx: C, s: BoltWorker, t: Extract<Tuple, { type: 'Word' }>): void {
  const key = `${t.msgId}:${t.pos}`;
  if (!ctx.params.idempotentCounts || !s.applied[key]) {
    s.counts[t.word] = (s.counts[t.word] ?? 0) + 1;
    if (ctx.params.idempotentCounts) s.applied[key] = true;
  }
  ctx.send(acker(ctx), { type: 'Ack', root: t.root, val: t.id });
}

function onBolt(ctx: C, s: BoltWorker, input: Input<StormMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      return;
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'timer': {
      if (input.name !== 'work') return;
      const t = s.queue.shift();
      if (t === undefined) return;
      s.processed += 1;
      if (t.type === 'Line') split(ctx, t);
      else count(ctx, s, t);
      if (s.queue.length > 0) ctx.setTimer('work', costUs(ctx, s.queue[0]!));
      return;
    }
    case 'message': {
      const m = input.msg;
      if (m.type === 'Ack') return;
      // The bug: the line is acked as it arrives, before its words are emitted (anchored).
      if (m.type === 'Line' && ctx.params.bugAckBeforeEmit)
        ctx.send(acker(ctx), { type: 'Ack', root: m.root, val: m.id });
      s.queue.push(m);
      if (s.queue.length === 1) ctx.setTimer('work', costUs(ctx, m));
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The Trees tab

/**
 * The spout's lines in flight as a timeline: one row per slot of maxSpoutPending, a bar per try
 * of a line from its emit to its ack (green; amber for a replay) or to its timeout (red). A
 * crash shows as a column of red bars, all slots stuck until the message timeout.
 */
export const treesView: ViewSpec<StormState> = {
  id: 'trees',
  title: 'Trees',
  kind: 'timeline',
  read(nodes): TimelineViewData | null {
    const sp = spoutOf(nodes);
    if (sp === undefined) return null;
    const s = sp.state;
    const slots = Math.max(1, ...s.bars.map((b) => b.slot + 1));
    const acked = s.acked.filter((a) => a).length;
    return {
      kind: 'timeline',
      caption: `Line tuple trees, emit to ack, per spout slot · acked ${acked}/${STREAM.length} · replays ${s.replays}`,
      rows: Array.from({ length: slots }, (_, k) => ({ id: `slot${k}`, label: `slot ${k + 1}`, up: sp.up })),
      bars: s.bars.map((b) => ({
        row: `slot${b.slot}`,
        startUs: b.startUs,
        endUs: b.endUs,
        label: `L${b.msgId}${b.tries > 1 ? '′' : ''}`,
        tone:
          b.outcome === 'timed out'
            ? 'bad'
            : b.outcome === 'in flight'
              ? 'info'
              : b.tries > 1
                ? 'warn'
                : 'good',
        title: `line ${b.msgId}, try ${b.tries}: ${b.outcome}`,
      })),
      markers: s.doneUs === null ? [] : [{ atUs: s.doneUs, label: 'every line acked' }],
      legend: [
        { tone: 'info', label: 'in flight' },
        { tone: 'good', label: 'acked' },
        { tone: 'warn', label: 'replay acked' },
        { tone: 'bad', label: 'timed out' },
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Checks

const spoutOf = (nodes: readonly NodeView<StormState>[]): NodeView<SpoutState> | undefined =>
  nodes.find((n) => n.state.kind === 'spout') as NodeView<SpoutState> | undefined;

/** The counts of every count task, added up. */
function countsOf(nodes: readonly NodeView<StormState>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of nodes)
    if (n.state.kind === 'worker')
      for (const [w, c] of Object.entries(n.state.counts)) out.set(w, (out.get(w) ?? 0) + c);
  return out;
}

/**
 * No loss: once the spout has every line acked, every word of every line is counted: at least
 * once (at-least-once), and exactly once with idempotentCounts.
 */
export const noLoss = {
  id: 'no-loss',
  title:
    'When every line is acked, every word of every line has been counted (exactly once with idempotentCounts)',
  check({ nodes, events }: { nodes: readonly NodeView<StormState>[]; events: readonly { type: string }[] }) {
    if (!events.some((e) => e.type === 'stream-done')) return null;
    const got = countsOf(nodes);
    const exact = spoutOf(nodes)?.state.idempotentCounts === true;
    for (const [w, want] of directWordCounts()) {
      const c = got.get(w) ?? 0;
      if (c < want)
        return `every line is acked but "${w}" is counted ${c} times, the corpus has it ${want} times`;
      if (exact && c > want) return `"${w}" is counted ${c} times, the corpus has it ${want} times`;
    }
    return null;
  },
};

/** The acker's ledger is empty when the stream is done: every tree's XOR came back to zero. */
export const ledgerZero = {
  id: 'ledger-zero',
  title: 'When every line is acked, the acker holds no open tree (every XOR came back to zero)',
  check({ changed, events }: { changed: NodeView<StormState>; events: readonly { type: string }[] }) {
    if (changed.state.kind !== 'spout' || !events.some((e) => e.type === 'stream-done')) return null;
    const open = Object.entries(changed.state.ledger);
    if (open.length === 0) return null;
    const [root, e] = open[0]!;
    return `${open.length} tree(s) still open, such as ${root} (XOR ${e.val}, ${e.msgId < 0 ? 'acks for a tree already completed' : `line ${e.msgId}`})`;
  },
};

/** Once the faults stop, every line is acked. */
const streamCompletes: Liveness<StormState, P> = {
  id: 'stream-completes',
  title: 'After the faults stop, every line of the stream is acked',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    const sp = spoutOf(nodes);
    if (sp === undefined || sp.state.doneUs !== null) return null;
    const left = sp.state.acked.filter((a) => !a).length;
    return `${left} line(s) not acked yet (${Object.keys(sp.state.pending).length} in flight)`;
  },
};

const spoutMetric = (id: string, unit: string, read: (s: SpoutState) => number): MetricSpec<StormState> => ({
  id,
  unit,
  read(nodes) {
    const sp = spoutOf(nodes);
    return sp === undefined ? 0 : read(sp.state);
  },
});

export const storm: Protocol<P, StormState, StormMsg> = {
  id: 'storm',
  topic: 'big-data',
  title: 'Storm (spouts, bolts, acker)',
  version: 1,
  // A line goes out every 10 ms and the stream takes about half a second: at 0.1x it plays in 5 s.
  speed: 0.1,
  roles: [
    { id: 'master', label: 'Spout + acker', min: 1, max: 1 },
    { id: 'worker', label: 'Worker (bolts)', min: 1, max: null },
  ],
  params: StormParams,
  defaultTopology: () => batchTopology(4),
  quickStart: () => ({
    name: 'Storm quick start: word count as a stream, w3 crashes for 0.2 s',
    faults: [
      { atUs: 150_000, fault: { kind: 'crash', node: 'w3' } },
      { atUs: 350_000, fault: { kind: 'restart', node: 'w3' } },
    ],
    maxTimeUs: 2_000_000,
  }),
  init(node): StormState {
    if (node.role === 'master')
      return {
        kind: 'spout',
        next: 0,
        pending: {},
        replay: [],
        acked: STREAM.map(() => false),
        ledger: {},
        replays: 0,
        completed: 0,
        latencySumUs: 0,
        latencyMaxUs: 0,
        doneUs: null,
        idempotentCounts: node.params.idempotentCounts,
        bars: [],
      };
    return { kind: 'worker', queue: [], counts: {}, applied: {}, processed: 0 };
  },
  on(ctx, s, input) {
    if (s.kind === 'spout') onSpout(ctx, s, input);
    else onBolt(ctx, s, input);
  },
  // The spout's source is a replayable queue and the acker's state goes with it: node m keeps
  // everything. A worker keeps the count table (a store) and loses its queue of tuples.
  durable: [
    'kind',
    'next',
    'pending',
    'replay',
    'acked',
    'ledger',
    'replays',
    'completed',
    'latencySumUs',
    'latencyMaxUs',
    'doneUs',
    'idempotentCounts',
    'bars',
    'counts',
    'applied',
    'processed',
  ] satisfies StateField<StormState>[],
  invariants: [noLoss, ledgerZero],
  liveness: [streamCompletes],
  historyCheckers: [],
  views: [treesView],
  metrics: [
    spoutMetric('linesAcked', 'lines', (s) => s.completed),
    spoutMetric('streamTimeMs', 'ms', (s) => (s.doneUs === null ? 0 : Math.round(s.doneUs / 1000))),
    spoutMetric('completeLatencyMs', 'ms', (s) =>
      s.completed === 0 ? 0 : Math.round(s.latencySumUs / s.completed / 1000),
    ),
    spoutMetric('completeLatencyMaxMs', 'ms', (s) => Math.round(s.latencyMaxUs / 1000)),
    spoutMetric('tuplesReplayed', 'lines', (s) => s.replays),
    spoutMetric('ledgerOpen', 'trees', (s) => Object.keys(s.ledger).length),
    sumOver<StormState>('wordsCounted', 'words', (s) =>
      s.kind === 'worker' ? Object.values(s.counts).reduce((a, b) => a + b, 0) : 0,
    ),
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'spout') {
      if (s.doneUs !== null) return { text: `all ${s.completed} acked`, tone: 'good' };
      const acked = s.acked.filter((a) => a).length;
      return {
        text: `acked ${acked}/${STREAM.length} · ${Object.keys(s.pending).length} in flight`,
        tone: s.replay.length > 0 ? 'warn' : 'neutral',
      };
    }
    const counted = Object.values(s.counts).reduce((a, b) => a + b, 0);
    return { text: `queue ${s.queue.length} · counted ${counted}`, tone: 'neutral' };
  },
  bugs: [
    {
      param: 'bugAckBeforeEmit',
      title:
        'The split bolt acks a line before emitting its words: the tree looks complete too early, a crash in between loses the words (no-loss), and the words’ acks never cancel out (ledger-zero)',
    },
  ],
  lesson: {
    summary:
      'Storm processes a stream tuple by tuple: a spout emits lines, a split bolt cuts them into words, a count bolt counts them; each result is ready within milliseconds instead of at the end of a job. To guarantee that every line is processed, an acker keeps one XOR per tuple tree: each tuple id goes in when the tuple is created and again when it is acked, so the value is zero exactly when the whole tree is done. A tree not done in time is replayed from the spout: at least once.',
    watch: [
      'The Trees tab: each line’s tuple tree from its emit to its ack, one row per spout slot (maxSpoutPending); red trees timed out, amber ones are replays',
      'The badges: the spout counts lines acked and in flight; each worker its queue and the words it counted',
      'w3 crashes at 150 ms: the tuples in its queue are lost, their trees never reach zero, and 400 ms later the spout replays those lines (notes "timed out: replay")',
      'completeLatencyMs: the time from a line’s first emit to its ack, against the batch engines’ jobTimeMs',
      'The checkers panel: once every line is acked, the counts equal the corpus’s and the ledger is empty',
    ],
    tryThis: [
      'Turn off idempotentCounts: replayed lines are counted twice (wordsCounted grows past the corpus), which at-least-once allows',
      'Turn on bugAckBeforeEmit: the line is acked before its words exist, and the checks stop the run when the spout thinks it is done',
      'Raise messageTimeoutMs to 1000: the stuck trees wait longer before their replay, and streamTimeMs grows by as much',
      'Lower maxSpoutPending to 1: the crash costs one replay instead of eight, but the stream takes longer (streamTimeMs)',
    ],
  },
};
