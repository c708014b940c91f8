import type { Fault, Latency } from '../../shared/scenario/schema';
import { setDrift, slewClock, stepClock } from './clock';
import { Ev } from './events';
import type { Kernel } from './kernel';
import { meanLatencyUs } from './latency';
import { C } from './metrics';
import { TraceKind } from './trace';

/** What a snapshot keeps of the faults. */
export interface FaultsSnapshot {
  queued: number;
  lastFaultUs: number;
}

/**
 * Faults (docs/kernel.md "Faults"): scripted, injected and the nemesis's own are queued as
 * events and applied here, each written as a `fault` row, to the part it changes: the node
 * table (crash, restart, pause, resume, clocks, membership), the timers and the network
 * (partitions, cuts, link properties, links).
 */
export class Faults {
  /** Faults queued and not yet applied (scripted, live, and the nemesis's undo actions). */
  queued = 0;
  /** When the last fault was applied (0: none yet). */
  lastFaultUs = 0;

  constructor(private readonly k: Kernel) {}

  /** Queues a fault; the run is not quiet (liveness) while one is queued. */
  schedule(atUs: number, f: Fault): void {
    this.queued++;
    this.k.schedule(atUs, Ev.fault, -1, -1, 0, f);
  }

  /** A queued fault comes up. */
  onEvent(f: Fault): void {
    this.queued--;
    this.apply(f, '');
  }

  /** Node index of a present node's id, or -1. */
  private nodeArg(id: string): number {
    const i = this.k.nodes.idIndex.get(id);
    return i === undefined || !this.k.nodes.present[i] ? -1 : i;
  }

  /** Applies a fault now; `prefix` starts its trace row (who did it, for the nemesis). */
  apply(f: Fault, prefix: string): void {
    const k = this.k;
    const nodes = k.nodes;
    const net = k.network;
    k.stats.counters[C.faults]!++;
    // Liveness counts from the last fault: what was given up on before it is forgiven.
    this.lastFaultUs = k.nowUs;
    k.checks.faultApplied();
    const node = 'node' in f && typeof f.node === 'string' ? this.nodeArg(f.node) : -1;
    k.note(TraceKind.fault, node, prefix + describeFault(f));
    switch (f.kind) {
      case 'crash':
        if (node >= 0) this.crash(node);
        return;
      case 'restart':
        if (node >= 0) this.restart(node);
        return;
      case 'pause':
        if (node >= 0 && nodes.up[node] && !nodes.isSwitch[node]) nodes.paused[node] = true;
        return;
      case 'resume':
        if (node >= 0 && nodes.paused[node]) {
          nodes.paused[node] = false;
          // Held deliveries and timers run now, in the order they arrived.
          for (const h of nodes.held[node]!) k.schedule(k.nowUs, h.kind, node, h.peer, h.arg, h.payload);
          nodes.held[node] = [];
        }
        return;
      case 'partition': {
        const groupOf = new Map<number, number>();
        f.groups.forEach((g, n) => {
          for (const id of g) {
            const i = this.nodeArg(id);
            if (i >= 0) groupOf.set(i, n);
          }
        });
        net.partitions = [...net.partitions, { id: f.id ?? `p${k.eventIndex}`, groupOf }];
        return;
      }
      case 'partition-oneway': {
        const from = new Set(f.from.map((id) => this.nodeArg(id)).filter((i) => i >= 0));
        const to = new Set(f.to.map((id) => this.nodeArg(id)).filter((i) => i >= 0));
        net.partitions = [...net.partitions, { id: f.id ?? `p${k.eventIndex}`, from, to }];
        return;
      }
      case 'cut-link': {
        const l = net.linkIndex.get(f.link);
        if (l === undefined || !net.linkPresent[l]) return;
        net.cut(l, f.direction === 'both' ? 3 : f.direction === 'a-to-b' ? 1 : 2);
        return;
      }
      case 'heal':
        net.heal(f.id);
        return;
      case 'degrade-link': {
        const l = net.linkIndex.get(f.link);
        if (l === undefined) return;
        const p = net.linkProps[l]!;
        net.setProps(
          l,
          {
            latency: f.latency ?? p.latency,
            lossRate: f.lossRate ?? p.lossRate,
            dupRate: f.dupRate ?? p.dupRate,
            reorderRate: f.reorderRate ?? p.reorderRate,
            reorderDelayUs: p.reorderDelayUs,
          },
          f.latency !== undefined,
        );
        return;
      }
      case 'clock-step':
        if (node < 0) return;
        nodes.setClock(node, stepClock(nodes.clocks[node]!, k.nowUs, f.deltaUs));
        return;
      case 'clock-slew':
        if (node < 0) return;
        nodes.setClock(node, slewClock(nodes.clocks[node]!, k.nowUs, f.deltaUs, f.ratePpm));
        return;
      case 'clock-drift':
        if (node < 0) return;
        nodes.setClock(node, setDrift(nodes.clocks[node]!, k.nowUs, f.driftPpm));
        return;
      case 'add-node': {
        if (nodes.idIndex.has(f.node.id)) return;
        const i = k.addNode(f.node);
        if (!nodes.isSwitch[i]) k.schedule(k.nowUs, Ev.start, i, -1, 0, null);
        return;
      }
      case 'remove-node':
        if (node < 0) return;
        if (!nodes.isSwitch[node]) this.crash(node);
        nodes.present[node] = false;
        if (nodes.up[node]) nodes.wentDown(node);
        nodes.up[node] = false;
        k.invalidateTopology();
        return;
      case 'add-link':
        if (net.linkIndex.has(f.link.id) || this.nodeArg(f.link.a) < 0 || this.nodeArg(f.link.b) < 0) return;
        net.addLink(f.link);
        return;
      case 'remove-link': {
        const l = net.linkIndex.get(f.link);
        if (l !== undefined) net.linkPresent[l] = false;
        net.invalidateRoutes();
        return;
      }
    }
  }

