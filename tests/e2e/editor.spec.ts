// Editing a scenario the way a person does it (web mode): forms in the inspector, undo and
// redo, copy and paste, auto layout, switching protocol. Also the editor screenshots.
import type { Locator, Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';
import { canvasNode, eventIndex, openOn, stepTimes } from './run-helpers';

const inspectorOf = (page: Page): Locator => page.getByRole('complementary', { name: 'Inspector' });
const nodes = (page: Page): Locator => page.locator('.react-flow__node');
const edges = (page: Page): Locator => page.locator('.react-flow__edge');
const toasts = (page: Page): Locator => page.getByRole('status', { name: 'Notifications' });
/** A button of the canvas's edit toolbar. */
const editBar = (page: Page, name: string): Locator =>
  page.getByRole('toolbar', { name: 'Edit' }).getByRole('button', { name, exact: true });
const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Selects a link by keyboard (a click in its box may land on a node the line passes under). */
async function selectLink(page: Page, name: string): Promise<void> {
  await page.getByRole('group', { name }).focus();
  await page.keyboard.press('Enter');
  await expect(inspectorOf(page).getByText('Link', { exact: true })).toBeVisible();
}

/** Clears the selection by clicking the empty corner of the canvas. */
async function clearSelection(page: Page): Promise<void> {
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
  await expect(inspectorOf(page).getByText('Scenario', { exact: true })).toBeVisible();
}

/** Every node's box on screen, by name. */
async function boxes(
  page: Page,
): Promise<Map<string, { x: number; y: number; width: number; height: number }>> {
  const out = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const n of await nodes(page).all()) {
    const box = await n.boundingBox();
    if (box) out.set((await n.getAttribute('aria-label')) ?? '', box);
  }
  return out;
}

/** Every node's position in flow coordinates (xyflow's transform), by id: unaffected by zoom. */
async function flowPositions(page: Page): Promise<string> {
  return JSON.stringify(
    await nodes(page).evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-id'), (el as HTMLElement).style.transform]),
    ),
  );
}

test('a protocol param changes through the form; an invalid value shows why and is not applied', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'broadcast');
  const inspector = inspectorOf(page);
  const payload = inspector.getByRole('textbox', { name: 'Payload bytes' });
  await expect(payload).toHaveValue('0');
  // A run exists: a param change resets it.
  await stepTimes(page, 3);

  await payload.fill('512');
  await expect(toasts(page)).toContainText('The parameters changed, so the run was reset to event 0.');
  await expect.poll(() => eventIndex(page)).toBe(0);
  await payload.press('Tab');
  await expect(payload).toHaveValue('512');

  await payload.fill('-5');
  const message = inspector.getByRole('alert');
  await expect(message).toHaveText('Must be at least 0.');
  await expect(payload).toHaveAttribute('aria-invalid', 'true');
  await payload.fill('2.5');
  await expect(message).toHaveText('Must be a whole number.');
  // Leaving the field shows what the scenario holds: the last valid value.
  await payload.press('Tab');
  await expect(payload).toHaveValue('512');
  await expect(inspector.getByRole('alert')).toHaveCount(0);

  // Bug switches are marked as such.
  const bug = inspector.getByRole('checkbox', { name: /Relayed copies are delivered again/ });
  await expect(bug).not.toBeChecked();
  await expect(inspector.locator('.ff-check.is-bug')).toHaveCount(2);

  // The workload form: open loop with its rate; a zero rate is refused.
  await expect(inspector.getByRole('combobox', { name: 'Kind' })).toHaveValue('open');
  const rate = inspector.getByRole('textbox', { name: 'Rate (ops/s)' });
  await expect(rate).toHaveValue('20');
  await rate.fill('0');
  await expect(inspector.getByRole('alert')).toHaveText('Must be more than 0 ops/s.');
  await rate.fill('50');
  await rate.press('Tab');
  await expect(rate).toHaveValue('50');
  await inspector.getByRole('combobox', { name: 'Kind' }).selectOption('closed');
  await expect(inspector.getByRole('textbox', { name: 'Concurrency (ops)' })).toHaveValue('1');
});

