// Three-phase commit in the app: on two-phase commit's quick-start faults the coordinator
// crashes after every YES, and the participants run the termination protocol and commit T2
// without it; the Locks tab shows the short red stretch. Screenshots in DSLAB_SHOTS_DIR.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, runButton } from './run-helpers';

async function open3pc(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('transactions');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('three-phase-commit');
  await expect(picker).toHaveValue('three-phase-commit');
  await expect(canvasNode(page, 'p1')).toBeVisible();
  await expect(runButton(page, 'Play')).toBeEnabled();
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`three-phase commit quick start: the participants commit without the coordinator (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(150_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open3pc(page, lab.server.url);
    await page.getByRole('tab', { name: 'Locks' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Locks' });
    const svg = panel.getByTestId('timeline-svg');
    // Played to its end: T2 was committed by the participants alone long before the coordinator
    // came back at 1.2 s, and the nonblocking check holds.
    await page.getByRole('slider', { name: 'Speed' }).focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await expect(svg.getByTestId('timeline-marker')).toContainText(['coord restarts'], { timeout: 60_000 });
    await expect(panel).toContainText('0 held now', { timeout: 60_000 });
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).toHaveCount(3);
    await page.getByRole('tab', { name: 'Checkers' }).click();
    const checks = page.getByRole('tabpanel', { name: 'Checkers' });
    const verdict = checks.locator('.verdict', {
      has: page.locator('code', { hasText: 'every-transaction-decided' }),
    });
    await expect(verdict).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await page.screenshot({ path: shot(`three-phase-commit-checkers-${scheme}-${w}.png`) });
    await page.getByRole('tab', { name: 'Locks' }).click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`three-phase-commit-locks-${scheme}-${w}.png`) });
    // Back to event 56 (430.6 ms, seed 1): the coordinator is down and the participants are
    // in the termination protocol, their state reports in flight.
    const timeline = page.getByRole('slider', { name: 'Timeline' });
    await timeline.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 56; i++) await page.keyboard.press('ArrowRight');
    await expect(timeline).toHaveAttribute('aria-valuenow', '56');
    await expect(canvasNode(page, 'coord')).toContainText('crashed');
    await expect(canvasNode(page, 'p1')).toContainText('termination');
    await expect(panel).toContainText('3 in the termination protocol');
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`three-phase-commit-locks-terminating-${scheme}-${w}.png`) });
    await page.getByRole('tab', { name: 'Event log' }).click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`three-phase-commit-termination-${scheme}-${w}.png`) });
  });
}

// The partition case from the library: {coord, p1} | {p2, p3} after the votes and before
// PRE-COMMIT. p1 commits T2 and p2 aborts it; the atomicity checker stops the run there.
for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`three-phase commit partition split: atomicity breaks (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(lab.server.url);
    await expect(page.getByTestId('app-info')).toContainText('over web');
    await page.getByRole('tab', { name: 'Library' }).click();
    const name = 'Three-phase commit: a partition splits the participants';
    const item = page.getByRole('listitem', { name, exact: true });
    await item.locator('.lib-item-main').click();
    await item.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByTestId('doc-state')).toContainText(name);
    const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await speed.press('End');
    await runButton(page, 'Play').click();
    const alert = page.getByRole('tabpanel', { name: 'Checkers' }).getByRole('alert');
    await expect(alert).toContainText('atomicity', { timeout: 30_000 });
    await expect(alert).toContainText('T2 committed at p1 but aborted at p2');
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`three-phase-commit-split-${scheme}-${w}.png`) });
    await page.getByRole('tab', { name: 'Locks' }).click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`three-phase-commit-split-locks-${scheme}-${w}.png`) });
  });
}
