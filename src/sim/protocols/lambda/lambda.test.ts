import { describe, expect, it } from 'vitest';
import { runSeed } from '../../../cli/run-seed';
import { TimelineViewSchema } from '../../../shared/api/views';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { checkScenario } from '../../catalog';
import type { Input } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import {
  type BatchState,
  type Fact,
  type LambdaMsg,
  type LambdaParams,
  type LogState,
  lambda,
  type ServingState,
  type SourceState,
  type SpeedState,
} from './lambda';
import { kappaReplay, lambdaQuickStart } from './scenarios';

const roles = {
  s1: 'source',
  log: 'log',
  batch: 'batch',
  speed: 'speed',
  serving: 'serving',
  dash: 'dashboard',
};
const kappaRoles = { s1: 'source', log: 'log', v1: 'speed', v2: 'speed', serving: 'serving' };
const params = (over: Partial<LambdaParams> = {}) => lambda.params.parse(over);
const world = (self: string, p = params(), nowUs = 0, nodes: Record<string, string> = roles) => ({
  self,
  role: nodes[self],
  nodes,
  params: p,
  nowUs,
});
const init = <S>(id: string, p = params(), nodes: Record<string, string> = roles): S =>
  lambda.init({ id, role: nodes[id]!, params: p, nodes: Object.keys(nodes).sort() }) as S;
const msg = (from: string, m: LambdaMsg): Input<LambdaMsg> => ({ kind: 'message', from, msg: m });
const timer = (name: string): Input<LambdaMsg> => ({ kind: 'timer', name });
const start: Input<LambdaMsg> = { kind: 'start' };
const restart: Input<LambdaMsg> = { kind: 'restart' };
const fact = (offset: number, url: string, epoch: number): Fact => ({
  offset,
  source: 's1',
  n: offset,
  url,
  epoch,
  atUs: offset * 1000,
});

describe('Lambda rules: the master dataset (Marz ch. 2)', () => {
  it('appends each page view as a fact stamped with the batch run that will first cover it, and pushes it to the speed layer', () => {
    const s = init<LogState>('log');
    handle(lambda, s, msg('s1', { type: 'PageView', n: 0, url: '/home' }), world('log', params(), 10));
    const snap = handle(lambda, s, msg('batch', { type: 'Snapshot' }), world('log'));
    const out = handle(
      lambda,
      s,
      msg('s1', { type: 'PageView', n: 1, url: '/news' }),
      world('log', params(), 20),
    );
    expect(s.dataset.map((f) => [f.offset, f.url, f.epoch])).toEqual([
      [0, '/home', 0],
      [1, '/news', 1],
    ]);
    expect(snap.sent).toEqual([
      { to: 'batch', msg: { type: 'Dataset', run: 1, upTo: 1, facts: [s.dataset[0]] } },
    ]);
    expect(out.sent.map((o) => [o.to, o.msg.type])).toEqual([['speed', 'Event']]);
  });

  it('a snapshot leaves the dataset as it was; with bugMutateMaster it deletes what it hands out', () => {
    for (const bug of [false, true]) {
      const p = params({ bugMutateMaster: bug });
      const s = init<LogState>('log', p);
      handle(lambda, s, msg('s1', { type: 'PageView', n: 0, url: '/home' }), world('log', p));
      handle(lambda, s, msg('batch', { type: 'Snapshot' }), world('log', p));
      expect(s.dataset[0]!.url, `bugMutateMaster=${bug}`).toBe(bug ? '' : '/home');
    }
  });

  it('reads the log back in chunks from an offset, with the tail', () => {
    const p = params({ replayChunk: 2 });
    const s = init<LogState>('log', p);
    for (let n = 0; n < 5; n++)
      handle(lambda, s, msg('s1', { type: 'PageView', n, url: '/home' }), world('log', p));
    const out = handle(lambda, s, msg('speed', { type: 'Replay', from: 1 }), world('log', p));
    const m = out.sent[0]!.msg as Extract<LambdaMsg, { type: 'Events' }>;
    expect([m.from, m.facts.map((f) => f.offset), m.tail]).toEqual([1, [1, 2], 5]);
  });
});

