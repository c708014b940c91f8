import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../catalog';
import type { KvOp } from '../checkers/history';
import { summarizeRun } from '../run-summary';
import { Simulation } from '../simulation';
import { kvMetrics, kvWindowSeries, quantile, staleReadCount } from './kv-metrics';

/**
 * The common key-value metrics: their definitions on a history small enough to work out by
 * hand, and the kernel's gauges (what the Metrics tab and the run summary show) against them.
 */

describe('key-value metrics: definitions', () => {
  it('quantiles are nearest-rank: the smallest value with at least q of the values at or below it', () => {
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(quantile(ten, 0.5)).toBe(50);
    expect(quantile(ten, 0.99)).toBe(100);
    expect(quantile(ten, 0.1)).toBe(10);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBe(0);
  });

  it('a hand-built history: five operations invoked, two answered ok, one failed, one given up, one pending', () => {
    // Answered after 3 ms (ok), 1 ms (failed) and 2 ms (ok), in that order; 20 messages sent;
    // the workload started 2 s ago.
    const m = kvMetrics([3000, 1000, 2000], {
      invoked: 5,
      ok: 2,
      failed: 1,
      unknown: 1,
      sent: 20,
      spanUs: 2_000_000,
    });
    expect(m).toEqual({
      opLatencyP50Us: 2000, // the middle of 1, 2, 3 ms: failed answers have a latency too
      opLatencyP99Us: 3000,
      opsPerS: 1.5, // three answered (ok or failed) in two seconds
      availability: 0.5, // two ok out of four finished (the pending one is not counted)
      msgsPerOp: 4, // twenty messages for five operations
    });
  });

  it('a metric with nothing to measure is absent rather than zero', () => {
    expect(kvMetrics([], { invoked: 0, ok: 0, failed: 0, unknown: 0, sent: 12, spanUs: 0 })).toEqual({});
    expect(kvMetrics([], { invoked: 1, ok: 0, failed: 0, unknown: 0, sent: 3, spanUs: 5000 })).toEqual({
      opsPerS: 0,
      msgsPerOp: 3,
    });
  });
});

describe('key-value metrics: in every run with a workload', () => {
  it("the gauges follow the definitions from the run's history and counters, and reach the run summary", () => {
    for (const id of ['raft', 'multi-paxos', 'sharding', 'consistent-hashing']) {
      const sim = new Simulation(defaultScenario(id));
      sim.runUntil(2_000_000);
      const { counters, gauges } = sim.metrics();
      expect(counters.opsFailed, id).toBe(0); // so the history (which leaves failed ones out) has every answer
      const answered = sim.history().filter((op) => op.returnUs !== null);
      const latencies = answered.map((op) => op.returnUs! - op.callUs).sort((a, b) => a - b);
      expect(answered.length, id).toBeGreaterThan(10);
      expect(gauges.opLatencyP50Us, id).toBe(latencies[Math.ceil(latencies.length / 2) - 1]);
      expect(gauges.opLatencyP99Us, id).toBe(latencies[Math.ceil(latencies.length * 0.99) - 1]);
      expect(gauges.opsPerS, id).toBeCloseTo(answered.length / (sim.nowUs / 1e6), 9);
      expect(gauges.availability, id).toBe(counters.opsOk! / (counters.opsOk! + counters.opsUnknown!));
      expect(gauges.msgsPerOp, id).toBe(counters.sent! / sim.history().length);
      const summary = summarizeRun(sim).metrics;
      for (const k of ['opLatencyP50Us', 'opLatencyP99Us', 'opsPerS', 'availability', 'msgsPerOp'])
        expect(summary[k], `${id} ${k}`).toBe(gauges[k]);
      expect(summary['opLatencyUs.p50'], id).toBe(gauges.opLatencyP50Us);
    }
  });

  it('a run without a workload has none of them', () => {
    const sim = new Simulation(defaultScenario('ping-pong'));
    sim.runFor(1000);
    expect(Object.keys(sim.metrics().gauges).sort()).toEqual(['inFlight', 'queued', 'traceRows']);
  });

  it('step back gives the metrics of the earlier event', () => {
    const sim = new Simulation(defaultScenario('raft'));
    sim.runFor(3000);
    const before = sim.metrics().gauges;
    sim.runFor(3000);
    sim.stepBack(3000);
    expect(sim.metrics().gauges).toEqual(before);
  });
});

