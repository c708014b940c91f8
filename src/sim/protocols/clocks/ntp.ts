/**
 * NTP, the Network Time Protocol, version 4: its on-wire protocol, clock filter and clock
 * discipline, simplified to one server per node. Source: D. Mills, J. Martin, J. Burbank,
 * W. Kasch, "Network Time Protocol Version 4: Protocol and Algorithms Specification",
 * RFC 5905, June 2010. Sections cited below are the RFC's.
 *
 * - §3, §4: a hierarchy of strata. A primary server (stratum 1) reads a reference clock
 *   (GPS, an atomic clock: stratum 0); a secondary server synchronizes to a lower stratum and
 *   serves at its stratum + 1; clients synchronize to servers.
 * - §8: the on-wire protocol. A client sends its transmit time T1 (the packet's xmt); the
 *   server stamps the arrival T2 (rec) and its departure T3 (xmt) and echoes T1 (org); the
 *   client stamps the arrival T4. Then the offset θ = ((T2 − T1) + (T3 − T4)) / 2 and the
 *   round-trip delay δ = (T4 − T1) − (T3 − T2). If the two one-way delays are equal θ is exact;
 *   otherwise it errs by half their difference, at most δ/2.
 * - §10: the clock filter. The last 8 samples in a shift register; the one with the least
 *   delay is the best (its offset suffered the least queueing); a sample is used once, and only
 *   if newer than the last one used.
 * - §11.2.1 (root distance) and §12 (clock discipline): offsets above the step threshold
 *   (STEPT, 128 ms) are stepped, smaller ones slewed, at most 500 ppm, so the clock never runs
 *   backwards for them. Root delay and root dispersion carry the error bound down the strata.
 *
 * Simplified, and said so where it happens: one server per node (no selection, cluster or
 * combine algorithms, §11.2); no frequency discipline (the PLL/FLL of §12 and Appendix A.5.5):
 * only the phase is corrected, so drift shows as a saw-tooth between updates; no poll
 * adaptation (a fixed poll interval); the dispersion and jitter arithmetic is reduced to what
 * the error bound needs. The node's clock is the kernel's: NTP steps and slews it through
 * ctx.clock, as ntpd does through the operating system (settimeofday, adjtime).
 */
import { z } from 'zod';
import type {
  Ctx,
  Invariant,
  Liveness,
  MetricSpec,
  NodeMetricSpec,
  NodeView,
  Protocol,
} from '../../protocol';
import { clockedNode, link } from '../../toolkit/topology';
import { clockChart, clockErrorSeries } from './plot';
import { ms, signedDuration, signedMs } from './units';

export const NtpParams = z.object({
  /** Poll interval: how often a client asks its server, ms (RFC: 2^poll s, at least 16 s; 1 s here so the story plays in seconds). */
  pollMs: z.number().int().min(100).max(64_000).default(1000),
  /** STEPT: offsets above this are stepped, smaller ones slewed, ms (RFC 5905 §12: 128 ms). */
  stepThresholdMs: z.number().int().min(1).max(10_000).default(128),
  /** The largest slew rate, parts per million (RFC 5905 §12 and the kernel's adjtime: 500 ppm). */
  slewPpm: z.number().int().min(1).max(100_000).default(500),
  /** PHI: the frequency tolerance assumed for every clock, ppm (RFC 5905 §7.2: 15 ppm). The bound holds while real drift stays within it. */
  phiPpm: z.number().min(0).max(1000).default(15),
  /** How long after the last fault every node may take to be synchronized again (the liveness bound), ms. */
  settleMs: z.number().int().min(100).max(3_600_000).default(20_000),
  /** Bug switch: ignore the network delay (θ = T3 − T4, δ = 0): the clock lags by the reply's trip, yet claims a tight bound. */
  bugIgnoreDelay: z.boolean().default(false),
  /** Bug switch: step every correction, however small: the clock jumps, and backwards as often as not. */
  bugAlwaysStep: z.boolean().default(false),
});
export type NtpParams = z.infer<typeof NtpParams>;

/** NOSYNC (leap indicator 3, §7.3): the node's clock is not synchronized. */
export const NOSYNC = 3;
/** The stratum of an unsynchronized node (§7.3: 16). */
export const MAXSTRAT = 16;
/** NSTAGE (§10): the clock filter's length. */
export const NSTAGE = 8;