describe('Lambda rules: the batch layer recomputes from all the data', () => {
  it('a run takes its fixed cost plus a cost per event, then publishes the counts and starts again', () => {
    const p = params({ batchFixedMs: 100, batchUsPerEvent: 1000, batchGapMs: 50 });
    const s = init<BatchState>('batch', p);
    expect(handle(lambda, s, start, world('batch', p)).sent).toEqual([
      { to: 'log', msg: { type: 'Snapshot' } },
    ]);
    const facts = [fact(0, '/home', 0), fact(1, '/news', 0), fact(2, '/home', 0)];
    const got = handle(lambda, s, msg('log', { type: 'Dataset', run: 1, upTo: 3, facts }), world('batch', p));
    expect(got.timers).toEqual([
      { name: 'retry', afterUs: null },
      { name: 'work', afterUs: 103_000 },
    ]);
    const done = handle(lambda, s, timer('work'), world('batch', p, 103_000));
    expect(done.sent).toEqual([
      { to: 'serving', msg: { type: 'BatchView', run: 1, upTo: 3, counts: { '/home': 2, '/news': 1 } } },
    ]);
    expect(done.timers).toEqual([{ name: 'next', afterUs: 50_000 }]);
    expect([s.runs, s.processed]).toEqual([1, 3]);
  });

  it('a worker that restarts mid-run asks for the dataset again; the lost run is marked on the timeline', () => {
    const s = init<BatchState>('batch');
    handle(lambda, s, start, world('batch'));
    handle(
      lambda,
      s,
      msg('log', { type: 'Dataset', run: 1, upTo: 1, facts: [fact(0, '/home', 0)] }),
      world('batch'),
    );
    s.current = null; // what a crash keeps: the durable fields (runs, processed, bars...)
    s.waiting = false;
    const out = handle(lambda, s, restart, world('batch', params(), 5000));
    expect(out.sent).toEqual([{ to: 'log', msg: { type: 'Snapshot' } }]);
    expect(s.bars[0]).toMatchObject({ tone: 'bad', endUs: 5000 });
  });
});

describe('Lambda rules: the speed layer counts what the batch has not covered', () => {
  const live = (p = params()) => {
    const s = init<SpeedState>('speed', p);
    handle(lambda, s, start, world('speed', p));
    return s;
  };

  it('applies events in offset order into the view of their epoch', () => {
    const s = live();
    handle(lambda, s, msg('log', { type: 'Event', fact: fact(0, '/home', 0) }), world('speed'));
    handle(lambda, s, msg('log', { type: 'Event', fact: fact(1, '/home', 1) }), world('speed'));
    handle(lambda, s, msg('log', { type: 'Event', fact: fact(1, '/home', 1) }), world('speed')); // a duplicate
    expect(s.views).toEqual({ '0': { '/home': 1 }, '1': { '/home': 1 } });
    expect(s.next).toBe(2);
  });

  it('expires the epochs a new batch view covers (Marz: the real-time view only covers what the batch missed)', () => {
    const s = live();
    for (const [o, e] of [
      [0, 0],
      [1, 1],
      [2, 2],
    ] as const)
      handle(lambda, s, msg('log', { type: 'Event', fact: fact(o, '/home', e) }), world('speed'));
    handle(lambda, s, msg('serving', { type: 'Horizon', run: 2, upTo: 2, active: 'speed' }), world('speed'));
    expect(s.views).toEqual({ '2': { '/home': 1 } });
  });

  it('a gap makes it read the log back from where it is; with bugSpeedSkipsGap it jumps over the gap', () => {
    const s = live();
    const out = handle(lambda, s, msg('log', { type: 'Event', fact: fact(3, '/home', 0) }), world('speed'));
    expect(out.sent).toEqual([{ to: 'log', msg: { type: 'Replay', from: 0 } }]);
    expect(s.next).toBe(0);
    const p = params({ bugSpeedSkipsGap: true });
    const b = live(p);
    const bad = handle(
      lambda,
      b,
      msg('log', { type: 'Event', fact: fact(3, '/home', 0) }),
      world('speed', p),
    );
    expect(bad.sent).toEqual([]);
    expect([b.next, b.skipped]).toEqual([4, 3]);
  });

  it('after a restart it asks where the batch view ends and rebuilds its view from the log from there', () => {
    const s = live();
    s.views = {};
    s.next = -1;
    s.running = false;
    const hello = handle(lambda, s, restart, world('speed'));
    expect(hello.sent).toEqual([{ to: 'serving', msg: { type: 'Hello' } }]);
    const out = handle(
      lambda,
      s,
      msg('serving', { type: 'Horizon', run: 3, upTo: 40, active: 'speed' }),
      world('speed'),
    );
    expect(out.sent).toEqual([{ to: 'log', msg: { type: 'Replay', from: 40 } }]);
    const events = handle(
      lambda,
      s,
      msg('log', { type: 'Events', from: 40, facts: [fact(40, '/news', 3), fact(41, '/home', 3)], tail: 42 }),
      world('speed'),
    );
    expect(events.timers).toEqual([{ name: 'chunk', afterUs: 2000 }]);
    handle(lambda, s, timer('chunk'), world('speed'));
    expect([s.next, s.replayed, s.views]).toEqual([42, 2, { '3': { '/news': 1, '/home': 1 } }]);
  });
});

