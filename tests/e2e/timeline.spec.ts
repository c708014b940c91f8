// The timeline scrubber and the resizable bottom panel (web mode), used the way a person does:
// drag the scrubber, use its keys, play on from an earlier event, drag and key the splitter,
// collapse the panel, and find the layout again after a reload.
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, logRows, openOn, runButton, stepTimes } from './run-helpers';

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const splitter = (page: Page) => page.getByRole('separator', { name: 'Resize bottom panel' });
const panel = (page: Page) => page.getByRole('region', { name: 'Run output' });

/** Plays at the fastest speed until more than `min` events have run, then pauses; the event. */
async function runPast(page: Page, min: number): Promise<number> {
  // 1x: ping-pong's 10 s run takes 10 s, so Pause comes before its end.
  await page.getByRole('slider', { name: 'Speed' }).fill('0');
  await runButton(page, 'Play').click();
  await expect.poll(() => eventIndex(page), { timeout: 20_000 }).toBeGreaterThan(min);
  await runButton(page, 'Pause').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'false');
  const n = await eventIndex(page);
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(n));
  return n;
}

async function panelHeight(page: Page): Promise<number> {
  return Math.round((await panel(page).boundingBox())?.height ?? 0);
}

/** Counts sim.seek requests in flight at once over the page's WebSocket. */
function watchSeeks(page: Page): { maxInFlight: () => number; sent: () => number } {
  const open = new Set<number>();
  let max = 0;
  let sent = 0;
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const msg = JSON.parse(String(payload)) as { id?: number; method?: string };
      if (msg.method === 'sim.seek' && typeof msg.id === 'number') {
        open.add(msg.id);
        sent++;
        max = Math.max(max, open.size);
      }
    });
    ws.on('framereceived', ({ payload }) => {
      const msg = JSON.parse(String(payload)) as { id?: number };
      if (typeof msg.id === 'number') open.delete(msg.id);
    });
  });
  return { maxInFlight: () => max, sent: () => sent };
}

test('dragging the timeline to the middle seeks there, with the log following', async ({ page, lab }) => {
  const seeks = watchSeeks(page);
  await openOn(page, lab.server.url, 'ping-pong');
  await expect(timeline(page)).toHaveAttribute('aria-valuetext', 'no run yet');
  const n = await runPast(page, 200);
  await expect(timeline(page)).toHaveAttribute('aria-valuemax', String(n));

  const box = (await timeline(page).boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
  await page.mouse.up();

  await expect.poll(async () => Math.abs((await eventIndex(page)) - n / 2)).toBeLessThanOrEqual(1);
  const mid = await eventIndex(page);
  // The scrubber, the toolbar and the log agree; the strip still spans the whole run.
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(mid));
  await expect(timeline(page)).toHaveAttribute('aria-valuemax', String(n));
  await expect(timeline(page)).toHaveAttribute(
    'aria-valuetext',
    new RegExp(`^event ${mid.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}, t = `),
  );
  const current = page.locator('.log-row.is-current').first();
  await expect(current).toHaveAttribute('data-event', String(mid));
  await expect(current).toBeInViewport();
  // Later events stay in the log, dimmed as "ahead".
  await expect(logRows(page).and(page.locator('.is-ahead')).first()).toBeAttached();
  // The hover readout names the event under the pointer.
  await expect(page.locator('.tl-tip')).toContainText(`event ${mid.toLocaleString('en-US')}`);
  // The drag sent several seeks, never two at once.
  expect(seeks.sent()).toBeGreaterThan(1);
  expect(seeks.maxInFlight()).toBe(1);
});

test('the timeline keys: Home, End, arrows and PageUp/PageDown', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n = await runPast(page, 200);
  await timeline(page).focus();
  await page.keyboard.press('Home');
  await expect.poll(() => eventIndex(page)).toBe(0);
  await expect(page.getByRole('banner').getByLabel('Virtual time')).toHaveText('t = 0 µs');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => eventIndex(page)).toBe(3);
  await expect(page.locator('.log-row.is-current').first()).toHaveAttribute('data-event', '3');
  await expect(page.locator('.log-row.is-current').first()).toBeInViewport();
  await page.keyboard.press('End');
  await expect.poll(() => eventIndex(page)).toBe(n);
  // Back at the end, the log shows its tail again with the current event.
  await expect(page.locator('.log-row.is-current').last()).toHaveAttribute('data-event', String(n));
  await expect(page.locator('.log-row.is-current').last()).toBeInViewport();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => eventIndex(page)).toBe(n - 1);
  const page1 = Math.max(1, Math.round(n / 100));
  await page.keyboard.press('PageDown');
  await expect.poll(() => eventIndex(page)).toBe(n - 1 - page1);
  await page.keyboard.press('PageUp');
  await expect.poll(() => eventIndex(page)).toBe(n - 1);
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(n - 1));
});

test('scrubbing back and pressing Play continues from there, and the timeline follows', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const n = await runPast(page, 200);
  const box = (await timeline(page).boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.25, box.y + box.height / 2);
  await expect.poll(async () => Math.abs((await eventIndex(page)) - n / 4)).toBeLessThanOrEqual(1);
  const back = await eventIndex(page);
  expect(back).toBeLessThan(n);
  await runButton(page, 'Play').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'true');
  // It plays on past where it had been, and the strip grows with it.
  await expect.poll(() => eventIndex(page), { timeout: 20_000 }).toBeGreaterThan(n + 20);
  await expect
    .poll(async () => Number(await timeline(page).getAttribute('aria-valuemax')))
    .toBeGreaterThan(n);
  await runButton(page, 'Pause').click();
  // Pause takes effect once the host says so; events of the page in flight may still land.
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'false');
  const end = await eventIndex(page);
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(end));
  await expect(timeline(page)).toHaveAttribute('aria-valuemax', String(end));
});

