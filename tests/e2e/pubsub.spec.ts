// Publish/subscribe in the app: the quick start opens from the topic picker, plays, and the
// badges tell the story (the broker's queued and dead-lettered messages, each subscriber's
// processed count, s2 crashed and back). Also the docs/screenshots pubsub shots.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, runButton } from './run-helpers';

async function openPubSub(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('pubsub');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await expect(picker).toHaveValue('pubsub');
  await expect(canvasNode(page, 'broker')).toBeVisible();
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

async function playUntil(page: Page, s: number): Promise<void> {
  // 0.1x: s2 is down for 6 s of wall time (1 s to 1.6 s), so Pause lands while it is.
  await page.getByRole('slider', { name: 'Speed' }).fill('-1');
  await runButton(page, 'Play').click();
  await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(s);
  if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`pub/sub quick start at ${w}x${h} ${scheme}: messages flow, the badges count them`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openPubSub(page, lab.server.url);
    for (const n of ['p1', 'p2', 's1', 's2', 's3']) await expect(canvasNode(page, n)).toBeVisible();
    await playUntil(page, 1.1);
    await expect(canvasNode(page, 's2')).toContainText('crashed');
    await expect(canvasNode(page, 's1')).toContainText(/\d+ done/);
    await expect(canvasNode(page, 'broker')).toContainText(/\d+ queued\s·\s\d+ dead/);
    await page.screenshot({ path: shot(`pubsub-${w}x${h}-${scheme}.png`) });
  });
}
