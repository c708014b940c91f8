/**
 * The Berkeley algorithm: a master averages the clocks of a group and tells each how far to
 * move. Source: R. Gusella, S. Zatti, "The Accuracy of the Clock Synchronization Achieved by
 * TEMPO in Berkeley UNIX 4.3BSD", IEEE Transactions on Software Engineering 15(7): 847-853,
 * 1989 (TEMPO, the 4.3BSD time daemon `timed`). Sections cited below are the paper's.
 *
 * - §II: no clock is the reference; the group agrees with itself. The master periodically
 *   asks every slave for its clock, estimates each slave's difference from its own clock,
 *   allowing for half the round trip, and computes the average difference.
 * - §II: the average is fault-tolerant: a clock too far from the others (a broken or badly
 *   set one) is left out of the average, yet told to move like the others.
 * - §II: the master sends each slave the correction to apply (the average minus the slave's
 *   difference), not a time of day: a correction does not age on its way. Slaves apply it with
 *   adjtime (a slew), or set the clock when it is large.
 *
 * Choices where the paper is silent: "too far" is measured from the median of the differences
 * (within `toleranceMs`); replies whose round trip exceeds `maxRoundTripMs` are left out of the
 * round; the master corrects itself by the average too; corrections above the step threshold
 * are stepped, the rest slewed at 500 ppm. Each node adjusts its own clock (the kernel's)
 * through ctx.clock, as timed does with adjtime and settimeofday.
 *
 * What the algorithm promises is agreement, not accuracy: after a round, any two clocks the
 * round corrected are headed for readings no further apart than the errors of their two
 * readings (half a round trip each, and what the clocks' rates add while the round goes on),
 * plus what drift adds since. `clocks-agree` checks it; docs/protocols/clocks.md derives it.
 */
import { z } from 'zod';
import type { Ctx, Liveness, NodeView, Protocol } from '../../protocol';
import { clockedNode, link } from '../../toolkit/topology';
import { type OwnSlew, ownSlewLeft } from './own-slew';
import { clockErrorSeries } from './plot';
import { ms, signedDuration, signedMs } from './units';

export const BerkeleyParams = z.object({
  /** How often the master starts a round, ms. */
  periodMs: z.number().int().min(100).max(600_000).default(2000),
  /** How long the master waits for answers before averaging, ms. */
  collectMs: z.number().int().min(1).max(60_000).default(100),
  /** Answers whose round trip exceeds this are left out of the round, ms. */
  maxRoundTripMs: z.number().int().min(1).max(60_000).default(50),
  /** A clock further than this from the median difference is left out of the average, ms. */
  toleranceMs: z.number().int().min(0).max(3_600_000).default(500),
  /** Corrections above this are stepped, smaller ones slewed, ms (20 here, so the quick start converges in seconds; ntpd steps above 128). */
  stepThresholdMs: z.number().int().min(1).max(10_000).default(20),
  /** The slew rate, ppm (adjtime's 500 ppm). */
  slewPpm: z.number().int().min(1).max(100_000).default(500),
  /** How long after the last fault every slave may take to be adjusted again (liveness), ms. */
  settleMs: z.number().int().min(100).max(3_600_000).default(10_000),
  /** ρ: the drift the agreement bound allows every clock, ppm. The bound holds while real drift stays within it. */
  rhoPpm: z.number().min(0).max(10_000).default(100),
  /** Bug switch: the master forgets half the round trip (difference = t − now): every slave ends up a one-way trip ahead of it. */
  bugNoRttCompensation: z.boolean().default(false),
});
export type BerkeleyParams = z.infer<typeof BerkeleyParams>;

/** The master asks a slave for its clock. */
export interface TimeQuery {
  type: 'TimeQuery';
  /** The round. */
  round: number;
}

/** A slave's clock reading. */
export interface TimeAnswer {
  type: 'TimeAnswer';
  /** The round asked about. */
  round: number;
  /** The slave's clock when it answered. */
  t: number;
}

/** The correction the master tells a slave to apply. */
export interface Adjust {
  type: 'Adjust';
  /** The round. */
  round: number;
  /** How far to move the clock, signed µs. */
  deltaUs: number;
}

export type BerkeleyMsg = TimeQuery | TimeAnswer | Adjust;

