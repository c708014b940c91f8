import { Rng } from './rng';

/**
 * Everything needed to put a kernel back at an event (see Simulation checkpoints). A snapshot
 * is never changed once taken, so checkpoints and forks share it. Each part of the kernel
 * saves and loads its own piece (Kernel.save lists them); this file holds what they share:
 * the type, and the sharing of unchanged tables and random streams between snapshots.
 */
export interface KernelSnapshot {
  /** Event index. */
  eventIndex: number;
  /** Remaining fields are kernel internals. */
  [key: string]: unknown;
}

/**
 * The memory of the last snapshot a kernel took, so the next one can share what did not
 * change. Between two checkpoints of a large run most per-node and per-link tables (ids,
 * roles, links, clocks, timers...) and most random streams do not change, so a checkpoint
 * costs a scan instead of an allocation that the GC must then copy.
 */
export class SnapshotShare {
  /** The copy of each table in the last snapshot taken, by name. */
  private readonly tables: Record<string, readonly unknown[]> = {};
  /** The stream states in the last snapshot taken, by name. */
  private readonly streams: Record<string, Uint32Array> = {};

  /**
   * A snapshot copy of a table: the previous snapshot's copy when every element is the same
   * (snapshots are never mutated, so they can share it), else a fresh copy.
   */
  table<T>(key: string, cur: readonly T[]): T[] {
    const prev = this.tables[key] as T[] | undefined;
    if (prev !== undefined && prev.length === cur.length) {
      let k = 0;
      while (k < cur.length && prev[k] === cur[k]) k++;
      if (k === cur.length) return prev;
    }
    const copy = cur.slice();
    this.tables[key] = copy;
    return copy;
  }

  /**
   * The states of many streams in one typed array: the last snapshot's (never mutated) when no
   * stream has moved since, else one new allocation.
   */
  rngs(key: string, rngs: readonly Rng[]): Uint32Array {
    const prev = this.streams[key];
    if (prev !== undefined && prev.length === rngs.length * 4) {
      let i = 0;
      while (i < rngs.length && rngs[i]!.equalsAt(prev, i * 4)) i++;
      if (i === rngs.length) return prev;
    }
    const out = new Uint32Array(rngs.length * 4);
    for (let i = 0; i < rngs.length; i++) rngs[i]!.saveInto(out, i * 4);
    this.streams[key] = out;
    return out;
  }
}

/** Restores streams saved by SnapshotShare.rngs, growing or shrinking the list to match. */
export function loadRngs(rngs: Rng[], saved: Uint32Array): void {
  const n = saved.length / 4;
  rngs.length = n;
  for (let i = 0; i < n; i++) {
    const r = rngs[i] ?? new Rng(0);
    r.loadFrom(saved, i * 4);
    rngs[i] = r;
  }
}
