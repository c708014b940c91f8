// Panning the canvas by dragging the pane (web mode). While a pan is under way the graph is
// moved as one layer, takes no pointer events and the pane holds the pointer
// (docs/workbench.md "Performance"); once the drag ends, nodes and links answer clicks and
// right-clicks again.
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { canvasNode, openOn } from './run-helpers';

type Point = { x: number; y: number };

/**
 * A left-button drag from an empty spot of the pane (top-left, away from the toolbar) through
 * the points `path` gives for that spot and the pane's box, 6 mouse moves to each.
 */
async function dragPane(page: Page, path: (start: Point, pane: Point & { width: number }) => Point[]) {
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const start = { x: pane.x + 24, y: pane.y + 80 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const p of path(start, pane)) await page.mouse.move(p.x, p.y, { steps: 6 });
  await page.mouse.up();
}

/** How far a node has moved on the screen since `before`, rounded to pixels. */
async function movedSince(node: Locator, before: Point): Promise<number[]> {
  const b = (await node.boundingBox())!;
  return [Math.round(b.x - before.x), Math.round(b.y - before.y)];
}

test('after a drag on the pane moves the graph, nodes and links answer the mouse again', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n1 = canvasNode(page, 'n1');
  const before = (await n1.boundingBox())!;

  // A plain drag on an empty spot of the pane pans.
  await dragPane(page, (start) => [{ x: start.x + 80, y: start.y + 40 }]);
  await expect.poll(() => movedSince(n1, before)).toEqual([80, 40]);

  // A click on a node selects it.
  await n1.click();
  await expect(n1).toHaveClass(/selected/);

  // A right-click on a link (at its middle, where only the line is) opens its fault menu.
  await page.getByRole('group', { name: 'Link n1 – switch' }).click({ button: 'right' });
  await expect(page.getByRole('menu', { name: /Faults: Link n1 – switch/ })).toBeVisible();
});

test('a pan keeps following the mouse off the canvas, and Shift-drag on the pane still selects a box of nodes', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n1 = canvasNode(page, 'n1');
  const before = (await n1.boundingBox())!;

  // The drag stays with the pane while the pointer crosses into the inspector and comes back.
  await dragPane(page, (start, pane) => [
    { x: pane.x + pane.width + 60, y: start.y + 20 },
    { x: start.x + 50, y: start.y + 20 },
  ]);
  await expect.poll(() => movedSince(n1, before)).toEqual([50, 20]);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);

  // Shift and a drag from the pane's top-left corner past every node selects them all.
  const nodes = page.locator('.react-flow__node');
  const count = await nodes.count();
  const box = await nodes.evaluateAll((els) => {
    const rs = els.map((e) => e.getBoundingClientRect());
    return {
      left: Math.min(...rs.map((r) => r.left)),
      top: Math.min(...rs.map((r) => r.top)),
      right: Math.max(...rs.map((r) => r.right)),
      bottom: Math.max(...rs.map((r) => r.bottom)),
    };
  });
  await page.keyboard.down('Shift');
  await page.mouse.move(box.left - 12, box.top - 12);
  await page.mouse.down();
  await page.mouse.move(box.right + 12, box.bottom + 12, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(count);
});