describe('Lambda rules: the serving layer merges batch and real-time views', () => {
  const rt = (next: number, views: Record<string, Record<string, number>>, inc = 0, seq = 1): LambdaMsg => ({
    type: 'Realtime',
    inc,
    seq,
    version: 1,
    next,
    views,
  });

  for (const bug of [false, true])
    it(`answers batch view + the real-time epochs it does not cover${bug ? ' (bugDoubleCountOverlap: all of them)' : ''}`, () => {
      const p = params({ bugDoubleCountOverlap: bug });
      const s = init<ServingState>('serving', p);
      handle(lambda, s, start, world('serving', p));
      handle(
        lambda,
        s,
        msg('speed', rt(10, { '1': { '/home': 4 }, '2': { '/home': 3 } })),
        world('serving', p),
      );
      handle(
        lambda,
        s,
        msg('batch', { type: 'BatchView', run: 2, upTo: 7, counts: { '/home': 6 } }),
        world('serving', p),
      );
      const out = handle(lambda, s, msg('dash', { type: 'Query', q: 0, url: '/home' }), world('serving', p));
      expect(out.sent[0]!.msg).toEqual({
        type: 'Answer',
        q: 0,
        url: '/home',
        count: bug ? 13 : 9,
        horizon: 10,
      });
    });

  it('tells the speed layer when a batch view is installed, and ignores an older one', () => {
    const s = init<ServingState>('serving');
    const out = handle(
      lambda,
      s,
      msg('batch', { type: 'BatchView', run: 2, upTo: 7, counts: {} }),
      world('serving'),
    );
    expect(out.sent).toEqual([{ to: 'speed', msg: { type: 'Horizon', run: 2, upTo: 7, active: '' } }]);
    expect(out.events).toEqual([{ type: 'batch-view-installed', run: 2, upTo: 7 }]);
    handle(lambda, s, msg('batch', { type: 'BatchView', run: 1, upTo: 3, counts: {} }), world('serving'));
    expect(s.batch?.run).toBe(2);
  });

  it('keeps a restarted speed node’s old view until the rebuilt one covers as much (no count goes back)', () => {
    const s = init<ServingState>('serving');
    handle(lambda, s, start, world('serving'));
    handle(lambda, s, msg('speed', rt(20, { '1': { '/home': 9 } })), world('serving'));
    handle(lambda, s, msg('speed', rt(12, { '1': { '/home': 5 } }, 1, 1)), world('serving'));
    expect([s.horizon, s.merged]).toEqual([20, { '/home': 9 }]);
    handle(lambda, s, msg('speed', rt(21, { '1': { '/home': 10 } }, 1, 2)), world('serving'));
    expect([s.horizon, s.merged]).toEqual([21, { '/home': 10 }]);
  });

  it('Kappa: switches to job v2 once its view has caught up with v1’s, and stops v1', () => {
    const p = params({ architecture: 'kappa' });
    const w = (over = 0) => world('serving', p, over, kappaRoles);
    const s = init<ServingState>('serving', p, kappaRoles);
    handle(lambda, s, start, w());
    expect(s.active).toBe('v1');
    handle(lambda, s, msg('v1', rt(30, { '0': { '/home': 30 } })), w());
    handle(
      lambda,
      s,
      msg('v2', { ...(rt(20, { '0': { '/home': 20 } }) as object), version: 2 } as LambdaMsg),
      w(),
    );
    expect(s.active).toBe('v1');
    const out = handle(
      lambda,
      s,
      msg('v2', { ...(rt(31, { '0': { '/home': 31 } }, 0, 2) as object), version: 2 } as LambdaMsg),
      w(),
    );
    expect([s.active, s.horizon]).toEqual(['v2', 31]);
    expect(out.sent).toEqual([{ to: 'v1', msg: { type: 'Stop' } }]);
  });
});

describe('Lambda scenarios', () => {
  it('Kappa without a stream job is refused with what to add; Lambda without a speed node is fine', () => {
    const noJobs = (s: Scenario) => ({
      ...s,
      topology: { ...s.topology, nodes: s.topology.nodes.filter((n) => n.role !== 'speed') },
    });
    expect(checkScenario(noJobs(kappaReplay()))).toEqual([
      {
        path: ['topology', 'nodes'],
        message: 'architecture is kappa, which needs a stream job: add a Speed layer / stream job node',
      },
    ]);
    expect(checkScenario(noJobs(lambdaQuickStart()))).toEqual([]);
  });
});