test('a fault is marked on the timeline and named when the scrubber is on it', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await stepTimes(page, 3);
  await canvasNode(page, 'n2').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Crash' }).click();
  await expect(canvasNode(page, 'n2')).toContainText('crashed');
  const fault = await eventIndex(page);
  await stepTimes(page, 4);
  await expect(page.locator('.tl-mark.is-fault')).toHaveCount(1);
  await timeline(page).focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => eventIndex(page)).toBe(fault);
  await expect(timeline(page)).toHaveAttribute('aria-valuetext', /, fault$/);
  await page.keyboard.press('End');
  await expect.poll(() => eventIndex(page)).toBe(fault + 4);
  // Hovering the mark names it, with its time.
  const box = (await timeline(page).boundingBox())!;
  await page.mouse.move(box.x + (box.width * fault) / (fault + 4), box.y + box.height / 2);
  await expect(page.locator('.tl-tip')).toContainText(`event ${fault}`);
  await expect(page.locator('.tl-tip')).toContainText('fault');
  await expect(page.locator('.tl-tip')).toContainText('t = ');
  await page.screenshot({ path: shot('timeline-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: shot('timeline-dark.png') });
});

test('the splitter resizes the bottom panel by drag and keys, and the height survives a reload', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const start = await panelHeight(page);
  await expect(splitter(page)).toHaveAttribute('aria-valuenow', String(start));
  await expect(splitter(page)).toHaveAttribute('aria-orientation', 'horizontal');

  const box = (await splitter(page).boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y);
  await page.mouse.down();
  await page.mouse.move(x, box.y - 60, { steps: 6 });
  await page.mouse.move(x, box.y - 100, { steps: 6 });
  await page.mouse.up();
  await expect.poll(() => panelHeight(page)).toBe(start + 100);

  await splitter(page).focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => panelHeight(page)).toBe(start + 132);
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => panelHeight(page)).toBe(start + 116);
  await expect(splitter(page)).toHaveAttribute('aria-valuenow', String(start + 116));
  // Home: the least height.
  await page.keyboard.press('Home');
  await expect.poll(() => panelHeight(page)).toBe(120);
  await page.keyboard.press('PageUp');
  await expect.poll(() => panelHeight(page)).toBe(184);

  await expect(splitter(page)).toHaveAttribute('data-layout-saved', 'true');
  await page.reload();
  await expect(canvasNode(page, 'n1')).toBeVisible();
  await expect.poll(() => panelHeight(page)).toBe(184);

  // Double-click: back to the default.
  await splitter(page).dblclick();
  await expect.poll(() => panelHeight(page)).toBe(start);
});

test('the bottom panel collapses to its tabs and expands again, also after a reload', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const start = await panelHeight(page);
  await page.getByRole('button', { name: 'Collapse bottom panel' }).click();
  await expect(panel(page).getByRole('tabpanel')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Event log' })).toBeVisible();
  expect(await panelHeight(page)).toBeLessThan(60);
  await expect(splitter(page)).toHaveAttribute('aria-valuetext', 'collapsed');
  // The timeline stays.
  await expect(timeline(page)).toBeVisible();

  await expect(splitter(page)).toHaveAttribute('data-layout-saved', 'true');
  await page.reload();
  await expect(canvasNode(page, 'n1')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Expand bottom panel' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  // Choosing a tab opens the panel again; so does the toggle or Enter on the splitter.
  await page.getByRole('tab', { name: 'Lesson' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Lesson' })).toBeVisible();
  await expect.poll(() => panelHeight(page)).toBe(start);
  await splitter(page).focus();
  await page.keyboard.press('Enter');
  await expect(panel(page).getByRole('tabpanel')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tabpanel', { name: 'Lesson' })).toBeVisible();
});

test('the broken invariant is marked where the run stopped, and End goes back to it', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'broadcast');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('checkbox', { name: /Relayed copies are delivered again/ }).check();
  await runButton(page, 'Play').click();
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken', { timeout: 15_000 });
  const at = await eventIndex(page);
  await expect(timeline(page)).toHaveAttribute('aria-valuemax', String(at));
  await expect(timeline(page)).toHaveAttribute('aria-valuetext', /, invariant broken$/);
  await expect(page.locator('.tl-mark.is-violation')).toHaveCount(1);
  await timeline(page).focus();
  await page.keyboard.press('Home');
  await expect.poll(() => eventIndex(page)).toBe(0);
  // The mark stays after going back (the host's status forgets the violation there).
  await expect(page.locator('.tl-mark.is-violation')).toHaveCount(1);
  const box = (await timeline(page).boundingBox())!;
  await page.mouse.move(box.x + box.width - 0.5, box.y + box.height / 2);
  await expect(page.locator('.tl-tip')).toContainText(`event ${at.toLocaleString('en-US')}`);
  await expect(page.locator('.tl-tip')).toContainText('invariant broken');
  await page.keyboard.press('End');
  await expect.poll(() => eventIndex(page)).toBe(at);
});
