import type { Scenario } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { hadoop } from './hadoop';
import { spark } from './spark';
import { storm } from './storm';

/** Hadoop's quick start (PageRank, 4 rounds) with `params`. */
export function hadoopQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(hadoop, params);
}

/** Spark's quick start (PageRank, 4 rounds, links cached) with `params`. */
export function sparkQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(spark, params);
}

/** Storm's quick start (word count as a stream; w3 down from 150 to 350 ms) with `params`. */
export function stormQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(storm, params);
}
