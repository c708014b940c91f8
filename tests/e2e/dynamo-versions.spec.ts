// Dynamo's Versions tab (a 'dag' view, Figure 3 of the Dynamo paper): with version vectors,
// the versions of a key as boxes with their vectors, arrows labelled by the coordinator that
// handled each write, and the siblings the partition left marked. Also its screenshots
// (DSLAB_SHOTS_DIR): 1440x900 light, 1024x700 dark.
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

test.use({ bypassCSP: true });

/** Serious and critical axe violations inside `selector`, as readable lines. */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (sel) => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run({ include: [sel] }, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  }, selector);
}

/** Opens the Dynamo quick start with conflict 'vv' and its Versions tab. */
async function openVersions(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('cap');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('dynamo');
  await expect(page.getByText('Dynamo, AP: a partition from 1 s to 3 s')).toBeVisible();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('combobox', { name: 'Conflict' }).selectOption('vv');
  await expect(inspector.getByRole('combobox', { name: 'Conflict' })).toHaveValue('vv');
  await page.getByRole('tab', { name: 'Versions' }).click();
  return page.getByRole('tabpanel', { name: 'Versions' });
}

test('Dynamo with version vectors: the Versions tab draws a key’s versions, arrows and siblings', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  const panel = await openVersions(page, lab.server.url);
  await expect(panel).toContainText('No run yet');
  await runButton(page, 'Play').click();
  // Writes begin at once; concurrent writes (two clients on one key, or the two sides of the
  // partition from 1 s to 3 s) meet on the replicas as siblings.
  await expect(panel.getByTestId('dag-node').first()).toBeVisible({ timeout: 30_000 });
  await expect(panel).toContainText(/key k\d/);
  await expect(panel.getByTestId('dag-edge').first()).toBeVisible({ timeout: 30_000 });
  await expect(panel.locator('[data-testid="dag-node"][data-tone="warn"]').first()).toBeVisible({
    timeout: 90_000,
  });
  await runButton(page, 'Pause').click();
  // A box reads "value [vector]"; an arrow names the node that handled the write.
  await expect(panel.getByTestId('dag-node').first()).toContainText(/\[n\d:\d+(,n\d:\d+)*\]/);
  await expect(panel.getByTestId('dag-edge-label').first()).toContainText(/by n\d/);
  await expect(panel.getByRole('img')).toHaveAccessibleName(
    /boxes, \d+ arrows: .* to .*\(write handled by n\d\)/,
  );
  await expect(panel.getByRole('list', { name: 'Legend' })).toContainText('sibling');
  // The graph scrolls from the keyboard, and axe finds nothing serious in the tab.
  await expect(panel.getByRole('region', { name: /^Graph of key k\d/ })).toBeVisible();
  expect(await seriousViolations(page, '[role="tabpanel"]')).toEqual([]);
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('dynamo-versions-light.png') });
});

test('Dynamo’s Versions tab at 1024x700 in the dark theme, at the end of the run', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const panel = await openVersions(page, lab.server.url);
  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(page.getByText('Run: ended')).toBeVisible({ timeout: 90_000 });
  await expect(panel.getByTestId('dag-edge')).not.toHaveCount(0);
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('dynamo-versions-dark.png') });
});
