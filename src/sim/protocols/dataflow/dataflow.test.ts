import { describe, expect, it } from 'vitest';
import { TimelineViewSchema } from '../../../shared/api/views';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import type { Input, Random } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import type { BatchMaster, BatchMsg, BatchParams, BatchState, BatchWorker } from './batch';
import { hadoop, hadoopPlan } from './hadoop';
import { hadoopQuickStart, sparkQuickStart, stormQuickStart } from './scenarios';
import { spark, sparkPlan } from './spark';
import {
  ledgerZero,
  type SpoutState,
  STREAM,
  type StormMsg,
  type StormParams,
  storm,
  treesView,
} from './storm';
import { stagesView } from './timeline-view';
import {
  contributions,
  corpusSplit,
  directPageRank,
  expectedOutput,
  graphSplit,
  initialRanks,
  newRanks,
  PAGES,
  partitionOfKey,
  splitRecords,
  wordCountMap,
  wordCountReduce,
  words,
} from './workload';

const nodes = { m: 'master', w1: 'worker', w2: 'worker', w3: 'worker', w4: 'worker' };
const ids = Object.keys(nodes).sort();
const msg = <M>(from: string, m: M): Input<M> => ({ kind: 'message', from, msg: m });
const start = { kind: 'start' } as const;

// ---------------------------------------------------------------------------------------------
// The workload, as the stages cut it

describe('the workload: the stages of both plans compute the direct answer', () => {
  it('word count: P map tasks and P reduce tasks give the direct count (P 1..6)', () => {
    for (const P of [1, 2, 4, 6]) {
      const maps = Array.from({ length: P }, (_, p) => wordCountMap(splitRecords(corpusSplit(p, P)), P));
      const out = Array.from({ length: P }, (_, r) => wordCountReduce(maps.map((b) => b[r]!))).flat();
      expect(out.sort(), `P=${P}`).toEqual([...expectedOutput('word-count', 0)].sort());
    }
  });

  it('PageRank: rounds over P partitions give the ranks computed on one machine (P 1..5, 1..4 rounds)', () => {
    for (const P of [1, 2, 3, 5])
      for (const rounds of [1, 2, 4]) {
        const links = Array.from({ length: P }, (_, p) => graphSplit(p, P));
        let ranks = links.map(initialRanks);
        for (let i = 0; i < rounds; i++) {
          const buckets = links.map((l, p) => contributions(l, ranks[p]!, P));
          ranks = links.map((_, r) => newRanks(buckets.map((b) => b[r]!)));
        }
        expect(ranks.flat().sort(), `P=${P} rounds=${rounds}`).toEqual([...directPageRank(rounds)].sort());
      }
  });

  it('PageRank keeps every page, with the heavily linked pages ranked first, and the mass near 1', () => {
    const ranks = directPageRank(4);
    expect(ranks.map(([u]) => u)).toEqual([...PAGES]);
    const total = ranks.reduce((n, [, r]) => n + Number(r), 0);
    expect(total).toBeGreaterThan(990_000);
    expect(total).toBeLessThanOrEqual(1_000_000);
    const top = [...ranks].sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0];
    expect(PAGES.indexOf(top)).toBeLessThan(8);
  });

  it('Hadoop chains two stages per round and writes every round to the DFS; Spark has one stage per round', () => {
    const p = hadoop.params.parse({ rounds: 3 }) as BatchParams;
    expect(hadoopPlan(p).map((s) => s.short)).toEqual(['J1M', 'J1R', 'J2M', 'J2R', 'J3M', 'J3R']);
    expect(hadoopPlan(p).filter((s) => s.output.to === 'dfs')).toHaveLength(3);
    const sp = spark.params.parse({ rounds: 3 }) as BatchParams;
    expect(sparkPlan(sp).map((s) => s.short)).toEqual(['S0.', 'S1.', 'S2.', 'S3.']);
    expect(sparkPlan(sp).filter((s) => s.output.to === 'dfs')).toHaveLength(1);
    expect(sparkPlan(sp)[1]!.links).toBe('cache');
    expect(sparkPlan({ ...sp, cache: false })[1]!.links).toBe('dfs');
  });
});

