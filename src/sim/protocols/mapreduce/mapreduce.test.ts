import { describe, expect, it } from 'vitest';
import { TimelineViewSchema } from '../../../shared/api/views';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import type { Input } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { CORPUS } from './corpus';
import {
  directOutput,
  expectedFile,
  JOBS,
  partitionOf,
  runMap,
  runReduce,
  splitBytes,
  splitOf,
} from './jobs';
import {
  type MapReduceMsg,
  type MapReduceParams,
  type MapReduceState,
  type MasterState,
  mapReduce,
  replicasOf,
  type WorkerState,
} from './mapreduce';
import { mrQuickStart } from './scenarios';
import { tasksView } from './timeline-view';

const nodes = { m: 'master', w1: 'worker', w2: 'worker', w3: 'worker', w4: 'worker' };
const ids = Object.keys(nodes).sort();
const params = (over: Partial<MapReduceParams> = {}) => mapReduce.params.parse(over);
const world = (self: string, p = params(), nowUs = 0) => ({ self, nodes, params: p, nowUs });
const init = (id: string, p = params()) =>
  mapReduce.init({ id, role: nodes[id as keyof typeof nodes], params: p, nodes: ids });
const master = (p = params()) => init('m', p) as MasterState;
const worker = (id = 'w1', p = params()) => init(id, p) as WorkerState;
const msg = (from: string, m: MapReduceMsg): Input<MapReduceMsg> => ({ kind: 'message', from, msg: m });
const timer = (name: string): Input<MapReduceMsg> => ({ kind: 'timer', name });
const start: Input<MapReduceMsg> = { kind: 'start' };

/** A master that has handed out its first maps and heard each worker's map finish. */
function masterAfterMaps(p = params()): { s: MasterState; done: number[] } {
  const s = master(p);
  handle(mapReduce, s, start, world('m', p));
  const done: number[] = [];
  for (const w of ['w1', 'w2', 'w3', 'w4']) {
    const run = s.workers[w]!.running!;
    handle(
      mapReduce,
      s,
      msg(w, { type: 'MapDone', task: run.task, attempt: run.attempt, sizes: [1, 2, 3] }),
      world('m', p, 1000),
    );
    done.push(run.task);
  }
  return { s, done };
}

describe('MapReduce jobs (§2.3): map, partition and reduce give the direct answer', () => {
  for (const job of JOBS)
    it(`${job}: every split mapped, every partition reduced, equals the direct computation (M 1..12, R 1..5)`, () => {
      for (const M of [1, 5, 12])
        for (const R of [1, 3, 5]) {
          const maps = Array.from({ length: M }, (_, m) => runMap(job, splitOf(m, M), R, 'clerk'));
          for (let r = 0; r < R; r++) {
            const out = runReduce(
              job,
              maps.map((regions) => regions[r]!),
            );
            expect(out, `${job} M=${M} R=${R} r=${r}`).toEqual(expectedFile(job, 'clerk', R, r));
          }
        }
    });

  it('word count counts the corpus; the splits cover every document once', () => {
    const counts = Object.fromEntries(directOutput('word-count', ''));
    expect([counts.the, counts.clerk, counts.master]).toEqual(['56', '12', '8']);
    for (const M of [1, 7, 12])
      expect(Array.from({ length: M }, (_, m) => splitOf(m, M).map((d) => d.name)).flat()).toEqual(
        CORPUS.map((d) => d.name),
      );
    expect(splitBytes(CORPUS)).toBe(2399);
  });

  it('sort partitions by key range, so the output files in order are sorted (§4.2)', () => {
    const R = 4;
    const lines = Array.from({ length: R }, (_, r) => expectedFile('sort', '', R, r))
      .flat()
      .map((p) => p[0]);
    expect(lines).toHaveLength(36);
    expect(lines).toEqual([...lines].sort());
    expect(partitionOf('sort', 'zebra', R)).toBe(R - 1);
    expect(partitionOf('sort', 'apple', R)).toBe(0);
  });
});

