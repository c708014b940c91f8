import type { Scenario } from '../../../../shared/scenario/schema';
import { ScenarioSchema } from '../../../../shared/scenario/schema';
import { quickStartScenario } from '../../../toolkit/quick-start';
import { dynamo } from './dynamo';

/** The quick start (a partition from 1 s to 3 s) with `params` over the defaults. */
export function dynamoPartition(params: Record<string, unknown> = {}): Scenario {
  return quickStartScenario(dynamo, params);
}

/** The same topology and workload with no fault: where R + W versus N shows (PACELC's "else"). */
export function dynamoNoPartition(params: Record<string, unknown> = {}): Scenario {
  const base = quickStartScenario(dynamo, params);
  return ScenarioSchema.parse({
    ...base,
    name: `Dynamo, N=${base.params.n} R=${base.params.r} W=${base.params.w}, no partition`,
    faults: [],
  });
}

/**
 * Last writer wins on a skewed clock (§4.4): no partition, cp mode, and n4's clock stepped back
 * 50 ms at 0.5 s. A write n4 coordinates is stamped older than writes that finished before it
 * began, and loses to them: the history is not linearizable, even with strict quorums.
 */
export function dynamoClockSkew(params: Record<string, unknown> = {}): Scenario {
  const base = dynamoNoPartition({ mode: 'cp', ...params });
  return ScenarioSchema.parse({
    ...base,
    name: 'Dynamo, CP with last writer wins: n4’s clock 50 ms behind',
    faults: [{ atUs: 500_000, fault: { kind: 'clock-step', node: 'n4', deltaUs: -50_000 } }],
  });
}

/**
 * The paper's worked example of version vectors (§4.4, Figure 3), told by a scripted workload.
 * Three replicas named as the paper names them (Sx, Sy, Sz), version vectors, N = 3, R = W = 2,
 * and three clients, client k talking to replica k (client.ts's "nearby" node):
 *
 * 1. c1 writes D1 and then D2 through Sx: D1 ([Sx,1]), D2 ([Sx,2]).
 * 2. c2 and c3 both read D2, then, at the same moment, c2 writes D3 through Sy and c3 writes D4
 *    through Sz, each with D2's context: D3 ([Sx,2],[Sy,1]) and D4 ([Sx,2],[Sz,1]) are
 *    concurrent, and every replica keeps both.
 * 3. c1 reads both siblings, reconciles them, and writes D5 through Sx with their joined
 *    context: D5 ([Sx,3],[Sy,1],[Sz,1]) descends from both and replaces them.
 *
 * The steps are 100 ms apart, far more than a round trip (links of 5 ms ± 1 ms), so the story is
 * the same on every seed.
 */
export function dynamoFigure3(): Scenario {
  const base = quickStartScenario(dynamo, { mode: 'ap', n: 3, r: 2, w: 2, conflict: 'vv' });
  const replicas = ['Sx', 'Sy', 'Sz'];
  const clients = ['c1', 'c2', 'c3'];
  const latency = { kind: 'normal', meanUs: 5000, stdUs: 1000, minUs: 3000 };
  const link = (a: string, b: string) => ({ id: `${a}-${b}`, a, b, latency });
  const step = (ms: number, client: string, op: 'read' | 'write', value?: string) => ({
    atUs: ms * 1000,
    client,
    op,
    key: 'cart',
    ...(value === undefined ? {} : { value }),
  });
  return ScenarioSchema.parse({
    ...base,
    name: 'Dynamo §4.4: the versions of Figure 3',
    topology: {
      nodes: [
        ...replicas.map((id, k) => ({ id, name: id, role: 'replica', x: 420 + 220 * k, y: 120 })),
        ...clients.map((id, k) => ({ id, name: id, role: 'client', x: 420 + 220 * k, y: 420 })),
      ],
      links: [
        link('Sx', 'Sy'),
        link('Sy', 'Sz'),
        link('Sx', 'Sz'),
        ...clients.flatMap((c) => replicas.map((r) => link(c, r))),
      ],
    },
    workload: {
      kind: 'script',
      ops: [
        step(0, 'c1', 'write', 'D1'),
        step(100, 'c1', 'write', 'D2'),
        step(200, 'c2', 'read'),
        step(200, 'c3', 'read'),
        step(300, 'c2', 'write', 'D3'),
        step(300, 'c3', 'write', 'D4'),
        step(400, 'c1', 'read'),
        step(500, 'c1', 'write', 'D5'),
        step(600, 'c2', 'read'),
      ],
      timeoutUs: 1_000_000,
    },
    faults: [],
    limits: { ...base.limits, maxTimeUs: 1_000_000 },
  });
}
