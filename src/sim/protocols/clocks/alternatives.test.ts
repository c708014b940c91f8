import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../catalog';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import { type BerkeleyMsg, BerkeleyParams, type BerkeleyState, berkeley } from './berkeley';
import { type CristianMsg, CristianParams, type CristianState, cristian } from './cristian';

const seeds = Array.from({ length: 10 }, (_, k) => k + 1);

/** True error of a node's clock now: the kernel's local clock − true time. */
function trueError(sim: Simulation, id: string): number {
  return sim.nodeState(id)!.clockErrorUs;
}

describe("Cristian's algorithm", () => {
  const params = CristianParams.parse({});
  const nodes = { ts: 'server', c1: 'client' };
  const world = (nowUs: number) => ({ self: 'c1', role: 'client', nodes, params, nowUs });
  const asked = (t0: number): CristianState => {
    const s = cristian.init({ id: 'c1', role: 'client', params, nodes: ['c1', 'ts'] });
    s.server = 'ts';
    handle(cristian, s, { kind: 'timer', name: 'poll' }, world(t0));
    return s;
  };
  const reply = (seq: number, t: number) => ({
    kind: 'message' as const,
    from: 'ts',
    msg: { type: 'TimeReply', seq, t } as CristianMsg,
  });

  it('sets the clock to T + D and bounds the error by D − min (§3, a worked example)', () => {
    // T0 = 1,000,000 on the client; the server answers T = 5,000,000; the reply arrives at
    // T1 = 1,010,000: 2D = 10,000, D = 5,000, so the clock is set to T + D = 5,005,000.
    // The reply took between min = 4,000 and 2D − min = 6,000: the server now reads between
    // 5,004,000 and 5,006,000, so the error is at most D − min = 1,000, plus ρ·2D = 1 µs of drift.
    const s = asked(1_000_000);
    const out = handle(cristian, s, reply(1, 5_000_000), world(1_010_000));
    expect(out.clock).toEqual([{ kind: 'step', deltaUs: 3_995_000 }]);
    expect(s.boundUs).toBe(1001);
    expect(out.events).toEqual([{ type: 'clock-update', clockUs: 5_005_000, boundUs: 1001 }]);
  });

  it('rejects a round trip above 2U, and a late answer to an older reading', () => {
    const s = asked(0);
    handle(cristian, s, reply(1, 9_000_000), world(31_000)); // 2D = 31 ms > 2U = 30 ms
    expect(s.synced).toBe(false);
    expect(s.rejected).toBe(1);
    handle(cristian, s, { kind: 'timer', name: 'poll' }, world(1_000_000));
    handle(cristian, s, reply(1, 9_000_000), world(1_001_000)); // answers reading 1, not 2
    expect(s.synced).toBe(false);
  });

  it('the quick start sets every client within its bound; bugNoHalfRtt is caught (seeds 1-10)', () => {
    for (const seed of seeds) {
      const sim = new Simulation(defaultScenario('cristian'), { seed });
      sim.runUntil(20_000_000);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(sim.invariants().find((i) => i.id === 'all-synchronized')?.ok, `seed=${seed}`).toBe(true);
      for (const id of ['c1', 'c2', 'c3']) {
        const s = sim.nodeState(id)!.state as CristianState;
        // The bound of the last reading, plus drift since (≤ 60 ppm × 1 s poll + a rejected one).
        expect(Math.abs(trueError(sim, id)), `seed=${seed} ${id}`).toBeLessThanOrEqual(s.boundUs + 200);
      }
      const bug = defaultScenario('cristian');
      bug.params = { ...bug.params, bugNoHalfRtt: true };
      const broken = new Simulation(bug, { seed });
      broken.runUntil(20_000_000);
      expect(broken.violation?.invariant, `seed=${seed}`).toBe('within-bound');
    }
  });
});

