import type { ScenarioNode } from '../../shared/scenario/schema';
import type { NodeView } from '../protocol';
import { type Archived, archiveState, restoreState } from './archive';
import { type ClockState, localAt, newClock, slewClock, slewLeftAt, stepClock } from './clock';
import type { CtxHost } from './ctx';
import type { Kernel } from './kernel';
import { Rng } from './rng';
import { loadRngs, type SnapshotShare } from './snapshots';

/** A time a node was down, true time in µs (NodeView.downsUs). */
export interface Downtime {
  /** When it crashed (or was removed). */
  readonly downUs: number;
  /** When it restarted; null while still down. */
  readonly upUs: number | null;
}

/** How many of a node's latest times down the kernel keeps (NodeView.downsUs). */
export const DOWNS_KEPT = 32;
const NO_DOWNS: readonly Downtime[] = Object.freeze([]);

/** A delivery or timer held while its node is paused. */
export interface Held {
  kind: number;
  peer: number;
  arg: number;
  payload: unknown;
}

/**
 * The same text as `s`, as V8's internalized (unique) copy: two different internalized strings
 * compare unequal without reading their characters. Node ids and roles reach the protocols
 * (self, peers, message senders) and come back as destinations; the send cache compares them.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/**
 * A protocol node as checks, metrics and views see it: its id, role, liveness and state, and
 * its clock read at the kernel's time when asked (getters: nothing is computed on the hot
 * path). The node table is kept in a private field, so a spread or JSON of a view shows the
 * four plain fields only.
 */
class KernelNodeView implements NodeView<unknown> {
  readonly #nodes: Nodes;
  readonly #i: number;

  constructor(
    nodes: Nodes,
    i: number,
    public id: string,
    public role: string,
    public up: boolean,
    public state: unknown,
  ) {
    this.#nodes = nodes;
    this.#i = i;
  }

  get localUs(): number {
    return this.#nodes.localNowUs(this.#i);
  }

  get clockErrorUs(): number {
    return this.#nodes.clockErrorUs(this.#i);
  }

  get slewLeftUs(): number {
    return this.#nodes.slewLeftUs(this.#i);
  }

  get downSinceUs(): number | undefined {
    const d = this.#nodes.downs[this.#i]!;
    const last = d[d.length - 1];
    return last !== undefined && last.upUs === null ? last.downUs : undefined;
  }

  get downsUs(): readonly Downtime[] {
    return this.#nodes.downs[this.#i]!;
  }
}

/** What a snapshot keeps of the node table. */
export interface NodesSnapshot {
  ids: string[];
  roles: string[];
  isSwitch: boolean[];
  viewOf: number[];
  positions: { name: string; x: number; y: number }[];
  present: boolean[];
  up: boolean[];
  downs: (readonly Downtime[])[];
  paused: boolean[];
  /** Contract v2 states, archived (switches null). */
  states: (Archived | null)[];
  clocks: ClockState[];
  rngs: Uint32Array;
  held: Held[][];
}

/**
 * The node table: every node ever added, by index (indexes are never reused; a removed node
 * stays as a tombstone), with its protocol state, clock, random stream (`node:<id>`) and the
 * inputs held while it is paused; and the membership protocols read (peers, nodes of a role),
 * cached until the membership changes. Parallel arrays, one entry per node, read by every
 * other part of the kernel. The arrays themselves are never replaced (a snapshot is loaded
 * into them), so a part on the hot path may keep a reference to one instead of reading it
 * through the table. A held list is copied on write (replaced, never changed in place): a
 * snapshot shares them.
 */
export class Nodes implements CtxHost {
  /** Node ids by index (the kernel's internalized copies). */
  readonly ids: string[] = [];
  readonly roles: string[] = [];
  readonly isSwitch: boolean[] = [];
  /** False once removed. */
  readonly present: boolean[] = [];
  /** False while crashed (or removed). */
  readonly up: boolean[] = [];
  /**
   * Node i's times down (crashes, a removal), oldest first, the last DOWNS_KEPT: NodeView's
   * downsUs and downSinceUs. Copied on write (replaced, never changed in place): a snapshot and
   * a view handed out share them.
   */
  readonly downs: (readonly Downtime[])[] = [];
  readonly paused: boolean[] = [];
  /** Protocol states (switches null); a handler changes its node's state in place. */
  readonly states: unknown[] = [];
  readonly clocks: ClockState[] = [];
  /**
   * Per node, for a clock that runs at rate 1 (no drift, no slew): its t0Us and l0Us, so a
   * step reads its local time from two dense arrays instead of the clock object (localAt's
   * own arithmetic; derived from clocks). NaN in clockT0 for any other clock.
   */
  readonly clockT0: number[] = [];
  readonly clockL0: number[] = [];
  /** Random streams, `node:<id>`. */
  readonly rngs: Rng[] = [];
  readonly held: Held[][] = [];
  readonly idIndex = new Map<string, number>();
  /** The protocol nodes as invariants see them, and each node's place in that list (-1 switch). */
  readonly views: NodeView<unknown>[] = [];
  readonly viewOf: number[] = [];
  readonly positions: { name: string; x: number; y: number }[] = [];
  /** Contract v2: each node's state as the last checkpoint taken or loaded holds it. */
  private lastArchive: (Archived | undefined)[] = [];

