import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileItems } from '../shared/files/format';
import { parseFile } from '../shared/files/parse';
import { defaultScenario, listProtocols } from './catalog';
import { linearizabilityVerdict } from './checkers/builtin';
import { type KvOp, registerHistoryChecker } from './checkers/history';
import { checkLinearizable } from './checkers/linearizability';
import { builtinScenarios } from './scenarios';
import { Simulation } from './simulation';
import { scenario } from './test/helpers';

describe('invariants', () => {
  it('a violation stops the run at the event, with seed, time and message', () => {
    const sc = builtinScenarios()[1]!;
    const sim = new Simulation({ ...sc, params: { ...sc.params, bugNoDedupe: true } });
    const r = sim.runFor(100_000);
    expect(r.done).toBe(true);
    expect(r.stopReason).toBe('violation');
    const v = sim.violation!;
    expect(v).toMatchObject({ invariant: 'no-duplication', seed: sc.seed, eventIndex: sim.eventIndex });
    expect(v.message).toMatch(/twice/);
    expect(v.timeUs).toBe(sim.nowUs);
    const verdicts = sim.invariants();
    expect(verdicts.find((x) => x.id === 'no-duplication')).toMatchObject({
      ok: false,
      atEvent: sim.eventIndex,
    });
    expect(verdicts.find((x) => x.id === 'no-creation')!.ok).toBe(true);
    // Further steps do nothing; a step back clears it, and running again finds it again.
    expect(sim.step(5).steps).toBe(0);
    const at = sim.eventIndex;
    sim.stepBack(1);
    expect(sim.violation).toBeNull();
    sim.runFor(10);
    expect(sim.violation!.eventIndex).toBe(at);
    const rows = sim.traceWindow({ from: at, to: at + 1 });
    expect(rows.at(-1)!.kind).toBe('violation');
  });

  it('the ping-pong bug switch is caught when pongs carry the wrong seq', () => {
    // With bugWrongSeq the pong never matches, so rounds stay 0: the invariant holds, but the
    // metric shows no progress (what the lesson asks to watch).
    const sc = defaultScenario('ping-pong');
    const sim = new Simulation({ ...sc, params: { ...sc.params, bugWrongSeq: true } });
    sim.runUntil(1_000_000);
    expect(
      sim.nodeStates().every((n) => n.role === 'switch' || (n.state as { rounds: number }).rounds === 0),
    ).toBe(true);
  });
});

describe('history checkers', () => {
  it('run at the end of a run on the client history', () => {
    registerHistoryChecker('test-count', (h) => ({ ok: h.length > 0, message: `${h.length} ops` }));
    const sc = builtinScenarios()[3]!;
    const sim = new Simulation(sc);
    sim.runFor(5000);
    const kv = sim.history();
    expect(kv.length).toBeGreaterThan(10);
    expect(kv.every((op) => op.callUs <= (op.returnUs ?? Number.POSITIVE_INFINITY))).toBe(true);
    expect(kv.some((op) => op.kind === 'get' && op.returnUs !== null && 'output' in op)).toBe(true);
    expect(kv.some((op) => op.kind === 'put' && typeof op.value === 'string')).toBe(true);
  });

  it('a protocol that names linearizability gets a verdict when done', () => {
    const sc = builtinScenarios()[3]!;
    const sim = new Simulation(sc);
    const proto = sim.kernelForTests.protocol;
    const saved = proto.historyCheckers;
    proto.historyCheckers = ['linearizability'];
    try {
      expect(sim.invariants().find((v) => v.id === 'linearizability')!.ok).toBeNull();
      sim.runFor(1e6);
      expect(sim.done).toBe(true);
      const v = sim.invariants().find((x) => x.id === 'linearizability')!;
      expect(typeof v.ok).toBe('boolean');
    } finally {
      proto.historyCheckers = saved;
    }
  });
});