/** The master's estimate of one slave's clock in the current round. */
export interface Difference {
  /** The slave. */
  node: string;
  /** Its clock minus the master's, allowing for half the round trip, µs. */
  diffUs: number;
  /** The round trip of the reading, µs. */
  rttUs: number;
}

/** One clock corrected in a round, and how far its correction can be from the right one. */
export interface Reading {
  /** The node (the master too). */
  node: string;
  /**
   * The error bound of its reading, µs: half the round trip (the asymmetry of the two trips,
   * at worst all on one side), plus what the clocks' rates can add while the round goes on.
   * 0 for the master: its own difference is exactly 0.
   */
  errUs: number;
}

/** The master's last average: what the agreement bound of the round is made of. */
export interface Averaged {
  /** The round. */
  round: number;
  /** The master's clock when it averaged. */
  at: number;
  /** Every clock the round corrected. */
  readings: Reading[];
  /** ρ + the slew rate, ppm: how fast two clocks can move apart after the round (params of the round). */
  ratePpm: number;
  /** ρ, ppm: how fast a clock's target moves once the round is over. */
  rhoPpm: number;
}

export interface BerkeleyState {
  /** 'master' or 'slave'. */
  kind: 'master' | 'slave';
  /**
   * The corrections decided so far, µs (the badge's "corr."): steps and slews, less what a step
   * or a new slew abandoned of the slew before.
   */
  correctionUs: number;
  /** The current round (master), or the last round adjusted in (slave). */
  round: number;
  /** The master's clock when it sent this round's queries. */
  sentAt: number;
  /** This round's differences so far (master). */
  diffs: Difference[];
  /** The average difference of the last round, and who was left out of it (master). */
  average: number;
  excluded: string[];
  /** The spread of the differences the master saw at its last round (largest − smallest), µs. */
  spreadUs: number;
  /** The last correction applied here, µs. */
  lastCorrection: number;
  /** Corrections applied. */
  adjustments: number;
  /** The last round averaged (master), or null. */
  averaged: Averaged | null;
  /** The slew this node set last: to tell it from one a clock fault set since (own-slew.ts). */
  ownSlew: OwnSlew | null;
}

type C = Ctx<BerkeleyParams, BerkeleyMsg>;

function startRound(ctx: C, s: BerkeleyState): void {
  s.round += 1;
  s.diffs = [];
  s.sentAt = ctx.now();
  ctx.sendAll('slave', { type: 'TimeQuery', round: s.round });
  ctx.setTimer('average', ctx.params.collectMs * 1000);
  ctx.setTimer('round', ctx.params.periodMs * 1000);
}

/** §II: the slave's difference from the master's clock, allowing for half the round trip. */
function answer(ctx: C, s: BerkeleyState, from: string, m: TimeAnswer): void {
  if (m.round !== s.round || s.diffs.some((d) => d.node === from)) return;
  const now = ctx.now();
  const rtt = now - s.sentAt;
  if (rtt > ctx.params.maxRoundTripMs * 1000) {
    ctx.note(`${from}: round trip ${ms(rtt)} too long, left out`);
    return;
  }
  // The slave read t about half a round trip ago: its clock now reads about t + rtt/2.
  const diffUs = ctx.params.bugNoRttCompensation ? m.t - now : m.t + rtt / 2 - now;
  s.diffs.push({ node: from, diffUs, rttUs: rtt });
}

/** §II: the fault-tolerant average, and a correction for everyone. */
function average(ctx: C, s: BerkeleyState): void {
  const p = ctx.params;
  const all = [{ node: ctx.self, diffUs: 0, rttUs: 0 }, ...s.diffs];
  const sorted = all.map((d) => d.diffUs).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const good = all.filter((d) => Math.abs(d.diffUs - median) <= p.toleranceMs * 1000);
  s.average = good.reduce((x, d) => x + d.diffUs, 0) / good.length;
  s.excluded = all.filter((d) => !good.includes(d)).map((d) => d.node);
  s.spreadUs = sorted[sorted.length - 1]! - sorted[0]!;
  ctx.note(
    `average ${signedMs(s.average)} over ${good.length} clocks${s.excluded.length > 0 ? `, ${s.excluded.join(' ')} left out` : ''}`,
  );
  for (const d of s.diffs)
    ctx.send(d.node, { type: 'Adjust', round: s.round, deltaUs: s.average - d.diffUs });
  apply(ctx, s, s.average);
  s.averaged = {
    round: s.round,
    at: ctx.now(),
    readings: all.map((d) => ({ node: d.node, errUs: d.node === ctx.self ? 0 : readingErrorUs(p, d.rttUs) })),
    ratePpm: p.rhoPpm + p.slewPpm,
    rhoPpm: p.rhoPpm,
  };
}

