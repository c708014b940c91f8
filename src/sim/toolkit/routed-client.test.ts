import { describe, expect, it } from 'vitest';
import type { Input } from '../protocol';
import { recordingCtx } from './recorder';
import { type GetMsg, initRoutedClient, type PutMsg, type ResultMsg, routedClient } from './routed-client';

/** A store with a front node (`router`) and two storage nodes that answer clients themselves. */
type Msg = GetMsg | PutMsg | ResultMsg | { type: 'other' };
const nodes = { c1: 'client', r: 'router', s1: 'shard', s2: 'shard' };
const on = routedClient<Record<string, never>, Msg>('router');
const step = (c: ReturnType<typeof initRoutedClient>, input: Input<Msg>) => {
  const { ctx, out } = recordingCtx<Record<string, never>, Msg>({ self: 'c1', nodes, params: {} });
  on(ctx, c, input);
  return out;
};
const result = (from: string, opId: number, value: string | null): Input<Msg> => ({
  kind: 'message',
  from,
  msg: { type: 'result', opId, value },
});

describe('routed client: each operation once to the front node, answered by whoever serves it', () => {
  it('sends a get and a put to the front node, named by operation id', () => {
    const c = initRoutedClient();
    expect(step(c, { kind: 'client', op: { id: 4, client: 'c1', op: 'read', key: 'k' } }).sent).toEqual([
      { to: 'r', msg: { type: 'get', opId: 4, key: 'k' } },
    ]);
    expect(
      step(c, { kind: 'client', op: { id: 5, client: 'c1', op: 'write', key: 'k', value: 'v' } }).sent,
    ).toEqual([{ to: 'r', msg: { type: 'put', opId: 5, key: 'k', value: 'v' } }]);
  });

  it('answers the workload from a storage node, counts every result, duplicates included, and never re-sends', () => {
    const c = initRoutedClient();
    const sent = step(c, { kind: 'client', op: { id: 4, client: 'c1', op: 'read', key: 'k' } });
    expect(sent.timers).toEqual([]);
    expect(step(c, result('s2', 4, 'v1')).replies).toEqual([{ id: 4, result: { ok: true, value: 'v1' } }]);
    expect(step(c, result('s2', 4, 'v1')).replies).toEqual([]);
    expect(c.done).toBe(2);
    step(c, { kind: 'message', from: 's1', msg: { type: 'other' } });
    expect(c.done).toBe(2);
    expect(c.pending).toEqual([]);
  });
});
