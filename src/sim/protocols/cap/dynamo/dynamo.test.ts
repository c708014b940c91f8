import { beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../../shared/scenario/schema';
import '../../../checkers/builtin';
import { registerProtocol } from '../../../catalog';
import type { Input } from '../../../protocol';
import { Simulation } from '../../../simulation';
import { handle } from '../../../toolkit/recorder';
import { initClient } from './client';
import { dynamo } from './dynamo';
import { initReplica } from './replica';
import { buildRing, preferenceList, walk } from './ring';
import { dynamoClockSkew, dynamoNoPartition, dynamoPartition } from './scenarios';
import { type DynamoMsg, DynamoParams, type ReplicaState } from './types';
import { reconcile, type Version, vvJoin } from './versions';

beforeAll(() => registerProtocol(dynamo));

const NODES: Record<string, string> = {
  n1: 'replica',
  n2: 'replica',
  n3: 'replica',
  n4: 'replica',
  n5: 'replica',
  c1: 'client',
};
const KEY = 'k0';
const RING = buildRing(['n1', 'n2', 'n3', 'n4', 'n5'], 8);
const HOME = preferenceList(RING, KEY, 3);
const WALK = walk(RING, KEY);

function world(self: string, params: Record<string, unknown> = {}, nowUs = 1_000_000) {
  return { self, nodes: NODES, params: DynamoParams.parse(params), nowUs };
}
/** A replica that has started (ring built, every peer heard from at 0). */
function replica(self: string, params: Record<string, unknown> = {}): ReplicaState {
  const s = initReplica();
  handle(dynamo, s, { kind: 'start' }, world(self, params, 0));
  return s;
}
const msg = (from: string, m: DynamoMsg): Input<DynamoMsg> => ({ kind: 'message', from, msg: m });
const put = (value: string, context = {}): DynamoMsg => ({
  type: 'Request',
  req: 1,
  op: 'put',
  key: KEY,
  value,
  context,
});
const v = (value: string, ts: number, by: string, vv: Record<string, number>): Version => ({
  value,
  ts,
  by,
  vv,
});

describe('versions (§4.4)', () => {
  it('last writer wins keeps the version with the later coordinator clock', () => {
    expect(
      reconcile([v('a', 5, 'n1', {}), v('b', 9, 'n2', {}), v('c', 7, 'n3', {})], 'lww').map((x) => x.value),
    ).toEqual(['b']);
  });

  it('version vectors keep concurrent versions as siblings and drop the ones they descend from', () => {
    const a = v('a', 1, 'n1', { n1: 1 });
    const b = v('b', 2, 'n2', { n2: 1 });
    expect(reconcile([a, b], 'vv').map((x) => x.value)).toEqual(['a', 'b']);
    // The client's merge: a write whose context is the join of both descends from both.
    const merged = v('m', 3, 'n1', vvJoin([a.vv, b.vv, { n1: 2 }]));
    expect(reconcile([a, b, merged], 'vv').map((x) => x.value)).toEqual(['m']);
  });
});

describe('coordinating a request (§4.5, §4.6)', () => {
  const coordinator = HOME[0]!;

  it('a put goes to the N home replicas and is acknowledged after W of them stored it', () => {
    const s = replica(coordinator);
    const out = handle(dynamo, s, msg('c1', put('x')), world(coordinator));
    expect(
      out.sent
        .filter((m) => m.msg.type === 'Put')
        .map((m) => m.to)
        .sort(),
    ).toEqual(HOME.slice(1).sort());
    expect(s.store[KEY]?.[0]?.value).toBe('x'); // the coordinator is a home replica: it stored it itself
    const id = s.coordinating[0]!.id;
    const ack = handle(dynamo, s, msg(HOME[1]!, { type: 'PutAck', id }), world(coordinator));
    expect(ack.sent).toContainEqual({
      to: 'c1',
      msg: expect.objectContaining({ type: 'Response', outcome: 'ok' }),
    });
  });

  it('cp refuses a put at once, sending nothing, when fewer than W home replicas are believed up', () => {
    const s = replica(coordinator, { mode: 'cp' });
    s.suspected = HOME.slice(1).sort();
    const out = handle(dynamo, s, msg('c1', put('x')), world(coordinator, { mode: 'cp' }));
    expect(out.sent).toEqual([
      { to: 'c1', msg: expect.objectContaining({ type: 'Response', outcome: 'refused' }) },
    ]);
    expect(s.store[KEY]).toBeUndefined();
    expect(s.refused).toBe(1);
  });

  it('ap sends to the next node up on the ring walk, with a hint naming the home replica it stands in for', () => {
    const s = replica(coordinator);
    const down = HOME[2]!;
    s.suspected = [down];
    const out = handle(dynamo, s, msg('c1', put('x')), world(coordinator));
    const standIn = WALK[3]!;
    expect(out.sent).toContainEqual({
      to: standIn,
      msg: expect.objectContaining({ type: 'Put', hint: down }),
    });
    expect(out.sent.some((m) => m.to === down)).toBe(false);
  });

  it('a stand-in keeps the hint apart and hands it back once the home node is heard from again', () => {
    const standIn = WALK[3]!;
    const home = HOME[2]!;
    const s = replica(standIn);
    const version = v('x', 5, coordinator, { [coordinator]: 1 });
    handle(
      dynamo,
      s,
      msg(coordinator, { type: 'Put', id: 1, key: KEY, version, hint: home }),
      world(standIn),
    );
    expect(s.store[KEY]).toBeUndefined();
    expect(s.hints).toEqual([{ home, key: KEY, versions: [version] }]);
    s.suspected = [home];
    expect(handle(dynamo, s, { kind: 'timer', name: 'handoff' }, world(standIn)).sent).toEqual([]);
    handle(dynamo, s, msg(home, { type: 'Ping' }), world(standIn));
    const out = handle(dynamo, s, { kind: 'timer', name: 'handoff' }, world(standIn));
    expect(out.sent).toContainEqual({ to: home, msg: { type: 'Handoff', key: KEY, versions: [version] } });
    handle(dynamo, s, msg(home, { type: 'HandoffAck', key: KEY, versions: [version] }), world(standIn));
    expect(s.hints).toEqual([]);
  });

  it('a replica never lets an older write replace a newer one; the read-repair bug does, and says so', () => {
    const s = replica('n1');
    const newer = v('new', 9, 'n2', {});
    const older = v('old', 5, 'n3', {});
    handle(dynamo, s, msg('n2', { type: 'Put', id: 1, key: KEY, version: newer, hint: '' }), world('n1'));
    handle(dynamo, s, msg('n3', { type: 'Repair', id: 0, key: KEY, versions: [older] }), world('n1'));
    expect(s.store[KEY]).toEqual([newer]);
    const out = handle(
      dynamo,
      s,
      msg('n3', { type: 'Repair', id: 0, key: KEY, versions: [older] }),
      world('n1', { bugNoReadRepairVersionCheck: true }),
    );
    expect(s.store[KEY]).toEqual([older]);
    const inv = dynamo.invariants.find((i) => i.id === 'versions-never-go-back')!;
    const changed = { id: 'n1', role: 'replica', up: true, state: s };
    expect(inv.check({ nodes: [changed], changed, nowUs: 0, events: out.events })).toMatch(
      /replaced k0=new by the older old/,
    );
  });

  it('a client fails a put refused on its first send, but not one refused after a re-send (it may be stored)', () => {
    const c = initClient();
    const w = (now: number) => world('c1', {}, now);
    const op = { id: 7, client: 'c1', op: 'write' as const, key: KEY, value: 'v7' };
    expect(handle(dynamo, c, { kind: 'client', op }, w(0)).sent[0]?.to).toBe('n1');
    const refused: DynamoMsg = { type: 'Response', req: 1, outcome: 'refused', values: [], context: {} };
    // Sent to n1, which timed out on its quorum; the client re-sends to n2, which refuses.
    expect(handle(dynamo, c, { kind: 'timer', name: 'op:7' }, w(300_000)).sent[0]?.to).toBe('n2');
    expect(handle(dynamo, c, msg('n2', refused), w(310_000)).replies).toEqual([]);
    // A fresh put refused at once did nothing: it fails.
    const d = initClient();
    handle(dynamo, d, { kind: 'client', op }, w(0));
    expect(handle(dynamo, d, msg('n1', refused), w(1000)).replies).toEqual([
      { id: 7, result: { ok: false } },
    ]);
  });

  it('a client that read siblings writes with their joined vector, and the new version replaces them (§4.4)', () => {
    const c = initClient();
    const w = world('c1');
    const read = { id: 1, client: 'c1', op: 'read' as const, key: KEY };
    handle(dynamo, c, { kind: 'client', op: read }, w);
    const ctxVv = { n1: 1, n2: 1 };
    const got = handle(
      dynamo,
      c,
      msg('n1', { type: 'Response', req: 1, outcome: 'ok', values: ['b', 'a'], context: ctxVv }),
      w,
    );
    expect(got.replies).toEqual([{ id: 1, result: { ok: true, value: 'a | b' } }]);
    const sent = handle(
      dynamo,
      c,
      { kind: 'client', op: { id: 2, client: 'c1', op: 'write', key: KEY, value: 'm' } },
      w,
    ).sent;
    expect(sent[0]?.msg).toMatchObject({ type: 'Request', op: 'put', context: ctxVv });
    // The coordinator's new version descends from both siblings: a replica keeps it alone.
    const s = replica('n1', { conflict: 'vv' });
    s.store[KEY] = [v('a', 1, 'n1', { n1: 1 }), v('b', 2, 'n2', { n2: 1 })];
    handle(
      dynamo,
      s,
      msg('c1', { type: 'Request', req: 2, op: 'put', key: KEY, value: 'm', context: ctxVv }),
      world('n1', { conflict: 'vv' }),
    );
    expect(s.store[KEY]?.map((x) => x.value)).toEqual(['m']);
  });

  it('anti-entropy: a replica keeps what is newer and sends back what its peer lacks (§4.7)', () => {
    const [a, b] = [HOME[0]!, HOME[1]!];
    const s = replica(a, { antiEntropy: true });
    const mine = v('new', 9, a, {});
    s.store[KEY] = [mine];
    const out = handle(
      dynamo,
      s,
      msg(b, { type: 'Sync', entries: [{ key: KEY, versions: [v('old', 5, b, {})] }], reply: true }),
      world(a, { antiEntropy: true }),
    );
    expect(s.store[KEY]).toEqual([mine]);
    expect(out.sent).toEqual([
      { to: b, msg: { type: 'Sync', entries: [{ key: KEY, versions: [mine] }], reply: false } },
    ]);
  });

  it('R and W above N are refused with the field named', () => {
    const r = DynamoParams.safeParse({ n: 3, r: 4 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['r']);
    expect(r.error?.issues[0]?.message).toMatch(/R \(4\) cannot exceed N \(3\)/);
  });
});

/** Runs a scenario to its end. */
function run(sc: ReturnType<typeof dynamoPartition>, seed: number): Simulation {
  const sim = new Simulation(sc, { seed });
  sim.runUntil(sc.limits.maxTimeUs);
  return sim;
}
const verdict = (sim: Simulation, id: string) => sim.invariants().find((x) => x.id === id)!;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('CAP on the kernel, over seeds (same topology, same partition 1 s to 3 s)', () => {
  it('cp: every history is linearizable, some requests are refused, every check holds', () => {
    for (const seed of SEEDS) {
      const sim = run(dynamoPartition({ mode: 'cp' }), seed);
      const bad = sim.invariants().filter((x) => x.ok !== true);
      expect(bad, `seed=${seed}`).toEqual([]);
      // CP with R + W > N on true clocks promises linearizability: a failure would be a bug.
      expect(verdict(sim, 'linearizability').lesson, `seed=${seed}`).toBeUndefined();
      const m = sim.metrics();
      expect(m.counters.opsFailed! + m.counters.opsUnknown!, `seed=${seed}`).toBeGreaterThanOrEqual(5);
      const ap = run(dynamoPartition({ mode: 'ap' }), seed).metrics();
      expect(m.gauges.availability, `seed=${seed}`).toBeLessThan(ap.gauges.availability!);
    }
  });

  it('ap: every request is answered, the sides diverge, and the history is not linearizable', () => {
    for (const seed of SEEDS) {
      const sim = run(dynamoPartition({ mode: 'ap' }), seed);
      expect(verdict(sim, 'linearizability').ok, `seed=${seed}`).toBe(false);
      // AP does not promise it: the failure is the lesson, not a bug (Protocol.notPromised).
      expect(verdict(sim, 'linearizability').lesson, `seed=${seed}`).toMatch(/^AP answers/);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      const m = sim.metrics();
      expect(m.gauges.availability, `seed=${seed}`).toBeGreaterThan(0.98);
      expect(Math.max(...m.series.find((x) => x.id === 'divergentKeys')!.v), `seed=${seed}`).toBeGreaterThan(
        0,
      );
      // Healed: every hint went home, and no key's copies differ at the end.
      expect(verdict(sim, 'hints-handed-back').ok, `seed=${seed}`).toBe(true);
    }
  });

  it('without a partition, R + W <= N reads stale values; R + W > N does not', () => {
    let staleRuns = 0;
    for (const seed of SEEDS) {
      const loose = run(dynamoNoPartition({ r: 1, w: 1 }), seed);
      if (verdict(loose, 'linearizability').ok === false) staleRuns++;
      const strict = run(dynamoNoPartition({ r: 2, w: 2, mode: 'cp' }), seed);
      expect(verdict(strict, 'linearizability').ok, `seed=${seed}`).toBe(true);
    }
    expect(staleRuns).toBeGreaterThanOrEqual(SEEDS.length - 1);
  });
});

describe('anti-entropy (§4.7)', () => {
  it('without read repair and with no reads after the heal, only anti-entropy brings the replicas together', () => {
    const last = (sim: Simulation, id: string) =>
      sim
        .metrics()
        .series.find((x) => x.id === id)!
        .v.at(-1);
    for (const seed of SEEDS.slice(0, 5)) {
      const quiet = (antiEntropy: boolean) => {
        const base = dynamoPartition({ mode: 'ap', readRepair: false, antiEntropy });
        return ScenarioSchema.parse({ ...base, workload: { ...base.workload, stopUs: 2_900_000 } });
      };
      const without = run(quiet(false), seed);
      const withAe = run(quiet(true), seed);
      expect(last(without, 'divergentKeys'), `seed=${seed}`).toBeGreaterThan(0);
      expect(last(withAe, 'divergentKeys'), `seed=${seed}`).toBe(0);
      expect(withAe.violation, `seed=${seed}`).toBeNull();
    }
  });
});

describe('last writer wins on a skewed clock (§4.4)', () => {
  it('with n4 50 ms behind, cp with strict quorums still loses later writes: not linearizable', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const sim = run(dynamoClockSkew(), seed);
      expect(sim.violation, `seed=${seed}`).toBeNull();
      expect(verdict(sim, 'linearizability').ok, `seed=${seed}`).toBe(false);
      expect(verdict(sim, 'linearizability').lesson, `seed=${seed}`).toMatch(/last-writer-wins/);
    }
  });
});

describe('bug switches are caught over seeds', () => {
  it('bugCountHintAsHomeReplica: strict-quorum stops every cp run once the partition starts', () => {
    for (const seed of SEEDS) {
      const sim = run(dynamoPartition({ mode: 'cp', bugCountHintAsHomeReplica: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('strict-quorum');
      expect(sim.violation!.timeUs, `seed=${seed}`).toBeGreaterThanOrEqual(1_000_000);
    }
  });

  it('bugNoReadRepairVersionCheck: versions-never-go-back stops every run without a partition', () => {
    for (const seed of SEEDS) {
      const sim = run(dynamoNoPartition({ bugNoReadRepairVersionCheck: true }), seed);
      expect(sim.violation?.invariant, `seed=${seed}`).toBe('versions-never-go-back');
    }
  });
});
