/**
 * Read replication's one lesson step that was backed on a single seed, as a property over
 * seeds (docs/protocols/lesson-claims.md lists every claim and the test that backs it).
 */
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../src/shared/scenario/schema';
import { registerProtocol } from '../../src/sim/catalog';
import { readReplication, replicationQuickStart } from '../../src/sim/protocols/replication';
import type { ReplicaState } from '../../src/sim/protocols/replication/types';
import { Simulation } from '../../src/sim/simulation';
import { seriesLast } from '../../src/sim/test/summary';

registerProtocol(readReplication);

describe('read replication: "set failover to manual, crash r1, then set promote to r2"', () => {
  it('nobody takes writes until you do; then r2 leads epoch 2 and writes are acknowledged again (seeds 1..10)', () => {
    const sc = ScenarioSchema.parse({
      ...replicationQuickStart({ failover: 'manual' }),
      faults: [{ atUs: 1_000_000, fault: { kind: 'crash', node: 'r1' } }],
    });
    const leading = (sim: Simulation, id: string) => (sim.nodeState(id)!.state as ReplicaState).leading;
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation(sc, { seed });
      // Writes in flight at the crash settle within the clients' timeout; after that, nothing.
      sim.runUntil(1_500_000);
      const acked = seriesLast(sim, 'writesAcked');
      sim.runUntil(3_000_000);
      expect(leading(sim, 'r2') || leading(sim, 'r3'), `seed ${seed}`).toBe(false);
      expect(seriesLast(sim, 'writesAcked'), `seed ${seed}: writes acknowledged with no leader`).toBe(acked);
      sim.applyLive({ kind: 'params', params: { promote: 'r2' } });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation, `seed ${seed}`).toBeNull();
      expect(leading(sim, 'r2'), `seed ${seed}`).toBe(true);
      expect((sim.nodeState('r2')!.state as ReplicaState).epoch, `seed ${seed}`).toBe(2);
      expect(seriesLast(sim, 'writesAcked'), `seed ${seed}`).toBeGreaterThan(acked);
    }
  });
});