  /** Node i crashes: it keeps its durable state; its timers and held inputs are lost. */
  private crash(i: number): void {
    const k = this.k;
    const nodes = k.nodes;
    if (!nodes.up[i]) return;
    nodes.up[i] = false;
    nodes.wentDown(i);
    nodes.paused[i] = false;
    // Held messages are lost with the process; the in-flight count forgets them.
    for (const h of nodes.held[i]!) if (h.kind === Ev.deliver) k.network.inFlight--;
    nodes.held[i] = [];
    k.timers.clear(i);
    if (nodes.isSwitch[i]) {
      k.network.invalidateRoutes();
      return;
    }
    nodes.states[i] = this.durablePart(nodes.states[i]);
    const v = nodes.views[nodes.viewOf[i]!]!;
    v.up = false;
    v.state = nodes.states[i];
    // Operations pending at the crashed node stay pending: their outcome is unknown, and a
    // closed-loop client moves on at its timeout, as a real client would.
  }

  /** What survives a crash: the protocol's declared durable fields. */
  private durablePart(state: unknown): unknown {
    const kept: Record<string, unknown> = {};
    const s = state as Record<string, unknown>;
    for (const key of this.k.protocol.durable) if (key in s) kept[key] = s[key];
    return kept;
  }

  /** Node i restarts: its durable fields over a fresh initial state, then a restart input. */
  private restart(i: number): void {
    const k = this.k;
    const nodes = k.nodes;
    if (nodes.up[i] || !nodes.present[i]) return;
    nodes.up[i] = true;
    nodes.cameUp(i);
    if (nodes.isSwitch[i]) {
      k.network.invalidateRoutes();
      return;
    }
    const base = k.protocol.init(k.initCtx(i)) as object;
    // The durable fields written before the crash overlay a fresh initial state.
    nodes.states[i] = { ...base, ...(nodes.states[i] as object) };
    const v = nodes.views[nodes.viewOf[i]!]!;
    v.up = true;
    v.state = nodes.states[i];
    k.row(TraceKind.restart, i, -1, -1, -1, -1);
    k.runStep(i, { kind: 'restart' });
  }

  save(): FaultsSnapshot {
    return { queued: this.queued, lastFaultUs: this.lastFaultUs };
  }

  load(s: FaultsSnapshot): void {
    this.queued = s.queued;
    this.lastFaultUs = s.lastFaultUs;
  }
}

/**
 * A latency distribution for a trace row: its kind and its mean, as the fault script's own
 * description gives it ("normal(mean 30 ms)"); a Pareto tail of shape 1 or less without a cap
 * has no finite mean.
 */
function describeLatency(d: Latency): string {
  if (d.kind === 'pareto' && d.shape <= 1 && d.maxUs === undefined) return 'pareto(mean unbounded)';
  return `${d.kind}(mean ${Number((meanLatencyUs(d) / 1000).toPrecision(3))} ms)`;
}

/** A short human description of a fault for the trace. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'remove-node':
      return `${f.kind} ${f.node}`;
    case 'partition':
      return `partition${f.id ? ` ${f.id}` : ''} ${f.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'partition-oneway':
      return `partition-oneway${f.id ? ` ${f.id}` : ''} {${f.from.join(',')}} -> {${f.to.join(',')}}`;
    case 'cut-link':
      return `cut-link ${f.link} ${f.direction}`;
    case 'heal':
      return f.id ? `heal ${f.id}` : 'heal all';
    case 'degrade-link':
      return `degrade-link ${f.link}${f.lossRate !== undefined ? ` loss=${f.lossRate}` : ''}${
        f.latency ? ` latency=${describeLatency(f.latency)}` : ''
      }${f.dupRate !== undefined ? ` dup=${f.dupRate}` : ''}${f.reorderRate !== undefined ? ` reorder=${f.reorderRate}` : ''}`;
    case 'clock-step':
      return `clock-step ${f.node} ${f.deltaUs}us`;
    case 'clock-slew':
      return `clock-slew ${f.node} ${f.deltaUs}us at ${f.ratePpm}ppm`;
    case 'clock-drift':
      return `clock-drift ${f.node} ${f.driftPpm}ppm`;
    case 'add-node':
      return `add-node ${f.node.id} (${f.node.role})`;
    case 'add-link':
      return `add-link ${f.link.id} ${f.link.a}-${f.link.b}`;
    case 'remove-link':
      return `remove-link ${f.link}`;
  }
}
