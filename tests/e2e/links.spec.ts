// Link state from the host (sim.links) and the scenario's fault script, the way a person uses
// them: import a scenario with a scripted partition and step past it; crash a node from its
// menu and add the fault to the script.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, runButton } from './run-helpers';

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
