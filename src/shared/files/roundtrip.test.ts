import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeExercise } from '../../../tests/store/fixtures';
import { ExerciseSchema } from '../exercise/schema';
import { ScenarioSchema } from '../scenario/schema';
import { canonicalJson } from './canonical';
import { fileItems, makeFile, serializeFile } from './format';
import { parseFile } from './parse';

/** Valid scenarios of up to 30 nodes with random links, latencies, names and params. */
const scenarioArb = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    name: fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }).filter((s) => s.length <= 200),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    params: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })),
    pairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
    latency: fc.oneof(
      fc.record({ kind: fc.constant('constant' as const), us: fc.nat(10_000_000) }),
      fc.record({ kind: fc.constant('uniform' as const), minUs: fc.nat(1000), maxUs: fc.nat(10_000) }),
      fc.record({
        kind: fc.constant('lognormal' as const),
        medianUs: fc.nat(1e6),
        sigma: fc.double({ min: 0, max: 5, noNaN: true }),
      }),
    ),
    lossRate: fc.double({ min: 0, max: 1, noNaN: true }),
    xs: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 30, maxLength: 30 }),
  })
  .map(({ n, name, seed, params, pairs, latency, lossRate, xs }) => {
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    const links = pairs
      .map(([a, b]) => [a % n, b % n] as const)
      .filter(([a, b]) => a !== b)
      .map(([a, b], i) => ({ id: `l${i}`, a: ids[a]!, b: ids[b]!, latency, lossRate }));
    return ScenarioSchema.parse({
      schemaVersion: 1,
      name,
      topic: 'basics',
      protocol: 'ping-pong',
      params,
      seed,
      topology: { nodes: ids.map((id, i) => ({ id, role: 'node', x: xs[i]!, y: -xs[i]! })), links },
    });
  });

const tagsArb = fc.uniqueArray(
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter(
      (t) =>
        t.trim().length > 0 && ![...t].some((c) => c === ',' || c.charCodeAt(0) < 0x20) && t.trim() === t,
    ),
  { maxLength: 5, selector: (t) => t.toLowerCase() },
);

describe('files round-trip', () => {
  it('what DSLab writes, it reads back unchanged (scenario, bundle)', () => {
    fc.assert(
      fc.property(
        fc.array(scenarioArb, { minLength: 1, maxLength: 3 }),
        tagsArb,
        fc.string({ maxLength: 200 }),
        (ss, tags, description) => {
          const items = { scenarios: ss.map((scenario) => ({ description, tags, scenario })), exercises: [] };
          const file = makeFile(items);
          const back = parseFile(serializeFile(file));
          if (!back.ok) throw new Error(back.message);
          expect(canonicalJson(fileItems(back.file))).toBe(canonicalJson(fileItems(file)));
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });

  it('an exercise round-trips with its goals, hints, locks and variant', () => {
    const ex = ExerciseSchema.parse(makeExercise());
    const text = serializeFile(
      makeFile({ scenarios: [], exercises: [{ description: 'd', tags: ['t'], exercise: ex }] }),
    );
    const back = parseFile(text);
    expect(back.ok && back.file.kind === 'exercise' && canonicalJson(back.file.exercise)).toBe(
      canonicalJson(ex),
    );
  });
});
