import type { Latency, Scenario } from '../../shared/scenario/schema';
import { Kernel } from '../kernel/kernel';
import { Rng } from '../kernel/rng';
import { lastLogIndex as lastIndexOf } from '../protocols/consensus/raft/log';
import { raft } from '../protocols/consensus/raft/raft';
import { raftScenario } from '../protocols/consensus/raft/scenario';
import type { ClientState, ServerState } from '../protocols/consensus/raft/types';

/**
 * The leader-election experiment of the Raft paper's Figure 16 (Ongaro & Ousterhout, "In Search
 * of an Understandable Consensus Algorithm (Extended Version)", §9.3), by the paper's method:
 *
 * - five servers, a broadcast time of about 15 ms (one-way latency 7 ± 1 ms);
 * - heartbeats at half the minimum election timeout;
 * - logs of different lengths, so that some servers cannot win: before each crash two of the
 *   four followers, drawn at random, miss the leader's newest entry (see `lag`);
 * - the leader crashed at a uniformly random time within its heartbeat interval;
 * - the time measured is from the crash to the moment a server becomes leader of a later term
 *   ("the time to detect and replace a crashed leader");
 * - every trial counts: a trial with no new leader within the cap (10 s) is a censored sample,
 *   reported as such ("37 of 1000 over 10 s"), never dropped.
 *
 * Pure and deterministic: it drives the kernel directly (no catalog, no clock), so the same
 * options give the same samples. docs/protocols/raft.md "The Figure 16 experiment" states each
 * choice and every difference from the paper.
 */

/** One election-timeout range, milliseconds. */
export interface TimeoutRange {
  /** electionTimeoutMsMin. */
  minMs: number;
  /** electionTimeoutMsMax. */
  maxMs: number;
}

/** Options for the experiment. */
export interface ElectionExperimentOptions {
  /** Ranges to try (default: the paper's top graph, FIGURE16_RANGES). */
  ranges?: TimeoutRange[];
  /** Leader crashes per range (default 1000, as in the paper). */
  trials?: number;
  /** Seed (default 1). */
  seed?: number;
  /** One-way latency of every link between servers (default FIGURE16_LATENCY). */
  latency?: Latency;
  /** Heartbeat interval for a range, ms (default: half the minimum timeout, whole ms, at least 1). */
  heartbeatMs?: (r: TimeoutRange) => number;
  /** A trial without a new leader this long after the crash is censored (default 10 s). */
  capMs?: number;
  /** Followers that miss the leader's newest entry before each crash (default 2 of the 4). */
  laggards?: number;
  /** Called at each crash with what the experiment set up (for tests and the curious). */
  observe?: (t: TrialSetup) => void;
}

/** The situation at a crash. */
export interface TrialSetup {
  range: TimeoutRange;
  /** The leader crashed, and its term. */
  leader: string;
  term: number;
  /** Followers that lack the leader's newest entry. */
  laggards: string[];
  /** Each server's last log index at the crash. */
  lastLogIndex: Record<string, number>;
  /** When the leader's last heartbeat round was sent, and the crash, µs. */
  heartbeatUs: number;
  crashUs: number;
  /** The heartbeat interval, µs. */
  heartbeatIntervalUs: number;
}

/** The distribution for one range. */
export interface ElectionDistribution {
  /** The range. */
  range: TimeoutRange;
  /** Heartbeat interval used, ms. */
  heartbeatMs: number;
  /** Trials run: every one counts, censored or not. */
  trials: number;
  /** Time without a leader of each trial that found one within the cap, ms, ascending. */
  samplesMs: number[];
  /** Trials with no new leader within the cap: censored at capMs, not in samplesMs. */
  censored: number;
  /** The cap, ms. */
  capMs: number;
  /**
   * Empirical CDF over all trials: the fraction of trials with a new leader within `ms`. It
   * ends at (trials - censored) / trials: censored trials are above every point.
   */
  cdf: { ms: number; p: number }[];
  /** Median over all trials, ms; null when half the trials or more are censored (above the cap). */
  medianMs: number | null;
  /**
   * Times the cluster could not elect a leader with this range before a trial, within the cap,
   * and one was elected with 150-300 ms timeouts (not measured).
   */
  restored: number;
}

