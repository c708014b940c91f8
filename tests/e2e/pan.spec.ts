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
