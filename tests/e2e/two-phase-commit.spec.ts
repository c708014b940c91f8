// Two-phase commit in the app: the quick start's coordinator crashes after every YES, and the
// participants' badges say they are blocked, holding their locks, until it comes back.
// Also the screenshots of the quick start (DSLAB_SHOTS_DIR).
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, runButton } from './run-helpers';

async function open2pc(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('transactions');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('two-phase-commit');
  await expect(picker).toHaveValue('two-phase-commit');
  await expect(canvasNode(page, 'p1')).toBeVisible();
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

/** Plays at the protocol's own pace (0.05x) until the toolbar shows at least `s` seconds, then pauses. */
async function playUntil(page: Page, s: number): Promise<void> {
  await runButton(page, 'Play').click();
  await expect.poll(() => seconds(page), { timeout: 60_000 }).toBeGreaterThan(s);
  if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`two-phase commit quick start: participants blocked holding locks (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open2pc(page, lab.server.url);
    // At 0.05x the participants start asking about 8 s after Play, and the coordinator returns at 24 s.
    await playUntil(page, 0.6);
    await expect(canvasNode(page, 'p1')).toContainText('blocked (holding locks)');
    await expect(canvasNode(page, 'coord')).toContainText('crashed');
    await page.screenshot({ path: shot(`two-phase-commit-blocked-${scheme}-${w}.png`) });
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await expect(page.getByRole('tabpanel', { name: 'Metrics' })).toContainText('locksHeld');
    await page.screenshot({ path: shot(`two-phase-commit-metrics-${scheme}-${w}.png`) });
    // Played to its end, the run shows every transaction decided once the coordinator is back.
    await page.getByRole('slider', { name: 'Speed' }).focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await page.getByRole('tab', { name: 'Checkers' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Checkers' });
    const verdict = panel.locator('.verdict', {
      has: page.locator('code', { hasText: 'every-transaction-decided' }),
    });
    await expect(verdict).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await expect(canvasNode(page, 'p1')).toContainText('idle');
    await page.screenshot({ path: shot(`two-phase-commit-checkers-${scheme}-${w}.png`) });
  });
}

// The Locks tab (a 'timeline' view, issue 17): while the coordinator is down every participant's
// T2 lock is a red "blocked" bar still growing; played on, the bars end when it is back.
for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`two-phase commit Locks tab: locks held, blocked, until the coordinator returns (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open2pc(page, lab.server.url);
    await page.getByRole('tab', { name: 'Locks' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Locks' });
    await playUntil(page, 0.6);
    const svg = panel.getByTestId('timeline-svg');
    await expect(svg.getByTestId('timeline-row')).toHaveCount(4);
    await expect(panel).toContainText('3 blocked');
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).toHaveCount(3);
    await expect(svg.locator('[data-row="coord"]')).toContainText('down');
    await expect(svg.getByTestId('timeline-marker')).toContainText(['coord crashes']);
    // The panel grows for a protocol's view, so every row shows without scrolling.
    await expect(svg.locator('[data-row="coord"]')).toBeInViewport({ ratio: 1 });
    // A down row's "down" stands a word apart from its name ("coord down", not "coorddown").
    const gap = await svg.locator('[data-row="coord"]').evaluate((g) => {
      const glyphs: { c: string; x: number; w: number }[] = [];
      for (const t of g.querySelectorAll('text'))
        for (let i = 0; i < t.getNumberOfChars(); i++) {
          const r = t.getExtentOfChar(i);
          glyphs.push({ c: t.textContent?.[i] ?? '', x: r.x, w: r.width });
        }
      const k = glyphs
        .map((x) => x.c)
        .join('')
        .indexOf('down');
      return glyphs[k]!.x - (glyphs[k - 1]!.x + glyphs[k - 1]!.w);
    });
    expect(gap).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`two-phase-commit-locks-blocked-${scheme}-${w}.png`) });
    await page.getByRole('slider', { name: 'Speed' }).focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await expect(svg.getByTestId('timeline-marker')).toContainText(['coord restarts'], { timeout: 60_000 });
    await expect(panel).toContainText('0 held now', { timeout: 60_000 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`two-phase-commit-locks-${scheme}-${w}.png`) });
  });
}