describe('Lambda rules: sources', () => {
  it('emit the page views they promise, skewed to the first URL, and keep the record (the ground truth)', () => {
    const sc = lambdaQuickStart({ eventsPerSource: 40 });
    const sim = new Simulation(sc, { seed: 3 });
    sim.runUntil(sc.limits.maxTimeUs);
    const sent = (sim.nodeState('s1')!.state as SourceState).sent;
    expect(sent).toHaveLength(40);
    const home = sent.filter((u) => u === '/home').length;
    expect(home).toBeGreaterThan(sent.filter((u) => u === '/about').length);
  });
});

// ---------------------------------------------------------------------------------------------
// Claims over seeds

const run = (sc: Scenario, seed: number) => {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
};
const series = (sim: Simulation, id: string) => sim.metrics().series.find((s) => s.id === id)!.v;
const verdict = (sim: Simulation, id: string) => sim.invariants().find((v) => v.id === id)!;

describe('Lambda claims over seeds', () => {
  it('quick start, seeds 1-8: the crashes lose nothing; every answer exact; the served view converges', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const sim = run(lambdaQuickStart(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'converges').ok, `seed=${seed}`).toBe(true);
      expect(verdict(sim, 'answers-exact').ok, `seed=${seed}`).toBe(true);
      const batch = sim.nodeState('batch')!.state as BatchState;
      expect(
        batch.bars.filter((b) => b.tone === 'bad'),
        `seed=${seed}: the run the crash cut off`,
      ).toHaveLength(1);
      // The restarted speed node read the log back from where the batch view ended.
      expect((sim.nodeState('speed')!.state as SpeedState).replayed, `seed=${seed}`).toBeGreaterThan(0);
    }
  });

  it('under a nemesis crashing any node and cutting the network until 4 s, seeds 1-4: nothing lost, all converges', () => {
    for (const base of [lambdaQuickStart(), kappaReplay()])
      for (let seed = 1; seed <= 4; seed++) {
        const sc = ScenarioSchema.parse({
          ...base,
          faults: [],
          nemesis: {
            ...base.nemesis,
            enabled: true,
            startUs: 100_000,
            stopUs: 4_000_000,
            crashRatePerS: 3,
            meanDowntimeUs: 300_000,
            partitionRatePerS: 1,
            meanPartitionUs: 500_000,
          },
        });
        const sim = run(sc, seed);
        const what = `${base.params.architecture} seed=${seed}`;
        expect(sim.violation, what).toBeNull();
        expect(verdict(sim, 'converges').ok, what).toBe(true);
        expect(verdict(sim, 'answers-exact').ok, what).toBe(true);
      }
  });

  it('every batch run reads the whole dataset: the recomputation cost grows with the data', () => {
    const sim = run(lambdaQuickStart(), 1);
    const reads = (sim.nodeState('batch')!.state as BatchState).bars.map((b) =>
      Number(b.label.split('· ')[1]!.split(' ')[0]),
    );
    expect(reads.length).toBeGreaterThan(5);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!).toBeGreaterThanOrEqual(reads[i - 1]!);
    const processed = series(sim, 'batchEventsProcessed');
    expect(processed[processed.length - 1]!).toBeGreaterThan(
      3 * (sim.nodeState('log')!.state as LogState).dataset.length,
    );
  });

  it('without the speed layer the answers are exact but stale: staleness is the batch latency', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const on = run(lambdaQuickStart({}), seed);
      const off = run(lambdaQuickStart({ speedLayer: false }), seed);
      expect(off.violation, `seed=${seed}`).toBeNull();
      expect(verdict(off, 'answers-exact').ok).toBe(true);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(series(off, 'stalenessMs')), `seed=${seed}`).toBeGreaterThan(
        4 * mean(series(on, 'stalenessMs')),
      );
    }
  });

  it('human-fault tolerance: a speed-layer bug makes wrong answers that the next batch run heals', () => {
    // The quick start with the bug, and the library's lambda-human-fault-tolerance (only the
    // speed node crashes).
    const quick = lambdaQuickStart({ bugSpeedSkipsGap: true });
    const speedOnly = ScenarioSchema.parse({
      ...quick,
      faults: quick.faults.filter((f) => f.atUs >= 3_000_000),
    });
    for (const [sc, seed] of [1, 2, 3, 4, 5, 6].map((k) => [k % 2 === 0 ? quick : speedOnly, k] as const)) {
      const sim = run(sc, seed);
      expect(sim.violation, `seed=${seed}`).toBeNull(); // answers-exact does not stop the run
      expect(verdict(sim, 'answers-exact').ok, `seed=${seed}`).toBe(false);
      expect(verdict(sim, 'converges').ok, `seed=${seed}: healed`).toBe(true);
      const err = series(sim, 'servedError');
      const worst = err.indexOf(Math.max(...err));
      expect(err[worst]!, `seed=${seed}`).toBeGreaterThan(0);
      expect(err.slice(worst).includes(0), `seed=${seed}: the error went back to 0`).toBe(true);
      expect(err[err.length - 1], `seed=${seed}`).toBe(0);
    }
  });

  it('Kappa, seeds 1-5: job v2 replays the whole log, the serving layer switches to it and stops v1', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const sim = run(kappaReplay(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const v1 = sim.nodeState('v1')!.state as SpeedState;
      const v2 = sim.nodeState('v2')!.state as SpeedState;
      expect((sim.nodeState('serving')!.state as ServingState).active, `seed=${seed}`).toBe('v2');
      expect([v1.stopped, v1.running, v2.running], `seed=${seed}`).toEqual([true, false, true]);
      // The replay read every event appended before the deploy at 2.5 s, and more.
      const log = sim.nodeState('log')!.state as LogState;
      expect(v2.replayed, `seed=${seed}`).toBeGreaterThanOrEqual(
        log.dataset.filter((f) => f.atUs < 2_500_000).length,
      );
      expect(verdict(sim, 'converges').ok).toBe(true);
    }
  });

  it('Kappa: v1’s bug stays until v2 replaces it; without a redeploy the served view never converges', () => {
    const fixed = run(kappaReplay({ bugSpeedSkipsGap: true }), 1);
    expect(verdict(fixed, 'converges').ok).toBe(true);
    expect(verdict(fixed, 'answers-exact').ok).toBe(false);
    const never = run(kappaReplay({ bugSpeedSkipsGap: true, redeployAtMs: 0 }), 1);
    expect(never.violation?.invariant).toBe('converges');
  });

  it('each checker fires: the bug switches are caught over seeds 1-5 by their check, at once', () => {
    const cases: [Partial<LambdaParams>, string][] = [
      [{ bugDoubleCountOverlap: true }, 'never-overcounts'],
      [{ bugMutateMaster: true }, 'master-immutable'],
      [{ bugSpeedSkipsGap: true }, 'answers-exact'],
    ];
    for (const [bug, check] of cases)
      for (let seed = 1; seed <= 5; seed++) {
        const r = runSeed(lambdaQuickStart(bug), seed);
        expect(r.violation?.invariant, `${JSON.stringify(bug)} seed=${seed}`).toBe(check);
      }
  });

  it('batch-view-exact fires on a batch view that is not the count of its dataset', () => {
    const check = lambda.invariants.find((i) => i.id === 'batch-view-exact')!;
    const log = init<LogState>('log');
    log.dataset = [fact(0, '/home', 0), fact(1, '/home', 0)];
    const src: SourceState = { kind: 'source', sent: ['/home', '/home'] };
    const serving = init<ServingState>('serving');
    serving.batch = { run: 1, upTo: 2, counts: { '/home': 1 } };
    const nodes = [
      { id: 'log', role: 'log', up: true, state: log },
      { id: 's1', role: 'source', up: true, state: src },
      { id: 'serving', role: 'serving', up: true, state: serving },
    ];
    const view = { nodes, changed: nodes[2]!, nowUs: 0, events: [{ type: 'batch-view-installed' }] };
    expect(check.check(view)).toBe('batch view 1 (offsets below 2): /home 1 (truth 2)');
    serving.batch.counts = { '/home': 2 };
    expect(check.check(view)).toBeNull();
  });

  it('the Layers view: a bar per batch run (one cut off by the crash), the speed node live and rebuilding', () => {
    const sim = run(lambdaQuickStart(), 1);
    const v = TimelineViewSchema.parse(sim.view('layers'));
    expect(v.rows.map((r) => r.id)).toEqual(['batch', 'speed']);
    const tones = (row: string) => v.bars.filter((b) => b.row === row).map((b) => b.tone);
    expect(tones('batch').filter((t) => t === 'bad')).toHaveLength(1);
    expect(tones('speed')).toEqual(['good', 'bad', 'warn', 'good']);
    expect(v.markers.length).toBe((sim.nodeState('batch')!.state as BatchState).runs);
  });
});