/** A mode-3 request: the client's transmit timestamp T1. */
export interface NtpRequest {
  type: 'NtpRequest';
  /** xmt: T1, the client's clock when it sent the request. */
  xmt: number;
}

/** A mode-4 reply (§7.3): the timestamps and the server's synchronization state. */
export interface NtpReply {
  type: 'NtpReply';
  /** org: T1 echoed, so the client matches the reply to its request (§8). */
  org: number;
  /** rec: T2, the server's clock when the request arrived. */
  rec: number;
  /** xmt: T3, the server's clock when the reply left. */
  xmt: number;
  /** Leap indicator: 0 synchronized, NOSYNC (3) not. */
  leap: number;
  /** The server's stratum. */
  stratum: number;
  /** Root delay: round trips from the server down to a primary, summed, µs. */
  rootdelay: number;
  /** Root dispersion at T3: the server's own error bound beyond rootdelay/2, µs. */
  rootdisp: number;
}

export type NtpMsg = NtpRequest | NtpReply;

/** One clock-filter stage (§10): a sample of the on-wire protocol. */
export interface Sample {
  /** θ, µs. */
  offset: number;
  /** δ, µs. */
  delay: number;
  /** ε: the sample's dispersion when taken (the server's root dispersion, §8), µs. */
  disp: number;
  /** The clock at T4 (when the sample was taken). */
  epoch: number;
  /** The correction applied to the clock by T4 (appliedUs): corrections since then are taken off θ when it is used. */
  corrAt: number;
}

export interface NtpState {
  /** 'primary' (stratum 1), 'secondary' (a server) or 'client'. */
  kind: 'primary' | 'secondary' | 'client';
  /**
   * What NTP has decided to correct the clock by so far: its steps and slews, less what a step
   * or a new slew abandoned of the slew before (the badge's "corr."). The clock itself is the
   * kernel's; what has been applied of this by now is `correctionUs − ctx.clock.slewLeftUs()`.
   */
  correctionUs: number;
  // System variables (§9.1, §11).
  /** Leap indicator: 0 synchronized, NOSYNC (3) not yet. */
  leap: number;
  /** Stratum: 1 for a primary, its server's + 1 once synchronized, 16 before. */
  stratum: number;
  /** Who the clock follows: the server's id, 'GPS' for a primary, '' for none yet. */
  refid: string;
  /** The clock at the last update, µs. */
  reftime: number;
  /** Root delay at the last update, µs. */
  rootdelay: number;
  /** Root dispersion at the last update, µs. */
  rootdisp: number;
  // Peer variables of the one association (§9.1, §10).
  /** srcadr: the server this node polls ('' for a primary). */
  srcadr: string;
  /** T1 of the request in flight (0: none), matched against the reply's org (§8). */
  xmt: number;
  /** The clock filter: the last NSTAGE samples, newest first. */
  filter: Sample[];
  /** The epoch of the last sample used (§10: only a newer one updates the clock). */
  t: number;
  /** θ of the last update (the measured offset), µs. */
  offset: number;
  /** δ of the last update, µs. */
  delay: number;
  /** Jitter (§10): RMS of the filter's offsets around the chosen one, µs. */
  jitter: number;
  /** The error bound at the last update (root distance plus the slew left), µs. */
  boundUs: number;
  // The lesson's counters.
  /** Clock updates so far. */
  updates: number;
  /** Steps so far. */
  steps: number;
}

type C = Ctx<NtpParams, NtpMsg>;

/** The server a node polls (§11.2 simplified to one): a secondary follows a primary, a client a secondary. */
function serverOf(ctx: C): string {
  const upstream = ctx.role === 'secondary' ? ['primary'] : ['secondary', 'primary'];
  for (const role of upstream) {
    const servers = ctx.nodesWithRole(role);
    if (servers.length === 0) continue;
    // Spread the nodes of one role over the servers, in id order.
    const k = ctx.nodesWithRole(ctx.role).indexOf(ctx.self);
    return servers[Math.max(0, k) % servers.length]!;
  }
  return '';
}

/**
 * The root distance λ at local time `now` (§11.2.1), plus what the slew in progress
 * (`slewLeftUs`) has still to correct.
 */
export function rootDistance(s: NtpState, params: NtpParams, now: number, slewLeftUs: number): number {
  if (s.leap === NOSYNC) return Number.POSITIVE_INFINITY;
  const aged = (params.phiPpm / 1e6) * Math.max(0, now - s.reftime);
  return s.rootdelay / 2 + s.rootdisp + aged + Math.abs(slewLeftUs);
}

