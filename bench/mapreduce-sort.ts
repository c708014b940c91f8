/**
 * MapReduce §5.3, scaled down (issue 19): Dean & Ghemawat (OSDI 2004) ran a sort in three ways
 * (Figure 3): (a) normal execution, (b) no backup tasks, (c) 200 of 1746 worker processes
 * killed several minutes in and restarted at once by the cluster scheduler. This runs the
 * lab's sort job the same three ways over a range of seeds and prints, per configuration, the
 * job completion time (median, p90, max) and its ratio to normal:
 *   npx tsx bench/mapreduce-sort.ts [--seeds 1..50]
 * Every trial counts: one that has not finished by the time limit is a censored sample,
 * counted at the limit (so the figures are lower bounds) and reported, never dropped.
 * Virtual time: the figures depend on the cost params, not on this machine.
 * The scenario is the library's `mapreduce-straggler` item (its params, links and cost model)
 * with the sort job, more workers and the changes below; docs/protocols/mapreduce.md
 * "§5.3, scaled down" lists every difference from the paper's method.
 */
import { readFileSync } from 'node:fs';
import { type Scenario, ScenarioSchema } from '../src/shared/scenario/schema';
import { Rng } from '../src/sim/kernel/rng';
import { directOutput, pairBytes } from '../src/sim/protocols/mapreduce/jobs';
import type { MasterState } from '../src/sim/protocols/mapreduce/mapreduce';
import { Simulation } from '../src/sim/simulation';

/** The cluster: the paper had 1746 workers, M = 15000 and R = 4000; here the most the corpus allows. */
const WORKERS = 8;
const MAP_TASKS = 12;
const REDUCE_TASKS = 8;
/** (c): one of eight workers killed (the paper: 200 of 1746, about one in nine)... */
const KILLED = 1;
/** ...at a fixed time, halfway through the map phase of (a) (the paper: "several minutes into the computation")... */
const KILL_AT_US = 120_000;
/** ...and restarted at once with an empty disk, as the paper's cluster scheduler did. */
const RESTART_AFTER_US = 10_000;
/** A trial not done by then is censored. */
const LIMIT_US = 20_000_000;

const seedsArg = process.argv.indexOf('--seeds');
const [lo, hi] = (seedsArg > 0 ? process.argv[seedsArg + 1]! : '1..50').split('..').map(Number) as [
  number,
  number,
];
if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo))
  throw new Error(`--seeds wants a range such as 1..50, got ${process.argv[seedsArg + 1]}`);
const seeds = Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);

const item = JSON.parse(
  readFileSync(new URL('../resources/library/mapreduce-straggler.dslab.json', import.meta.url), 'utf8'),
);
const base = ScenarioSchema.parse(item.scenario);
const workerIds = Array.from({ length: WORKERS }, (_, k) => `w${k + 1}`);

/** The library item's star with workers w5.. added, each placed and linked like w4. */
function withWorkers(sc: Scenario): Scenario['topology'] {
  const { nodes, links } = sc.topology;
  const w4 = nodes.find((n) => n.id === 'w4')!;
  const w4Link = links.find((l) => l.a === 'w4' || l.b === 'w4')!;
  const extra = workerIds.slice(4);
  return {
    ...sc.topology,
    nodes: [...nodes, ...extra.map((id, k) => ({ ...w4, id, name: id, x: w4.x + (k + 1) * 200 }))],
    links: [...links, ...extra.map((id) => ({ ...w4Link, id: `${id}-sw`, a: id, b: 'sw' }))],
  };
}

/** Which worker straggles and which are killed: drawn from the seed, so each seed is another cluster. */
function draw(seed: number): { slow: string; killed: string[] } {
  const rng = new Rng(seed, 'bench/mapreduce-sort');
  const pool = [...workerIds];
  const pick = () => pool.splice(rng.int(0, pool.length - 1), 1)[0]!;
  const slow = pick();
  // Killed among all workers, the straggler included (the paper killed processes at random).
  pool.push(slow);
  return { slow, killed: Array.from({ length: KILLED }, pick) };
}

interface Config {
  name: string;
  backupTasks: boolean;
  kill: boolean;
}
const CONFIGS: Config[] = [
  { name: '(a) normal execution', backupTasks: true, kill: false },
  { name: '(b) no backup tasks', backupTasks: false, kill: false },
  { name: `(c) ${KILLED} of ${WORKERS} workers killed`, backupTasks: true, kill: true },
];

interface Trial {
  /** Job completion time, or the limit when censored. */
  us: number;
  censored: boolean;
  master: MasterState;
}

