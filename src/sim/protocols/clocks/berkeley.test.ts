import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../catalog';
import type { NodeView } from '../../protocol';
import { Simulation } from '../../simulation';
import { handle } from '../../toolkit/recorder';
import {
  type Averaged,
  agreeingClocks,
  agreementBoundUs,
  type BerkeleyMsg,
  BerkeleyParams,
  type BerkeleyState,
  berkeley,
  readingErrorUs,
} from './berkeley';

const params = BerkeleyParams.parse({});
const roles = { m: 'master', s1: 'slave', s2: 'slave' };
const world = (self: string, nowUs: number, p = params) => ({
  self,
  role: roles[self as keyof typeof roles],
  nodes: roles,
  params: p,
  nowUs,
});
const answer = (from: string, t: number) => ({
  kind: 'message' as const,
  from,
  msg: { type: 'TimeAnswer', round: 1, t } as BerkeleyMsg,
});

describe("Berkeley's agreement bound (docs/protocols/clocks.md, 'Agreement')", () => {
  it("a reading errs by half its round trip plus what the clocks' rates add (a worked example)", () => {
    // ρ 100 ppm + slew 500 ppm = 600 ppm. A 4 ms round trip: the asymmetry can put the slave
    // 2,000 µs either way; the rates during the trip add 2 × 600e-6 × 4,000 = 4.8 µs; between
    // the reading and the correction (collect 100 ms twice, plus an Adjust's trip of at most
    // maxRoundTrip 50 ms) they add 600e-6 × 250,000 = 150 µs. 2,154.8 µs in all.
    expect(readingErrorUs(params, 4000)).toBeCloseTo(2154.8, 9);
  });

  it("the master keeps the round's readings and their error bounds when it averages", () => {
    const m = berkeley.init({ id: 'm', role: 'master', params, nodes: Object.keys(roles) });
    handle(berkeley, m, { kind: 'timer', name: 'round' }, world('m', 100_000));
    handle(berkeley, m, answer('s1', 132_000), world('m', 104_000)); // round trip 4 ms
    handle(berkeley, m, answer('s2', 92_000), world('m', 110_000)); // round trip 10 ms
    handle(berkeley, m, { kind: 'timer', name: 'average' }, world('m', 200_000));
    expect(m.averaged).toEqual({
      round: 1,
      at: 200_000 + 0, // the master's clock after it corrected itself (a slew: no jump)
      readings: [
        { node: 'm', errUs: 0 },
        { node: 's1', errUs: readingErrorUs(params, 4000) },
        { node: 's2', errUs: readingErrorUs(params, 10_000) },
      ],
      ratePpm: 600,
      rhoPpm: 100,
    });
  });

  it('bugNoRttCompensation: the master takes a slave to read t when the answer arrives', () => {
    const bug = BerkeleyParams.parse({ bugNoRttCompensation: true });
    const m = berkeley.init({ id: 'm', role: 'master', params: bug, nodes: Object.keys(roles) });
    handle(berkeley, m, { kind: 'timer', name: 'round' }, world('m', 100_000, bug));
    handle(berkeley, m, answer('s1', 132_000), world('m', 104_000, bug));
    // Right: 132,000 + 2,000 − 104,000 = +30 ms. Forgetting half the round trip: +28 ms.
    expect(m.diffs.map((d) => d.diffUs)).toEqual([28_000]);
  });

  // Three clocks after round 3, averaged at 1 s on the master's clock; s1's reading may err by
  // 2 ms, s2's by 3 ms; the master's own by nothing.
  const averaged: Averaged = {
    round: 3,
    at: 1_000_000,
    readings: [
      { node: 'm', errUs: 0 },
      { node: 's1', errUs: 2000 },
      { node: 's2', errUs: 3000 },
    ],
    ratePpm: 600,
    rhoPpm: 100,
  };
  const view = (
    id: string,
    errorUs: number,
    leftUs: number,
    o: { round?: number; localUs?: number; up?: boolean } = {},
  ): NodeView<BerkeleyState> => {
    const s = berkeley.init({ id, role: roles[id as keyof typeof roles], params, nodes: Object.keys(roles) });
    s.round = o.round ?? 3;
    if (id === 'm') s.averaged = averaged;
    return {
      id,
      role: roles[id as keyof typeof roles],
      up: o.up ?? true,
      state: s,
      localUs: o.localUs ?? 1_000_000,
      clockErrorUs: errorUs,
      slewLeftUs: leftUs,
    };
  };
  const clocksAgree = berkeley.liveness!.find((l) => l.id === 'clocks-agree')!;
  const check = (nodes: NodeView<BerkeleyState>[]) =>
    clocksAgree.check(
      { nodes, nowUs: 0, quietSinceUs: 0, unanswered: [], inFlight: 0, lostToNetwork: 0 },
      params,
    );

  it('clocks-agree checks where the clocks are headed (clock + slew left) against the sum of two shares', () => {
    // s1 is at +1 ms with +0.5 ms of slew to go: headed for +1.5 ms; s2 for −3 ms; m for 0.
    // m–s2: 3 ms apart, its bound 0 + 3 ms: holds at the edge. s1–s2: 4.5 ms, bound 5 ms.
    expect(check([view('m', 0, 0), view('s1', 1000, 500), view('s2', -3000, 0)])).toBeNull();
    expect(check([view('m', 0, 0), view('s1', 1000, 500), view('s2', -3010, 0)])).toBe(
      'm and s2 are headed 3.01 ms apart (with their slews done), beyond the bound 3.00 ms of the last round',
    );
    // The same clocks, but s2's slew will bring it to −2.51 ms: where it is now does not matter.
    expect(check([view('m', 0, 0), view('s1', 1000, 500), view('s2', -3010, 500)])).toBeNull();
  });

  it('the bound grows by ρ per clock with the time since the round, on the master clock', () => {
    // 1 s later on the master's clock (at most 1/(1 − 600e-6) s of true time): each share
    // grows by ρ × that = 100.06 µs, so m and s2 may now be 3.2 ms apart, not 3.21.
    const later = (id: string, e: number) => view(id, e, 0, { localUs: 2_000_000 });
    expect(check([later('m', 0), later('s1', 0), later('s2', -3200)])).toBeNull();
    expect(check([later('m', 0), later('s1', 0), later('s2', -3210)])).toMatch(
      /^m and s2 are headed 3.21 ms apart/,
    );
  });

  it('only the master and the slaves that applied the last round are held to it', () => {
    // s2's Adjust of round 3 is still on its way (it is at round 2), and s1 is down.
    const nodes = [
      view('m', 0, 0),
      view('s1', 90_000, 0, { up: false }),
      view('s2', -90_000, 0, { round: 2 }),
    ];
    expect(check(nodes)).toBeNull();
    expect(agreeingClocks(nodes)!.map((c) => c.id)).toEqual(['m']);
    // No master up: nothing to agree with.
    expect(check([view('m', 0, 0, { up: false }), view('s1', 90_000, 0), view('s2', -90_000, 0)])).toBeNull();
  });

  it("the chart's bound on the clocks themselves: the two largest of share + |slew left|", () => {
    const c = agreeingClocks([view('m', 0, -400), view('s1', 1000, 500), view('s2', -3000, 0)])!;
    expect(c.map((x) => x.halfUs)).toEqual([0, 2000, 3000]);
    expect(agreementBoundUs(c)).toBe(3000 + 2500);
  });
});

