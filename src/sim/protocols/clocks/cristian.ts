/**
 * Cristian's algorithm: a client reads a time server's clock and allows for the trip.
 * Source: F. Cristian, "Probabilistic clock synchronization", Distributed Computing 3(3):
 * 146-158, 1989. Sections cited below are the paper's.
 *
 * - §3 (reading a remote clock): the client sends a request at T0 on its clock; the server
 *   answers with its clock's reading T; the reply arrives at T1. The round trip is
 *   2D = T1 − T0. The reply spent between min (the least possible transmission delay) and
 *   2D − min on its way back, so the server's clock now reads between T + min and
 *   T + 2D − min: the client takes the middle, T + D, and errs by at most D − min.
 * - §3 (probabilistic): the shorter the round trip, the smaller that error; a client that
 *   wants an error below ε rejects round trips above 2U = 2(ε + min) and tries again.
 *
 * Choices where the paper is silent: the client sets its clock (steps it) to the estimate at
 * every reading it accepts; it reads once per poll interval; several clients share the servers
 * in id order. The client sets the node's own clock (the kernel's) through ctx.clock.
 */
import { z } from 'zod';
import type { Ctx, Invariant, Liveness, Protocol } from '../../protocol';
import { clockedNode, link } from '../../toolkit/topology';
import { clockChart, clockErrorSeries } from './plot';
import { ms, signedDuration, signedMs } from './units';

export const CristianParams = z.object({
  /** How often a client reads the server's clock, ms. */
  pollMs: z.number().int().min(100).max(64_000).default(1000),
  /** min: the least transmission delay from server to client, µs (known to the client, §3). */
  minDelayUs: z.number().int().min(0).max(1_000_000).default(4000),
  /** 2U: round trips longer than this are rejected and the reading retried at the next poll, ms. */
  maxRoundTripMs: z.number().int().min(1).max(10_000).default(30),
  /** ρ: the drift the clocks may have, ppm: the error grows by ρ × 2D during a reading. */
  rhoPpm: z.number().min(0).max(1000).default(100),
  /** How long after the last fault every client may take to be synchronized again (liveness), ms. */
  settleMs: z.number().int().min(100).max(3_600_000).default(10_000),
  /** Bug switch: set the clock to T, as if the reply had taken no time. */
  bugNoHalfRtt: z.boolean().default(false),
});
export type CristianParams = z.infer<typeof CristianParams>;

/** The client's request; T0 stays with the client. */
export interface TimeRequest {
  type: 'TimeRequest';
  /** Which reading this is (the reply echoes it: a late reply to an older request is ignored). */
  seq: number;
}

/** The server's answer: its clock's reading T. */
export interface TimeReply {
  type: 'TimeReply';
  /** The request answered. */
  seq: number;
  /** T: the server's clock when it answered. */
  t: number;
}

export type CristianMsg = TimeRequest | TimeReply;

export interface CristianState {
  /** 'server' or 'client'. */
  kind: 'server' | 'client';
  /** What the readings have set the clock by so far, µs (the badge's "corr."). */
  correctionUs: number;
  /** The server this client reads ('' for a server). */
  server: string;
  /** The reading in flight (0: none). */
  seq: number;
  /** T0 of the reading in flight, on the node's clock. */
  t0: number;
  /** True while the reading `seq` is unanswered. */
  waiting: boolean;
  /** True once a reading was accepted. */
  synced: boolean;
  /** D of the last accepted reading (half its round trip), µs. */
  halfRtt: number;
  /** The correction the last reading made, µs. */
  lastCorrection: number;
  /** The error bound of the last reading, D − min + ρ·2D, µs. */
  boundUs: number;
  /** The clock just after the last accepted reading (T + D), µs: the bound grows by ρ from it. */
  setAt: number;
  /** Readings accepted. */
  readings: number;
  /** Readings rejected because the round trip exceeded 2U. */
  rejected: number;
}

type C = Ctx<CristianParams, CristianMsg>;

function ask(ctx: C, s: CristianState): void {
  s.seq += 1;
  s.t0 = ctx.now();
  s.waiting = true;
  ctx.send(s.server, { type: 'TimeRequest', seq: s.seq });
  ctx.setTimer('poll', ctx.params.pollMs * 1000);
}

