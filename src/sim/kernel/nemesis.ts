import type { Fault } from '../../shared/scenario/schema';
import { type CheckEvent, type LeaderHook, NEMESIS_EVENTS } from '../protocol';
import { Ev } from './events';
import type { Kernel } from './kernel';
import { Rng, type RngState } from './rng';

/** The arg of an Ev.nemesis event that crashes one node the step watch chose (kinds 0–3 are the random actions). */
const NEM_TARGETED = 4;

/** What a snapshot keeps of the nemesis. */
export interface NemesisSnapshot {
  rng: RngState;
  count: number;
}

/**
 * The nemesis (docs/kernel.md "Nemesis"): four Poisson processes drawing crashes, partitions,
 * loss bursts and clock skew from the `nemesis` stream, each undone by an ordinary scheduled
 * fault; and, tuned for consensus, actions aimed at the leader and at the steps that elect a
 * leader, make a promise or commit first (read from the check events the step emitted).
 */
export class Nemesis {
  private rng: Rng;
  /** Actions taken (names partitions `nemesis<n>`). */
  private count = 0;
  /** The protocol's nemesis hooks, when the scenario's nemesis watches steps (crashAfterPromise, crashNewLeader, crashAfterFirstCommit). */
  readonly watch: LeaderHook<unknown> | null = null;
  /** Why the step watch crashes the node that just stepped (trace note). */
  crashWhy = '';
  /** The scenario's nemesis may cut a step's sends short with a crash (crashMidSend > 0). */
  readonly cutsSends: boolean;

  constructor(private readonly k: Kernel) {
    this.rng = new Rng(k.seed, 'nemesis');
    const nem = k.scenario.nemesis;
    const hooks = k.protocol.nemesis as LeaderHook<unknown> | undefined;
    if (
      nem.enabled &&
      hooks !== undefined &&
      (nem.crashAfterPromise > 0 || nem.crashNewLeader > 0 || nem.crashAfterFirstCommit > 0)
    )
      this.watch = hooks;
    this.cutsSends = nem.enabled && nem.crashMidSend > 0;
  }

  /** New stream from a new seed (a fork with another seed). */
  reseed(seed: number): void {
    this.rng = new Rng(seed, 'nemesis');
  }

  /** Queues the first action of each process whose rate is above zero. */
  start(): void {
    const n = this.k.scenario.nemesis;
    if (!n.enabled) return;
    const rates = [n.crashRatePerS, n.partitionRatePerS, n.lossRatePerS, n.clockSkewRatePerS];
    rates.forEach((r, kind) => {
      if (r > 0) this.k.schedule(n.startUs + this.gap(r), Ev.nemesis, -1, -1, kind, null);
    });
  }

  /** A queued nemesis event: a crash the step watch asked for, or the next random action. */
  onEvent(node: number, arg: number, payload: unknown): void {
    if (arg === NEM_TARGETED) this.onTargetedCrash(node, payload as string);
    else this.act(arg);
  }

  /** Schedules the restart of a node the nemesis crashed: soon (within quickRestartUs) or after an exponential downtime. */
  private scheduleRestart(id: string, quick: boolean): void {
    const k = this.k;
    const n = k.scenario.nemesis;
    const rng = this.rng;
    const down = quick ? rng.int(1, Math.max(1, n.quickRestartUs)) : rng.exponential(n.meanDowntimeUs);
    const back = k.nowUs + Math.max(1, Math.round(down));
    k.faults.schedule(back, { kind: 'restart', node: id } satisfies Fault);
  }

