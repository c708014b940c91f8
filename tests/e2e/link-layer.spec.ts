// Links on the canvas (web mode). Plain links are painted on one canvas under the nodes; each
// link keeps its own SVG for the mouse and the keyboard, which draws the line itself only
// while the link is selected, focused, cut or degraded (docs/workbench.md "On the canvas").
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { canvasNode, openOn, stepTimes } from './run-helpers';

/** Where a link's line crosses the middle of its box on the screen (a straight line). */
async function middleOf(link: Locator): Promise<{ x: number; y: number }> {
  const b = (await link.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Whether the link canvas has ink within 2 px of a point on the screen. */
async function inkAt(page: Page, p: { x: number; y: number }): Promise<boolean> {
  return page.evaluate(({ x, y }) => {
    const c = document.querySelector<HTMLCanvasElement>('canvas.link-layer');
    if (!c || c.width === 0) return false;
    const r = c.getBoundingClientRect();
    const kx = c.width / r.width;
    const ky = c.height / r.height;
    const px = Math.round((x - r.left) * kx);
    const py = Math.round((y - r.top) * ky);
    const d = Math.ceil(2 * kx);
    const data = c.getContext('2d')!.getImageData(px - d, py - d, 2 * d + 1, 2 * d + 1).data;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
    return false;
  }, p);
}

test('plain links are drawn and follow a pan; a clicked link shows its own line, a cut link is drawn dashed instead', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n1Link = page.getByRole('group', { name: 'Link n1 – switch' });
  // n3's link is a diagonal: a vertical one has a zero-width box, which Playwright will not click.
  const n3Link = page.getByRole('group', { name: 'Link n3 – switch' });
  await expect.poll(async () => inkAt(page, await middleOf(n3Link))).toBe(true);
  expect(await inkAt(page, await middleOf(n1Link))).toBe(true);
  // Away from every link, nothing is drawn (n1's middle is inside a node).
  const n1Box = (await canvasNode(page, 'n1').boundingBox())!;
  expect(await inkAt(page, { x: n1Box.x + n1Box.width / 2, y: n1Box.y + n1Box.height / 2 })).toBe(false);

  // A pan moves the lines with the graph.
  const before = await middleOf(n3Link);
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const start = { x: pane.x + 24, y: pane.y + 80 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) await page.mouse.move(start.x + i * 10, start.y + i * 5);
  await page.mouse.up();
  await expect.poll(async () => (await middleOf(n3Link)).x - before.x).toBeCloseTo(60, 0);
  expect(await inkAt(page, await middleOf(n3Link))).toBe(true);

  // A click on a link selects it and draws it highlighted over the plain line.
  await expect(n3Link.locator('.lab-link')).toBeHidden();
  await n3Link.click();
  await expect(n3Link).toHaveClass(/selected/);
  await expect(n3Link.locator('.lab-link')).toBeVisible();

  // Cut from its menu during a run: dashed red in its own SVG, no longer on the canvas.
  await stepTimes(page, 2);
  await n1Link.click({ button: 'right' });
  await page
    .getByRole('menu', { name: /Faults: Link n1 – switch/ })
    .getByRole('menuitem', { name: 'Cut', exact: true })
    .click();
  await expect(n1Link.locator('.lab-link')).toHaveClass(/is-cut/);
  await expect(n1Link.locator('.lab-link')).toBeVisible();
  await expect.poll(async () => inkAt(page, await middleOf(n1Link))).toBe(false);
  expect(await inkAt(page, await middleOf(n3Link))).toBe(true);
});

test('a link reached with the keyboard shows its line and opens its fault menu with Shift+F10', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  // Links come before the nodes in the tab order: Shift+Tab from the first node reaches one.
  await canvasNode(page, 'n1').click();
  await page.keyboard.press('Shift+Tab');
  const focused = page.locator('.react-flow__edge:focus');
  await expect(focused).toHaveAttribute('aria-label', /^Link /);
  await expect(focused.locator('.lab-link')).toBeVisible();
  const name = (await focused.getAttribute('aria-label'))!;
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menu', { name: `Faults: ${name}` })).toBeVisible();
});
