import type { Scenario } from '../scenario/schema';
import type { Exercise, ParamVariation } from './schema';

/**
 * Per-learner variants. Every derived value comes from FNV-1a (32-bit) over the UTF-8 bytes
 * of `salt NUL learner NUL field`, where `learner` is the name normalized (Unicode NFC, trimmed,
 * inner whitespace collapsed to one space, lower-cased) and `field` is `seed` or
 * `param:<name>`. Hashing each field separately means adding a varied param does not change
 * the others. The same name always gives the same variant, on every machine, so the
 * teacher's answer key (goals that refer to params) grades each learner's own variant.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`; an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (const byte of utf8.encode(text)) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** The learner's name as hashed: NFC, trimmed, whitespace collapsed, lower-cased. */
export function normalizeLearner(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** One learner's variant of an exercise. */
export interface Variant {
  /** The normalized learner name the variant was derived from. */
  learner: string;
  /** The seed this learner's scenario uses. */
  seed: number;
  /** The varied params and their values for this learner. */
  params: Record<string, unknown>;
  /** The exercise's scenario with the seed and params applied. */
  scenario: Scenario;
}

function pick(variation: ParamVariation, h: number): unknown {
  if ('choices' in variation) return variation.choices[h % variation.choices.length];
  const count = Math.floor((variation.max - variation.min) / variation.step + 1e-9) + 1;
  const value = variation.min + (h % count) * variation.step;
  // Keep decimal steps readable (0.1 * 3 is 0.30000000000000004).
  return Number(value.toPrecision(12));
}

/** Derives a learner's variant; an exercise without a variant spec gives everyone its scenario. */
export function variantFor(exercise: Exercise, learnerName: string): Variant {
  const learner = normalizeLearner(learnerName);
  const spec = exercise.variant;
  const base = exercise.scenario;
  if (!spec) return { learner, seed: base.seed, params: {}, scenario: base };
  const key = (field: string) => fnv1a32(`${spec.salt}\u0000${learner}\u0000${field}`);
  const seed = spec.seed ? key('seed') : base.seed;
  const params: Record<string, unknown> = {};
  for (const name of Object.keys(spec.params).sort())
    params[name] = pick(spec.params[name]!, key(`param:${name}`));
  return { learner, seed, params, scenario: { ...base, seed, params: { ...base.params, ...params } } };
}