// ---------------------------------------------------------------------------------------------
// The batch master and workers, one input at a time

type BatchProto = typeof hadoop | typeof spark;
const bparams = (proto: BatchProto, over: Record<string, unknown> = {}) =>
  proto.params.parse(over) as BatchParams;
const bworld = (self: string, p: BatchParams, nowUs = 0) => ({ self, nodes, params: p, nowUs });
const binit = (proto: BatchProto, id: string, p: BatchParams) =>
  proto.init({ id, role: nodes[id as keyof typeof nodes], params: p as never, nodes: ids }) as BatchState;
const bhandle = (
  proto: BatchProto,
  s: BatchState,
  input: Input<BatchMsg>,
  world: ReturnType<typeof bworld>,
) =>
  handle(proto as never, s, input, world as never) as {
    sent: { to: string; msg: BatchMsg }[];
    notes: string[];
    events: { type: string }[];
  };

/** Every worker finishes the task it runs (as the master records it), stage after stage, `stages` times. */
function finishStages(proto: BatchProto, s: BatchMaster, p: BatchParams, stages: number, cached: boolean) {
  for (let k = 0; k < stages; k++)
    for (const w of ['w1', 'w2', 'w3', 'w4']) {
      const run = s.workers[w]!.running!;
      bhandle(
        proto,
        s,
        msg(w, {
          type: 'TaskDone',
          stage: run.stage,
          task: run.task,
          attempt: run.attempt,
          output: [],
          cached,
        }),
        bworld('m', p, 1000 * (k + 1)),
      );
    }
}

