import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { addShardFaults, sharding } from './sharding';

/** An open-loop workload over 600 user keys. */
export function shardingWorkload(distribution: 'uniform' | 'zipf' | 'sequential' = 'uniform') {
  return {
    kind: 'open' as const,
    ratePerS: 300,
    readFraction: 0.5,
    keys: { pattern: 'user-{i}', count: 600, distribution, zipfS: 1.1 },
    stopUs: 6_000_000,
  };
}

/** Quick start: hash (CRC-32) modulo 3, uniform keys. */
export function shardingQuickStart(
  params: Record<string, unknown> = {},
  distribution: 'uniform' | 'zipf' | 'sequential' = 'uniform',
): Scenario {
  const p = sharding.params.parse(params);
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: 'Sharding quick start',
    topic: 'sharding',
    protocol: 'sharding',
    params: p,
    topology: sharding.defaultTopology(p),
    workload: shardingWorkload(distribution),
    seed: 1,
    limits: { maxTimeUs: 7_000_000 },
  });
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
