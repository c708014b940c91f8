import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DagViewSchema } from '../../../../shared/api/views';
import { fileItems } from '../../../../shared/files/format';
import { parseFile } from '../../../../shared/files/parse';
import '../../../checkers/builtin';
import { registerProtocol } from '../../../catalog';
import type { NodeView } from '../../../protocol';
import { Simulation } from '../../../simulation';
import { handle } from '../../../toolkit/recorder';
import { dynamo } from './dynamo';
import { initReplica, WRITTEN_KEPT } from './replica';
import { dynamoPartition } from './scenarios';
import { type DynamoMsg, DynamoParams, type DynamoState, type ReplicaState } from './types';
import type { Version, VersionVector } from './versions';
import { hasse, readVersions, VERSIONS_SHOWN, versionBefore } from './versions-view';

beforeAll(() => registerProtocol(dynamo));

const v = (value: string, vv: VersionVector, by = 'Sx', ts = 0): Version => ({ value, ts, by, vv });

/** Figure 3 of the Dynamo paper (§4.4): D1..D5 and their vector clocks. */
const FIGURE_3 = [
  v('D1', { Sx: 1 }),
  v('D2', { Sx: 2 }),
  v('D3', { Sx: 2, Sy: 1 }, 'Sy'),
  v('D4', { Sx: 2, Sz: 1 }, 'Sz'),
  v('D5', { Sx: 3, Sy: 1, Sz: 1 }),
];

const edgeNames = (items: Version[], pairs: [number, number][]) =>
  pairs.map(([i, j]) => `${items[i]!.value}->${items[j]!.value}`).sort();

describe('the Hasse diagram of the version-vector order', () => {
  it('gives exactly Figure 3’s arrows for Figure 3’s vectors, in any order', () => {
    const want = ['D1->D2', 'D2->D3', 'D2->D4', 'D3->D5', 'D4->D5'];
    expect(edgeNames(FIGURE_3, hasse(FIGURE_3, versionBefore('vv')))).toEqual(want);
    const shuffled = [FIGURE_3[3]!, FIGURE_3[0]!, FIGURE_3[4]!, FIGURE_3[2]!, FIGURE_3[1]!];
    expect(edgeNames(shuffled, hasse(shuffled, versionBefore('vv')))).toEqual(want);
  });

  it('draws no arrow between concurrent versions, and none that skips a version between', () => {
    const pairs = edgeNames(FIGURE_3, hasse(FIGURE_3, versionBefore('vv')));
    expect(pairs).not.toContain('D3->D4');
    expect(pairs).not.toContain('D4->D3');
    expect(pairs).not.toContain('D1->D3');
    expect(pairs).not.toContain('D2->D5');
    const a = v('a', { n1: 1 });
    const b = v('b', { n2: 1 }, 'n2');
    expect(hasse([a, b], versionBefore('vv'))).toEqual([]);
  });

  it('under last writer wins the same diagram is a chain by (timestamp, coordinator)', () => {
    const xs = [v('c', {}, 'n1', 30), v('a', {}, 'n2', 10), v('b2', {}, 'n2', 20), v('b1', {}, 'n1', 20)];
    expect(edgeNames(xs, hasse(xs, versionBefore('lww')))).toEqual(['a->b1', 'b1->b2', 'b2->c']);
  });
});

// ------------------------------------------------------------------ Figure 3 on Dynamo's rules

const NODES = { n1: 'replica', n2: 'replica', n3: 'replica', c1: 'client', c2: 'client', c3: 'client' };
const PARAMS = DynamoParams.parse({ conflict: 'vv' });
const KEY = 'cart';

/** Three started replicas, the paper's Sx, Sy and Sz. */
function cluster(): Record<string, ReplicaState> {
  const out: Record<string, ReplicaState> = {};
  for (const id of ['n1', 'n2', 'n3']) {
    out[id] = initReplica();
    handle(dynamo, out[id], { kind: 'start' }, { self: id, nodes: NODES, params: PARAMS, nowUs: 0 });
  }
  return out;
}

