import { describe, expect, it } from 'vitest';
import { layoutTopology, overlaps } from './layout';

const nodes = Array.from({ length: 7 }, (_, i) => ({ id: `n${i + 1}`, width: 168, height: 56 }));
const links = [
  { id: 'l1', a: 'n1', b: 'n2' },
  { id: 'l2', a: 'n1', b: 'n3' },
  { id: 'l3', a: 'n2', b: 'n4' },
  { id: 'l4', a: 'n3', b: 'n4' },
  { id: 'l5', a: 'n4', b: 'n5' },
  { id: 'l6', a: 'n9', b: 'n5' },
];

describe('layoutTopology', () => {
  for (const algorithm of ['layered', 'force'] as const) {
    it(`${algorithm}: places every node, on the grid, without overlaps, the same way twice`, async () => {
      const pos = await layoutTopology(nodes, links, algorithm);
      expect([...pos.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
      for (const p of pos.values()) {
        expect(p.x % 16).toBe(0);
        expect(p.y % 16).toBe(0);
      }
      expect(overlaps(nodes.map((n) => ({ ...n, ...pos.get(n.id)! })))).toBe(false);
      const again = await layoutTopology(nodes, links, algorithm);
      expect([...again]).toEqual([...pos]);
    });
  }
});