/** What NTP has applied to the clock by now: its corrections less the slew still to do. */
function applied(ctx: C, s: NtpState): number {
  return s.correctionUs - ctx.clock.slewLeftUs();
}

/** §8: offset θ and delay δ from the four timestamps. */
export function onWire(t1: number, t2: number, t3: number, t4: number): { offset: number; delay: number } {
  return { offset: (t2 - t1 + (t3 - t4)) / 2, delay: t4 - t1 - (t3 - t2) };
}

/** §10, simplified: the stage with the least delay (the newest among equals). */
export function bestSample(filter: readonly Sample[]): Sample | null {
  let best: Sample | null = null;
  for (const x of filter) if (best === null || x.delay < best.delay) best = x;
  return best;
}

function poll(ctx: C, s: NtpState): void {
  if (s.srcadr !== '') {
    s.xmt = ctx.now();
    ctx.send(s.srcadr, { type: 'NtpRequest', xmt: s.xmt });
  }
  ctx.setTimer('poll', ctx.params.pollMs * 1000);
}

/** Server side (§8, mode 4): stamp T2 and T3, echo T1, say how good this clock is. */
function serve(ctx: C, s: NtpState, from: string, req: NtpRequest): void {
  const t2 = ctx.now();
  const t3 = t2; // the reply leaves in the same step: T3 = T2 here
  const synced = s.leap !== NOSYNC;
  const aged = (ctx.params.phiPpm / 1e6) * Math.max(0, t3 - s.reftime);
  ctx.send(from, {
    type: 'NtpReply',
    org: req.xmt,
    rec: t2,
    xmt: t3,
    leap: s.leap,
    stratum: synced ? s.stratum : MAXSTRAT,
    rootdelay: s.rootdelay,
    rootdisp: synced ? s.rootdisp + aged + Math.abs(ctx.clock.slewLeftUs()) : 0,
  });
}

/** Client side (§8 packet tests, §10 clock filter, §12 discipline). */
function receive(ctx: C, s: NtpState, from: string, m: NtpReply): void {
  const p = ctx.params;
  const t4 = ctx.now();
  // §8: a reply whose org is not our last T1 is bogus (a duplicate, or an answer to an older request).
  if (from !== s.srcadr || m.org !== s.xmt || s.xmt === 0) {
    ctx.note(`bogus reply from ${from}: org ${m.org} is not our T1`);
    return;
  }
  s.xmt = 0;
  // §8: an unsynchronized server is no source of time.
  if (m.leap === NOSYNC || m.stratum >= MAXSTRAT) {
    ctx.note(`${from} is not synchronized yet`);
    return;
  }
  const t1 = m.org;
  const t2 = m.rec;
  const t3 = m.xmt;
  let { offset, delay } = onWire(t1, t2, t3, t4);
  if (p.bugIgnoreDelay) {
    offset = t3 - t4; // as if the reply had arrived the moment it left
    delay = 0;
  }
  // §10: shift the sample into the register, newest first.
  const sample: Sample = {
    offset,
    delay,
    disp: m.rootdisp,
    epoch: t4,
    corrAt: applied(ctx, s),
  };
  s.filter.unshift(sample);
  if (s.filter.length > NSTAGE) s.filter.pop();
  // An offset above the step threshold does not wait for a low-delay sample: queueing moves
  // samples by milliseconds, not by STEPT (our simplification of the RFC's step-out logic).
  const best = Math.abs(offset) > p.stepThresholdMs * 1000 ? sample : bestSample(s.filter)!;
  if (best.epoch <= s.t) {
    ctx.note(`filter: best sample (δ ${ms(best.delay)}) already used, no update`);
    return;
  }
  update(ctx, s, from, best, m, best === sample);
}

