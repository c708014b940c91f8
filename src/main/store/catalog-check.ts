/**
 * What an imported file must pass besides its schema: every scenario in it against the
 * protocol catalog (src/sim/catalog.ts checkScenario: the protocol exists, each node's role is
 * one it has, its params pass the protocol's schema) and, for an exercise, every value its
 * variants give a param. Role counts are not checked: a scenario still being built may lack
 * nodes, and Play says so. Library.importFile is the one caller, for the CLI, the API method
 * of both transports and the app alike.
 */

import type { Exercise } from '../../shared/exercise/schema';
import type { DslabFile } from '../../shared/files/format';
import { type FileIssue, formatPath } from '../../shared/files/parse';
import type { Scenario } from '../../shared/scenario/schema';
import { checkScenario, getProtocol } from '../../sim';

/** Problems of one scenario, with paths from the file's root (`prefix` leads to the scenario). */
function scenarioIssues(scenario: Scenario, prefix: (string | number)[]): FileIssue[] {
  return checkScenario(scenario, { roleCounts: false }).map((i) => ({
    path: formatPath([...prefix, ...i.path]),
    message: i.message,
  }));
}

/** The values a variation gives (all choices; a range's first, second and last value). */
function variantValues(
  v: NonNullable<Exercise['variant']>['params'][string],
): [unknown, (string | number)[]][] {
  if ('choices' in v) return v.choices.map((c, k) => [c, ['choices', k]]);
  const out: [unknown, (string | number)[]][] = [
    [v.min, ['min']],
    [v.max, ['max']],
  ];
  if (v.min + v.step < v.max) out.push([Number((v.min + v.step).toPrecision(12)), ['step']]);
  return out;
}

/** Problems of an exercise's variants: each value a learner may get must pass the params schema. */
function variantIssues(exercise: Exercise, prefix: (string | number)[]): FileIssue[] {
  const protocol = getProtocol(exercise.scenario.protocol);
  if (!protocol || !exercise.variant) return [];
  const issues: FileIssue[] = [];
  for (const [name, variation] of Object.entries(exercise.variant.params))
    for (const [value, at] of variantValues(variation)) {
      const r = protocol.params.safeParse({ ...exercise.scenario.params, [name]: value });
      if (r.success) continue;
      const first = r.error.issues[0]!;
      issues.push({
        path: formatPath([...prefix, 'variant', 'params', name, ...at]),
        message: `the protocol refuses params.${name} = ${JSON.stringify(value)}: ${first.message}`,
      });
      break;
    }
  return issues;
}

/** Every catalog problem of a (schema-valid) file, paths from the file's root; empty when none. */
export function catalogIssues(file: DslabFile): FileIssue[] {
  switch (file.kind) {
    case 'scenario':
      return scenarioIssues(file.scenario, ['scenario']);
    case 'exercise':
      return [
        ...scenarioIssues(file.exercise.scenario, ['exercise', 'scenario']),
        ...variantIssues(file.exercise, ['exercise']),
      ];
    case 'bundle':
      return [
        ...file.scenarios.flatMap((s, i) => scenarioIssues(s.scenario, ['scenarios', i, 'scenario'])),
        ...file.exercises.flatMap((e, i) => [
          ...scenarioIssues(e.exercise.scenario, ['exercises', i, 'exercise', 'scenario']),
          ...variantIssues(e.exercise, ['exercises', i, 'exercise']),
        ]),
      ];
  }
}
