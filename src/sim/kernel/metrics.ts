import type { ChartSpec, NodeView, Protocol, ProtocolMessage } from '../protocol';
import { kvMetrics } from './kv-metrics';

/** Kernel counters, by slot in a Float64Array (a typed array: cheap to bump and to copy). */
export const COUNTERS = [
  'events',
  'sent',
  'delivered',
  'dropped',
  'droppedLoss',
  'droppedPartition',
  'droppedDown',
  'droppedNoRoute',
  'droppedLimit',
  'duplicated',
  'timers',
  'faults',
  'opsInvoked',
  'opsOk',
  'opsFailed',
  'opsUnknown',
] as const;
export type CounterName = (typeof COUNTERS)[number];
// A literal (not built with fromEntries) so property reads stay on V8's fast path.
export const C = {
  events: 0,
  sent: 1,
  delivered: 2,
  dropped: 3,
  droppedLoss: 4,
  droppedPartition: 5,
  droppedDown: 6,
  droppedNoRoute: 7,
  droppedLimit: 8,
  duplicated: 9,
  timers: 10,
  faults: 11,
  opsInvoked: 12,
  opsOk: 13,
  opsFailed: 14,
  opsUnknown: 15,
} as const;

/** A named time series in virtual time. */
export interface Series {
  /** Series id. */
  id: string;
  /** Unit. */
  unit: string;
  /** Sample times, microseconds. */
  tUs: number[];
  /** Values. */
  v: number[];
  /** The chart it shares with other series (protocol metrics that declare one). */
  chart?: ChartSpec;
  /** The node a per-node series is of (Protocol.nodeMetrics). */
  node?: string;
}

/** Series slots: the kernel's own, then one per protocol metric from PROTOCOL_SERIES on. */
export const SERIES_IN_FLIGHT = 0;
const SERIES_SENT = 1;
const SERIES_DELIVERED = 2;
const SERIES_DROPPED = 3;
export const SERIES_OP_LATENCY = 4;
const PROTOCOL_SERIES = 5;

const SAMPLE_INTERVAL_US = 100_000;

/** What a snapshot keeps of the metrics: the counters and the logical length of each series. */
export interface MetricsSnapshot {
  counters: Float64Array;
  seriesLengths: number[];
  nextSampleUs: number;
}

/**
 * The kernel's counters and time series (docs/kernel.md "Metrics"). The counters are one
 * typed array that the other parts bump in place: it is never replaced (a snapshot is loaded
 * into it), so a part may keep a reference to it.
 */
export class Metrics {
  /** Counter values by slot (C). */
  readonly counters = new Float64Array(COUNTERS.length);
  /** The series; their arrays may hold more than seriesLen (a future a replay rewrites). */
  private series: Series[] = [];
  /** Logical length of each series. */
  private seriesLen: number[] = [];
  /** The next sample boundary, virtual microseconds. */
  nextSampleUs = 0;

  /** Per-node series (Protocol.nodeMetrics) start at this slot: spec by spec, node by node. */
  private readonly nodeSeriesFrom: number;
  /** How many protocol nodes have per-node series (the topology's; views 0..n-1). */
  private readonly chartedNodes: number;

  constructor(
    private readonly protocol: Protocol<unknown, unknown, ProtocolMessage>,
    /** The protocol nodes of the scenario's topology, in order (for per-node series). */
    nodeIds: readonly string[] = [],
  ) {
    this.series.push({ id: 'inFlight', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'sent', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'delivered', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'dropped', unit: 'messages', tUs: [], v: [] });
    this.series.push({ id: 'opLatencyUs', unit: 'us', tUs: [], v: [] });
    for (const m of protocol.metrics)
      this.series.push({ id: m.id, unit: m.unit, tUs: [], v: [], ...(m.chart ? { chart: m.chart } : {}) });
    this.nodeSeriesFrom = this.series.length;
    const perNode = protocol.nodeMetrics ?? [];
    this.chartedNodes = perNode.length > 0 ? nodeIds.length : 0;
    for (const m of perNode)
      for (const node of nodeIds)
        this.series.push({
          id: `${m.id}.${node}`,
          unit: m.unit,
          tUs: [],
          v: [],
          node,
          ...(m.chart ? { chart: m.chart } : {}),
        });
    this.seriesLen = this.series.map(() => 0);
  }

