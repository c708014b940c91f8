/**
 * One seed of a scenario, run to the end (or to --until-ms) and summarised as plain JSON: the
 * shape of `dslab run --json` and of every `dslab sweep` line. Used in the main thread and in
 * sweep workers alike, so the output cannot depend on where a seed ran.
 */
import { createSimulation, type Scenario, type Simulation, type StopReason } from '../sim/index';

/** A checker verdict as the CLI reports it. */
export interface CliVerdict {
  /** Invariant or history checker id. */
  id: string;
  /** `invariant` (checked as the run goes) or `history` (checked at the end). */
  kind: 'invariant' | 'liveness' | 'history';
  /** true held, false broken, null not evaluated (a history checker on an unfinished run). */
  ok: boolean | null;
  /** The violation, or the invariant's title when it held. */
  message: string;
  /** Event index of the violation (or of a history evaluation); null otherwise. */
  atEvent: number | null;
  /** Set when the protocol does not promise this check here: why (a failure is the lesson and fails nothing). */
  lesson?: string;
  /** For a failure: one line per item that shows it (offending operations, lost writes). */
  details?: string[];
}

/** A metric series reduced to a few numbers (a sweep line stays small). */
export interface SeriesSummary {
  /** Unit of the values. */
  unit: string;
  /** Number of samples. */
  samples: number;
  /** Last sample (null when there is none). */
  last: number | null;
  /** Smallest sample. */
  min: number | null;
  /** Largest sample. */
  max: number | null;
  /** Mean of the samples. */
  mean: number | null;
}

/** The first failed check of a run. */
export interface CliViolation {
  /** Invariant or history checker id. */
  invariant: string;
  /** What is wrong. */
  message: string;
  /** Event index it broke at. */
  atEvent: number;
  /** Virtual time of that event, milliseconds. */
  timeMs: number;
  /** The node that had just stepped (null for history checkers). */
  node: string | null;
}

/** The result of one seed (JSON). */
export interface RunResult {
  /** The seed. */
  seed: number;
  /** Events processed. */
  events: number;
  /** Virtual time of the last event, milliseconds. */
  simulatedMs: number;
  /** Why the run stopped: quiescent, time-limit, max-events, trace-limit, violation; `until` for --until-ms. */
  stopReason: StopReason | 'until' | 'error';
  /** Stable hash of the trace (16 hex digits). */
  traceHash: string;
  /** Counters, gauges, and each time series summarised. */
  metrics: {
    counters: Record<string, number>;
    gauges: Record<string, number>;
    series: Record<string, SeriesSummary>;
  };
  /** Every checker's verdict. */
  invariants: CliVerdict[];
  /** The first failed check, or null. */
  violation: CliViolation | null;
  /** Present only when the simulation threw (a kernel or protocol bug): the message. */
  error?: string;
}

/** Options of one seed's run. */
export interface RunSeedOptions {
  /** Stop after the last event at or before this virtual time (microseconds). */
  untilUs?: number;
  /** Events per chunk when running to the end (a chunk boundary changes nothing but memory). */
  chunk?: number;
}

function summarise(v: readonly number[], unit: string): SeriesSummary {
  if (v.length === 0) return { unit, samples: 0, last: null, min: null, max: null, mean: null };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { unit, samples: v.length, last: v[v.length - 1]!, min, max, mean: sum / v.length };
}

/**
 * A simulation for a straight run: the CLI never steps back, so only the initial checkpoint
 * is kept (checkpoints cost time and memory and do not change the trace).
 */
export function createRun(scenario: Scenario, seed: number): Simulation {
  return createSimulation(scenario, { seed, checkpointEvery: Number.MAX_SAFE_INTEGER });
}

/** Runs a created simulation to its end or to untilUs. */
export function advance(sim: Simulation, opts: RunSeedOptions = {}): void {
  if (opts.untilUs !== undefined) {
    sim.runUntil(opts.untilUs);
    return;
  }
  const chunk = opts.chunk ?? 100_000;
  while (!sim.done) sim.runFor(chunk);
}

/** Summarises a simulation where it stands. */
export function summariseRun(sim: Simulation, untilUs?: number): RunResult {
  const m = sim.metrics();
  const series: Record<string, SeriesSummary> = {};
  for (const s of m.series) series[s.id] = summarise(s.v, s.unit);
  const invariants: CliVerdict[] = sim.invariants().map((v) => ({
    id: v.id,
    kind: v.kind,
    ok: v.ok,
    message: v.message,
    atEvent: v.atEvent,
    ...(v.lesson === undefined ? {} : { lesson: v.lesson }),
    ...(v.details === undefined ? {} : { details: v.details }),
  }));
  const k = sim.violation;
  let violation: CliViolation | null = null;
  if (k !== null)
    violation = {
      invariant: k.invariant,
      message: k.message,
      atEvent: k.eventIndex,
      timeMs: k.timeUs / 1000,
      node: k.node,
    };
  else {
    // A check that fails as the lesson (not promised here) is not a violation.
    const h = invariants.find((v) => v.ok === false && v.lesson === undefined);
    if (h !== undefined)
      violation = {
        invariant: h.id,
        message: h.message,
        atEvent: h.atEvent ?? sim.eventIndex,
        timeMs: sim.nowUs / 1000,
        node: null,
      };
  }
  return {
    seed: sim.seed,
    events: sim.eventIndex,
    simulatedMs: sim.nowUs / 1000,
    stopReason: sim.stopReason ?? (untilUs !== undefined ? 'until' : 'quiescent'),
    traceHash: sim.traceHash(),
    metrics: { counters: m.counters, gauges: m.gauges, series },
    invariants,
    violation,
  };
}

/** True when a result counts as a failure for check/sweep exit codes. */
export function failed(r: RunResult): boolean {
  return r.violation !== null || r.error !== undefined;
}

/** Runs one seed of a validated scenario. A throw inside the simulation becomes `error`. */
export function runSeed(scenario: Scenario, seed: number, opts: RunSeedOptions = {}): RunResult {
  let sim: Simulation | undefined;
  try {
    sim = createRun(scenario, seed);
    advance(sim, opts);
    return summariseRun(sim, opts.untilUs);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      seed,
      events: sim?.eventIndex ?? 0,
      simulatedMs: (sim?.nowUs ?? 0) / 1000,
      stopReason: 'error',
      traceHash: '',
      metrics: { counters: {}, gauges: {}, series: {} },
      invariants: [],
      violation: null,
      error: message,
    };
  }
}
