// Every built-in quick start draws its nodes apart: the canvas draws a node NODE_WIDTH wide and
// at least NODE_HEIGHT tall (taller with a run's badges), so positions closer than that, plus a
// gap the eye can see, put two nodes edge to edge or one over another (docs/workbench.md
// "Checked at 1024x700").
import { describe, expect, it } from 'vitest';
import { NODE_HEIGHT, NODE_WIDTH } from '../src/renderer/src/graph/node-box';
import { defaultScenario, listProtocols } from '../src/sim';

/** Room the eye needs between two nodes side by side: a link's stub and its dot. */
const GAP = 24;

describe('quick start layouts', () => {
  it.each(listProtocols().map((p) => [p.id]))('%s: no two nodes touch', (id) => {
    const nodes = defaultScenario(id).topology.nodes;
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!;
        const b = nodes[j]!;
        const apart = Math.abs(a.x - b.x) >= NODE_WIDTH + GAP || Math.abs(a.y - b.y) >= NODE_HEIGHT + GAP;
        expect(apart, `${a.name} and ${b.name} (${a.x},${a.y} / ${b.x},${b.y})`).toBe(true);
      }
  });
});