test("sharding's Shard count says what its 0 means, so it does not read as no shards", async ({
  page,
  lab,
}) => {
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('sharding');
  await expect(canvasNode(page, 's3')).toBeVisible();
  const inspector = inspectorOf(page);
  const count = inspector.getByRole('textbox', { name: 'Shard count' });
  await expect(count).toHaveValue('0');
  await expect(count).toHaveAccessibleDescription(/^0: every shard in the topology/);
  await expect(inspector.getByText('0: every shard in the topology')).toBeVisible();
  // A param without a special value has no note.
  await expect(inspector.getByRole('textbox', { name: 'Tick (µs)' })).toHaveAccessibleDescription('');
});

test('a link: uniform 5–10 ms latency and 10% loss, shown again after reselecting', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const inspector = inspectorOf(page);
  const linkName = (await edges(page).first().getAttribute('aria-label'))!;
  await selectLink(page, linkName);

  await inspector.getByRole('combobox', { name: 'Distribution' }).selectOption('uniform');
  const min = inspector.getByRole('textbox', { name: 'Min (ms)' });
  const max = inspector.getByRole('textbox', { name: 'Max (ms)' });
  await max.fill('10');
  await min.fill('12');
  await expect(inspector.getByRole('alert')).toContainText('Must not be above the max');
  await min.fill('5');
  await expect(inspector.getByRole('alert')).toHaveCount(0);
  const loss = inspector.getByRole('textbox', { name: 'Loss (%)' });
  await loss.fill('150');
  await expect(inspector.getByRole('alert')).toHaveText('Must be at most 100 %.');
  await loss.fill('10');
  await loss.press('Tab');

  await clearSelection(page);
  await selectLink(page, linkName);
  await expect(inspector.getByRole('combobox', { name: 'Distribution' })).toHaveValue('uniform');
  await expect(min).toHaveValue('5');
  await expect(max).toHaveValue('10');
  await expect(loss).toHaveValue('10');

  // A node's clock, in ms and ppm.
  await canvasNode(page, 'n1').click();
  const offset = inspector.getByRole('textbox', { name: 'Offset (ms)' });
  await offset.fill('2.5');
  await inspector.getByRole('textbox', { name: 'Drift (ppm)' }).fill('200000');
  await expect(inspector.getByRole('alert')).toHaveText('Must be at most 100000 ppm.');
  await offset.press('Tab');
  await clearSelection(page);
  await canvasNode(page, 'n1').click();
  await expect(offset).toHaveValue('2.5');
  await expect(inspector.getByRole('textbox', { name: 'Drift (ppm)' })).toHaveValue('0');
});

test('undo and redo: add a node, move it, delete one', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const before = await nodes(page).count();
  const linksBefore = await edges(page).count();
  const undo = editBar(page, 'Undo');
  const redo = editBar(page, 'Redo');
  await expect(undo).toBeDisabled();

  // Add.
  await page.getByRole('button', { name: 'Add Switch' }).focus();
  await page.keyboard.press('Enter');
  await expect(nodes(page)).toHaveCount(before + 1);
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
  await page.keyboard.press(`${mod}+z`);
  await expect(nodes(page)).toHaveCount(before);
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(nodes(page)).toHaveCount(before + 1);
  await page.keyboard.press(`${mod}+z`);
  await page.keyboard.press(`${mod}+y`);
  await expect(nodes(page)).toHaveCount(before + 1);

  // Move: one drag is one step.
  const n1 = canvasNode(page, 'n1');
  const start = (await n1.boundingBox())!;
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++)
    await page.mouse.move(start.x + start.width / 2 + i * 15, start.y + start.height / 2 + i * 10);
  await page.mouse.up();
  const moved = (await n1.boundingBox())!;
  expect(Math.abs(moved.x - start.x)).toBeGreaterThan(60);
  await undo.click();
  await expect.poll(async () => Math.round((await n1.boundingBox())!.x)).toBe(Math.round(start.x));
  await redo.click();
  await expect.poll(async () => Math.round((await n1.boundingBox())!.x)).toBe(Math.round(moved.x));

  // Delete a linked node: it and its links come back in one undo.
  await n1.click();
  await page.keyboard.press('Delete');
  await expect(n1).toHaveCount(0);
  await expect.poll(() => edges(page).count()).toBeLessThan(linksBefore);
  await undo.click();
  await expect(n1).toBeVisible();
  await expect(edges(page)).toHaveCount(linksBefore);
  await redo.click();
  await expect(n1).toHaveCount(0);
  await undo.click();
  await expect(nodes(page)).toHaveCount(before + 1);
});

