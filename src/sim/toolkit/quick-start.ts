/**
 * A protocol's quick start as a whole scenario: its default topology and params plus what its
 * `quickStart` declares (workload, faults, run length), seed 1. The catalog serves it as the
 * protocol's default scenario; a protocol's own scenario list builds its variants with other
 * params (a hashing scheme, a strategy) the same way. It takes the protocol as an argument, so
 * a protocol folder's scenarios.ts can use it without the catalog (no import cycle).
 */
import { type Scenario, ScenarioSchema } from '../../shared/scenario/schema';
import type { AnyProtocol } from '../protocol';

/** The quick start of `protocol`, with `params` merged over its defaults. */
export function quickStartScenario(protocol: AnyProtocol, params: Record<string, unknown> = {}): Scenario {
  const parsed = protocol.params.parse(params) as Record<string, unknown>;
  const extra = protocol.quickStart?.(parsed);
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: extra?.name ?? `${protocol.title} quick start`,
    topic: protocol.topic,
    protocol: protocol.id,
    params: parsed,
    topology: protocol.defaultTopology(parsed),
    workload: extra?.workload ?? { kind: 'none' },
    faults: extra?.faults ?? [],
    seed: 1,
    limits: { maxTimeUs: extra?.maxTimeUs ?? 10_000_000 },
  });
}
