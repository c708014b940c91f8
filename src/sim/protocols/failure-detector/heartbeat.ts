import { z } from 'zod';
import type { Ctx, Liveness, NodeView, Protocol } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { fullMesh, square } from '../../toolkit/topology';

/**
 * An eventually perfect failure detector (◇P) by heartbeats with an increasing timeout:
 * Cachin, Guerraoui & Rodrigues, "Introduction to Reliable and Secure Distributed
 * Programming", 2nd ed., 2011, §2.6.5, Algorithm 2.7 "Increasing Timeout".
 *
 * Every `delay` each process asks every other for a heartbeat and suspects those that did not
 * answer in the last period. A suspicion that turns out wrong (the suspect answers after all)
 * means the delay was too short for this network, so the delay grows by Δ. In a partially
 * synchronous system round trips are eventually bounded, so the delay eventually exceeds them
 * and the mistakes stop. The two properties of ◇P (§2.6.5) are liveness properties, checked
 * once the faults stop:
 * - strong completeness: eventually every process that crashes is permanently suspected by
 *   every correct process;
 * - eventual strong accuracy: eventually no correct process is suspected by any correct one.
 * This is docs/writing-a-protocol.md's worked example.
 */
export const HeartbeatParams = z.object({
  /** Δ: the first period between heartbeat rounds, and the step by which it grows. */
  deltaUs: z.number().int().min(1000).max(10_000_000).default(10_000),
  /** How long after the last fault the detector may take to be right again (the liveness bound). */
  settleUs: z.number().int().min(0).default(2_000_000),
  /** Bug switch: keep the first delay for ever, so a slow network keeps being suspected. */
  bugNoIncrease: z.boolean().default(false),
});
/** Heartbeat params. */
export type HeartbeatParams = z.infer<typeof HeartbeatParams>;

/** A heartbeat message. */
export type HeartbeatMsg = { type: 'HeartbeatRequest' } | { type: 'HeartbeatReply' };

/** A process of the detector (Algorithm 2.7's variables, plus two counters for the lesson). */
export interface HeartbeatState {
  /** The processes heard from in this period (`alive`). */
  alive: string[];
  /** The processes suspected to have crashed (`suspected`), sorted. */
  suspected: string[];
  /** The current period (`delay`), microseconds. */
  delayUs: number;
  /** Suspicions raised so far. */
  suspicions: number;
  /** Suspicions withdrawn so far: the detector's mistakes. */
  mistakes: number;
}

/** upon event ⟨Timeout⟩ (Algorithm 2.7): judge the last period, then start the next. */
function onTimeout(ctx: Ctx<HeartbeatParams, HeartbeatMsg>, s: HeartbeatState): void {
  // A process both heard from and suspected was suspected wrongly: the delay is too short.
  if (!ctx.params.bugNoIncrease && s.alive.some((p) => s.suspected.includes(p)))
    s.delayUs += ctx.params.deltaUs;
  for (const p of ctx.peers) {
    const heard = s.alive.includes(p);
    const suspect = s.suspected.includes(p);
    if (!heard && !suspect) {
      s.suspected.push(p);
      s.suspected.sort();
      s.suspicions += 1;
      ctx.note(`suspect ${p}`);
    } else if (heard && suspect) {
      s.suspected.splice(s.suspected.indexOf(p), 1);
      s.mistakes += 1;
      ctx.note(`restore ${p}`);
    }
    ctx.send(p, { type: 'HeartbeatRequest' });
  }
  s.alive = [];
  ctx.setTimer('timeout', s.delayUs);
}

/** The nodes that are up, by id. */
const upIds = (nodes: readonly NodeView<HeartbeatState>[]) =>
  new Set(nodes.filter((n) => n.up).map((n) => n.id));

/** Strong completeness (§2.6.5): every crashed process is suspected by every correct one. */
const strongCompleteness: Liveness<HeartbeatState, HeartbeatParams> = {
  id: 'strong-completeness',
  title: 'Eventually every crashed process is suspected by every correct process',
  withinUs: (p) => p.settleUs,
  check({ nodes }) {
    const up = upIds(nodes);
    for (const n of nodes)
      if (n.up)
        for (const m of nodes)
          if (!up.has(m.id) && !n.state.suspected.includes(m.id))
            return `${n.id} does not suspect ${m.id}, which is down`;
    return null;
  },
};

