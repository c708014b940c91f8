// Running a cluster the way a person does it (web mode): play, pause, step, rewind, reset,
// seeds, faults from the canvas and stepping to the next event of a kind.
import { expect, test } from './fixtures';
import {
  canvasNode,
  eventIndex,
  firstRows,
  logRows,
  openOn,
  runButton,
  stepTimes,
  timeText,
} from './run-helpers';

test('Play advances the event index and Pause stops it promptly', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  expect(await eventIndex(page)).toBe(0);
  await runButton(page, 'Play').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => eventIndex(page), { timeout: 10_000 }).toBeGreaterThan(3);
  // Messages are drawn in flight while it plays: dots on the canvas, and the picture's text
  // alternative says how many and of which types.
  await expect(page.getByRole('img', { name: /^[1-9]\d* messages? in flight/ })).toBeAttached();
  await expect
    .poll(async () => Number(await page.getByTestId('message-layer').getAttribute('data-dots')))
    .toBeGreaterThan(0);
  await runButton(page, 'Pause').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'false');
  const stopped = await eventIndex(page);
  await page.waitForTimeout(600);
  expect(await eventIndex(page)).toBe(stopped);
  await expect(page.getByTestId('run-state')).toContainText('paused');
});

test('Step advances exactly one event and Step back returns to the same time', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await expect(page.getByRole('banner').getByLabel('Virtual time')).toHaveText('t = 0 µs');
  await stepTimes(page, 6);
  const t6 = await timeText(page);
  await stepTimes(page, 1);
  expect(await eventIndex(page)).toBe(7);
  const t7 = await timeText(page);
  expect(t7).not.toBe(t6);
  await runButton(page, 'Step back').click();
  await expect.poll(() => eventIndex(page)).toBe(6);
  expect(await timeText(page)).toBe(t6);
  // The log marks the current event.
  await expect(
    logRows(page)
      .locator('xpath=.')
      .filter({ has: page.locator('.log-event') })
      .first(),
  ).toBeVisible();
  await expect(page.locator('.log-row.is-current').first()).toHaveAttribute('data-event', '6');
});

test('Reset returns to event 0', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 5);
  await runButton(page, 'Reset').click();
  await expect.poll(() => eventIndex(page)).toBe(0);
  await expect(page.getByRole('banner').getByLabel('Virtual time')).toHaveText('t = 0 µs');
  await stepTimes(page, 1);
  await expect(page.locator('.log-row').first()).toHaveAttribute('data-event', '1');
});

test('a different seed gives a different trace and the same seed the same trace', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const seed = page.getByRole('banner').getByRole('spinbutton', { name: 'Seed' });
  await seed.fill('1');
  await stepTimes(page, 14);
  const one = await firstRows(page, 12);

  await seed.fill('2');
  // A seed change resets the run.
  await expect.poll(() => eventIndex(page)).toBe(0);
  await stepTimes(page, 14);
  const two = await firstRows(page, 12);
  expect(two).not.toEqual(one);

  await seed.fill('1');
  await expect.poll(() => eventIndex(page)).toBe(0);
  await stepTimes(page, 14);
  expect(await firstRows(page, 12)).toEqual(one);
});

test('crashing a node from its context menu greys it out and logs the fault', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 3);
  const n2 = canvasNode(page, 'n2');
  await n2.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Faults: n2' });
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Crash' }).click();
  await expect(menu).toBeHidden();
  await expect(n2.locator('.lab-node')).toHaveClass(/is-crashed/);
  await expect(n2).toContainText('crashed');
  await expect(page.locator('.log-row[data-kind="fault"]')).toContainText('crash n2');

  // The keyboard way in: Shift+F10 on the focused node, then Restart.
  await n2.focus();
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Crash' })).toHaveAttribute('aria-disabled', 'true');
  await menu.getByRole('menuitem', { name: 'Restart' }).focus();
  await page.keyboard.press('Enter');
  await expect(n2.locator('.lab-node')).not.toHaveClass(/is-crashed/);
  await expect(page.locator('.log-row[data-kind="fault"]').last()).toContainText('restart n2');
});

