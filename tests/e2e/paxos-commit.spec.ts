// Paxos Commit in the app: the quick start's TM crashes after every RM prepared, as in
// two-phase commit's; here acceptor a1 takes over and commits T2 while the TM is still down.
// Also the screenshots of the quick start and its Locks tab (DSLAB_SHOTS_DIR).
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, runButton, stepTimes } from './run-helpers';

async function openPaxosCommit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('transactions');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('paxos-commit');
  await expect(picker).toHaveValue('paxos-commit');
  await expect(canvasNode(page, 'rm1')).toBeVisible();
  await expect(runButton(page, 'Play')).toBeEnabled();
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`Paxos Commit quick start: a1 commits T2 while the TM is down (${w}x${h} ${scheme})`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openPaxosCommit(page, lab.server.url);
    // To the TM's crash (event 49), then step to a1's phase 2a in ballot 5 (event 70): the
    // player skips quiet stretches, so a pause by the clock could land past the takeover.
    await page.getByRole('button', { name: 'Step to next…' }).click();
    await page.getByRole('button', { name: 'Next fault' }).click();
    await expect(canvasNode(page, 'tm')).toContainText('crashed');
    await stepTimes(page, 70 - (await eventIndex(page)));
    await expect(canvasNode(page, 'a1')).toContainText('ballot 5 phase2');
    await expect(canvasNode(page, 'rm1')).toContainText('asking leaders');
    await page.screenshot({ path: shot(`paxos-commit-takeover-${scheme}-${w}.png`) });
    // Played to its end: T2 committed by a1, no RM blocked, every transaction decided.
    await page.getByRole('slider', { name: 'Speed' }).focus();
    await page.keyboard.press('End');
    await runButton(page, 'Play').click();
    await page.getByRole('tab', { name: 'Checkers' }).click();
    const checkers = page.getByRole('tabpanel', { name: 'Checkers' });
    const verdict = checkers.locator('.verdict', {
      has: page.locator('code', { hasText: 'every-transaction-decided' }),
    });
    await expect(verdict).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await expect(canvasNode(page, 'a1')).toContainText('led 1');
    await page.getByRole('tab', { name: 'Locks' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Locks' });
    const svg = panel.getByTestId('timeline-svg');
    await expect(svg.getByTestId('timeline-row')).toHaveCount(4);
    await expect(panel).toContainText('0 held now', { timeout: 60_000 });
    // Three short red "asking" stretches (T2 at rm1..rm3), and the TM's row down from 325 ms to 1.2 s.
    await expect(svg.locator('[data-testid="timeline-bar"][data-tone="bad"]')).toHaveCount(3);
    await expect(svg.getByTestId('timeline-marker')).toContainText(['tm restarts']);
    await page.waitForTimeout(400);
    await page.screenshot({ path: shot(`paxos-commit-locks-${scheme}-${w}.png`) });
  });
}