/** The clock update (§11, §12 simplified): correct the clock, then the system variables. */
function update(ctx: C, s: NtpState, from: string, best: Sample, m: NtpReply, newest: boolean): void {
  const p = ctx.params;
  // The sample's offset was measured against the clock as it was then: take off what has been
  // corrected since (a slew went on), so nothing is corrected twice.
  const theta = best.offset - (applied(ctx, s) - best.corrAt);
  const before = ctx.now();
  // A step or a new slew abandons what the slew in progress had still to do (as adjtime does).
  s.correctionUs += theta - ctx.clock.slewLeftUs();
  s.t = best.epoch;
  s.offset = theta;
  s.delay = best.delay;
  s.jitter = Math.sqrt(
    s.filter.reduce((sum, x) => sum + (x.offset - best.offset) ** 2, 0) / Math.max(1, s.filter.length - 1),
  );
  if (p.bugAlwaysStep || Math.abs(theta) > p.stepThresholdMs * 1000) {
    ctx.clock.step(theta);
    s.filter = []; // §12: after a step the old samples describe a clock that is gone
    s.steps += 1;
    ctx.note(`step ${signedMs(theta)}`);
    ctx.emit({ type: 'clock-step', thetaUs: theta, thresholdUs: p.stepThresholdMs * 1000 });
  } else {
    ctx.clock.slew(theta, p.slewPpm);
    ctx.note(`slew ${signedMs(theta)} at ${p.slewPpm} ppm`);
  }
  const now = ctx.now();
  // §11.2.1: the bound grows down the strata: the server's, plus half this round trip, plus
  // the sample's age at PHI.
  s.leap = 0;
  s.stratum = m.stratum + 1;
  s.refid = from;
  s.reftime = now;
  s.rootdelay = m.rootdelay + best.delay;
  s.rootdisp = best.disp + (p.phiPpm / 1e6) * Math.max(0, before - best.epoch);
  s.updates += 1;
  s.boundUs = rootDistance(s, p, now, ctx.clock.slewLeftUs());
  ctx.emit({ type: 'clock-update', clockUs: now, boundUs: s.boundUs, newest });
}

/**
 * The promise of §11.2.1: a synchronized clock is within its root distance of true time. The
 * check reads true time from the view at the step that updated the clock (a node cannot know
 * it). It is checked at updates that used the newest sample: an older one may predate a clock
 * fault the node has not measured yet. The primary's clock is the reference: the check holds
 * NTP to true time only as far as the primary reads it.
 */
const withinBound: Invariant<NtpState> = {
  id: 'within-bound',
  title: 'After each clock update, the clock is within the error bound NTP claims for it (root distance)',
  check({ changed, events, nowUs }) {
    for (const e of events) {
      if (e.type !== 'clock-update' || e.newest !== true) continue;
      const err = (e.clockUs as number) - nowUs;
      // Local clocks read whole microseconds: 2 µs of rounding either way.
      if (Math.abs(err) > (e.boundUs as number) + 2)
        return `${changed.id} is ${signedMs(err)} off true time, outside its bound ±${ms(e.boundUs as number)}`;
    }
    return null;
  },
};

/** §12: small corrections are slewed, so the clock never jumps (nor runs backwards) for them. */
const slewSmall: Invariant<NtpState> = {
  id: 'slew-under-threshold',
  title: 'Corrections under the step threshold are slewed: the clock never jumps for them',
  check({ changed, events }) {
    for (const e of events)
      if (e.type === 'clock-step' && Math.abs(e.thetaUs as number) <= (e.thresholdUs as number))
        return `${changed.id} stepped ${signedMs(e.thetaUs as number)}, under the step threshold ±${ms(e.thresholdUs as number)}`;
    return null;
  },
};

/** Every node with a server is synchronized within `settleMs` of the last fault. */
const allSynchronized: Liveness<NtpState, NtpParams> = {
  id: 'all-synchronized',
  title: 'Eventually every node that has a server is synchronized',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }) {
    for (const n of nodes)
      if (n.up && n.state.srcadr !== '' && n.state.leap === NOSYNC) return `${n.id} is not synchronized`;
    return null;
  },
};

/**
 * §11.2.1's promise as the issue states it: once the faults stop, every synchronized node's
 * clock stays within the root distance it claims, at every moment (checked every 100 ms), not
 * only at its updates. True time and the clock come from the kernel (the view); λ is aged from
 * the last update at PHI, and the slew still to do is added. A node that has not updated since
 * the faults stopped may still hold a bound that predates a clock fault, hence `settleMs`.
 */
const staysWithinBound: Liveness<NtpState, NtpParams> = {
  id: 'stays-within-bound',
  title: 'Once the faults stop, every synchronized clock stays within the bound NTP claims (root distance)',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes }, p) {
    for (const n of nodes) {
      const s = n.state;
      if (!n.up || s.srcadr === '' || s.leap === NOSYNC) continue;
      if (n.clockErrorUs === undefined || n.localUs === undefined) continue;
      const bound = rootDistance(s, p, n.localUs, n.slewLeftUs ?? 0);
      // Local clocks read whole microseconds: 2 µs of rounding either way.
      if (Math.abs(n.clockErrorUs) > bound + 2)
        return `${n.id} is ${signedMs(n.clockErrorUs)} off true time, outside its bound ±${ms(bound)}`;
    }
    return null;
  },
};

