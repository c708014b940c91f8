// Accessibility (web mode): axe-core finds no serious or critical violations in the main
// view during a run, in each bottom tab, in the fault menu and in the shortcuts dialog; the
// run controls are reachable with Tab.
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { canvasNode, openOn, stepTimes } from './run-helpers';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

test.use({ bypassCSP: true });

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Serious and critical axe violations on the page now, as readable lines. */
async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (sel) => {
    const axe = (
      window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return result.violations;
  }, include ?? null);
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

for (const theme of ['light', 'dark'] as const) {
  test(`the main view and every bottom tab pass axe during a run (${theme})`, async ({ page, lab }) => {
    await page.emulateMedia({ colorScheme: theme });
    await openOn(page, lab.server.url, 'ping-pong');
    await stepTimes(page, 8);
    await canvasNode(page, 'n1').click();
    await expect(page.getByTestId('state-tree')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    for (const tab of ['Metrics', 'Checkers', 'Lesson', 'Event log']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
      await page.waitForTimeout(300);
      expect(await seriousViolations(page), `tab ${tab}`).toEqual([]);
    }
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`the timeline, the splitter and a collapsed bottom panel pass axe (${theme})`, async ({
    page,
    lab,
  }) => {
    await page.emulateMedia({ colorScheme: theme });
    await openOn(page, lab.server.url, 'broadcast');
    await stepTimes(page, 6);
    const timeline = page.getByRole('slider', { name: 'Timeline' });
    await timeline.focus();
    await page.keyboard.press('Home');
    await expect(timeline).toHaveAttribute('aria-valuenow', '0');
    const box = (await timeline.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.locator('.tl-tip')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('separator', { name: 'Resize bottom panel' }).focus();
    await page.getByRole('button', { name: 'Collapse bottom panel' }).click();
    await expect(page.getByRole('button', { name: 'Expand bottom panel' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test('the fault menu, the step-to-next popover and the shortcuts dialog pass axe', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await stepTimes(page, 3);
  await canvasNode(page, 'n2').click({ button: 'right' });
  await expect(page.getByRole('menu')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toBeHidden();

  await page.getByRole('button', { name: 'Step to next…' }).click();
  await expect(page.getByRole('dialog', { name: 'Step to next event' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');

  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+/');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('at 1024x700 the toolbar\'s More menu, the Branch dialog from it and "More tabs" pass axe', async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 2);
  const more = page.getByRole('button', { name: 'More controls' });
  await more.click();
  const menu = page.getByRole('dialog', { name: 'More controls' });
  await expect(menu).toBeVisible();
  expect(await seriousViolations(page), 'More controls').toEqual([]);
  // Branch is folded into the menu at this width; its dialog opens from there by keyboard.
  await menu.getByRole('button', { name: 'Branch…' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await expect(dialog).toBeVisible();
  expect(await seriousViolations(page), 'Branch from the menu').toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(more).toBeFocused();

  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'End the split votes', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('button', { name: 'More tabs' }).click();
  await expect(page.getByRole('menu', { name: 'More tabs' })).toBeVisible();
  expect(await seriousViolations(page), 'More tabs').toEqual([]);
});

test('the Branch dialog, made by keyboard, and the Compare tab pass axe in both themes', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 6);
  const branch = page.getByRole('banner').getByRole('button', { name: 'Branch', exact: true });
  await branch.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Branch the run' });
  await expect(dialog).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  // The fault list is the first choice; pick "Crash n2" with the keyboard and submit.
  const fault = dialog.getByRole('combobox', { name: 'Fault' });
  await fault.focus();
  await fault.selectOption({ label: 'Crash n2' });
  await dialog.getByRole('button', { name: 'Branch here' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const panel = page.getByRole('tabpanel', { name: 'Compare' });
  await expect(panel.getByTestId('cmp-diagram-branch')).toBeVisible();
  await stepTimes(page, 4);
  await expect(panel.getByTestId('cmp-diff-summary')).toContainText('First difference');
  expect(await seriousViolations(page), 'Compare, light').toEqual([]);
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.waitForTimeout(300);
  expect(await seriousViolations(page), 'Compare, dark').toEqual([]);
});

test('Tab reaches Play from the top of the page, and Enter plays', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  // Start at the first control of the page (the welcome view focuses its first topic card,
  // and Chromium resumes Tab from where focus last was, even after a blur).
  await page.getByRole('combobox', { name: 'Topic' }).focus();
  const play = page.getByRole('button', { name: 'Play', exact: true });
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await play.evaluate((el) => el === document.activeElement);
  }
  expect(reached, 'Play is reachable with Tab').toBe(true);
  await page.keyboard.press('Enter');
  await expect(play).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(play).toHaveAttribute('aria-pressed', 'false');
});
