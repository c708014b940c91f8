// Helpers the run, views and a11y specs share: open the lab on a protocol, read the toolbar.
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** A canvas node by its accessible name (xyflow gives nodes role=group). */
export const canvasNode = (page: Page, name: string): Locator =>
  page.locator('.react-flow__node').and(page.getByRole('group', { name }));

/** Opens the lab and switches to a protocol of the 'basics' topic. */
export async function openOn(
  page: Page,
  url: string,
  protocol: 'ping-pong' | 'broadcast' | 'heartbeat-detector',
): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  if ((await topic.inputValue()) !== 'basics') await topic.selectOption('basics');
  if ((await picker.inputValue()) !== protocol) await picker.selectOption(protocol);
  await expect(picker).toHaveValue(protocol);
  await expect(canvasNode(page, protocol === 'heartbeat-detector' ? 'p1' : 'n1')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeEnabled();
}

/** The event index the toolbar shows. */
export async function eventIndex(page: Page): Promise<number> {
  const text = await page.getByRole('banner').getByLabel('Event index').textContent();
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

/** The virtual time the toolbar shows, as text. */
export async function timeText(page: Page): Promise<string> {
  return (await page.getByRole('banner').getByLabel('Virtual time').textContent()) ?? '';
}

/** A toolbar button by its exact name. */
export const runButton = (page: Page, name: string): Locator =>
  page.getByRole('banner').getByRole('button', { name, exact: true });

/** Clicks Step n times, waiting for each to land. */
export async function stepTimes(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = await eventIndex(page);
    await runButton(page, 'Step').click();
    await expect.poll(() => eventIndex(page)).toBe(before + 1);
  }
}

/** The event log's rows (the ones in the DOM: the log is windowed). */
export const logRows = (page: Page): Locator =>
  page.getByRole('tabpanel', { name: 'Event log' }).locator('.log-row');

/** The text of the first n rows of the event log, scrolled to its top with the wheel. */
export async function firstRows(page: Page, n: number): Promise<string[]> {
  const scroller = page.locator('.log-scroll');
  await scroller.hover();
  await page.mouse.wheel(0, -100_000);
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBe(0);
  const rows = logRows(page);
  await expect(rows.first()).toHaveAttribute('data-event', '1');
  await expect(rows.nth(n - 1)).toBeAttached();
  return (await rows.allTextContents()).slice(0, n);
}
