// MapReduce's Tasks tab (a 'timeline' view): one row per worker, a bar per task execution, the
// failed worker's lost work in red, markers for the failure and the end of the job. Also the
// docs/screenshots mapreduce shots (light 1440x900, dark 1024x700).
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

test('MapReduce: the Tasks tab draws each worker’s executions, the crash’s lost work and the end', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('mapreduce');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Tasks' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Tasks' });
  await expect(panel).toContainText('No run yet');
  await runButton(page, 'Play').click(); // the protocol's own pace: the job ends about 5 s in
  const svg = panel.getByTestId('timeline-svg');
  await expect(svg).toBeVisible({ timeout: 30_000 });
  await expect(panel).toContainText('job done', { timeout: 60_000 });
  await runButton(page, 'Pause').click();
  await expect(svg.getByTestId('timeline-row')).toHaveCount(4);
  // w3 crashed after its map: its lost work is red, and the master's verdict is marked.
  await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).not.toHaveCount(0);
  await expect(svg.getByTestId('timeline-marker')).toContainText(['w3 failed', 'job done']);
  await expect(svg.locator('[data-row="w3"]')).toContainText('down');
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('mapreduce-tasks-light.png') });
});

test('MapReduce: the Tasks tab at 1024x700 in the dark theme', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('mapreduce');
  await page.getByRole('tab', { name: 'Tasks' }).click();
  await runButton(page, 'Play').click();
  const panel = page.getByRole('tabpanel', { name: 'Tasks' });
  await expect(panel.getByTestId('timeline-svg')).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByTestId('timeline-marker')).not.toHaveCount(0, { timeout: 30_000 });
  await runButton(page, 'Pause').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('mapreduce-tasks-dark.png') });
});
