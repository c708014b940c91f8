import { type Scenario, ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { paxosCommit, paxosCommitTopology } from './paxos-commit';

/**
 * The quick start (library `paxos-commit-tm-crash`): two-phase commit's blocking fault script.
 * The TM crashes at 325 ms, after every RM's Prepared is on disk and its phase 2a sent, and
 * restarts at 1.2 s; a1 takes over T2 and commits it.
 */
export function paxosCommitTmCrash(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(paxosCommit, params);
}

/**
 * Two clients run reads and writes as transactions on ten keys (their history is checked for
 * linearizability); RMs abort one time in ten; the TM crashes for 300 ms at 1 s and a1 for
 * 300 ms at 1.5 s; the liveness properties are checked from 2.8 s on.
 */
export function paxosCommitClients(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(paxosCommit, { txnEveryMs: 0, voteNoProbability: 0.1, ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Paxos Commit: clients, aborts, a TM and an acceptor crash',
    topology: paxosCommitTopology(2),
    workload: {
      kind: 'open',
      ratePerS: 40,
      readFraction: 0.3,
      keys: { pattern: 'k{i}', count: 10, distribution: 'uniform' },
      stopUs: 3_000_000,
      timeoutUs: 1_000_000,
    },
    faults: [
      { atUs: 1_000_000, fault: { kind: 'crash', node: 'tm' } },
      { atUs: 1_300_000, fault: { kind: 'restart', node: 'tm' } },
      { atUs: 1_500_000, fault: { kind: 'crash', node: 'a1' } },
      { atUs: 1_800_000, fault: { kind: 'restart', node: 'a1' } },
    ],
    limits: { maxTimeUs: 3_500_000 },
  });
}

/**
 * The exercise "the impatient leader": rm3's link is slow (about 60 ms a hop instead of 2.5 ms),
 * so its phase 2a reaches the acceptors about 130 ms after T2 begins. With leaderTimeoutMs
 * under that, the TM runs phase 1 first, finds rm3's instance free and gets Aborted chosen
 * in it; rm3's late ballot-0 message must then be refused (bugAcceptLowerBallot accepts it).
 */
export function paxosCommitSlowRm(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(paxosCommit, { ...params });
  const topology = paxosCommitTopology();
  for (const l of topology.links)
    if (l.id === 'rm3-sw') l.latency = { kind: 'normal', meanUs: 60_000, stdUs: 2_000, minUs: 50_000 };
  return ScenarioSchema.parse({
    ...base,
    name: 'Paxos Commit: the impatient leader',
    topology,
    faults: [],
    limits: { maxTimeUs: 1_000_000 },
  });
}

/**
 * The exercise "two acceptors down": the TM crashes at 325 ms as in the quick start, and a1 and
 * a2 at 320 ms, back at 1.6 s. With three acceptors (F = 1) no leader can gather a majority
 * until they return; with five (F = 2) a3 can. `acceptors` sets how many.
 */
export function paxosCommitTwoAcceptorsDown(params: Record<string, unknown> = {}, acceptors = 3): Scenario {
  const base = quickStartScenario(paxosCommit, params);
  return ScenarioSchema.parse({
    ...base,
    name: 'Paxos Commit: two acceptors down',
    topology: paxosCommitTopology(0, acceptors),
    faults: [
      { atUs: 320_000, fault: { kind: 'crash', node: 'a1' } },
      { atUs: 320_000, fault: { kind: 'crash', node: 'a2' } },
      { atUs: 325_000, fault: { kind: 'crash', node: 'tm' } },
      { atUs: 1_200_000, fault: { kind: 'restart', node: 'tm' } },
      { atUs: 1_600_000, fault: { kind: 'restart', node: 'a1' } },
      { atUs: 1_600_000, fault: { kind: 'restart', node: 'a2' } },
    ],
    limits: { maxTimeUs: 3_000_000 },
  });
}

/** The built-in Paxos Commit scenarios. */
export function paxosCommitScenarios(): Scenario[] {
  return [paxosCommitTmCrash(), paxosCommitClients()];
}
