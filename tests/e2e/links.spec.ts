// Link state from the host (sim.links) and the scenario's fault script, the way a person uses
// them: import a scenario with a scripted partition and step past it; crash a node from its
// menu and add the fault to the script.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, openOn, runButton, stepTimes, timeText } from './run-helpers';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// axe is injected as a script tag; the page's CSP allows only its own scripts.
test.use({ bypassCSP: true });

/** Serious and critical axe violations inside a part of the page, as readable lines. */
async function seriousViolations(page: Page, include: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (sel) => {
    const axe = (
      window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    return (await axe.run({ include: [sel] }, { resultTypes: ['violations'] })).violations;
  }, include);
  return (violations as { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

const RING = JSON.parse(fs.readFileSync('resources/library/ping-pong-ring.dslab.json', 'utf8')) as {
  key?: string;
  scenario: { name: string; faults: unknown[] };
};

/** Imports a ping-pong ring with a fault script through the Library tab's Import…. */
async function importRing(page: Page, url: string, name: string, faults: unknown[]): Promise<void> {
  const file = structuredClone(RING);
  delete file.key;
  file.scenario.name = name;
  file.scenario.faults = faults;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-links-'));
  const where = path.join(dir, 'ring.dslab.json');
  fs.writeFileSync(where, JSON.stringify(file));
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(where);
  await expect(page.getByTestId('doc-state')).toContainText(name);
  await expect(canvasNode(page, 'n1')).toBeVisible();
}

/** Step to next… › Next fault. */
async function stepToNextFault(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page
    .getByRole('dialog', { name: 'Step to next event' })
    .getByRole('button', { name: 'Next fault' })
    .click();
}

test('a scripted partition is drawn once the run passes it and un-drawn after stepping back', async ({
  page,
  lab,
}) => {
  await importRing(page, lab.server.url, 'Ring with a partition', [
    { atUs: 3000, fault: { kind: 'partition', groups: [['n1'], ['n2', 'n3']] } },
  ]);
  const n1Link = page.getByRole('group', { name: 'Link n1 – switch' }).locator('.lab-link');
  const n2Link = page.getByRole('group', { name: 'Link n2 – switch' }).locator('.lab-link');
  const n1 = canvasNode(page, 'n1').locator('.lab-node');

  await stepToNextFault(page);
  await expect(page.locator('.log-row.is-current[data-kind="fault"]')).toContainText(
    'partition {n1} | {n2,n3}',
  );
  // Every message n1 sends or gets crosses the partition: its link is cut; n2 still talks to n3.
  await expect(n1Link).toHaveClass(/is-cut/);
  await expect(n2Link).not.toHaveClass(/is-cut/);
  await expect(n1).toHaveClass(/is-cut-off/);
  await expect(n1.getByText('cut off')).toBeVisible();
  await expect(canvasNode(page, 'n2').locator('.lab-node')).not.toHaveClass(/is-cut-off/);
  await page.screenshot({ path: shot('links-partition-light.png') });
  await page.keyboard.press('Control+Shift+D');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: shot('links-partition-dark.png') });

  const at = await eventIndex(page);
  await runButton(page, 'Step back').click();
  await expect.poll(() => eventIndex(page)).toBe(at - 1);
  await expect(n1Link).not.toHaveClass(/is-cut/);
  await expect(n1).not.toHaveClass(/is-cut-off/);
  await expect(n1.getByText('cut off')).toHaveCount(0);

  // Forward again: replay draws it again.
  await runButton(page, 'Step').click();
  await expect(n1Link).toHaveClass(/is-cut/);
});

test('a crash from the context menu added to the fault script happens from the script after a reset, and is saved', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  // Past the first deliveries, so the crash happens at a time other than 0.
  await stepTimes(page, 8);
  const n2 = canvasNode(page, 'n2');
  await n2.click({ button: 'right' });
  await page.getByRole('menu', { name: 'Faults: n2' }).getByRole('menuitem', { name: 'Crash' }).click();
  await expect(n2.locator('.lab-node')).toHaveClass(/is-crashed/);
  const crashedAt = await eventIndex(page);
  const crashTime = await timeText(page);
  expect(crashTime).not.toBe('t = 0 µs');

  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const script = inspector.getByRole('list', { name: 'Scripted faults' });
  const live = inspector.getByRole('list', { name: 'Injected in this run' });
  await expect(inspector.getByText('No scripted faults.')).toBeVisible();
  await expect(live.getByRole('listitem')).toHaveCount(1);
  await expect(live).toContainText('Crash n2');
  await live.getByRole('button', { name: /^Add to script: Crash n2 at t = / }).click();
  await expect(script.getByRole('listitem')).toHaveCount(1);
  await expect(script.getByRole('listitem')).toContainText(`${crashTime}Crash n2`);
  await expect(live).toContainText('In the script');
  // The run already has the crash: adding it keeps the run where it is.
  await expect.poll(() => eventIndex(page)).toBe(crashedAt);
  await expect(n2.locator('.lab-node')).toHaveClass(/is-crashed/);
  await page.screenshot({ path: shot('fault-script-light.png') });

  await runButton(page, 'Reset').click();
  await expect.poll(() => eventIndex(page)).toBe(0);
  await expect(n2.locator('.lab-node')).not.toHaveClass(/is-crashed/);
  await expect(inspector.getByText('None yet: right-click a node or link during a run.')).toBeVisible();
  await stepToNextFault(page);
  await expect(page.locator('.log-row.is-current[data-kind="fault"]')).toContainText('crash n2');
  await expect(n2.locator('.lab-node')).toHaveClass(/is-crashed/);
  expect(await timeText(page)).toBe(crashTime);

  // Save it, reload: the script is part of the document.
  await page.keyboard.press('Control+Shift+s');
  const dialog = page.getByRole('dialog', { name: 'Save as' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Ping-pong with a crash');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(page.getByTestId('doc-state')).toContainText('Ping-pong with a crash');
  await expect(script.getByRole('listitem')).toHaveCount(1);
  await expect(script).toContainText('Crash n2');

  // Remove is an edit like any other: the script is empty again, and Undo brings it back.
  await script.getByRole('button', { name: /^Remove: Crash n2 at / }).click();
  await expect(inspector.getByText('No scripted faults.')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(script).toContainText('Crash n2');
});

for (const theme of ['light', 'dark'] as const) {
  test(`the fault script and a cut-off node pass axe (${theme})`, async ({ page, lab }) => {
    await page.emulateMedia({ colorScheme: theme });
    await openOn(page, lab.server.url, 'ping-pong');
    await stepTimes(page, 6);
    await canvasNode(page, 'n1').click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Faults: n1' })
      .getByRole('menuitem', { name: 'Isolate n1' })
      .click();
    await expect(canvasNode(page, 'n1').locator('.lab-node')).toHaveClass(/is-cut-off/);
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('button', { name: /^Add to script: Partition \{n1\} \| / }).click();
    await expect(inspector.getByRole('list', { name: 'Scripted faults' })).toContainText('Partition {n1}');
    await page.screenshot({ path: shot(`fault-script-cut-off-${theme}.png`) });
    expect(await seriousViolations(page, '.inspector')).toEqual([]);
    expect(await seriousViolations(page, '.canvas')).toEqual([]);
  });
}

test("Slow down in a link's menu slows it, says so on the link and in the live faults, until Heal", async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'heartbeat-detector');
  await stepTimes(page, 10);
  const link = page.getByRole('group', { name: 'Link p1 – p2' });
  await link.focus();
  await page.keyboard.press('Shift+F10');
  // The quick start's links have a mean latency of 6 ms: five times is 30 ms, as the lesson says.
  await page.getByRole('menuitem', { name: 'Slow down: latency ×5 (about 30 ms)' }).click();
  await expect(link.locator('.link-mark')).toContainText('slow 30 ms');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('list', { name: 'Injected in this run' })).toContainText(
    'Degrade link p1 – p2: mean latency 30 ms',
  );
  await page.screenshot({ path: shot('link-slowed-light.png') });
  await link.focus();
  await page.keyboard.press('Shift+F10');
  await page.getByRole('menuitem', { name: 'Heal', exact: true }).click();
  await expect(link.locator('.link-mark')).toHaveCount(0);
});
