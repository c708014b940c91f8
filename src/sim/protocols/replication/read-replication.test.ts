import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { registerProtocol } from '../../catalog';
import { Simulation } from '../../simulation';
import { seriesLast, seriesMax } from '../../test/summary';
import {
  type ClientState,
  type ReplicaState,
  readReplication,
  replicationFailover,
  replicationQuickStart,
  replicationScenarios,
} from '.';

registerProtocol(readReplication);

const SEEDS = Array.from({ length: 60 }, (_, k) => k + 1);

function run(sc: ReturnType<typeof replicationQuickStart>, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return sim;
}

function notes(sim: Simulation, text: string): string[] {
  return sim
    .traceWindow({ from: 0, to: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER)
    .filter((r) => (r.kind === 'note' || r.kind === 'violation') && (r.detail ?? '').includes(text))
    .map((r) => r.detail!);
}

function replica(sim: Simulation, id: string): ReplicaState {
  return sim.nodeState(id)!.state as ReplicaState;
}

/** A scenario with the nemesis crashing and partitioning replicas. */
function chaos(params: Record<string, unknown>, seed: number) {
  const base = replicationQuickStart(params);
  return ScenarioSchema.parse({
    ...base,
    seed,
    nemesis: {
      enabled: true,
      startUs: 500_000,
      stopUs: 4_000_000,
      crashRatePerS: 1,
      meanDowntimeUs: 600_000,
      partitionRatePerS: 0.5,
      meanPartitionUs: 400_000,
    },
  });
}

describe('read replication: params and defaults', () => {
  it('parses defaults and rejects bad values', () => {
    const d = readReplication.params.parse({});
    expect(d).toMatchObject({
      mode: 'async',
      readPolicy: 'any-follower',
      failover: 'automatic',
      semiSyncAcks: 1,
    });
    expect(() => readReplication.params.parse({ mode: 'quorum' })).toThrow();
    expect(() => readReplication.params.parse({ semiSyncAcks: 0 })).toThrow();
    expect(() => readReplication.params.parse({ heartbeatUs: 10 })).toThrow();
  });

  it('the default topology has one leader, two followers and two clients', () => {
    const t = readReplication.defaultTopology(readReplication.params.parse({}));
    const roles = t.nodes.map((n) => n.role).sort();
    expect(roles).toEqual(['client', 'client', 'follower', 'follower', 'leader', 'switch']);
  });
});

describe('read replication: replication modes (DDIA ch. 5, "Synchronous Versus Asynchronous Replication")', () => {
  it('async: the leader answers before followers store the write; followers lag and serve stale reads', () => {
    let stale = 0;
    let sawLag = 0;
    for (const seed of SEEDS.slice(0, 30)) {
      const sim = run(replicationQuickStart(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      stale += seriesLast(sim, 'staleReads');
      sawLag = Math.max(sawLag, seriesMax(sim, 'replica3LagVersions'));
      // Each stale-read note is counted once.
      expect(notes(sim, 'stale read').length, `seed=${seed}`).toBe(seriesLast(sim, 'staleReads'));
    }
    expect(stale).toBeGreaterThan(30);
    expect(sawLag).toBeGreaterThan(0);
  });

  it('sync: a write is acknowledged only once every follower stored it, so follower reads are never stale', () => {
    for (const seed of SEEDS.slice(0, 30)) {
      const sim = run(replicationQuickStart({ mode: 'sync' }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(seriesLast(sim, 'staleReads'), `seed=${seed}`).toBe(0);
      expect(seriesLast(sim, 'followerReads'), `seed=${seed}`).toBeGreaterThan(50);
      // Every acknowledged write is on every follower that acknowledged it.
      const r1 = replica(sim, 'r1');
      for (const a of r1.acked) {
        expect(replica(sim, 'r2').log[a.seq - 1]?.opId).toBe(a.opId);
        expect(replica(sim, 'r3').log[a.seq - 1]?.opId).toBe(a.opId);
      }
    }
  });

  it('write latency grows from async to semi-sync to sync (the far follower r3 sets the sync pace)', () => {
    const lat = (mode: string) => {
      let sum = 0;
      for (const seed of SEEDS.slice(0, 10))
        sum += seriesLast(run(replicationQuickStart({ mode }), seed), 'writeLatencyMs');
      return sum / 10;
    };
    const a = lat('async');
    const s1 = lat('semi-sync');
    const s = lat('sync');
    expect(a).toBeLessThan(s1);
    expect(s1).toBeLessThan(s);
  });

  it('reading at the leader is never stale', () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const sim = run(replicationQuickStart({ readPolicy: 'leader' }), seed);
      expect(seriesLast(sim, 'staleReads')).toBe(0);
      expect(seriesLast(sim, 'followerReads')).toBe(0);
    }
  });
});

describe('read replication: session guarantees (Terry et al. 1994; DDIA ch. 5 "Problems with Replication Lag")', () => {
  for (const policy of ['read-your-writes', 'monotonic'] as const) {
    it(`${policy}: no client ever reads below its session floor, over many seeds`, () => {
      let redirected = 0;
      for (const seed of SEEDS) {
        const sim = run(replicationQuickStart({ readPolicy: policy }), seed);
        expect(sim.violation, `seed=${seed}`).toBeNull();
        for (const c of ['c1', 'c2']) {
          const s = sim.nodeState(c)!.state as ClientState;
          expect(s.sessionViolations, `seed=${seed}`).toBe(0);
          redirected += s.redirected;
        }
      }
      // The floor is doing work: some follower reads were sent back to the leader.
      expect(redirected).toBeGreaterThan(0);
    });
  }

  it('read-your-writes still lets a client read another client’s old data (stale reads remain)', () => {
    let stale = 0;
    for (const seed of SEEDS.slice(0, 20))
      stale += seriesLast(run(replicationQuickStart({ readPolicy: 'read-your-writes' }), seed), 'staleReads');
    expect(stale).toBeGreaterThan(0);
  });

  it('bug switch bugIgnoreSession: the session-guarantee invariant catches it on a seed found by search', () => {
    const found = SEEDS.find((seed) => {
      const sim = run(
        replicationQuickStart({ readPolicy: 'read-your-writes', bugIgnoreSession: true }),
        seed,
      );
      return sim.violation?.invariant === 'session-guarantee';
    });
    // Embedded for the record: seed 1 breaks it (reproduce with seed=1).
    expect(found).toBe(1);
  });
});

describe('read replication: failover (DDIA ch. 5 "Handling Node Outages")', () => {
  it('async: writes the old leader acknowledged but never shipped are lost, each named in a note', () => {
    const sim = run(replicationFailover(), 1);
    expect(sim.violation).toBeNull();
    const lost = seriesLast(sim, 'lostWrites');
    expect(lost).toBeGreaterThan(0);
    expect(notes(sim, 'lost write').length).toBe(lost);
    expect(notes(sim, 'leads epoch 2').length).toBe(1);
    // The old leader rejoined as a follower of the new epoch and converged.
    expect(replica(sim, 'r1').leader).toBe(false);
    expect(replica(sim, 'r1').log.map((e) => e.opId)).toEqual(replica(sim, 'r2').log.map((e) => e.opId));
  });

  it('sync: no acknowledged write is lost in the same failover, over many seeds', () => {
    for (const seed of SEEDS.slice(0, 30)) {
      const sim = run(replicationFailover({ mode: 'sync' }), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(seriesLast(sim, 'lostWrites'), `seed=${seed}`).toBe(0);
    }
  });

  it('sync under the nemesis (crashes and partitions): invariants hold and nothing acknowledged is lost', () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const sim = run(chaos({ mode: 'sync' }, seed), seed);
      expect(sim.violation, `reproduce with seed=${seed}`).toBeNull();
      expect(seriesLast(sim, 'lostWrites'), `seed=${seed}`).toBe(0);
    }
  });

  it('async under the nemesis: one leader per epoch holds, and some seeds lose writes', () => {
    let lostRuns = 0;
    for (const seed of SEEDS.slice(0, 40)) {
      const sim = run(chaos({}, seed), seed);
      expect(sim.violation, `reproduce with seed=${seed}`).toBeNull();
      if (seriesMax(sim, 'lostWrites') > 0) lostRuns++;
    }
    expect(lostRuns).toBeGreaterThan(0);
  });

  it('bug switch bugAckBeforeReplicate: sync-no-lost-writes stops the run at the promotion', () => {
    const sim = run(replicationFailover({ mode: 'sync', bugAckBeforeReplicate: true }), 1);
    expect(sim.violation?.invariant).toBe('sync-no-lost-writes');
    expect(sim.violation?.node).toBe('r2');
    // Under the nemesis no run loses a sync-acknowledged write without the invariant saying so
    // (promotion check, and the split-brain check on a deposed leader still answering).
    for (const seed of SEEDS.slice(0, 40)) {
      const sim = run(chaos({ mode: 'sync', bugAckBeforeReplicate: true }, seed), seed);
      if (sim.violation === null) expect(seriesLast(sim, 'lostWrites'), `seed=${seed}`).toBe(0);
    }
    // And a seed found by search (reproduce with the printed seed).
    const found = SEEDS.find(
      (seed) => run(chaos({ mode: 'sync', bugAckBeforeReplicate: true }, seed), seed).violation !== null,
    );
    expect(found, 'no seed broke the invariant under the nemesis').toBeDefined();
  });

  it('manual failover: nobody takes over until `promote` names a replica', () => {
    const sc = ScenarioSchema.parse({
      ...replicationQuickStart({ failover: 'manual' }),
      faults: [{ atUs: 1_000_000, fault: { kind: 'crash', node: 'r1' } }],
    });
    const sim = new Simulation(sc);
    sim.runUntil(2_000_000);
    expect(replica(sim, 'r2').leader || replica(sim, 'r3').leader).toBe(false);
    const acked = seriesLast(sim, 'writesAcked');
    sim.applyLive({ kind: 'params', params: { promote: 'r3' } });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    expect(sim.violation).toBeNull();
    expect(replica(sim, 'r3').leader).toBe(true);
    expect(replica(sim, 'r3').epoch).toBe(2);
    expect(seriesLast(sim, 'writesAcked')).toBeGreaterThan(acked);
  });

  it('manual failover can be scripted with promoteAtUs', () => {
    const sc = ScenarioSchema.parse({
      ...replicationQuickStart({ failover: 'manual', promote: 'r2', promoteAtUs: 1_500_000 }),
      faults: [{ atUs: 1_000_000, fault: { kind: 'crash', node: 'r1' } }],
    });
    const sim = run(sc, 1);
    const lead = notes(sim, 'leads epoch 2');
    expect(lead).toEqual([
      'r2 leads epoch 2 (promoted by hand) with ' +
        replica(sim, 'r2').log.filter((e) => e.epoch === 1).length +
        ' entries',
    ]);
  });
});

describe('read replication: properties over random seeds and params (fast-check)', () => {
  it('one leader per epoch, logs agree on committed prefixes, sessions honoured', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('async', 'semi-sync', 'sync'),
        fc.constantFrom('leader', 'any-follower', 'read-your-writes', 'monotonic'),
        (seed, mode, readPolicy) => {
          const sim = run(chaos({ mode, readPolicy }, seed), seed);
          if (sim.violation !== null)
            throw new Error(`seed=${seed} ${mode} ${readPolicy}: ${sim.violation.message}`);
          // Leader completeness for the final leader: followers never hold an entry of the
          // leader's epoch that differs from the leader's (Raft §5.3 log matching).
          const ids = ['r1', 'r2', 'r3'];
          const lead = ids
            .map((id) => replica(sim, id))
            .filter((s) => s.leader)
            .sort((a, b) => b.epoch - a.epoch)[0];
          if (lead === undefined) return;
          for (const id of ids) {
            const s = replica(sim, id);
            const n = Math.min(s.commitSeq, lead.log.length);
            for (let k = 0; k < n; k++)
              if (s.log[k]!.epoch === lead.epoch && s.log[k]!.opId !== lead.log[k]!.opId)
                throw new Error(`seed=${seed}: ${id} disagrees at ${k + 1}`);
          }
        },
      ),
      { numRuns: 40, seed: 20261127 },
    );
  });
});

describe('read replication: determinism', () => {
  for (const sc of replicationScenarios()) {
    it(`${sc.name}: same seed, same trace hash`, () => {
      const a = run(sc, sc.seed);
      const b = run(sc, sc.seed);
      expect(a.traceRows).toBeGreaterThan(100);
      expect(b.traceHash(), `seed=${sc.seed}`).toBe(a.traceHash());
      expect(run(sc, sc.seed + 1).traceHash()).not.toBe(a.traceHash());
    });
  }

  it('replay from a checkpoint reaches the same hash', () => {
    const sc = replicationFailover();
    const sim = new Simulation(sc, { checkpointEvery: 200 });
    sim.runUntil(Number.MAX_SAFE_INTEGER);
    const end = sim.eventIndex;
    const hash = sim.traceHash();
    sim.seek(Math.floor(end / 3));
    sim.seek(end);
    expect(sim.traceHash()).toBe(hash);
  });
});