/** The largest of a field over the synchronized, up nodes that poll a server (0 if none). */
function maxOverSynced(nodes: readonly NodeView<NtpState>[], f: (s: NtpState) => number): number {
  let m = 0;
  for (const n of nodes)
    if (n.up && n.state.srcadr !== '' && n.state.leap !== NOSYNC) m = Math.max(m, f(n.state));
  return m;
}

/** The clock-error chart's title. */
const CHART = 'clock error of every node, and ±boundUs (the largest λ claimed)';

const metrics: MetricSpec<NtpState>[] = [
  {
    id: 'synchronized',
    unit: 'nodes',
    read: (nodes) => nodes.filter((n) => n.up && n.state.srcadr !== '' && n.state.leap !== NOSYNC).length,
  },
  // What NTP measured: the largest |θ| at the nodes' last updates (the first one is the clock's
  // starting error; later ones are what drift and noise added since the update before).
  { id: 'offsetUs', unit: 'us', read: (nodes) => maxOverSynced(nodes, (s) => Math.abs(s.offset)) },
  // What NTP promises: the largest error bound at the nodes' last updates, drawn as ±bound on
  // the clock-error chart.
  {
    id: 'boundUs',
    unit: 'us',
    read: (nodes) => maxOverSynced(nodes, (s) => s.boundUs),
    chart: clockChart(CHART, true),
  },
];

/** What no node can know: each one's true clock error, the chart's lines. */
const nodeMetrics: NodeMetricSpec<NtpState>[] = [clockErrorSeries(CHART)];

function initState(kind: NtpState['kind']): NtpState {
  const primary = kind === 'primary';
  return {
    kind,
    correctionUs: 0,
    leap: primary ? 0 : NOSYNC,
    stratum: primary ? 1 : MAXSTRAT,
    refid: primary ? 'GPS' : '',
    reftime: 0,
    rootdelay: 0,
    rootdisp: 0,
    srcadr: '',
    xmt: 0,
    filter: [],
    t: 0,
    offset: 0,
    delay: 0,
    jitter: 0,
    boundUs: 0,
    updates: 0,
    steps: 0,
  };
}

