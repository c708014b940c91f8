import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/cli/run-seed';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import type { Scenario } from '../../src/shared/scenario/schema';
import { broadcast } from '../../src/sim/protocols/broadcast/broadcast';

/**
 * Reliable broadcast's agreement (RB4) under crashes in the middle of sending: the lesson's
 * claim "eager relaying survives the crash of the sender" over seeds, and bugNoRelay (best-effort
 * broadcast) caught by the agreement check.
 */
const LIB = join(dirname(fileURLToPath(import.meta.url)), '../../resources/library');
const FILE = 'broadcast-crash-while-sending.dslab.json';
const load = (sets: string[] = []): Scenario => loadScenarioFile(join(LIB, FILE), sets).scenario;

describe('reliable broadcast, crashes while sending', () => {
  it('relaying keeps agreement among the correct nodes on seeds 1..40, though senders crash mid-broadcast', () => {
    const scenario = load();
    let cut = 0;
    let judged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed(scenario, seed);
      expect(r.violation, `seed ${seed}: ${JSON.stringify(r.violation)}`).toBeNull();
      // null: the run ended before the faults had been over for a second (a late restart).
      const agreement = r.invariants.find((v) => v.id === 'agreement')?.ok;
      expect(agreement, `seed ${seed}`).not.toBe(false);
      if (agreement === true) judged++;
      cut += r.metrics.counters.faults ?? 0;
    }
    // The scenario does what it says: crashes cut broadcasts short on most seeds.
    expect(cut).toBeGreaterThan(40);
    expect(judged).toBeGreaterThanOrEqual(30);
  });

  it('bugNoRelay: the agreement check finds a correct node left without a message', () => {
    const scenario = load(['params.bugNoRelay=true']);
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const v = runSeed(scenario, seed).violation;
      if (v === null) continue;
      expect(v.invariant).toBe('agreement');
      expect(v.message).toMatch(/^n\d delivered n\d:\d+ but n\d, also correct, never will/);
      caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });

  it('agreement is judged only when nothing is in flight and the links lost nothing', () => {
    const check = broadcast.liveness!.find((l) => l.id === 'agreement')!;
    const node = (id: string, got: Record<string, number[]>, restarts = 0) => ({
      id,
      role: 'node',
      up: true,
      state: { next: 1, delivered: 0, got, recent: [], duplicates: 0, kv: {}, relays: 0, restarts },
    });
    const params = broadcast.params.parse({});
    const nodes = [node('n1', { n1: [1, 3] }), node('n2', { n1: [1, 2] })];
    const view = { nodes, nowUs: 5e6, quietSinceUs: 0, unanswered: [], inFlight: 0, lostToNetwork: 0 };
    expect(check.check(view as never, params)).toBe(
      'n1 delivered n1:3 but n2, also correct, never will (nothing is in flight)',
    );
    expect(check.check({ ...view, inFlight: 1 } as never, params)).toBeNull();
    expect(check.check({ ...view, lostToNetwork: 2 } as never, params)).toBeNull();
    // A node that crashed is not correct (the book's crash-stop model): it may miss messages.
    expect(
      check.check({ ...view, nodes: [nodes[0], node('n2', { n1: [1, 2] }, 1)] } as never, params),
    ).toBeNull();
  });
});
