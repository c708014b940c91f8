import { canonicalJson } from '../files/canonical';
import type { Scenario } from '../scenario/schema';
import type { RunSummary } from './run-summary';
import type { CompareOp, Exercise, Goal, GoalValue, Lock } from './schema';
import { variantFor } from './variant';

/**
 * Grading: each goal of an exercise checked against a run summary, with a sentence saying
 * why it passed or failed. Pure; the store records the grade beside the run.
 */

/** One goal's result. */
export interface GoalResult {
  /** The goal's id (`$seed`, `$locks` for the checks the grader adds). */
  id: string;
  /** The goal as the learner sees it. */
  title: string;
  /** Whether it passed. */
  passed: boolean;
  /** Why, with the measured and the expected values. */
  why: string;
}

/** A run's grade: passed when every goal passed. */
export interface Grade {
  /** True when every goal (and the added seed/lock checks) passed. */
  passed: boolean;
  /** One entry per goal, in the exercise's order, then the added checks. */
  goals: GoalResult[];
}

/** Options for grading. */
export interface GradeOptions {
  /** The learner whose variant is graded (params and seed derived from the name). */
  learner?: string;
  /** The scenario the learner ran; when given, the exercise's locks are checked against it. */
  scenario?: Scenario;
}

const opWords: Record<CompareOp, string> = {
  '<': 'below',
  '<=': 'at most',
  '>': 'above',
  '>=': 'at least',
  '==': 'exactly',
  '!=': 'anything but',
};

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function describeValue(v: GoalValue): string {
  if (typeof v === 'number') return String(v);
  let text = `param ${v.param}`;
  if (v.scale !== 1) text = `${v.scale} × ${text}`;
  if (v.offset !== 0) text += ` ${v.offset < 0 ? '-' : '+'} ${Math.abs(v.offset)}`;
  return text;
}

/** The sentence shown for a goal without a title. */
export function describeGoal(goal: Goal): string {
  if (goal.title) return goal.title;
  switch (goal.kind) {
    case 'metric':
      return `${goal.metric} is ${opWords[goal.op]} ${describeValue(goal.value)}`;
    case 'invariant':
      return goal.expect === 'holds'
        ? `invariant ${goal.invariant} holds for the whole run`
        : `find a run that breaks invariant ${goal.invariant}`;
    case 'event': {
      if (goal.atMost === 0) return `no ${goal.event} events`;
      const parts: string[] = [];
      if (goal.atLeast !== undefined || goal.atMost === undefined)
        parts.push(`at least ${goal.atLeast ?? 1}`);
      if (goal.atMost !== undefined) parts.push(`at most ${goal.atMost}`);
      return `${parts.join(' and ')} ${goal.event} events`;
    }
    case 'outcome':
      return `the run ends as ${goal.outcome}`;
  }
}

function resolveValue(v: GoalValue, params: Record<string, unknown>): number | string {
  if (typeof v === 'number') return v;
  const raw = params[v.param];
  if (typeof raw !== 'number' || !Number.isFinite(raw))
    return `the goal refers to param ${v.param}, which the scenario does not set to a number`;
  return raw * v.scale + v.offset;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

function gradeGoal(goal: Goal, run: RunSummary, params: Record<string, unknown>): GoalResult {
  const title = describeGoal(goal);
  const result = (passed: boolean, why: string): GoalResult => ({ id: goal.id, title, passed, why });
  switch (goal.kind) {
    case 'metric': {
      const expected = resolveValue(goal.value, params);
      if (typeof expected === 'string') return result(false, expected);
      const measured = run.metrics[goal.metric];
      if (measured === undefined) return result(false, `the run reported no metric ${goal.metric}`);
      const ok = compare(measured, goal.op, expected);
      return result(
        ok,
        `${goal.metric} was ${measured}; ${ok ? 'it had to be' : 'needed'} ${opWords[goal.op]} ${expected}`,
      );
    }
    case 'invariant': {
      const verdicts = run.invariants.filter((v) => v.id === goal.invariant);
      if (verdicts.length === 0) return result(false, `the run did not check invariant ${goal.invariant}`);
      const broken = verdicts.find((v) => !v.ok);
      const where = broken
        ? `${goal.invariant} broke${broken.atEvent !== undefined ? ` at event ${broken.atEvent}` : ''}${
            broken.message ? `: ${broken.message}` : ''
          }`
        : '';
      if (goal.expect === 'holds')
        return broken ? result(false, where) : result(true, `${goal.invariant} held for the whole run`);
      return broken
        ? result(true, `${where} (seed ${run.seed})`)
        : result(false, `${goal.invariant} held for the whole run; find a schedule that breaks it`);
    }
    case 'event': {
      const count = run.eventCounts[goal.event] ?? 0;
      const min = goal.atLeast ?? (goal.atMost === undefined ? 1 : 0);
      const max = goal.atMost ?? Number.POSITIVE_INFINITY;
      if (count < min) return result(false, `${goal.event} occurred ${times(count)}; needed at least ${min}`);
      if (count > max)
        return result(
          false,
          max === 0
            ? `${goal.event} occurred ${times(count)}; it must not occur`
            : `${goal.event} occurred ${times(count)}; at most ${max} allowed`,
        );
      return result(true, `${goal.event} occurred ${times(count)}`);
    }
    case 'outcome':
      return run.outcome === goal.outcome
        ? result(true, `the run ended as ${run.outcome}`)
        : result(false, `the run ended as ${run.outcome}, not ${goal.outcome}`);
  }
}

function sectionOf(s: Scenario, lock: Lock): unknown {
  if (lock.startsWith('params.')) return s.params[lock.slice('params.'.length)];
  // Where a node sits on the canvas is not part of the topology a lock protects: moving
  // nodes around to see better must not fail a graded run.
  if (lock === 'topology')
    return { ...s.topology, nodes: s.topology.nodes.map(({ x: _x, y: _y, ...rest }) => rest) };
  return s[lock as Exclude<Lock, `params.${string}`> & keyof Scenario];
}

/** The locked parts of `expected` that `actual` changed, as sentences ([] when none). */
export function lockViolations(expected: Scenario, actual: Scenario, locks: readonly Lock[]): string[] {
  const out: string[] = [];
  for (const lock of locks) {
    if (canonicalJson(sectionOf(expected, lock)) !== canonicalJson(sectionOf(actual, lock)))
      out.push(`${lock} is locked by the exercise but was changed`);
  }
  return out;
}

/** Grades a run of an exercise (the learner's variant when `options.learner` is given). */
export function grade(exercise: Exercise, run: RunSummary, options: GradeOptions = {}): Grade {
  const variant = options.learner !== undefined ? variantFor(exercise, options.learner) : undefined;
  const expected = variant?.scenario ?? exercise.scenario;
  const goals = exercise.goals.map((g) => gradeGoal(g, run, expected.params));
  if (exercise.locks.includes('seed') && run.seed !== expected.seed) {
    goals.push({
      id: '$seed',
      title: 'the run uses the exercise seed',
      passed: false,
      why: `the run used seed ${run.seed}; ${variant ? `${variant.learner}'s variant` : 'the exercise'} uses seed ${expected.seed}`,
    });
  }
  if (options.scenario) {
    const broken = lockViolations(expected, options.scenario, exercise.locks);
    if (broken.length > 0)
      goals.push({
        id: '$locks',
        title: 'locked parts are unchanged',
        passed: false,
        why: broken.join('; '),
      });
  }
  return { passed: goals.every((g) => g.passed), goals };
}