  // Membership caches (rebuilt on demand; not part of snapshots).
  private peerCache = new Map<number, string[]>();
  private roleCache = new Map<string, string[]>();
  private sortedIds: string[] | null = null;

  constructor(private readonly k: Kernel) {}

  /** Appends a node (its state is made by the kernel once the membership is known). */
  add(n: ScenarioNode): number {
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
    this.downs.push(NO_DOWNS);
    this.paused.push(false);
    this.clocks.push(newClock(n.clockOffsetUs, n.clockDriftPpm));
    this.clockT0.push(Number.NaN);
    this.clockL0.push(0);
    this.refreshClockFast(i);
    this.rngs.push(new Rng(this.k.seed, `node:${n.id}`));
    this.held.push([]);
    this.positions.push({ name: n.name, x: n.x, y: n.y });
    this.states.push(null);
    if (sw) this.viewOf.push(-1);
    else {
      this.viewOf.push(this.views.length);
      this.views.push(new KernelNodeView(this, i, n.id, n.role, true, null));
    }
    return i;
  }

  /** Node index of an id, or -1. */
  indexOf(id: string): number {
    return this.idIndex.get(id) ?? -1;
  }

  /** Node i goes down now (a crash or a removal; it was up). */
  wentDown(i: number): void {
    const d = this.downs[i]!;
    const kept = d.length >= DOWNS_KEPT ? d.slice(d.length - DOWNS_KEPT + 1) : d;
    this.downs[i] = [...kept, Object.freeze({ downUs: this.k.nowUs, upUs: null })];
  }

  /** Node i comes back up now (a restart). */
  cameUp(i: number): void {
    const d = this.downs[i]!;
    const last = d[d.length - 1];
    if (last === undefined || last.upUs !== null) return;
    this.downs[i] = [...d.slice(0, -1), Object.freeze({ downUs: last.downUs, upUs: this.k.nowUs })];
  }

  /** Re-derives clockT0/clockL0 for node i after its clock changed. */
  refreshClockFast(i: number): void {
    const c = this.clocks[i]!;
    const rate1 = c.slewEndUs < 0 && 1 + (c.driftPpm + c.slewPpm) / 1e6 === 1;
    this.clockT0[i] = rate1 ? c.t0Us : Number.NaN;
    this.clockL0[i] = c.l0Us;
  }

  /** Node i's local clock now, integer microseconds (the context's now()). */
  localNowUs(i: number): number {
    const nowUs = this.k.nowUs;
    const t0 = this.clockT0[i]!;
    // Rate-1 clock: localAt is l0Us + (t - t0Us) * 1, the same value without the clock object.
    return Math.floor(!Number.isNaN(t0) ? this.clockL0[i]! + (nowUs - t0) : localAt(this.clocks[i]!, nowUs));
  }

  /** Node i's clock error now: its local clock minus true time, µs (rounded). */
  clockErrorUs(i: number): number {
    const nowUs = this.k.nowUs;
    return Math.round(localAt(this.clocks[i]!, nowUs) - nowUs);
  }

  /** What node i's slew in progress still has to apply now, signed µs. */
  slewLeftUs(i: number): number {
    return slewLeftAt(this.clocks[i]!, this.k.nowUs);
  }

  /**
   * Node i's clock changes (a clock fault, or its protocol through ctx.clock): from now on it
   * reads `clock`, and its pending timers are re-planned against it (their deadlines stay in
   * local time; docs/kernel.md "Clocks and timers").
   */
  setClock(i: number, clock: ClockState): void {
    this.clocks[i] = clock;
    this.refreshClockFast(i);
    this.k.timers.replan(i);
  }

  /**
   * The context's ctx.clock.step: node i's clock jumps by deltaUs now, and a slew in progress
   * is abandoned (as settimeofday clears adjtime's pending offset). The `clock-step` fault, a
   * glitch rather than a setting, leaves the slew running.
   */
  stepClock(i: number, deltaUs: number): void {
    const t = this.k.nowUs;
    this.setClock(i, slewClock(stepClock(this.clocks[i]!, t, deltaUs), t, 0, 1));
  }

  /** The context's ctx.clock.slew: node i's clock moves by deltaUs at ratePpm from now. */
  slewClock(i: number, deltaUs: number, ratePpm: number): void {
    this.setClock(i, slewClock(this.clocks[i]!, this.k.nowUs, deltaUs, ratePpm));
  }

