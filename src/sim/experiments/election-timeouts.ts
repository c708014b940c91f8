import type { Latency } from '../../shared/scenario/schema';
import { Kernel } from '../kernel/kernel';
import { Rng } from '../kernel/rng';
import { raft } from '../protocols/consensus/raft/raft';
import { RAFT_LATENCY, raftScenario } from '../protocols/consensus/raft/scenario';
import type { ServerState } from '../protocols/consensus/raft/types';

/**
 * The leader-election experiment of the paper's Figure 16 (§9.3): in a five-server cluster,
 * crash the leader again and again and measure how long the cluster goes without a leader,
 * for several ranges of randomized election timeouts. Pure and deterministic: it drives the
 * kernel directly (no catalog, no clock), so the same options give the same samples.
 *
 * Measured per trial: from the crash of the leader to the moment a server becomes leader of a
 * higher term. Then the old leader restarts and the cluster settles for a random interval
 * (as the paper let "the cluster stabilize" between crashes) before the next crash.
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
  /** Ranges to try (default: the paper's top graph, 150–150 … 150–300 ms). */
  ranges?: TimeoutRange[];
  /** Leader crashes per range (default 100; the paper used 1000). */
  trials?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Number of servers (default 5). */
  servers?: number;
  /** One-way latency of every link (default 5 ms ± 1 ms). */
  latency?: Latency;
  /** Heartbeat interval for a range (default: a third of the minimum timeout, at least 1 ms). */
  heartbeatMs?: (r: TimeoutRange) => number;
  /** A trial without a new leader after this long counts as this long (default 10 s). */
  capMs?: number;
}

/** The distribution for one range. */
export interface ElectionDistribution {
  /** The range. */
  range: TimeoutRange;
  /** Time without a leader per trial, milliseconds, ascending. */
  samplesMs: number[];
  /** Empirical CDF: the fraction of trials with at most `ms` milliseconds without a leader. */
  cdf: { ms: number; p: number }[];
  /** Median, milliseconds. */
  medianMs: number;
  /** Trials that hit the cap (no leader within capMs). */
  capped: number;
}