describe("Berkeley's agreement over seeds", () => {
  const seeds = Array.from({ length: 20 }, (_, k) => k + 1);
  const series = (sim: Simulation, id: string) => sim.metrics().series.find((s) => s.id === id)!;

  it('the quick start: clocks-agree holds, and the clocks stay within the charted bound once settled (seeds 1-20)', () => {
    for (const seed of seeds) {
      const sim = new Simulation(defaultScenario('berkeley'), { seed });
      sim.runUntil(30_000_000);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(sim.invariants().find((v) => v.id === 'clocks-agree')?.ok, `seed=${seed}`).toBe(true);
      const spread = series(sim, 'clockSpreadUs');
      const bound = series(sim, 'agreementBoundUs');
      let sampled = 0;
      for (const [k, t] of spread.tUs.entries()) {
        if (t < 10_000_000) continue;
        // 4 µs: four clocks rounded to whole microseconds.
        expect(spread.v[k]!, `seed=${seed} t=${t}`).toBeLessThanOrEqual(bound.v[k]! + 4);
        sampled++;
      }
      expect(sampled, `seed=${seed}`).toBeGreaterThan(15); // the series keeps one sample a second or so
    }
  });

  it('bugNoRttCompensation is caught by clocks-agree, once settled (seeds 1-20)', () => {
    for (const seed of seeds) {
      const sc = defaultScenario('berkeley');
      sc.params = { ...sc.params, bugNoRttCompensation: true };
      const sim = new Simulation(sc, { seed });
      sim.runUntil(30_000_000);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('clocks-agree');
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThanOrEqual(10_000_000);
      expect(sim.violation!.message, `seed=${seed}`).toMatch(/^m and s\d are headed/);
    }
  });

  it('a clock drifting faster than ρ breaks the bound (the check fires)', () => {
    // s1 drifts 5,000 ppm from the start: 10 ms a round, where ρ = 100 ppm allows 0.2 ms and
    // the asymmetry share (half a round trip, about 3 ms) the rest. 1,000 ppm (2 ms a round) is
    // not caught on this seed: the share assumes the worst asymmetry, which these links rarely show.
    const sc = defaultScenario('berkeley');
    sc.faults = [{ atUs: 0, fault: { kind: 'clock-drift', node: 's1', driftPpm: 5000 } }];
    const sim = new Simulation(sc, { seed: 1 });
    sim.runUntil(30_000_000);
    expect(sim.violation?.invariant).toBe('clocks-agree');
    expect(sim.violation!.message).toMatch(/s1/);
  });

  it("the lesson's try-this: s2 on a constant 30 ms link is left out of every round, and all-adjusted reports it 10 s in (seeds 1-20)", () => {
    for (const seed of seeds) {
      const sc = defaultScenario('berkeley');
      sc.topology.links = sc.topology.links.map((l) =>
        l.b === 's2' ? { ...l, latency: { kind: 'constant' as const, us: 30_000 } } : l,
      );
      const sim = new Simulation(sc, { seed });
      sim.runUntil(30_000_000);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('all-adjusted');
      expect(sim.violation!.message, `seed=${seed}`).toBe('s2 was never adjusted');
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThanOrEqual(10_000_000);
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeLessThan(10_500_000);
    }
  });

  it("the lesson's try-this: toleranceMs 20 leaves out clocks that are merely far in the first round, and the average moves (seeds 1-20)", () => {
    for (const seed of seeds) {
      const first = (tol: number) => {
        const sc = defaultScenario('berkeley');
        sc.params = { ...sc.params, toleranceMs: tol };
        const sim = new Simulation(sc, { seed });
        sim.runUntil(1_000_000); // the first round starts within 0.2 s and averages 0.1 s later
        return sim.nodeState('m')!.state as BerkeleyState;
      };
      const wide = first(500);
      const narrow = first(20);
      expect(wide.excluded, `seed=${seed}`).toEqual(['s4']);
      expect(narrow.excluded.length, `seed=${seed}`).toBeGreaterThan(1);
      expect(Math.abs(narrow.average - wide.average), `seed=${seed}`).toBeGreaterThan(1000);
    }
  });
});
