// The bottom panel's views and the inspector during a run (web mode): event log filters and
// seeking, metrics charts, checkers, the node's state tree. Also the run screenshots.
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, logRows, openOn, runButton, stepTimes, timeText } from './run-helpers';

test('the event log filters by node, kind and text, and a click on a row seeks there', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 12);
  const panel = page.getByRole('tabpanel', { name: 'Event log' });
  const rows = logRows(page);
  await expect(rows.first()).toBeVisible();

  await panel.getByRole('combobox', { name: 'Node' }).selectOption({ label: 'n2' });
  await expect(panel).toContainText(/of \d+ rows/);
  for (const text of await rows.allTextContents()) expect(text).toContain('n2');

  await panel.getByRole('combobox', { name: 'Kind' }).selectOption('deliver');
  await expect(rows.first()).toHaveAttribute('data-kind', 'deliver');
  for (const kind of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))
    expect(kind).toBe('deliver');

  await panel.getByRole('combobox', { name: 'Node' }).selectOption({ label: 'All nodes' });
  await panel.getByRole('combobox', { name: 'Kind' }).selectOption({ label: 'All kinds' });
  await panel.getByRole('searchbox', { name: 'Find' }).fill('pong');
  await expect(rows.first()).toContainText('pong');
  for (const text of await rows.allTextContents()) expect(text).toContain('pong');
  await panel.getByRole('searchbox', { name: 'Find' }).fill('');

  // A click on an earlier row goes to its event; later rows stay, dimmed, as what comes next.
  const target = panel.locator('.log-row[data-event="5"]').first();
  await target.click();
  await expect.poll(() => eventIndex(page)).toBe(5);
  await expect(target).toHaveClass(/is-current/);
  await expect(panel.locator('.log-row[data-event="9"]').first()).toHaveClass(/is-ahead/);
});

test('the metrics tab charts the protocol series and lists counters', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 4);
  await page.getByRole('tab', { name: 'Metrics' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Metrics' });
  // ping-pong reports 'rounds'; the kernel adds the network series.
  const rounds = panel.locator('figure').filter({ hasText: 'rounds' });
  await expect(rounds.locator('canvas')).toBeVisible();
  await expect(panel.locator('figure canvas').first()).toBeVisible();
  await expect(panel.getByRole('table', { name: 'Counters' })).toContainText('sent');
  await expect(panel.getByRole('img', { name: /rounds over virtual time/ })).toBeVisible();
});

test('the metrics tab lists the key-value metrics of a run with a workload, fractions unrounded', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('consensus');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('raft');
  await expect(picker).toHaveValue('raft');
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  // The quick start runs 10 virtual seconds, about 10 s at the fastest speed.
  await expect(runButton(page, 'Play')).toBeDisabled({ timeout: 60_000 });
  await expect.poll(() => timeText(page)).toMatch(/\d s$/);
  await page.getByRole('tab', { name: 'Metrics' }).click();
  const gauges = page.getByRole('tabpanel', { name: 'Metrics' }).getByRole('table', { name: 'Gauges' });
  const value = (name: string) => gauges.getByRole('row', { name: new RegExp(`^${name}\\b`) }).locator('td');
  for (const name of ['opLatencyP50Us', 'opLatencyP99Us', 'opsPerS', 'availability', 'msgsPerOp'])
    await expect(value(name)).toHaveText(/^[\d,.]+$/);
  // A share is shown as one (0.9873 or 1), not cut to 0.
  await expect(value('availability')).toHaveText(/^(1|0\.\d+)$/);
  expect(Number(await value('availability').textContent())).toBeGreaterThan(0.5);
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const)
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await gauges.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot(`metrics-kv-${w}-${scheme}.png`) });
    }
});

test('the checkers tab lists the protocol invariants, green while they hold', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'broadcast');
  await page.getByRole('tab', { name: 'Checkers' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Checkers' });
  // Before a run: two invariants and two liveness properties (answers, agreement), listed, not evaluated.
  await expect(panel.locator('.verdict[data-state="unknown"]')).toHaveCount(4);
  await stepTimes(page, 10);
  for (const id of ['no-duplication', 'no-creation']) {
    const item = panel.getByRole('listitem').filter({ hasText: id });
    await expect(item).toHaveAttribute('data-state', 'ok');
    await expect(item).toContainText('holds');
  }
  // Liveness is due 3 s after the last fault: ten events in, it is not evaluated yet.
  const liveness = panel.getByRole('listitem').filter({ hasText: 'client-ops-answered' });
  await expect(liveness).toHaveAttribute('data-state', 'unknown');
  await expect(liveness).toContainText('liveness');
});