/** The paper's Figure 16 (top) ranges. */
export const FIGURE16_RANGES: TimeoutRange[] = [
  { minMs: 150, maxMs: 150 },
  { minMs: 150, maxMs: 151 },
  { minMs: 150, maxMs: 155 },
  { minMs: 150, maxMs: 175 },
  { minMs: 150, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
];

/** The paper's Figure 16 (bottom) ranges: shorter timeouts, spread equal to the minimum. */
export const FIGURE16_SCALED_RANGES: TimeoutRange[] = [
  { minMs: 12, maxMs: 24 },
  { minMs: 25, maxMs: 50 },
  { minMs: 50, maxMs: 100 },
  { minMs: 100, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
];

function leaderOf(k: Kernel, servers: number[]): { index: number; term: number } {
  let best = { index: -1, term: -1 };
  for (const i of servers) {
    const n = k.nodeInfo(i);
    const s = n.state as ServerState;
    if (n.up && s.role === 'leader' && s.currentTerm > best.term) best = { index: i, term: s.currentTerm };
  }
  return best;
}

/** Runs the kernel until `pred` holds or time passes `untilUs`; false if it did not hold. */
function runUntil(k: Kernel, untilUs: number, pred: () => boolean): boolean {
  for (;;) {
    if (pred()) return true;
    const next = k.nextEventUs();
    if (next < 0 || next > untilUs) return false;
    if (!k.stepOne()) return false;
  }
}

function runTo(k: Kernel, untilUs: number): void {
  for (;;) {
    const next = k.nextEventUs();
    if (next < 0 || next > untilUs) return;
    if (!k.stepOne()) return;
  }
}

/** Time without a leader after a leader crash, per range (see the file comment). */
export function leaderElectionExperiment(opts: ElectionExperimentOptions = {}): ElectionDistribution[] {
  const trials = leaderElectionTrials(opts);
  for (;;) {
    const r = trials.next();
    if (r.done) return r.value;
  }
}

/**
 * The same experiment one trial at a time: it pauses (yields) before each trial and returns
 * the distributions at the end, so a host can run it in slices and stay responsive. There are
 * at most `ranges.length * trials` pauses.
 */
export function* leaderElectionTrials(
  opts: ElectionExperimentOptions = {},
): Generator<void, ElectionDistribution[]> {
  const ranges = opts.ranges ?? FIGURE16_RANGES;
  const trials = opts.trials ?? 100;
  const seed = opts.seed ?? 1;
  const capUs = (opts.capMs ?? 10_000) * 1000;
  const hb = opts.heartbeatMs ?? ((r: TimeoutRange) => Math.max(1, Math.floor(r.minMs / 3)));
  const out: ElectionDistribution[] = [];
  for (const [k, range] of ranges.entries()) {
    const sc = raftScenario({
      name: `figure 16 ${range.minMs}-${range.maxMs}`,
      servers: opts.servers ?? 5,
      clients: 0,
      seed: (seed + k * 7919) >>> 0,
      latency: opts.latency ?? RAFT_LATENCY,
      params: {
        electionTimeoutMsMin: range.minMs,
        electionTimeoutMsMax: range.maxMs,
        heartbeatMs: hb(range),
      },
      maxTimeUs: Number.MAX_SAFE_INTEGER,
    });
    // Trace rows are the kernel's memory cost; this experiment needs none beyond the cap.
    const kernel = new Kernel(raft, { ...sc, limits: { ...sc.limits, maxTraceRows: 1e9 } }, sc.seed);
    const settle = new Rng(sc.seed, 'figure16');
    const servers: number[] = [];
    for (let i = 0; i < kernel.nodeCount; i++) if (kernel.nodeInfo(i).role === 'server') servers.push(i);
    const samples: number[] = [];
    let capped = 0;
    // Every server starts at time 0: with a zero-width range their timers would stay in lock
    // step forever. The first leader is elected with the default range, then the range applies.
    kernel.setParams({ electionTimeoutMsMin: 150, electionTimeoutMsMax: 300 });
    runUntil(kernel, capUs, () => leaderOf(kernel, servers).index >= 0);
    kernel.setParams({ electionTimeoutMsMin: range.minMs, electionTimeoutMsMax: range.maxMs });
    for (let t = 0; t < trials; t++) {
      yield;
      // Let the cluster settle: every server hears the leader, timers are re-randomized.
      runTo(kernel, kernel.nowUs + 1000 * (4 * range.maxMs + settle.int(0, 2 * range.maxMs)));
      const old = leaderOf(kernel, servers);
      if (old.index < 0) {
        if (!runUntil(kernel, kernel.nowUs + capUs, () => leaderOf(kernel, servers).index >= 0)) break;
        continue;
      }
      const id = kernel.ids[old.index]!;
      kernel.injectFault({ kind: 'crash', node: id });
      runUntil(kernel, Number.MAX_SAFE_INTEGER, () => !kernel.nodeInfo(old.index).up);
      const crashUs = kernel.nowUs;
      const ok = runUntil(kernel, crashUs + capUs, () => leaderOf(kernel, servers).term > old.term);
      if (!ok) capped++;
      samples.push(((ok ? kernel.nowUs : crashUs + capUs) - crashUs) / 1000);
      kernel.injectFault({ kind: 'restart', node: id });
      runUntil(kernel, Number.MAX_SAFE_INTEGER, () => kernel.nodeInfo(old.index).up);
    }
    samples.sort((a, b) => a - b);
    const n = samples.length;
    out.push({
      range,
      samplesMs: samples,
      cdf: samples.map((ms, i) => ({ ms, p: (i + 1) / n })),
      medianMs: n === 0 ? 0 : samples[Math.floor((n - 1) / 2)]!,
      capped,
    });
  }
  return out;
}
