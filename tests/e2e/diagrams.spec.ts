// The bottom panel's diagrams (web mode), as a person uses them: the space-time diagram of a
// broadcast run (lanes, arrows, click to seek, export), the consistent-hashing ring across a
// node join, and Raft's Figure 16 experiment. Also the docs/screenshots/views-*.png shots.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Download, Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, openOn, runButton } from './run-helpers';

/** Opens the lab on any topic's protocol. */
async function openProtocol(page: Page, url: string, topic: string, protocol: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topicBox = page.getByRole('combobox', { name: 'Topic' });
  await expect(topicBox).not.toHaveValue('');
  await topicBox.selectOption(topic);
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== protocol) await picker.selectOption(protocol);
  await expect(picker).toHaveValue(protocol);
  await expect(runButton(page, 'Play')).toBeEnabled();
}

/** Moves the speed slider to a value shown as `text` (e.g. '1x') with the arrow keys. */
async function setSpeed(page: Page, text: string): Promise<void> {
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  for (let i = 0; i < 200; i++) {
    if ((await speed.getAttribute('aria-valuetext')) === text) return;
    await page.keyboard.press('ArrowRight');
  }
  throw new Error(`the speed slider never showed ${text}`);
}

async function downloadText(download: Download): Promise<string> {
  const file = await download.path();
  return fs.readFileSync(file, 'utf8');
}

async function pause(page: Page): Promise<void> {
  await runButton(page, 'Pause').click();
  await expect(runButton(page, 'Play')).toBeVisible();
}

test('space-time: lanes and arrows of a broadcast run, a click seeks, SVG and PNG export', async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openOn(page, lab.server.url, 'broadcast');
  await setSpeed(page, '1x');
  await runButton(page, 'Play').click();
  await expect.poll(() => eventIndex(page), { timeout: 20_000 }).toBeGreaterThan(250);
  await pause(page);
  // Crash n4 and play on: its lane is shaded and messages to it end in a cross.
  await canvasNode(page, 'n4').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Crash' }).click();
  await expect(canvasNode(page, 'n4')).toContainText('crashed');
  const crashedAt = await eventIndex(page);
  await runButton(page, 'Play').click();
  await expect.poll(() => eventIndex(page), { timeout: 20_000 }).toBeGreaterThan(crashedAt + 60);
  await pause(page);

  await page.getByRole('tab', { name: 'Space-time' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Space-time' });
  const svg = panel.getByTestId('spacetime-svg');
  await expect(svg).toBeVisible();
  // One lane per node, in id order.
  const lanes = svg.getByTestId('st-lane');
  const ids = await lanes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
  expect(ids).toEqual(['n1', 'n2', 'n3', 'n4']);
  const arrows = svg.getByTestId('st-arrow');
  await expect.poll(() => arrows.count()).toBeGreaterThan(4);
  await expect(svg.getByTestId('st-cursor')).toHaveCount(1);
  await expect(svg.getByTestId('st-crashed')).toHaveCount(1);
  await expect.poll(() => svg.getByTestId('st-drop').count()).toBeGreaterThan(0);
  await expect.poll(() => svg.getByTestId('st-mark').count()).toBeGreaterThan(0);
  await expect(panel.getByRole('list', { name: 'Message types' })).not.toBeEmpty();
  await page.screenshot({ path: 'test-results/views-spacetime-light.png' });

  // Click an arrow whose middle is not under another one; the run goes to its event.
  const pick = await arrows.evaluateAll((els) => {
    const now = Number(document.querySelector('[aria-label="Event index"]')?.textContent?.replace(/\D/g, ''));
    for (const el of els.reverse()) {
      const ev = Number(el.getAttribute('data-event'));
      if (el.getAttribute('data-end') !== 'deliver' || ev >= now - 3) continue;
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      if (hit && el.contains(hit)) return { ev, x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  });
  expect(pick, 'an arrow that can be clicked').not.toBeNull();
  await page.mouse.click(pick!.x, pick!.y);
  await expect.poll(() => eventIndex(page)).toBe(pick!.ev);

  // Zoom changes the span shown.
  const readout = panel.locator('.views-readout');
  const before = await readout.textContent();
  await panel.getByRole('button', { name: 'Zoom out' }).click();
  await expect(readout).not.toHaveText(before ?? '');
  // The wheel zooms too (in, around the pointer).
  const zoomedOut = await readout.textContent();
  await svg.hover();
  await page.mouse.wheel(0, -300);
  await expect(readout).not.toHaveText(zoomedOut ?? '');

  // Export SVG: a standalone SVG document.
  const [svgDownload] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export SVG' }).click(),
  ]);
  expect(svgDownload.suggestedFilename()).toMatch(/^space-time-broadcast-e\d+\.svg$/);
  const text = await downloadText(svgDownload);
  const parsed = await page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    return {
      root: doc.documentElement.nodeName,
      error: doc.getElementsByTagName('parsererror').length,
      arrows: doc.querySelectorAll('[data-testid="st-arrow"]').length,
    };
  }, text);
  expect(parsed).toMatchObject({ root: 'svg', error: 0 });
  expect(parsed.arrows).toBeGreaterThan(0);

  // Export PNG: a PNG file.
  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export PNG' }).click(),
  ]);
  expect(pngDownload.suggestedFilename()).toMatch(/\.png$/);
  const png = fs.readFileSync(await pngDownload.path());
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');

  // The metrics tab exports its series as CSV.
  await page.getByRole('tab', { name: 'Metrics' }).click();
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('tabpanel', { name: 'Metrics' }).getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = (await downloadText(csvDownload)).split('\n');
  expect(csv[0]).toMatch(/^t_us,/);
  expect(csv.length).toBeGreaterThan(3);

  // Dark theme screenshot of the diagram.
  await page.getByRole('tab', { name: 'Space-time' }).click();
  await panel.getByRole('button', { name: 'Follow' }).click();
  // Zoomed in, where the messages lean with their latency.
  for (let i = 0; i < 7; i++) await panel.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'test-results/views-spacetime-dark.png' });
});

