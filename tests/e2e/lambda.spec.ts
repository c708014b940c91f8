// The Lambda architecture's Layers tab (a 'timeline' view): the batch worker's runs growing with
// the dataset, the run a crash cut off in red, the speed node live and rebuilding, a marker per
// batch view installed. Screenshots: light 1440x900 and dark 1024x700, the canvas and the tab.
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

for (const look of [
  { name: 'light', width: 1440, height: 900 },
  { name: 'dark', width: 1024, height: 700 },
] as const)
  test(`Lambda: the Layers tab shows batch runs, the lost run and the speed node's rebuild (${look.name})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: look.width, height: look.height });
    await page.emulateMedia({ colorScheme: look.name });
    await page.goto(lab.server.url);
    await expect(page.getByTestId('app-info')).toContainText('over web');
    await page.getByRole('combobox', { name: 'Topic' }).selectOption('lambda');
    await expect(runButton(page, 'Play')).toBeEnabled();
    await runButton(page, 'Play').click(); // the protocol's own pace: the batch crash is 8 s in
    await page.waitForTimeout(6_000);
    await page.screenshot({ path: shot(`lambda-canvas-${look.name}.png`) });
    await page.getByRole('tab', { name: 'Layers' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Layers' });
    const svg = panel.getByTestId('timeline-svg');
    await expect(svg).toBeVisible({ timeout: 30_000 });
    // The speed node's rebuild after its crash at 3.2 s (about 13 s after Play).
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="warn"]')).not.toHaveCount(0, {
      timeout: 60_000,
    });
    await runButton(page, 'Pause').click();
    await expect(svg.getByTestId('timeline-row')).toHaveCount(2);
    // The batch run the crash cut off, and the speed node's time down.
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).toHaveCount(2);
    await expect(svg.getByTestId('timeline-marker')).not.toHaveCount(0);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`lambda-layers-${look.name}.png`) });
  });

test('Kappa: job v2 replays the log and the serving layer switches to it (library kappa-replay)', async ({
  page,
  lab,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const name = 'Kappa: job v2 replays the log and replaces a buggy v1';
  const it = page.getByRole('listitem', { name, exact: true }).and(page.locator('.lib-item'));
  await it.locator('.lib-item-main').click();
  await it.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(name);
  await page.getByRole('tab', { name: 'Layers' }).click();
  await runButton(page, 'Play').click(); // v2 is deployed 2.5 s in: 10 s after Play at 0.25x
  const svg = page.getByRole('tabpanel', { name: 'Layers' }).getByTestId('timeline-svg');
  await expect(svg.getByTestId('timeline-marker')).toContainText(['switch to v2'], { timeout: 90_000 });
  await runButton(page, 'Pause').click();
  await expect(svg.getByTestId('timeline-row')).toHaveCount(2);
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('kappa-replay-light.png') });
});
