// A check that fails as the lesson, in the Checkers tab (web mode): the built-in exercise
// "Failover without losing writes" starts in async mode, whose failover loses acknowledged
// writes and whose follower reads are not linearizable. Neither is a bug: both show amber,
// "fails: the lesson", with why, what they found and the writes or operations that show it,
// and the tab's "broken" count leaves them out. Also the screenshots of that tab.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';

async function openFailoverExercise(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'Failover without losing writes', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText('Failover without losing writes');
}

test('async failover: lost writes and a non-linearizable history show as the lesson, with the writes', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openFailoverExercise(page, lab.server.url);
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('run-state')).toContainText('ended', { timeout: 60_000 });

  await page.getByRole('tab', { name: 'Checkers' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Checkers' });
  const verdict = (id: string) => panel.locator('.verdict', { has: page.locator('code', { hasText: id }) });

  const durability = verdict('durability');
  await expect(durability).toHaveAttribute('data-state', 'lesson');
  await expect(durability).toContainText('Every acknowledged write survives failover');
  await expect(durability).toContainText('fails: the lesson');
  await expect(durability).toContainText(/acknowledged writes lost: \d+/);
  await expect(durability).toContainText('Not promised here: asynchronous replication');
  const lost = Number(/acknowledged writes lost: (\d+)/.exec((await durability.textContent()) ?? '')![1]);
  expect(lost).toBeGreaterThan(0);
  // The writes, one per line, behind a disclosure.
  await durability.getByText(/items? that show it/).click();
  const writes = durability.locator('.verdict-details li');
  await expect(writes).toHaveCount(lost);
  await expect(writes.first()).toContainText(
    /#\d+ key-\d+=v\d+ \(seq \d+, epoch 1, acknowledged in async mode\)/,
  );

  const lin = verdict('linearizability');
  await expect(lin).toHaveAttribute('data-state', 'lesson');
  await expect(lin).toContainText('Not promised here: reads go to followers');
  await expect(lin).toContainText(/op #\d+/);

  // Invariants held, and no lesson counts as broken on the tab.
  await expect(verdict('no-lost-writes')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByRole('tab', { name: 'Checkers' })).not.toContainText('broken');

  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const)
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await durability.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`checkers-lesson-${w}-${scheme}.png`) });
      await lin.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`checkers-lesson-lin-${w}-${scheme}.png`) });
    }
});