test('ring: virtual nodes and keys, and what the join of n5 moved vs modulo-N', async ({ page, lab }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openProtocol(page, lab.server.url, 'consistent-hashing', 'consistent-hashing');
  await page.getByRole('tab', { name: 'Ring' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Ring' });
  // Run to the scripted join (the first fault, at 3 s), so the ring is seen before it.
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page.getByRole('button', { name: 'Next fault' }).click();
  const ring = panel.getByTestId('ring-svg');
  await expect(ring).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => ring.getByTestId('ring-vnode').count()).toBe(4 * 64);
  await page.waitForTimeout(700); // one refresh of the tab sees the four members
  // The coordinator notices n5 at its next tick: play a little past it.
  await setSpeed(page, '0.5x');
  await runButton(page, 'Play').click();
  await expect.poll(() => ring.getByTestId('ring-vnode').count(), { timeout: 30_000 }).toBe(5 * 64);
  await pause(page);
  await expect.poll(() => ring.getByTestId('ring-key').count()).toBeGreaterThan(100);
  await expect.poll(() => ring.locator('[data-moved="true"]').count()).toBeGreaterThan(0);
  const moved = Number(await ring.getByTestId('ring-moved').getAttribute('data-value'));
  const modN = Number(await ring.getByTestId('ring-moved-modn').getAttribute('data-value'));
  expect(moved).toBeGreaterThan(0);
  expect(moved).toBeLessThan(modN);
  await expect(ring.getByTestId('ring-node')).toHaveCount(5);
  await page.screenshot({ path: 'test-results/views-ring-light.png' });
});

test('ring: the legend names nodes as the canvas does, after a rename', async ({ page, lab }) => {
  await openProtocol(page, lab.server.url, 'consistent-hashing', 'consistent-hashing');
  await canvasNode(page, 'n1').click();
  await page
    .getByRole('complementary', { name: 'Inspector' })
    .getByRole('textbox', { name: 'Name' })
    .fill('alpha');
  await expect(canvasNode(page, 'alpha')).toBeVisible();
  await page.getByRole('tab', { name: 'Ring' }).click();
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page.getByRole('button', { name: 'Next fault' }).click();
  const legend = page.getByRole('tabpanel', { name: 'Ring' }).getByTestId('ring-node');
  await expect(legend.first()).toBeVisible({ timeout: 30_000 });
  await expect(legend.filter({ hasText: 'alpha' })).toHaveCount(1);
  await expect(legend.filter({ hasText: /^n1\b/ })).toHaveCount(0);
});

test('experiment: Raft Figure 16 draws both graphs, every trial counted, censored ones at the cap', async ({
  page,
  lab,
}) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openProtocol(page, lab.server.url, 'consensus', 'raft');
  await expect(page.getByRole('tab', { name: 'Ring' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Experiment' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Experiment' });
  const trials = panel.getByRole('combobox', { name: 'Trials per range' });
  // The paper's 1000 trials per range is the default; 50 keeps the test short.
  await expect(trials).toHaveValue('1000');
  await trials.selectOption('50');
  const run = panel.getByRole('button', { name: 'Run experiment' });
  await run.click();
  const series = panel.getByTestId('cdf-series');
  await expect(series).toHaveCount(11, { timeout: 200_000 });
  await expect(panel.getByTestId('cdf-panel')).toHaveCount(2);
  const legend = panel.getByTestId('cdf-legend');
  await expect(legend).toHaveCount(11);
  // 150 ms (no randomness): split votes repeat, every trial censored, and it says so.
  await expect(legend.first()).toContainText('150 ms');
  await expect(legend.first()).toContainText('50 of 50 over 10 s');
  await expect(panel.getByTestId('cdf-censored').first()).toBeVisible();
  await expect(panel.getByTestId('cdf-cap').first()).toContainText('cap 10 s');
  await expect(run).toBeEnabled();
  await page.screenshot({ path: shot('views-experiment-light.png') });
  const scroller = page.locator('.views-exp');
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await scroller.evaluate((el) => el.scrollTo(0, 0));
      await page.screenshot({ path: shot(`experiment-${width}x${height}-${scheme}.png`) });
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.screenshot({ path: shot(`experiment-${width}x${height}-${scheme}-end.png`) });
    }
  }
});

