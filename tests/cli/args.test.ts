import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SEED,
  MAX_SEEDS,
  parseSeed,
  parseSeedRange,
  parseUntilMs,
  seedCount,
  shellQuote,
} from '../../src/cli/args';
import { UsageError } from '../../src/cli/io';
import { applySet, describeJsonError, parseSet, validateScenarioData } from '../../src/cli/scenario-file';
import { defaultScenario } from '../../src/sim/index';

describe('seed ranges', () => {
  it('A..B is inclusive, N alone is N..N', () => {
    expect(parseSeedRange('5..9')).toEqual({ from: 5, to: 9 });
    expect(seedCount(parseSeedRange('5..9'))).toBe(5);
    expect(parseSeedRange('7')).toEqual({ from: 7, to: 7 });
    expect(parseSeedRange(`0..${MAX_SEEDS - 1}`)).toEqual({ from: 0, to: MAX_SEEDS - 1 });
    expect(() => parseSeedRange(`0..${MAX_SEEDS}`)).toThrow(UsageError);
    expect(() => parseSeedRange(`${MAX_SEED}..${MAX_SEED + 1}`)).toThrow(/from 0 to 4294967295/);
  });

  it('parses every valid range back to its ends (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SEED }),
        fc.integer({ min: 0, max: MAX_SEEDS - 1 }),
        (a, n) => {
          const b = Math.min(MAX_SEED, a + n);
          expect(parseSeedRange(`${a}..${b}`)).toEqual({ from: a, to: b });
        },
      ),
    );
  });

  it('refuses everything that is not digits..digits', () => {
    for (const bad of ['5-9', '', '..', '1..', '..2', 'a..b', '1.5..2', '-1..3', '1...3', '0x10..0x20'])
      expect(() => parseSeedRange(bad), bad).toThrow(UsageError);
  });

  it('seeds and times', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed(String(MAX_SEED))).toBe(MAX_SEED);
    for (const bad of ['-1', '1.5', '1e3', '', 'x', String(MAX_SEED + 1)])
      expect(() => parseSeed(bad)).toThrow(UsageError);
    expect(parseUntilMs('1.5')).toBe(1500);
    expect(parseUntilMs('0')).toBe(0);
    for (const bad of ['-1', 'x', '', 'Infinity']) expect(() => parseUntilMs(bad)).toThrow(UsageError);
  });

  it('quotes for the shell only when needed', () => {
    expect(shellQuote('tests/a.json')).toBe('tests/a.json');
    expect(shellQuote('params.x=1')).toBe('params.x=1');
    expect(shellQuote('name=a b')).toBe(`'name=a b'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });
});

describe('--set', () => {
  it('parses values as JSON when they parse, else as strings', () => {
    expect(parseSet('params.count=5').value).toBe(5);
    expect(parseSet('nemesis.enabled=true').value).toBe(true);
    expect(parseSet('a=null').value).toBeNull();
    expect(parseSet('a="5"').value).toBe('5');
    expect(parseSet('a={"kind":"none"}').value).toEqual({ kind: 'none' });
    expect(parseSet('topology.nodes.0.role=switch').value).toBe('switch');
    expect(parseSet('name=a=b').value).toBe('a=b');
    expect(parseSet('name=').value).toBe('');
    expect(parseSet('topology.links.0.lossRate=0.1').path).toEqual(['topology', 'links', '0', 'lossRate']);
    for (const bad of ['=1', 'noequals', 'a..b=1', '.a=1', 'a.=1', 'constructor=1'])
      expect(() => parseSet(bad), bad).toThrow(UsageError);
  });

  it('sets nested fields, creating missing objects, indexing lists', () => {
    const root: Record<string, unknown> = { topology: { links: [{ id: 'l0' }] } };
    applySet(root, parseSet('topology.links.0.lossRate=0.5'));
    applySet(root, parseSet('nemesis.enabled=true'));
    applySet(root, parseSet('topology.links.1={"id":"l1"}'));
    expect(root).toEqual({
      topology: { links: [{ id: 'l0', lossRate: 0.5 }, { id: 'l1' }] },
      nemesis: { enabled: true },
    });
    expect(() => applySet(root, parseSet('topology.links.x=1'))).toThrow(/is a list; index it with a number/);
  });

  it('a set-then-validated field reads back the value set (property)', () => {
    const base = defaultScenario('ping-pong');
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (loss, retry) => {
          const s = validateScenarioData('f.json', base, [
            parseSet(`topology.links.1.lossRate=${JSON.stringify(loss)}`),
            parseSet(`params.retryUs=${retry}`),
          ]);
          expect(s.topology.links[1]!.lossRate).toBe(loss);
          expect(s.params.retryUs).toBe(retry);
          // The input is not changed.
          expect(base.topology.links[1]!.lossRate).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('JSON syntax errors', () => {
  it('name the line and column', () => {
    const text = '{\n  "a": 1,\n    }\n';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    expect(describeJsonError(text, err)).toMatch(/ at line 3 column 5$/);
    expect(describeJsonError('{"a":', new SyntaxError('Unexpected end of JSON input'))).toBe(
      'Unexpected end of JSON input',
    );
    expect(describeJsonError('ab\ncd}', new SyntaxError('Unexpected token } in JSON at position 5'))).toBe(
      'Unexpected token } at line 2 column 3',
    );
  });
});
