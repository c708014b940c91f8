import { type ClockState, fireTimeUs, localAt } from './clock';
import { Ev } from './events';
import type { Kernel } from './kernel';
import { C } from './metrics';
import type { Nodes } from './nodes';
import type { SnapshotShare } from './snapshots';
import { TraceKind } from './trace';

/** A node's named timer. */
export interface TimerRec {
  /** Generation of the live queue entry; other entries for this name are stale. */
  gen: number;
  /** Local-clock deadline, microseconds. */
  deadlineUs: number;
  /** True time of the live queue entry. */
  atUs: number;
}

/** What a snapshot keeps of the timers. */
export interface TimersSnapshot {
  tables: Record<string, TimerRec>[];
  gen: number;
}

/**
 * Every node's named timers (docs/kernel.md "Clocks and timers"). A timer is set in the node's
 * local time and queued at the true time its clock reaches the deadline. Cancellation is lazy:
 * a reset or cancelled timer leaves its queue entry, which is skipped when it comes up (its
 * generation is not the live one), and a timer reset to a later deadline keeps its entry and is
 * re-queued when that entry comes up early, so a protocol that resets a timer on every message
 * does not flood the queue.
 *
 * Per-node timer tables are copied on write after a snapshot, so a checkpoint copies one array
 * of references instead of one object per node. A table is copied, with its records, by its
 * first change after a snapshot; after that the table and its records are changed in place
 * (owned), so resetting a timer allocates nothing.
 */
export class Timers {
  /** Per node: timer name -> record. */
  private tables: Record<string, TimerRec>[] = [];
  /**
   * Per node: its timer table was made after the last snapshot was taken or loaded, so no
   * snapshot holds it and it is changed in place (derived; a snapshot clears every flag).
   */
  private owned: boolean[] = [];
  /** The last generation handed out. */
  private gen = 0;
  private readonly nodes: Nodes;
  private readonly counters: Float64Array;
  /** The node table's clocks (never replaced, see Nodes). */
  private readonly clocks: readonly ClockState[];

  constructor(private readonly k: Kernel) {
    this.nodes = k.nodes;
    this.counters = k.stats.counters;
    this.clocks = k.nodes.clocks;
  }

  /** A table for a new node. */
  addNode(): void {
    this.tables.push({});
    this.owned.push(false);
  }

  /**
   * A timer's queue entry came up at true time t: true when it fires now; false when it is
   * stale (reset or cancelled), or early (reset to a later deadline) and re-queued.
   */
  comesDue(i: number, name: string, gen: number, t: number): boolean {
    const rec = this.tables[i]![name];
    if (rec === undefined || rec.gen !== gen) return false;
    const due = fireTimeUs(this.clocks[i]!, t, rec.deadlineUs);
    if (due > t) {
      this.put(i, name, rec.gen, rec.deadlineUs, due);
      this.k.schedule(due, Ev.timer, i, -1, rec.gen, name);
      return false;
    }
    return true;
  }

  /**
   * Timer `name` of node i fires: held if the node is paused, else forgotten, counted and
   * written; true when the node's handler should now get it.
   */
  fire(i: number, gen: number, name: string): boolean {
    const nodes = this.nodes;
    if (nodes.paused[i]) {
      nodes.held[i] = [...nodes.held[i]!, { kind: Ev.timer, peer: -1, arg: gen, payload: name }];
      return false;
    }
    this.drop(i, name);
    this.counters[C.timers]!++;
    const k = this.k;
    k.row(TraceKind.timer, i, -1, -1, -1, k.strings.id(name));
    return true;
  }

  /** Sets (or resets) timer `name` of node i to fire afterUs of its local clock from now. */
  set(i: number, name: string, afterUs: number): void {
    const k = this.k;
    const clock = this.clocks[i]!;
    const deadlineUs = localAt(clock, k.nowUs) + Math.max(0, afterUs);
    const at = fireTimeUs(clock, k.nowUs, deadlineUs);
    const rec = this.tables[i]![name];
    if (rec !== undefined && rec.atUs <= at) {
      this.put(i, name, rec.gen, deadlineUs, rec.atUs);
      return;
    }
    const gen = ++this.gen;
    this.put(i, name, gen, deadlineUs, at);
    k.schedule(at, Ev.timer, i, -1, gen, name);
  }

  /** Cancels timer `name` of node i (its queue entry becomes stale). */
  drop(i: number, name: string): void {
    delete this.own(i)[name];
  }

  /** After a clock change, node i's timers are re-planned against the new clock. */
  replan(i: number): void {
    const k = this.k;
    const clock = this.clocks[i]!;
    const tm = this.tables[i]!;
    for (const name of Object.keys(tm).sort()) {
      const rec = tm[name]!;
      const gen = ++this.gen;
      const at = fireTimeUs(clock, k.nowUs, rec.deadlineUs);
      this.put(i, name, gen, rec.deadlineUs, at);
      k.schedule(at, Ev.timer, i, -1, gen, name);
    }
  }

  /** Node i crashed: its timers are gone. */
  clear(i: number): void {
    this.tables[i] = {};
  }

  /** Names of node i's timers, sorted (inspector). */
  names(i: number): string[] {
    return Object.keys(this.tables[i]!).sort();
  }

  private own(i: number): Record<string, TimerRec> {
    if (this.owned[i]) return this.tables[i]!;
    const src = this.tables[i]!;
    const table: Record<string, TimerRec> = {};
    // Same keys in the same order as a spread of src.
    for (const key in src) {
      const r = src[key]!;
      table[key] = { gen: r.gen, deadlineUs: r.deadlineUs, atUs: r.atUs };
    }
    this.tables[i] = table;
    this.owned[i] = true;
    return table;
  }

  private put(i: number, name: string, gen: number, deadlineUs: number, atUs: number): void {
    const table = this.own(i);
    const rec = table[name];
    if (rec === undefined) table[name] = { gen, deadlineUs, atUs };
    else {
      rec.gen = gen;
      rec.deadlineUs = deadlineUs;
      rec.atUs = atUs;
    }
  }

  /** The tables for a snapshot: shared from now on, so the next change copies. */
  save(share: SnapshotShare): TimersSnapshot {
    this.owned.fill(false);
    return { tables: share.table('timers', this.tables), gen: this.gen };
  }

  load(s: TimersSnapshot): void {
    this.tables = s.tables.slice();
    this.owned = this.tables.map(() => false);
    this.gen = s.gen;
  }
}
