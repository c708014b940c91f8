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
 * Spark: Matei Zaharia et al., "Resilient Distributed Datasets: A Fault-Tolerant Abstraction
 * for In-Memory Cluster Computing", NSDI 2012.
 *
 * A job is a graph of RDDs (§2): read-only, partitioned datasets, each built from others by a
 * transformation, and each remembering that lineage. A narrow dependency (§4: map, filter, a
 * join of co-partitioned RDDs) lets a partition be computed from one parent partition, in the
 * same task; a wide one (reduceByKey) needs every parent partition, so a shuffle. The scheduler
 * cuts the graph into stages at the wide dependencies (§5.1, Figure 5) and pipelines the narrow
 * ones inside a task. Shuffle outputs are kept on the nodes that computed them (§5.1, "much like
 * MapReduce materializes map outputs"); nothing else touches disk until the result is saved.
 *
 * PageRank (§3.2.2): links = the graph file, parsed and `persist()`ed; ranks start at 1/N; each
 * round, contribs = links.join(ranks).flatMap(share of rank per out-link) and ranks =
 * contribs.reduceByKey(_ + _).mapValues(a/N + (1 − a)·sum). The graph file is stored
 * partitioned by page, as ranks are, so the join is narrow and a round is one stage. With
 * `cache`, each worker keeps its links partition in memory, and the scheduler sends the next
 * round's task for that partition to it (§5.1, locality).
 *
 * Fault tolerance by lineage (§5.3): a lost cached partition is recomputed from its parent (the
 * graph file: read and parsed again); a lost shuffle output is recomputed by running its task
 * again, which needs its own parents: the recomputation walks the lineage back as far as it
 * must. No checkpoint (§5.4) in this slice.
 */
export const SparkParams = z.object({
  ...batchParamsShape,
  /** The job: PageRank by default, the iterative one (word count is one MapReduce job for both). */
  job: batchParamsShape.job.default('pagerank'),
  /** Starting a task: a thread in an executor that is already running (§6.1). */
  taskStartMs: z.number().int().min(0).max(10_000).default(3),
  /** links.persist() (§3.2.2): keep the parsed graph in memory across rounds. */
  cache: z.boolean().default(true).describe('persist() the links: keep them in memory across rounds.'),
  /** Bug switch: a lost partition is read as empty instead of being recomputed from its lineage. */
  bugNoLineageRecompute: z.boolean().default(false),
});
export type SparkParams = z.infer<typeof SparkParams>;

/** The stages of the RDD graph (§5.1): one per shuffle. */
export function sparkPlan(p: BatchParams): Stage[] {
  if (p.job === 'word-count')
    return [
      {
        name: 'stage 0 (textFile, flatMap, map)',
        short: 'S0.',
        op: 'wc-map',
        input: { from: 'dfs', file: 'corpus' },
        links: 'none',
        output: { to: 'shuffle' },
      },
      {
        name: 'stage 1 (reduceByKey, save)',
        short: 'S1.',
        op: 'wc-reduce',
        input: { from: 'shuffle' },
        links: 'none',
        output: { to: 'dfs', file: OUTPUT_FILE, final: true },
      },
    ];
  const stages: Stage[] = [
    {
      name: 'stage 0 (links, first contribs)',
      short: 'S0.',
      op: 'pr-first',
      input: { from: 'dfs', file: 'graph' },
      links: 'none',
      output: { to: 'shuffle' },
    },
  ];
  for (let i = 1; i < p.rounds; i++)
    stages.push({
      name: `stage ${i} (round ${i} ranks, contribs)`,
      short: `S${i}.`,
      op: 'pr-iterate',
      input: { from: 'shuffle' },
      links: p.cache === true ? 'cache' : 'dfs',
      output: { to: 'shuffle' },
    });
  stages.push({
    name: `stage ${p.rounds} (final ranks, save)`,
    short: `S${p.rounds}.`,
    op: 'pr-last',
    input: { from: 'shuffle' },
    links: 'none',
    output: { to: 'dfs', file: OUTPUT_FILE, final: true },
  });
  return stages;
}

const engine: Engine = { plan: sparkPlan, keepsOutputLocal: () => false };

export const spark: Protocol<SparkParams, BatchState, BatchMsg> = {
  id: 'spark',
  topic: 'big-data',
  title: 'Spark (RDDs and lineage)',
  version: 1,
  // A PageRank stage takes about 0.15 s of virtual time: at 0.25x (Hadoop's pace, so the two
  // compare side by side) a stage plays in 0.6 s.
  speed: 0.25,
  roles: [
    { id: 'master', label: 'Driver', min: 1, max: 1 },
    { id: 'worker', label: 'Worker', min: 1, max: null },
  ],
  params: SparkParams,
  defaultTopology: () => batchTopology(4),
  quickStart: () => ({
    name: 'Spark quick start: 4 PageRank rounds with the links cached',
    faults: [],
    maxTimeUs: 2_000_000,
  }),
  init: (node) => initBatch(node.role, node.params, sparkPlan(node.params)),
  on: onBatch(engine) as Protocol<SparkParams, BatchState, BatchMsg>['on'],
  durable: batchDurable,
  invariants: [outputCorrect],
  liveness: [jobCompletes as never],
  historyCheckers: [],
  metrics: batchMetrics,
  views: [stagesView('stage 0, 2, 4…', 'stage 1, 3, 5…')],
  summary: (s, up) =>
    batchSummary(s, up, (m) => sparkPlan({ job: m.job, rounds: m.rounds, cache: true } as BatchParams)),
  bugs: [
    {
      param: 'bugNoLineageRecompute',
      title:
        'A partition lost with a worker is read as empty instead of being recomputed from its lineage (output-correct breaks)',
    },
  ],
  lesson: {
    summary:
      'Spark keeps a job’s datasets in memory as RDDs: read-only partitions that each remember how they were built from others (their lineage). A PageRank round is one stage; the links are cached, so each round reads them from memory, and only the shuffle between rounds touches local disk. When a worker fails, what it held is recomputed from the lineage instead of being read back from replicated disk.',
    watch: [
      'The Stages tab: one stage per round (S1, S2...), each task on the worker that caches its links partition (badges say "cached")',
      'diskBytesWritten: only the shuffle files and the final save, against Hadoop’s three copies of every round',
      'The checkers panel: the final ranks are compared with PageRank computed directly',
    ],
    tryThis: [
      'Turn cache off: every round reads and parses the graph again, and jobTimeMs grows',
      'Crash w3 at 0.6 s (a fault; the spark-crash scenario): the stages before are redone for w3’s partitions (amber bars), back along the lineage',
      'Turn on bugNoLineageRecompute with the same crash: the lost partitions are read as empty and output-correct stops the run',
      'Run Hadoop on the same job and compare jobTimeMs, diskBytesWritten and, after a crash, workRedoneMs',
    ],
  },
};
