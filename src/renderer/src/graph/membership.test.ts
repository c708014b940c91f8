import { describe, expect, it } from 'vitest';
import type { SimLinks, SimNode } from '../../../shared/api';
import { toFlow } from './mappers';
import { addedFlowNodes, addedNodesOf, canvasEdges, runLinksOf } from './membership';

const simNode = (id: string, added: boolean, removed = false): SimNode => ({
  id,
  role: 'node',
  name: id,
  x: 600,
  y: 80,
  up: !removed,
  paused: false,
  removed,
  added,
  localTimeUs: 0,
  clockErrorUs: 0,
  timers: [],
  state: null,
  badge: { text: '', tone: 'neutral' },
});

const link = (
  id: string,
  a: string,
  b: string,
  scenarioLossRate: number | null,
): SimLinks['links'][number] => ({
  id,
  a,
  b,
  state: 'ok',
  cutDirection: null,
  cutBy: [],
  degraded: false,
  lossRate: 0,
  scenarioLossRate,
  meanLatencyUs: 1000,
  scenarioMeanLatencyUs: scenarioLossRate === null ? null : 1000,
});

const topo = toFlow({
  nodes: [
    { id: 'n1', name: 'n1', role: 'node', x: 0, y: 0 },
    { id: 'sw', name: 'sw', role: 'switch', x: 100, y: 0 },
  ],
  links: [{ id: 'n1-sw', a: 'n1', b: 'sw' }],
});

describe("the run's membership on the canvas", () => {
  it('the nodes the run added are drawn where the fault put them, and not as editable topology', () => {
    const added = addedNodesOf({ n1: simNode('n1', false), n5: simNode('n5', true) });
    expect(added).toEqual([{ id: 'n5', name: 'n5', role: 'node', x: 600, y: 80 }]);
    const [n5] = addedFlowNodes([], added);
    expect(n5).toMatchObject({ id: 'n5', position: { x: 600, y: 80 }, draggable: false, deletable: false });
    // Unchanged nodes keep their object (xyflow keeps what it measured on it); gone ones go.
    expect(addedFlowNodes([n5!], added)[0]).toBe(n5);
    expect(addedFlowNodes([n5!], [])).toEqual([]);
  });

  it("links the run added are drawn between drawn nodes; the scenario's it removed are hidden", () => {
    const names = new Map([
      ['n1', 'n1'],
      ['sw', 'sw'],
      ['n5', 'n5'],
    ]);
    const withN5 = runLinksOf([link('n1-sw', 'n1', 'sw', 0), link('n5-sw', 'n5', 'sw', null)]);
    const edges = canvasEdges(topo.edges, withN5, names);
    expect(edges.map((e) => [e.id, e.hidden ?? false])).toEqual([
      ['n1-sw', false],
      ['n5-sw', false],
    ]);
    expect(edges[0]).toBe(topo.edges[0]);
    expect(edges[1]?.ariaLabel).toBe('Link n5 – sw (added by the run)');
    // Before the join (stepped back), or once n1-sw is removed by the run.
    const without = canvasEdges(topo.edges, runLinksOf([]), names);
    expect(without.map((e) => [e.id, e.hidden])).toEqual([['n1-sw', true]]);
    // No run: the topology as it is.
    expect(canvasEdges(topo.edges, null, names)).toBe(topo.edges);
  });
});