/** A client's put through `coord`, its Put messages delivered to the other replicas at once. */
function write(
  c: Record<string, ReplicaState>,
  coord: string,
  value: string,
  context: VersionVector,
  t: number,
) {
  const world = (self: string) => ({ self, nodes: NODES, params: PARAMS, nowUs: t });
  const req: DynamoMsg = { type: 'Request', req: t, op: 'put', key: KEY, value, context };
  const out = handle(dynamo, c[coord]!, { kind: 'message', from: 'c1', msg: req }, world(coord));
  for (const s of out.sent)
    if (s.msg.type === 'Put' && c[s.to])
      handle(dynamo, c[s.to]!, { kind: 'message', from: coord, msg: s.msg }, world(s.to));
  return c[coord]!.written[KEY]!.at(-1)!.vv;
}

const views = (c: Record<string, ReplicaState>): NodeView<DynamoState>[] =>
  Object.entries(c).map(([id, state]) => ({ id, role: 'replica', up: true, state }));

describe('the Versions tab', () => {
  it('reproduces Figure 3 from the replicas’ rules: vectors, arrows, who handled each write', () => {
    const c = cluster();
    const d1 = write(c, 'n1', 'D1', {}, 1000);
    const d2 = write(c, 'n1', 'D2', d1, 2000);
    const d3 = write(c, 'n2', 'D3', d2, 3000);
    const d4 = write(c, 'n3', 'D4', d2, 4000);
    // Before the merge: D3 and D4 are siblings on every replica, D1 and D2 are obsolete.
    const mid = DagViewSchema.parse(readVersions(views(c), PARAMS, null));
    expect(mid.subject).toBe(`key ${KEY}`);
    expect(mid.nodes.map((n) => [n.label, n.tone, n.faded ?? false])).toEqual([
      ['D1', 'neutral', true],
      ['D2', 'neutral', true],
      ['D3', 'warn', false],
      ['D4', 'warn', false],
    ]);
    write(c, 'n1', 'D5', { ...d3, ...d4 }, 5000);
    const fig = DagViewSchema.parse(readVersions(views(c), PARAMS, null));
    expect(fig.nodes.map((n) => `${n.label} ${n.detail}`)).toEqual([
      'D1 [n1:1]',
      'D2 [n1:2]',
      'D3 [n1:2,n2:1]',
      'D4 [n1:2,n3:1]',
      'D5 [n1:3,n2:1,n3:1]',
    ]);
    const label = (id: string) => fig.nodes.find((n) => n.id === id)!.label;
    expect(fig.edges.map((e) => `${label(e.from)}->${label(e.to)}: ${e.label}`).sort()).toEqual([
      'D1->D2: write handled by n1',
      'D2->D3: write handled by n2',
      'D2->D4: write handled by n3',
      'D3->D5: reconciled and written by n1',
      'D4->D5: reconciled and written by n1',
    ]);
    expect(fig.nodes.at(-1)).toMatchObject({ label: 'D5', tone: 'good' });
    expect(fig.nodes.slice(0, 4).every((n) => n.faded)).toBe(true);
  });

  it('keeps a bounded record per key and draws the latest versions only', () => {
    const c = cluster();
    let ctx: VersionVector = {};
    for (let k = 0; k < WRITTEN_KEPT + 5; k++) ctx = write(c, 'n1', `w${k}`, ctx, 1000 * (k + 1));
    expect(c.n1!.written[KEY]).toHaveLength(WRITTEN_KEPT);
    const data = readVersions(views(c), PARAMS, null);
    expect(data.nodes.length).toBeLessThanOrEqual(VERSIONS_SHOWN);
    expect(data.nodes.at(-1)?.label).toBe(`w${WRITTEN_KEPT + 4}`);
    expect(data.edges).toHaveLength(data.nodes.length - 1);
  });

  it('says there is nothing yet before the first write', () => {
    const data = readVersions(views(cluster()), PARAMS, null);
    expect(data.nodes).toEqual([]);
    expect(data.caption).toContain('No write yet');
  });
});

