// Liveness in the app: the heartbeat failure detector's two ◇P properties are listed in the
// Checkers tab, "not evaluated yet" while the run is young, and hold once the faults have
// stopped for long enough; with the bug switch on, the run stops on eventual strong accuracy.
// Also the docs/screenshots liveness shots.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

async function openDetector(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('basics');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('heartbeat-detector');
  await expect(picker).toHaveValue('heartbeat-detector');
  await expect(runButton(page, 'Play')).toBeEnabled();
}

/** Virtual time shown in the toolbar, in seconds. */
async function seconds(page: Page): Promise<number> {
  const text = (await page.getByRole('banner').getByLabel('Virtual time').textContent()) ?? '';
  const m = text.match(/([\d.,]+)\s*(ms|s)\b/);
  if (!m) return 0;
  const v = Number(m[1]!.replace(/,/g, ''));
  return m[2] === 'ms' ? v / 1000 : v;
}

async function fastest(page: Page): Promise<void> {
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
}

test('heartbeat detector: liveness verdicts hold once the faults have stopped', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openDetector(page, lab.server.url);
  await page.getByRole('tab', { name: 'Checkers' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Checkers' });
  const verdict = (id: string) => panel.locator('.verdict', { has: page.locator('code', { hasText: id }) });
  await expect(verdict('strong-completeness')).toContainText('liveness');
  await expect(verdict('strong-completeness')).toHaveAttribute('data-state', 'unknown');
  await fastest(page);
  await runButton(page, 'Play').click();
  // p4 crashes at 2 s; the properties are due 2 s later.
  await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(6);
  if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
  await expect(verdict('strong-completeness')).toHaveAttribute('data-state', 'ok', { timeout: 10_000 });
  await expect(verdict('eventual-strong-accuracy')).toHaveAttribute('data-state', 'ok');
  await expect(page.locator('.react-flow__node', { hasText: 'suspects p4' }).first()).toBeVisible();
  await page.screenshot({ path: shot('liveness-light.png') });
});

test('heartbeat detector with bugNoIncrease: eventual strong accuracy stops the run', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await openDetector(page, lab.server.url);
  await page.getByRole('checkbox', { name: /The timeout never grows/ }).check();
  await fastest(page);
  await runButton(page, 'Play').click();
  const alert = page.getByRole('alert').filter({ hasText: 'eventual-strong-accuracy' });
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toContainText('Liveness');
  await expect(alert).toContainText('which is up');
  await page.screenshot({ path: shot('liveness-broken-dark.png') });
});
