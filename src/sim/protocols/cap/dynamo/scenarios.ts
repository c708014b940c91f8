import type { Scenario } from '../../../../shared/scenario/schema';
import { ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { dynamo } from './dynamo';

/** The quick start (a partition from 1 s to 3 s) with `params` over the defaults. */
export function dynamoPartition(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(dynamo, params);
}

/** The same topology and workload with no fault: where R + W versus N shows (PACELC's "else"). */
export function dynamoNoPartition(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(dynamo, params);
  return ScenarioSchema.parse({
    ...base,
    name: `Dynamo, N=${base.params.n} R=${base.params.r} W=${base.params.w}, no partition`,
    faults: [],
  });
}

/**
 * Last writer wins on a skewed clock (§4.4): no partition, cp mode, and n4's clock stepped back
 * 50 ms at 0.5 s. A write n4 coordinates is stamped older than writes that finished before it
 * began, and loses to them: the history is not linearizable, even with strict quorums.
 */
export function dynamoClockSkew(params: Record<string, unknown> = {}): Scenario {
  const base = dynamoNoPartition({ mode: 'cp', ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Dynamo, CP with last writer wins: n4’s clock 50 ms behind',
    faults: [{ atUs: 500_000, fault: { kind: 'clock-step', node: 'n4', deltaUs: -50_000 } }],
  });
}
