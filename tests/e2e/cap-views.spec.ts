// CAP on the space-time diagram: the library's AP scenario (resources/library/
// dynamo-ap-partition) fails the linearizability checker, and the Space-time tab lists the
// offending reads, outlines them in red with the checker's reason, and goes to one on a click.
// Also its screenshots (DSLAB_SHOTS_DIR): 1440x900 light, 1024x700 dark, with the Metrics tab's
// windowed availability and stale-read share.
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { eventIndex, runButton } from './run-helpers';

const AP = 'Dynamo, AP: a partition from 1 s to 3 s';

async function runApToEnd(page: Page, url: string, checkersShot?: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('searchbox', { name: 'Search the library' }).fill('AP: a partition');
  const item = page.getByRole('listitem', { name: AP, exact: true }).and(page.locator('.lib-item'));
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(AP);
  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(page.getByText('Run: ended')).toBeVisible({ timeout: 90_000 });
  // The Checkers tab says the history check failed and leads to the diagram.
  await page.getByRole('tab', { name: 'Checkers' }).click();
  if (checkersShot !== undefined) {
    const show = page.getByRole('button', { name: /offending operations on the space-time/ });
    await show.scrollIntoViewIfNeeded();
    await expect(show).toBeVisible();
    await page.screenshot({ path: shot(checkersShot) });
  }
  await page
    .getByRole('button', { name: /^Show the \d+ offending operations on the space-time diagram$/ })
    .click();
  await expect(page.getByRole('tab', { name: 'Space-time' })).toHaveAttribute('aria-selected', 'true');
}

test('the offending reads of an AP run are listed, outlined on the diagram, and a click goes to one', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await runApToEnd(page, lab.server.url);
  const list = page.getByTestId('st-offending-list');
  await expect(list).toContainText('linearizability failed');
  const items = list.getByTestId('st-offending-item');
  await expect(items.first()).toBeVisible();
  // Several reads the history cannot explain, each with the write it missed.
  const stale = list.getByRole('button', { name: /stale read: got/ });
  expect(await stale.count()).toBeGreaterThan(1);

  // Going to the second one (the first may already be in view at the end of the run).
  const pick = stale.nth(1);
  const op = await pick.getAttribute('data-op');
  const text = (await pick.getAttribute('aria-label')) ?? '';
  const before = await eventIndex(page);
  await pick.click();
  await expect(pick).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => eventIndex(page)).toBeLessThan(before);
  // Its request and answer outlined in red on the diagram, with the checker's reason written out.
  const mark = page.locator(`[data-testid="st-offending"][data-op="${op}"]`);
  await expect(mark).toBeVisible();
  await expect(mark).toHaveAttribute('data-offending', 'true');
  const why = text.slice(text.indexOf('stale read'));
  await expect(mark.getByTestId('st-offending-label')).toHaveText(`#${op} ${why}`);
  // The answer's event is where the run went: the diagram's cursor sits at its right end.
  expect(await eventIndex(page)).toBe(Number(await mark.getAttribute('data-event')));
});

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`screenshot: offending reads on the space-time diagram, ${scheme} ${w}`, async ({ page, lab }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await runApToEnd(page, lab.server.url, `cap-checkers-${scheme}-${w}.png`);
    // The Metrics tab at the end of the run: availability against stale reads per 100 ms window.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const stale = page.getByRole('img', { name: 'windowStaleReads over virtual time (ms)' });
    await expect(page.getByRole('img', { name: 'windowAvailability over virtual time (ms)' })).toBeVisible();
    await stale.scrollIntoViewIfNeeded();
    await expect(stale).toBeVisible();
    await page.screenshot({ path: shot(`cap-metrics-${scheme}-${w}.png`) });
    await page.getByRole('tab', { name: 'Space-time' }).click();
    await page.getByTestId('st-offending-item').nth(1).click();
    await expect(page.getByTestId('st-offending').first()).toBeVisible();
    await page.screenshot({ path: shot(`cap-offending-${scheme}-${w}.png`) });
  });
}

test.describe('accessibility', () => {
  // axe is injected as a script tag, which the lab's CSP refuses.
  test.use({ bypassCSP: true });

  test('the offending operations add no serious axe violations to the space-time tab, both themes', async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const serious = async (): Promise<string[]> => {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
      return page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: unknown): Promise<{ violations: unknown[] }> } })
          .axe;
        const result = await axe.run({ include: [['.bottom']] });
        return (result.violations as { id: string; impact: string | null; nodes: { target: unknown }[] }[])
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
      });
    };
    await runApToEnd(page, lab.server.url);
    await page.getByTestId('st-offending-item').first().click();
    await expect(page.getByTestId('st-offending').first()).toBeVisible();
    expect(await serious(), 'light').toEqual([]);
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.waitForTimeout(300);
    expect(await serious(), 'dark').toEqual([]);
  });
});
