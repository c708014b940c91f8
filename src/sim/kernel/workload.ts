import type { KvOp } from '../checkers/history';
import type { ClientOp } from '../protocol';
import { Ev } from './events';
import type { LazyText } from './intern';
import type { Kernel } from './kernel';
import { C, SERIES_OP_LATENCY } from './metrics';
import { Rng, type RngState } from './rng';
import { TraceKind } from './trace';

/** A client operation not yet answered or timed out. */
export interface PendingOp {
  /** When it was invoked (true time, microseconds). */
  startUs: number;
  /** The closed-loop client node that issues the next operation after it, or -1 (open loop). */
  node: number;
  /** The closed-loop slot (concurrency lane) it occupies. */
  slot: number;
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
    /** The kernel event it happened at. */
    readonly event: number,
    /** The node: the client that invoked it, or the node that answered. */
    readonly node: number,
  ) {}

  /** The trace note: `#id op key[=value]` for an invocation, `#id ok|fail[ value]` for an answer. */
  text(): string {
    const v = this.value;
    if (this.t === 'invoke') return `#${this.id} ${this.op} ${this.key}${v !== undefined ? `=${v}` : ''}`;
    return `#${this.id} ${this.t === 'complete' ? 'ok' : 'fail'}${v !== undefined ? ` ${v}` : ''}`;
  }
}

/** Where one operation happened (Workload.places). */
export interface OpPlace {
  /** The client node that invoked it. */
  client: string;
  /** The event of the invocation. */
  invokeEvent: number;
  /** The node that answered it, or null. */
  replyNode: string | null;
  /** The event of the answer, or null. */
  returnEvent: number | null;
}

/** What a snapshot keeps of the workload. */
export interface WorkloadSnapshot {
  rng: RngState;
  nextOpId: number;
  seqKey: number;
  pending: Map<number, PendingOp>;
  historyLength: number;
}

/**
 * The client workload and its history (docs/kernel.md "Workloads"): open-loop Poisson
 * arrivals or closed-loop clients with a think time and a timeout, reads and writes on keys
 * drawn from the `workload` stream, and the record of every invocation and answer that the
 * history checkers read.
 */
export class Workload {
  private rng: Rng;
  private nextOpId = 1;
  /** The next key index of a sequential key distribution. */
  private seqKey = 0;
  // Pending operations by id: a mutable map of immutable records, copied whole by a checkpoint
  // (O(pending) per checkpoint rather than per operation).
  pending = new Map<number, PendingOp>();
  /** The history; entries past historyLen are a future a replay rewrites. */
  private history: HistoryEntry[] = [];
  private historyLen = 0;
  /** Workload key names by index, for a key pattern (derived cache). */
  private readonly patternKeys: string[] = [];
  /** Every key the workload declares, in order (derived cache, built on first use). */
  private declaredKeys: readonly string[] | null = null;
  /** Interned ids of the client and reply notes by operation id (Interner.idByKey). */
  private readonly clientNoteIds: number[] = [];
  private readonly replyNoteIds: number[] = [];

  constructor(private readonly k: Kernel) {
    this.rng = new Rng(k.seed, 'workload');
  }

  /** New stream from a new seed (a fork with another seed). */
  reseed(seed: number): void {
    this.rng = new Rng(seed, 'workload');
  }

  /** The nodes operations go to: those with role `client`, else every protocol node. */
  private clientNodes(): number[] {
    const nodes = this.k.nodes;
    const ids = nodes.nodesWithRole('client');
    const list = ids.length > 0 ? ids : nodes.sortedProtocolIds();
    return list.map((id) => nodes.idIndex.get(id)!);
  }

  /** Queues the workload's first events. */
  start(): void {
    const k = this.k;
    const w = k.scenario.workload;
    if (w.kind === 'open') k.schedule(w.startUs, Ev.openLoop, -1, -1, 0, null);
    else if (w.kind === 'closed') {
      for (const c of this.clientNodes())
        for (let s = 0; s < w.concurrency; s++) k.schedule(w.startUs, Ev.clientNext, c, -1, s, null);
    } else if (w.kind === 'script') {
      // Every scripted operation is queued now; the heap keeps same-time events in the order
      // they were queued, so operations at one time go in list order.
      const order = w.ops.map((_, n) => n).sort((a, b) => w.ops[a]!.atUs - w.ops[b]!.atUs || a - b);
      for (const n of order) {
        const node = k.nodes.idIndex.get(w.ops[n]!.client);
        if (node !== undefined) k.schedule(w.ops[n]!.atUs, Ev.scripted, node, -1, n, null);
      }
    }
  }