describe('MapReduce master rules (§3.1-§3.3)', () => {
  it('hands every idle worker a map task, preferring one whose split it holds (§3.4), and pings', () => {
    const s = master();
    const out = handle(mapReduce, s, start, world('m'));
    const given = out.sent.map((o) => [
      o.to,
      (o.msg as { task: number }).task,
      (o.msg as { local: boolean }).local,
    ]);
    // Splits live on two workers each (replicasOf): w1 holds 1 and 6, w2 0, 1, 2 and 5...
    expect(given).toEqual([
      ['w1', 1, true],
      ['w2', 0, true],
      ['w3', 3, true],
      ['w4', 2, true],
    ]);
    expect(replicasOf(3, ['w1', 'w2', 'w3', 'w4'])).toEqual(['w3', 'w4']);
    expect(s.map.map((t) => t.state).slice(0, 5)).toEqual([
      'in-progress',
      'in-progress',
      'in-progress',
      'in-progress',
      'idle',
    ]);
    expect(out.timers).toEqual([{ name: 'ping', afterUs: 100_000 }]);
  });

  it('without locality, hands out the first idle task whoever holds it', () => {
    const p = params({ locality: false });
    const s = master(p);
    const out = handle(mapReduce, s, start, world('m', p));
    const given = out.sent.map((o) => [
      o.to,
      (o.msg as { task: number }).task,
      (o.msg as { local: boolean }).local,
    ]);
    expect(given).toEqual([
      ['w1', 0, false],
      ['w2', 1, true],
      ['w3', 2, false],
      ['w4', 3, true],
    ]);
    expect(s.remoteMaps).toBe(2);
  });

  it('a worker silent for deadAfterMs is failed: its task in progress AND its completed maps go back to idle', () => {
    for (const bug of [false, true]) {
      const p = params({ bugNoRerunCompletedMaps: bug });
      const { s } = masterAfterMaps(p);
      // w3 completed M2 and now runs another map; everyone else answers the pings.
      const w3task = s.workers.w3!.running!.task;
      const w3done = s.map.findIndex((t) => t.state === 'completed' && t.worker === 'w3');
      for (const w of ['w1', 'w2', 'w4'])
        handle(mapReduce, s, msg(w, { type: 'Pong', incarnation: 0 }), world('m', p, 350_000));
      const out = handle(mapReduce, s, timer('ping'), world('m', p, 400_000));
      expect(s.workers.w3!.alive).toBe(false);
      expect(s.map[w3task]!.state, `bug=${bug}`).not.toBe('in-progress');
      expect(s.map[w3done]!.state, `bug=${bug}`).toBe(bug ? 'completed' : 'idle'); // re-run when a worker is free
      if (!bug) {
        expect(out.notes[0]).toBe(`w3 failed: M${w3task} M${w3done} back to idle`);
        expect(s.reExecuted).toBe(2);
      } else expect(s.reExecuted).toBe(1);
    }
  });

  it('a Pong from a new incarnation means the worker restarted: its disk is gone, its maps are re-run', () => {
    const { s } = masterAfterMaps();
    const w2done = s.map.findIndex((t) => t.state === 'completed' && t.worker === 'w2');
    const w2task = s.workers.w2!.running!.task;
    const out = handle(
      mapReduce,
      s,
      msg('w2', { type: 'Pong', incarnation: 1 }),
      world('m', params(), 150_000),
    );
    expect(out.notes[0]).toBe(`w2 restarted: M${w2task} M${w2done} back to idle`);
    expect(s.workers.w2!.incarnation).toBe(1);
    expect(s.workers.w2!.alive).toBe(true);
    expect(s.map[w2done]!.state).toBe('in-progress'); // handed out again at once
  });

  it('ignores a completion for an already completed map, and one from an execution it no longer counts on', () => {
    const { s } = masterAfterMaps();
    const w1 = s.workers.w1!.running!;
    // A stale MapDone (an attempt w1 is not running) changes nothing.
    let out = handle(
      mapReduce,
      s,
      msg('w1', { type: 'MapDone', task: w1.task, attempt: 999, sizes: [] }),
      world('m'),
    );
    expect(out.notes).toEqual([`M${w1.task} from w1 ignored: no longer its task`]);
    expect(s.map[w1.task]!.state).toBe('in-progress');
    // Pretend w1's current map was already completed by someone else (a backup).
    Object.assign(s.map[w1.task]!, { state: 'completed', worker: 'w4' });
    out = handle(
      mapReduce,
      s,
      msg('w1', { type: 'MapDone', task: w1.task, attempt: w1.attempt, sizes: [] }),
      world('m'),
    );
    expect(out.notes[0]).toBe(`M${w1.task} from w1 ignored: already completed`);
    expect(s.map[w1.task]!.worker).toBe('w4');
  });

  it('hands out reduce tasks once every map is done, with every map output location', () => {
    const s = master();
    handle(mapReduce, s, start, world('m'));
    let last = { sent: [] as { to: string; msg: MapReduceMsg }[] };
    for (let k = 0; k < 8; k++) {
      const w = Object.keys(s.workers).find((x) => s.workers[x]!.running?.kind === 'map')!;
      const run = s.workers[w]!.running!;
      last = handle(
        mapReduce,
        s,
        msg(w, { type: 'MapDone', task: run.task, attempt: run.attempt, sizes: [5, 5, 5] }),
        world('m'),
      );
    }
    const reduces = last.sent.filter((o) => o.msg.type === 'AssignReduce');
    expect(reduces.length).toBeGreaterThan(0);
    expect((reduces[0]!.msg as { locations: string[] }).locations).toEqual(s.map.map((t) => t.worker));
    expect(s.map.every((t) => t.state === 'completed')).toBe(true);
  });

  it('a second reduce completion leaves the file as the first wrote it; with the bug it is appended and counted twice', () => {
    for (const bug of [false, true]) {
      const p = params({ bugCommitReduceTwice: bug, reduceTasks: 1 });
      const s = master(p);
      for (const t of s.map) Object.assign(t, { state: 'completed', worker: 'w1' });
      s.workers.w1 = {
        alive: true,
        lastHeardUs: 0,
        incarnation: 0,
        running: { kind: 'reduce', task: 0, attempt: 1, backup: false },
      };
      s.workers.w2 = {
        alive: true,
        lastHeardUs: 0,
        incarnation: 0,
        running: { kind: 'reduce', task: 0, attempt: 2, backup: true },
      };
      s.reduce[0] = { state: 'in-progress', worker: 'w1', attempt: 0, runs: 2, startUs: 0 };
      const output: [string, string][] = [['a', '1']];
      const first = handle(
        mapReduce,
        s,
        msg('w2', { type: 'ReduceDone', task: 0, attempt: 2, output, bytes: 4 }),
        world('m', p),
      );
      expect(first.events).toEqual([{ type: 'commit', task: 0 }, { type: 'job-done' }]);
      const second = handle(
        mapReduce,
        s,
        msg('w1', { type: 'ReduceDone', task: 0, attempt: 1, output, bytes: 4 }),
        world('m', p),
      );
      expect(s.files['mr-out-0'], `bug=${bug}`).toEqual(bug ? [...output, ...output] : output);
      expect(s.commits[0]).toBe(bug ? 2 : 1);
      expect(second.events).toEqual(bug ? [{ type: 'commit', task: 0 }] : []);
    }
  });

  it('with backupTasks, an idle worker runs a second copy of the oldest task in progress once none is idle (§3.6)', () => {
    const p = params({ backupTasks: true, mapTasks: 4 });
    const s = master(p);
    handle(mapReduce, s, start, world('m', p)); // four maps on four workers, none idle
    const run = s.workers.w3!.running!;
    const out = handle(
      mapReduce,
      s,
      msg('w3', { type: 'MapDone', task: run.task, attempt: run.attempt, sizes: [] }),
      world('m', p, 50_000),
    );
    expect(out.sent).toEqual([{ to: 'w3', msg: { type: 'AssignMap', task: 0, attempt: 5, local: false } }]);
    expect(out.notes).toEqual(['M0′ → w3 (backup)']);
    expect(s.backups).toBe(1);
    expect(s.markers).toEqual([{ atUs: 50_000, label: 'backups begin' }]);
  });
});

