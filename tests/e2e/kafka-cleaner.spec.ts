// Kafka's compacted-topic scenario opened from the library: the run ends with every check
// holding, and the Partition logs tab shows each replica from its log start with empty dashed
// cells where compaction removed records. Also the screenshots a person looks at (1440x900 light,
// 1024x700 dark).

import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

for (const look of [
  { width: 1440, height: 900, scheme: 'light' as const },
  { width: 1024, height: 700, scheme: 'dark' as const },
])
  test(`Kafka: a compacted topic's logs (${look.width}x${look.height} ${look.scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: look.width, height: look.height });
    await page.emulateMedia({ colorScheme: look.scheme });
    await page.goto(lab.server.url);
    await expect(page.getByTestId('app-info')).toContainText('over web');
    await page.getByRole('tab', { name: 'Library' }).click();
    const item = page.getByRole('listitem', { name: 'Kafka: a compacted topic', exact: true });
    await item.locator('.lib-item-main').click();
    await item.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByTestId('doc-state')).toContainText('Kafka: a compacted topic');
    const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await speed.press('End');
    await runButton(page, 'Play').click();
    await expect(runButton(page, 'Play')).toBeDisabled({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Partition logs' }).click();
    const grid = page.getByRole('tabpanel', { name: 'Partition logs' }).getByTestId('log-grid-svg');
    await expect(grid).toBeVisible({ timeout: 30_000 });
    await expect(grid.getByTestId('log-row')).toHaveCount(9);
    // Compaction removed records below the high watermark: their cells say so.
    await expect(
      grid.locator('[data-testid="log-hole"] title', { hasText: 'removed by compaction' }).first(),
    ).toBeAttached();
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`kafka-compacted-logs-${look.width}-${look.scheme}.png`) });
  });