describe('the batch master (MapReduce §3, RDD §5)', () => {
  it('hands stage 0 out to every worker; the next stage starts only once a stage is complete', () => {
    const p = bparams(spark);
    const s = binit(spark, 'm', p) as BatchMaster;
    const out = bhandle(spark, s, start, bworld('m', p));
    const runs = out.sent.filter((x) => x.msg.type === 'RunTask');
    expect(runs.map((x) => [x.to, (x.msg as { task: number }).task])).toEqual([
      ['w1', 0],
      ['w2', 1],
      ['w3', 2],
      ['w4', 3],
    ]);
    expect((runs[0]!.msg as { main: unknown }).main).toEqual(graphSplit(0, 4));
    const run = s.workers.w1!.running!;
    const after = bhandle(
      spark,
      s,
      msg('w1', {
        type: 'TaskDone',
        stage: 0,
        task: run.task,
        attempt: run.attempt,
        output: null,
        cached: true,
      }),
      bworld('m', p, 10),
    );
    expect(after.sent.filter((x) => x.msg.type === 'RunTask')).toEqual([]);
  });

  it('Spark: a round goes to the worker that caches its links partition, without the links (§5.1 locality)', () => {
    const p = bparams(spark);
    const s = binit(spark, 'm', p) as BatchMaster;
    bhandle(spark, s, start, bworld('m', p));
    // Stage 0 done in an order that differs from the workers' order: w4 caches partition 0, and so on.
    const order = ['w4', 'w3', 'w2', 'w1'];
    for (const w of order)
      s.workers[w]!.running = { stage: 0, task: order.indexOf(w), attempt: 10 + order.indexOf(w) };
    let last: ReturnType<typeof bhandle> | null = null;
    for (const w of order)
      last = bhandle(
        spark,
        s,
        msg(w, {
          type: 'TaskDone',
          stage: 0,
          task: order.indexOf(w),
          attempt: 10 + order.indexOf(w),
          output: null,
          cached: true,
        }),
        bworld('m', p, 10),
      );
    const runs = last!.sent.filter((x) => x.msg.type === 'RunTask');
    expect(runs.map((x) => [x.to, (x.msg as { task: number }).task]).sort()).toEqual([
      ['w1', 3],
      ['w2', 2],
      ['w3', 1],
      ['w4', 0],
    ]);
    for (const r of runs) expect((r.msg as { links: unknown }).links).toBeNull();
  });

  it('Spark: a failed worker’s shuffle outputs are recomputed back along the lineage, and the stage reading them stops', () => {
    const p = bparams(spark);
    const s = binit(spark, 'm', p) as BatchMaster;
    bhandle(spark, s, start, bworld('m', p));
    finishStages(spark, s, p, 2, true); // stages 0 and 1 done, stage 2 running
    const w3task = s.workers.w3!.running!.task;
    // w3 restarted: its disk and memory are gone.
    const out = bhandle(spark, s, msg('w3', { type: 'Pong', incarnation: 1 }), bworld('m', p, 5000));
    expect(s.stages[0]!.filter((t) => t.state !== 'completed')).toHaveLength(1);
    expect(s.stages[1]!.filter((t) => t.state !== 'completed')).toHaveLength(1);
    expect(s.stages[2]!.every((t) => t.state !== 'completed')).toBe(true);
    expect(
      out.sent
        .filter((x) => x.msg.type === 'Abort')
        .map((x) => x.to)
        .sort(),
    ).toEqual(['w1', 'w2', 'w3', 'w4']); // w3's own execution too: it restarted without it
    expect(s.cacheAt[String(w3task)]).toBeUndefined();
    // Stage 0's lost task runs first (the lineage starts at the graph file), on an idle worker.
    const rerun = out.sent
      .filter((x) => x.msg.type === 'RunTask')
      .map((x) => (x.msg as { stage: number }).stage);
    expect(rerun.length).toBeGreaterThan(0);
    expect(new Set(rerun)).toEqual(new Set([0]));
  });

  it('Spark with bugNoLineageRecompute: the lost outputs stay "completed" and are read as empty', () => {
    const p = bparams(spark, { bugNoLineageRecompute: true });
    const s = binit(spark, 'm', p) as BatchMaster;
    bhandle(spark, s, start, bworld('m', p));
    finishStages(spark, s, p, 2, true);
    const out = bhandle(spark, s, msg('w3', { type: 'Pong', incarnation: 1 }), bworld('m', p, 5000));
    expect(s.stages[1]!.every((t) => t.state === 'completed')).toBe(true);
    const rerun = out.sent.filter((x) => x.msg.type === 'RunTask');
    expect(rerun.length).toBeGreaterThan(0);
    for (const r of rerun) expect((r.msg as { parents: string[] }).parents).toContain('');
  });

  it('Hadoop: a failure in job 2 re-runs job 2’s maps of that worker only; job 1’s output is in the DFS', () => {
    const p = bparams(hadoop);
    const s = binit(hadoop, 'm', p) as BatchMaster;
    bhandle(hadoop, s, start, bworld('m', p));
    finishStages(hadoop, s, p, 3, false); // J1M, J1R, J2M done; J2R running
    const out = bhandle(hadoop, s, msg('w3', { type: 'Pong', incarnation: 1 }), bworld('m', p, 5000));
    expect(s.stages[0]!.every((t) => t.state === 'completed')).toBe(true);
    expect(s.stages[1]!.every((t) => t.state === 'completed')).toBe(true);
    expect(s.stages[2]!.filter((t) => t.state !== 'completed')).toHaveLength(1);
    expect(out.notes.some((n) => n.includes('J2M'))).toBe(true);
  });

  it('Hadoop with bugNoMaterialize: a chained output kept on a failed worker is gone', () => {
    const p = bparams(hadoop, { bugNoMaterialize: true });
    const s = binit(hadoop, 'm', p) as BatchMaster;
    bhandle(hadoop, s, start, bworld('m', p));
    finishStages(hadoop, s, p, 1, false);
    for (const w of ['w1', 'w2', 'w3', 'w4']) {
      const run = s.workers[w]!.running!;
      bhandle(
        hadoop,
        s,
        msg(w, {
          type: 'TaskDone',
          stage: 1,
          task: run.task,
          attempt: run.attempt,
          output: [['p01', '5']],
          cached: false,
        }),
        bworld('m', p, 3000),
      );
    }
    const lost = s.dfs['ranks-1']!.findIndex((x) => x!.at === 'w3');
    expect(lost).toBeGreaterThanOrEqual(0);
    bhandle(hadoop, s, msg('w3', { type: 'Pong', incarnation: 1 }), bworld('m', p, 5000));
    expect(s.dfs['ranks-1']![lost]!.pairs).toEqual([]);
    expect(s.dfs['ranks-1']!.filter((x) => x!.pairs.length > 0)).toHaveLength(3);
  });

  it('a worker whose cached links are gone reads them from the graph file (lineage); with the bug, nothing', () => {
    for (const bug of [false, true]) {
      const p = bparams(spark, { bugNoLineageRecompute: bug });
      const w = binit(spark, 'w2', p) as BatchWorker;
      bhandle(
        spark,
        w,
        msg('m', {
          type: 'RunTask',
          stage: 1,
          task: 2,
          attempt: 9,
          main: null,
          parents: ['w2', 'w2', 'w2', 'w2'],
          links: null,
        }),
        bworld('w2', p),
      );
      expect(w.run!.links).toEqual(bug ? [] : graphSplit(2, 4));
      expect(w.run!.linksFrom).toBe(bug ? 'cache' : 'dfs');
    }
  });

  it('the Stages view draws one row per worker, a bar per execution, and names the stages as the engine does', () => {
    const p = bparams(hadoop);
    const s = binit(hadoop, 'm', p) as BatchMaster;
    bhandle(hadoop, s, start, bworld('m', p));
    const view = stagesView('map', 'reduce').read(
      ids.map((id) => ({
        id,
        role: nodes[id as keyof typeof nodes],
        up: true,
        state: id === 'm' ? s : binit(hadoop, id, p),
      })),
      p,
      null,
    );
    const data = TimelineViewSchema.parse(view);
    expect(data.rows.map((r) => r.id)).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(data.bars.map((b) => b.label)).toEqual(['J1M0', 'J1M1', 'J1M2', 'J1M3']);
    expect(data.legend?.map((l) => l.label)).toEqual(['map', 'reduce', 'run again', 'work lost']);
  });
});

