import { z } from 'zod';
import { ScenarioSchema } from '../scenario/schema';

/**
 * A lab exercise: a scenario plus what the learner reads (instructions, hints), what is
 * checked (goals), what they may not change (locks), and how each learner gets a variant of
 * their own (variant). docs/library.md describes the goal language with examples.
 */

const goalId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'goal ids are letters, digits, _ . : -');
const paramName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'param names are identifiers');

/** How a goal compares a measured number with the expected one. */
export const CompareOpSchema = z.enum(['<', '<=', '>', '>=', '==', '!=']);
/** How a goal compares a measured number with the expected one. */
export type CompareOp = z.infer<typeof CompareOpSchema>;

/**
 * The number a goal compares with: a constant, or a scenario param (after the learner's
 * variant is applied) times `scale` plus `offset`, so one answer key grades every variant.
 */
export const GoalValueSchema = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.strictObject({
    /** Name of a top-level scenario param. */
    param: paramName,
    /** Multiplier applied to the param. */
    scale: z.number().default(1),
    /** Added after scaling. */
    offset: z.number().default(0),
  }),
]);
/** The number a goal compares with. */
export type GoalValue = z.infer<typeof GoalValueSchema>;

const goalBase = {
  /** Unique within the exercise; grades name goals by it. */
  id: goalId,
  /** What the learner sees ('' = generated from the predicate). */
  title: z.string().max(300).default(''),
};

/** A declarative predicate checked against a run summary. */
export const GoalSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...goalBase,
    kind: z.literal('metric'),
    /** Metric id as reported in the run summary (for example `leaderElectedAtUs`). */
    metric: z.string().min(1).max(128),
    /** Comparison: measured `op` value. */
    op: CompareOpSchema,
    /** The expected number. */
    value: GoalValueSchema,
  }),
  z.strictObject({
    ...goalBase,
    kind: z.literal('invariant'),
    /** Invariant id as the protocol declares it. */
    invariant: z.string().min(1).max(128),
    /** `holds`: the run must check it and never break it; `broken`: find a run that breaks it. */
    expect: z.enum(['holds', 'broken']),
  }),
  z.strictObject({
    ...goalBase,
    kind: z.literal('event'),
    /** Event-count key: a trace kind (`drop`, `fault`) or a message type (`msg:ping`). */
    event: z.string().min(1).max(128),
    /** At least this many (default 1 when `atMost` is absent: "must occur"). */
    atLeast: z.number().int().min(0).optional(),
    /** At most this many (`atMost: 0`: "must not occur"). */
    atMost: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    ...goalBase,
    kind: z.literal('outcome'),
    /** The run must end this way (for example `completed`). */
    outcome: z.string().min(1).max(64),
  }),
]);
/** A declarative predicate checked against a run summary. */
export type Goal = z.infer<typeof GoalSchema>;

/** A hint, shown on request or after some failed attempts. */
export const HintSchema = z.strictObject({
  /** Markdown text. */
  text: z.string().min(1).max(10_000),
  /** Offered after this many graded runs that did not pass (0: from the start). */
  afterFailedRuns: z.number().int().min(0).max(1000).default(0),
});
/** A hint. */
export type Hint = z.infer<typeof HintSchema>;

/**
 * A part of the scenario the learner may not change: a whole section, or one protocol
 * param (`params.electionTimeoutUsMin`).
 */
export const LockSchema = z
  .string()
  .regex(
    /^(name|topic|protocol|topology|workload|faults|nemesis|seed|limits|params|params\.[A-Za-z_][A-Za-z0-9_]*)$/,
    'a lock is one of name, topic, protocol, topology, workload, faults, nemesis, seed, limits, params, params.<name>',
  );
/** A part of the scenario the learner may not change. */
export type Lock = z.infer<typeof LockSchema>;

/** How one param varies between learners. */
export const ParamVariationSchema = z.union([
  z
    .strictObject({
      /** Smallest value. */
      min: z.number().refine(Number.isFinite, 'must be a finite number'),
      /** Largest value (inclusive). */
      max: z.number().refine(Number.isFinite, 'must be a finite number'),
      /** Values are min + k * step. */
      step: z.number().gt(0).default(1),
    })
    .refine((r) => r.max >= r.min, { message: 'max must be at least min', path: ['max'] })
    .refine((r) => (r.max - r.min) / r.step <= 1_000_000, {
      message: 'at most 1,000,001 values',
      path: ['step'],
    }),
  z.strictObject({
    /** One of these JSON values. */
    choices: z.array(z.json()).min(1).max(1000),
  }),
]);
/** How one param varies between learners. */
export type ParamVariation = z.infer<typeof ParamVariationSchema>;

/** Per-learner variants: derived from the learner's name by a stable hash (see variant.ts). */
export const VariantSpecSchema = z.strictObject({
  /** Mixed into the hash so two exercises give one learner different variants. */
  salt: z.string().max(200).default(''),
  /** Derive the scenario's seed from the learner's name. */
  seed: z.boolean().default(true),
  /** Params to vary, by top-level param name. */
  params: z.record(paramName, ParamVariationSchema).default({}),
});
/** Per-learner variant spec. */
export type VariantSpec = z.infer<typeof VariantSpecSchema>;

export const ExerciseSchema = z
  .strictObject({
    /** What the exercise is called in the library. */
    title: z.string().min(1).max(200),
    /** The starting scenario the learner opens. */
    scenario: ScenarioSchema,
    /** Markdown shown beside the canvas. */
    instructions: z.string().max(200_000).default(''),
    /** What is checked against the learner's run; all must pass. */
    goals: z.array(GoalSchema).max(100).default([]),
    /** Hints, in the order they are offered. */
    hints: z.array(HintSchema).max(100).default([]),
    /** Parts of the scenario the learner may not change. */
    locks: z.array(LockSchema).max(100).default([]),
    /** Per-learner variants (absent: every learner gets the same scenario). */
    variant: VariantSpecSchema.optional(),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.goals.forEach((g, i) => {
      if (seen.has(g.id))
        ctx.addIssue({ code: 'custom', path: ['goals', i, 'id'], message: `duplicate goal id ${g.id}` });
      seen.add(g.id);
      if (g.kind === 'event' && g.atLeast !== undefined && g.atMost !== undefined && g.atLeast > g.atMost)
        ctx.addIssue({
          code: 'custom',
          path: ['goals', i, 'atMost'],
          message: `atMost ${g.atMost} is below atLeast ${g.atLeast}`,
        });
    });
  });
/** A validated exercise (defaults applied). */
export type Exercise = z.infer<typeof ExerciseSchema>;
/** An exercise as written in a file. */
export type ExerciseInput = z.input<typeof ExerciseSchema>;
