/**
 * Each claim of the lesson (lesson.ts, docs/protocols/replication.md "What the lesson
 * teaches"), checked over seeds: what a configuration promises holds on every seed, under the
 * nemesis, with the linearizability checker on the client history; what it does not promise
 * fails on some seed, and the checkers show that failure as the lesson, not as a bug.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../checkers/builtin';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { registerProtocol } from '../../catalog';
import { checkLinearizable } from '../../checkers/linearizability';
import { Simulation, type Verdict } from '../../simulation';
import { seriesLast } from '../../test/summary';
import { readReplication, replicationFailover, replicationNemesis, replicationQuickStart } from '.';

registerProtocol(readReplication);

const seeds = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

function run(sc: Scenario, seed: number): Simulation {
  const sim = new Simulation(sc, { seed, checkpointEvery: Number.MAX_SAFE_INTEGER });
  while (!sim.done) sim.runFor(100_000);
  return sim;
}

const verdict = (sim: Simulation, id: string): Verdict => sim.invariants().find((v) => v.id === id)!;
const stale = (sim: Simulation) => sim.metrics().gauges.staleReads ?? 0;

describe('the lesson of read replication, over seeds', () => {
  it('sync, reads at the leader behind a barrier: under the nemesis no acknowledged write is lost and every history is linearizable', () => {
    for (const seed of seeds(40)) {
      const sim = run(replicationNemesis(), seed);
      expect(sim.violation, `reproduce with seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability'), `seed=${seed}`).toMatchObject({ ok: true });
      expect(verdict(sim, 'durability'), `seed=${seed}`).toMatchObject({ ok: true });
      expect(verdict(sim, 'linearizability').lesson).toBeUndefined();
      expect(seriesLast(sim, 'writesAcked'), `seed=${seed}`).toBeGreaterThan(0);
    }
  });

  it('the failover exercise in sync mode with leader reads: linearizable on seeds 1..30 (15 failed before reads checked leadership)', () => {
    const file = JSON.parse(
      readFileSync(
        new URL(
          '../../../../resources/library/replication-failover-no-lost-writes.dslab.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as { exercise: { scenario: Scenario } };
    const base = ScenarioSchema.parse(file.exercise.scenario);
    for (const seed of seeds(30)) {
      const sim = run({ ...base, params: { ...base.params, mode: 'sync', readPolicy: 'leader' } }, seed);
      expect(checkLinearizable(sim.history()).ok, `seed=${seed}`).toBe(true);
    }
  });

  it('semi-sync with a majority of copies, and a lease while clocks keep time, promise the same and keep it', () => {
    const steady = (p: Record<string, unknown>): Scenario => {
      const sc = replicationNemesis(p);
      return { ...sc, nemesis: { ...sc.nemesis, clockSkewRatePerS: 0 } };
    };
    for (const p of [
      { mode: 'semi-sync' },
      { leaderReads: 'lease' },
      { mode: 'semi-sync', leaderReads: 'lease' },
    ])
      for (const seed of seeds(20)) {
        const sim = run(steady(p), seed);
        const why = `${JSON.stringify(p)} seed=${seed}`;
        expect(sim.violation, why).toBeNull();
        expect(verdict(sim, 'linearizability'), why).toMatchObject({ ok: true });
        expect(verdict(sim, 'linearizability').lesson, why).toBeUndefined();
        expect(verdict(sim, 'durability'), why).toMatchObject({ ok: true });
      }
  });

  it('async may lose acknowledged writes on failover: the durability check lists them, as the lesson', () => {
    let lossy = 0;
    for (const seed of seeds(20)) {
      const sim = run(replicationFailover(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const v = verdict(sim, 'durability');
      expect(v.lesson, `seed=${seed}`).toMatch(/asynchronous replication/);
      if (v.ok === false) {
        lossy++;
        expect(v.details!.length, `seed=${seed}`).toBe(seriesLast(sim, 'lostWrites'));
      }
    }
    // The old leader's unshipped writes are lost in most seeds.
    expect(lossy).toBeGreaterThan(10);
  });

  it('follower reads are not linearizable, even in sync mode; the checker says so as the lesson', () => {
    let failed = 0;
    for (const seed of seeds(10)) {
      const sim = run(replicationQuickStart({ mode: 'sync' }), seed);
      const v = verdict(sim, 'linearizability');
      expect(v.lesson, `seed=${seed}`).toMatch(/reads go to followers/);
      if (v.ok === false) {
        failed++;
        expect(v.details!.length).toBeGreaterThan(0);
      }
    }
    expect(failed).toBeGreaterThan(0);
  });

  it('sync followers still serve stale reads (they apply on hearing of the commit); waiting for applied stops them', () => {
    let stored = 0;
    for (const seed of seeds(10)) {
      stored += stale(run(replicationQuickStart({ mode: 'sync' }), seed));
      const applied = run(replicationQuickStart({ mode: 'sync', waitFor: 'applied' }), seed);
      expect(applied.violation, `seed=${seed}`).toBeNull();
      expect(stale(applied), `seed=${seed}`).toBe(0);
    }
    expect(stored).toBeGreaterThan(0);
  });

  it('waiting costs write latency: async < semi-sync < sync < sync waiting for applied', () => {
    const mean = (p: Record<string, unknown>) => {
      let sum = 0;
      for (const seed of seeds(10)) sum += seriesLast(run(replicationQuickStart(p), seed), 'writeLatencyMs');
      return sum / 10;
    };
    const latencies = [
      mean({ mode: 'async' }),
      mean({ mode: 'semi-sync' }),
      mean({ mode: 'sync' }),
      mean({ mode: 'sync', waitFor: 'applied' }),
    ];
    expect([...latencies].sort((a, b) => a - b)).toEqual(latencies);
  });

  it('a read barrier costs messages that a lease saves', () => {
    let barrier = 0;
    let lease = 0;
    for (const seed of seeds(10)) {
      barrier += run(replicationQuickStart({ mode: 'sync', readPolicy: 'leader' }), seed).metrics().gauges
        .msgsPerOp!;
      lease += run(
        replicationQuickStart({ mode: 'sync', readPolicy: 'leader', leaderReads: 'lease' }),
        seed,
      ).metrics().gauges.msgsPerOp!;
    }
    expect(lease).toBeLessThan(barrier);
  });

  it('a lease trusts clocks: a cut-off leader whose clock steps back reads alone after a new leader took writes; a barrier does not', () => {
    // r1 is cut off from its followers and from c2 (not from c1) and its clock steps back 2 s.
    const jump = (leaderReads: string): Scenario => {
      const base = replicationNemesis({ mode: 'semi-sync', leaderReads });
      return {
        ...base,
        nemesis: { ...base.nemesis, enabled: false },
        faults: [
          {
            atUs: 1_000_000,
            fault: {
              kind: 'partition',
              id: 'split',
              groups: [
                ['r1', 'c1'],
                ['r2', 'r3', 'c2'],
              ],
            },
          },
          { atUs: 1_000_000, fault: { kind: 'clock-step', node: 'r1', deltaUs: -2_000_000 } },
          { atUs: 4_000_000, fault: { kind: 'heal', id: 'split' } },
        ],
      };
    };
    let broken = 0;
    for (const seed of seeds(10)) {
      const lease = verdict(run(jump('lease'), seed), 'linearizability');
      expect(lease.lesson, `seed=${seed}`).toMatch(/trusts clocks/);
      if (lease.ok === false) broken++;
      const barrier = verdict(run(jump('barrier'), seed), 'linearizability');
      expect(barrier, `seed=${seed}`).toMatchObject({ ok: true });
      expect(barrier.lesson).toBeUndefined();
    }
    expect(broken).toBeGreaterThan(0);
  });

  it('the lease is not promised where it cannot hold: too long, clocks that jump, or promotion by hand', () => {
    const gap = (p: Record<string, unknown>, sc: Scenario = replicationQuickStart()) =>
      readReplication.notPromised!(
        readReplication.params.parse({ mode: 'sync', readPolicy: 'leader', ...p }),
        sc,
      ).linearizability;
    expect(gap({ leaderReads: 'lease' })).toBeUndefined();
    expect(gap({ leaderReads: 'lease', leaseUs: 300_000 })).toMatch(/lease lasts as long as/);
    expect(gap({ leaderReads: 'lease', failover: 'manual' })).toMatch(/promoted by hand/);
    expect(gap({ leaderReads: 'lease' }, replicationNemesis())).toMatch(/trusts clocks/);
    expect(gap({}, replicationNemesis())).toBeUndefined();
  });

  it('every bug switch is caught: no-lost-writes under the nemesis, session-guarantee in the quick start', () => {
    const caught = seeds(20).filter(
      (seed) =>
        run(replicationNemesis({ bugAckBeforeReplicate: true }), seed).violation?.invariant ===
        'no-lost-writes',
    );
    expect(caught.length).toBeGreaterThan(0);
    const sim = run(replicationQuickStart({ readPolicy: 'read-your-writes', bugIgnoreSession: true }), 1);
    expect(sim.violation?.invariant).toBe('session-guarantee');
  });

  it('the checker the run reports is the project checker on the recorded history', () => {
    const sim = run(replicationNemesis(), 1);
    expect(verdict(sim, 'linearizability').ok).toBe(checkLinearizable(sim.history()).ok);
  });
});