/** §3: the reading's round trip 2D, the estimate T + D, and its error bound D − min. */
function accept(ctx: C, s: CristianState, m: TimeReply): void {
  const p = ctx.params;
  const t1 = ctx.now();
  if (m.seq !== s.seq || !s.waiting) return; // an answer to an older reading, or a duplicate
  s.waiting = false;
  const rtt = t1 - s.t0; // 2D
  if (rtt > p.maxRoundTripMs * 1000) {
    s.rejected += 1;
    ctx.note(`round trip ${ms(rtt)} > 2U = ${p.maxRoundTripMs} ms: rejected`);
    return;
  }
  const d = rtt / 2;
  const estimate = p.bugNoHalfRtt ? m.t : m.t + d;
  const correction = estimate - t1;
  ctx.clock.step(correction);
  s.correctionUs += correction;
  s.synced = true;
  s.halfRtt = d;
  s.lastCorrection = correction;
  s.readings += 1;
  s.boundUs = Math.max(0, d - p.minDelayUs) + (p.rhoPpm / 1e6) * rtt;
  s.setAt = ctx.now();
  ctx.note(`2D = ${ms(rtt)}: set to T + D (${signedMs(correction)}), error ≤ ${ms(s.boundUs)}`);
  ctx.emit({ type: 'clock-update', clockUs: s.setAt, boundUs: s.boundUs });
}

/** The bound a client's clock keeps at local time `now`: its last reading's, grown by ρ since (§3). */
export function boundAt(s: CristianState, p: CristianParams, now: number): number {
  return s.boundUs + (p.rhoPpm / 1e6) * Math.max(0, now - s.setAt);
}

/**
 * §3's promise: right after a reading, the client's clock is within D − min (+ ρ·2D) of the
 * server's. The server's clock stands for true time; the check reads true time from the view.
 */
const withinBound: Invariant<CristianState> = {
  id: 'within-bound',
  title: "After each reading, the client's clock is within D − min of the server's (true) time",
  check({ changed, events, nowUs }) {
    for (const e of events) {
      if (e.type !== 'clock-update') continue;
      const err = (e.clockUs as number) - nowUs;
      if (Math.abs(err) > (e.boundUs as number) + 2)
        return `${changed.id} is ${signedMs(err)} off true time, outside D − min = ±${ms(e.boundUs as number)}`;
    }
    return null;
  },
};

/**
 * The same promise at every moment once the faults stop (checked every 100 ms): a client with a
 * reading is within its last reading's bound, grown by ρ for the time since, of true time.
 * True time and the clock come from the kernel (the view).
 */
const staysWithinBound: Liveness<CristianState, CristianParams> = {
  id: 'stays-within-bound',
  title: "Once the faults stop, every set client's clock stays within its reading's bound, grown by ρ since",
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }, p) {
    for (const n of nodes) {
      if (!n.up || n.state.kind !== 'client' || !n.state.synced) continue;
      if (n.clockErrorUs === undefined || n.localUs === undefined) continue;
      const bound = boundAt(n.state, p, n.localUs);
      if (Math.abs(n.clockErrorUs) > bound + 2)
        return `${n.id} is ${signedMs(n.clockErrorUs)} off true time, outside its bound ±${ms(bound)}`;
    }
    return null;
  },
};

const allSynchronized: Liveness<CristianState, CristianParams> = {
  id: 'all-synchronized',
  title: 'Eventually every client has accepted a reading',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    for (const n of nodes)
      if (n.up && n.state.kind === 'client' && n.state.server !== '' && !n.state.synced)
        return `${n.id} has no reading`;
    return null;
  },
};

/** The clock-error chart's title. */
const CHART = "clock error of every node, and ±boundUs (the largest last reading's D − min + ρ·2D)";

