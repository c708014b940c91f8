import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { ClientOp, Input, Protocol } from '../protocol';
import { Simulation } from '../simulation';
import {
  initKvClient,
  type KvClientSpec,
  type KvClientState,
  type KvRetry,
  kvClient,
  nextAfter,
} from './kv-client';
import { recordingCtx } from './recorder';

/**
 * The toolkit's key-value client, driven one input at a time: a toy leader-based protocol whose
 * servers answer `ok` or `notLeader` with a hint.
 */

type Msg =
  | { type: 'req'; req: number; op: 'read' | 'write'; key: string; value: string }
  | { type: 'ok'; req: number; value: string | null }
  | { type: 'notLeader'; req: number; leader: string };
type Answer = Extract<Msg, { type: 'ok' | 'notLeader' }>;
interface Params {
  retryUs: number;
  maxTries: number;
}
interface Client extends KvClientState {
  kind: 'client';
}

const params: Params = { retryUs: 10_000, maxTries: 3 };
const nodes = { c1: 'client', s1: 'server', s2: 'server', s3: 'server' };

function spec(timer: KvRetry<Params>['timer']): KvClientSpec<Params, Msg, Client, Answer> {
  return {
    retry: { timer, afterUs: (p) => p.retryUs, maxTries: (p) => p.maxTries },
    address(ctx, c, r, why) {
      const servers = ctx.nodesWithRole('server');
      if (why === 'timeout') {
        if (r.to === c.leader) c.leader = '';
        return nextAfter(servers, r.to);
      }
      return servers.length === 0 ? '' : c.leader || servers[0]!;
    },
    request: (_ctx, _c, r) => ({ type: 'req', req: r.req, op: r.op, key: r.key, value: r.value }),
    answers: { types: ['ok', 'notLeader'], req: (m) => m.req },
    read(ctx, _c, r, from, m) {
      if (m.type === 'ok')
        return { done: r.op === 'read' ? { ok: true, value: m.value } : { ok: true }, leader: from };
      return { redirect: m.leader || nextAfter(ctx.nodesWithRole('server'), from), leader: m.leader };
    },
  };
}

const fresh = (): Client => ({ kind: 'client', ...initKvClient() });
const write = (id: number): ClientOp => ({ id, client: 'c1', op: 'write', key: 'k', value: `v${id}` });
const read = (id: number): ClientOp => ({ id, client: 'c1', op: 'read', key: 'k' });

/** Drives a client: one input at a local time, with the given nodes. */
function driver(timer: KvRetry<Params>['timer'], world: Record<string, string> = nodes) {
  const on = kvClient(spec(timer));
  return (c: Client, input: Input<Msg>, nowUs = 0) => {
    const { ctx, out } = recordingCtx<Params, Msg>({ self: 'c1', nodes: world, params, nowUs });
    on(ctx, c, input);
    return out;
  };
}
const op = (o: ClientOp): Input<Msg> => ({ kind: 'client', op: o });
const from = (node: string, msg: Msg): Input<Msg> => ({ kind: 'message', from: node, msg });
const timer = (name: string): Input<Msg> => ({ kind: 'timer', name });

