import { describe, expect, it } from 'vitest';
import type { ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';
import { copyClip, PASTE_OFFSET, pasteClip } from './clipboard';

const node = (id: string, name: string, x = 0): ScenarioNode => ({
  id,
  name,
  role: 'node',
  x,
  y: 0,
  clockOffsetUs: 0,
  clockDriftPpm: 7,
});
const link = (id: string, a: string, b: string): ScenarioLink => ({
  id,
  a,
  b,
  latency: { kind: 'uniform', minUs: 5000, maxUs: 10_000 },
  lossRate: 0.1,
  dupRate: 0,
  reorderRate: 0,
  reorderDelayUs: 5000,
});
const topo = {
  nodes: [node('n1', 'node-1'), node('n2', 'node-2', 200), node('n3', 'node-3', 400)],
  links: [link('l1', 'n1', 'n2'), link('l2', 'n2', 'n3')],
};

describe('clipboard', () => {
  it('copies selected nodes and only the links among them', () => {
    const clip = copyClip(topo, new Set(['n1', 'n2']))!;
    expect(clip.nodes.map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(clip.links.map((l) => l.id)).toEqual(['l1']);
    expect(copyClip(topo, new Set())).toBeNull();
  });

  it('pastes with new ids, new names, an offset and the links rewired', () => {
    const clip = copyClip(topo, new Set(['n1', 'n2']))!;
    const out = pasteClip(clip, topo, PASTE_OFFSET);
    expect(out.nodes.map((n) => [n.id, n.name, n.x, n.y])).toEqual([
      ['n4', 'node-4', 32, 32],
      ['n5', 'node-5', 232, 32],
    ]);
    expect(out.nodes[0]?.clockDriftPpm).toBe(7);
    expect(out.links).toEqual([{ ...link('l3', 'n4', 'n5') }]);
  });

  it('numbers copies after the name they came from', () => {
    const t = { nodes: [node('n1', 'n1'), node('n2', 'alpha'), node('n3', 'n2')], links: [] };
    const out = pasteClip(copyClip(t, new Set(['n1', 'n2']))!, t, 0);
    expect(out.nodes.map((n) => n.name)).toEqual(['n3', 'alpha-1']);
  });
});