  /** The up node that leads in the highest term or ballot (by the protocol's hook), or -1. */
  private leader(): number {
    const hooks = this.k.protocol.nemesis as LeaderHook<unknown> | undefined;
    if (hooks === undefined) return -1;
    const nodes = this.k.nodes;
    let best = -1;
    let bestRound = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < nodes.ids.length; i++) {
      if (!nodes.present[i] || !nodes.up[i] || nodes.isSwitch[i]) continue;
      const r = hooks.leads(nodes.states[i]);
      if (r !== null && r > bestRound) {
        best = i;
        bestRound = r;
      }
    }
    return best;
  }

  /**
   * Cuts the leader off from a majority of its peers (the nodes of its role): the leader and
   * fewer than half of them on one side, the rest on the other; nodes of other roles (clients)
   * fall on either side at random. One-way as often as oneWayFraction says (leader side to the rest).
   */
  private isolateLeader(leader: number, tag: string): void {
    const k = this.k;
    const nodes = k.nodes;
    const n = k.scenario.nemesis;
    const rng = this.rng;
    const role = nodes.roles[leader]!;
    const leaderId = nodes.ids[leader]!;
    const peers = nodes.nodesWithRole(role).filter((id) => id !== leaderId);
    const others = nodes.sortedProtocolIds().filter((id) => id !== leaderId && !peers.includes(id));
    const shuffled = rng.shuffled(peers);
    // The leader's side holds at most floor((peers + 1 - 1) / 2) servers in all: a minority.
    const minority = Math.floor(peers.length / 2);
    const withLeader = minority > 0 ? rng.int(0, minority - 1) : 0;
    const g1 = [leaderId, ...shuffled.slice(0, withLeader)];
    const g2 = shuffled.slice(withLeader);
    for (const id of others) (rng.chance(0.5) ? g1 : g2).push(id);
    g1.sort();
    g2.sort();
    if (g2.length === 0) return;
    const f: Fault = rng.chance(n.oneWayFraction)
      ? { kind: 'partition-oneway', id: tag, from: g1, to: g2 }
      : { kind: 'partition', id: tag, groups: [g1, g2] };
    k.faults.apply(f, 'nemesis (the leader cut off): ');
    const back = k.nowUs + Math.max(1, Math.round(rng.exponential(n.meanPartitionUs)));
    k.faults.schedule(back, { kind: 'heal', id: tag } satisfies Fault);
  }

  /**
   * After each step while the nemesis watches: a node that just became leader, or committed
   * first as a new leader, may be crashed inside that step (true: the kernel then crashes it,
   * onTargetedCrash); one that just made a promise is crashed right after it (its messages
   * already sent). Read from the events the step emitted (NEMESIS_EVENTS), drawn from the
   * nemesis stream in this order.
   */
  watchEvents(i: number, events: readonly CheckEvent[]): boolean {
    const k = this.k;
    const n = k.scenario.nemesis;
    if (k.nowUs < n.startUs || (n.stopUs !== undefined && k.nowUs >= n.stopUs)) return false;
    const has = (type: string) => events.some((e) => e.type === type);
    if (n.crashNewLeader > 0 && has(NEMESIS_EVENTS.elected) && this.rng.chance(n.crashNewLeader)) {
      this.crashWhy = 'just elected, before its messages left';
      return true;
    }
    if (
      n.crashAfterFirstCommit > 0 &&
      has(NEMESIS_EVENTS.firstCommit) &&
      this.rng.chance(n.crashAfterFirstCommit)
    ) {
      this.crashWhy = 'a new leader, right after its first commit';
      return true;
    }
    if (n.crashAfterPromise > 0 && has(NEMESIS_EVENTS.promised) && this.rng.chance(n.crashAfterPromise))
      k.schedule(k.nowUs, Ev.nemesis, i, -1, NEM_TARGETED, 'right after a promise');
    return false;
  }

  /**
   * A step of node i is about to send `sends` messages (two or more): how many of them leave
   * before the node crashes, or -1 when the nemesis lets the step finish. Drawn from the
   * nemesis stream (chance crashMidSend, then a part of 1..sends-1), only inside its window.
   */
  cutSends(sends: number): number {
    const k = this.k;
    const n = k.scenario.nemesis;
    if (k.nowUs < n.startUs || (n.stopUs !== undefined && k.nowUs >= n.stopUs)) return -1;
    if (!this.rng.chance(n.crashMidSend)) return -1;
    return this.rng.int(1, sends - 1);
  }

  /** A crash the step watch asked for; a promise crash restarts quickly, a new leader's like any crash. */
  onTargetedCrash(i: number, why: string): void {
    const k = this.k;
    if (!k.nodes.present[i] || !k.nodes.up[i]) return;
    const id = k.nodes.ids[i]!;
    this.count++;
    k.faults.apply({ kind: 'crash', node: id }, `nemesis (${why}): `);
    const n = k.scenario.nemesis;
    const quick =
      why === 'right after a promise' ||
      (n.quickRestartFraction > 0 && this.rng.chance(n.quickRestartFraction));
    this.scheduleRestart(id, quick);
  }

  private gap(ratePerS: number): number {
    return Math.max(1, Math.round(this.rng.exponential(1e6 / ratePerS)));
  }

  /**
   * One nemesis action (kind 0 crash, 1 partition, 2 loss burst, 3 clock skew) drawn from the
   * nemesis stream, its undo scheduled as a fault, and the next action of the kind scheduled.
   */
  private act(kind: number): void {
    const k = this.k;
    const nodes = k.nodes;
    const faults = k.faults;
    const n = k.scenario.nemesis;
    if (n.stopUs !== undefined && k.nowUs >= n.stopUs) return;
    const rng = this.rng;
    const ids = nodes.sortedProtocolIds();
    const tag = `nemesis${this.count++}`;
    if (kind === 0) {
      const leader = n.leaderFocus > 0 && rng.chance(n.leaderFocus) ? this.leader() : -1;
      const upNodes = leader >= 0 ? [] : ids.filter((id) => nodes.up[nodes.idIndex.get(id)!]);
      if (leader >= 0 || upNodes.length > 0) {
        const id = leader >= 0 ? nodes.ids[leader]! : rng.pick(upNodes);
        faults.apply({ kind: 'crash', node: id }, leader >= 0 ? 'nemesis (the leader): ' : 'nemesis: ');
        this.scheduleRestart(id, n.quickRestartFraction > 0 && rng.chance(n.quickRestartFraction));
      }
      k.schedule(k.nowUs + this.gap(n.crashRatePerS), Ev.nemesis, -1, -1, 0, null);
    } else if (kind === 1) {
      const leader = n.leaderFocus > 0 && rng.chance(n.leaderFocus) ? this.leader() : -1;
      if (leader >= 0) this.isolateLeader(leader, tag);
      else if (ids.length >= 2) {
        const shuffled = rng.shuffled(ids);
        const cut = 1 + Math.floor(rng.next() * (shuffled.length - 1));
        const g1 = shuffled.slice(0, cut).sort();
        const g2 = shuffled.slice(cut).sort();
        const f: Fault = rng.chance(n.oneWayFraction)
          ? { kind: 'partition-oneway', id: tag, from: g1, to: g2 }
          : { kind: 'partition', id: tag, groups: [g1, g2] };
        faults.apply(f, 'nemesis: ');
        const back = k.nowUs + Math.max(1, Math.round(rng.exponential(n.meanPartitionUs)));
        faults.schedule(back, { kind: 'heal', id: tag } satisfies Fault);
      }
      k.schedule(k.nowUs + this.gap(n.partitionRatePerS), Ev.nemesis, -1, -1, 1, null);
    } else if (kind === 2) {
      const net = k.network;
      const links = net.linkIds.filter((_, l) => net.linkPresent[l]);
      if (links.length > 0) {
        const id = rng.pick(links);
        // Restore to the loss before the burst; if another nemesis burst on this link was
        // still running (its rate is what we see), restore to the configured rate instead, so
        // overlapping bursts cannot leave the link lossy for ever.
        const current = net.linkProps[net.linkIndex.get(id)!]!.lossRate;
        const configured = k.scenario.topology.links.find((l) => l.id === id)?.lossRate ?? 0;
        const before = current === n.lossRate ? configured : current;
        faults.apply({ kind: 'degrade-link', link: id, lossRate: n.lossRate }, 'nemesis: ');
        const back = k.nowUs + Math.max(1, Math.round(rng.exponential(n.meanLossUs)));
        faults.schedule(back, {
          kind: 'degrade-link',
          link: id,
          lossRate: before,
        } satisfies Fault);
      }
      k.schedule(k.nowUs + this.gap(n.lossRatePerS), Ev.nemesis, -1, -1, 2, null);
    } else {
      if (ids.length > 0) {
        const id = rng.pick(ids);
        const delta = Math.round((rng.next() * 2 - 1) * n.maxSkewUs);
        faults.apply({ kind: 'clock-step', node: id, deltaUs: delta }, 'nemesis: ');
      }
      k.schedule(k.nowUs + this.gap(n.clockSkewRatePerS), Ev.nemesis, -1, -1, 3, null);
    }
  }

  save(): NemesisSnapshot {
    return { rng: this.rng.save(), count: this.count };
  }

  load(s: NemesisSnapshot): void {
    this.rng.load(s.rng);
    this.count = s.count;
  }
}
