import { describe, expect, it } from 'vitest';
import { fromFlow, linkLabel, toFlow } from './mappers';
import { paletteRoles, roleLabel, roleTone } from './roles';
import { linkProblem, nameProblem, nextId, renameNode, roleCounts, uniqueName } from './topology';

const topology = {
  nodes: [
    { id: 'n1', name: 'alpha', role: 'peer', x: 0, y: 0 },
    { id: 'n2', name: 'beta', role: 'peer', x: 300, y: 40 },
  ],
  links: [{ id: 'l1', a: 'n1', b: 'n2' }],
};

describe('toFlow / fromFlow', () => {
  it('maps nodes and links to canvas nodes and edges named for people', () => {
    const { nodes, edges } = toFlow(topology);
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).toMatchObject({
      id: 'n1',
      type: 'lab',
      position: { x: 0, y: 0 },
      data: { name: 'alpha', role: 'peer' },
      ariaLabel: 'alpha',
    });
    expect(edges).toEqual([
      { id: 'l1', type: 'link', source: 'n1', target: 'n2', ariaLabel: linkLabel('alpha', 'beta') },
    ]);
  });

  it('round-trips a topology', () => {
    const { nodes, edges } = toFlow(topology);
    expect(fromFlow(nodes, edges)).toEqual(topology);
  });

  it('keeps moved positions and drops view state', () => {
    const { nodes, edges } = toFlow(topology);
    const moved = nodes.map((n) =>
      n.id === 'n2' ? { ...n, position: { x: 10, y: 20 }, selected: true } : n,
    );
    expect(fromFlow(moved, edges).nodes[1]).toEqual({ id: 'n2', name: 'beta', role: 'peer', x: 10, y: 20 });
  });

  it('drops links whose ends are missing', () => {
    const { edges } = toFlow({ ...topology, links: [...topology.links, { id: 'l2', a: 'n1', b: 'ghost' }] });
    expect(edges.map((e) => e.id)).toEqual(['l1']);
  });
});

describe('topology edits', () => {
  it('hands out the next free id', () => {
    expect(nextId('n', ['n1', 'n2', 'x9'])).toBe('n3');
    expect(nextId('n', [])).toBe('n1');
    expect(nextId('l', ['l7', 'l2'])).toBe('l8');
  });

  it('names new nodes after their role without clashing', () => {
    expect(uniqueName('Client', [])).toBe('client-1');
    expect(uniqueName('Client', ['client-1', 'client-2'])).toBe('client-3');
    expect(uniqueName('Key Server', [])).toBe('key-server-1');
  });

  it('refuses self links and duplicate links either way round', () => {
    const { edges } = toFlow(topology);
    expect(linkProblem(edges, 'n1', 'n1')).toMatch(/itself/);
    expect(linkProblem(edges, 'n2', 'n1')).toMatch(/already/);
    expect(linkProblem(edges, 'n1', 'n3')).toBeNull();
  });

  it('renames a node and relabels its links', () => {
    const { nodes, edges } = toFlow(topology);
    const next = renameNode(nodes, edges, 'n1', 'gamma');
    expect(next.nodes[0]).toMatchObject({ ariaLabel: 'gamma', data: { name: 'gamma' } });
    expect(next.edges[0]?.ariaLabel).toBe(linkLabel('gamma', 'beta'));
    expect(nodes[0]?.data.name).toBe('alpha');
  });

  it('checks names: not empty, not taken', () => {
    const { nodes } = toFlow(topology);
    expect(nameProblem(nodes, 'n1', '  ')).toMatch(/empty/);
    expect(nameProblem(nodes, 'n1', 'beta')).toMatch(/already/);
    expect(nameProblem(nodes, 'n1', 'alpha')).toBeNull();
  });

  it('counts roles', () => {
    const { nodes } = toFlow(topology);
    expect(roleCounts(nodes).get('peer')).toBe(2);
  });
});

describe('palette roles', () => {
  const protocol = {
    roles: [
      { id: 'server', label: 'Server', min: 3, max: 7 },
      { id: 'client', label: 'Workload client', min: 1, max: 1 },
    ],
  };

  it('lists protocol roles, then the generic parts it does not already have', () => {
    expect(paletteRoles(protocol).map((r) => `${r.id}:${r.generic}`)).toEqual([
      'server:false',
      'client:false',
      'switch:true',
    ]);
    expect(paletteRoles(null).map((r) => r.id)).toEqual(['switch']);
  });

  it('offers a client only to a protocol that declares one (Storm and Lambda have none)', () => {
    const noClients = { roles: [{ id: 'worker', label: 'Worker', min: 1, max: null }] };
    expect(paletteRoles(noClients).map((r) => r.id)).toEqual(['worker', 'switch']);
  });

  it('gives protocol roles numbered tones and generic parts their own', () => {
    const roles = paletteRoles(protocol);
    expect(roleTone('server', roles)).toBe('1');
    expect(roleTone('client', roles)).toBe('2');
    expect(roleTone('switch', roles)).toBe('switch');
    expect(roleTone('mystery', roles)).toBe('unknown');
    expect(roleLabel('mystery', roles)).toBe('mystery');
  });
});
