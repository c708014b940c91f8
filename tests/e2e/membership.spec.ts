// Issue 15 item 2: a node the run adds is drawn. The consistent-hashing quick start adds n5 at
// 3 s and removes n2 at 5 s: the canvas, the event log's node filter and the badges follow the
// run's membership at the current event, both ways when stepping back, and the badges agree
// with the Ring view's counts.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, runButton } from './run-helpers';

async function openConsistentHashing(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('consistent-hashing');
  await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('consistent-hashing');
  await expect(canvasNode(page, 'n1')).toBeVisible();
}

const nodeFilter = (page: Page) => page.getByRole('tabpanel', { name: 'Event log' }).getByLabel('Node');
const n5Link = (page: Page) => page.getByRole('img', { name: 'Link n5 – sw (added by the run)' });
/** How many link lines the link canvas painted. */
const linesDrawn = (page: Page) => page.locator('canvas.link-layer');

test('a node the run adds is drawn, filtered and badged; stepping back takes it away', async ({
  page,
  lab,
}) => {
  await openConsistentHashing(page, lab.server.url);
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  await expect(canvasNode(page, 'n5')).toHaveCount(0);
  await expect(linesDrawn(page)).toHaveAttribute('data-links', '6');

  // To the join: the first fault (add-node n5, then add-link n5-sw at the same time).
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page.getByRole('button', { name: 'Next fault' }).click();
  await expect(page.locator('.log-row.is-current[data-kind="fault"]')).toContainText('add-node n5');
  await expect(canvasNode(page, 'n5')).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await expect(nodeFilter(page).locator('option', { hasText: 'n5' })).toHaveCount(1);

  // Step back before it: gone from the canvas and the filter; forward again: back.
  await runButton(page, 'Step back').click();
  await expect(canvasNode(page, 'n5')).toHaveCount(0);
  await expect(nodeFilter(page).locator('option', { hasText: 'n5' })).toHaveCount(0);
  await runButton(page, 'Step').click();
  await expect(canvasNode(page, 'n5')).toBeVisible();
  await runButton(page, 'Step').click(); // add-link n5-sw
  await expect(n5Link(page)).toHaveCount(1);
  await expect(linesDrawn(page)).toHaveAttribute('data-links', '7');

  // To the end: n5 stays, n2 is marked removed, and its messages reach n5 over the new link.
  const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await speed.press('End');
  await runButton(page, 'Play').click();
  await expect(page.getByTestId('run-state')).toContainText('ended', { timeout: 30_000 });
  await expect(canvasNode(page, 'n5')).toBeVisible();
  await expect(canvasNode(page, 'n2').getByText('removed')).toBeVisible();
  await expect(n5Link(page)).toHaveCount(1);

  // The badges agree with the Ring view's counts of what each node holds.
  await page.getByRole('tab', { name: 'Ring' }).click();
  const ring = page.getByRole('tabpanel', { name: 'Ring' }).getByTestId('ring-svg');
  await expect(ring.getByTestId('ring-held')).toHaveCount(4);
  for (const id of ['n1', 'n3', 'n4', 'n5']) {
    const held = await ring
      .locator(`[data-testid="ring-held"][data-node="${id}"]`)
      .getAttribute('data-value');
    await expect(canvasNode(page, id).locator('.node-badge')).toHaveText(`${held} keys`);
  }
  // With one copy per key, n2's keys left with it, and the view says so.
  await expect(ring.getByTestId('ring-unheld')).toContainText('held by no node that is up');
  // The pictures: the joined node and the ring's counts, both sizes, both themes.
  await page.screenshot({ path: shot('membership-1440-light.png') });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.screenshot({ path: shot('membership-1440-dark.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(canvasNode(page, 'n5')).toBeVisible();
  await page.screenshot({ path: shot('membership-1024-dark.png') });
  // At 1024 px the theme button is folded into the toolbar's "More controls".
  await page.getByRole('button', { name: 'More controls' }).click();
  await page.getByRole('button', { name: 'Light theme' }).click();
  await page.screenshot({ path: shot('membership-1024-light.png') });
});
