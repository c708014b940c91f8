// The Metrics tab (issue 15 item 12): y-axis labels are whole ("10k", never a clipped "0000"),
// and a chart's head and the counters each say when they are from, with exact counts, so
// "10,760 vs 10,993" reads as two moments rather than a wrong total.
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { formatCount } from '../../src/renderer/src/run/format';
import { expect, test } from './fixtures';
import { openOn, runButton } from './run-helpers';

/** The value of a row of the Counters table. */
async function counter(page: Page, name: string): Promise<number> {
  const row = page
    .locator('.metric-table')
    .first()
    .locator('tr', { has: page.getByRole('rowheader', { name, exact: true }) });
  return Number(((await row.locator('td').textContent()) ?? '').replace(/,/g, ''));
}

/** Plays ping-pong at the fastest speed until more than `sent` messages went out, then pauses. */
async function playPast(page: Page, sent: number): Promise<void> {
  await page.getByRole('tab', { name: 'Metrics' }).click();
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect.poll(() => counter(page, 'sent'), { timeout: 30_000 }).toBeGreaterThan(sent);
  if (await runButton(page, 'Pause').isEnabled()) await runButton(page, 'Pause').click();
  await expect(runButton(page, 'Pause')).toBeDisabled();
}

test('metric charts keep their y-axis labels whole and their heads exact, each saying when', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await playPast(page, 12_000);
  const panel = page.getByRole('tabpanel', { name: 'Metrics' });
  // The tab refreshes at most every 500 ms: wait until the tables are at the paused event.
  const event = Number(
    ((await page.getByRole('banner').getByLabel('Event index').textContent()) ?? '').replace(/\D/g, ''),
  );
  await expect(panel.getByTestId('metrics-when')).toContainText(`at event ${formatCount(event)}.`);

  // Each chart's widest y label, as drawn, starts inside the chart (data-label-room: the px
  // left of it; a cut "10000" showed as "0000", a cut "2.5" as ".5").
  const rooms = await panel
    .locator('.chart-plot[data-label-room]')
    .evaluateAll((plots) => plots.map((p) => Number((p as HTMLElement).dataset.labelRoom)));
  expect(rooms.length).toBeGreaterThan(3);
  for (const r of rooms) expect(r, 'px left of the widest y label').toBeGreaterThanOrEqual(0);
  // And nothing is painted in a chart's leftmost pixels (where a cut label touches the edge).
  const inked = await panel.locator('.chart-plot canvas').evaluateAll((canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, 2, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    }),
  );
  expect(inked.length).toBeGreaterThan(3);
  expect(inked, 'painted pixels in the leftmost 2 px of each chart').toEqual(inked.map(() => 0));

  // The head of "sent" is its last sample, exactly (the CSV holds the samples), and the note
  // above the charts gives that sample's time; the counter is at the current event.
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export CSV' }).click();
  const csv = fs
    .readFileSync(await (await download).path(), 'utf8')
    .trim()
    .split('\n');
  const header = csv[0]!.split(',');
  const last = csv[csv.length - 1]!.split(',');
  const col = header.findIndex((h) => h === 'sent' || h.startsWith('sent ('));
  expect(col).toBeGreaterThan(0);
  const sampled = Number(last[col]);
  expect(sampled).toBeGreaterThan(10_000);
  const sent = panel.locator('.chart').filter({ has: page.locator('.chart-title', { hasText: /^sent$/ }) });
  await expect(sent.locator('.chart-value')).toHaveText(new RegExp(`^${formatCount(sampled)}\\b`));
  await expect(panel.getByTestId('metrics-when')).toContainText(`the last at t = `);
  expect(await counter(page, 'sent')).toBeGreaterThanOrEqual(sampled);
});
