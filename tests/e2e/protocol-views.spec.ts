// A protocol's declared views in the app: Raft's Logs tab (RaftScope's log grid), every
// server's log as a row of entries coloured by term with its commit index marked, bound to the
// current event. Also the docs/screenshots log-grid shots.

import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { eventIndex, runButton } from './run-helpers';

/** Moves the speed slider to a value shown as `text` with the arrow keys. */
async function setSpeed(page: Page, text: string): Promise<void> {
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  for (let i = 0; i < 200 && (await speed.getAttribute('aria-valuetext')) !== text; i++)
    await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', text);
}

test('Raft: the Logs tab shows every server log, committed entries solid, and follows a step back', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== 'raft') await picker.selectOption('raft');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Logs' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Logs' });
  await expect(panel).toContainText('No run yet');
  // Run past the first election and some client writes.
  await setSpeed(page, '0.5x');
  await runButton(page, 'Play').click();
  const grid = panel.getByTestId('log-grid-svg');
  await expect(grid).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(() => grid.locator('[data-committed="true"]').count(), { timeout: 30_000 })
    .toBeGreaterThan(20);
  await runButton(page, 'Pause').click();
  await expect(grid.getByTestId('log-row')).toHaveCount(5);
  await expect(grid.getByTestId('log-commit').first()).toBeAttached();
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('views-logs-light.png') });
  // Stepping back to the start empties the logs again: the view is bound to the current event.
  const before = await grid.getByTestId('log-entry').count();
  await runButton(page, 'Reset').click();
  await expect.poll(() => eventIndex(page)).toBeLessThan(5);
  await expect.poll(() => panel.getByTestId('log-entry').count(), { timeout: 10_000 }).toBeLessThan(before);
});

test('Raft: the Logs tab at 1024x700 in the dark theme', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== 'raft') await picker.selectOption('raft');
  await page.getByRole('tab', { name: 'Logs' }).click();
  await setSpeed(page, '0.5x');
  await runButton(page, 'Play').click();
  const grid = page.getByRole('tabpanel', { name: 'Logs' }).getByTestId('log-grid-svg');
  await expect
    .poll(() => grid.locator('[data-committed="true"]').count(), { timeout: 30_000 })
    .toBeGreaterThan(10);
  await runButton(page, 'Pause').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('views-logs-dark.png') });
});