/** Eventual strong accuracy (§2.6.5): no correct process is suspected by a correct one. */
const eventualStrongAccuracy: Liveness<HeartbeatState, HeartbeatParams> = {
  id: 'eventual-strong-accuracy',
  title: 'Eventually no correct process is suspected by a correct process',
  withinUs: (p) => p.settleUs,
  check({ nodes }) {
    const up = upIds(nodes);
    for (const n of nodes)
      if (n.up)
        for (const p of n.state.suspected) if (up.has(p)) return `${n.id} still suspects ${p}, which is up`;
    return null;
  },
};

export const heartbeat: Protocol<HeartbeatParams, HeartbeatState, HeartbeatMsg> = {
  id: 'heartbeat-detector',
  topic: 'basics',
  title: 'Heartbeat failure detector',
  version: 1,
  // Heartbeats every 10 ms over hops of about 6 ms: at 0.1x a heartbeat round takes 0.1 s on
  // screen, the delays on the badges grow within seconds of Play and p4's crash at 2 s comes
  // 20 s in.
  speed: 0.1,
  roles: [{ id: 'node', label: 'Process', min: 2, max: null }],
  params: HeartbeatParams,
  defaultTopology() {
    // A full mesh whose round trips often exceed the first Δ: the detector must learn the network.
    return fullMesh(square(['p1', 'p2', 'p3', 'p4'], 'node', 120, 100, 300), {
      kind: 'normal',
      meanUs: 6000,
      stdUs: 2500,
      minUs: 1000,
    });
  },
  quickStart() {
    // p4 crashes at 2 s, after the mistakes have stopped on most seeds (seed 1: at 1.3 s).
    return { faults: [{ atUs: 2_000_000, fault: { kind: 'crash', node: 'p4' } }], maxTimeUs: 8_000_000 };
  },
  // upon event ⟨Init⟩: alive := Π; suspected := ∅; delay := Δ; starttimer(delay).
  init(node) {
    return {
      alive: node.nodes.filter((id) => id !== node.id),
      suspected: [],
      delayUs: node.params.deltaUs,
      suspicions: 0,
      mistakes: 0,
    };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        ctx.setTimer('timeout', s.delayUs);
        return;
      case 'timer':
        if (input.name === 'timeout') onTimeout(ctx, s);
        return;
      case 'message':
        // upon ⟨HeartbeatRequest⟩ from q: answer; upon ⟨HeartbeatReply⟩ from p: alive ∪= {p}.
        if (input.msg.type === 'HeartbeatRequest') ctx.send(input.from, { type: 'HeartbeatReply' });
        else if (!s.alive.includes(input.from)) s.alive.push(input.from);
        return;
      case 'client':
        ctx.reply(input.op, { ok: false });
        return;
    }
  },
  // A restarted process starts afresh but keeps what it learnt about the network (and the
  // lesson's counters, so the mistakes metric does not lose a crashed process's share).
  durable: ['delayUs', 'suspicions', 'mistakes'],
  invariants: [
    {
      id: 'suspects-only-others',
      title: 'A process suspects only other processes of the system, never itself',
      check({ changed, nodes }) {
        for (const p of changed.state.suspected)
          if (p === changed.id || !nodes.some((n) => n.id === p)) return `${changed.id} suspects ${p}`;
        return null;
      },
    },
  ],
  liveness: [strongCompleteness, eventualStrongAccuracy],
  historyCheckers: [],
  metrics: [sumOver('wrongSuspicions', 'suspicions', (s) => s.mistakes)],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    return s.suspected.length === 0
      ? { text: `trusts all · ${s.delayUs / 1000} ms`, tone: 'good' }
      : { text: `suspects ${s.suspected.join(' ')}`, tone: 'warn' };
  },
  bugs: [
    {
      param: 'bugNoIncrease',
      title:
        'The timeout never grows: a slow network is suspected for ever (eventual strong accuracy breaks)',
    },
  ],
  lesson: {
    summary:
      'A failure detector cannot tell a crashed process from a slow one, so it guesses with timeouts. Each time a suspect answers after all, the timeout grows; once it exceeds the real round trips, the guesses become right for good: eventually perfect.',
    watch: [
      'The first rounds: processes suspect each other while the delay is still shorter than a round trip',
      'The delay on each badge growing by Δ after each mistake, then the mistakes stopping',
      'After p4 crashes, every other process suspecting it for good',
    ],
    tryThis: [
      'Turn on bugNoIncrease and watch eventual strong accuracy stop the run once the faults are over',
      'Once the mistakes have stopped (about 1 s), right-click a link and Slow down (latency ×5, about 30 ms): count the new mistakes before the detector adapts',
      'Crash p2 and restart it: its delay survives the crash, so it does not relearn the network',
    ],
  },
};
