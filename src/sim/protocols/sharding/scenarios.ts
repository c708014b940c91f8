import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { quickStartScenario } from '../../toolkit/quick-start';
import { addShardFaults, sharding, shardingWorkload } from './sharding';

export { shardingWorkload } from './sharding';

/** The quick start (sharding.quickStart: hash modulo 3) with `params` and keys drawn by `distribution`. */
export function shardingQuickStart(
  params: Record<string, unknown> = {},
  distribution: 'uniform' | 'zipf' | 'sequential' = 'uniform',
): Scenario {
  const base = quickStartScenario(sharding, params);
  return distribution === 'uniform'
    ? base
    : ScenarioSchema.parse({ ...base, workload: shardingWorkload(distribution) });
}

/** Resharding: a fourth shard s4 joins at 3 s; the router notices on its next tick. */
export function shardingAddShard(
  params: Record<string, unknown> = {},
  distribution: 'uniform' | 'zipf' | 'sequential' = 'uniform',
): Scenario {
  return ScenarioSchema.parse({
    ...shardingQuickStart(params, distribution),
    name: 'Sharding: add a shard at 3 s',
    faults: addShardFaults('s4', 3_000_000),
  });
}

/** Region-prefixed keys: 150 in Europe, 100 in the US, 50 in Asia-Pacific. */
export function regionKeys(): string[] {
  const keys: string[] = [];
  for (const [region, n] of [
    ['eu', 150],
    ['us', 100],
    ['ap', 50],
  ] as const)
    for (let i = 0; i < n; i++) keys.push(`${region}-${i}`);
  return keys;
}

/**
 * Directory sharding: keys carry a region prefix and the directory pins each region to a
 * shard (eu -> s1, us -> s2, ap -> s3), so placement follows the regions' sizes.
 */
export function shardingDirectory(params: Record<string, unknown> = {}): Scenario {
  const base = shardingQuickStart({ strategy: 'directory', scanFrom: 'eu-', scanTo: 'eu-~', ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Sharding: a directory by region',
    workload: { ...shardingWorkload(), keys: { list: regionKeys(), distribution: 'uniform' } },
  });
}

/** The built-in sharding scenarios (determinism tests run each twice). */
export function shardingScenarios(): Scenario[] {
  return [
    shardingQuickStart(),
    shardingAddShard(),
    shardingQuickStart({ strategy: 'range' }, 'zipf'),
    shardingDirectory(),
  ];
}
