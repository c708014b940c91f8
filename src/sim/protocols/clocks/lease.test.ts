import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../../shared/files/parse';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { type ClientState, type LeaseMsg, LeaseParams, lease, type ServerState } from './lease';
import { leaseServerJump } from './scenarios';

const seeds = Array.from({ length: 10 }, (_, k) => k + 1);
const params = LeaseParams.parse({});
const nodes = { srv: 'server', c1: 'client', c2: 'client' };
const world = (self: string, nowUs: number) => ({ self, nodes, params, nowUs });
const msg = (from: string, m: LeaseMsg) => ({ kind: 'message' as const, from, msg: m });

describe('leases (Gray & Cheriton §2)', () => {
  it('the server grants no conflicting lease while a term runs on its clock', () => {
    const s = lease.init({ id: 'srv', role: 'server', params, nodes: Object.keys(nodes) }) as ServerState;
    const first = handle(lease, s, msg('c1', { type: 'Acquire', req: 1 }), world('srv', 5000));
    expect(first.sent).toEqual([{ to: 'c1', msg: { type: 'Grant', req: 1, termUs: 1_000_000 } }]);
    expect(s.expiresAt).toBe(1_005_000);
    // c2 asks 1 µs before the term ends on the server's clock: refused; at its end: granted.
    expect(handle(lease, s, msg('c2', { type: 'Acquire', req: 4 }), world('srv', 1_004_999)).sent).toEqual([
      { to: 'c2', msg: { type: 'Busy', req: 4 } },
    ]);
    expect(
      handle(lease, s, msg('c2', { type: 'Acquire', req: 5 }), world('srv', 1_005_000)).sent[0]?.msg.type,
    ).toBe('Grant');
  });

  it('the holder counts its term from its request, less ε, on its own clock', () => {
    const c = lease.init({ id: 'c1', role: 'client', params, nodes: Object.keys(nodes) }) as ClientState;
    handle(lease, c, { kind: 'timer', name: 'want' }, world('c1', 200_000));
    const out = handle(
      lease,
      c,
      msg('srv', { type: 'Grant', req: 1, termUs: 1_000_000 }),
      world('c1', 206_000),
    );
    // Asked at 200,000: it holds until 200,000 + 1,000,000 − 20,000, whatever the trip took.
    expect(c.until).toBe(1_180_000);
    expect(out.events).toEqual([{ type: 'acquired', until: 1_180_000 }]);
    expect(out.timers).toContainEqual({ name: 'expire', afterUs: 974_000 });
  });

  it('single-holder reads the other clients’ clocks at a grant', () => {
    const inv = lease.invariants[0]!;
    const client = (id: string, localUs: number, until: number | null) => ({
      id,
      role: 'client',
      up: true,
      localUs,
      state: { kind: 'client' as const, req: 0, askedAt: 0, until, holding: until !== null, held: 1 },
    });
    const c2 = client('c2', 500_000, 1_400_000);
    const events = [{ type: 'acquired', until: 1_400_000 }];
    const view = (c1: ReturnType<typeof client>) => ({ nodes: [c1, c2], changed: c2, nowUs: 0, events });
    expect(inv.check(view(client('c1', 1_180_000, 1_180_000)))).toBeNull(); // its term just ended
    expect(inv.check(view(client('c1', -5000, null)))).toBeNull(); // never held (a clock below 0)
    expect(inv.check(view(client('c1', 1_170_000, 1_180_000)))).toBe(
      "c2 and c1 both believe they hold the lease: c1's clock reads 1170.00 ms, its term runs until 1180.00 ms",
    );
  });

  it('the quick start: clocks within ε, the lease passes round and never has two holders (seeds 1-10)', () => {
    for (const seed of seeds) {
      const sim = new Simulation(defaultScenario('lease'), { seed });
      sim.runUntil(20_000_000);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      for (const id of ['c1', 'c2', 'c3'])
        expect((sim.nodeState(id)!.state as ClientState).held, `seed=${seed} ${id}`).toBeGreaterThan(0);
    }
  });

  it("the server's clock jumping ahead mid-term gives the lease to a second client: single-holder stops it (seeds 1-10)", () => {
    for (const seed of seeds) {
      const sim = new Simulation(leaseServerJump(), { seed });
      sim.runUntil(10_000_000);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('single-holder');
      expect(sim.violation?.message, `seed=${seed}`).toMatch(/^c\d and c\d both believe they hold the lease/);
      // Within the first holder's term, after the jump at 0.4 s.
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThan(400_000);
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeLessThan(1_100_000);
    }
  });

  it('a holder whose clock drifts beyond ε holds past the server; a larger ε covers it (seeds 1-10)', () => {
    const drifting = (epsilonMs: number) => {
      const sc = defaultScenario('lease');
      sc.params = { ...sc.params, epsilonMs };
      sc.topology.nodes = sc.topology.nodes.map((n) =>
        n.id === 'c1' ? { ...n, clockDriftPpm: -50_000 } : n,
      );
      return sc;
    };
    for (const seed of seeds) {
      const broken = new Simulation(drifting(20), { seed });
      broken.runUntil(20_000_000);
      expect(broken.violation?.invariant, `seed=${seed}`).toBe('single-holder');
      const covered = new Simulation(drifting(60), { seed });
      covered.runUntil(20_000_000);
      expect(covered.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('the library file is the scenario built here', () => {
    const parsed = parseFile(readFileSync('resources/library/lease-server-clock-jumps.dslab.json', 'utf8'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.file.kind).toBe('scenario');
    if (parsed.file.kind === 'scenario') expect(parsed.file.scenario).toEqual(leaseServerJump());
  });
});