/**
 * How far a slave's correction can be from the one that would bring it exactly to the master's
 * target, µs (docs/protocols/clocks.md, "Agreement"): the reading errs by at most half its round
 * trip (the two trips' asymmetry, at worst all on one side), plus 2(ρ + slew)·rtt for the
 * clocks' rates during the round trip, plus (ρ + slew)·(2·collect + maxRoundTrip) for what the
 * clocks move between the reading and the correction (the wait for the other answers, and the
 * Adjust's trip, taken to be no longer than an accepted round trip).
 */
export function readingErrorUs(p: BerkeleyParams, rttUs: number): number {
  const rate = (p.rhoPpm + p.slewPpm) * 1e-6;
  return rttUs / 2 + 2 * rate * rttUs + rate * (2 * p.collectMs + p.maxRoundTripMs) * 1000;
}

function apply(ctx: C, s: BerkeleyState, delta: number): void {
  const p = ctx.params;
  // A step or a new slew abandons what is left of this node's own slew; a slew that a clock
  // fault set is not this node's correction, and is not counted.
  const own = ownSlewLeft(s.ownSlew, ctx.now(), ctx.clock.slewLeftUs());
  if (!own.ours)
    ctx.note(`a clock fault replaced this clock's slew: corr. may be off by up to ${ms(own.uncertainUs)}`);
  s.correctionUs += delta - own.leftUs;
  if (Math.abs(delta) > p.stepThresholdMs * 1000) {
    ctx.clock.step(delta);
    s.ownSlew = null;
  } else {
    ctx.clock.slew(delta, p.slewPpm);
    s.ownSlew = { deltaUs: delta, ratePpm: p.slewPpm, at: ctx.now() };
  }
  s.lastCorrection = delta;
  s.adjustments += 1;
}

const allAdjusted: Liveness<BerkeleyState, BerkeleyParams> = {
  id: 'all-adjusted',
  title: 'Eventually every slave has been adjusted by the master',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    if (!nodes.some((n) => n.up && n.state.kind === 'master')) return null;
    for (const n of nodes)
      if (n.up && n.state.kind === 'slave' && n.state.adjustments === 0) return `${n.id} was never adjusted`;
    return null;
  },
};

/** A clock the master's last round corrected, and its share of the agreement bound now. */
export interface AgreeingClock {
  id: string;
  /** Its error (local − true time), µs. */
  errorUs: number;
  /** What its slew in progress still has to do, signed µs: the clock is headed for errorUs + leftUs. */
  leftUs: number;
  /** Its reading's error, plus what drift at ρ moved where it is headed since the round, µs. */
  halfUs: number;
}

/**
 * The clocks the master's last round corrected, as they are now: the master and every up slave
 * that applied that round's correction (a slave left out of the round, or whose Adjust is still
 * on its way, is not synchronized to it). Null without an up master that has averaged, or in a
 * view built without clocks.
 */
export function agreeingClocks(nodes: readonly NodeView<BerkeleyState>[]): AgreeingClock[] | null {
  const master = nodes.find((n) => n.up && n.state.kind === 'master');
  const a = master?.state.averaged;
  if (master === undefined || a === null || a === undefined || master.localUs === undefined) return null;
  // True time since the round, from the master's clock (which runs at most ρ + slew fast or slow).
  const since = Math.max(0, (master.localUs - a.at) / (1 - a.ratePpm * 1e-6));
  const out: AgreeingClock[] = [];
  for (const r of a.readings) {
    const n = nodes.find((x) => x.id === r.node);
    if (n === undefined || !n.up || n.clockErrorUs === undefined) continue;
    if (n !== master && n.state.round !== a.round) continue;
    out.push({
      id: n.id,
      errorUs: n.clockErrorUs,
      leftUs: n.slewLeftUs ?? 0,
      halfUs: r.errUs + a.rhoPpm * 1e-6 * since,
    });
  }
  return out;
}