describe('kv client: sending and answering', () => {
  it('sends an operation to the believed leader (the first server without one) and answers the workload', () => {
    const step = driver('per-request');
    const c = fresh();
    let out = step(c, op(write(7)));
    expect(out.sent).toEqual([
      { to: 's1', msg: { type: 'req', req: 1, op: 'write', key: 'k', value: 'v7' } },
    ]);
    expect(out.timers).toEqual([{ name: 'op:7', afterUs: 10_000 }]);
    out = step(c, from('s1', { type: 'ok', req: 1, value: null }), 4000);
    expect(out.replies).toEqual([{ id: 7, result: { ok: true } }]);
    expect(out.timers).toEqual([{ name: 'op:7', afterUs: null }]);
    expect(c.pending).toEqual([]);
    expect(c.lastLatencyUs).toBe(4000);
    c.leader = 's2';
    out = step(c, op(read(8)));
    expect(out.sent).toEqual([{ to: 's2', msg: { type: 'req', req: 2, op: 'read', key: 'k', value: '' } }]);
    out = step(c, from('s2', { type: 'ok', req: 2, value: 'v7' }));
    expect(out.replies).toEqual([{ id: 8, result: { ok: true, value: 'v7' } }]);
  });

  it('fails an operation at once when there is no server to ask', () => {
    const c = fresh();
    const out = driver('per-request', { c1: 'client' })(c, op(write(1)));
    expect(out.replies).toEqual([{ id: 1, result: { ok: false } }]);
    expect(out.sent).toEqual([]);
    expect(c.pending).toEqual([]);
  });

  it('follows a redirect at once and remembers the hint, at most three times per attempt', () => {
    const step = driver('per-request');
    const c = fresh();
    step(c, op(write(1)));
    let out = step(c, from('s1', { type: 'notLeader', req: 1, leader: 's3' }));
    expect(out.sent).toEqual([{ to: 's3', msg: expect.objectContaining({ req: 1 }) }]);
    expect(c.leader).toBe('s3');
    step(c, from('s3', { type: 'notLeader', req: 1, leader: 's2' }));
    step(c, from('s2', { type: 'notLeader', req: 1, leader: 's3' }));
    // Stale servers pointing at each other: the fourth redirect is not followed; the timer is.
    out = step(c, from('s3', { type: 'notLeader', req: 1, leader: 's2' }));
    expect(out.sent).toEqual([]);
    expect(c.leader).toBe('s2');
    out = step(c, timer('op:1'), 10_000);
    expect(out.sent).toEqual([{ to: 's1', msg: expect.objectContaining({ req: 1 }) }]);
    // A new attempt may follow redirects again.
    out = step(c, from('s1', { type: 'notLeader', req: 1, leader: 's2' }));
    expect(out.sent).toEqual([{ to: 's2', msg: expect.objectContaining({ req: 1 }) }]);
  });

  it('re-sends after a timeout to the next server with the same request number, then gives up without an answer', () => {
    const step = driver('per-request');
    const c = fresh();
    step(c, op(write(5)));
    let out = step(c, timer('op:5'), 10_000);
    expect(out.sent).toEqual([
      { to: 's2', msg: { type: 'req', req: 1, op: 'write', key: 'k', value: 'v5' } },
    ]);
    expect(out.timers).toEqual([{ name: 'op:5', afterUs: 10_000 }]);
    out = step(c, timer('op:5'), 20_000);
    expect(out.sent.map((s) => s.to)).toEqual(['s3']);
    expect(c.retries).toBe(2);
    // maxTries (3) sends made: the outcome stays unknown, the workload's timeout records it.
    out = step(c, timer('op:5'), 30_000);
    expect(out.sent).toEqual([]);
    expect(out.replies).toEqual([]);
    expect(out.notes).toEqual(['#5 given up after 3 tries']);
    expect(c.pending).toEqual([]);
  });

  it('ignores late and duplicate answers and timers of requests no longer pending', () => {
    const step = driver('per-request');
    const c = fresh();
    step(c, op(write(1)));
    expect(step(c, from('s1', { type: 'ok', req: 1, value: null })).replies).toHaveLength(1);
    const dup = step(c, from('s1', { type: 'ok', req: 1, value: null }));
    const late = step(c, from('s2', { type: 'notLeader', req: 1, leader: 's3' }));
    const stray = step(c, from('s2', { type: 'ok', req: 99, value: 'x' }));
    const oldTimer = step(c, timer('op:1'), 10_000);
    for (const out of [dup, late, stray, oldTimer]) {
      expect(out.replies).toEqual([]);
      expect(out.sent).toEqual([]);
    }
    expect(c.leader).toBe('s1'); // only answers to pending requests move the hint
  });
});

