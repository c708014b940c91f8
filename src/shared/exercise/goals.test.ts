import { describe, expect, it } from 'vitest';
import { makeExercise, passingRun } from '../../../tests/store/fixtures';
import { describeGoal, grade, lockViolations } from './goals';
import { RunSummarySchema } from './run-summary';
import { type Exercise, ExerciseSchema } from './schema';
import { fnv1a32, normalizeLearner, variantFor } from './variant';

const ex = (): Exercise => ExerciseSchema.parse(makeExercise());
const run = (over: Record<string, unknown> = {}) => RunSummarySchema.parse({ ...passingRun(), ...over });

describe('goals', () => {
  it('passes a run that meets every goal, saying why for each', () => {
    const g = grade(ex(), run());
    expect(g.passed).toBe(true);
    expect(g.goals.map((r) => [r.id, r.passed, r.why])).toEqual([
      ['dup', true, 'no-duplication broke at event 77: n2 delivered n1:1 twice (seed 1)'],
      ['traffic', true, 'deliveredTotal was 9; it had to be at least 5'],
      ['sends', true, 'send occurred 40 times'],
      ['quiet', true, 'violation-other occurred 0 times'],
    ]);
  });

  it('fails each kind of goal with the measured and expected values', () => {
    const g = grade(
      ex(),
      run({
        metrics: { deliveredTotal: 2 },
        invariants: [{ id: 'no-duplication', ok: true }],
        eventCounts: { send: 1, 'violation-other': 2 },
      }),
    );
    expect(g.passed).toBe(false);
    expect(g.goals.map((r) => r.why)).toEqual([
      'no-duplication held for the whole run; find a schedule that breaks it',
      'deliveredTotal was 2; needed at least 5',
      'send occurred once; needed at least 3',
      'violation-other occurred 2 times; it must not occur',
    ]);
  });

  it('fails a goal whose metric or invariant the run did not report', () => {
    const g = grade(ex(), run({ metrics: {}, invariants: [] }));
    expect(g.goals[0]!.why).toBe('the run did not check invariant no-duplication');
    expect(g.goals[1]!.why).toBe('the run reported no metric deliveredTotal');
  });

  it('grades holds, outcome and comparison goals', () => {
    const e = ExerciseSchema.parse({
      ...makeExercise(),
      variant: undefined,
      goals: [
        { id: 'h', kind: 'invariant', invariant: 'no-creation', expect: 'holds' },
        { id: 'o', kind: 'outcome', outcome: 'completed' },
        { id: 'lt', kind: 'metric', metric: 'leaderElectedAtUs', op: '<=', value: 2_000_000 },
        { id: 'ne', kind: 'metric', metric: 'x', op: '!=', value: 0 },
      ],
    });
    const g = grade(e, run({ metrics: { leaderElectedAtUs: 2_500_000, x: 0 } }));
    expect(g.goals.map((r) => [r.passed, r.why])).toEqual([
      [true, 'no-creation held for the whole run'],
      [false, 'the run ended as violation, not completed'],
      [false, 'leaderElectedAtUs was 2500000; needed at most 2000000'],
      [false, 'x was 0; needed anything but 0'],
    ]);
    expect(describeGoal(e.goals[2]!)).toBe('leaderElectedAtUs is at most 2000000');
  });

  it('refuses duplicate goal ids and atLeast above atMost', () => {
    const r = ExerciseSchema.safeParse({
      ...makeExercise(),
      goals: [
        { id: 'a', kind: 'event', event: 'send', atLeast: 3, atMost: 1 },
        { id: 'a', kind: 'outcome', outcome: 'completed' },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['goals.0.atMost', 'atMost 1 is below atLeast 3'],
      ['goals.1.id', 'duplicate goal id a'],
    ]);
  });
});

describe('variants', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('gives each learner a stable variant of their own, ignoring case and spacing', () => {
    const e = ex();
    const a = variantFor(e, 'Ada Lovelace');
    expect(variantFor(e, '  ada   LOVELACE ')).toEqual(a);
    expect(normalizeLearner('  Ada\tLovelace ')).toBe('ada lovelace');
    expect([0, 64, 256]).toContain(a.params.payloadBytes);
    expect(a.scenario.params.bugNoDedupe).toBe(true);
    const seeds = new Set(
      ['ada', 'alan', 'grace', 'edsger', 'barbara', 'leslie'].map((n) => variantFor(e, n).seed),
    );
    expect(seeds.size).toBe(6);
    const noVariant = ExerciseSchema.parse({ ...makeExercise(), variant: undefined });
    expect(variantFor(noVariant, 'ada').scenario).toEqual(noVariant.scenario);
  });

  it('derives numeric ranges on the step grid', () => {
    const e = ExerciseSchema.parse({
      ...makeExercise(),
      variant: {
        params: {
          electionTimeoutUs: { min: 150_000, max: 300_000, step: 50_000 },
          f: { min: 0, max: 1, step: 0.1 },
        },
      },
    });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      const v = variantFor(e, name);
      expect([150_000, 200_000, 250_000, 300_000]).toContain(v.params.electionTimeoutUs);
      expect(Number.isInteger(Math.round((v.params.f as number) * 10))).toBe(true);
      expect(String(v.params.f).length).toBeLessThan(5);
    }
  });

  it("the teacher's key grades every learner's variant with the learner's own numbers", () => {
    const e = ExerciseSchema.parse({
      ...makeExercise(),
      goals: [
        {
          id: 'm',
          kind: 'metric',
          metric: 'bytes',
          op: '==',
          value: { param: 'payloadBytes', scale: 2, offset: 1 },
        },
      ],
      locks: ['seed'],
    });
    for (const learner of ['ada', 'alan', 'grace']) {
      const v = variantFor(e, learner);
      const good = run({ seed: v.seed, metrics: { bytes: 2 * (v.params.payloadBytes as number) + 1 } });
      expect(grade(e, good, { learner }).passed).toBe(true);
      const wrongSeed = grade(e, { ...good, seed: (v.seed + 1) >>> 0 }, { learner });
      expect(wrongSeed.passed).toBe(false);
      expect(wrongSeed.goals.at(-1)!.why).toBe(
        `the run used seed ${(v.seed + 1) >>> 0}; ${learner}'s variant uses seed ${v.seed}`,
      );
    }
  });

  it('checks locks against the scenario the learner ran', () => {
    const e = ex();
    const v = variantFor(e, 'ada');
    expect(lockViolations(v.scenario, v.scenario, e.locks)).toEqual([]);
    const changed = {
      ...v.scenario,
      params: { ...v.scenario.params, bugNoDedupe: false },
      topology: { ...v.scenario.topology, links: [] },
    };
    expect(lockViolations(v.scenario, changed, e.locks)).toEqual([
      'topology is locked by the exercise but was changed',
      'params.bugNoDedupe is locked by the exercise but was changed',
    ]);
    const g = grade(e, run({ seed: v.seed }), { learner: 'ada', scenario: changed });
    expect(g.passed).toBe(false);
    expect(g.goals.at(-1)!.id).toBe('$locks');
  });
});

describe('locks and canvas positions', () => {
  it('moving nodes does not break a topology lock; removing a link does', () => {
    const base = ex().scenario;
    expect(base.topology.links.length).toBeGreaterThan(0);
    const moved = structuredClone(base);
    moved.topology.nodes[0]!.x += 250;
    moved.topology.nodes[0]!.y -= 40;
    expect(lockViolations(base, moved, ['topology'])).toEqual([]);
    const relinked = structuredClone(base);
    relinked.topology.links.pop();
    expect(lockViolations(base, relinked, ['topology'])).toEqual([
      'topology is locked by the exercise but was changed',
    ]);
  });
});