test('copy and paste two nodes: new ids and names, offset, the link between them too', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const before = await nodes(page).count();
  const linksBefore = await edges(page).count();
  await canvasNode(page, 'n1').click();
  await canvasNode(page, 'n2').click({ modifiers: ['Shift'] });
  await expect(inspectorOf(page).getByRole('heading', { name: '2 nodes, 0 links' })).toBeVisible();
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  await expect(nodes(page)).toHaveCount(before + 2);
  await expect(canvasNode(page, 'n4')).toBeVisible();
  await expect(canvasNode(page, 'n5')).toBeVisible();
  // The pasted nodes are selected, down and right of the originals.
  await expect(inspectorOf(page).getByRole('heading', { name: /^2 nodes/ })).toBeVisible();
  const a = (await canvasNode(page, 'n1').boundingBox())!;
  const b = (await canvasNode(page, 'n4').boundingBox())!;
  expect(b.x).toBeGreaterThan(a.x);
  expect(b.y).toBeGreaterThan(a.y);
  // n1 and n2 are not linked directly in ping-pong (they meet at the switch), so no link is copied.
  await expect(edges(page)).toHaveCount(linksBefore);
  await page.keyboard.press(`${mod}+z`);
  await expect(nodes(page)).toHaveCount(before);
});

test('auto layout moves the nodes without overlaps, and undo puts them back', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  // Pile two nodes on top of each other first.
  const n2 = canvasNode(page, 'n2');
  const target = (await canvasNode(page, 'n1').boundingBox())!;
  const from = (await n2.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + 20);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++)
    await page.mouse.move(
      from.x + 20 + ((target.x - from.x) * i) / 10,
      from.y + 20 + ((target.y - from.y + 8) * i) / 10,
    );
  await page.mouse.up();
  const piled = await flowPositions(page);

  await page.getByRole('button', { name: 'Auto layout' }).click();
  await expect.poll(() => flowPositions(page)).not.toBe(piled);
  await page.waitForTimeout(400); // the view's framing animation
  const laid = [...(await boxes(page)).values()];
  for (let i = 0; i < laid.length; i++)
    for (let j = i + 1; j < laid.length; j++) {
      const p = laid[i]!;
      const q = laid[j]!;
      const overlap =
        p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
      expect(overlap, `nodes ${i} and ${j} overlap`).toBe(false);
    }
  const forced = await flowPositions(page);
  await page.getByRole('combobox', { name: 'Layout algorithm' }).selectOption('layered');
  await page.getByRole('button', { name: 'Auto layout' }).click();
  await expect.poll(() => flowPositions(page)).not.toBe(forced);
  await editBar(page, 'Undo').click();
  await expect.poll(() => flowPositions(page)).toBe(forced);
  await editBar(page, 'Undo').click();
  await expect.poll(() => flowPositions(page)).toBe(piled);
});

