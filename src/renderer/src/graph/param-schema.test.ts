import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labelOf, paramFields, paramText, parseParam } from './param-schema';

// The same way the catalog produces paramsJsonSchema (src/sim/catalog.ts).
const params = z.object({
  electionTimeoutMsMin: z.number().int().min(1).max(60_000).default(150),
  retryUs: z.number().int().min(0).default(50_000).describe('0: never retry.'),
  ratio: z.number().gt(0).max(5).default(1),
  mode: z.enum(['async', 'sync']).default('async'),
  promote: z.string().max(8).default(''),
  splits: z.array(z.string().max(4)).max(2).default([]),
  directory: z.record(z.string(), z.string()).default({}),
  bugWrongSeq: z.boolean().default(false),
  preVote: z.boolean().default(false),
});
const schema = z.toJSONSchema(params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const bugs = [{ param: 'bugWrongSeq', title: 'Wrong sequence numbers' }];

describe('param form from JSON Schema', () => {
  const fields = paramFields(schema, bugs);
  const field = (k: string) => fields.find((f) => f.key === k)!;

  it("keeps what the protocol says a value means as the field's note", () => {
    expect(field('retryUs').note).toBe('0: never retry.');
    expect(field('electionTimeoutMsMin').note).toBeUndefined();
  });

  it('labels keys and reads their unit', () => {
    expect(labelOf('electionTimeoutMsMin')).toEqual({ label: 'Election timeout min', unit: 'ms' });
    expect(labelOf('retryUs')).toEqual({ label: 'Retry', unit: 'µs' });
    expect(labelOf('bugWrongSeq')).toEqual({ label: 'Wrong seq', unit: '' });
  });

  it('makes one field per param, bug switches last and marked', () => {
    expect(fields.map((f) => f.kind)).toEqual([
      'number',
      'number',
      'number',
      'enum',
      'string',
      'list',
      'json',
      'boolean',
      'boolean',
    ]);
    expect(fields.at(-1)).toMatchObject({
      key: 'bugWrongSeq',
      bug: true,
      bugTitle: 'Wrong sequence numbers',
    });
    expect(field('preVote').bug).toBe(false);
    expect(field('electionTimeoutMsMin')).toMatchObject({ integer: true, min: 1, max: 60_000, unit: 'ms' });
    expect(field('retryUs').max).toBeUndefined();
    expect(field('mode').options).toEqual(['async', 'sync']);
  });

  it('accepts what the zod schema accepts and refuses the rest with a message', () => {
    const f = field('electionTimeoutMsMin');
    expect(parseParam(schema, f, '200')).toEqual({ value: 200 });
    expect(parseParam(schema, f, '0')).toEqual({ error: 'Must be at least 1 ms.' });
    expect(parseParam(schema, f, '70000')).toEqual({ error: 'Must be at most 60000 ms.' });
    expect(parseParam(schema, f, '1.5')).toEqual({ error: 'Must be a whole number.' });
    expect(parseParam(schema, f, '')).toEqual({ error: 'Enter a number.' });
    expect(parseParam(schema, field('ratio'), '0')).toEqual({ error: 'Must be more than 0.' });
    expect(parseParam(schema, field('mode'), 'sync')).toEqual({ value: 'sync' });
    expect(parseParam(schema, field('promote'), 'waytoolong')).toEqual({ error: 'At most 8 characters.' });
    expect(parseParam(schema, field('splits'), 'a, b')).toEqual({ value: ['a', 'b'] });
    expect(parseParam(schema, field('splits'), 'a,b,c')).toEqual({ error: 'At most 2 items.' });
    expect(parseParam(schema, field('directory'), '{"a":"s1"}')).toEqual({ value: { a: 's1' } });
    expect(parseParam(schema, field('directory'), '{')).toEqual({ error: 'Not valid JSON.' });
    // Whatever parseParam accepts, the zod schema accepts too.
    for (const [k, t] of [
      ['electionTimeoutMsMin', '200'],
      ['ratio', '0.5'],
      ['splits', 'ab, cd'],
    ] as const) {
      const r = parseParam(schema, field(k), t);
      expect('value' in r && params.shape[k].safeParse(r.value).success).toBe(true);
    }
    expect(paramText(field('splits'), ['a', 'b'])).toBe('a, b');
  });
});