// ---------------------------------------------------------------------------------------------
// Storm's acker and bolts

/** A random stream that returns the given ids in turn. */
function ids_(...xs: number[]): Random {
  let i = 0;
  return {
    next: () => 0,
    int: (lo, hi) => (hi - lo < 10 ? lo : xs[i++]!),
    chance: () => false,
    normal: () => 0,
    exponential: () => 0,
    shuffled: (items) => [...items],
    pick: (items) => items[0]!,
  };
}
const sparams = (over: Partial<StormParams> = {}) => storm.params.parse(over);
const sworld = (self: string, p: StormParams, rng?: Random, nowUs = 0) => ({
  self,
  nodes,
  params: p,
  rng,
  nowUs,
});
const sinit = (id: string, p = sparams()) =>
  storm.init({ id, role: nodes[id as keyof typeof nodes], params: p, nodes: ids });

describe('Storm: the acker’s XOR ledger (Guaranteeing Message Processing)', () => {
  it('the split bolt acks a line with its id XOR the ids of the words it emitted, each to its count task', () => {
    const p = sparams();
    const w = sinit('w2', p);
    const line = 'one clerk counts';
    handle(
      storm,
      w,
      msg('m', { type: 'Line', root: 7, id: 100, msgId: 3, line } as StormMsg),
      sworld('w2', p),
    );
    const out = handle(storm, w, { kind: 'timer', name: 'work' }, sworld('w2', p, ids_(11, 22, 33)));
    const sent = out.sent.map((x) => x.msg);
    expect(sent.filter((m) => m.type === 'Word').map((m) => (m as { word: string }).word)).toEqual(
      words(line),
    );
    const workers = ['w1', 'w2', 'w3', 'w4'];
    for (const x of out.sent.filter((y) => y.msg.type === 'Word'))
      expect(x.to).toBe(workers[partitionOfKey((x.msg as { word: string }).word, 4)]);
    expect(sent.at(-1)).toEqual({ type: 'Ack', root: 7, val: 100 ^ 11 ^ 22 ^ 33 });
  });

  it('with bugAckBeforeEmit the line is acked with its id alone, as it arrives', () => {
    const p = sparams({ bugAckBeforeEmit: true });
    const w = sinit('w2', p);
    const out = handle(
      storm,
      w,
      msg('m', { type: 'Line', root: 7, id: 100, msgId: 3, line: 'a b' } as StormMsg),
      sworld('w2', p),
    );
    expect(out.sent).toEqual([{ to: 'm', msg: { type: 'Ack', root: 7, val: 100 } }]);
  });

  it('the tree completes exactly when every id has come back; the spout then acks its line', () => {
    const p = sparams();
    const s = sinit('m', p) as SpoutState;
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(500, 100)));
    expect(s.ledger).toEqual({ 500: { val: 100, msgId: 0 } });
    handle(storm, s, msg('w1', { type: 'Ack', root: 500, val: 100 ^ 11 ^ 22 }), sworld('m', p));
    handle(storm, s, msg('w2', { type: 'Ack', root: 500, val: 11 }), sworld('m', p));
    expect(s.acked[0]).toBe(false);
    const out = handle(
      storm,
      s,
      msg('w3', { type: 'Ack', root: 500, val: 22 }),
      sworld('m', p, undefined, 5000),
    );
    expect(s.acked[0]).toBe(true);
    expect(s.ledger).toEqual({});
    expect(s.pending).toEqual({});
    expect(out.events).toEqual([]);
  });

  it('an ack for a tree already forgotten opens a new entry that never closes (what ledger-zero sees)', () => {
    const p = sparams();
    const s = sinit('m', p) as SpoutState;
    handle(storm, s, msg('w3', { type: 'Ack', root: 999, val: 22 }), sworld('m', p));
    expect(s.ledger).toEqual({ 999: { val: 22, msgId: -1 } });
  });

  it('a line not acked within the message timeout is emitted again as a new tree', () => {
    const p = sparams();
    const s = sinit('m', p) as SpoutState;
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(500, 100)));
    const out = handle(
      storm,
      s,
      { kind: 'timer', name: 'tick' },
      sworld('m', p, ids_(600, 200), p.messageTimeoutMs * 1000),
    );
    expect(s.replays).toBe(1);
    expect(s.ledger['500']).toBeUndefined();
    expect(s.ledger['600']).toEqual({ val: 200, msgId: 0 });
    expect(s.pending['0']!.tries).toBe(2);
    expect(out.sent.map((x) => (x.msg as { msgId: number }).msgId)).toEqual([0]);
  });

  it('two lines timing out on the same tick are each failed once and replayed once', () => {
    const p = sparams();
    const s = sinit('m', p) as SpoutState;
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(500, 100)));
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(501, 101)));
    const t = p.messageTimeoutMs * 1000;
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(600, 200), t));
    expect(s.replays).toBe(2);
    expect(s.replay).toEqual([1]);
    const out = handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(601, 201), t + 10_000));
    expect(s.replays).toBe(2);
    expect(out.sent.map((x) => (x.msg as { msgId: number }).msgId)).toEqual([1]);
    expect(s.pending['1']!.tries).toBe(2);
  });

  it('the Trees tab draws a bar per try on its spout slot: timed out in red, the replay amber once acked', () => {
    const p = sparams();
    const s = sinit('m', p) as SpoutState;
    handle(storm, s, { kind: 'timer', name: 'tick' }, sworld('m', p, ids_(500, 100)));
    handle(
      storm,
      s,
      { kind: 'timer', name: 'tick' },
      sworld('m', p, ids_(600, 200), p.messageTimeoutMs * 1000),
    );
    handle(
      storm,
      s,
      msg('w1', { type: 'Ack', root: 600, val: 200 }),
      sworld('m', p, undefined, p.messageTimeoutMs * 1000 + 5000),
    );
    const view = TimelineViewSchema.parse(
      treesView.read([{ id: 'm', role: 'master', up: true, state: s }], p as never, null),
    );
    expect(view.bars.map((b) => [b.row, b.label, b.tone])).toEqual([
      ['slot0', 'L0', 'bad'],
      ['slot0', 'L0′', 'warn'],
    ]);
  });

  it('the count bolt counts a replayed word once with idempotentCounts, twice without', () => {
    for (const idempotentCounts of [true, false]) {
      const p = sparams({ idempotentCounts });
      const w = sinit('w1', p);
      for (const id of [1, 2]) {
        handle(
          storm,
          w,
          msg('w2', { type: 'Word', root: id, id, msgId: 4, pos: 0, word: 'clerk' } as StormMsg),
          sworld('w1', p),
        );
        handle(storm, w, { kind: 'timer', name: 'work' }, sworld('w1', p));
      }
      expect((w as { counts: Record<string, number> }).counts.clerk).toBe(idempotentCounts ? 1 : 2);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Whole runs over seeds

function run(sc: Scenario, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
}
const withFaults = (sc: Scenario, faults: Scenario['faults'], maxTimeUs = 8_000_000): Scenario =>
  ScenarioSchema.parse({ ...sc, faults, limits: { ...sc.limits, maxTimeUs } });
const crashW3 = (atUs: number, backUs: number): Scenario['faults'] =>
  [
    { atUs, fault: { kind: 'crash', node: 'w3' } },
    { atUs: backUs, fault: { kind: 'restart', node: 'w3' } },
  ] as Scenario['faults'];
const master = (sim: Simulation) => sim.nodeState('m')!.state as BatchMaster;
const metric = (sim: Simulation, id: string) => {
  const s = sim.metrics().series.find((x) => x.id === id)!;
  return s.v[s.v.length - 1]!;
};
const SEEDS = [1, 2, 3, 4];

describe('whole runs: every engine computes the direct answer, with and without a crash', () => {
  for (const [name, make] of [
    ['hadoop', hadoopQuickStart],
    ['spark', sparkQuickStart],
  ] as const)
    for (const job of ['word-count', 'pagerank'])
      it(`${name} ${job}: the job completes with the direct output, w3 crashing mid-job (seeds ${SEEDS.join(',')})`, () => {
        for (const seed of SEEDS) {
          const sim = run(withFaults(make({ job }), crashW3(200_000 + seed * 50_000, 900_000)), seed);
          expect(sim.violation, `seed=${seed}`).toBeNull();
          const s = master(sim);
          expect(s.done, `seed=${seed}`).toBe(true);
          expect(s.dfs.output!.flatMap((x) => x!.pairs).sort(), `seed=${seed}`).toEqual(
            [...expectedOutput(job as 'pagerank', 4)].sort(),
          );
        }
      });

  it('storm: every line acked, every word counted once, the ledger empty (quick start, seeds 1..4)', () => {
    for (const seed of SEEDS) {
      const sim = run(stormQuickStart(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const s = sim.nodeState('m')!.state as SpoutState;
      expect(s.doneUs, `seed=${seed}`).not.toBeNull();
      expect(s.ledger).toEqual({});
      expect(metric(sim, 'wordsCounted'), `seed=${seed}`).toBe(
        STREAM.reduce((n, [, l]) => n + words(l).length, 0),
      );
    }
  });
});

describe('the comparison the lesson claims (same cluster, same seed)', () => {
  it('PageRank: Spark with cached links beats Spark without, which beats Hadoop; Hadoop writes the most to disk', () => {
    for (const seed of [1, 2]) {
      const h = run(hadoopQuickStart(), seed);
      const sOn = run(sparkQuickStart(), seed);
      const sOff = run(sparkQuickStart({ cache: false }), seed);
      const t = (sim: Simulation) => master(sim).doneUs!;
      expect(t(sOn), `seed=${seed}`).toBeLessThan(t(sOff));
      expect(t(sOff), `seed=${seed}`).toBeLessThan(t(h));
      expect(metric(h, 'diskBytesWritten')).toBeGreaterThan(metric(sOn, 'diskBytesWritten'));
      expect(metric(sOff, 'diskBytesRead')).toBeGreaterThan(metric(sOn, 'diskBytesRead'));
    }
  });

  it('after a crash late in PageRank, Spark recomputes more tasks than Hadoop (lineage against the DFS)', () => {
    for (const seed of [1, 2]) {
      const h = run(withFaults(hadoopQuickStart(), crashW3(1_000_000, 1_500_000)), seed);
      const s = run(withFaults(sparkQuickStart(), crashW3(600_000, 1_100_000)), seed);
      expect(h.violation).toBeNull();
      expect(s.violation).toBeNull();
      expect(master(s).tasksRedone, `seed=${seed}`).toBeGreaterThan(master(h).tasksRedone);
    }
  });

  it('Storm: one line in flight costs one replay but a longer stream; a longer timeout a longer stream too', () => {
    const base = run(stormQuickStart(), 1);
    const one = run(stormQuickStart({ maxSpoutPending: 1 }), 1);
    const slow = run(stormQuickStart({ messageTimeoutMs: 1000 }), 1);
    expect(metric(one, 'tuplesReplayed')).toBeLessThan(metric(base, 'tuplesReplayed'));
    expect(metric(one, 'streamTimeMs')).toBeGreaterThan(metric(base, 'streamTimeMs'));
    // The stuck trees wait for the longer timeout: the stream ends about that much later.
    const longerMs = 1000 - sparams().messageTimeoutMs;
    expect(metric(slow, 'streamTimeMs')).toBeGreaterThan(metric(base, 'streamTimeMs') + 0.9 * longerMs);
  });

  it('Storm gives each line’s result in far less time than a batch job takes to give any', () => {
    const st = run(stormQuickStart(), 1);
    const sp = run(sparkQuickStart({ job: 'word-count' }), 1);
    expect(metric(st, 'completeLatencyMs') * 1000).toBeLessThan(master(sp).doneUs! / 2);
  });
});

describe('every check fires when its property breaks', () => {
  it('job-completes: with every worker gone for good, the job never finishes and the check says so', () => {
    const gone = ['w1', 'w2', 'w3', 'w4'].map((node) => ({ atUs: 100_000, fault: { kind: 'crash', node } }));
    for (const make of [hadoopQuickStart, sparkQuickStart]) {
      const sim = run(withFaults(make(), gone as Scenario['faults']), 1);
      expect(sim.violation?.invariant).toBe('job-completes');
      expect(sim.violation?.message).toContain('tasks left per stage');
    }
  });

  it('stream-completes: with w3 gone for good, the lines whose words it counts are replayed for ever', () => {
    const sim = run(
      withFaults(stormQuickStart(), [
        { atUs: 150_000, fault: { kind: 'crash', node: 'w3' } },
      ] as Scenario['faults']),
      1,
    );
    expect(sim.violation?.invariant).toBe('stream-completes');
  });

  it('ledger-zero: an open tree when every line is acked is reported', () => {
    const s = sinit('m') as SpoutState;
    const view = (st: SpoutState) => ({
      changed: { id: 'm', role: 'master', up: true, state: st },
      events: [{ type: 'stream-done' }],
    });
    expect(ledgerZero.check(view(s))).toBeNull();
    s.ledger['999'] = { val: 22, msgId: -1 };
    expect(ledgerZero.check(view(s))).toContain('1 tree(s) still open');
  });
});

describe('bug switches are caught', () => {
  it('bugNoMaterialize and bugNoLineageRecompute: output-correct stops a run with a crash mid-job', () => {
    const h = run(withFaults(hadoopQuickStart({ bugNoMaterialize: true }), crashW3(1_000_000, 1_500_000)), 1);
    expect(h.violation?.invariant).toBe('output-correct');
    const s = run(
      withFaults(sparkQuickStart({ bugNoLineageRecompute: true }), crashW3(500_000, 1_000_000)),
      1,
    );
    expect(s.violation?.invariant).toBe('output-correct');
  });

  it('bugAckBeforeEmit: no-loss stops the run when the spout thinks every line is done (seeds 1..4)', () => {
    for (const seed of SEEDS) {
      const sim = run(stormQuickStart({ bugAckBeforeEmit: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('no-loss');
    }
  });
});
