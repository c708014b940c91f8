// Branch and compare (web mode): open a built-in Raft scenario, run a little, branch with
// "Crash s1", and see both futures in the Compare tab: two stacked space-time diagrams with
// the first difference marked in both, metrics of both runs overlaid; close the branch.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, openOn, runButton, stepTimes } from './run-helpers';

const RAFT = 'Raft: five servers, two clients';

async function openRaft(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: RAFT, exact: true }).and(page.locator('.lib-item'));
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(RAFT);
  await expect(canvasNode(page, 's1')).toBeVisible();
}

async function branchWith(page: Page, fault: string): Promise<void> {
  await runButton(page, 'Branch').click();
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: 'A fault' }).check();
  await dialog.getByRole('combobox', { name: 'Fault' }).selectOption({ label: fault });
  await dialog.getByRole('button', { name: 'Branch here' }).click();
  await expect(dialog).toBeHidden();
}

test('branch with a crash: both futures stacked, the first difference marked, metrics overlaid', async ({
  page,
  lab,
}) => {
  await openRaft(page, lab.server.url);
  // No run yet: nothing to branch from.
  await expect(runButton(page, 'Branch')).toBeDisabled();
  await stepTimes(page, 25);
  const at = await eventIndex(page);

  await branchWith(page, 'Crash s1');
  const panel = page.getByRole('tabpanel', { name: 'Compare' });
  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(panel).toContainText(`Branch: Crash s1 at event ${at}`);
  // Neither run has moved past the fork point yet: nothing differs so far.
  await expect(panel.getByTestId('cmp-diff-summary')).toContainText('No difference yet');

  // Run both on (the main run by the compare bar; the branch follows it in virtual time).
  await panel.getByRole('spinbutton', { name: 'Run both to' }).fill('400');
  await panel.getByRole('button', { name: 'Run both' }).click();
  await expect.poll(() => eventIndex(page)).toBeGreaterThan(at + 50);

  // The crash is the branch's next event: that is where the futures part.
  const summary = panel.getByTestId('cmp-diff-summary');
  await expect(summary).toContainText(`First difference at event ${at + 1}`);
  await expect(summary).toContainText(/branch: \S+ fault \(crash s1\)/);
  const main = panel.getByTestId('cmp-diagram-main');
  const branch = panel.getByTestId('cmp-diagram-branch');
  await expect(main.getByRole('img', { name: /main run: 7 nodes/ })).toBeVisible();
  await expect(branch.getByRole('img', { name: /branch run: 7 nodes/ })).toBeVisible();
  await expect(main.getByTestId('cmp-diff')).toHaveAttribute('data-event', String(at + 1));
  await expect(branch.getByTestId('cmp-diff')).toHaveAttribute('data-event', String(at + 1));
  await expect(main.getByTestId('cmp-diff-row')).toHaveCount(1);
  await expect(branch.getByTestId('cmp-diff-row')).toHaveCount(1);
  // s1 is down in the branch only.
  await expect(branch.getByTestId('cmp-crashed')).toHaveCount(1);
  await expect(main.getByTestId('cmp-crashed')).toHaveCount(0);

  // Every chart carries both runs, told apart by the legend.
  const charts = panel.getByTestId('cmp-chart');
  await expect(charts.first()).toBeVisible();
  const sent = charts.first();
  await expect(sent.locator('.u-legend')).toContainText('main');
  await expect(sent.locator('.u-legend')).toContainText('branch');
  await expect(sent.locator('canvas')).toBeVisible();

  await page.waitForTimeout(300);
  await page.screenshot({ path: shot('compare-light.png') });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot('compare-dark.png') });
  await page.getByRole('button', { name: 'Toggle theme' }).click();

  // Stepping the main run on: the branch follows (its event count moves too).
  const before = await branch.locator('figcaption').textContent();
  await stepTimes(page, 3);
  await expect(branch.locator('figcaption')).not.toHaveText(before ?? '');

  await panel.getByRole('button', { name: 'Close branch' }).click();
  await expect(panel).toContainText('No branch yet');
  await expect(runButton(page, 'Branch')).toBeEnabled();
});

test('the branch dialog offers parameters and bug switches; a reset closes the branch', async ({
  page,
  lab,
}) => {
  await openRaft(page, lab.server.url);
  await stepTimes(page, 5);
  await runButton(page, 'Branch').click();
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await dialog.getByRole('radio', { name: 'A bug switch' }).check();
  await expect(dialog.getByRole('combobox', { name: /Bug switch/ })).toBeVisible();
  await dialog.getByRole('radio', { name: 'A parameter' }).check();
  await dialog.getByRole('combobox', { name: 'Parameter' }).selectOption('heartbeatMs');
  const value = dialog.getByRole('spinbutton', { name: /New value/ });
  await expect(value).toHaveValue('50');
  // The same value is no change: nothing to branch with.
  await expect(dialog.getByRole('button', { name: 'Branch here' })).toBeDisabled();
  await value.fill('20');
  await dialog.screenshot({ path: shot('compare-dialog-light.png') });
  await dialog.getByRole('button', { name: 'Branch here' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Compare' });
  await expect(panel).toContainText('Branch: heartbeatMs = 20');

  await runButton(page, 'Reset').click();
  await expect(page.getByText('The main run was reset, so the branch was closed.')).toBeVisible();
  await expect(panel).toContainText('No branch yet');
});

test('a bug switch branch: the checker stops the branch, the main run goes on', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await stepTimes(page, 3);
  await runButton(page, 'Branch').click();
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await dialog.getByRole('radio', { name: 'A bug switch' }).check();
  await dialog
    .getByRole('combobox', { name: /Bug switch/ })
    .selectOption({ label: 'Relayed copies are delivered again (breaks no-duplication)' });
  await dialog.getByRole('button', { name: 'Branch here' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Compare' });
  await expect(panel).toContainText('Branch: Relayed copies are delivered again (breaks no-duplication): on');
  await panel.getByRole('spinbutton', { name: 'Run both to' }).fill('2000');
  await panel.getByRole('button', { name: 'Run both' }).click();
  const branchTitle = panel.getByTestId('cmp-diagram-branch').locator('figcaption');
  await expect(branchTitle).toContainText('stopped: no-duplication broken');
  await expect(panel.getByTestId('cmp-diagram-main').locator('figcaption')).not.toContainText('stopped');
  await expect(panel.getByTestId('cmp-diff-summary')).toContainText('First difference');
});

test('at 1024x700 (Branch… folded into More) the empty Compare tab has its own Branch… button', async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openRaft(page, lab.server.url);
  await page.getByRole('tab', { name: 'Compare' }).click();
  await page.screenshot({ path: shot('compare-empty-1440-light.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  // The toolbar has folded Branch… into its More menu: the empty text must not send the person there.
  await expect(runButton(page, 'Branch')).toHaveCount(0);
  const panel = page.getByRole('tabpanel', { name: 'Compare' });
  await expect(panel).toContainText('No branch yet');
  const button = panel.getByRole('button', { name: 'Branch…', exact: true });
  // No run yet: nothing to branch from.
  await expect(button).toBeDisabled();
  await stepTimes(page, 5);
  await expect(button).toBeEnabled();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: shot('compare-empty-1024-dark.png') });
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: 'A fault' }).check();
  await dialog.getByRole('combobox', { name: 'Fault' }).selectOption({ label: 'Crash s1' });
  await dialog.getByRole('button', { name: 'Branch here' }).click();
  await expect(panel).toContainText('Branch: Crash s1');
});