/**
 * The bound on the spread of the clocks themselves (the chart's): two clocks are headed for
 * readings within the sum of their shares, and each is at most its slew left from where it is
 * headed, so the spread is within the two largest of (share + |slew left|).
 */
export function agreementBoundUs(clocks: readonly AgreeingClock[]): number {
  const h = clocks.map((c) => c.halfUs + Math.abs(c.leftUs)).sort((x, y) => y - x);
  return (h[0] ?? 0) + (h[1] ?? 0);
}

/**
 * §II's promise, agreement among the clocks (not with true time). Once the faults stop, any two
 * clocks the last round corrected are headed for readings (where they are plus the slew they
 * still have to do) no further apart than their two readings' errors plus drift at ρ since the
 * round. Checked where the clocks are headed, which is exact whether or not the slews have
 * finished; the clocks themselves are then within the chart's bound (agreementBoundUs).
 */
const clocksAgree: Liveness<BerkeleyState, BerkeleyParams> = {
  id: 'clocks-agree',
  title:
    "Once the faults stop, the clocks of the master's last round are headed for readings within its bound: the readings' errors plus drift since",
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    const clocks = agreeingClocks(nodes);
    if (clocks === null) return null;
    for (const [k, a] of clocks.entries())
      for (const b of clocks.slice(k + 1)) {
        const apart = Math.abs(a.errorUs + a.leftUs - (b.errorUs + b.leftUs));
        // 2 µs for the clocks' rounding to whole microseconds.
        if (apart > a.halfUs + b.halfUs + 2)
          return `${a.id} and ${b.id} are headed ${ms(apart)} apart (with their slews done), beyond the bound ${ms(a.halfUs + b.halfUs)} of the last round`;
      }
    return null;
  },
};

const AGREEMENT_CHART = { title: 'spread of the synchronized clocks, and the bound Berkeley promises' };

