import { z } from 'zod';

/**
 * What the store keeps of a run and what goals are graded against: totals, final metric
 * values, checker verdicts and event counts. Traces are not stored (they are re-created by
 * replaying the seed), so a goal can only look at what is here.
 */

/** One checker verdict of a run. */
export const InvariantVerdictSchema = z.object({
  /** The invariant's id as the protocol declares it (for example `one-leader-per-term`). */
  id: z.string().min(1).max(128),
  /** True when the invariant held for the whole run. */
  ok: z.boolean(),
  /** What broke, in the checker's words ('' when it held). */
  message: z.string().max(10_000).default(''),
  /** Kernel event index at which it broke (absent when it held). */
  atEvent: z.number().int().min(0).optional(),
});
/** One checker verdict of a run. */
export type InvariantVerdict = z.infer<typeof InvariantVerdictSchema>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const RunSummarySchema = z.object({
  /** The seed the run used. */
  seed: z.number().int().min(0).max(0xffffffff),
  /** Kernel events processed. */
  events: z.number().int().min(0),
  /** Virtual time reached, microseconds. */
  simulatedUs: z.number().int().min(0),
  /** How the run ended (for example `completed`, `violation`, `limit`, `stopped`). */
  outcome: z.string().min(1).max(64),
  /** Final or aggregate metric values by metric id (for example `leaderElectedAtUs`). */
  metrics: z.record(z.string(), finite).default({}),
  /** Every invariant the run checked, with its verdict. */
  invariants: z.array(InvariantVerdictSchema).max(10_000).default([]),
  /** Event counts by trace kind (`send`, `drop`, ...) and by message type (`msg:ping`). */
  eventCounts: z.record(z.string(), z.number().int().min(0)).default({}),
});
/** What the store keeps of a run and what goals are graded against. */
export type RunSummary = z.infer<typeof RunSummarySchema>;
/** A run summary as given (defaults optional). */
export type RunSummaryInput = z.input<typeof RunSummarySchema>;
