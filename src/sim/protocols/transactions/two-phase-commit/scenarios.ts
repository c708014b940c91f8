import { type Scenario, ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { twoPcTopology, twoPhaseCommit } from './two-phase-commit';

/** The quick start (the headline: the coordinator crashes after every YES) with `params`. */
export function twoPcBlocking(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(twoPhaseCommit, params);
}

/**
 * Two clients run reads and writes as transactions on ten keys (their history is checked for
 * linearizability); participants vote NO one time in ten; p3 crashes for 400 ms at 1 s; the
 * liveness properties are checked from 2.4 s on.
 */
export function twoPcClients(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(twoPhaseCommit, {
    txnEveryMs: 0,
    voteNoProbability: 0.1,
    ...params,
  });
  return ScenarioSchema.parse({
    ...base,
    name: 'Two-phase commit: clients, NO votes and a participant crash',
    topology: twoPcTopology(2),
    workload: {
      kind: 'open',
      ratePerS: 40,
      readFraction: 0.3,
      keys: { pattern: 'k{i}', count: 10, distribution: 'uniform' },
      stopUs: 2_500_000,
      timeoutUs: 1_000_000,
    },
    faults: [
      { atUs: 1_000_000, fault: { kind: 'crash', node: 'p3' } },
      { atUs: 1_400_000, fault: { kind: 'restart', node: 'p3' } },
    ],
    limits: { maxTimeUs: 3_000_000 },
  });
}

/**
 * The exercise "ask the others": p3 is scripted to vote NO on T2 and the coordinator crashes at
 * 307 ms, after sending T2's VOTE-REQ and before any vote reaches it; it restarts at 1.5 s.
 * p1 and p2 voted YES and are uncertain; p3 knows T2 aborted. Under coordinator-only
 * termination p1 and p2 block until 1.5 s; under cooperative termination p3 tells them.
 */
export function twoPcAskTheOthers(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(twoPhaseCommit, {
    termination: 'coordinator-only',
    noVotes: ['T2@p3'],
    ...params,
  });
  return ScenarioSchema.parse({
    ...base,
    name: 'Two-phase commit: ask the others',
    faults: [
      { atUs: 307_000, fault: { kind: 'crash', node: 'coord' } },
      { atUs: 1_500_000, fault: { kind: 'restart', node: 'coord' } },
    ],
    limits: { maxTimeUs: 2_000_000 },
  });
}

/**
 * The exercise "break it: forget the log": bugForgetLogOnRestart is on and p1 crashes for 10 ms
 * at `crashUs` (200 ms: between T1 and T2, when its log holds nothing undecided). Crashed at
 * 318 ms, after its YES for T2 is on disk and before COMMIT arrives, p1 forgets that it voted.
 */
export function twoPcForgetLog(params: Record<string, unknown> = {}, crashUs = 200_000): Scenario {
  const base = quickStartScenario(twoPhaseCommit, { bugForgetLogOnRestart: true, ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Two-phase commit: break it by forgetting the log',
    faults: [
      { atUs: crashUs, fault: { kind: 'crash', node: 'p1' } },
      { atUs: crashUs + 7_000, fault: { kind: 'restart', node: 'p1' } },
    ],
    limits: { maxTimeUs: 1_000_000 },
  });
}

/** The built-in two-phase commit scenarios. */
export function twoPcScenarios(): Scenario[] {
  return [twoPcBlocking(), twoPcClients()];
}
