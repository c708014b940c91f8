// Kafka's quick start in the app: the Partition logs tab (the log-grid view kind) shows each
// partition's log per replica with the high watermark, and the leader moving after b1's crash.
// Also the screenshots a person looks at (1440x900 light, 1024x700 dark).

import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

async function openKafka(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('kafka');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== 'kafka') await picker.selectOption('kafka');
  await expect(runButton(page, 'Play')).toBeEnabled();
}

/** Moves the speed slider to a value shown as `text` with the arrow keys. */
async function setSpeed(page: Page, text: string): Promise<void> {
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  for (let i = 0; i < 200 && (await speed.getAttribute('aria-valuetext')) !== text; i++)
    await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', text);
}

for (const look of [
  { width: 1440, height: 900, scheme: 'light' as const },
  { width: 1024, height: 700, scheme: 'dark' as const },
])
  test(`Kafka: the Partition logs tab after b1's crash (${look.width}x${look.height} ${look.scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: look.width, height: look.height });
    await page.emulateMedia({ colorScheme: look.scheme });
    await openKafka(page, lab.server.url);
    await page.getByRole('tab', { name: 'Partition logs' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Partition logs' });
    await setSpeed(page, '1x');
    await runButton(page, 'Play').click();
    const grid = panel.getByTestId('log-grid-svg');
    await expect(grid).toBeVisible({ timeout: 30_000 });
    // The quick start runs 3.5 s of virtual time: let it end (Play is then disabled).
    await expect(runButton(page, 'Play')).toBeDisabled({ timeout: 60_000 });
    // Three partitions on three brokers: nine rows; p0 led by b2 since b1's crash.
    await expect(grid.getByTestId('log-row')).toHaveCount(9);
    await expect(grid.locator('[data-node="p0 b2"]')).toContainText('leader · ISR');
    await expect(grid.locator('[data-node="p0 b1"]')).toContainText('follower · ISR');
    await expect.poll(() => grid.locator('[data-committed="true"]').count()).toBeGreaterThan(30);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`kafka-logs-${look.width}-${look.scheme}.png`) });
  });
