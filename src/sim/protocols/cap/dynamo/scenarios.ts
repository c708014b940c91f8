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
