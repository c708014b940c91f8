import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { defaultScenario, registerProtocol } from '../../catalog';
import type { AnyProtocol } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { type HeartbeatState, heartbeat } from './heartbeat';

const params = heartbeat.params.parse({ deltaUs: 10_000 });
const nodes = { p1: 'node', p2: 'node', p3: 'node' };
const world = (p = params) => ({ self: 'p1', nodes, params: p });
const fresh = (): HeartbeatState =>
  heartbeat.init({ id: 'p1', role: 'node', params, nodes: ['p1', 'p2', 'p3'] });
const reply = (from: string) => ({
  kind: 'message' as const,
  from,
  msg: { type: 'HeartbeatReply' as const },
});
const timeout = { kind: 'timer' as const, name: 'timeout' };

describe('heartbeat detector rules (Algorithm 2.7)', () => {
  it('suspects the processes that did not answer in the last period, and asks everyone again', () => {
    const s = fresh();
    handle(heartbeat, s, timeout, world()); // the first period: alive starts as everyone
    handle(heartbeat, s, reply('p2'), world());
    const out = handle(heartbeat, s, timeout, world());
    expect(s.suspected).toEqual(['p3']);
    expect(out.notes).toEqual(['suspect p3']);
    expect(out.sent.map((o) => o.to)).toEqual(['p2', 'p3']);
    expect(out.timers).toEqual([{ name: 'timeout', afterUs: 10_000 }]);
    expect(s.alive).toEqual([]);
  });

  it('a suspect that answers is restored and the delay grows by Δ; the bug switch keeps the delay', () => {
    for (const bug of [false, true]) {
      const p = { ...params, bugNoIncrease: bug };
      const s = fresh();
      handle(heartbeat, s, timeout, world(p));
      handle(heartbeat, s, timeout, world(p)); // nobody answered: both suspected
      expect(s.suspected).toEqual(['p2', 'p3']);
      handle(heartbeat, s, reply('p3'), world(p));
      const out = handle(heartbeat, s, timeout, world(p));
      expect(s.suspected).toEqual(['p2']);
      expect(s.mistakes).toBe(1);
      expect(s.delayUs).toBe(bug ? 10_000 : 20_000);
      expect(out.timers).toEqual([{ name: 'timeout', afterUs: s.delayUs }]);
    }
  });

  it('answers every heartbeat request', () => {
    const out = handle(
      heartbeat,
      fresh(),
      { kind: 'message', from: 'p3', msg: { type: 'HeartbeatRequest' } },
      world(),
    );
    expect(out.sent).toEqual([{ to: 'p3', msg: { type: 'HeartbeatReply' } }]);
  });
});

/** The quick start (p4 crashes at 2 s) with changes, run to its end. */
function run(seed: number, change: Record<string, unknown> = {}, protocol = heartbeat.id): Simulation {
  const base = defaultScenario(heartbeat.id);
  const sc = ScenarioSchema.parse({
    ...base,
    protocol,
    seed,
    ...change,
    params: { ...base.params, ...(change.params as object) },
  });
  const sim = new Simulation(sc);
  sim.runUntil(sc.limits.maxTimeUs, 1_000_000);
  return sim;
}

describe('heartbeat detector is eventually perfect (◇P), over seeds', () => {
  it('after p4 crashes, every correct process suspects p4 and no one else, with no violation (seeds 1-20)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = run(seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const verdicts = sim.invariants().filter((v) => v.kind === 'liveness');
      expect(
        verdicts.map((v) => v.ok),
        `seed=${seed}`,
      ).toEqual([true, true]);
      for (const n of sim.nodeStates())
        if (n.id !== 'p4') {
          const s = n.state as HeartbeatState;
          expect(s.suspected, `seed=${seed} ${n.id}`).toEqual(['p4']);
          // It learnt the network: round trips here exceed the first Δ.
          expect(s.delayUs, `seed=${seed} ${n.id}`).toBeGreaterThan(params.deltaUs);
        }
    }
  });

  it('counts mistakes through a crash: the metric never turns NaN and never drops (seeds 1-5)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const sim = run(seed);
      const v = sim.metrics().series.find((x) => x.id === 'wrongSuspicions')!.v;
      expect(v.every(Number.isFinite), `seed=${seed}`).toBe(true);
      for (let k = 1; k < v.length; k++) expect(v[k]!, `seed=${seed}`).toBeGreaterThanOrEqual(v[k - 1]!);
      const down = sim.nodeStates().find((n) => n.id === 'p4')!;
      expect(Object.keys(down.state as object).sort(), `seed=${seed}`).toEqual([
        'delayUs',
        'mistakes',
        'suspicions',
      ]);
    }
  });

  it('with bugNoIncrease, eventual strong accuracy is broken on every seed (1-20)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = run(seed, { params: { bugNoIncrease: true } });
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('eventual-strong-accuracy');
      // Not before the bound: the last fault (2 s) plus settleUs (2 s).
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThanOrEqual(4_000_000);
    }
  });

  it('a detector that never suspects breaks strong completeness', () => {
    const trusting: AnyProtocol = {
      ...heartbeat,
      id: 'test-trusting-detector',
      on(ctx, s, input) {
        heartbeat.on(ctx, s, input);
        s.suspected.length = 0;
      },
    };
    registerProtocol(trusting);
    const sim = run(1, {}, trusting.id);
    expect(sim.violation?.invariant).toBe('strong-completeness');
    expect(sim.violation?.message).toMatch(/does not suspect p4, which is down/);
  });

  it('owes nothing while the faults go on: no liveness check under a nemesis that never stops', () => {
    const sim = run(3, {
      params: { bugNoIncrease: true },
      nemesis: { enabled: true, crashRatePerS: 0.5, meanDowntimeUs: 300_000 },
    });
    expect(sim.violation).toBeNull();
    expect(
      sim
        .invariants()
        .filter((v) => v.kind === 'liveness')
        .map((v) => v.ok),
    ).toEqual([null, null]);
  });
});

describe('the built-in exercise "Tune the failure detector"', () => {
  it('fails as shipped (Δ too short) and passes with a period longer than the round trips (seeds 1-5)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseFile } = await import('../../../shared/files/parse');
    const { fileItems } = await import('../../../shared/files/format');
    const { grade } = await import('../../../shared/exercise/goals');
    const { summarizeRun } = await import('../../run-summary');
    const parsed = parseFile(readFileSync('resources/library/heartbeat-detector-tune.dslab.json', 'utf8'));
    if (!parsed.ok) throw new Error(parsed.message);
    const ex = fileItems(parsed.file).exercises[0]!.exercise;
    const gradeWith = (deltaUs: number, seed: number) => {
      const sc = ScenarioSchema.parse({ ...ex.scenario, seed, params: { ...ex.scenario.params, deltaUs } });
      const sim = new Simulation(sc);
      sim.runUntil(sc.limits.maxTimeUs, 1_000_000);
      return grade(ex, summarizeRun(sim), { scenario: sc });
    };
    for (let seed = 1; seed <= 5; seed++) {
      const shipped = gradeWith(ex.scenario.params.deltaUs as number, seed);
      expect(shipped.goals.find((g) => g.id === 'no-mistake')?.passed, `seed=${seed}`).toBe(false);
      const tuned = gradeWith(40_000, seed);
      expect(
        tuned.goals.filter((g) => !g.passed),
        `seed=${seed}`,
      ).toEqual([]);
    }
  });
});
