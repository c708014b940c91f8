import { type Scenario, ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { twoPcTopology } from '../two-phase-commit';
import { threePhaseCommit } from './three-phase-commit';

/** The quick start (the coordinator crashes after every YES and stays down) with `params`. */
export function threePcCoordinatorCrash(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(threePhaseCommit, params);
}

/**
 * The partition case: at `atUs` (317.5 ms: every YES on T2 has left its participant, and
 * PRE-COMMIT has not left the coordinator yet) a partition cuts {coord, p1} from {p2, p3}. The
 * votes in flight still arrive (a path is decided at send time), PRE-COMMIT reaches only p1:
 * p1 is committable and commits, p2 and p3 are uncertain and abort. Nobody crashes.
 */
export function threePcPartitionSplit(params: Record<string, unknown> = {}, atUs = 317_500): Scenario {
  const base = quickStartScenario(threePhaseCommit, params);
  return ScenarioSchema.parse({
    ...base,
    name: 'Three-phase commit: a partition splits the participants',
    faults: [
      {
        atUs,
        fault: {
          kind: 'partition',
          id: 'split',
          groups: [
            ['coord', 'p1'],
            ['p2', 'p3'],
          ],
        },
      },
    ],
    limits: { maxTimeUs: 1_000_000 },
  });
}

/** Two-phase commit's topology with two clients, c2 moved right of the coordinator (as 2PC's library file has it). */
function clientsTopology() {
  const t = twoPcTopology(2);
  return { ...t, nodes: t.nodes.map((n) => (n.id === 'c2' ? { ...n, x: 640 } : n)) };
}

/**
 * Two clients run reads and writes as transactions on ten keys (their history is checked for
 * linearizability); participants vote NO one time in ten; p3 crashes for 400 ms at 1 s.
 */
export function threePcClients(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(threePhaseCommit, { txnEveryMs: 0, voteNoProbability: 0.1, ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Three-phase commit: clients, NO votes and a participant crash',
    topology: clientsTopology(),
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
 * A participant crash, scripted: p3 crashes at 322 ms, after its YES on T2 left and before
 * PRE-COMMIT reaches it, and restarts at 800 ms. The coordinator waits for p3's ACK
 * (ackTimeoutMs, 200 ms); p1 and p2, precommitted, hear nothing for 100 ms and run the
 * termination protocol first: it must commit (TR4), as the coordinator will.
 */
export function threePcParticipantCrash(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(threePhaseCommit, params);
  return ScenarioSchema.parse({
    ...base,
    name: 'Three-phase commit: a participant crashes between its YES and its ACK',
    faults: [
      { atUs: 322_000, fault: { kind: 'crash', node: 'p3' } },
      { atUs: 800_000, fault: { kind: 'restart', node: 'p3' } },
    ],
    limits: { maxTimeUs: 2_000_000 },
  });
}

/** The built-in three-phase commit scenarios. */
export function threePcScenarios(): Scenario[] {
  return [threePcCoordinatorCrash(), threePcPartitionSplit(), threePcClients(), threePcParticipantCrash()];
}