describe('MapReduce worker rules', () => {
  it('maps its split for a time that grows with its size, slower when remote or a straggler, then reports its regions', () => {
    const p = params();
    const bytes = splitBytes(splitOf(1, 8));
    const cost = (pp: MapReduceParams, local: boolean, self = 'w1') => {
      const out = handle(
        mapReduce,
        worker(self, pp),
        msg('m', { type: 'AssignMap', task: 1, attempt: 7, local }),
        world(self, pp),
      );
      return out.timers.find((t) => t.name === 'work')!.afterUs;
    };
    expect(cost(p, true)).toBe(Math.round((bytes / 1024) * 400 * 1000));
    expect(cost(p, false)).toBe(Math.round((bytes / 1024) * 700 * 1000));
    expect(cost(params({ slowWorker: 'w1' }), true)).toBe(Math.round((bytes / 1024) * 4000 * 1000));
    const s = worker('w1', p);
    handle(mapReduce, s, msg('m', { type: 'AssignMap', task: 1, attempt: 7, local: true }), world('w1', p));
    const out = handle(mapReduce, s, timer('work'), world('w1', p));
    expect(s.disk['1']).toEqual(runMap('word-count', splitOf(1, 8), 3, 'clerk'));
    expect(out.sent).toEqual([
      { to: 'm', msg: { type: 'MapDone', task: 1, attempt: 7, sizes: expect.any(Array) } },
    ]);
    expect(s.task).toBeNull();
  });

  it('reduce: fetches its region from every map worker (its own from its disk), follows a new location, then reduces', () => {
    const p = params({ mapTasks: 3 });
    const s = worker('w1', p);
    const regions = [0, 1, 2].map((m) => runMap('word-count', splitOf(m, 3), 3, 'clerk'));
    s.disk['0'] = regions[0]!;
    let out = handle(
      mapReduce,
      s,
      msg('m', { type: 'AssignReduce', task: 2, attempt: 9, locations: ['w1', 'w2', 'w3'] }),
      world('w1', p),
    );
    expect(out.sent.map((o) => [o.to, o.msg])).toEqual([
      ['w2', { type: 'Fetch', task: 1, region: 2 }],
      ['w3', { type: 'Fetch', task: 2, region: 2 }],
    ]);
    expect(s.fetched[0]).toEqual(regions[0]![2]);
    // w3 failed; the master re-ran M2 on w4 and says so.
    out = handle(mapReduce, s, msg('m', { type: 'MapLocation', task: 2, worker: 'w4' }), world('w1', p));
    expect(out.sent).toEqual([{ to: 'w4', msg: { type: 'Fetch', task: 2, region: 2 } }]);
    for (const [from, m] of [
      ['w2', 1],
      ['w4', 2],
    ] as const)
      out = handle(
        mapReduce,
        s,
        msg(from, { type: 'Region', task: m, region: 2, pairs: regions[m]![2]!, bytes: 10 }),
        world('w1', p),
      );
    expect(out.timers.map((t) => t.name)).toEqual(['fetch', 'work']); // the retry timer stops, the reduce starts
    out = handle(mapReduce, s, timer('work'), world('w1', p));
    const done = out.sent[0]!.msg as { type: string; output: [string, string][] };
    expect(done.type).toBe('ReduceDone');
    expect(done.output).toEqual(expectedFile('word-count', 'clerk', 3, 2));
  });

  it('serves a region it holds and counts the bytes; says nothing for one it lost', () => {
    const s = worker('w2');
    s.disk['4'] = [[['a', '1']], [], []];
    let out = handle(mapReduce, s, msg('w1', { type: 'Fetch', task: 4, region: 0 }), world('w2'));
    expect(out.sent).toEqual([
      { to: 'w1', msg: { type: 'Region', task: 4, region: 0, pairs: [['a', '1']], bytes: 4 } },
    ]);
    expect(s.bytesServed).toBe(4);
    out = handle(mapReduce, s, msg('w1', { type: 'Fetch', task: 5, region: 0 }), world('w2'));
    expect(out.sent).toEqual([]);
  });

  it('answers pings with its incarnation, which a restart bumps', () => {
    const s = worker();
    handle(mapReduce, s, { kind: 'restart' }, world('w1'));
    expect(handle(mapReduce, s, msg('m', { type: 'Ping' }), world('w1')).sent).toEqual([
      { to: 'm', msg: { type: 'Pong', incarnation: 1 } },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Whole runs over seeds

const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
const masterState = (sim: Simulation) => sim.nodeState('m')!.state as MasterState;
function run(sc: Scenario, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
}
const withScenario = (sc: Scenario, over: Record<string, unknown>) =>
  ScenarioSchema.parse({ ...sc, ...over });
const verdict = (sim: Simulation, id: string) => sim.invariants().find((i) => i.id === id)!;

/** The output files, in order, concatenated. */
const output = (s: MasterState) => Array.from({ length: s.R }, (_, r) => s.files[`mr-out-${r}`] ?? []).flat();

describe('MapReduce over seeds: the output is right under crashes, and every task completes', () => {
  it('quick start (w3 crashes after its map): the job finishes with the direct answer, job-completes checked (seeds 1-20)', () => {
    for (const seed of SEEDS) {
      const sim = run(mrQuickStart(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const s = masterState(sim);
      expect(s.done, `seed=${seed}`).toBe(true);
      expect(s.reExecuted, `seed=${seed}`).toBeGreaterThanOrEqual(2); // M3 was on w3's disk, R2 was under way there
      expect([...output(s)].sort(), `seed=${seed}`).toEqual(directOutput('word-count', ''));
      expect(verdict(sim, 'job-completes').ok, `seed=${seed}`).toBe(true);
    }
  });

  it('every job, with a worker crashing mid-job and restarting, writes the direct answer (seeds 1-5)', () => {
    for (const job of JOBS)
      for (const seed of [1, 2, 3, 4, 5]) {
        const sc = withScenario(mrQuickStart({ job, reduceTasks: 4 }), {
          faults: [
            { atUs: 250_000 + seed * 40_000, fault: { kind: 'crash', node: 'w2' } },
            { atUs: 700_000, fault: { kind: 'restart', node: 'w2' } },
          ],
        });
        const sim = run(sc, seed);
        expect(sim.violation, `${job} seed=${seed}`).toBeNull();
        const s = masterState(sim);
        expect(s.done, `${job} seed=${seed}`).toBe(true);
        expect(output(s), `${job} seed=${seed}`).toEqual(
          Array.from({ length: 4 }, (_, r) => expectedFile(job, 'clerk', 4, r)).flat(),
        );
      }
  });

  it('under a nemesis crashing random nodes (the master too) until 1.5 s, every seed finishes with the direct answer (1-20)', () => {
    let reExecuted = 0;
    for (const seed of SEEDS) {
      const sc = withScenario(mrQuickStart({ settleMs: 3000 }), {
        faults: [],
        nemesis: {
          enabled: true,
          startUs: 100_000,
          stopUs: 1_500_000,
          crashRatePerS: 2,
          meanDowntimeUs: 300_000,
        },
        limits: { maxTimeUs: 6_000_000 },
      });
      const sim = run(sc, seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'job-completes').ok, `seed=${seed}`).toBe(true);
      const s = masterState(sim);
      expect([...output(s)].sort(), `seed=${seed}`).toEqual(directOutput('word-count', ''));
      reExecuted += s.reExecuted;
    }
    expect(reExecuted).toBeGreaterThan(20); // the crashes did cost work
  });

  it('with bugNoRerunCompletedMaps, job-completes stops the quick start on every seed (1-20)', () => {
    for (const seed of SEEDS) {
      const sim = run(mrQuickStart({ bugNoRerunCompletedMaps: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('job-completes');
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThanOrEqual(300_000 + 2_000_000);
    }
  });

  it('a straggler: backup tasks finish the job sooner (seeds 1-5)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const time = (backupTasks: boolean) => {
        const sc = withScenario(mrQuickStart({ slowWorker: 'w4', backupTasks, settleMs: 20_000 }), {
          faults: [],
          limits: { maxTimeUs: 6_000_000 },
        });
        const sim = run(sc, seed);
        expect(sim.violation, `seed=${seed}`).toBeNull();
        return masterState(sim).doneUs!;
      };
      const without = time(false);
      const withBackups = time(true);
      expect(withBackups, `seed=${seed}`).toBeLessThan(without * 0.7);
    }
  });

  it('with backups and bugCommitReduceTwice, exactly-once-commit catches the second write (seeds 1-10)', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const sc = withScenario(
        mrQuickStart({ slowWorker: 'w4', backupTasks: true, bugCommitReduceTwice: true, settleMs: 20_000 }),
        { faults: [], limits: { maxTimeUs: 6_000_000 } },
      );
      const sim = run(sc, seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('exactly-once-commit');
    }
  });

  it('output-correct fires on a file that differs from the direct computation', () => {
    const inv = mapReduce.invariants.find((i) => i.id === 'output-correct')!;
    const s = master();
    s.files['mr-out-1'] = expectedFile('word-count', 'clerk', 3, 1).slice(0, -1);
    const view = { id: 'm', role: 'master', up: true, state: s as MapReduceState };
    expect(
      inv.check({ nodes: [view], changed: view, nowUs: 0, events: [{ type: 'commit', task: 1 }] }),
    ).toMatch(/^mr-out-1: 1 pair\(s\) missing/);
    s.files['mr-out-1'] = expectedFile('word-count', 'clerk', 3, 1);
    expect(
      inv.check({ nodes: [view], changed: view, nowUs: 0, events: [{ type: 'commit', task: 1 }] }),
    ).toBeNull();
  });

  it('the master restarted from its checkpoint starts again what was in progress and still finishes right (seeds 1-5)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sc = withScenario(mrQuickStart(), {
        faults: [
          { atUs: 200_000, fault: { kind: 'crash', node: 'm' } },
          { atUs: 400_000, fault: { kind: 'restart', node: 'm' } },
        ],
      });
      const sim = run(sc, seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const s = masterState(sim);
      expect(s.done, `seed=${seed}`).toBe(true);
      expect(s.markers.map((m) => m.label)).toContain('master restarted');
      expect([...output(s)].sort()).toEqual(directOutput('word-count', ''));
    }
  });
});

describe('MapReduce Tasks view (a timeline)', () => {
  it('draws a row per worker and a bar per execution, lost work in red, and fits the API schema', () => {
    const sim = run(mrQuickStart(), 1);
    const nodes = sim.nodeStates().map((n) => ({ id: n.id, role: n.role, up: n.up, state: n.state }));
    const read = tasksView.read(nodes as never, mapReduce.params.parse({}), null)!;
    const data = TimelineViewSchema.parse(read);
    expect(data).toEqual(read);
    expect(data.rows.map((r) => [r.id, r.up])).toEqual([
      ['w1', true],
      ['w2', true],
      ['w3', false],
      ['w4', true],
    ]);
    const lost = data.bars.filter((b) => b.tone === 'bad').map((b) => `${b.row} ${b.label}`);
    expect(lost).toEqual(['w3 M3', 'w3 R2']);
    expect(data.bars.every((b) => b.endUs !== null)).toBe(true);
    expect(data.markers.map((m) => m.label)).toEqual(['w3 failed', 'job done']);
    expect(data.caption).toBe('Executions per worker · maps 8/8 · reduces 3/3 · job done');
  });
});
