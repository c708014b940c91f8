import type { Scenario } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { mapReduce } from './mapreduce';

/** The quick start (word count; w3 crashes at 300 ms, after its map) with `params`. */
export function mrQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(mapReduce, params);
}