/** The paper's Figure 16 (top) ranges: 150 ms minimum, more and more randomness. */
export const FIGURE16_RANGES: TimeoutRange[] = [
  { minMs: 150, maxMs: 150 },
  { minMs: 150, maxMs: 151 },
  { minMs: 150, maxMs: 155 },
  { minMs: 150, maxMs: 175 },
  { minMs: 150, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
];

/** The paper's Figure 16 (bottom) ranges: the minimum scaled down, spread equal to the minimum. */
export const FIGURE16_SCALED_RANGES: TimeoutRange[] = [
  { minMs: 12, maxMs: 24 },
  { minMs: 25, maxMs: 50 },
  { minMs: 50, maxMs: 100 },
  { minMs: 100, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
];

/**
 * Links between servers: 7 ms ± 1 ms one way (never below 4 ms), so a leader's broadcast to the
 * four others and their answers take about 15 ms, the paper's "broadcast time of roughly 15ms".
 */
export const FIGURE16_LATENCY: Latency = { kind: 'normal', meanUs: 7000, stdUs: 1000, minUs: 4000 };

/** The client's links: constant, so the experiment knows when a request reaches the leader. */
const CLIENT_LATENCY_US = 2000;

/** The range the cluster elects a leader with when it has none before a trial (the paper's advice). */
const RESTORE_RANGE: TimeoutRange = { minMs: 150, maxMs: 300 };

const MS = 1000;

/** The empirical distribution of a range's trials (see ElectionDistribution). */
export function distribution(
  range: TimeoutRange,
  heartbeatMs: number,
  samples: readonly number[],
  censored: number,
  capMs: number,
  restored = 0,
): ElectionDistribution {
  const samplesMs = [...samples].sort((a, b) => a - b);
  const trials = samplesMs.length + censored;
  const cdf = samplesMs.map((ms, i) => ({ ms, p: (i + 1) / trials }));
  // The median over all trials (the lower middle one): censored trials are the largest, so it
  // is known only when fewer than half are censored.
  const mid = Math.floor((trials - 1) / 2);
  return {
    range,
    heartbeatMs,
    trials,
    samplesMs,
    censored,
    capMs,
    cdf,
    medianMs: 2 * censored < trials ? samplesMs[mid]! : null,
    restored,
  };
}

/** The scenario of one range: five servers, one client that writes, the paper's timing. */
function figure16Scenario(
  range: TimeoutRange,
  heartbeatMs: number,
  seed: number,
  latency: Latency,
): Scenario {
  const sc = raftScenario({
    name: `figure 16 ${range.minMs}-${range.maxMs}`,
    servers: 5,
    clients: 1,
    seed,
    latency,
    params: {
      electionTimeoutMsMin: range.minMs,
      electionTimeoutMsMax: range.maxMs,
      heartbeatMs,
    },
    // One write at a time, at least a maximum timeout apart: each trial's newest entry (`lag`),
    // and none between it and the crash.
    workload: {
      kind: 'closed',
      concurrency: 1,
      thinkTimeUs: range.maxMs * MS,
      readFraction: 0,
      keys: { pattern: 'k', count: 1, distribution: 'uniform' },
      timeoutUs: 3_600_000_000,
    },
    maxTimeUs: Number.MAX_SAFE_INTEGER,
  });
  for (const l of sc.topology.links)
    if (l.a.startsWith('c') || l.b.startsWith('c')) l.latency = { kind: 'constant', us: CLIENT_LATENCY_US };
  // Trace rows are the kernel's memory cost; this experiment reads states, not the trace.
  return { ...sc, limits: { ...sc.limits, maxTraceRows: Number.MAX_SAFE_INTEGER } };
}

/** A running range: the kernel and what the experiment reads of it. */
class Cluster {
  readonly kernel: Kernel;
  /** Server ids, and their kernel indexes. */
  readonly servers: string[];
  private readonly index = new Map<string, number>();
  private readonly client: number;

  constructor(sc: Scenario) {
    this.kernel = new Kernel(raft, sc, sc.seed);
    this.servers = [];
    let client = -1;
    for (let i = 0; i < this.kernel.nodeCount; i++) {
      const info = this.kernel.nodeInfo(i);
      this.index.set(info.id, i);
      if (info.role === 'server') this.servers.push(info.id);
      else client = i;
    }
    this.client = client;
  }

  /** A node's live state (read only: the handler goes on changing it). */
  private view(i: number): { up: boolean; state: unknown } {
    return this.kernel.nodeViews()[i]!;
  }

  server(id: string): { up: boolean; s: ServerState } {
    const v = this.view(this.index.get(id)!);
    return { up: v.up, s: v.state as ServerState };
  }

  clientState(): ClientState {
    return this.view(this.client).state as ClientState;
  }

  /** The running leader of the highest term, or null. */
  leader(): { id: string; term: number } | null {
    let best: { id: string; term: number } | null = null;
    for (const id of this.servers) {
      const { up, s } = this.server(id);
      if (up && s.role === 'leader' && (best === null || s.currentTerm > best.term))
        best = { id, term: s.currentTerm };
    }
    return best;
  }

  /** Runs until `pred` holds or the next event is after `untilUs`; false if it did not hold. */
  runUntil(untilUs: number, pred: () => boolean): boolean {
    const k = this.kernel;
    for (;;) {
      if (pred()) return true;
      const next = k.nextEventUs();
      if (next < 0 || next > untilUs) return false;
      if (!k.stepOne()) return false;
    }
  }

  /** Processes every event at or before `untilUs`. */
  runTo(untilUs: number): void {
    this.runUntil(untilUs, () => false);
  }

  /**
   * Queues a fault now: it is applied at the current time, after the events already queued for
   * it and before any later one.
   */
  fault(f: Parameters<Kernel['injectFault']>[0]): void {
    this.kernel.injectFault(f);
  }
}

/**
 * Gives the leader a newest entry that `laggards` of its followers do not have, and keeps it
 * so until the crash: the client's next write reaches the leader while the leader's messages to
 * the laggards are dropped (a one-way partition around exactly that step), and from then on
 * the laggards' answers do not reach the leader, so it never learns they lack the entry and
 * never re-sends it. They still hear its heartbeats (their election timers are reset with the
 * others'). False if the write did not reach the leader as leader (the caller tries the next).
 */
function lag(c: Cluster, leaderId: string, laggards: readonly string[]): boolean {
  const k = c.kernel;
  // Wait for the client to send a new write to the leader.
  const sent = c.clientState().nextReq;
  if (!c.runUntil(Number.MAX_SAFE_INTEGER, () => c.clientState().nextReq > sent)) return false;
  const req = c.clientState().pending.at(-1);
  if (req === undefined || req.to !== leaderId) return false;
  // The request reaches the leader CLIENT_LATENCY_US after it was sent (constant latency).
  const arrival = k.nowUs + CLIENT_LATENCY_US;
  c.runTo(arrival - 1);
  c.fault({ kind: 'partition-oneway', id: 'fig16-lag', from: [leaderId], to: [...laggards] });
  const leader = c.server(leaderId).s;
  const before = lastIndexOf(leader);
  const appended = c.runUntil(arrival, () => lastIndexOf(leader) > before);
  c.fault({ kind: 'heal', id: 'fig16-lag' });
  if (!appended) return false;
  c.fault({ kind: 'partition-oneway', id: 'fig16-mute', from: [...laggards], to: [leaderId] });
  return true;
}

/** Time without a leader after a leader crash, per range (see the file comment). */
export function leaderElectionExperiment(opts: ElectionExperimentOptions = {}): ElectionDistribution[] {
  const steps = leaderElectionSteps(opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same as leaderElectionExperiment, one trial per step: a host runs it in bounded chunks
 * (the generator yields the number of trials done so far) and stays responsive.
 */
export function* leaderElectionSteps(
  opts: ElectionExperimentOptions = {},
): Generator<number, ElectionDistribution[], void> {
  const ranges = opts.ranges ?? FIGURE16_RANGES;
  const trials = opts.trials ?? 1000;
  const seed = opts.seed ?? 1;
  const capUs = (opts.capMs ?? 10_000) * MS;
  const hbOf = opts.heartbeatMs ?? ((r: TimeoutRange) => Math.max(1, Math.floor(r.minMs / 2)));
  const laggardCount = opts.laggards ?? 2;
  const out: ElectionDistribution[] = [];
  let done = 0;
  for (const [n, range] of ranges.entries()) {
    const heartbeatMs = hbOf(range);
    const sc = figure16Scenario(
      range,
      heartbeatMs,
      (seed + n * 7919) >>> 0,
      opts.latency ?? FIGURE16_LATENCY,
    );
    const c = new Cluster(sc);
    const rng = new Rng(sc.seed, 'figure16');
    const samples: number[] = [];
    let censored = 0;
    let restored = 0;
    for (let t = 0; t < trials; t++) {
      // (1) A leader to crash (not measured). With none (the start, a censored trial, a leader
      // lost while settling), the cluster gets up to the cap to elect one with this range; if it
      // cannot (with no randomness the servers can stay in lock step for good), one is elected
      // with 150-300 ms timeouts and the range is set again.
      let leader = c.leader();
      if (leader === null && !c.runUntil(c.kernel.nowUs + capUs, () => c.leader() !== null)) {
        restored++;
        c.kernel.setParams({
          electionTimeoutMsMin: RESTORE_RANGE.minMs,
          electionTimeoutMsMax: RESTORE_RANGE.maxMs,
        });
        c.runUntil(Number.MAX_SAFE_INTEGER, () => c.leader() !== null);
        c.kernel.setParams({ electionTimeoutMsMin: range.minMs, electionTimeoutMsMax: range.maxMs });
      }
      // (2) Settle: every server hears the leader and draws its timers from this range again
      // (a restarted server catches up).
      c.runTo(c.kernel.nowUs + MS * (2 * range.maxMs + rng.int(0, range.maxMs)));
      leader = c.leader();
      if (leader === null) {
        t--;
        continue; // (the cluster lost its leader while settling: elect one again, as in (1))
      }
      const id = leader.id;
      // (3) Logs of different lengths: `laggardCount` followers, drawn at random, miss the
      // newest entry. A write that went elsewhere (a stale leader hint) is let through.
      const followers = c.servers.filter((s) => s !== id);
      for (let i = followers.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [followers[i], followers[j]] = [followers[j]!, followers[i]!];
      }
      const laggards = followers.slice(0, laggardCount);
      if (!lag(c, id, laggards) || c.leader()?.id !== id) {
        c.fault({ kind: 'heal', id: 'fig16-mute' });
        t--;
        continue;
      }
      // (4) The leader's next heartbeat (every follower's timer starts again), then the crash at
      // a uniformly random time within the heartbeat interval. Nothing happens between the last
      // event processed and that instant, so crashing at the last event is the same.
      const s = c.server(id).s;
      const seq = s.hbSeq;
      c.runUntil(Number.MAX_SAFE_INTEGER, () => s.hbSeq > seq);
      const heartbeatUs = c.kernel.nowUs;
      const crashUs = heartbeatUs + rng.int(0, heartbeatMs * MS - 1);
      c.runTo(crashUs);
      const term = c.server(id).s.currentTerm;
      if (opts.observe) {
        const lastLogIndex: Record<string, number> = {};
        for (const x of c.servers) lastLogIndex[x] = lastIndexOf(c.server(x).s);
        opts.observe({
          range,
          leader: id,
          term,
          laggards: [...laggards],
          lastLogIndex,
          heartbeatUs,
          crashUs,
          heartbeatIntervalUs: heartbeatMs * MS,
        });
      }
      c.fault({ kind: 'crash', node: id });
      c.fault({ kind: 'heal', id: 'fig16-mute' });
      // (5) Until a server is leader of a later term, or the cap.
      const found = c.runUntil(crashUs + capUs, () => (c.leader()?.term ?? -1) > term);
      if (found) samples.push((c.kernel.nowUs - crashUs) / MS);
      else {
        c.runTo(crashUs + capUs);
        censored++;
      }
      c.fault({ kind: 'restart', node: id });
      yield ++done;
    }
    out.push(distribution(range, heartbeatMs, samples, censored, capUs / MS, restored));
  }
  return out;
}
