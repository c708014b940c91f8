// The Checkers tab's seed search (issue 15): what `dslab check --seeds` does, in the app, with
// progress and a Cancel; the first failing seed opens at the event where it failed.

import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { failed, runSeed } from '../../src/cli/run-seed';
import { fileItems } from '../../src/shared/files/format';
import { parseFile } from '../../src/shared/files/parse';
import { ScenarioSchema } from '../../src/shared/scenario/schema';
import { expect, shot, test } from './fixtures';
import { eventIndex } from './run-helpers';

const BUG = 'bugForgetVoteOnRestart';

/** The first seed of 1..20 `dslab check` reports for the nemesis scenario with the bug on. */
function firstFailing(): { seed: number; invariant: string; event: number } {
  const parsed = parseFile(fs.readFileSync('resources/library/raft-nemesis.dslab.json', 'utf8'));
  if (!parsed.ok) throw new Error(parsed.message);
  const s = fileItems(parsed.file).scenarios[0]!.scenario;
  const scenario = ScenarioSchema.parse({ ...s, params: { ...s.params, [BUG]: true } });
  for (let seed = 1; seed <= 20; seed++) {
    const r = runSeed(scenario, seed);
    if (failed(r)) return { seed, invariant: r.violation!.invariant, event: r.violation!.atEvent };
  }
  throw new Error('no failing seed in 1..20');
}

async function openItem(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name, exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(name);
}

const search = (page: Page) => page.getByRole('region', { name: 'Seed search' });

async function searchSeeds(page: Page, from: number, to: number): Promise<void> {
  await page.getByRole('tab', { name: 'Checkers' }).click();
  await search(page).getByLabel('From').fill(String(from));
  await search(page).getByLabel('to', { exact: true }).fill(String(to));
  await search(page).getByRole('button', { name: 'Search' }).click();
}

test('a seed search finds the seed dslab check reports and opens it at the violation', async ({
  page,
  lab,
}) => {
  const want = firstFailing();
  await openItem(page, lab.server.url, 'Raft under the consensus nemesis');
  await page
    .getByRole('complementary', { name: 'Inspector' })
    .getByRole('checkbox', { name: /votedFor is not persisted/ })
    .check();
  await searchSeeds(page, 1, 20);
  await expect(search(page).getByRole('status')).toHaveText(
    `Seed ${want.seed} fails ${want.invariant} at event ${want.event.toLocaleString('en-US')}: opened there.`,
    { timeout: 60_000 },
  );
  // The run is that seed's, at that event, stopped by that check.
  await expect(page.getByRole('banner').getByRole('spinbutton', { name: 'Seed' })).toHaveValue(
    String(want.seed),
  );
  await expect.poll(() => eventIndex(page)).toBe(want.event);
  await expect(page.getByRole('tabpanel', { name: 'Checkers' }).getByRole('alert')).toContainText(
    want.invariant,
  );
  await page.screenshot({ path: shot('seed-search-found-light.png') });
});

test('a long seed search shows its progress and stops on Cancel', async ({ page, lab }) => {
  await openItem(page, lab.server.url, 'Raft: five servers, two clients');
  await searchSeeds(page, 1, 100_000);
  const progress = search(page).getByRole('progressbar', { name: 'Seeds searched' });
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('value'))).toBeGreaterThan(0);
  await page.screenshot({ path: shot('seed-search-running-light.png') });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: shot('seed-search-running-1024-dark.png') });
  await search(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0);
  await expect(search(page).getByRole('status')).toContainText(
    /^Cancelled after [\d,]+ of 100,000 seeds: none failed\.$/,
  );
  // Searchable again.
  await expect(search(page).getByRole('button', { name: 'Search' })).toBeEnabled();
});