export const ntp: Protocol<NtpParams, NtpState, NtpMsg> = {
  id: 'ntp',
  topic: 'clocks',
  title: 'NTP (RFC 5905)',
  version: 2,
  // A poll a second: at 2x each client's exchange comes every half second on screen, the strata
  // synchronize within the first few seconds after Play, and c1's clock step at 30 s comes
  // 15 s after it (at 0.5x, a minute).
  speed: 2,
  roles: [
    { id: 'primary', label: 'Primary server (stratum 1)', min: 1, max: null },
    { id: 'secondary', label: 'Secondary server', min: 0, max: null },
    { id: 'client', label: 'Client', min: 0, max: null },
  ],
  params: NtpParams,
  defaultTopology() {
    // Drawn upside down, time flowing up from the reference at the bottom. One primary with a
    // perfect clock (it stands for its GPS receiver), two secondaries a WAN
    // hop away, four clients on LANs; clocks off by milliseconds to seconds, drifting within PHI.
    const wan = { kind: 'normal', meanUs: 20_000, stdUs: 3000, minUs: 12_000 } as const;
    const lan = { kind: 'normal', meanUs: 2000, stdUs: 600, minUs: 500 } as const;
    const n = clockedNode;
    return {
      nodes: [
        n('s1', 'primary', 300, 330, 0, 0),
        n('s2a', 'secondary', 100, 170, 250_000, 10),
        n('s2b', 'secondary', 500, 170, -300_000, -8),
        n('c1', 'client', 0, 0, 800_000, 12),
        n('c3', 'client', 200, 0, 5000, 14),
        n('c2', 'client', 400, 0, -20_000, -5),
        n('c4', 'client', 600, 0, -1_500_000, -12),
      ],
      links: [
        link('s1', 's2a', wan),
        link('s1', 's2b', wan),
        link('s2a', 'c1', lan),
        link('s2a', 'c3', lan),
        link('s2b', 'c2', lan),
        link('s2b', 'c4', lan),
      ],
    };
  },
  quickStart() {
    // At 30 s c1's clock jumps 500 ms ahead: its poll timer, due within the half second the clock
    // skipped, fires at once; the poll measures the jump and steps it back.
    return {
      faults: [{ atUs: 30_000_000, fault: { kind: 'clock-step', node: 'c1', deltaUs: 500_000 } }],
      maxTimeUs: 60_000_000,
    };
  },
  init(node) {
    return initState(
      node.role === 'primary' ? 'primary' : node.role === 'secondary' ? 'secondary' : 'client',
    );
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        s.srcadr = s.kind === 'primary' ? '' : serverOf(ctx);
        // The first poll after a random part of the interval, so the clients do not all ask at once.
        if (s.srcadr !== '') ctx.setTimer('poll', ctx.rng.int(0, ctx.params.pollMs * 1000));
        return;
      case 'timer':
        if (input.name === 'poll') poll(ctx, s);
        return;
      case 'message':
        if (input.msg.type === 'NtpRequest') serve(ctx, s, input.from, input.msg);
        else receive(ctx, s, input.from, input.msg);
        return;
      case 'client':
        ctx.reply(input.op, { ok: false }); // not a key-value store
        return;
    }
  },
  // A crash loses NTP's variables: the node starts unsynchronized, though its clock keeps what
  // NTP corrected (the kernel's clock survives a crash of the protocol). The corrections and the
  // lesson's counters are kept.
  durable: ['updates', 'steps', 'correctionUs'],
  invariants: [withinBound, slewSmall],
  liveness: [allSynchronized, staysWithinBound],
  historyCheckers: [],
  metrics,
  nodeMetrics,
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'primary') return { text: 'stratum 1 · reference', tone: 'good' };
    if (s.leap === NOSYNC) return { text: 'unsynchronized', tone: 'warn' };
    // The canvas's clock badge shows the clock's true error; this shows what NTP claims and corrected.
    return {
      text: `stratum ${s.stratum} · ±${ms(s.boundUs)} · corr. ${signedDuration(s.correctionUs)}`,
      tone: 'good',
    };
  },
  bugs: [
    {
      param: 'bugIgnoreDelay',
      title:
        'Ignores the network delay (θ = T3 − T4, δ = 0): clocks lag by a one-way trip yet claim a tight bound',
    },
    {
      param: 'bugAlwaysStep',
      title: 'Steps every correction, however small: clocks jump, often backwards',
    },
  ],
  lesson: {
    summary:
      'No two clocks agree: each starts somewhere and drifts. NTP lets a client learn its offset from a server over a network whose delay it does not know: four timestamps give the offset θ = ((T2 − T1) + (T3 − T4)) / 2 and the round trip δ; θ is exact when both directions take as long, and off by half their difference otherwise, never more than δ/2. Servers form strata below a reference clock, each adding its round trip to the error bound. Large offsets are stepped, small ones slewed so time never runs backwards.',
    watch: [
      'The secondaries synchronize first (stratum 2), then the clients (stratum 3): a client ignores a server that is not synchronized yet',
      'c1 and c4 start far off and are stepped; c2 is 20 ms off and slewed at 500 ppm, which takes 40 s',
      "Each node's badge: its stratum, the error bound NTP claims (about half the round trips down to the primary) and the correction NTP applied; the clock badge below it is the clock's true error (which no node can know), within that bound",
      "The Metrics tab's clock-error chart: every node's error over time, seconds at first and milliseconds once synchronized, inside the ±bound NTP claims; the scale is logarithmic beyond ±0.1 ms",
      "At 30 s c1's clock jumps 500 ms ahead; its poll timer, due in the skipped half second, fires at once and NTP steps the clock back",
    ],
    tryThis: [
      'Turn on bugIgnoreDelay: within-bound stops the run at the first update, the clock a one-way trip behind while it claims microseconds',
      'Turn on bugAlwaysStep: slew-under-threshold catches the first small step',
      "Open the library's 'NTP: an asymmetric route': c1's requests take 20 ms and its replies 1 ms, so it settles about 9.5 ms ahead of true time while measuring an offset near 0, still within its bound of half the round trip",
      "Raise c3's drift to 5,000 ppm (a broken oscillator): a 500 ppm slew cannot keep up, so its offset grows past 128 ms and NTP steps it, a saw-tooth of about 100 ms (the offsetUs series; NTP's frequency discipline, left out here, would learn the drift)",
    ],
  },
};
