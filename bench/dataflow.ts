/**
 * Hadoop vs Spark vs Storm, side by side (issue 19): one workload, the same cluster (a master
 * and four workers behind one switch), the same seed. Prints one table:
 *   npx tsx bench/dataflow.ts [--seed N]
 * For each engine and job: when the results are there (a batch job gives every result at its
 * end; Storm gives each line's as its tuple tree completes), throughput, bytes written to and
 * read from disk, and, in a second run where w3 crashes mid-job and comes back 0.5 s later, the
 * work redone (tasks run again, or lines replayed) and the time the job then takes.
 * Virtual time: the figures depend on the cost params (docs/protocols/dataflow.md), not on
 * this machine.
 */
import { type Scenario, ScenarioSchema } from '../src/shared/scenario/schema';
import type { BatchMaster } from '../src/sim/protocols/dataflow/batch';
import { hadoopQuickStart, sparkQuickStart, stormQuickStart } from '../src/sim/protocols/dataflow/scenarios';
import { type SpoutState, STREAM } from '../src/sim/protocols/dataflow/storm';
import { words } from '../src/sim/protocols/dataflow/workload';
import { Simulation } from '../src/sim/simulation';

const seedArg = process.argv.indexOf('--seed');
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;

function run(sc: Scenario, faults: Scenario['faults'] = []): Simulation {
  const s = ScenarioSchema.parse({ ...sc, faults, limits: { ...sc.limits, maxTimeUs: 10_000_000 } });
  const sim = new Simulation(s, { seed });
  sim.runUntil(s.limits.maxTimeUs);
  if (sim.violation !== null)
    throw new Error(`${s.name}: ${sim.violation.invariant}: ${sim.violation.message}`);
  return sim;
}
const last = (sim: Simulation, id: string): number => {
  const s = sim.metrics().series.find((x) => x.id === id);
  return s?.v[s.v.length - 1] ?? 0;
};
const crashW3 = (atUs: number): Scenario['faults'] =>
  [
    { atUs, fault: { kind: 'crash', node: 'w3' } },
    { atUs: atUs + 500_000, fault: { kind: 'restart', node: 'w3' } },
  ] as Scenario['faults'];

interface Row {
  engine: string;
  job: string;
  latency: string;
  throughput: string;
  written: number;
  read: number;
  redone: string;
  crashTime: string;
}

const ms = (us: number) => `${Math.round(us / 1000)} ms`;
const WORDS = STREAM.reduce((n, [, l]) => n + words(l).length, 0);

function batchRow(engine: string, job: string, make: () => Scenario, crashAtUs: number): Row {
  const clean = run(make());
  const m = clean.nodeState('m')!.state as BatchMaster;
  const crashed = run(make(), crashW3(crashAtUs));
  const c = crashed.nodeState('m')!.state as BatchMaster;
  const per =
    job === 'word-count'
      ? `${Math.round((WORDS / m.doneUs!) * 1e6)} words/s`
      : `${((m.rounds / m.doneUs!) * 1e6).toFixed(1)} rounds/s`;
  return {
    engine,
    job,
    latency: `${ms(m.doneUs!)} (all at the end)`,
    throughput: per,
    written: last(clean, 'diskBytesWritten'),
    read: last(clean, 'diskBytesRead'),
    redone: `${c.tasksRedone} tasks, ${c.workRedoneMs} ms`,
    crashTime: ms(c.doneUs!),
  };
}

function stormRow(): Row {
  const noCrash = run(stormQuickStart());
  const s = noCrash.nodeState('m')!.state as SpoutState;
  const crashed = run(stormQuickStart(), crashW3(150_000));
  const c = crashed.nodeState('m')!.state as SpoutState;
  return {
    engine: 'storm',
    job: 'word-count',
    latency: `${ms(s.latencySumUs / s.completed)} mean, ${ms(s.latencyMaxUs)} max per line`,
    throughput: `${Math.round((WORDS / s.doneUs!) * 1e6)} words/s`,
    written: 0,
    read: 0,
    redone: `${c.replays} lines replayed`,
    crashTime: ms(c.doneUs!),
  };
}

const rows: Row[] = [
  batchRow('hadoop', 'word-count', () => hadoopQuickStart({ job: 'word-count' }), 300_000),
  batchRow('spark', 'word-count', () => sparkQuickStart({ job: 'word-count' }), 300_000),
  stormRow(),
  batchRow('hadoop', 'pagerank', () => hadoopQuickStart(), 1_000_000),
  batchRow('spark', 'pagerank', () => sparkQuickStart(), 600_000),
  batchRow('spark (no cache)', 'pagerank', () => sparkQuickStart({ cache: false }), 600_000),
];

const head = [
  'engine',
  'job',
  'latency per result',
  'throughput',
  'disk written',
  'disk read',
  'work redone after w3 crashes',
  'time with the crash',
];
const cells = rows.map((r) => [
  r.engine,
  r.job,
  r.latency,
  r.throughput,
  `${r.written} B`,
  `${r.read} B`,
  r.redone,
  r.crashTime,
]);
console.log(
  `Hadoop vs Spark vs Storm, same cluster (m + w1..w4), seed ${seed}; w3 down for 0.5 s mid-job in the crash runs`,
);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const c of cells) console.log(`| ${c.join(' | ')} |`);
