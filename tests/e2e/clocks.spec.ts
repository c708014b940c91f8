// Physical clocks in the app: NTP's quick start synchronizes its strata (badges show stratum
// and error bound), and the Metrics tab plots the measured offset and the promised bound, and
// every node's true clock error against that bound on one chart.
// Also the screenshots of the topic (1440x900 light, 1024x700 dark).
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

async function openClocks(page: Page, url: string, protocol = 'ntp'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('clocks');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption(protocol);
  await expect(picker).toHaveValue(protocol);
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

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`NTP quick start: the strata synchronize (${w}x${h} ${scheme})`, async ({ page, lab }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openClocks(page, lab.server.url);
    await expect(page.locator('.react-flow__node', { hasText: 'stratum 1' }).first()).toBeVisible();
    const speed = page.getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(4);
    if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
    // Every client has reached stratum 3 (its secondary synchronized first).
    await expect(page.locator('.react-flow__node', { hasText: 'stratum 3' })).toHaveCount(4, {
      timeout: 10_000,
    });
    await page.screenshot({ path: shot(`clocks-ntp-${w}-${scheme}.png`) });
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const metrics = page.getByRole('tabpanel', { name: 'Metrics' });
    await expect(metrics).toContainText('boundUs');
    await metrics.getByText('offsetUs', { exact: true }).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot(`clocks-ntp-metrics-${w}-${scheme}.png`) });
    // Every node's true clock error on one chart, with the bound NTP claims drawn as ±boundUs.
    const chart = metrics.getByTestId('chart-group');
    await expect(chart.locator('.chart-title')).toHaveText(/^clock error of every node/);
    const legend = chart.locator('.u-legend');
    for (const label of ['+boundUs', '−boundUs', 's1', 's2a', 'c1', 'c4'])
      await expect(legend).toContainText(label);
    await expect(chart.locator('canvas')).toBeVisible();
    await chart.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot(`clocks-ntp-error-chart-${w}-${scheme}.png`) });
    await chart.screenshot({ path: shot(`clocks-ntp-error-chart-only-${w}-${scheme}.png`) });
  });
}

for (const [protocol, badge] of [
  ['cristian', 'corr.'],
  ['berkeley', 'master · spread'],
] as const) {
  test(`${protocol} quick start: every clock corrected (1440x900 light)`, async ({ page, lab }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    await openClocks(page, lab.server.url, protocol);
    const speed = page.getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(4);
    if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
    await expect(page.locator('.react-flow__node', { hasText: badge }).first()).toBeVisible({
      timeout: 10_000,
    });
    await page.screenshot({ path: shot(`clocks-${protocol}-1440-light.png`) });
  });
}

test("leases: the server's clock jumps ahead and single-holder stops the run (1440x900 light, 1024x700 dark)", async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  for (const [w, h, scheme] of [
    [1440, 900, 'light'],
    [1024, 700, 'dark'],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openClocks(page, lab.server.url, 'lease');
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('searchbox', { name: 'Search the library' }).fill('lease');
    const item = page.getByRole('listitem', { name: "Leases: the server's clock jumps ahead", exact: true });
    const main = item.locator('.lib-item-main');
    if ((await main.getAttribute('aria-expanded')) !== 'true') await main.click();
    await item.getByRole('button', { name: 'Open' }).click();
    await expect(page.locator('.react-flow__node', { hasText: 'srv' }).first()).toBeVisible();
    const speed = page.getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    const alert = page.getByRole('alert').filter({ hasText: 'single-holder' });
    await expect(alert).toBeVisible({ timeout: 60_000 });
    await expect(alert).toContainText('both believe they hold the lease');
    await page.screenshot({ path: shot(`clocks-lease-two-holders-${w}-${scheme}.png`) });
  }
});

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`Berkeley: the clocks' spread under the agreement bound; Compare keeps every node on one chart (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openClocks(page, lab.server.url, 'berkeley');
    const speed = page.getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(12);
    if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();

    // The agreement chart: the true spread of the clocks, the bound dashed over it.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const metrics = page.getByRole('tabpanel', { name: 'Metrics' });
    const agree = metrics.getByTestId('chart-group').filter({ hasText: 'spread of the synchronized clocks' });
    await expect(agree.locator('.u-legend')).toContainText('clockSpreadUs');
    await expect(agree.locator('.u-legend')).toContainText('agreementBoundUs');
    await agree.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot(`clocks-berkeley-agreement-${w}-${scheme}.png`) });
    await agree.screenshot({ path: shot(`clocks-berkeley-agreement-only-${w}-${scheme}.png`) });

    // Back to event 40 (about 5 s), and branch there with the master forgetting half the round
    // trip: in Compare every node's clock error is one chart holding both runs (the branch
    // dashed), not one chart a node. In a narrow window Branch is in the "More" menu.
    const timeline = page.getByRole('slider', { name: 'Timeline' });
    await timeline.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
    await expect(timeline).toHaveAttribute('aria-valuenow', '40');
    const branchButton = runButton(page, 'Branch');
    if (await branchButton.isVisible()) await branchButton.click();
    else {
      await page.getByRole('button', { name: 'More controls' }).click();
      await page
        .getByRole('dialog', { name: 'More controls' })
        .getByRole('button', { name: 'Branch…' })
        .click();
    }
    const dialog = page.getByRole('dialog', { name: 'Branch the run' });
    await dialog.getByRole('radio', { name: 'A bug switch' }).check();
    await dialog.getByRole('combobox', { name: /Bug switch/ }).selectOption('bugNoRttCompensation');
    await dialog.getByRole('button', { name: 'Branch here' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Compare' });
    await panel.getByRole('spinbutton', { name: 'Run both to' }).fill('30000');
    await panel.getByRole('button', { name: 'Run both' }).click();
    await expect(panel.getByTestId('cmp-diff-summary')).toContainText('First difference', {
      timeout: 20_000,
    });
    const errors = panel.getByTestId('cmp-chart').filter({ hasText: 'clock error of every node' });
    await expect(errors).toHaveCount(1);
    for (const label of ['m', 's4', 's4 (branch)'])
      await expect(errors.locator('.u-legend')).toContainText(label);
    await expect(panel.getByTestId('cmp-chart').filter({ hasText: 'clockErrorUs.' })).toHaveCount(0);
    await errors.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(`clocks-berkeley-compare-${w}-${scheme}.png`) });
  });
}
