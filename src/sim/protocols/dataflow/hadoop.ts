import { z } from 'zod';
import type { Protocol } from '../../protocol';
import {
  type BatchMsg,
  type BatchParams,
  type BatchState,
  batchDurable,
  batchMetrics,
  batchParamsShape,
  batchSummary,
  batchTopology,
  type Engine,
  initBatch,
  jobCompletes,
  OUTPUT_FILE,
  onBatch,
  outputCorrect,
  type Stage,
} from './batch';
import { stagesView } from './timeline-view';

/**
 * Hadoop: a multi-stage job as a chain of MapReduce jobs (Dean and Ghemawat, OSDI 2004, §3),
 * each job's output materialized in the distributed file system (HDFS: Shvachko et al., "The
 * Hadoop Distributed File System", MSST 2010, §2 "replication": three copies by default)
 * before the next job reads it back. Word count is one job: map, then reduce. PageRank is one
 * job per round, as Lin and Dyer write it ("Data-Intensive Text Processing with MapReduce",
 * 2010, §5.3): the map reads the round's ranks and the graph from HDFS and sends each page's
 * share of its rank to the pages it links to; the reduce sums the shares and writes the new
 * ranks to HDFS, three copies, for the next job to read.
 *
 * What that costs: every round writes its ranks to disk three times and reads them and the
 * graph back; every task starts a new JVM (`taskStartMs`). What it buys: a failed worker costs
 * at most the current job's tasks it ran, since everything before is in HDFS.
 */
export const HadoopParams = z.object({
  ...batchParamsShape,
  /** The job: PageRank by default, the iterative one (word count is one MapReduce job for both). */
  job: batchParamsShape.job.default('pagerank'),
  /** Starting a task: Hadoop starts a JVM for each (RDD §6.1 counts it among Hadoop's overheads). */
  taskStartMs: z.number().int().min(0).max(10_000).default(30),
  /** Bug switch: a chained job's output is kept on the worker that computed it, not written to HDFS. */
  bugNoMaterialize: z.boolean().default(false),
});
export type HadoopParams = z.infer<typeof HadoopParams>;

/** The chain of MapReduce jobs. */
export function hadoopPlan(p: BatchParams): Stage[] {
  if (p.job === 'word-count')
    return [
      {
        name: 'map',
        short: 'M',
        op: 'wc-map',
        input: { from: 'dfs', file: 'corpus' },
        links: 'none',
        output: { to: 'shuffle' },
      },
      {
        name: 'reduce',
        short: 'R',
        op: 'wc-reduce',
        input: { from: 'shuffle' },
        links: 'none',
        output: { to: 'dfs', file: OUTPUT_FILE, final: true },
      },
    ];
  const stages: Stage[] = [];
  for (let j = 1; j <= p.rounds; j++) {
    const last = j === p.rounds;
    stages.push({
      name: `job ${j} map`,
      short: `J${j}M`,
      op: 'pr-map',
      input: { from: 'dfs', file: j === 1 ? 'graph' : `ranks-${j - 1}` },
      links: j === 1 ? 'none' : 'dfs',
      output: { to: 'shuffle' },
    });
    stages.push({
      name: `job ${j} reduce`,
      short: `J${j}R`,
      op: 'pr-reduce',
      input: { from: 'shuffle' },
      links: 'none',
      output: { to: 'dfs', file: last ? OUTPUT_FILE : `ranks-${j}`, final: last },
    });
  }
  return stages;
}

const engine: Engine = {
  plan: hadoopPlan,
  keepsOutputLocal: (p, st) => p.bugNoMaterialize === true && st.output.to === 'dfs' && !st.output.final,
};

export const hadoop: Protocol<HadoopParams, BatchState, BatchMsg> = {
  id: 'hadoop',
  topic: 'big-data',
  title: 'Hadoop (chained MapReduce)',
  version: 1,
  // A PageRank round takes about 0.4 s of virtual time: at 0.25x a round plays in 1.6 s.
  speed: 0.25,
  roles: [
    { id: 'master', label: 'JobTracker', min: 1, max: 1 },
    { id: 'worker', label: 'Worker', min: 1, max: null },
  ],
  params: HadoopParams,
  defaultTopology: () => batchTopology(4),
  quickStart: () => ({
    name: 'Hadoop quick start: 4 PageRank rounds as 4 chained MapReduce jobs',
    faults: [],
    maxTimeUs: 4_000_000,
  }),
  init: (node) => initBatch(node.role, node.params, hadoopPlan(node.params)),
  on: onBatch(engine) as Protocol<HadoopParams, BatchState, BatchMsg>['on'],
  durable: batchDurable,
  invariants: [outputCorrect],
  liveness: [jobCompletes as never],
  historyCheckers: [],
  metrics: batchMetrics,
  views: [stagesView('map', 'reduce')],
  summary: (s, up) => batchSummary(s, up, (m) => hadoopPlan({ job: m.job, rounds: m.rounds } as BatchParams)),
  bugs: [
    {
      param: 'bugNoMaterialize',
      title:
        'A chained job’s output stays on the worker that computed it instead of HDFS: when that worker fails, the next job reads nothing (output-correct breaks)',
    },
  ],
  lesson: {
    summary:
      'Hadoop runs a multi-stage job as a chain of MapReduce jobs. Each job reads its input from the distributed file system and writes its whole output back to it, three copies, before the next job can start: every PageRank round pays for a disk round trip and new JVMs, but a failed worker costs only the current job’s tasks.',
    watch: [
      'The Stages tab: each round is a job of two stages, a map (J1M) and a reduce (J1R); the next job starts only once the reduce has written its ranks',
      'The metric diskBytesWritten grows by three copies of the ranks every round',
      'The checkers panel: the final ranks are compared with PageRank computed directly',
    ],
    tryThis: [
      'Crash w3 in the middle of the job (a fault at 1 s): only the current job’s tasks of w3 run again (amber), the earlier rounds are safe in HDFS',
      'Turn on bugNoMaterialize and crash w3 at 1 s: a round’s ranks lived only on w3, the next job reads nothing and output-correct stops the run',
      'Run Spark on the same job and compare jobTimeMs and diskBytesWritten',
      'Set job to word-count: one MapReduce job, and Hadoop and Spark are nearly even',
    ],
  },
};
