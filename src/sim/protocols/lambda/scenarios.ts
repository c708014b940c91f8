import type { Scenario } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { lambda } from './lambda';

/** The Lambda quick start (batch worker crashes at 2 s, speed node at 3.2 s) with `params`. */
export function lambdaQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(lambda, params);
}

/** The Kappa story: job v1 crashes at 1.5 s, v2 is deployed at 2.5 s and replays the log. */
export function kappaReplay(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(lambda, { architecture: 'kappa', ...params });
}