  /**
   * Samples the series at the boundary the event at tUs crossed: one sample per boundary
   * crossed, taken before that event (a long quiet gap yields one sample, at the first
   * boundary, not thousands).
   */
  sample(tUs: number, inFlight: number, views: readonly NodeView<unknown>[]): void {
    const at = this.nextSampleUs;
    const push = (k: number, v: number): void => this.pushSample(k, at, v);
    push(SERIES_IN_FLIGHT, inFlight);
    push(SERIES_SENT, this.counters[C.sent]!);
    push(SERIES_DELIVERED, this.counters[C.delivered]!);
    push(SERIES_DROPPED, this.counters[C.dropped]!);
    this.protocol.metrics.forEach((m, k) => {
      const v = m.read(views);
      // A gauge that is not a number is a protocol bug (often a crashed node's missing field):
      // said at once, rather than a chart gap or a grade that skips the sample.
      if (!Number.isFinite(v)) throw new Error(`metric ${m.id} read ${v}: a gauge must be a finite number`);
      push(PROTOCOL_SERIES + k, v);
    });
    const perNode = this.protocol.nodeMetrics;
    if (perNode !== undefined) {
      let k = this.nodeSeriesFrom;
      for (const m of perNode)
        for (let j = 0; j < this.chartedNodes; j++, k++) {
          const v = m.read(views[j]!);
          if (v === null) continue;
          if (!Number.isFinite(v))
            throw new Error(`metric ${m.id} read ${v} at ${views[j]!.id}: a gauge must be a finite number`);
          push(k, v);
        }
    }
    this.nextSampleUs = (Math.floor(tUs / SAMPLE_INTERVAL_US) + 1) * SAMPLE_INTERVAL_US;
  }

  /** Appends one point to series k. */
  pushSample(k: number, tUs: number, v: number): void {
    const s = this.series[k]!;
    const n = this.seriesLen[k]!;
    s.tUs[n] = tUs;
    s.v[n] = v;
    this.seriesLen[k] = n + 1;
  }

  /**
   * The common key-value metrics (kv-metrics.ts) of a run with a workload, from the op-latency
   * series and the op counters; spanUs is the virtual time since the workload started.
   */
  kvGauges(spanUs: number): Record<string, number> {
    const c = this.counters;
    const k = SERIES_OP_LATENCY;
    return kvMetrics(this.series[k]!.v.slice(0, this.seriesLen[k]), {
      invoked: c[C.opsInvoked]!,
      ok: c[C.opsOk]!,
      failed: c[C.opsFailed]!,
      unknown: c[C.opsUnknown]!,
      sent: c[C.sent]!,
      spanUs: Math.max(0, spanUs),
    });
  }

  /** Counters, gauges and series (copies; JSON-serialisable). */
  report(gauges: Record<string, number>): {
    counters: Record<string, number>;
    gauges: Record<string, number>;
    series: Series[];
  } {
    return {
      counters: Object.fromEntries(COUNTERS.map((n, i) => [n, this.counters[i]!])),
      gauges,
      series: this.series.map((s, k) => ({
        ...s,
        tUs: s.tUs.slice(0, this.seriesLen[k]),
        v: s.v.slice(0, this.seriesLen[k]),
      })),
    };
  }

  save(): MetricsSnapshot {
    return {
      counters: this.counters.slice(),
      seriesLengths: this.seriesLen.slice(),
      nextSampleUs: this.nextSampleUs,
    };
  }

  load(s: MetricsSnapshot): void {
    this.counters.set(s.counters);
    this.seriesLen = s.seriesLengths.slice();
    this.nextSampleUs = s.nextSampleUs;
  }

  /** Copies another run's series up to a snapshot of it (fork; see Kernel.adopt). */
  copySeries(from: Metrics, s: MetricsSnapshot): void {
    const lens = s.seriesLengths;
    this.series.forEach((ser, k) => {
      const src = from.series[k]!;
      ser.tUs = src.tUs.slice(0, lens[k]);
      ser.v = src.v.slice(0, lens[k]);
    });
  }
}