test('switching protocol keeps the nodes whose roles map and says what changed', async ({ page, lab }) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  const protocol = page.getByRole('combobox', { name: 'Protocol' });
  await topic.selectOption('consensus');
  await protocol.selectOption('paxos');
  await expect(protocol).toHaveValue('paxos');
  // An untouched quick start is replaced by the new protocol's own (wait for it before counting).
  await expect(canvasNode(page, 'l1')).toBeVisible();
  await expect(canvasNode(page, 'a3')).toBeVisible();
  const paxos = await nodes(page).count();
  expect(paxos).toBe(8);

  // Edit the canvas, then switch: the nodes stay and are remapped.
  await page.getByRole('button', { name: 'Add Client' }).focus();
  await page.keyboard.press('Enter');
  await expect(nodes(page)).toHaveCount(paxos + 1);
  await protocol.selectOption('multi-paxos');
  await expect(toasts(page)).toContainText(
    'Switched to Multi-Paxos, keeping your 9 nodes: 2 proposer nodes now run as replica, 3 acceptor nodes now run as replica, 1 learner node now runs as replica; 3 kept their role.',
  );
  await expect(nodes(page)).toHaveCount(paxos + 1);
  // The inspector describes the new protocol and its params.
  const inspector = inspectorOf(page);
  await expect(inspector.getByRole('heading', { name: 'Multi-Paxos' })).toBeVisible();
  await expect(inspector.getByRole('textbox', { name: 'Heartbeat (ms)' })).toHaveValue('30');
  await expect(inspector.getByText('needs at least')).toHaveCount(0);

  // Still the person's topology: switching back maps it again (replicas become proposers).
  await protocol.selectOption('paxos');
  await expect(toasts(page)).toContainText(
    'Switched to Paxos, keeping your 9 nodes: 4 replica nodes now run as proposer, 1 replica node now runs as acceptor',
  );
  await expect(nodes(page)).toHaveCount(paxos + 1);
});

test('editor screenshots: scenario, link and node forms in both themes', async ({ page, lab }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openOn(page, lab.server.url, 'broadcast');
  const inspector = inspectorOf(page);
  const shoot = async (name: string) => {
    await page.waitForTimeout(150);
    await inspector.screenshot({ path: shot(`editor-${name}.png`) });
  };
  for (const theme of ['light', 'dark'] as const) {
    if ((await page.locator('html').getAttribute('data-theme')) !== theme)
      await page.getByRole('button', { name: 'Toggle theme' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await clearSelection(page);
    const payload = inspector.getByRole('textbox', { name: 'Payload bytes' });
    await payload.fill('-1');
    await expect(inspector.getByRole('alert')).toBeVisible();
    await inspector
      .getByRole('checkbox', { name: /Relayed copies are delivered again/ })
      .setChecked(theme === 'dark');
    await payload.fill('-1');
    await shoot(`scenario-${theme}`);
    await payload.press('Escape');
    // Workload and nemesis, further down.
    const nemesis = inspector.getByRole('checkbox', { name: /Random faults/ });
    await inspector.getByText('Nemesis', { exact: true }).click();
    await nemesis.setChecked(true);
    await inspector.locator('.side-body').evaluate((el) => {
      const workload = [...el.querySelectorAll<HTMLElement>('.fsec')].find((s) =>
        s.textContent?.startsWith('Workload'),
      );
      if (workload) el.scrollTop += workload.getBoundingClientRect().top - el.getBoundingClientRect().top;
    });
    await shoot(`workload-${theme}`);
    await nemesis.setChecked(false);

    const linkName = (await edges(page).first().getAttribute('aria-label'))!;
    await selectLink(page, linkName);
    await inspector.getByRole('combobox', { name: 'Distribution' }).selectOption('normal');
    await inspector.getByRole('textbox', { name: 'Loss (%)' }).fill('2');
    await inspector.getByRole('textbox', { name: 'Loss (%)' }).press('Tab');
    await shoot(`link-${theme}`);

    await canvasNode(page, 'n1').click();
    await inspector.getByRole('textbox', { name: 'Drift (ppm)' }).fill('50');
    await inspector.getByRole('textbox', { name: 'Drift (ppm)' }).press('Tab');
    await shoot(`node-${theme}`);
  }
  // Everything in the toolbar stays on screen at 1440 px, the seed included.
  const overflow = await page.locator('header.toolbar').evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow, 'toolbar overflow in px').toBeLessThanOrEqual(0);
  await expect(page.getByRole('banner').getByRole('spinbutton', { name: 'Seed' })).toBeInViewport({
    ratio: 1,
  });

  // The whole editor: a box selection of two nodes after an auto layout.
  await clearSelection(page);
  await page.getByRole('button', { name: 'Auto layout' }).click();
  await page.waitForTimeout(500);
  await canvasNode(page, 'n1').click();
  await canvasNode(page, 'n2').click({ modifiers: ['Shift'] });
  await page.waitForTimeout(200);
  await page.screenshot({ path: shot('editor-canvas-dark.png') });
});
