/** Scenario and exercise builders shared by the store's unit tests, reliability suites and bench. */
import type { ExerciseInput } from '../../src/shared/exercise/schema';
import type { ScenarioInput } from '../../src/shared/scenario/schema';

/** A ping-pong scenario with `nodes` nodes in a ring of links. */
export function makeScenario(nodes = 3, name = 'Ring', seed = 1): ScenarioInput {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  return {
    schemaVersion: 1,
    name,
    topic: 'basics',
    protocol: 'ping-pong',
    params: { retryUs: 50_000 },
    topology: {
      nodes: ids.map((id, i) => ({
        id,
        name: id,
        role: 'node',
        x: (i % 40) * 100,
        y: Math.floor(i / 40) * 100,
      })),
      links:
        nodes < 2
          ? []
          : ids.map((id, i) => ({
              id: `l${i + 1}`,
              a: id,
              b: ids[(i + 1) % nodes]!,
              latency: { kind: 'uniform', minUs: 400, maxUs: 600 },
            })),
    },
    seed,
  };
}

/** A broadcast exercise with one goal of each kind. */
export function makeExercise(title = 'Break it'): ExerciseInput {
  return {
    title,
    scenario: {
      ...makeScenario(4, title),
      protocol: 'broadcast',
      params: { bugNoDedupe: true, payloadBytes: 0 },
    },
    instructions: '# Break it\nFind a schedule that breaks **no-duplication**.',
    goals: [
      { id: 'dup', kind: 'invariant', invariant: 'no-duplication', expect: 'broken' },
      {
        id: 'traffic',
        kind: 'metric',
        metric: 'deliveredTotal',
        op: '>=',
        value: { param: 'payloadBytes', scale: 0, offset: 5 },
      },
      { id: 'sends', kind: 'event', event: 'send', atLeast: 3 },
      { id: 'quiet', kind: 'event', event: 'violation-other', atMost: 0 },
    ],
    hints: [{ text: 'Look at relays.' }],
    locks: ['topology', 'params.bugNoDedupe'],
    variant: { salt: 'x', seed: true, params: { payloadBytes: { choices: [0, 64, 256] } } },
  };
}

/** A run summary that passes makeExercise's goals. */
export function passingRun(seed = 1) {
  return {
    seed,
    events: 1000,
    simulatedUs: 2_000_000,
    outcome: 'violation',
    metrics: { deliveredTotal: 9 },
    invariants: [
      { id: 'no-duplication', ok: false, message: 'n2 delivered n1:1 twice', atEvent: 77 },
      { id: 'no-creation', ok: true },
    ],
    eventCounts: { send: 40, deliver: 38 },
  };
}
