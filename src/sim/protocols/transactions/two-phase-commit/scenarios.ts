import { type Scenario, ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { twoPcTopology, twoPhaseCommit } from './two-phase-commit';

/** The quick start (the headline: the coordinator crashes after every YES) with `params`. */
export function twoPcBlocking(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(twoPhaseCommit, params);
}

/**
 * Two clients run reads and writes as transactions on ten keys (their history is checked for
 * linearizability); participants vote NO one time in ten; p3 crashes for 400 ms at 1 s.
 */
export function twoPcClients(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(twoPhaseCommit, { txnEveryMs: 0, voteNoProbability: 0.1, ...params });
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

/** The built-in two-phase commit scenarios. */
export function twoPcScenarios(): Scenario[] {
  return [twoPcBlocking(), twoPcClients()];
}
