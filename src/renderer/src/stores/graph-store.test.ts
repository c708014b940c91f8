import { beforeEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../../shared/scenario/schema';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { isPristine, selectCanRedo, selectCanUndo, useGraph } from './graph-store';

const scenario: Scenario = ScenarioSchema.parse({
  schemaVersion: 1,
  name: 'test',
  topic: 'basics',
  protocol: 'ping-pong',
  params: { retryUs: 50_000 },
  seed: 1,
  topology: {
    nodes: [
      { id: 'n1', name: 'n1', role: 'node', x: 0, y: 0 },
      { id: 'n2', name: 'n2', role: 'node', x: 200, y: 0 },
    ],
    links: [{ id: 'l1', a: 'n1', b: 'n2' }],
  },
});

const g = () => useGraph.getState();
const pos = (id: string) => g().nodes.find((n) => n.id === id)?.position;

describe('graph store history', () => {
  beforeEach(() => g().loadScenario(scenario));

  it('undoes and redoes an added node, and a load clears the history', () => {
    expect(selectCanUndo(g())).toBe(false);
    expect(isPristine(g())).toBe(true);
    g().addNode('node', 'Node', { x: 50, y: 50 });
    expect(g().nodes).toHaveLength(3);
    expect(isPristine(g())).toBe(false);
    expect(g().undo()).toBe(true);
    expect(g().nodes).toHaveLength(2);
    expect(selectCanRedo(g())).toBe(true);
    expect(g().redo()).toBe(true);
    expect(g().nodes).toHaveLength(3);
    g().loadScenario(scenario);
    expect(selectCanUndo(g())).toBe(false);
  });

  it('makes one step of a whole drag, and an undone move keeps the run (same topoRev)', () => {
    const rev = g().topoRev;
    for (const [x, dragging] of [
      [10, true],
      [20, true],
      [30, true],
      [30, false],
    ] as const)
      g().onNodesChange([{ type: 'position', id: 'n1', position: { x, y: 0 }, dragging }]);
    expect(pos('n1')).toEqual({ x: 30, y: 0 });
    expect(g().history.past).toHaveLength(1);
    const base = g().base;
    g().undo();
    expect(pos('n1')).toEqual({ x: 0, y: 0 });
    expect(g().topoRev).toBe(rev);
    expect(g().base).toBe(base);
  });

  it('coalesces typing into one param and restores the params on undo', () => {
    g().setParam('retryUs', 1);
    g().setParam('retryUs', 12);
    g().setParam('retryUs', 123);
    expect(g().history.past).toHaveLength(1);
    g().undo();
    expect(g().base?.params.retryUs).toBe(50_000);
  });

  it('copies and pastes selected nodes with the link between them', () => {
    g().selectAll();
    expect(g().copySelection()).toBe(2);
    expect(g().paste()).toBe(2);
    expect(g().nodes.map((n) => n.data.name)).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(g().edges).toHaveLength(2);
    expect(
      g()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(['n3', 'n4']);
    g().undo();
    expect(g().nodes).toHaveLength(2);
  });

  it('edits a link and a node clock as undoable topology edits', () => {
    const rev = g().topoRev;
    const net = {
      latency: { kind: 'constant' as const, us: 7000 },
      lossRate: 0.1,
      dupRate: 0,
      reorderRate: 0,
      reorderDelayUs: 5000,
    };
    g().setLinkNet('l1', net, 'k');
    g().setNodeClock('n1', { clockDriftPpm: 50 }, 'c');
    expect(g().topoRev).toBe(rev + 2);
    g().undo();
    g().undo();
    expect(g().edges[0]?.data?.net?.latency).toEqual({ kind: 'constant', us: 1000 });
    expect(g().nodes[0]?.data.clockDriftPpm).toBe(0);
  });
});

describe('exercise locks', () => {
  beforeEach(() => g().loadScenario(scenario));

  it('a locked topology refuses adding, removing, linking, renaming and re-roling, but allows moves', () => {
    g().setLocks(['topology']);
    expect(g().addNode('node', 'Node', { x: 5, y: 5 })).toBe('');
    expect(g().connect('n1', 'n2')).toBe('Locked by the exercise.');
    g().onNodesChange([{ type: 'remove', id: 'n1' }]);
    g().onEdgesChange([{ type: 'remove', id: 'l1' }]);
    g().rename('n1', 'renamed');
    g().setRole('n1', 'client');
    expect(g().paste()).toBe(0);
    expect(g().nodes.map((n) => [n.id, n.data.name, n.data.role])).toEqual([
      ['n1', 'n1', 'node'],
      ['n2', 'n2', 'node'],
    ]);
    expect(g().edges).toHaveLength(1);
    g().onNodesChange([{ type: 'position', id: 'n1', position: { x: 40, y: 60 }, dragging: false }]);
    expect(pos('n1')).toEqual({ x: 40, y: 60 });
  });

  it('a locked parameter cannot be set, others can; loading another scenario clears the locks', () => {
    g().setLocks(['params.retryUs', 'seed']);
    g().setParam('retryUs', 1);
    g().setParam('other', 2);
    g().patchBase({ seed: 99 }, 'seed');
    expect(g().base?.params).toMatchObject({ retryUs: 50_000, other: 2 });
    expect(g().base?.seed).toBe(1);
    g().loadScenario(scenario);
    expect(g().locks).toEqual([]);
    g().setParam('retryUs', 7);
    expect(g().base?.params.retryUs).toBe(7);
  });
});
