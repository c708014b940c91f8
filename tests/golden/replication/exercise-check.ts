import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Grade, grade } from '../../../src/shared/exercise/goals';
import type { Exercise } from '../../../src/shared/exercise/schema';
import { variantFor } from '../../../src/shared/exercise/variant';
import { parseFile } from '../../../src/shared/files/parse';
import { ScenarioSchema } from '../../../src/shared/scenario/schema';
import { Simulation } from '../../../src/sim/simulation';
import { summarize } from '../../../src/sim/test/summary';

/** Reads and validates a built-in exercise file with the library's own parser (throws with its message). */
export function loadExercise(name: string): Exercise {
  const path = fileURLToPath(new URL(`../../../resources/library/${name}.dslab.json`, import.meta.url));
  const r = parseFile(readFileSync(path, 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  if (r.file.kind !== 'exercise') throw new Error(`${name} is not an exercise`);
  return r.file.exercise;
}

/** Runs a learner's variant of the exercise with param changes, to the end, and grades it. */
export function runAndGrade(ex: Exercise, learner: string, params: Record<string, unknown> = {}): Grade {
  const v = variantFor(ex, learner);
  const sc = ScenarioSchema.parse({ ...v.scenario, params: { ...v.scenario.params, ...params } });
  const sim = new Simulation(sc);
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return grade(ex, summarize(sim), { learner, scenario: sc });
}

/** Like runAndGrade, with a live params change at `atUs` (what a learner does in the inspector). */
export function runAndGradeLive(
  ex: Exercise,
  learner: string,
  atUs: number,
  params: Record<string, unknown>,
): Grade {
  const v = variantFor(ex, learner);
  const sim = new Simulation(v.scenario);
  sim.runUntil(atUs);
  sim.applyLive({ kind: 'params', params });
  sim.runUntil(Number.MAX_SAFE_INTEGER);
  return grade(ex, summarize(sim), { learner, scenario: v.scenario });
}