function trial(config: Config, seed: number): Trial {
  const { slow, killed } = draw(seed);
  const faults = config.kill
    ? killed.flatMap((node) => [
        { atUs: KILL_AT_US, fault: { kind: 'crash', node } },
        { atUs: KILL_AT_US + RESTART_AFTER_US, fault: { kind: 'restart', node } },
      ])
    : [];
  const sc = ScenarioSchema.parse({
    ...base,
    name: `MapReduce sort, ${config.name}`,
    params: {
      ...base.params,
      job: 'sort',
      mapTasks: MAP_TASKS,
      reduceTasks: REDUCE_TASKS,
      backupTasks: config.backupTasks,
      slowWorker: slow,
      // The liveness check would stop a slow job at 2 s; the bench's own limit censors instead.
      settleMs: LIMIT_US / 1000,
    },
    topology: withWorkers(base),
    faults,
    limits: { ...base.limits, maxTimeUs: LIMIT_US },
  });
  const sim = new Simulation(sc, { seed });
  // Stop at the end of the job (the master keeps pinging for ever) or at the limit.
  const master = () => sim.nodeState('m')!.state as MasterState;
  while (!master().done && sim.nowUs < LIMIT_US && sim.runFor(1_000).steps > 0) {}
  if (sim.violation !== null && sim.violation.invariant !== 'job-completes')
    throw new Error(`${sc.name}, seed ${seed}: ${sim.violation.invariant}: ${sim.violation.message}`);
  const m = master();
  return m.done ? { us: m.doneUs!, censored: false, master: m } : { us: LIMIT_US, censored: true, master: m };
}

/** When the map phase ended: the first reduce starts once every map task is completed. */
function mapPhaseEndUs(m: MasterState): number {
  // Never started in a censored trial that did not finish its maps: counted at the limit.
  return Math.min(LIMIT_US, ...m.bars.filter((b) => b.label.startsWith('R')).map((b) => b.startUs));
}

/** The whole sorted output, computed directly (so a censored trial's missing files count too). */
const OUTPUT_BYTES = pairBytes(directOutput('sort', ''));

/** The share of the output bytes renamed into place by `atUs` (the paper's Figure 3 plots the output rate). */
function outputShareAt(m: MasterState, atUs: number): number {
  let done = 0;
  m.reduce.forEach((task, r) => {
    const end = m.bars.find((b) => b.attempt === task.attempt)?.endUs;
    if (task.state === 'completed' && end !== null && end !== undefined && end <= atUs)
      done += pairBytes(m.files[`mr-out-${r}`] ?? []);
  });
  return done / OUTPUT_BYTES;
}

/** The q-quantile by the nearest-rank method (every sample counts). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const ms = (us: number) => `${Math.round(us / 1000)} ms`;
const results = CONFIGS.map((config) => {
  const trials = seeds.map((seed) => trial(config, seed));
  const us = trials.map((t) => t.us).sort((a, b) => a - b);
  return {
    config,
    trials,
    p50: quantile(us, 0.5),
    p90: quantile(us, 0.9),
    max: us[us.length - 1]!,
    censored: trials.filter((t) => t.censored).length,
    mapPhase: quantile(
      trials.map((t) => mapPhaseEndUs(t.master)).sort((a, b) => a - b),
      0.5,
    ),
    backups: trials.reduce((n, t) => n + t.master.backups, 0) / trials.length,
    reExecuted: trials.reduce((n, t) => n + t.master.reExecuted, 0) / trials.length,
  };
});

const normal = results[0]!;
console.log(
  `MapReduce sort, §5.3 scaled down: ${WORKERS} workers, M ${MAP_TASKS}, R ${REDUCE_TASKS}, one straggler ` +
    `(x${base.params.slowFactor}) per seed; seeds ${lo}..${hi}; (c) kills ${KILLED} at ${ms(KILL_AT_US)}, ` +
    `restarted ${ms(RESTART_AFTER_US)} later; limit ${ms(LIMIT_US)}`,
);
console.log(
  '| configuration | median | p90 | max | median / normal | censored | maps done (median) | backups / trial | re-executed / trial |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.config.name} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.max)} | ${(r.p50 / normal.p50).toFixed(2)} | ` +
      `${r.censored} of ${r.trials.length} | ${ms(r.mapPhase)} | ${r.backups.toFixed(1)} | ${r.reExecuted.toFixed(1)} |`,
  );

// Output over time: the median over seeds of the share of the output written by each time.
const STEPS_MS = [400, 500, 600, 800, 1000, 1500, 2000, 3000, 4000];
console.log('\nShare of the sorted output written by time t (median over seeds):');
console.log(`| configuration | ${STEPS_MS.map((t) => `${t} ms`).join(' | ')} |`);
console.log(`|---|${STEPS_MS.map(() => '---').join('|')}|`);
for (const r of results) {
  const shares = STEPS_MS.map((t) =>
    quantile(
      r.trials.map((x) => outputShareAt(x.master, t * 1000)).sort((a, b) => a - b),
      0.5,
    ),
  );
  console.log(`| ${r.config.name} | ${shares.map((f) => `${Math.round(f * 100)}%`).join(' | ')} |`);
}
