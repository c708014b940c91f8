import type { CheckEvent, Invariant, Liveness, LivenessView, NodeView, UnansweredOp } from '../protocol';
import type { Kernel } from './kernel';
import { C } from './metrics';
import { TraceKind } from './trace';

/** The check events of a step that emitted none. */
const NO_EVENTS: readonly CheckEvent[] = Object.freeze([]);

/** What a snapshot keeps of the checks. */
export interface ChecksSnapshot {
  gaveUp: UnansweredOp[];
  livenessChecked: boolean[];
}

/**
 * The protocol's checks during a run (docs/kernel.md "Checkers"): invariants after every
 * protocol step, liveness properties at every metrics sample once the faults have stopped. The
 * first one broken stops the run at that event (Kernel.violation, and a `violation` row).
 * History checkers run at the end, outside the kernel (Simulation.invariants).
 */
export class Checks {
  /** The protocol has invariants (else a step skips the check). */
  readonly hasInvariants: boolean;
  /** The protocol's liveness properties (contract v2), and whether each was checked yet. */
  readonly liveness: readonly Liveness<unknown, unknown>[];
  private livenessChecked: boolean[] = [];
  /** Operations invoked since the last fault whose client gave up waiting (for liveness). */
  private gaveUp: UnansweredOp[] = [];
  /** One view object, refreshed per check (no allocation on the hot path). */
  private readonly clusterView: {
    nodes: NodeView<unknown>[];
    changed: NodeView<unknown>;
    nowUs: number;
    events: readonly CheckEvent[];
  } = {
    nodes: [],
    changed: { id: '', role: '', up: false, state: null },
    nowUs: 0,
    events: NO_EVENTS,
  };

  /** The protocol's invariants, and the node table's views they read (never replaced, see Nodes). */
  private readonly invariants: readonly Invariant<unknown>[];
  private readonly views: NodeView<unknown>[];

  constructor(private readonly k: Kernel) {
    this.invariants = k.protocol.invariants;
    this.views = k.nodes.views;
    this.hasInvariants = this.invariants.length > 0;
    this.liveness = k.protocol.liveness ?? [];
    this.livenessChecked = this.liveness.map(() => false);
  }

  /** The invariants, after a step of the node whose view is `changed`, seeing that step's events. */
  checkInvariants(changed: NodeView<unknown>, events: readonly CheckEvent[] = NO_EVENTS): void {
    const view = this.clusterView;
    view.nodes = this.views;
    view.changed = changed;
    view.nowUs = this.k.nowUs;
    view.events = events;
    const invariants = this.invariants;
    for (let n = 0; n < invariants.length; n++) {
      const inv = invariants[n]!;
      const msg = inv.check(view);
      if (msg !== null) {
        this.breakRun(inv.id, msg, this.k.nodes.idIndex.get(changed.id) ?? -1);
        return;
      }
    }
  }

  /** No fault queued and the nemesis past its stopUs (or off): nothing more will go wrong. */
  isQuiet(): boolean {
    const k = this.k;
    if (k.faults.queued > 0) return false;
    const n = k.scenario.nemesis;
    return !n.enabled || (n.stopUs !== undefined && k.nowUs >= n.stopUs);
  }

  /** The liveness properties whose bound has passed since the faults stopped (see Liveness). */
  checkLiveness(): void {
    if (!this.isQuiet()) return;
    const k = this.k;
    const lastFaultUs = k.faults.lastFaultUs;
    let view: LivenessView<unknown> | null = null;
    for (let n = 0; n < this.liveness.length; n++) {
      const p = this.liveness[n]!;
      if (k.nowUs < lastFaultUs + p.withinUs(k.params)) continue;
      if (view === null) {
        const unanswered: UnansweredOp[] = [];
        for (const [id, op] of k.workload.pending)
          if (op.startUs >= lastFaultUs)
            unanswered.push({
              id,
              client: k.nodes.ids[op.node] ?? '',
              invokedUs: op.startUs,
              gaveUpUs: null,
            });
        unanswered.push(...this.gaveUp);
        const c = k.stats.counters;
        view = {
          nodes: k.nodes.views,
          nowUs: k.nowUs,
          quietSinceUs: lastFaultUs,
          unanswered,
          inFlight: k.network.inFlight,
          lostToNetwork:
            c[C.droppedLoss]! + c[C.droppedPartition]! + c[C.droppedNoRoute]! + c[C.droppedLimit]!,
        };
      }
      this.livenessChecked[n] = true;
      const msg = p.check(view, k.params);
      if (msg !== null) {
        this.breakRun(p.id, msg, -1);
        return;
      }
    }
  }

  /**
   * A client gave up waiting for an operation invoked at invokedUs by node `client` (-1 open
   * loop): remembered for liveness when it was invoked after the last fault, in a quiet run.
   */
  clientGaveUp(id: number, client: number, invokedUs: number): void {
    const k = this.k;
    if (this.liveness.length > 0 && invokedUs >= k.faults.lastFaultUs && this.isQuiet())
      this.gaveUp.push({ id, client: k.nodes.ids[client] ?? '', invokedUs, gaveUpUs: k.nowUs });
  }

  /** A fault was applied: liveness counts from it, so what was given up on before is forgiven. */
  faultApplied(): void {
    this.gaveUp.length = 0;
  }

  /** Per liveness property (by index): whether it has been checked in this run yet. */
  checkedSoFar(): readonly boolean[] {
    return this.livenessChecked;
  }

  /** Stops the run at this event: a broken invariant or liveness property, on node i (-1 none). */
  private breakRun(id: string, message: string, i: number): void {
    const k = this.k;
    k.violation = {
      invariant: id,
      message,
      seed: k.seed,
      timeUs: k.nowUs,
      eventIndex: k.eventIndex,
      node: i >= 0 ? k.nodes.ids[i]! : '',
    };
    k.note(TraceKind.violation, i, `${id}: ${message}`);
  }

  save(): ChecksSnapshot {
    return { gaveUp: this.gaveUp.slice(), livenessChecked: this.livenessChecked.slice() };
  }

  load(s: ChecksSnapshot): void {
    this.gaveUp = s.gaveUp.slice();
    this.livenessChecked = s.livenessChecked.slice();
  }
}
