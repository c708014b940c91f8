import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { kafka } from './kafka';

/** The quick start (kafka.quickStart: b1, p0's leader, crashes at 1 s and returns at 2 s) with `params`. */
export function kafkaQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(kafka, params);
}

/**
 * Unclean leader election: b1 leads p0 while b2 and b3 are cut off from it (they keep talking
 * to the controller), so they fall out of p0's ISR and b1 goes on alone (min.insync.replicas 1);
 * then b1 crashes. Only b2 and b3 are left, both outside the ISR: with
 * unclean.leader.election.enable on, b2 leads p0 without the records b1 acknowledged.
 */
export function kafkaUncleanElection(params: Record<string, unknown> = {}): Scenario {
  const base = kafkaQuickStart({ minInsyncReplicas: 1, uncleanLeaderElection: true, ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Kafka: unclean leader election',
    faults: [
      { atUs: 500_000, fault: { kind: 'partition-oneway', id: 'cut', from: ['b1'], to: ['b2', 'b3'] } },
      { atUs: 500_000, fault: { kind: 'partition-oneway', id: 'cut2', from: ['b2', 'b3'], to: ['b1'] } },
      { atUs: 1_200_000, fault: { kind: 'crash', node: 'b1' } },
      { atUs: 1_200_000, fault: { kind: 'heal', id: 'cut' } },
      { atUs: 1_200_000, fault: { kind: 'heal', id: 'cut2' } },
      { atUs: 2_200_000, fault: { kind: 'restart', node: 'b1' } },
    ],
    limits: { ...base.limits, maxTimeUs: 3_500_000 },
  });
}

/** The built-in Kafka scenarios. */
export function kafkaScenarios(): Scenario[] {
  return [kafkaQuickStart(), kafkaUncleanElection()];
}