describe('the Versions tab on a run (the quick start with version vectors)', () => {
  const parseVv = (detail: string): VersionVector =>
    Object.fromEntries(
      detail
        .slice(1, -1)
        .split(',')
        .map((p) => p.split(':'))
        .map(([n, c]) => [n!, Number(c)]),
    );
  const ge = (a: VersionVector, b: VersionVector) => Object.entries(b).every(([n, c]) => (a[n] ?? 0) >= c);

  it('draws an arrow only where a version descends from another, and shows siblings', () => {
    const sim = new Simulation(dynamoPartition({ conflict: 'vv' }), { seed: 1 });
    let siblings = 0;
    let previous = null as ReturnType<typeof sim.view>;
    for (let step = 0; step < 8; step++) {
      sim.runFor(500);
      const data = DagViewSchema.parse(sim.view('versions', previous));
      // The tab stays on the key it showed first.
      if (previous?.kind === 'dag' && previous.subject) expect(data.subject).toBe(previous.subject);
      previous = data;
      const vv = new Map(data.nodes.map((n) => [n.id, parseVv(n.detail)]));
      for (const e of data.edges) {
        expect(ge(vv.get(e.to)!, vv.get(e.from)!)).toBe(true);
        expect(e.label).toMatch(/^(write handled|reconciled and written) by n[1-5]$/);
      }
      for (const a of data.nodes)
        for (const b of data.nodes) {
          const concurrent = !ge(vv.get(a.id)!, vv.get(b.id)!) && !ge(vv.get(b.id)!, vv.get(a.id)!);
          if (concurrent) expect(data.edges.some((e) => e.from === a.id && e.to === b.id)).toBe(false);
        }
      siblings += data.nodes.filter((n) => n.tone === 'warn').length;
    }
    expect(siblings).toBeGreaterThan(0);
  });
});

// The built-in scenario of the paper's example (resources/library/dynamo-figure-3).
const FIGURE_3_FILE = 'resources/library/dynamo-figure-3.dslab.json';

describe('the Versions tab under last writer wins', () => {
  it('draws a chain by coordinator clock, every version but the newest held ones obsolete', () => {
    const sim = new Simulation(dynamoPartition(), { seed: 2 });
    sim.runFor(3000);
    const data = DagViewSchema.parse(sim.view('versions', null));
    expect(data.nodes.length).toBe(VERSIONS_SHOWN);
    expect(data.edges.map((e) => [e.from, e.to])).toEqual(
      data.nodes.slice(1).map((n, k) => [data.nodes[k]!.id, n.id]),
    );
    const at = (detail: string) => Number(detail.split('@ ')[1]!.replace(' s', ''));
    for (let k = 1; k < data.nodes.length; k++)
      expect(at(data.nodes[k]!.detail)).toBeGreaterThanOrEqual(at(data.nodes[k - 1]!.detail));
    expect(data.nodes.at(-1)!.tone).toBe('good');
    expect(data.nodes[0]!.faded).toBe(true);
  });
});

describe('the Versions tab on the built-in Figure 3 scenario', () => {
  it('draws exactly the paper’s Figure 3 at the end of the run', () => {
    const parsed = parseFile(readFileSync(FIGURE_3_FILE, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.message);
    const scenario = fileItems(parsed.file).scenarios[0]!.scenario;
    const sim = new Simulation(scenario, { seed: 1 });
    sim.runFor(100_000);
    const data = DagViewSchema.parse(sim.view('versions', null));
    const byId = new Map(data.nodes.map((n) => [n.id, n]));
    expect(data.nodes.map((n) => `${n.label} ${n.detail}`).sort()).toEqual([
      'D1 [Sx:1]',
      'D2 [Sx:2]',
      'D3 [Sx:2,Sy:1]',
      'D4 [Sx:2,Sz:1]',
      'D5 [Sx:3,Sy:1,Sz:1]',
    ]);
    expect(
      data.edges.map((e) => `${byId.get(e.from)!.label}->${byId.get(e.to)!.label}: ${e.label}`).sort(),
    ).toEqual([
      'D1->D2: write handled by Sx',
      'D2->D3: write handled by Sy',
      'D2->D4: write handled by Sz',
      'D3->D5: reconciled and written by Sx',
      'D4->D5: reconciled and written by Sx',
    ]);
    expect(data.nodes.filter((n) => n.tone === 'good').map((n) => n.label)).toEqual(['D5']);
  });
});