describe('the Berkeley algorithm', () => {
  const params = BerkeleyParams.parse({});
  const nodes = { m: 'master', s1: 'slave', s2: 'slave', s3: 'slave' };
  const world = (self: string, nowUs: number) => ({
    self,
    role: nodes[self as keyof typeof nodes],
    nodes,
    params,
    nowUs,
  });
  const answer = (from: string, t: number) => ({
    kind: 'message' as const,
    from,
    msg: { type: 'TimeAnswer', round: 1, t } as BerkeleyMsg,
  });

  it('averages the differences allowing half the round trip, leaves a far clock out, and corrects everyone (§II)', () => {
    const m = berkeley.init({ id: 'm', role: 'master', params, nodes: Object.keys(nodes) });
    const q = handle(berkeley, m, { kind: 'timer', name: 'round' }, world('m', 100_000));
    expect(q.sent.map((x) => x.to)).toEqual(['s1', 's2', 's3']);
    // Round trips of 4 ms (answers at 104,000): each slave read t 2 ms before the answer arrived.
    // s1 answered 100,000 + 2,000 + 30,000 → it is 30 ms ahead; s2 10 ms behind; s3 800 ms ahead.
    handle(berkeley, m, answer('s1', 132_000), world('m', 104_000));
    handle(berkeley, m, answer('s2', 92_000), world('m', 104_000));
    handle(berkeley, m, answer('s3', 902_000), world('m', 104_000));
    expect(m.diffs.map((d) => d.diffUs)).toEqual([30_000, -10_000, 800_000]);
    // Differences 0 (master), +30, −10, +800 ms; median (lower) +0 → s3 is 800 ms off, beyond 500
    // ms: left out. Average of 0, 30, −10 = +6.67 ms: the master moves +6.67, s1 −23.33, s2
    // +16.67, s3 −793.33 (it is corrected too).
    const out = handle(berkeley, m, { kind: 'timer', name: 'average' }, world('m', 200_000));
    expect(m.excluded).toEqual(['s3']);
    expect(m.average).toBeCloseTo(20_000 / 3, 6);
    const deltas = Object.fromEntries(out.sent.map((x) => [x.to, (x.msg as { deltaUs: number }).deltaUs]));
    expect(deltas.s1).toBeCloseTo(20_000 / 3 - 30_000, 6);
    expect(deltas.s2).toBeCloseTo(20_000 / 3 + 10_000, 6);
    expect(deltas.s3).toBeCloseTo(20_000 / 3 - 800_000, 6);
    // The master slews its own +6.67 ms (under the 20 ms step threshold).
    expect(out.clock).toEqual([{ kind: 'slew', deltaUs: m.average, ratePpm: 500 }]);
  });

  it('a slave applies a correction once, as sent', () => {
    const s = berkeley.init({ id: 's1', role: 'slave', params, nodes: Object.keys(nodes) }) as BerkeleyState;
    const adj = {
      kind: 'message' as const,
      from: 'm',
      msg: { type: 'Adjust', round: 3, deltaUs: -50_000 } as BerkeleyMsg,
    };
    expect(handle(berkeley, s, adj, world('s1', 1000)).clock).toEqual([{ kind: 'step', deltaUs: -50_000 }]);
    expect(handle(berkeley, s, adj, world('s1', 2000)).clock).toEqual([]); // a duplicate
    expect(s.correctionUs).toBe(-50_000);
    expect(s.adjustments).toBe(1);
  });

  it('the quick start brings the clocks together, the 5 s one included (seeds 1-10)', () => {
    for (const seed of seeds) {
      const sim = new Simulation(defaultScenario('berkeley'), { seed });
      sim.runUntil(30_000_000);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const errs = ['m', 's1', 's2', 's3', 's4'].map((id) => trueError(sim, id));
      // They agree with each other (not with true time): within 5 ms, from 5.06 s apart.
      expect(Math.max(...errs) - Math.min(...errs), `seed=${seed}`).toBeLessThanOrEqual(5000);
    }
  });
});

describe('the liveness checks fire', () => {
  // A node cut off from everyone for the whole run never synchronizes: once the bound has
  // passed since the (only) fault, the property must say so.
  const isolate = (protocol: string, node: string, others: string[]) => {
    const sc = defaultScenario(protocol);
    sc.faults = [{ atUs: 0, fault: { kind: 'partition', groups: [[node], others] } }];
    const sim = new Simulation(sc, { seed: 1 });
    sim.runUntil(sc.limits.maxTimeUs);
    return sim.violation;
  };

  it("NTP's all-synchronized, when a client can reach no server", () => {
    const v = isolate('ntp', 'c1', ['s1', 's2a', 's2b', 'c2', 'c3', 'c4']);
    expect(v?.invariant).toBe('all-synchronized');
    expect(v?.message).toBe('c1 is not synchronized');
    expect(v?.timeUs).toBeGreaterThanOrEqual(20_000_000);
  });

  it("Cristian's all-synchronized and Berkeley's all-adjusted, likewise", () => {
    expect(isolate('cristian', 'c2', ['ts', 'c1', 'c3'])?.message).toBe('c2 has no reading');
    expect(isolate('berkeley', 's3', ['m', 's1', 's2', 's4'])?.message).toBe('s3 was never adjusted');
  });
});
