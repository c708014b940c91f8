// A scripted workload in the app (web mode): the library's Dynamo §4.4 scenario opens with its
// script in the inspector, a wrong line is refused with its line number, an edit applies, and
// the run tells the paper's story (c1 reads both siblings D3 and D4). Screenshots in
// DSLAB_SHOTS_DIR: the inspector at 1440x900 light and 1024x700 dark.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { logRows, runButton } from './run-helpers';

const NAME = 'Dynamo §4.4: the versions of Figure 3';

async function openFigure3(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('searchbox', { name: 'Search the library' }).fill('Figure 3');
  const item = page.getByRole('listitem', { name: NAME, exact: true }).and(page.locator('.lib-item'));
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(NAME);
}

test('a scripted workload: edited as text, a wrong line named, and its story runs', async ({ page, lab }) => {
  test.setTimeout(90_000);
  await openFigure3(page, lab.server.url);
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('combobox', { name: 'Kind' })).toHaveValue('script');
  const ops = inspector.getByRole('textbox', { name: 'Operations' });
  await expect(ops).toHaveValue(/^0 c1 write cart D1\n100 c1 write cart D2\n200 c2 read cart\n/);
  await ops.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('script-workload-1440-light.png') });

  const script = await ops.inputValue();
  await ops.fill(`${script}\n700 c9 read cart`);
  await expect(inspector.getByRole('alert')).toHaveText(/^line 10: no node is called c9/);
  await expect(ops).toHaveAttribute('aria-invalid', 'true');
  await ops.fill(`${script}\n700 c3 write cart D2`);
  await expect(inspector.getByRole('alert')).toHaveText(
    'operation 10 writes D2 to cart again: a written value must be unique per key',
  );
  await ops.fill(`${script}\n700 c3 read cart`);
  await expect(inspector.getByRole('alert')).toHaveCount(0);
  await ops.press('Tab');
  await expect(ops).toHaveValue(`${script}\n700 c3 read cart`);

  // The run: c1's read at 400 ms returns both siblings; the added read at 700 ms returns D5.
  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(page.getByText('Run: ended')).toBeVisible({ timeout: 60_000 });
  const panel = page.getByRole('tabpanel', { name: 'Event log' });
  await panel.getByRole('combobox', { name: 'Kind' }).selectOption('reply');
  await expect(logRows(page).filter({ hasText: '#7 ok D3 | D4' })).toHaveCount(1);
  await expect(logRows(page).filter({ hasText: '#10 ok D5' })).toHaveCount(1);
});

test('the script editor at 1024x700 in dark', async ({ page, lab }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await openFigure3(page, lab.server.url);
  const ops = page
    .getByRole('complementary', { name: 'Inspector' })
    .getByRole('textbox', { name: 'Operations' });
  await ops.scrollIntoViewIfNeeded();
  await expect(ops).toBeVisible();
  // The longest line fits the field without a horizontal scroll.
  expect(await ops.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await page.screenshot({ path: shot('script-workload-1024-dark.png') });
});
