import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { link } from '../../toolkit/topology';
import { cristian } from './cristian';
import { lease } from './lease';
import { ntp } from './ntp';

/**
 * Half the asymmetry: a primary and two clients. c2's requests and replies take the same
 * direct link (1-1.5 ms each way); c1's link to s1 is cut in the direction c1 → s1 at 0, so its
 * requests go round by a switch over two slow hops (10-10.25 ms each) while the replies come
 * straight back. NTP's θ assumes equal trips, so c1 ends about (20.25 − 1.25) / 2 ≈ 9.5 ms
 * ahead of true time, and neither c1 nor its bound (δ/2 ≈ 11 ms) can tell.
 */
export function ntpAsymmetric(params: Record<string, unknown> = {}): Scenario {
  const direct = { kind: 'uniform', minUs: 1000, maxUs: 1500 } as const;
  const slow = { kind: 'uniform', minUs: 10_000, maxUs: 10_250 } as const;
  const node = (
    id: string,
    role: string,
    x: number,
    y: number,
    clockOffsetUs: number,
    clockDriftPpm: number,
  ) => ({
    id,
    name: id === 'sw' ? 'switch' : id,
    role,
    x,
    y,
    clockOffsetUs,
    clockDriftPpm,
  });
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'NTP: an asymmetric route errs by half the asymmetry',
    topic: 'clocks',
    protocol: ntp.id,
    params: ntp.params.parse(params),
    topology: {
      nodes: [
        node('s1', 'primary', 250, 250, 0, 0),
        node('c1', 'client', 0, 0, 300_000, 5),
        node('sw', 'switch', 0, 250, 0, 0),
        node('c2', 'client', 500, 0, -300_000, -5),
      ],
      links: [
        link('c1', 's1', direct),
        link('c1', 'sw', slow),
        link('sw', 's1', slow),
        link('c2', 's1', direct),
      ],
    },
    faults: [{ atUs: 0, fault: { kind: 'cut-link', link: 'c1-s1', direction: 'a-to-b' } }],
    seed: 1,
    limits: { maxTimeUs: 30_000_000 },
  });
}

/**
 * Slew or step (an exercise's start): c2 of the quick start starts 100 ms off, under the step
 * threshold, so NTP slews it at 500 ppm: 200 s, far past the 30 s run.
 */
export function ntpSlewOrStep(): Scenario {
  const base = quickStartScenario(ntp);
  return ScenarioSchema.parse({
    ...base,
    name: 'NTP: slew or step',
    topology: {
      ...base.topology,
      nodes: base.topology.nodes.map((n) => (n.id === 'c2' ? { ...n, clockOffsetUs: -100_000 } : n)),
    },
    faults: [],
    limits: { maxTimeUs: 30_000_000 },
  });
}

/**
 * Tighter readings (an exercise's start): Cristian's quick start with c3's link a little
 * faster (8 ms mean, 3 ms spread, never under 4 ms), so that a client that rejects long
 * round trips still gets readings often.
 */
export function cristianTighter(): Scenario {
  const base = quickStartScenario(cristian);
  return ScenarioSchema.parse({
    ...base,
    name: "Cristian's algorithm: tighter readings",
    topology: {
      ...base.topology,
      links: base.topology.links.map((l) =>
        l.b === 'c3' ? { ...l, latency: { kind: 'normal', meanUs: 8000, stdUs: 3000, minUs: 4000 } } : l,
      ),
    },
    params: { ...base.params, settleMs: 20_000 },
    limits: { maxTimeUs: 30_000_000 },
  });
}

/**
 * Two holders of one lease (issue 18, "what drift does to other protocols"): the leases quick
 * start with c1 asking first, and the server's clock stepping 300 ms ahead in the middle of
 * c1's first term (an operator's date command, or a time daemon stepping a clock it found off).
 * The server counts the term out 300 ms early and grants the lease to the next client who asks,
 * while c1, on its own clock, still holds it: single-holder stops the run.
 */
export function leaseServerJump(): Scenario {
  const base = quickStartScenario(lease);
  return ScenarioSchema.parse({
    ...base,
    name: "Leases: the server's clock jumps ahead",
    params: { ...base.params, thinkMs: 0 },
    faults: [{ atUs: 400_000, fault: { kind: 'clock-step', node: 'srv', deltaUs: 300_000 } }],
    limits: { maxTimeUs: 10_000_000 },
  });
}