describe('kv client: one sweeping timer', () => {
  it('re-sends only the requests whose last send is old enough, re-arms for the next, cancels when none is left', () => {
    const step = driver('sweep');
    const c = fresh();
    let out = step(c, op(write(1)), 0);
    expect(out.timers).toEqual([{ name: 'retry', afterUs: 10_000 }]);
    out = step(c, op(write(2)), 4000);
    expect(out.timers).toEqual([]); // the timer is already running
    out = step(c, timer('retry'), 10_000);
    expect(out.sent.map((s) => [s.to, (s.msg as { req: number }).req])).toEqual([['s2', 1]]);
    expect(out.timers).toEqual([{ name: 'retry', afterUs: 4000 }]); // request 2 is due at 14 ms
    out = step(c, timer('retry'), 14_000);
    expect(out.sent.map((s) => [s.to, (s.msg as { req: number }).req])).toEqual([['s2', 2]]);
    step(c, from('s2', { type: 'ok', req: 1, value: null }), 15_000);
    out = step(c, from('s2', { type: 'ok', req: 2, value: null }), 15_000);
    expect(out.timers).toEqual([{ name: 'retry', afterUs: null }]);
  });

  it('gives up on a request after the bound while the others go on', () => {
    const step = driver('sweep');
    const c = fresh();
    step(c, op(write(1)), 0);
    step(c, timer('retry'), 10_000);
    step(c, op(write(2)), 15_000);
    step(c, timer('retry'), 20_000);
    const out = step(c, timer('retry'), 30_000);
    expect(out.notes).toEqual(['#1 given up after 3 tries']);
    expect(c.pending.map((r) => r.id)).toEqual([2]);
  });
});

describe('kv client: crash and restart', () => {
  it('on restart, requests that survived (a durable pending list) get their timers back', () => {
    for (const mode of ['per-request', 'sweep'] as const) {
      const step = driver(mode);
      const c = fresh();
      step(c, op(write(1)));
      step(c, op(write(2)));
      const out = step(c, { kind: 'restart' }, 50_000);
      expect(out.timers, mode).toEqual(
        mode === 'sweep'
          ? [{ name: 'retry', afterUs: 10_000 }]
          : [
              { name: 'op:1', afterUs: 10_000 },
              { name: 'op:2', afterUs: 10_000 },
            ],
      );
      expect(step(fresh(), { kind: 'restart' }).timers).toEqual([]);
    }
  });

  /** One server that always answers, and clients on the toolkit; `pending` durable or not. */
  function toyProtocol(
    id: string,
    durablePending: boolean,
  ): Protocol<Params, Client | { kind: 'server' }, Msg> {
    const client = kvClient(spec('per-request'));
    return {
      id,
      topic: 'test',
      title: id,
      version: 1,
      speed: 0.05,
      roles: [
        { id: 'server', label: 'Server', min: 1, max: null },
        { id: 'client', label: 'Client', min: 0, max: null },
      ],
      params: z.object({ retryUs: z.number().default(10_000), maxTries: z.number().default(5) }),
      defaultTopology: () => ({ nodes: [], links: [] }),
      init: (n) => (n.role === 'client' ? fresh() : { kind: 'server' }),
      on(ctx, s, input) {
        if (s.kind === 'client') client(ctx, s, input);
        else if (input.kind === 'message' && input.msg.type === 'req')
          ctx.send(input.from, { type: 'ok', req: input.msg.req, value: null });
      },
      durable: durablePending ? ['kind', 'nextReq', 'pending'] : ['kind', 'nextReq'],
      invariants: [],
      historyCheckers: [],
      metrics: [],
      summary: () => ({ text: '', tone: 'neutral' }),
      bugs: [],
      lesson: { summary: '', watch: [], tryThis: [] },
    };
  }

  it('a client that crashes while its answer is on the way loses it; with a durable pending list it re-sends after the restart', () => {
    const outcome: Record<string, { ok: number; unknown: number; sent: string[] }> = {};
    for (const durable of [false, true]) {
      const id = `test-kv-client-restart-${durable}`;
      registerProtocol(toyProtocol(id, durable) as never);
      const sim = new Simulation(
        ScenarioSchema.parse({
          schemaVersion: 1,
          name: id,
          topic: 'test',
          protocol: id,
          topology: {
            nodes: [
              { id: 's1', role: 'server' },
              { id: 'c1', role: 'client' },
            ],
            links: [{ id: 'l', a: 's1', b: 'c1', latency: { kind: 'constant', us: 1000 } }],
          },
          // One operation at 0; its answer reaches c1 at 2 ms, while c1 is down (1.5 to 2.5 ms).
          workload: {
            kind: 'closed',
            concurrency: 1,
            readFraction: 0,
            keys: { list: ['k'] },
            stopUs: 1,
            timeoutUs: 500_000,
          },
          faults: [
            { atUs: 1500, fault: { kind: 'crash', node: 'c1' } },
            { atUs: 2500, fault: { kind: 'restart', node: 'c1' } },
          ],
          limits: { maxTimeUs: 1_000_000 },
          seed: 1,
        }),
      );
      sim.runUntil(1_000_000);
      const m = sim.metrics().counters;
      const sent = sim
        .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1000)
        .filter((r) => r.kind === 'send' && r.node === 'c1')
        .map((r) => `${(r.timeUs / 1000).toFixed(1)}ms`);
      outcome[String(durable)] = { ok: m.opsOk ?? 0, unknown: m.opsUnknown ?? 0, sent };
    }
    expect(outcome.false).toEqual({ ok: 0, unknown: 1, sent: ['0.0ms'] });
    expect(outcome.true).toEqual({ ok: 1, unknown: 0, sent: ['0.0ms', '12.5ms'] });
  });
});