test('cutting a link makes messages drop', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 3);
  const link = page.getByRole('group', { name: 'Link n1 – switch' });
  await link.click({ button: 'right', force: true });
  const menu = page.getByRole('menu', { name: /Faults: Link n1 – switch/ });
  await menu.getByRole('menuitem', { name: 'Cut', exact: true }).click();
  await expect(page.locator('.log-row[data-kind="fault"]')).toContainText('cut-link n1-sw both');
  await expect(link.locator('.lab-link')).toHaveClass(/is-cut/);

  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page
    .getByRole('dialog', { name: 'Step to next event' })
    .getByRole('button', { name: 'Next drop' })
    .click();
  await expect(page.locator('.log-row.is-current[data-kind="drop"]').first()).toBeVisible();
  await expect(page.getByRole('img', { name: /[1-9]\d* messages? dropped/ })).toBeAttached();
});

test('Step to next deliver lands on a deliver row', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await stepTimes(page, 1);
  await page.getByRole('button', { name: 'Step to next…' }).click();
  const pop = page.getByRole('dialog', { name: 'Step to next event' });
  await pop.getByRole('button', { name: 'Next deliver' }).click();
  await expect(pop).toBeHidden();
  const current = page.locator('.log-row.is-current[data-kind="deliver"]');
  await expect(current.first()).toBeVisible();
  expect(Number(await current.first().getAttribute('data-event'))).toBe(await eventIndex(page));
});

test('editing the topology during a run resets it, with a toast saying so', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 4);
  await page.getByRole('button', { name: 'Add Switch' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
    'The topology changed, so the run was reset to event 0.',
  );
  await expect.poll(() => eventIndex(page)).toBe(0);
  await expect(page.getByTestId('run-state')).toHaveText('Run: no run');
});

test('isolating a selection of nodes partitions it from the rest', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await stepTimes(page, 4);
  await canvasNode(page, 'n1').click();
  await canvasNode(page, 'n2').click({ modifiers: ['Control'] });
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('2 nodes');
  await inspector.getByRole('button', { name: 'Isolate selection' }).click();
  await expect(page.locator('.log-row[data-kind="fault"]')).toContainText('partition');
  await expect(page.locator('.log-row[data-kind="fault"]')).toContainText('{n1,n2} | {n3,n4}');
  // Messages across the cut now drop.
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page.getByRole('button', { name: 'Next drop' }).click();
  await expect(page.locator('.log-row.is-current[data-kind="drop"]').first()).toContainText('partition');
});

test('the event log never shows a blank frame while playing or after Pause', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  // 2x: rows arrive faster than the log's scroll events (the case that blanked it), and the
  // 10 s run lasts 5 s, so Pause lands while it plays.
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  // From the protocol's own speed, step up to 2x (each step is 0.05 of a decade).
  for (let i = 0; i < 120 && (await speed.getAttribute('aria-valuetext')) !== '2x'; i++)
    await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', '2x');
  // Look at every frame just before it is painted: resize observer callbacks run after all
  // animation frame callbacks and layout. A frame is blank when the log holds rows but none of
  // them is inside its scroller.
  await page.evaluate(() => {
    const w = window as unknown as { blankFrames: string[]; frames: number };
    w.blankFrames = [];
    w.frames = 0;
    let seen = false;
    const probe = document.createElement('div');
    probe.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;pointer-events:none';
    document.body.append(probe);
    new ResizeObserver(() => {
      w.frames++;
      const scroller = document.querySelector('.log-scroll');
      if (!scroller) return;
      const box = scroller.getBoundingClientRect();
      const shown = [...scroller.querySelectorAll('.log-row')].some((r) => {
        const b = r.getBoundingClientRect();
        return b.bottom > box.top + 2 && b.top < box.bottom - 2;
      });
      if (shown) seen = true;
      else if (seen) w.blankFrames.push(`scrolled to ${scroller.scrollTop} of ${scroller.scrollHeight} px`);
    }).observe(probe);
    let k = 0;
    const tick = () => {
      probe.style.width = `${1 + (k++ % 2)}px`;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await runButton(page, 'Play').click();
  await expect.poll(() => eventIndex(page), { timeout: 10_000 }).toBeGreaterThan(300);
  await page.waitForTimeout(1000);
  await runButton(page, 'Pause').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'false');
  await page.waitForTimeout(1000);
  const seen = await page.evaluate(() => {
    const w = window as unknown as { blankFrames: string[]; frames: number };
    return { frames: w.frames, blankFrames: w.blankFrames };
  });
  expect(seen.frames, 'frames looked at').toBeGreaterThan(60);
  expect(seen.blankFrames, 'blank frames of the event log').toEqual([]);
  await expect(logRows(page).last()).toBeInViewport();
});