  /** A node's display name as the scenario gives it, or its id when it has none (or is unknown). */
  nameOf(id: string): string {
    const i = this.idIndex.get(id);
    const name = i === undefined ? '' : (this.positions[i]?.name ?? '');
    return name === '' ? id : name;
  }

  /** The workload's declared keys, in order (the context's keySpace()). */
  keySpace(): readonly string[] {
    return this.k.workload.keySpace();
  }

  /** Ids of the present protocol nodes, sorted. */
  sortedProtocolIds(): string[] {
    if (this.sortedIds === null) {
      const ids: string[] = [];
      for (let i = 0; i < this.ids.length; i++)
        if (this.present[i] && !this.isSwitch[i]) ids.push(this.ids[i]!);
      ids.sort();
      this.sortedIds = ids;
    }
    return this.sortedIds;
  }

  /** The other protocol nodes of node i, sorted. */
  peersOf(i: number): string[] {
    let p = this.peerCache.get(i);
    if (p === undefined) {
      const self = this.ids[i];
      p = this.sortedProtocolIds().filter((id) => id !== self);
      this.peerCache.set(i, p);
    }
    return p;
  }

  /** The protocol nodes of a role, sorted. */
  nodesWithRole(role: string): string[] {
    let p = this.roleCache.get(role);
    if (p === undefined) {
      p = this.sortedProtocolIds().filter((id) => this.roles[this.idIndex.get(id)!] === role);
      this.roleCache.set(role, p);
    }
    return p;
  }

  /** The membership changed: the cached peer and role lists are rebuilt on demand. */
  forgetMembership(): void {
    this.peerCache.clear();
    this.roleCache.clear();
    this.sortedIds = null;
  }

  /** New streams from a new seed (a fork with another seed). */
  reseed(seed: number): void {
    for (let i = 0; i < this.ids.length; i++) this.rngs[i] = new Rng(seed, `node:${this.ids[i]}`);
  }

  /**
   * Contract v2: checkpoint copies of the node states (switches null). Handlers change states
   * in place, so a checkpoint must hold its own copy; logs are shared with the previous
   * checkpoint in chunks (archive.ts), so a checkpoint costs about the size of what changed.
   */
  private archiveStates(logs: readonly string[]): (Archived | null)[] {
    const out: (Archived | null)[] = [];
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i];
      const a = s === null || s === undefined ? null : archiveState(s, logs, this.lastArchive[i]);
      out.push(a);
      this.lastArchive[i] = a ?? undefined;
    }
    return out;
  }

  save(share: SnapshotShare, logs: readonly string[]): NodesSnapshot {
    return {
      ids: share.table('ids', this.ids),
      roles: share.table('roles', this.roles),
      isSwitch: share.table('isSwitch', this.isSwitch),
      viewOf: share.table('viewOf', this.viewOf),
      positions: share.table('positions', this.positions),
      present: share.table('present', this.present),
      up: share.table('up', this.up),
      downs: share.table('downs', this.downs),
      paused: share.table('paused', this.paused),
      states: this.archiveStates(logs),
      clocks: share.table('clocks', this.clocks),
      rngs: share.rngs('nodeRngs', this.rngs),
      held: share.table('held', this.held),
    };
  }

  /** Restores the table whole (a seek may cross an add-node either way), into the same arrays. */
  load(s: NodesSnapshot): void {
    refill(this.ids, s.ids);
    refill(this.roles, s.roles);
    refill(this.isSwitch, s.isSwitch);
    refill(this.viewOf, s.viewOf);
    refill(this.positions, s.positions);
    const n = this.ids.length;
    this.idIndex.clear();
    for (let i = 0; i < n; i++) this.idIndex.set(this.ids[i]!, i);
    refill(this.present, s.present);
    refill(this.up, s.up);
    refill(this.downs, s.downs);
    refill(this.paused, s.paused);
    this.lastArchive = s.states.map((a) => a ?? undefined);
    this.states.length = 0;
    for (const a of s.states) this.states.push(a === null ? null : restoreState(a));
    refill(this.clocks, s.clocks);
    this.clockT0.length = 0;
    this.clockL0.length = 0;
    for (let i = 0; i < this.clocks.length; i++) {
      this.clockT0.push(Number.NaN);
      this.clockL0.push(0);
      this.refreshClockFast(i);
    }
    loadRngs(this.rngs, s.rngs);
    refill(this.held, s.held);
    this.views.length = 0;
    for (let i = 0; i < n; i++) {
      if (this.viewOf[i]! >= 0)
        this.views.push(
          new KernelNodeView(
            this,
            i,
            this.ids[i]!,
            this.roles[i]!,
            this.up[i]! && this.present[i]!,
            this.states[i],
          ),
        );
    }
  }
}

/** Makes dst a copy of src in place (the node table's arrays are never replaced; see Nodes). */
function refill<T>(dst: T[], src: readonly T[]): void {
  dst.length = 0;
  for (let i = 0; i < src.length; i++) dst.push(src[i]!);
}
