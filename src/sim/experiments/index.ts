/**
 * Experiments: runs of many simulations that reproduce a figure of a protocol's source, each
 * drawn by the app as cumulative distributions (one line per series). They drive the kernel,
 * so they live here, beside the Simulation, not in a protocol's folder; each names the
 * protocol it belongs to, and the catalog lists it with that protocol.
 */
import { FIGURE16_RANGES, leaderElectionTrials } from './election-timeouts';

/** One line of an experiment's figure: samples and their empirical distribution. */
export interface ExperimentSeries {
  /** What the line stands for ("150–300 ms"). */
  label: string;
  /** The measured values, milliseconds, ascending. */
  samplesMs: number[];
  /** Empirical CDF: the fraction of trials at or under `ms`. */
  cdf: { ms: number; p: number }[];
  /** Median, milliseconds. */
  medianMs: number;
  /** Trials that hit the experiment's cap (censored samples, counted at the cap). */
  capped: number;
}

/** What the app shows of an experiment before it runs. */
export interface ExperimentInfo {
  /** Id, unique in the lab. */
  id: string;
  /** The protocol it belongs to. */
  protocol: string;
  /** Heading. */
  title: string;
  /** What it does and what to look for, a paragraph. */
  summary: string;
  /** What a series is ("timeout range"). */
  seriesLabel: string;
  /** The label of the trials choice ("Trials per range"). */
  trialsLabel: string;
  /** What a capped trial means, under the legend. */
  capNote: string;
  /** What the x axis measures ("time without a leader"). */
  measure: string;
  /** Trials per series a person may choose, and the default. */
  trialsChoices: number[];
  defaultTrials: number;
}

/** An experiment: its description and how to run it. */
interface Experiment extends ExperimentInfo {
  /** How many trials a run of `trials` per series makes in all. */
  total(opts: { trials: number }): number;
  /** The run, one trial at a time: it yields before each trial and returns the series. */
  run(opts: { trials: number; seed: number }): Generator<void, ExperimentSeries[]>;
}

/** An experiment under way (startExperiment): its size and its trials, one `next()` each. */
export interface ExperimentRun {
  /** Trials in all (the generator yields at most this many times). */
  total: number;
  /** Yields before each trial; returns the series when done. */
  trials: Generator<void, ExperimentSeries[]>;
}

/** "150–300 ms", or "150 ms" for a range with no spread. */
export function rangeLabel(r: { minMs: number; maxMs: number }): string {
  return r.minMs === r.maxMs ? `${r.minMs} ms` : `${r.minMs}–${r.maxMs} ms`;
}

const EXPERIMENTS: Experiment[] = [
  {
    id: 'raft-election-timeouts',
    protocol: 'raft',
    title: 'Leader election after a crash (Raft paper, Figure 16)',
    summary:
      'Each line is one election-timeout range. For every trial the leader of a five-server cluster is crashed and we measure how long the cluster goes without a new leader. When all servers wait the same time they time out together, split the vote and try again, over and over; a few milliseconds of randomness lets one server usually time out first and win before the others stand, so the lines move left and get steep.',
    seriesLabel: 'timeout range',
    trialsLabel: 'Trials per range',
    measure: 'time without a leader',
    capNote: 'capped: no leader within 10 s (off the line)',
    trialsChoices: [20, 50, 100],
    defaultTrials: 20,
    total: ({ trials }) => trials * FIGURE16_RANGES.length,
    run: function* ({ trials, seed }) {
      const dists = yield* leaderElectionTrials({ trials, seed, ranges: FIGURE16_RANGES });
      return dists.map((d) => ({
        label: rangeLabel(d.range),
        samplesMs: d.samplesMs,
        cdf: d.cdf,
        medianMs: d.medianMs,
        capped: d.capped,
      }));
    },
  },
];

/** The experiments of a protocol (none for most). */
export function experimentsOf(protocolId: string): ExperimentInfo[] {
  return EXPERIMENTS.filter((e) => e.protocol === protocolId).map(({ run: _run, ...info }) => info);
}

/** Starts an experiment to run a trial at a time; undefined when there is none with that id. */
export function startExperiment(
  id: string,
  opts: { trials: number; seed: number },
): ExperimentRun | undefined {
  const e = EXPERIMENTS.find((x) => x.id === id);
  return e ? { total: e.total(opts), trials: e.run(opts) } : undefined;
}

/** Runs an experiment through; undefined when there is no experiment with that id. */
export function runExperiment(
  id: string,
  opts: { trials: number; seed: number },
): ExperimentSeries[] | undefined {
  const run = startExperiment(id, opts);
  if (!run) return undefined;
  for (;;) {
    const r = run.trials.next();
    if (r.done) return r.value;
  }
}
