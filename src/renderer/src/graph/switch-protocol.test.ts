import { describe, expect, it } from 'vitest';
import type { ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';
import { describeSwitch, switchProtocolTopology } from './switch-protocol';

const node = (id: string, role: string): ScenarioNode => ({
  id,
  name: id,
  role,
  x: 0,
  y: 0,
  clockOffsetUs: 0,
  clockDriftPpm: 0,
});
const link = (id: string, a: string, b: string): ScenarioLink => ({
  id,
  a,
  b,
  latency: { kind: 'constant', us: 1000 },
  lossRate: 0,
  dupRate: 0,
  reorderRate: 0,
  reorderDelayUs: 5000,
});

const MULTI_PAXOS = [
  { id: 'replica', min: 1, max: null },
  { id: 'client', min: 0, max: null },
];
const SHARDING = [
  { id: 'router', min: 1, max: 1 },
  { id: 'shard', min: 1, max: null },
  { id: 'client', min: 0, max: null },
];

describe('switchProtocolTopology', () => {
  it('keeps nodes whose role exists and switches', () => {
    const r = switchProtocolTopology(
      {
        nodes: [node('n1', 'node'), node('n2', 'node'), node('s', 'switch')],
        links: [link('l1', 'n1', 's')],
      },
      [{ id: 'node', min: 1, max: null }],
    );
    expect(r.kept).toBe(3);
    expect(r.removed).toBe(0);
    expect(r.remapped).toEqual([]);
    expect(r.nodes.map((n) => n.role)).toEqual(['node', 'node', 'switch']);
    expect(r.links).toHaveLength(1);
    expect(describeSwitch(r, 'Broadcast')).toBe(
      'Switched to Broadcast, keeping your 3 nodes and their roles.',
    );
  });

  it('remaps roles the new protocol lacks to its main role', () => {
    const topo = {
      nodes: [node('c', 'client'), node('p1', 'proposer'), node('p2', 'proposer'), node('a1', 'acceptor')],
      links: [link('l1', 'c', 'p1'), link('l2', 'p1', 'a1')],
    };
    const r = switchProtocolTopology(topo, MULTI_PAXOS);
    expect(r.nodes.map((n) => [n.id, n.role])).toEqual([
      ['c', 'client'],
      ['p1', 'replica'],
      ['p2', 'replica'],
      ['a1', 'replica'],
    ]);
    expect(r.remapped).toEqual([
      { from: 'proposer', to: 'replica', count: 2 },
      { from: 'acceptor', to: 'replica', count: 1 },
    ]);
    expect(r.links).toHaveLength(2);
    expect(r.protocolNodes).toBe(3);
    // Says the nodes stayed (the old "Kept 1 node; ..." read as if three were lost).
    expect(describeSwitch(r, 'Multi-Paxos')).toBe(
      'Switched to Multi-Paxos, keeping your 4 nodes: 2 proposer nodes now run as replica, 1 acceptor node now runs as replica; 1 kept its role.',
    );
  });

  it('keeps a client only where the new protocol declares clients', () => {
    const topo = { nodes: [node('t', 'server'), node('c', 'client')], links: [link('l1', 'c', 't')] };
    const r = switchProtocolTopology(topo, [
      { id: 'master', min: 1, max: 1 },
      { id: 'worker', min: 1, max: null },
    ]);
    expect(r.nodes.map((n) => [n.id, n.role])).toEqual([
      ['t', 'master'],
      ['c', 'worker'],
    ]);
    expect(r.protocolNodes).toBe(2);
  });

  it('fills roles below their min first and respects max counts', () => {
    const topo = {
      nodes: [node('s1', 'server'), node('s2', 'server'), node('s3', 'server'), node('c', 'client')],
      links: [],
    };
    const r = switchProtocolTopology(topo, SHARDING);
    expect(r.nodes.map((n) => n.role)).toEqual(['router', 'shard', 'shard', 'client']);
    expect(r.removed).toBe(0);
  });

  it('removes nodes over a role max and their links', () => {
    const roles = [
      { id: 'leader', min: 1, max: 1 },
      { id: 'follower', min: 1, max: 2 },
    ];
    const topo = {
      nodes: [
        node('l1', 'leader'),
        node('l2', 'leader'),
        node('f1', 'follower'),
        node('x', 'other'),
        node('y', 'other'),
      ],
      links: [link('a', 'l1', 'l2'), link('b', 'l1', 'f1'), link('c', 'f1', 'y')],
    };
    const r = switchProtocolTopology(topo, roles);
    expect(r.nodes.map((n) => n.id)).toEqual(['l1', 'f1', 'x']);
    expect(r.nodes.find((n) => n.id === 'x')?.role).toBe('follower');
    expect(r.removed).toBe(2);
    expect(r.links.map((l) => l.id)).toEqual(['b']);
    expect(describeSwitch(r, 'Replication')).toBe(
      'Switched to Replication, keeping 3 of your 5 nodes: 1 other node now runs as follower; 2 kept their role; 2 nodes had no role left in Replication and were removed.',
    );
  });

  it('keeps positions, names and clocks of survivors', () => {
    const n = { ...node('p', 'proposer'), name: 'alpha', x: 40, y: 80, clockDriftPpm: 50 };
    const r = switchProtocolTopology({ nodes: [n], links: [] }, MULTI_PAXOS);
    expect(r.nodes[0]).toEqual({ ...n, role: 'replica' });
  });
});