export const cristian: Protocol<CristianParams, CristianState, CristianMsg> = {
  id: 'cristian',
  topic: 'clocks',
  title: "Cristian's algorithm",
  version: 2,
  // A reading a second over 4-7 ms hops: at 0.5x each client reads every 2 s on screen.
  speed: 0.5,
  roles: [
    { id: 'server', label: 'Time server', min: 1, max: null },
    { id: 'client', label: 'Client', min: 1, max: null },
  ],
  params: CristianParams,
  defaultTopology() {
    const lan = { kind: 'uniform', minUs: 4000, maxUs: 7000 } as const;
    const slow = { kind: 'normal', meanUs: 10_000, stdUs: 5000, minUs: 4000 } as const;
    const n = clockedNode;
    return {
      nodes: [
        n('ts', 'server', 200, 250, 0, 0),
        n('c1', 'client', 0, 0, 250_000, 40),
        n('c2', 'client', 200, 0, -80_000, -30),
        n('c3', 'client', 400, 0, 1_200_000, 60),
      ],
      // c3 sits behind a slower, jittery link: some of its round trips exceed 2U and are rejected.
      links: [link('ts', 'c1', lan), link('ts', 'c2', lan), link('ts', 'c3', slow)],
    };
  },
  quickStart() {
    return { maxTimeUs: 20_000_000 };
  },
  init(node) {
    return {
      kind: node.role === 'server' ? 'server' : 'client',
      correctionUs: 0,
      server: '',
      seq: 0,
      t0: 0,
      waiting: false,
      synced: false,
      halfRtt: 0,
      lastCorrection: 0,
      boundUs: 0,
      setAt: 0,
      readings: 0,
      rejected: 0,
    };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        if (s.kind === 'client') {
          const servers = ctx.nodesWithRole('server');
          const k = ctx.nodesWithRole('client').indexOf(ctx.self);
          s.server = servers.length === 0 ? '' : servers[Math.max(0, k) % servers.length]!;
          if (s.server !== '') ctx.setTimer('poll', ctx.rng.int(0, ctx.params.pollMs * 1000));
        }
        return;
      case 'timer':
        if (input.name === 'poll') ask(ctx, s);
        return;
      case 'message':
        if (input.msg.type === 'TimeRequest')
          ctx.send(input.from, { type: 'TimeReply', seq: input.msg.seq, t: ctx.now() });
        else accept(ctx, s, input.msg);
        return;
      case 'client':
        ctx.reply(input.op, { ok: false });
        return;
    }
  },
  // A crash loses the reading: the client starts unset (its clock keeps what was set, as the
  // kernel's clock survives a crash of the protocol). Counters and the correction survive.
  durable: ['readings', 'rejected', 'correctionUs'],
  invariants: [withinBound],
  liveness: [allSynchronized, staysWithinBound],
  historyCheckers: [],
  metrics: [
    {
      id: 'boundUs',
      unit: 'us',
      read: (nodes) =>
        Math.max(0, ...nodes.filter((n) => n.up && n.state.synced).map((n) => n.state.boundUs)),
      chart: clockChart(CHART, true),
    },
    {
      id: 'correctionUs',
      unit: 'us',
      read: (nodes) =>
        Math.max(
          0,
          ...nodes.filter((n) => n.up && n.state.synced).map((n) => Math.abs(n.state.lastCorrection)),
        ),
    },
    {
      id: 'rejected',
      unit: 'readings',
      read: (nodes) => nodes.reduce((x, n) => x + (n.state.rejected ?? 0), 0),
    },
  ],
  nodeMetrics: [clockErrorSeries<CristianState>(CHART)],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'server') return { text: 'time server', tone: 'good' };
    if (!s.synced) return { text: 'not set yet', tone: 'warn' };
    return { text: `±${ms(s.boundUs)} · corr. ${signedDuration(s.correctionUs)}`, tone: 'good' };
  },
  bugs: [
    {
      param: 'bugNoHalfRtt',
      title: "Sets the clock to the server's T, ignoring the reply's trip: clocks lag by a one-way delay",
    },
  ],
  lesson: {
    summary:
      "To read another machine's clock you must send a message and wait for the answer, and the clock moved on meanwhile. Cristian's client times the round trip 2D and sets its clock to the server's reading plus D: the reply took between min and 2D − min, so the error is at most D − min. Short round trips give tight readings, so a client rejects long ones.",
    watch: [
      "Each client stepped to the server's time at its first reading: the badges show the error bound D − min",
      'c3 behind a slow, jittery link: its bound is wider, and some readings are rejected (round trip above 2U)',
      'Between readings the clocks drift apart again by tens of ppm',
    ],
    tryThis: [
      'Turn on bugNoHalfRtt: within-bound stops the run at the first reading',
      'Lower maxRoundTripMs to 12: c3 rejects most readings but the ones it keeps are tighter',
      "Raise minDelayUs above the links' real minimum (say 6000): the claimed bound becomes a lie and within-bound catches it",
    ],
  },
};
