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
 */
import { z } from 'zod';
import type { Ctx, Liveness, Protocol } from '../../protocol';
import { clockedNode, link } from '../../toolkit/topology';
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
  s.diffs.push({ node: from, diffUs: m.t + rtt / 2 - now, rttUs: rtt });
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
}

function apply(ctx: C, s: BerkeleyState, delta: number): void {
  const p = ctx.params;
  s.correctionUs += delta - ctx.clock.slewLeftUs();
  if (Math.abs(delta) > p.stepThresholdMs * 1000) ctx.clock.step(delta);
  else ctx.clock.slew(delta, p.slewPpm);
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

export const berkeley: Protocol<BerkeleyParams, BerkeleyState, BerkeleyMsg> = {
  id: 'berkeley',
  topic: 'clocks',
  title: 'Berkeley algorithm (TEMPO)',
  version: 2,
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
  // A crash loses the round in progress; the clock keeps its corrections (the kernel's clock
  // survives a crash of the protocol), and the counter, the round and the correction survive.
  durable: ['adjustments', 'round', 'correctionUs'],
  invariants: [],
  liveness: [allAdjusted],
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
  ],
  // No bound is drawn: Berkeley promises agreement among the clocks, not with true time.
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
  bugs: [],
  lesson: {
    summary:
      'When no machine has a trustworthy clock, a group can at least agree with itself. The Berkeley master reads every clock (allowing half the round trip, like Cristian), averages the differences, leaving out clocks too far from the rest, and tells each machine how far to move: a correction, which does not age on its way, rather than a time of day.',
    watch: [
      "The master's note each round: the average, and s4 (5 s off) left out of it",
      'The corrections on the badges shrinking round after round as the group converges',
      "The spreadUs metric: how far apart the master saw the clocks, before each round's corrections",
    ],
    tryThis: [
      'Lower toleranceMs to 20: the first round leaves out clocks that are merely far, and the average moves',
      "Set s2's link to a constant 30 ms: its round trips (60 ms) exceed maxRoundTripMs, so the master leaves it out of every round and all-adjusted reports it 10 s in",
      'Crash the master: the slaves drift apart again (TEMPO elects a new master; this slice does not)',
    ],
  },
};
