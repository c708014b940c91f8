import type { Scenario } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { consistentHashing } from './consistent-hashing';

/** The quick start (consistentHashing.quickStart: n5 joins at 3 s, n2 leaves at 5 s) with `params`. */
export function chQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(consistentHashing, params);
}

/** The built-in consistent-hashing scenarios. */
export function chScenarios(): Scenario[] {
  return [chQuickStart(), chQuickStart({ scheme: 'rendezvous' }), chQuickStart({ scheme: 'jump' })];
}