test('the inspector shows the selected node state as a tree with changes highlighted', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await canvasNode(page, 'n1').click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector).toContainText('Press Play or Step');
  await stepTimes(page, 6);
  const tree = inspector.getByTestId('state-tree');
  await expect(tree).toContainText('partner');
  await expect(tree).toContainText('"n2"');
  await expect(inspector).toContainText('Timers');
  await expect(inspector).toContainText('retry');
  await expect(inspector).toContainText('Clock error');
  // n1 takes a step at event 7 (it receives the pong): what changed is highlighted.
  await stepTimes(page, 1);
  await expect(tree.locator('.is-changed').first()).toBeVisible();
  // Skew its clock from the context menu: the clock error shows on the canvas and here.
  await canvasNode(page, 'n1').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Skew clock +10 ms' }).click();
  await expect(canvasNode(page, 'n1')).toContainText('+10.000 ms');
  await expect(inspector).toContainText('+10.000 ms');
});

test('screenshots of a running cluster, light and dark', async ({ page, lab }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openOn(page, lab.server.url, 'broadcast');
  // Play about a second and a half of virtual time at 1x so the charts have a history (from
  // broadcast's own speed, up the log slider).
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  for (let i = 0; i < 200 && (await speed.getAttribute('aria-valuetext')) !== '1x'; i++)
    await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', '1x');
  await runButton(page, 'Play').click();
  await page.waitForTimeout(1500);
  await runButton(page, 'Pause').click();
  await canvasNode(page, 'n4').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Crash' }).click();
  await expect(canvasNode(page, 'n4')).toContainText('crashed');
  // The two diagonals cross at their middles: reach n1–n3 by keyboard (focus, Shift+F10).
  await page.getByRole('group', { name: 'Link n1 – n3' }).focus();
  await page.keyboard.press('Shift+F10');
  await page.getByRole('menuitem', { name: 'Degrade: loss 20%' }).click();
  await page.getByRole('button', { name: 'Step to next…' }).click();
  await page.getByRole('button', { name: 'Next client' }).click();
  await stepTimes(page, 2);
  await canvasNode(page, 'n2').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'test-results/run-light.png' });
  await canvasNode(page, 'n3').click({ button: 'right' });
  await page.waitForTimeout(200);
  await page.screenshot({ path: 'test-results/run-menu-light.png' });
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Metrics' }).click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'test-results/run-metrics-light.png' });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.getByRole('tab', { name: 'Event log' }).click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'test-results/run-dark.png' });
  await page.getByRole('tab', { name: 'Checkers' }).click();
  await page.waitForTimeout(600);
  await page.screenshot({ path: 'test-results/run-checkers-dark.png' });
  await page.getByRole('tab', { name: 'Metrics' }).click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'test-results/run-metrics-dark.png' });
});

test('a bug switch makes a checker fail: the run stops there and names event, time and seed', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'broadcast');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('checkbox', { name: /Relayed copies are delivered again/ }).check();
  await runButton(page, 'Play').click();
  const alert = page.getByRole('tabpanel', { name: 'Checkers' }).getByRole('alert');
  await expect(alert).toContainText('no-duplication', { timeout: 15_000 });
  await expect(page.getByRole('tab', { name: 'Checkers' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken');
  await expect(alert).toContainText('Seed');
  await page.screenshot({ path: 'test-results/run-violation.png' });
  const at = Number((await alert.locator('dd').first().textContent())?.replace(/[^0-9]/g, ''));
  expect(await eventIndex(page)).toBe(at);
  await expect(
    page
      .getByRole('tabpanel', { name: 'Checkers' })
      .getByRole('listitem')
      .filter({ hasText: 'no-duplication' }),
  ).toHaveAttribute('data-state', 'bad');
  // Go to event: from elsewhere in the run, back to the violation.
  await runButton(page, 'Step back').click();
  await expect.poll(() => eventIndex(page)).toBe(at - 1);
  await alert.getByRole('button', { name: 'Go to event' }).click();
  await expect.poll(() => eventIndex(page)).toBe(at);
});
