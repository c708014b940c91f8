// ZooKeeper's Znodes tab (a 'tree' view): the leader's tree with the lock queue's ephemeral
// znodes, their owners, the holder and the predecessor watches. Also the docs/screenshots
// zookeeper shots (light 1440x900, dark 1024x700).
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

test('ZooKeeper: the Znodes tab shows the lock queue, its owners and watches as the run goes', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('zookeeper');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Znodes' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Znodes' });
  await expect(panel).toContainText('No run yet');
  await runButton(page, 'Play').click();
  // The first leader and sessions come within a second of Play; then the queue forms.
  await expect(panel).toContainText("s3's copy (leader)", { timeout: 30_000 });
  await expect(
    panel
      .getByTestId('tree-row')
      .filter({ hasText: /^.*c\d-\d{10}/ })
      .first(),
  ).toBeVisible({
    timeout: 30_000,
  });
  await expect(panel).toContainText('lock held by', { timeout: 30_000 });
  await expect(panel).toContainText('watched by', { timeout: 30_000 });
  await runButton(page, 'Pause').click();
  const queue = panel.locator('[data-testid="tree-row"][data-depth="2"]');
  await expect(queue.first()).toContainText('ephemeral · c');
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('zookeeper-znodes-light.png') });
});

test('ZooKeeper: the Znodes tab at 1024x700 in the dark theme', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('zookeeper');
  await page.getByRole('tab', { name: 'Znodes' }).click();
  await runButton(page, 'Play').click();
  const panel = page.getByRole('tabpanel', { name: 'Znodes' });
  await expect(panel).toContainText('lock held by', { timeout: 30_000 });
  await runButton(page, 'Pause').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('zookeeper-znodes-dark.png') });
});
