import { applyNodeChanges } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { useGraph } from '../stores/graph-store';
import { toFlow } from './mappers';
import { defaultBox, NODE_HEIGHT, NODE_WIDTH, nodeHandles, withBox } from './node-box';
import type { LabFlowNode } from './types';

/** A handle's centre. */
const centre = (h: { x: number; y: number; width?: number; height?: number }) => ({
  x: h.x + (h.width ?? 0) / 2,
  y: h.y + (h.height ?? 0) / 2,
});

describe('a node box known before layout', () => {
  it('puts one dot at the middle of each side, just inside the 1 px border, then the body, with the ids LabNode renders', () => {
    for (const [w, h] of [
      [NODE_WIDTH, NODE_HEIGHT],
      [168, 83],
      [200, 60],
    ] as const) {
      const hs = nodeHandles(w, h);
      expect(hs.map((x) => [x.id, x.position, x.type])).toEqual([
        ['t', 'top', 'source'],
        ['r', 'right', 'source'],
        ['b', 'bottom', 'source'],
        ['l', 'left', 'source'],
        ['body', 'top', 'source'],
      ]);
      expect(hs.map(centre)).toEqual([
        { x: w / 2, y: 1 },
        { x: w - 1, y: h / 2 },
        { x: w / 2, y: h - 1 },
        { x: 1, y: h / 2 },
        { x: w / 2, y: h / 2 },
      ]);
      // The body handle is the node's border box: a link dropped anywhere on it lands.
      expect(hs[4]).toMatchObject({ x: 0, y: 0, width: w, height: h });
    }
  });

  it('gives every canvas node of a topology the default box', () => {
    const { nodes } = toFlow({
      nodes: [
        { id: 'a', name: 'a', role: 'peer', x: 0, y: 0 },
        { id: 'b', name: 'b', role: 'peer', x: 200, y: 0 },
      ],
      links: [],
    });
    for (const n of nodes) {
      expect(n.measured).toEqual({ width: NODE_WIDTH, height: NODE_HEIGHT });
      expect(n.handles).toEqual(nodeHandles(NODE_WIDTH, NODE_HEIGHT));
    }
  });

  it('moves the dots when xyflow measures another size, and keeps the node when they fit', () => {
    const n = {
      id: 'a',
      type: 'lab',
      position: { x: 0, y: 0 },
      data: { name: 'a', role: 'peer' },
      ...defaultBox(),
    };
    expect(withBox(n)).toBe(n);
    const [taller] = applyNodeChanges<LabFlowNode>(
      [{ id: 'a', type: 'dimensions', dimensions: { width: NODE_WIDTH, height: 83 } }],
      [n as LabFlowNode],
    );
    const fixed = withBox(taller!);
    expect(fixed).not.toBe(taller);
    expect(centre(fixed.handles![2]!)).toEqual({ x: NODE_WIDTH / 2, y: 82 });
    expect(withBox(fixed)).toBe(fixed);
    // Back to the default size: the shared default dots again.
    const [back] = applyNodeChanges<LabFlowNode>(
      [{ id: 'a', type: 'dimensions', dimensions: { width: NODE_WIDTH, height: NODE_HEIGHT } }],
      [fixed],
    );
    expect(withBox(back!).handles).toBe(defaultBox().handles);
  });

  it('the graph store gives a node measured at another size the dots for that size', () => {
    const g = useGraph.getState;
    g().addNode('peer', 'Peer', { x: 0, y: 0 });
    const id = g().nodes.at(-1)!.id;
    g().onNodesChange([{ id, type: 'dimensions', dimensions: { width: NODE_WIDTH, height: 70 } }]);
    const node = g().nodes.find((x) => x.id === id)!;
    expect(node.measured).toEqual({ width: NODE_WIDTH, height: 70 });
    expect(centre(node.handles!.find((h) => h.id === 'r')!)).toEqual({ x: NODE_WIDTH - 1, y: 35 });
  });
});
