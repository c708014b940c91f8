// Logical clocks in the app (issue 18): the quick start runs, each process's badge shows its
// vector clock, the event log and the space-time tab carry each event's stamp, and the
// inspector shows the clock and the stamped events. Also the screenshots of the quick start.
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { parseShiViz, SHIVIZ_REGEX } from '../../src/sim/analysis/causality';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, runButton } from './run-helpers';

async function openClocks(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('vector-clocks');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await expect(picker).toHaveValue('logical-clocks');
  await expect(canvasNode(page, 'p1')).toBeVisible();
  await expect(runButton(page, 'Play')).toBeEnabled();
}

/** Runs up to an event index with Step until (seek), so the picture does not depend on wall time. */
async function runTo(page: Page, event: number): Promise<void> {
  await page.getByRole('tabpanel', { name: 'Event log' }).waitFor();
  while ((await eventIndex(page)) < event) {
    await runButton(page, 'Step').click();
    const before = await eventIndex(page);
    await expect.poll(() => eventIndex(page)).toBeGreaterThanOrEqual(before);
  }
}

for (const [w, h, scheme] of [
  [1440, 900, 'light'],
  [1024, 700, 'dark'],
] as const) {
  test(`logical clocks quick start at ${w}x${h} ${scheme}: stamps on badges, notes and the inspector`, async ({
    page,
    lab,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await openClocks(page, lab.server.url);
    await runTo(page, 30);
    // Each badge is the process's vector clock, in process order.
    await expect(canvasNode(page, 'p1')).toContainText(/V=\(\d+,\d+,\d+\)/);
    await expect(page.getByRole('tabpanel', { name: 'Event log' })).toContainText(/receive from p\d · V=\(/);
    await page.screenshot({ path: shot(`logical-clocks-log-${w}-${scheme}.png`) });
    await page.getByRole('tab', { name: 'Space-time' }).click();
    await expect(page.getByRole('tabpanel', { name: 'Space-time' }).locator('svg').first()).toBeVisible();
    await canvasNode(page, 'p2').click();
    await page.screenshot({ path: shot(`logical-clocks-spacetime-${w}-${scheme}.png`) });
  });
}

test('Export ShiViz in the space-time tab downloads the run so far as a ShiViz log', async ({
  page,
  lab,
}) => {
  await openClocks(page, lab.server.url);
  await runTo(page, 12);
  await page.getByRole('tab', { name: 'Space-time' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export ShiViz' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^space-time-logical-clocks-e\d+\.shiviz\.log$/);
  const text = fs.readFileSync((await download.path())!, 'utf8');
  const events = parseShiViz(text);
  expect(text.split('\n')[0]).toBe(SHIVIZ_REGEX);
  expect(events.length).toBeGreaterThan(12);
  expect(events[0]).toEqual({ event: 'start · event 1, 0.000 ms', host: 'p1', clock: { p1: 1 } });
});

test('Shift+click two events in the space-time tab: the lab says how happened-before orders them', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openClocks(page, lab.server.url);
  await runTo(page, 30);
  await page.getByRole('tab', { name: 'Space-time' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Space-time' });
  // A message from p2 to p1 (the first delivered), then the receipt's note at p1: the same process.
  const arrow = panel.locator('[data-testid="st-arrow"][data-end="deliver"]').first();
  const event = await arrow.getAttribute('data-event');
  await arrow.click({ modifiers: ['Shift'] });
  const status = panel.getByTestId('st-causality');
  await expect(status).toContainText('One event picked');
  await panel
    .locator(`[data-testid="st-mark"][data-kind="note"][data-event="${event}"]`)
    .click({ modifiers: ['Shift'] });
  await expect(status).toContainText(
    /^Before: p1's deliver Msg from p2 .* happened before p1's receive from p2/,
  );
  // The first message of the run and a later event: before, after or concurrent, with the reason.
  await panel.getByRole('button', { name: 'Clear' }).click();
  await expect(status).toHaveCount(0);
  const first = panel.locator('[data-testid="st-arrow"]').first();
  await first.click({ modifiers: ['Shift'] });
  await panel
    .locator('[data-testid="st-mark"][data-kind="note"]')
    .nth(8)
    .click({ modifiers: ['Shift'] });
  await expect(status).toContainText(/^(Before|After|Concurrent): /);
  await expect(panel.locator('[data-picked]')).toHaveCount(2);
  await page.screenshot({ path: shot('logical-clocks-causality-1440-light.png') });
});

test('happened-before from the keyboard: the chain of messages is drawn on the space-time diagram', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await openClocks(page, lab.server.url);
  await runTo(page, 10);
  await page.getByRole('tab', { name: 'Space-time' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Space-time' });
  const pickHere = panel.getByRole('button', { name: 'Pick this event' });
  // Event 10: p2 receives a message; event 40: p3 receives one. Two hops join them.
  await pickHere.focus();
  await page.keyboard.press('Enter');
  const status = panel.getByTestId('st-causality');
  await expect(status).toContainText('One event picked');
  // Step on (the toolbar's Step, as the keyboard reaches it) with the tab still open.
  while ((await eventIndex(page)) < 40) {
    const before = await eventIndex(page);
    await runButton(page, 'Step').click();
    await expect.poll(() => eventIndex(page)).toBeGreaterThan(before);
  }
  await pickHere.focus();
  await page.keyboard.press('Enter');
  await expect(status).toContainText(
    /^Before: p2's deliver .*p2 sends Msg \(event 13\).*; then p1 sends Msg \(event 18\)/,
  );
  await expect(status).toContainText('the chain is highlighted on the diagram');
  // The two messages of the chain are highlighted, in order; no other arrow is.
  await expect(panel.getByTestId('st-chain')).toHaveCount(2);
  await expect(panel.locator('[data-testid="st-arrow"][data-chain="1"]')).toHaveAttribute(
    'data-send-event',
    '13',
  );
  await expect(panel.locator('[data-testid="st-arrow"][data-chain="2"]')).toHaveAttribute(
    'data-send-event',
    '18',
  );
  await page.screenshot({ path: shot('logical-clocks-chain-1440-light.png') });
});
