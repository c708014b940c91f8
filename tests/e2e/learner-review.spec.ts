// A learner's first look at the newest topics (issue: UI review of sessions 7-8): what the
// palette offers and what the Metrics tab shows first, at the small window size in the dark
// theme. Screenshots in DSLAB_SHOTS_DIR.
import { expect, shot, test } from './fixtures';
import { runButton } from './run-helpers';

test('Berkeley at 1024x700 dark: no Client part, and the clock spread is the first chart', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('clocks');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('berkeley');
  await expect(runButton(page, 'Play')).toBeEnabled();

  // Berkeley has a master and slaves: the palette offers those and a switch, no client.
  const palette = page.getByRole('complementary', { name: 'Palette' });
  await expect(palette.getByRole('button', { name: /^Add Slave/ })).toBeVisible();
  await expect(palette.getByRole('button', { name: /^Add Switch/ })).toBeVisible();
  await expect(palette.getByRole('button', { name: /^Add Client/ })).toHaveCount(0);

  // The master's adjustments are notes in the event log; at this size their text is whole.
  await runButton(page, 'Play').click();
  const adjust = page
    .getByRole('tabpanel', { name: 'Event log' })
    .locator('.log-row .log-detail', { hasText: /^adjust / });
  await expect(adjust.first()).toBeVisible({ timeout: 30_000 });
  await runButton(page, 'Pause').click();
  const cut = await adjust.evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).length);
  expect(cut, 'adjust notes cut short').toBe(0);
  await page.screenshot({ path: shot('berkeley-log-1024-dark.png') });

  // The protocol's own chart comes before the network's counters.
  await page.getByRole('tab', { name: 'Metrics' }).click();
  await runButton(page, 'Play').click();
  const titles = page.getByRole('tabpanel', { name: 'Metrics' }).locator('.chart-title');
  await expect(titles.first()).toHaveText('spreadUs', { timeout: 30_000 });
  await expect(titles).toContainText(['spreadUs', 'correctionUs', 'inFlight']);
  await runButton(page, 'Pause').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: shot('berkeley-metrics-1024-dark.png') });
});

test("before Play, a view tab explains itself in words that fit the protocol (Kafka's epochs, Storm's slots)", async ({
  page,
  lab,
}) => {
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('kafka');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Partition logs' }).click();
  const logs = page.getByRole('tabpanel', { name: 'Partition logs' });
  await expect(logs).toContainText('No run yet');
  // Kafka's logs are per partition replica, numbered by leader epoch, not per node by term.
  await expect(logs).toContainText('epoch');
  await expect(logs).not.toContainText('every node’s log');

  await page.getByRole('combobox', { name: 'Topic' }).selectOption('big-data');
  await page.getByRole('combobox', { name: 'Protocol' }).selectOption('storm');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Trees' }).click();
  const trees = page.getByRole('tabpanel', { name: 'Trees' });
  await expect(trees).toContainText('No run yet');
  // Storm's rows are spout slots, not nodes.
  await expect(trees).not.toContainText('each node gets a row');
});

test("Kafka's parameters at 1024x700: each field and its note stay in their half of the form", async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('kafka');
  await expect(runButton(page, 'Play')).toBeEnabled();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  // The notes quote Kafka's config keys, long words that do not wrap on their own.
  await expect(inspector.getByText('replica.lag.time.max.ms', { exact: false })).toBeAttached();
  const spill = await inspector.locator('.fgrid > .ff').evaluateAll((fields) =>
    fields.flatMap((f) => {
      const box = f.getBoundingClientRect();
      return [...f.querySelectorAll('.ff-control, .ff-note')]
        .filter((c) => c.getBoundingClientRect().right > box.right + 1 || c.scrollWidth > c.clientWidth + 1)
        .map((c) => `${f.querySelector('.ff-label')?.textContent}: ${c.className}`);
    }),
  );
  expect(spill, 'fields spilling over their neighbour').toEqual([]);
});

test("Kafka's Metrics: a long series name leaves its chart's value whole on one line", async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('kafka');
  await expect(runButton(page, 'Play')).toBeEnabled();
  await page.getByRole('tab', { name: 'Metrics' }).click();
  await runButton(page, 'Play').click();
  const panel = page.getByRole('tabpanel', { name: 'Metrics' });
  const title = panel.locator('.chart-title', { hasText: 'underReplicatedPartitions' });
  await expect(title).toBeVisible({ timeout: 30_000 });
  await runButton(page, 'Pause').click();
  // The name may be cut, but says itself whole on hover.
  await expect(title).toHaveAttribute('title', 'underReplicatedPartitions');
  const broken = await panel.locator('.chart-value').evaluateAll((values) =>
    values
      .filter((v) => {
        const lines = document.createRange();
        lines.selectNodeContents(v);
        return lines.getClientRects().length > 1 || v.scrollWidth > v.clientWidth + 1;
      })
      .map((v) => `${v.parentElement?.querySelector('.chart-title')?.textContent}: ${v.textContent}`),
  );
  expect(broken, 'chart values wrapped or cut').toEqual([]);
  await page.screenshot({ path: shot('kafka-metrics-1440-light.png') });
});
