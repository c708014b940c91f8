import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { parseScript, scriptText } from './workload-script';

const nodes = new Set(['c1', 'c2', 'n1']);

describe('a scripted workload as text', () => {
  it('reads one operation per line, with comments and blank lines ignored', () => {
    const r = parseScript('# Dynamo §4.4\n0 c1 write cart D1\n\n100.5 c2 read cart  # after D1\n', nodes);
    expect(r).toEqual({
      ok: true,
      ops: [
        { atUs: 0, client: 'c1', op: 'write', key: 'cart', value: 'D1' },
        { atUs: 100_500, client: 'c2', op: 'read', key: 'cart' },
      ],
    });
  });

  it('prints what it reads back', () => {
    const text = '0 c1 write cart D1\n100.5 c2 read cart\n200 c1 write cart';
    const r = parseScript(text, nodes);
    expect(r.ok && scriptText(r.ops)).toBe(text);
  });

  it('names the line and what is wrong with it', () => {
    expect(parseScript('0 c1 write k\nsoon c1 read k', nodes)).toEqual({
      ok: false,
      error: 'line 2: "soon" is not a time in ms (say 120 or 120.5)',
    });
    expect(parseScript('0 c9 read k', nodes)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^line 1: no node is called c9/),
    });
    expect(parseScript('0 c1 delete k', nodes)).toEqual({
      ok: false,
      error: 'line 1: "delete" is neither read nor write',
    });
    expect(parseScript('0 c1 read k v1', nodes)).toEqual({
      ok: false,
      error: 'line 1: a read takes no value (v1)',
    });
    expect(parseScript('0 c1 write k v1 v2', nodes)).toEqual({
      ok: false,
      error: 'line 1: "v2" is more than an operation',
    });
    expect(parseScript('0 c1 write', nodes)).toEqual({ ok: false, error: 'line 1: the write names no key' });
    expect(parseScript('# nothing\n', nodes)).toEqual({
      ok: false,
      error: 'a script has at least one operation',
    });
  });
});

describe('the scenario schema checks a script against its topology', () => {
  const base = {
    schemaVersion: 1,
    name: 'script',
    topic: 'basics',
    protocol: 'echo',
    seed: 1,
    topology: {
      nodes: [
        { id: 'c1', role: 'client' },
        { id: 'n1', role: 'node' },
      ],
      links: [],
    },
  };
  const issues = (ops: unknown[]) => {
    const r = ScenarioSchema.safeParse({ ...base, workload: { kind: 'script', ops } });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes a script whose clients exist, with a default timeout', () => {
    const s = ScenarioSchema.parse({
      ...base,
      workload: { kind: 'script', ops: [{ atUs: 0, client: 'c1', op: 'write', key: 'k', value: 'D1' }] },
    });
    expect(s.workload).toMatchObject({ kind: 'script', timeoutUs: 1_000_000 });
  });

  it('refuses unknown clients, values on reads and a value written twice to one key', () => {
    expect(
      issues([
        { atUs: 0, client: 'c7', op: 'write', key: 'k' },
        { atUs: 1, client: 'c1', op: 'read', key: 'k', value: 'x' },
        { atUs: 2, client: 'c1', op: 'write', key: 'k', value: 'D1' },
        { atUs: 3, client: 'c1', op: 'write', key: 'k', value: 'D1' },
        { atUs: 4, client: 'c1', op: 'write', key: 'other', value: 'D1' },
      ]),
    ).toEqual([
      'workload.ops.0.client: operation 1 names unknown client node c7',
      'workload.ops.1.value: operation 2 is a read and cannot carry a value (x)',
      'workload.ops.3.value: operation 4 writes D1 to k again: a written value must be unique per key',
    ]);
    expect(issues([])[0]).toMatch(/^workload.ops: /);
  });
});