describe('every key-value run is checked for linearizability', () => {
  const done = (sim: Simulation) => {
    while (!sim.done) sim.runFor(100_000);
    return sim;
  };

  it('a run with a workload gets the verdict whatever its protocol declares', () => {
    const sc = defaultScenario('sharding');
    const sim = new Simulation(sc);
    expect(sim.kernelForTests.protocol.historyCheckers).not.toContain('linearizability');
    expect(sim.invariants().find((v) => v.id === 'linearizability')).toMatchObject({
      kind: 'history',
      ok: null,
    });
    done(sim);
    const v = sim.invariants().find((x) => x.id === 'linearizability')!;
    expect(v).toMatchObject({ ok: true, atEvent: sim.eventIndex });
    expect(v.title).toMatch(/Linearizable/);
    expect(v.lesson).toBeUndefined();
  });

  it('a run without a workload is not', () => {
    const sim = new Simulation(defaultScenario('ping-pong'));
    sim.runFor(1000);
    expect(sim.invariants().some((v) => v.id === 'linearizability')).toBe(false);
  });

  it('a failure places the offending reads for the space-time diagram: who, which events, why', () => {
    // CAP's available side (resources/library/dynamo-ap-partition): reads during the partition
    // return values older than writes answered before they began.
    const file = parseFile(
      readFileSync(path.resolve('resources/library/dynamo-ap-partition.dslab.json'), 'utf8'),
    );
    if (!file.ok) throw new Error(file.message);
    const sim = done(new Simulation(fileItems(file.file).scenarios[0]!.scenario));
    const v = sim.invariants().find((x) => x.id === 'linearizability')!;
    expect(v.ok).toBe(false);
    const offending = v.offending!.filter((o) => o.offending);
    expect(offending.length).toBeGreaterThan(1);
    // The operation the checker could not place is among them.
    const named = Number(/op #(\d+)/.exec(v.message)![1]);
    expect(offending.map((o) => o.opId)).toContain(named);
    const rows = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER);
    const byId = new Map(v.offending!.map((o) => [o.opId, o]));
    for (const o of offending) {
      expect(o.kind).toBe('read');
      // The request and the answer are where the diagram draws them.
      const call = rows.find(
        (r) => r.index === o.invokeEvent && r.kind === 'client' && r.detail?.startsWith(`#${o.opId} `),
      );
      expect(call, `op #${o.opId}'s request`).toMatchObject({ node: o.client, timeUs: o.callUs });
      const reply = rows.find(
        (r) => r.index === o.returnEvent && r.kind === 'reply' && r.detail?.startsWith(`#${o.opId} `),
      );
      expect(reply, `op #${o.opId}'s answer`).toMatchObject({ node: o.replyNode, timeUs: o.returnUs });
      expect(reply!.detail).toBe(`#${o.opId} ok ${o.output}`);
      // A stale read names the write it missed: answered before the read began, and listed.
      const m = /^stale read: got (\S+), but (\S+) was written \(op #(\d+)\) before it began$/.exec(o.why);
      if (m === null) continue;
      expect(m[1]).toBe(o.output ?? 'nothing');
      const newer = byId.get(Number(m[3]))!;
      expect(newer).toMatchObject({ kind: 'write', value: m[2], offending: false });
      expect(newer.returnUs!).toBeLessThan(o.callUs);
    }
  });

  it('a failure names the offending operations; where the protocol does not promise it, it is the lesson', () => {
    // Broadcast reads return one node's copy: not linearizable, and the protocol says so.
    const sim = done(new Simulation(builtinScenarios()[3]!));
    const v = sim.invariants().find((x) => x.id === 'linearizability')!;
    expect(v.ok).toBe(false);
    expect(v.lesson).toMatch(/local copy/);
    expect(v.details!.length).toBeGreaterThan(0);
    // The operation that could not be placed, as the message names it, is among them.
    const named = /op #(\d+)/.exec(v.message)![1];
    expect(v.details!.some((d) => d.startsWith(`#${named} client `))).toBe(true);
    expect(v.details!.every((d) => /^#\d+ client \d+ (read \S+ -> \S+|write \S+=\S*) \[/.test(d))).toBe(true);
    // Without the lesson it is a bug: the same failure, no lesson.
    const proto = sim.kernelForTests.protocol;
    const saved = proto.notPromised;
    proto.notPromised = undefined;
    try {
      expect(sim.invariants().find((x) => x.id === 'linearizability')!.lesson).toBeUndefined();
    } finally {
      proto.notPromised = saved;
    }
  });
});

describe('workloads', () => {
  it('open loop issues about rate x time operations with keys from the pattern', () => {
    const sc = scenario({
      protocol: 'broadcast',
      topology: { nodes: [{ id: 'n1', role: 'node' }], links: [] },
      workload: {
        kind: 'open',
        ratePerS: 1000,
        readFraction: 0.25,
        keys: { pattern: 'user-{i}', count: 20 },
      },
      limits: { maxTimeUs: 2_000_000 },
    });
    const sim = new Simulation(sc);
    sim.runFor(1e6);
    const h = sim.history();
    expect(h.length).toBeGreaterThan(1850);
    expect(h.length).toBeLessThan(2150);
    const reads = h.filter((o) => o.kind === 'get').length / h.length;
    expect(reads).toBeGreaterThan(0.22);
    expect(reads).toBeLessThan(0.28);
    expect(h.every((o) => /^user-(1?\d)$/.test(o.key))).toBe(true);
    expect(sim.metrics().series.find((s) => s.id === 'opLatencyUs')!.v.length).toBe(h.length);
  });

  it('zipf keys are skewed, sequential keys cycle, lists are used as given', () => {
    const keysOf = (keys: Record<string, unknown>) => {
      const sim = new Simulation(
        scenario({
          protocol: 'broadcast',
          topology: { nodes: [{ id: 'n1', role: 'node' }], links: [] },
          workload: { kind: 'open', ratePerS: 1000, keys },
          limits: { maxTimeUs: 1_000_000 },
        }),
      );
      sim.runFor(1e6);
      return sim.history().map((o) => o.key);
    };
    const z = keysOf({ pattern: 'k{i}', count: 100, distribution: 'zipf', zipfS: 1.2 });
    const top = z.filter((k) => k === 'k0').length / z.length;
    expect(top).toBeGreaterThan(0.1);
    expect(keysOf({ pattern: 'k{i}', count: 3, distribution: 'sequential' }).slice(0, 5)).toEqual([
      'k0',
      'k1',
      'k2',
      'k0',
      'k1',
    ]);
    expect(new Set(keysOf({ list: ['x', 'y'] }))).toEqual(new Set(['x', 'y']));
  });

  it('closed loop keeps concurrency operations outstanding per client', () => {
    const sc = builtinScenarios()[3]!;
    const sim = new Simulation(sc);
    sim.runUntil(1_000_000);
    const h = sim.history();
    for (const c of [0, 1]) {
      const mine = h.filter((o) => o.client === c).sort((a, b) => a.callUs - b.callUs);
      expect(mine.length).toBeGreaterThan(4);
      // At any call, at most `concurrency` (2) of this client's operations are open.
      for (const o of mine) {
        const open = mine.filter(
          (p) => p.callUs <= o.callUs && (p.returnUs === null || p.returnUs > o.callUs),
        );
        expect(open.length).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('nemesis', () => {
  it('draws faults from the seed at the configured rates', () => {
    const sc = builtinScenarios()[2]!;
    const faults = (seed: number) => {
      const sim = new Simulation(sc, { seed });
      sim.runUntil(10_000_000);
      return sim
        .traceWindow({ from: 0, to: 1e9 }, 1e7)
        .filter((r) => r.kind === 'fault' && r.detail!.startsWith('nemesis'))
        .map((r) => `${r.timeUs} ${r.detail}`);
    };
    const a = faults(1);
    expect(a).toEqual(faults(1));
    expect(a).not.toEqual(faults(2));
    // 4 kinds at 0.5/s for ~10 s: about 20 actions.
    expect(a.length).toBeGreaterThan(8);
    expect(a.length).toBeLessThan(40);
    expect(a.some((d) => d.includes('crash'))).toBe(true);
    expect(a.some((d) => d.includes('partition'))).toBe(true);
  });
});

describe('limits', () => {
  const base = builtinScenarios()[0]!;
  it('maxEvents stops the run', () => {
    const sim = new Simulation({ ...base, limits: { ...base.limits, maxEvents: 123 } });
    expect(sim.runFor(1000)).toMatchObject({ steps: 123, done: true, stopReason: 'max-events' });
  });
  it('maxTraceRows stops the run before the event that would pass it', () => {
    const sim = new Simulation({ ...base, limits: { ...base.limits, maxTraceRows: 100 } });
    const r = sim.runFor(1000);
    expect(r.stopReason).toBe('trace-limit');
    expect(r.traceRows).toBeGreaterThanOrEqual(100);
    expect(r.traceRows).toBeLessThan(110);
  });
  it('maxInFlight drops new sends with reason limit', () => {
    const sim = new Simulation({ ...base, limits: { ...base.limits, maxInFlight: 1 } });
    sim.runFor(200);
    expect(sim.metrics().counters.droppedLimit).toBeGreaterThan(0);
    expect(sim.traceWindow({ from: 0, to: 1e9 }).some((r) => r.kind === 'drop' && r.detail === 'limit')).toBe(
      true,
    );
  });
  it('maxTimeUs ends the run', () => {
    const sim = new Simulation(base);
    const r = sim.runFor(1e7);
    expect(r.stopReason).toBe('time-limit');
    expect(r.nowUs).toBeLessThanOrEqual(base.limits.maxTimeUs);
  });
});

describe('catalog', () => {
  it('lists protocols with JSON-serialisable info and default scenarios that run', () => {
    const list = listProtocols();
    expect(list.map((p) => p.id)).toEqual(expect.arrayContaining(['ping-pong', 'broadcast']));
    for (const p of list.filter((x) => x.topic !== 'test')) {
      expect(JSON.parse(JSON.stringify(p))).toEqual(p);
      expect(p.paramsJsonSchema.type).toBe('object');
      const sim = new Simulation(defaultScenario(p.id));
      sim.runFor(1000);
      expect(sim.eventIndex, p.id).toBeGreaterThan(0);
      // Node states must survive JSON (checked here for the kernel's own protocols; each
      // protocol folder checks its own).
      if (p.topic === 'basics')
        expect(JSON.parse(JSON.stringify(sim.nodeStates()))).toEqual(sim.nodeStates());
    }
  });
});

describe('scenario checks against the protocol', () => {
  it('name the path of a bad param, an unknown role and a role count', async () => {
    const { checkScenario } = await import('./catalog');
    const { ScenarioError } = await import('./simulation');
    const sc = defaultScenario('ping-pong');
    const bad = {
      ...sc,
      params: { retryUs: -1 },
      topology: {
        ...sc.topology,
        nodes: sc.topology.nodes.map((n, i) => (i === 0 ? { ...n, role: 'wizard' } : n)),
      },
    };
    const issues = checkScenario(bad);
    expect(issues.map((i) => i.path.join('.'))).toEqual(['params.retryUs', 'topology.nodes.0.role']);
    const one = { ...sc, topology: { ...sc.topology, nodes: sc.topology.nodes.slice(0, 1), links: [] } };
    expect(checkScenario(one)[0]!.message).toMatch(/at least 2/);
    expect(() => new Simulation(bad)).toThrow(ScenarioError);
  });
});

describe('the linearizability verdict', () => {
  it('is undecided (null, not broken) when a key ran out of budget, naming the key', () => {
    const h: KvOp[] = [];
    for (let i = 0; i < 12; i++)
      h.push({ id: i, client: i, kind: 'put', key: 'x', value: `v${i}`, callUs: 0, returnUs: 100 });
    h.push({ id: 99, client: 99, kind: 'get', key: 'x', output: 'nope', callUs: 200, returnUs: 210 });
    h.push({ id: 100, client: 1, kind: 'put', key: 'y', value: 'a', callUs: 0, returnUs: 10 });
    const v = linearizabilityVerdict(checkLinearizable(h, { maxStates: 500 }));
    expect(v.ok).toBeNull();
    expect(v.message).toMatch(/^undecided: Gave up on key "x" .*1 of 2 keys were proven linearizable/);
    expect(linearizabilityVerdict(checkLinearizable(h)).ok).toBe(false);
  });
});