  /** The workload's declared keys: its list, or its pattern for 0..count-1 (empty without a workload). */
  keySpace(): readonly string[] {
    if (this.declaredKeys !== null) return this.declaredKeys;
    const w = this.k.scenario.workload;
    let keys: string[] = [];
    if (w.kind === 'script') keys = [...new Set(w.ops.map((o) => o.key))];
    else if (w.kind !== 'none') {
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

  private pickKey(): string {
    const w = this.k.scenario.workload;
    if (w.kind === 'none' || w.kind === 'script') return '';
    const k = w.keys;
    const count = k.list !== undefined ? k.list.length : k.count;
    let i: number;
    if (k.distribution === 'sequential') i = this.seqKey++ % count;
    else if (k.distribution === 'uniform') i = Math.floor(this.rng.next() * count);
    else i = zipfRank(this.rng.next(), count, k.zipfS) - 1;
    if (k.list !== undefined) return k.list[i]!;
    // Key names from a pattern are built once per index (a cache: the scenario never changes).
    let name = this.patternKeys[i];
    if (name === undefined) {
      name = k.pattern.replaceAll('{i}', String(i));
      this.patternKeys[i] = name;
    }
    return name;
  }

  /** Open loop: an operation to a random client, and the next arrival. */
  onOpenLoop(): void {
    const k = this.k;
    const w = k.scenario.workload;
    if (w.kind !== 'open') return;
    if (w.stopUs !== undefined && k.nowUs >= w.stopUs) return;
    const clients = this.clientNodes();
    if (clients.length > 0) this.issueOp(this.rng.pick(clients), -1);
    const gap = Math.max(1, Math.round(this.rng.exponential(1e6 / w.ratePerS)));
    k.schedule(k.nowUs + gap, Ev.openLoop, -1, -1, 0, null);
  }

  /** Invokes a generated operation at node i (closed-loop slot, or -1). */
  issueOp(i: number, slot: number): void {
    const k = this.k;
    const w = k.scenario.workload;
    if (w.kind === 'none' || w.kind === 'script') return;
    if (w.stopUs !== undefined && k.nowUs >= w.stopUs) return;
    const id = this.nextOpId++;
    const isRead = this.rng.next() < w.readFraction;
    const key = this.pickKey();
    const client = k.nodes.ids[i]!;
    const op: ClientOp = isRead
      ? { id, client, op: 'read', key }
      : { id, client, op: 'write', key, value: `v${id}` };
    this.invoke(i, slot, op, w.kind === 'closed' ? w.timeoutUs : null);
  }

  /** Invokes the script's operation number n at its client node i. */
  issueScripted(i: number, n: number): void {
    const k = this.k;
    const w = k.scenario.workload;
    if (w.kind !== 'script') return;
    const s = w.ops[n]!;
    const id = this.nextOpId++;
    const op: ClientOp =
      s.op === 'read'
        ? { id, client: s.client, op: 'read', key: s.key }
        : { id, client: s.client, op: 'write', key: s.key, value: s.value ?? `v${id}` };
    this.invoke(i, -1, op, w.timeoutUs);
  }

  /**
   * Records operation `op` invoked at node i and gives it to the node; with a timeout, the
   * client gives up on it that long after (closed loop, script).
   */
  private invoke(i: number, slot: number, op: ClientOp, timeoutUs: number | null): void {
    const k = this.k;
    const nodes = k.nodes;
    const w = k.scenario.workload;
    const { id, key } = op;
    k.stats.counters[C.opsInvoked]!++;
    const h = new HistoryEntry('invoke', id, op.client, op.op, key, op.value, k.nowUs, k.eventIndex, i);
    this.pushHistory(h);
    this.pending.set(id, { startUs: k.nowUs, node: w.kind === 'open' ? -1 : i, slot });
    k.row(TraceKind.client, i, -1, -1, -1, k.strings.idByKey(this.clientNoteIds, id, h));
    if (timeoutUs !== null) {
      // A fixed delay from now: timeouts come due in the order they are made (the heap's FIFO lane).
      k.scheduleLate(k.nowUs + timeoutUs, Ev.clientTimeout, i, -1, id, null);
    }
    if (!nodes.present[i] || !nodes.up[i] || nodes.paused[i]) return; // never answered: unknown
    k.runStep(i, { kind: 'client', op });
  }

  /** Node i answered operation id. */
  onReply(i: number, id: number, ok: boolean, value: string | null | undefined): void {
    const k = this.k;
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
      k.nowUs,
      k.eventIndex,
      i,
    );
    this.pushHistory(h);
    if (ok) k.stats.counters[C.opsOk]!++;
    else k.stats.counters[C.opsFailed]!++;
    k.stats.pushSample(SERIES_OP_LATENCY, k.nowUs, k.nowUs - p.startUs);
    k.row(TraceKind.reply, i, -1, -1, -1, k.strings.idByKey(this.replyNoteIds, id, h));
    this.nextAfter(p);
  }

  /** A closed-loop client's next operation, after the think time, once one is answered or timed out. */
  private nextAfter(p: PendingOp): void {
    const k = this.k;
    const w = k.scenario.workload;
    if (p.node < 0 || p.slot < 0 || w.kind !== 'closed') return;
    k.schedule(k.nowUs + w.thinkTimeUs, Ev.clientNext, p.node, -1, p.slot, null);
  }

  /** A closed-loop client gives up waiting for operation id (its outcome is unknown). */
  onClientTimeout(id: number): void {
    const k = this.k;
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    k.checks.clientGaveUp(id, p.node, p.startUs);
    k.stats.counters[C.opsUnknown]!++;
    this.nextAfter(p);
  }

  private pushHistory(h: HistoryEntry): void {
    this.history[this.historyLen++] = h;
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

  /**
   * Every operation finished by now (for the windowed key-value series, kv-metrics.ts): its id,
   * whether it was a read, when it finished and how: answered ok or failed, or given up on at
   * the closed-loop timeout (invocation + timeoutUs, once that has passed unanswered).
   */
  finishedOps(): { id: number; read: boolean; endUs: number; outcome: 'ok' | 'failed' | 'unknown' }[] {
    const w = this.k.scenario.workload;
    const timeoutUs = w.kind === 'closed' || w.kind === 'script' ? w.timeoutUs : Number.POSITIVE_INFINITY;
    const open = new Map<number, { read: boolean; callUs: number }>();
    const out: { id: number; read: boolean; endUs: number; outcome: 'ok' | 'failed' | 'unknown' }[] = [];
    for (let k = 0; k < this.historyLen; k++) {
      const h = this.history[k]!;
      if (h.t === 'invoke') {
        open.set(h.id, { read: h.op === 'read', callUs: h.us });
        continue;
      }
      const o = open.get(h.id);
      if (o === undefined) continue;
      open.delete(h.id);
      out.push({ id: h.id, read: o.read, endUs: h.us, outcome: h.t === 'complete' ? 'ok' : 'failed' });
    }
    const now = this.k.nowUs;
    for (const [id, o] of open) {
      const end = o.callUs + timeoutUs;
      if (end <= now && !this.pending.has(id)) out.push({ id, read: o.read, endUs: end, outcome: 'unknown' });
    }
    return out;
  }

  /**
   * Where operations happened, for drawing them on the space-time diagram: the client node and
   * the event of each invocation, the node and event of its answer (null: never answered).
   */
  places(ids: ReadonlySet<number>): Map<number, OpPlace> {
    const out = new Map<number, OpPlace>();
    const ids2 = this.k.nodes.ids;
    for (let k = 0; k < this.historyLen; k++) {
      const h = this.history[k]!;
      if (!ids.has(h.id)) continue;
      if (h.t === 'invoke')
        out.set(h.id, { client: h.client!, invokeEvent: h.event, replyNode: null, returnEvent: null });
      else {
        const p = out.get(h.id);
        if (p !== undefined) {
          p.replyNode = ids2[h.node] ?? null;
          p.returnEvent = h.event;
        }
      }
    }
    return out;
  }

  save(): WorkloadSnapshot {
    return {
      rng: this.rng.save(),
      nextOpId: this.nextOpId,
      seqKey: this.seqKey,
      pending: new Map(this.pending),
      historyLength: this.historyLen,
    };
  }

  /** The history is truncated by length; its storage is kept (a replay rewrites the same future). */
  load(s: WorkloadSnapshot): void {
    this.rng.load(s.rng);
    this.nextOpId = s.nextOpId;
    this.seqKey = s.seqKey;
    this.pending = new Map(s.pending);
    this.historyLen = s.historyLength;
  }

  /** Copies another run's history up to a snapshot of it (fork; see Kernel.adopt). */
  copyHistory(from: Workload, s: WorkloadSnapshot): void {
    this.history = from.history.slice(0, s.historyLength);
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
