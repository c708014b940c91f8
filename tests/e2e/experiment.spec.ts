// The Experiment tab's result belongs to the scenario it was run for (issue 15 item 12): it
// stays while that scenario is open, and another scenario starts with none.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { runButton } from './run-helpers';

/** Figure 16's lines: six ranges in the first graph, five in the scaled-down one. */
const EXPECTED_SERIES = 11;

async function openRaft(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== 'raft') await picker.selectOption('raft');
  await expect(picker).toHaveValue('raft');
  await expect(runButton(page, 'Play')).toBeEnabled();
}

test("the Experiment tab keeps its result for its scenario only, not the next one's", async ({
  page,
  lab,
}) => {
  test.setTimeout(180_000);
  await openRaft(page, lab.server.url);
  await page.getByRole('tab', { name: 'Experiment' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Experiment' });
  await panel.getByRole('combobox', { name: 'Trials per range' }).selectOption('50');
  await panel.getByRole('button', { name: 'Run experiment' }).click();
  await expect(panel.getByTestId('cdf-series')).toHaveCount(EXPECTED_SERIES, { timeout: 150_000 });

  // Leaving the tab and coming back keeps it (same scenario).
  await page.getByRole('tab', { name: 'Event log' }).click();
  await page.getByRole('tab', { name: 'Experiment' }).click();
  await expect(panel.getByTestId('cdf-series')).toHaveCount(EXPECTED_SERIES);

  // Another Raft scenario from the library: no result until it is run for this one.
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'Raft: five servers, two clients', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText('Raft: five servers, two clients');
  await page.getByRole('tab', { name: 'Experiment' }).click();
  await expect(panel.getByText('No result yet')).toBeVisible();
  await expect(panel.getByTestId('cdf-series')).toHaveCount(0);
});
