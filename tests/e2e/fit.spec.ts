// The frame fits the window from 1024x640 up: every toolbar control on screen, none on another,
// what does not fit in the More menu; the bottom panel's tabs likewise, the rest in "More tabs"
// (issue 15 item 3; docs/workbench.md "The toolbar in a narrow window").
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { runButton } from './run-helpers';

interface Box {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The control is what the page shows at its centre (nothing drawn over it). */
  onTop: boolean;
}

/** Every control the toolbar shows (not those in a closed menu), with its box. */
async function toolbarControls(page: Page): Promise<Box[]> {
  return page.locator('header.toolbar').evaluate((header) => {
    const all = header.querySelectorAll<HTMLElement>('button, select, input, output');
    return [...all]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.popover'))
      .map((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return {
          name:
            el.getAttribute('aria-label') ??
            el.closest('label')?.querySelector('.tb-label')?.textContent ??
            el.textContent ??
            el.tagName,
          x: r.x,
          y: r.y,
          w: r.width,
          h: r.height,
          onTop: hit !== null && (hit === el || el.contains(hit)),
        };
      });
  });
}

async function expectToolbarFits(page: Page, width: number): Promise<Box[]> {
  const header = (await page.locator('header.toolbar').boundingBox())!;
  const boxes = await toolbarControls(page);
  for (const b of boxes) {
    expect(b.x, `${b.name} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.w, `${b.name} ends on screen (${width} px)`).toBeLessThanOrEqual(width);
    expect(b.y, `${b.name} inside the toolbar`).toBeGreaterThanOrEqual(header.y);
    expect(b.y + b.h, `${b.name} inside the toolbar`).toBeLessThanOrEqual(header.y + header.height);
    expect(b.onTop, `${b.name} is not covered`).toBe(true);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const apart = a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5;
      expect(apart, `${a.name} and ${b.name} do not overlap`).toBe(true);
    }
  }
  return boxes;
}

async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(runButton(page, 'Play')).toBeEnabled();
}

/** Plays the quick start (8 s) to its end at the fastest speed: the readouts at their widest. */
async function playToEnd(page: Page): Promise<void> {
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(runButton(page, 'Play')).toBeDisabled({ timeout: 30_000 });
  await expect(page.getByRole('banner').getByLabel('Virtual time')).toHaveText(/ s$/);
}

for (const [width, height] of [
  [1024, 640],
  [1024, 700],
] as const) {
  test(`at ${width}x${height} every toolbar control is on screen and apart; the rest is in More`, async ({
    page,
    lab,
  }) => {
    await page.setViewportSize({ width, height });
    await openLab(page, lab.server.url);
    const before = await expectToolbarFits(page, width);
    for (const name of [
      'Topic',
      'Protocol',
      'Play',
      'Step',
      'Reset',
      'Virtual time',
      'Event index',
      'Speed',
    ]) {
      expect(
        before.some((b) => b.name.includes(name)),
        `${name} is in the toolbar`,
      ).toBe(true);
    }
    await playToEnd(page);
    await expectToolbarFits(page, width);

    // What did not fit is one click away, and works from there.
    const banner = page.getByRole('banner');
    await banner.getByRole('button', { name: 'More controls' }).click();
    const menu = page.getByRole('dialog', { name: 'More controls' });
    await expect(menu).toBeInViewport({ ratio: 1 });
    const seed = menu.getByRole('spinbutton', { name: 'Seed' });
    await expect(seed).toBeInViewport({ ratio: 1 });
    await seed.fill('42');
    await expect(page.getByRole('contentinfo')).toContainText('seed 42');
    const themeBefore = await page.evaluate(() => document.documentElement.dataset.theme);
    await menu.getByRole('button', { name: /theme$/ }).click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
      .not.toBe(themeBefore);
    await menu.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(banner.getByRole('button', { name: 'More controls' })).toBeFocused();
  });
}

test('at 1440x900 the whole toolbar shows, the seed and theme included, with no More menu', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  await playToEnd(page);
  await expectToolbarFits(page, 1440);
  const banner = page.getByRole('banner');
  await expect(banner.getByRole('spinbutton', { name: 'Seed' })).toBeInViewport({ ratio: 1 });
  await expect(banner.getByRole('button', { name: 'Toggle theme' })).toBeInViewport({ ratio: 1 });
  await expect(banner.getByRole('button', { name: 'Branch' })).toBeInViewport({ ratio: 1 });
  await expect(banner.getByRole('button', { name: 'More controls' })).toHaveCount(0);
});

test('widening the window brings folded controls back into the toolbar', async ({ page, lab }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openLab(page, lab.server.url);
  const banner = page.getByRole('banner');
  await expect(banner.getByRole('button', { name: 'More controls' })).toBeVisible();
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(banner.getByRole('spinbutton', { name: 'Seed' })).toBeInViewport({ ratio: 1 });
  await expect(banner.getByRole('button', { name: 'More controls' })).toHaveCount(0);
  await page.setViewportSize({ width: 1100, height: 700 });
  await expectToolbarFits(page, 1100);
});

test('at 1024x700 the bottom tab strip shows whole tabs, apart, and the rest under "More tabs"', async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openLab(page, lab.server.url);
  // A Raft exercise has the most tabs: Exercise, the six of every protocol, Logs and Experiment.
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'End the split votes', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  const tablist = page.getByRole('tablist', { name: 'Run output' });
  await expect(tablist.getByRole('tab', { name: 'Exercise' })).toHaveAttribute('aria-selected', 'true');

  const head = (await page.locator('.bottom-head').boundingBox())!;
  const boxes = await tablist.getByRole('tab').evaluateAll((tabs) =>
    tabs.map((t) => {
      const r = t.getBoundingClientRect();
      // Lines of its label: a wrapped one ("Event / log") has text boxes at two heights.
      const text = document.createRange();
      text.selectNodeContents(t);
      const lines = new Set([...text.getClientRects()].map((l) => Math.round(l.y))).size;
      return { name: t.textContent ?? '', x: r.x, w: r.width, lines };
    }),
  );
  const toggle = (await page.getByRole('button', { name: /(Collapse|Expand) bottom panel/ }).boundingBox())!;
  const more = page.getByRole('button', { name: 'More tabs' });
  const moreBox = await more.boundingBox();
  const right = Math.min(toggle.x, moreBox?.x ?? toggle.x);
  for (const b of boxes) {
    expect(b.x, `${b.name} starts inside the strip`).toBeGreaterThanOrEqual(head.x);
    expect(b.x + b.w, `${b.name} ends before the buttons`).toBeLessThanOrEqual(right);
    expect(b.lines, `${b.name} on one line`).toBe(1);
  }
  for (let i = 1; i < boxes.length; i++)
    expect(boxes[i]!.x, `${boxes[i]!.name} after ${boxes[i - 1]!.name}`).toBeGreaterThanOrEqual(
      boxes[i - 1]!.x + boxes[i - 1]!.w,
    );

  // Every tab is reachable: in the strip, or in the menu, and choosing it there selects it.
  const shown = boxes.map((b) => b.name);
  const all = [
    'Exercise',
    'Event log',
    'Space-time',
    'Metrics',
    'Logs',
    'Experiment',
    'Checkers',
    'Lesson',
    'Compare',
  ];
  const missing = all.filter((n) => !shown.includes(n));
  expect(missing.length, 'tabs that did not fit').toBeGreaterThan(0);
  await more.click();
  const menu = page.getByRole('menu', { name: 'More tabs' });
  await expect(menu.getByRole('menuitem')).toHaveText(missing);
  const last = missing[missing.length - 1]!;
  await menu.getByRole('menuitem', { name: last }).click();
  await expect(tablist.getByRole('tab', { name: last })).toHaveAttribute('aria-selected', 'true');
  await expect(tablist.getByRole('tab', { name: last })).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: last })).toBeVisible();
});

test('at 1024x700 the status bar items do not run into each other', async ({ page, lab }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openLab(page, lab.server.url);
  await runButton(page, 'Step').click();
  await expect(page.getByTestId('run-state')).toContainText('paused');
  const items = await page.locator('footer.statusbar > .status-item').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent ?? '', x: r.x, right: r.right, cut: el.scrollWidth > el.clientWidth + 1 };
    }),
  );
  expect(items.length).toBeGreaterThanOrEqual(5);
  for (let i = 1; i < items.length; i++)
    expect(items[i]!.x, `"${items[i]!.text}" starts after "${items[i - 1]!.text}"`).toBeGreaterThanOrEqual(
      items[i - 1]!.right,
    );
  // The counts, seed, run state and theme are whole; only the app line and document name may
  // give way (with an ellipsis).
  for (const it of items.slice(-4)) expect(it.cut, `"${it.text}" is whole`).toBe(false);
  expect(items[items.length - 1]!.right).toBeLessThanOrEqual(1024);
});

test('at 1024x700 the event log filter row keeps its row count on one line', async ({ page, lab }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openLab(page, lab.server.url);
  await playToEnd(page);
  const count = page.locator('.log-count');
  await expect(count).toHaveText(/\d rows$/);
  const { lines, right, rowRight } = await count.evaluate((el) => {
    const text = document.createRange();
    text.selectNodeContents(el);
    const row = el.closest('.log-filters')!.getBoundingClientRect();
    return {
      lines: new Set([...text.getClientRects()].map((l) => Math.round(l.y))).size,
      right: el.getBoundingClientRect().right,
      rowRight: row.right,
    };
  });
  expect(lines, 'the row count on one line').toBe(1);
  expect(right, 'the row count inside its row').toBeLessThanOrEqual(rowRight);
});