export const berkeley: Protocol<BerkeleyParams, BerkeleyState, BerkeleyMsg> = {
  id: 'berkeley',
  topic: 'clocks',
  title: 'Berkeley algorithm (TEMPO)',
  version: 3,
  // A round every 2 s: at 0.5x a round's queries, answers and corrections come every 4 s on screen.
  speed: 0.5,
  roles: [
    { id: 'master', label: 'Master', min: 1, max: 1 },
    { id: 'slave', label: 'Slave', min: 1, max: null },
  ],
  params: BerkeleyParams,
  defaultTopology() {
    const lan = { kind: 'normal', meanUs: 3000, stdUs: 800, minUs: 1000 } as const;
    const n = clockedNode;
    // No clock is right: the group agrees on its average. s4's clock is 5 s off: a broken clock
    // that the fault-tolerant average leaves out, then brings in line.
    return {
      nodes: [
        n('m', 'master', 300, 250, 20_000, 30),
        n('s1', 'slave', 0, 0, -60_000, -40),
        n('s2', 'slave', 200, 0, 90_000, 20),
        n('s3', 'slave', 400, 0, -10_000, 50),
        n('s4', 'slave', 600, 0, 5_000_000, -25),
      ],
      links: ['s1', 's2', 's3', 's4'].map((x) => link('m', x, lan)),
    };
  },
  quickStart() {
    return { maxTimeUs: 30_000_000 };
  },
  init(node) {
    return {
      kind: node.role === 'master' ? 'master' : 'slave',
      correctionUs: 0,
      round: 0,
      sentAt: 0,
      diffs: [],
      average: 0,
      excluded: [],
      spreadUs: 0,
      lastCorrection: 0,
      adjustments: 0,
      averaged: null,
      ownSlew: null,
    };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        if (s.kind === 'master') ctx.setTimer('round', ctx.rng.int(0, ctx.params.periodMs * 100));
        return;
      case 'timer':
        if (input.name === 'round') startRound(ctx, s);
        else if (input.name === 'average') average(ctx, s);
        return;
      case 'message': {
        const m = input.msg;
        if (m.type === 'TimeQuery')
          ctx.send(input.from, { type: 'TimeAnswer', round: m.round, t: ctx.now() });
        else if (m.type === 'TimeAnswer') answer(ctx, s, input.from, m);
        else if (m.round > s.round) {
          // A correction ages not at all on its way: apply it as it is (§II).
          s.round = m.round;
          apply(ctx, s, m.deltaUs);
          ctx.note(`adjust ${signedMs(m.deltaUs)}`);
        }
        return;
      }
      case 'client':
        ctx.reply(input.op, { ok: false });
        return;
    }
  },
  // A crash loses the round in progress; the clock keeps its corrections and its slew (the
  // kernel's clock survives a crash of the protocol), and the counter, the round, the correction
  // and which slew is this node's own survive.
  durable: ['adjustments', 'round', 'correctionUs', 'ownSlew'],
  invariants: [],
  liveness: [allAdjusted, clocksAgree],
  historyCheckers: [],
  metrics: [
    // What the master saw before correcting: how far apart the clocks were at its last round.
    {
      id: 'spreadUs',
      unit: 'us',
      read: (nodes) => nodes.find((n) => n.state.kind === 'master')?.state.spreadUs ?? 0,
    },
    {
      id: 'correctionUs',
      unit: 'us',
      read: (nodes) => Math.max(0, ...nodes.filter((n) => n.up).map((n) => Math.abs(n.state.lastCorrection))),
    },
    // What Berkeley promises, drawn with what happens: the spread of the clocks the last round
    // corrected (true errors: no node can see it) under the bound clocks-agree checks. A bound on
    // a spread is no band around true time, so it has a chart of its own.
    {
      id: 'clockSpreadUs',
      unit: 'us',
      chart: AGREEMENT_CHART,
      read: (nodes) => {
        const c = agreeingClocks(nodes) ?? [];
        return c.length < 2 ? 0 : Math.max(...c.map((x) => x.errorUs)) - Math.min(...c.map((x) => x.errorUs));
      },
    },
    {
      id: 'agreementBoundUs',
      unit: 'us',
      chart: { ...AGREEMENT_CHART, ceiling: true },
      read: (nodes) => agreementBoundUs(agreeingClocks(nodes) ?? []),
    },
  ],
  // The clock-error chart has no band: Berkeley promises agreement among the clocks, not with
  // true time; their agreement and its bound are the chart above.
  nodeMetrics: [
    clockErrorSeries<BerkeleyState>('clock error of every node: they meet each other, not true time'),
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'master')
      return s.round === 0
        ? { text: 'master', tone: 'neutral' }
        : { text: `master · spread ${ms(s.spreadUs)}`, tone: s.excluded.length > 0 ? 'warn' : 'good' };
    return s.adjustments === 0
      ? { text: 'not adjusted yet', tone: 'warn' }
      : { text: `corr. ${signedDuration(s.correctionUs)}`, tone: 'good' };
  },
  bugs: [
    {
      param: 'bugNoRttCompensation',
      title:
        'The master forgets half the round trip: each slave is set a one-way trip ahead of it, beyond the bound when the trip back took longer than the trip out',
    },
  ],
  lesson: {
    summary:
      'When no machine has a trustworthy clock, a group can at least agree with itself. The Berkeley master reads every clock (allowing half the round trip, like Cristian), averages the differences, leaving out clocks too far from the rest, and tells each machine how far to move: a correction, which does not age on its way, rather than a time of day.',
    watch: [
      "The master's note each round: the average, and s4 (5 s off) left out of it",
      'The corrections on the badges shrinking round after round as the group converges',
      "The spreadUs metric: how far apart the master saw the clocks, before each round's corrections",
      "The Metrics tab's agreement chart: the spread of the clocks the last round corrected (their true errors, which no node sees) under the bound Berkeley promises: half of each reading's round trip, drift since the round, and the slews still to do",
    ],
    tryThis: [
      'Lower toleranceMs to 20: the first round leaves out clocks that are merely far, and the average moves',
      "Set s2's link to a constant 30 ms: its round trips (60 ms) exceed maxRoundTripMs, so the master leaves it out of every round and all-adjusted reports it 10 s in",
      'Crash the master: the slaves drift apart again (TEMPO elects a new master; this slice does not)',
      'Turn on bugNoRttCompensation: the master forgets half the round trip, so each slave settles a one-way trip ahead of it, and clocks-agree stops the run once the 10 s settle time has passed, when a trip back was longer than the trip out',
    ],
  },
};
