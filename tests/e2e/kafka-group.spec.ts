// Kafka's consumer-group scenario opened from the library: the consumers g1-g3 on the canvas,
// the run ends with every check holding, and the Partition logs tab marks the group's committed
// offset on each partition's leader row. Also the screenshots a person looks at (1440x900
// light, 1024x700 dark).

import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

for (const look of [
  { width: 1440, height: 900, scheme: 'light' as const },
  { width: 1024, height: 700, scheme: 'dark' as const },
])
  test(`Kafka: the consumer group scenario runs to its end (${look.width}x${look.height} ${look.scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: look.width, height: look.height });
    await page.emulateMedia({ colorScheme: look.scheme });
    await page.goto(lab.server.url);
    await expect(page.getByTestId('app-info')).toContainText('over web');
    await page.getByRole('tab', { name: 'Library' }).click();
    const item = page.getByRole('listitem', { name: 'Kafka: a consumer group rebalances', exact: true });
    await item.locator('.lib-item-main').click();
    await item.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByTestId('doc-state')).toContainText('Kafka: a consumer group rebalances');
    const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await speed.press('End');
    await runButton(page, 'Play').click();
    await expect(runButton(page, 'Play')).toBeDisabled({ timeout: 60_000 });
    await expect(page.getByRole('tabpanel', { name: 'Checkers' }).getByRole('alert')).toHaveCount(0);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`kafka-group-${look.width}-${look.scheme}.png`) });
    await page.getByRole('tab', { name: 'Partition logs' }).click();
    const grid = page.getByRole('tabpanel', { name: 'Partition logs' }).getByTestId('log-grid-svg');
    await expect(grid).toBeVisible({ timeout: 30_000 });
    await expect(grid.getByTestId('log-mark')).toHaveCount(3);
    await expect(grid.locator('[data-node="p0 b1"] [data-testid="log-mark"] title')).toContainText(
      "the group's committed offset",
    );
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`kafka-group-logs-${look.width}-${look.scheme}.png`) });
  });
