import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { pubsub } from './pubsub';

/** The quick start (pubsub.quickStart: s2 down from 1 s to 1.6 s) with `params`. */
export function pubsubQuickStart(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(pubsub, params);
}

/**
 * The nemesis: for 4 s, random crashes (about one a second, down for 0.3 s on average) of any
 * node, the broker and the subscribers included, and loss bursts on the links; then 4 s of
 * calm in which every confirmed message must be processed or dead-lettered.
 */
export function pubsubNemesis(params: Record<string, unknown> = {}): Scenario {
  const base = pubsubQuickStart(params);
  return ScenarioSchema.parse({
    ...base,
    name: 'Pub/sub: crashes and loss bursts (nemesis)',
    faults: [],
    nemesis: {
      enabled: true,
      startUs: 200_000,
      stopUs: 4_000_000,
      crashRatePerS: 1,
      meanDowntimeUs: 300_000,
      lossRatePerS: 1,
      lossRate: 0.3,
      meanLossUs: 300_000,
    },
    limits: { maxTimeUs: 8_000_000 },
  });
}

/** The built-in pub/sub scenarios. */
export function pubsubScenarios(): Scenario[] {
  return [pubsubQuickStart(), pubsubNemesis()];
}