describe('kv client: a session floor and a read target policy (what read replication needs)', () => {
  // Writes go to the leader; reads to a follower, carrying the client's session floor (the
  // highest version it wrote: read-your-writes). A follower below the floor answers `behind`,
  // and the client asks the leader instead, without a floor.
  type RMsg =
    | { type: 'write'; id: number; key: string; value: string }
    | { type: 'writeOk'; id: number; seq: number }
    | { type: 'read'; id: number; key: string; minSeq: number }
    | { type: 'readOk'; id: number; value: string | null; seq: number }
    | { type: 'behind'; id: number };
  type RAnswer = Extract<RMsg, { type: 'writeOk' | 'readOk' | 'behind' }>;
  interface Session extends KvClientState<{ minSeq: number }> {
    writeSeq: number;
  }
  const session = kvClient<Params, RMsg, Session, RAnswer, { minSeq: number }>({
    begin: (_ctx, c, o) => ({ minSeq: o.op === 'read' ? c.writeSeq : 0 }),
    address(ctx, _c, r) {
      const [leader, ...followers] = ctx.nodesWithRole('server');
      return r.op === 'write' ? leader! : ctx.rng.pick(followers);
    },
    request: (_ctx, _c, r) =>
      r.op === 'write'
        ? { type: 'write', id: r.id, key: r.key, value: r.value }
        : { type: 'read', id: r.id, key: r.key, minSeq: r.data!.minSeq },
    answers: { types: ['writeOk', 'readOk', 'behind'], id: (m) => m.id },
    read(ctx, c, r, _from, m) {
      if (m.type === 'writeOk') {
        c.writeSeq = Math.max(c.writeSeq, m.seq);
        return { done: { ok: true } };
      }
      if (m.type === 'readOk') return { done: { ok: true, value: m.value } };
      r.data = { minSeq: 0 }; // the leader has every write
      return { redirect: ctx.nodesWithRole('server')[0]! };
    },
  });

  it('carries the floor with a read, and goes to the leader when the follower is behind', () => {
    const c: Session = { ...initKvClient(), writeSeq: 0 };
    const rng = { pick: <T>(xs: readonly T[]) => xs[xs.length - 1]! } as never;
    const step = (input: Input<RMsg>) => {
      const { ctx, out } = recordingCtx<Params, RMsg>({ self: 'c1', nodes, params, rng });
      session(ctx, c, input);
      return out;
    };
    step({ kind: 'client', op: write(1) });
    step({ kind: 'message', from: 's1', msg: { type: 'writeOk', id: 1, seq: 4 } });
    let out = step({ kind: 'client', op: read(2) });
    expect(out.sent).toEqual([{ to: 's3', msg: { type: 'read', id: 2, key: 'k', minSeq: 4 } }]);
    out = step({ kind: 'message', from: 's3', msg: { type: 'behind', id: 2 } });
    expect(out.sent).toEqual([{ to: 's1', msg: { type: 'read', id: 2, key: 'k', minSeq: 0 } }]);
    out = step({ kind: 'message', from: 's1', msg: { type: 'readOk', id: 2, value: 'v1', seq: 4 } });
    expect(out.replies).toEqual([{ id: 2, result: { ok: true, value: 'v1' } }]);
  });
});