test.describe('accessibility', () => {
  // axe is injected as a script tag, which the lab's CSP refuses.
  test.use({ bypassCSP: true });

  test('the space-time and experiment tabs have no serious axe violations, both themes', async ({
    page,
    lab,
  }) => {
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const serious = async (): Promise<string[]> => {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
      return page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: unknown): Promise<{ violations: unknown[] }> } })
          .axe;
        const result = await axe.run({ include: [['.bottom']] });
        return (result.violations as { id: string; impact: string | null; nodes: { target: unknown }[] }[])
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
      });
    };
    await openOn(page, lab.server.url, 'broadcast');
    await setSpeed(page, '1x');
    await runButton(page, 'Play').click();
    await expect.poll(() => eventIndex(page), { timeout: 20_000 }).toBeGreaterThan(60);
    await pause(page);
    await page.getByRole('tab', { name: 'Space-time' }).click();
    await expect(page.getByTestId('spacetime-svg')).toBeVisible();
    expect(await serious(), 'space-time, light').toEqual([]);
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await page.waitForTimeout(300);
    expect(await serious(), 'space-time, dark').toEqual([]);
    await openProtocol(page, lab.server.url, 'consensus', 'raft');
    await page.getByRole('tab', { name: 'Experiment' }).click();
    await expect(page.getByRole('button', { name: 'Run experiment' })).toBeVisible();
    expect(await serious(), 'experiment').toEqual([]);
  });
});
