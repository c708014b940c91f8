// Panning the canvas by dragging the pane (web mode). While a pan is under way the graph is
// moved as one layer and takes no pointer events (docs/workbench.md "Performance"); once the
// drag ends, nodes and links answer clicks and right-clicks again.
import { expect, test } from './fixtures';
import { canvasNode, openOn } from './run-helpers';

test('after a drag on the pane moves the graph, nodes and links answer the mouse again', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n1 = canvasNode(page, 'n1');
  const before = (await n1.boundingBox())!;

  // A plain drag on an empty spot of the pane (top-left, away from the toolbar) pans.
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const start = { x: pane.x + 24, y: pane.y + 80 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(start.x + i * 10, start.y + i * 5);
  await page.mouse.up();
  await expect
    .poll(async () => {
      const b = (await n1.boundingBox())!;
      return [Math.round(b.x - before.x), Math.round(b.y - before.y)];
    })
    .toEqual([80, 40]);

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
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;

  // The drag stays with the pane while the pointer crosses into the inspector and comes back.
  const start = { x: pane.x + 24, y: pane.y + 80 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(pane.x + pane.width + 60, start.y + 20, { steps: 6 });
  await page.mouse.move(start.x + 50, start.y + 20, { steps: 6 });
  await page.mouse.up();
  await expect
    .poll(async () => {
      const b = (await n1.boundingBox())!;
      return [Math.round(b.x - before.x), Math.round(b.y - before.y)];
    })
    .toEqual([50, 20]);
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
