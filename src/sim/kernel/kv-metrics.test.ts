import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../catalog';
import { summarizeRun } from '../run-summary';
import { Simulation } from '../simulation';
import { kvMetrics, quantile } from './kv-metrics';

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