describe('stale reads, in real-time order from the client history', () => {
  const put = (id: number, key: string, callUs: number, returnUs: number | null): KvOp => ({
    id,
    client: 0,
    kind: 'put',
    key,
    value: `v${id}`,
    callUs,
    returnUs,
  });
  const get = (
    id: number,
    key: string,
    output: string | null,
    callUs: number,
    returnUs: number | null,
  ): KvOp => ({
    id,
    client: 1,
    kind: 'get',
    key,
    output,
    callUs,
    returnUs,
  });

  it('a read is stale when it returns a value older than a write that completed before it began', () => {
    const h = [put(1, 'x', 0, 10), put(2, 'x', 20, 30)];
    // Begun after write 2 completed: v1 and "missing" are older than v2; v2 is not.
    expect(staleReadCount([...h, get(3, 'x', 'v1', 40, 50)])).toEqual({ reads: 1, stale: 1, ids: [3] });
    expect(staleReadCount([...h, get(3, 'x', null, 40, 50)]).stale).toBe(1);
    expect(staleReadCount([...h, get(3, 'x', 'v2', 40, 50)]).stale).toBe(0);
    // Begun while write 2 was under way (concurrent): either value will do.
    expect(staleReadCount([...h, get(3, 'x', 'v1', 25, 50)]).stale).toBe(0);
    // Begun at the instant write 2 completed: concurrent too (intervals are closed).
    expect(staleReadCount([...h, get(3, 'x', 'v1', 30, 50)]).stale).toBe(0);
    // Another key's writes say nothing about this one.
    expect(staleReadCount([...h, get(3, 'y', null, 40, 50)]).stale).toBe(0);
  });

  it('is never judged on writes that overlap or whose outcome is unknown', () => {
    // Write 1 was still under way when write 2 began: no order between them, so v1 is not older.
    expect(staleReadCount([put(1, 'x', 0, 25), put(2, 'x', 20, 30), get(3, 'x', 'v1', 40, 50)]).stale).toBe(
      0,
    );
    // Write 1 never answered: it may have taken effect after write 2.
    expect(staleReadCount([put(1, 'x', 0, null), put(2, 'x', 20, 30), get(3, 'x', 'v1', 40, 50)]).stale).toBe(
      0,
    );
    // Only a write that completed makes a later read stale; reads never answered are not counted.
    expect(
      staleReadCount([put(1, 'x', 0, null), get(3, 'x', null, 40, 50), get(4, 'x', null, 40, null)]),
    ).toEqual({
      reads: 1,
      stale: 0,
      ids: [],
    });
  });

  it('every run with a workload reports them as gauges, from its history', () => {
    const sim = new Simulation(defaultScenario('read-replication'));
    sim.runUntil(2_000_000);
    const g = sim.metrics().gauges;
    const found = staleReadCount(sim.history());
    expect(found.reads).toBeGreaterThan(50);
    expect(g.staleReads).toBe(found.stale);
    expect(g.staleReadRate).toBe(found.stale / found.reads);
    expect(new Simulation(defaultScenario('ping-pong')).metrics().gauges.staleReads).toBeUndefined();
  });
});

describe('availability and stale reads per window of virtual time', () => {
  it('counts each operation in the window it finished in; only ended windows, none empty', () => {
    const w = kvWindowSeries(
      [
        { endUs: 10, outcome: 'ok', stale: false },
        { endUs: 99, outcome: 'ok', stale: true },
        { endUs: 100, outcome: 'failed' }, // the second window: [100, 200)
        { endUs: 150, outcome: 'unknown' }, // given up on at the timeout
        { endUs: 199, outcome: 'ok' },
        { endUs: 350, outcome: 'ok', stale: true }, // the fourth window, not ended at 390
      ],
      390,
      100,
    );
    expect(w.availability).toEqual({ tUs: [100, 200], v: [1, 1 / 3] });
    expect(w.staleReads).toEqual({ tUs: [100], v: [0.5] });
  });
});
