// Hadoop, Spark and Storm (topic big-data) in the app: the batch engines' Stages tab draws each
// worker's task executions until the job is done; Storm's badges count the lines acked. Also the
// screenshots of the topic (1440x900 light, 1024x700 dark).
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

async function open(page: Page, url: string, protocol: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('big-data');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption(protocol);
  await expect(picker).toHaveValue(protocol);
  await expect(runButton(page, 'Play')).toBeEnabled();
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  for (const protocol of ['hadoop', 'spark']) {
    test(`${protocol}: the Stages tab draws every task until the job is done (${w}x${h} ${scheme})`, async ({
      page,
      lab,
    }) => {
      test.setTimeout(120_000);
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      await open(page, lab.server.url, protocol);
      await page.getByRole('tab', { name: 'Stages' }).click();
      const panel = page.getByRole('tabpanel', { name: 'Stages' });
      await runButton(page, 'Play').click();
      const svg = panel.getByTestId('timeline-svg');
      await expect(svg).toBeVisible({ timeout: 30_000 });
      await expect(panel).toContainText('job done', { timeout: 60_000 });
      await runButton(page, 'Pause').click();
      await expect(svg.getByTestId('timeline-row')).toHaveCount(4);
      await expect(svg.getByTestId('timeline-marker')).toContainText(['job done']);
      await page.waitForTimeout(400);
      await page.screenshot({ path: shot(`dataflow-${protocol}-${w}-${scheme}.png`) });
    });
  }

  test(`storm: the Trees tab shows the crash's timed-out trees, then every line acked (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open(page, lab.server.url, 'storm');
    await page.getByRole('tab', { name: 'Trees' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Trees' });
    await runButton(page, 'Play').click();
    await expect(page.getByText('all 36 acked')).toBeVisible({ timeout: 60_000 });
    await runButton(page, 'Pause').click();
    // w3's crash stalled every slot: timed-out trees in red, their replays after them.
    const svg = panel.getByTestId('timeline-svg');
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).not.toHaveCount(0);
    await expect(svg.getByTestId('timeline-marker')).toContainText(['every line acked']);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`dataflow-storm-${w}-${scheme}.png`) });
  });
}
