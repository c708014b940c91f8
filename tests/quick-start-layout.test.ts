// Every built-in quick start, and every scenario and exercise of the built-in library (what the
// topic picker and the Library tab open), draws its nodes apart: the canvas draws a node
// NODE_WIDTH wide and at least NODE_HEIGHT tall (taller with a run's badges), so positions
// closer than that, plus a gap the eye can see, put two nodes edge to edge or one over another
// (docs/workbench.md "Checked at 1024x700").
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_HEIGHT, NODE_WIDTH } from '../src/renderer/src/graph/node-box';
import { fileItems } from '../src/shared/files/format';
import { parseFile } from '../src/shared/files/parse';
import type { Scenario } from '../src/shared/scenario/schema';
import { defaultScenario, listProtocols } from '../src/sim';

/** Room the eye needs between two nodes side by side: a link's stub and its dot. */
const GAP = 24;

function expectApart(scenario: Scenario): void {
  const nodes = scenario.topology.nodes;
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!;
      const b = nodes[j]!;
      const apart = Math.abs(a.x - b.x) >= NODE_WIDTH + GAP || Math.abs(a.y - b.y) >= NODE_HEIGHT + GAP;
      expect(apart, `${a.name} and ${b.name} (${a.x},${a.y} / ${b.x},${b.y})`).toBe(true);
    }
}

const dir = path.resolve('resources/library');
const library = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.dslab.json'))
  .sort()
  .flatMap((f) => {
    const parsed = parseFile(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (!parsed.ok) throw new Error(`${f}: ${parsed.message}`);
    const items = fileItems(parsed.file);
    return [
      ...items.scenarios.map((s) => [f, s.scenario] as const),
      ...items.exercises.map((e) => [f, e.exercise.scenario] as const),
    ];
  });

describe('quick start layouts', () => {
  it.each(listProtocols().map((p) => [p.id]))('%s: no two nodes touch', (id) => {
    expectApart(defaultScenario(id));
  });
  it.each(library)('library %s: no two nodes touch', (_, scenario) => {
    expectApart(scenario);
  });
});
