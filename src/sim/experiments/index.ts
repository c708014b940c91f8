/**
 * Experiments: runs of many simulations that reproduce a figure of a protocol's source, each
 * drawn by the app as cumulative distributions (one line per series, in one or more panels,
 * as the source's figure has them). They drive the kernel, so they live here, beside the
 * Simulation, not in a protocol's folder; each names the protocol it belongs to, and the
 * catalog lists it with that protocol.
 */
import {
  type ElectionDistribution,
  FIGURE16_RANGES,
  FIGURE16_SCALED_RANGES,
  leaderElectionSteps,
  type TimeoutRange,
} from './election-timeouts';

/** One line of an experiment's figure: every trial, measured or censored. */
export interface ExperimentSeries {
  /** What the line stands for ("150–300 ms"). */
  label: string;
  /** The panel (graph) it is drawn in: an id of ExperimentInfo.panels. */
  panel: string;
  /** Trials run; every one counts. */
  trials: number;
  /** The measured values, milliseconds, ascending (censored trials are not among them). */
  samplesMs: number[];
  /** Trials that reached the cap without a result: censored, above every sample. */
  censored: number;
  /** The cap, milliseconds. */
  capMs: number;
  /** Empirical CDF over all trials: the fraction at or under `ms`; it ends below 1 when some are censored. */
  cdf: { ms: number; p: number }[];
  /** Median over all trials, milliseconds; null when half of them or more are censored. */
  medianMs: number | null;
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
  /** How it follows its source, and where it differs, a paragraph. */
  method: string;
  /** What a series is ("timeout range"). */
  seriesLabel: string;
  /** The label of the trials choice ("Trials per range"). */
  trialsLabel: string;
  /** What a censored trial means, under the legend. */
  censoredNote: string;
  /** What the x axis measures ("time without a leader"). */
  measure: string;
  /** The graphs, in order, each with its title (as the source's figure has them). */
  panels: { id: string; title: string }[];
  /** Trials per series a person may choose, and the default. */
  trialsChoices: number[];
  defaultTrials: number;
}

/** A run in steps: `next()` runs a little (one trial) and yields progress until the result. */
export type ExperimentSteps = Generator<{ done: number; total: number }, ExperimentSeries[], void>;

/** An experiment: its description and how to run it. */
interface Experiment extends ExperimentInfo {
  /** How many trials a run of `trials` per series makes in all. */
  total(opts: { trials: number }): number;
  steps(opts: { trials: number; seed: number }): ExperimentSteps;
}

/** An experiment under way (startExperiment): its size and its trials, one `next()` each. */
export interface ExperimentRun {
  /** Trials in all (the generator yields this many times). */
  total: number;
  /** Yields before each trial; returns the series when done. */
  trials: Generator<void, ExperimentSeries[]>;
}

/** "150–300 ms", or "150 ms" for a range with no spread. */
export function rangeLabel(r: { minMs: number; maxMs: number }): string {
  return r.minMs === r.maxMs ? `${r.minMs} ms` : `${r.minMs}–${r.maxMs} ms`;
}

function electionSeries(d: ElectionDistribution, panel: string): ExperimentSeries {
  return {
    label: rangeLabel(d.range),
    panel,
    trials: d.trials,
    samplesMs: d.samplesMs,
    censored: d.censored,
    capMs: d.capMs,
    cdf: d.cdf,
    medianMs: d.medianMs,
  };
}

const rangeKey = (r: TimeoutRange) => `${r.minMs}-${r.maxMs}`;

/** Every range of Figure 16's two graphs, each once (150–300 ms is in both). */
function figure16Ranges(): TimeoutRange[] {
  const ranges: TimeoutRange[] = [...FIGURE16_RANGES];
  for (const r of FIGURE16_SCALED_RANGES)
    if (!ranges.some((x) => rangeKey(x) === rangeKey(r))) ranges.push(r);
  return ranges;
}

/**
 * Figure 16's two graphs. 150–300 ms is in both, as in the paper; it is run once and drawn in
 * each.
 */
function* figure16Steps(opts: { trials: number; seed: number }): ExperimentSteps {
  const ranges = figure16Ranges();
  const total = ranges.length * opts.trials;
  const run = leaderElectionSteps({ ranges, trials: opts.trials, seed: opts.seed });
  for (;;) {
    const r = run.next();
    if (r.done) {
      const by = new Map(r.value.map((d) => [rangeKey(d.range), d]));
      return [
        ...FIGURE16_RANGES.map((x) => electionSeries(by.get(rangeKey(x))!, 'randomness')),
        ...FIGURE16_SCALED_RANGES.map((x) => electionSeries(by.get(rangeKey(x))!, 'scale')),
      ];
    }
    yield { done: r.value, total };
  }
}

const EXPERIMENTS: Experiment[] = [
  {
    id: 'raft-election-timeouts',
    protocol: 'raft',
    title: 'Leader election after a crash (Raft paper, Figure 16)',
    summary:
      'Each line is one election-timeout range. For every trial the leader of a five-server cluster is crashed and we measure how long the cluster goes without a new leader. When all servers wait the same time they time out together, split the vote and try again, over and over; with more randomness than the time a vote request takes to arrive, one server usually times out first and wins before the others stand, so the lines move left and get steep. The second graph scales the timeouts down: less downtime, until the minimum timeout nears the broadcast time.',
    method:
      "As in §9.3: five servers, a broadcast time of about 15 ms, heartbeats at half the minimum timeout, two followers lacking the leader's newest entry (they cannot win), the leader crashed at a uniformly random time within its heartbeat interval. A trial with no new leader within 10 s is censored: counted, and shown at the cap.",
    seriesLabel: 'timeout range',
    trialsLabel: 'Trials per range',
    measure: 'time without a leader',
    censoredNote:
      '○ a line ends at the cap: its other trials had no new leader within 10 s (censored, counted)',
    panels: [
      { id: 'randomness', title: 'Varying the randomness (minimum 150 ms)' },
      { id: 'scale', title: 'Scaling the minimum timeout (spread equal to the minimum)' },
    ],
    trialsChoices: [50, 200, 1000],
    defaultTrials: 1000,
    total: ({ trials }) => figure16Ranges().length * trials,
    steps: figure16Steps,
  },
];

/** The experiments of a protocol (none for most). */
export function experimentsOf(protocolId: string): ExperimentInfo[] {
  return EXPERIMENTS.filter((e) => e.protocol === protocolId).map(
    ({ steps: _steps, total: _total, ...info }) => info,
  );
}

/** Starts an experiment in steps; undefined when there is no experiment with that id. */
export function experimentSteps(
  id: string,
  opts: { trials: number; seed: number },
): ExperimentSteps | undefined {
  return EXPERIMENTS.find((e) => e.id === id)?.steps(opts);
}

/** Starts an experiment for a host to run a trial at a time (and cancel); undefined if none. */
export function startExperiment(
  id: string,
  opts: { trials: number; seed: number },
): ExperimentRun | undefined {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (e === undefined) return undefined;
  const steps = e.steps(opts);
  function* trials(): Generator<void, ExperimentSeries[]> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      yield;
    }
  }
  return { total: e.total(opts), trials: trials() };
}

/** Runs an experiment to its end; undefined when there is no experiment with that id. */
export function runExperiment(
  id: string,
  opts: { trials: number; seed: number },
): ExperimentSeries[] | undefined {
  const steps = experimentSteps(id, opts);
  if (steps === undefined) return undefined;
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
