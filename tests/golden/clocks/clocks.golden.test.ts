import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { defaultScenario } from '../../../src/sim/catalog';
import { ntpAsymmetric } from '../../../src/sim/protocols/clocks/scenarios';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const notesAndFaults = (k: string) => k === 'note' || k === 'fault';

describe('physical clocks golden transcripts', () => {
  it('NTP quick start: strata synchronize (steps, slews, unsynchronized servers), c1 jumps and is stepped back', () => {
    const sim = new Simulation(defaultScenario('ntp'), { seed: 1 });
    sim.runUntil(32_000_000);
    const lines = transcript(sim, notesAndFaults).split('\n');
    // The first 3 s (the strata forming) and 29-32 s (c1's jump and its correction).
    const text = lines.filter((l) => {
      const t = Number(l.trim().split(/\s+/)[0]);
      return Number.isNaN(t) || t < 3_000_000 || t >= 29_000_000;
    });
    expectGolden(
      here('ntp-quick-start.golden.txt'),
      text.join('\n'),
      "defaultScenario('ntp'), seed 1, notes and faults before 3 s and from 29 s to 32 s",
    );
  });

  it('NTP on an asymmetric route: c1 slews by what it measures, never seeing the asymmetry', () => {
    const sim = new Simulation(ntpAsymmetric(), { seed: 1 });
    sim.runUntil(6_000_000);
    expectGolden(
      here('ntp-asymmetric.golden.txt'),
      transcript(sim, notesAndFaults),
      'ntpAsymmetric(), seed 1, notes and faults until 6 s',
    );
  });

  it("Berkeley quick start: the master's averages, s4 left out, the corrections", () => {
    const sim = new Simulation(defaultScenario('berkeley'), { seed: 1 });
    sim.runUntil(7_000_000);
    expectGolden(
      here('berkeley-quick-start.golden.txt'),
      transcript(sim, notesAndFaults),
      "defaultScenario('berkeley'), seed 1, notes until 7 s",
    );
  });

  it('Berkeley without half the round trip: each slave a trip ahead, and clocks-agree stops the run', () => {
    const sc = defaultScenario('berkeley');
    sc.params = { ...sc.params, bugNoRttCompensation: true };
    const sim = new Simulation(sc, { seed: 1 });
    sim.runUntil(30_000_000);
    // The last two rounds before the stop, and the check's verdict.
    const stop = sim.violation?.timeUs ?? 0;
    const lines = transcript(sim, notesAndFaults)
      .split('\n')
      .filter((l) => Number(l.trim().split(/\s+/)[0]) >= stop - 4_000_000);
    const v = sim.violation;
    const verdict = v === null ? 'no violation' : `${v.timeUs} violation ${v.invariant}: ${v.message}`;
    expectGolden(
      here('berkeley-no-rtt-compensation.golden.txt'),
      `${lines.join('\n')}\n${verdict}\n`,
      "defaultScenario('berkeley') with bugNoRttCompensation, seed 1: notes of the last 4 s before the stop",
    );
  });

  it('Cristian quick start: readings set, long round trips rejected', () => {
    const sim = new Simulation(defaultScenario('cristian'), { seed: 1 });
    sim.runUntil(5_000_000);
    expectGolden(
      here('cristian-quick-start.golden.txt'),
      transcript(sim, notesAndFaults),
      "defaultScenario('cristian'), seed 1, notes until 5 s",
    );
  });
});
