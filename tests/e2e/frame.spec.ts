// The renderer's frame, clicked through the way a person uses it (web mode).
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Calls the lab's API from the page over its own socket, to compare the UI with the catalog. */
async function api<T>(page: Page, method: string, payload: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, payload }) => {
      const token = new URLSearchParams(location.search).get('token');
      const ws = new WebSocket(`ws://${location.host}/api?token=${token}`);
      await new Promise((r) => (ws.onopen = r));
      const reply = await new Promise<{ ok: boolean; value: unknown }>((resolve) => {
        ws.onmessage = (ev) => resolve(JSON.parse(String(ev.data)));
        ws.send(JSON.stringify({ id: 1, method, payload }));
      });
      ws.close();
      return reply.value;
    },
    { method, payload },
  ) as Promise<T>;
}

interface ProtocolInfo {
  id: string;
  topic: string;
  topicTitle: string;
  title: string;
  roles: { id: string; label: string }[];
}
interface Topology {
  nodes: { id: string; name: string }[];
  links: unknown[];
}

/** A canvas node by its accessible name (xyflow gives nodes role=group). */
const node = (page: Page, name: string) =>
  page.locator('.react-flow__node').and(page.getByRole('group', { name }));

async function openLab(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

test('the toolbar has the run controls, ready once the scenario loads, and live seed and speed', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  const banner = page.getByRole('banner');
  for (const name of ['Play', 'Step', 'Reset']) {
    await expect(banner.getByRole('button', { name, exact: true })).toBeEnabled();
  }
  // Nothing to pause or rewind before a run exists.
  for (const name of ['Pause', 'Step back']) {
    await expect(banner.getByRole('button', { name, exact: true })).toBeDisabled();
  }
  await expect(banner.getByRole('button', { name: 'Step to next…' })).toBeEnabled();
  await expect(banner.getByRole('button', { name: 'Toggle theme' })).toBeEnabled();
  await expect(banner.getByLabel('Virtual time')).toHaveText('t = 0 µs');
  await expect(banner.getByLabel('Event index')).toHaveText('event 0');
  await expect(page.getByTestId('run-state')).toHaveText('Run: no run');

  const seed = banner.getByRole('spinbutton', { name: 'Seed' });
  await seed.fill('42');
  await expect(seed).toHaveValue('42');
  await expect(page.getByRole('contentinfo')).toContainText('seed 42');

  // Speed is virtual seconds per wall second on a log scale: 20 presses are one decade. It starts
  // at the protocol's own (the first launch opens the heartbeat detector, 0.1x).
  const speed = banner.getByRole('slider', { name: 'Speed' });
  await expect(speed).toHaveAttribute('aria-valuetext', '0.1x');
  await speed.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  await expect(speed).toHaveAttribute('aria-valuetext', '1x');
});

test('the topic and protocol pickers list the catalog and the default topology is on the canvas', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  const catalog = await api<ProtocolInfo[]>(page, 'catalog.list', {});
  expect(catalog.length).toBeGreaterThan(0);

  const topic = page.getByRole('combobox', { name: 'Topic' });
  const protocol = page.getByRole('combobox', { name: 'Protocol' });
  const topicTitles = [...new Set(catalog.map((p) => p.topicTitle))];
  await expect(topic.locator('option')).toHaveText(topicTitles);

  // A fresh data folder has no last protocol: the lab opens the catalog's first.
  const chosen = catalog[0]!;
  await expect(topic).toHaveValue(chosen.topic);
  await expect(protocol).toHaveValue(chosen.id);
  await expect(protocol.locator('option')).toHaveText(
    catalog.filter((p) => p.topic === chosen.topic).map((p) => p.title),
  );

  const topology = await api<Topology>(page, 'catalog.defaultTopology', { protocol: chosen.id });
  for (const n of topology.nodes) await expect(node(page, n.name)).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(topology.links.length);

  // The palette offers the protocol's roles plus a switch; a client only if the protocol has one.
  const palette = page.getByRole('complementary', { name: 'Palette' });
  for (const r of chosen.roles)
    await expect(palette.getByRole('button', { name: `Add ${r.label}` })).toBeVisible();
  expect(chosen.roles.some((r) => r.id === 'client')).toBe(false);
  await expect(palette.getByRole('button', { name: 'Add Client' })).toHaveCount(0);
  await expect(palette.getByRole('button', { name: 'Add Switch' })).toBeVisible();

  // With nothing selected, the inspector describes the scenario.
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('heading', { name: chosen.title })).toBeVisible();
});

test('a palette part dragged onto the canvas becomes a node, and Enter adds one too', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  const nodes = page.locator('.react-flow__node');
  const before = await nodes.count();

  const canvas = page.locator('.react-flow__pane');
  const box = (await canvas.boundingBox())!;
  await page
    .getByRole('button', { name: 'Add Process' })
    .dragTo(canvas, { targetPosition: { x: box.width * 0.3, y: box.height * 0.75 } });
  await expect(nodes).toHaveCount(before + 1);
  await expect(node(page, 'process-1')).toBeVisible();
  // The new node is selected and shown in the inspector.
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('process-1');

  await page.getByRole('button', { name: 'Add Switch' }).focus();
  await page.keyboard.press('Enter');
  await expect(nodes).toHaveCount(before + 2);
  await expect(node(page, 'switch-1')).toBeVisible();

  // Delete removes the selected node.
  await node(page, 'switch-1').click();
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(before + 1);
});

test('selecting a node shows it in the inspector, where it can be renamed', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const first = page.locator('.react-flow__node').first();
  const name = (await first.getAttribute('aria-label'))!;
  await node(page, name).click();

  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const field = inspector.getByRole('textbox', { name: 'Name' });
  await expect(field).toHaveValue(name);
  await expect(inspector.getByRole('combobox', { name: 'Role' })).toBeVisible();

  await field.fill('gamma');
  await expect(node(page, 'gamma')).toBeVisible();
  await expect(node(page, name)).toHaveCount(0);

  // Rename in place: double-click the name on the canvas.
  await node(page, 'gamma').locator('.lab-node-name').dblclick();
  const inPlace = page.getByRole('textbox', { name: 'Node name' });
  await inPlace.fill('delta');
  await inPlace.press('Enter');
  await expect(node(page, 'delta')).toBeVisible();
  await expect(field).toHaveValue('delta');

  // Clicking the empty canvas clears the selection: the inspector shows the scenario again.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await expect(inspector.getByText('Scenario')).toBeVisible();
});

test('the theme toggles, persists across a reload, and the screenshots are taken', async ({ page, lab }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openLab(page, lab.server.url);
  const root = page.locator('html');
  await expect(root).toHaveAttribute('data-theme', 'light');
  // The light shot shows the lesson tab, which carries the protocol's own text.
  await page.getByRole('tab', { name: 'Lesson' }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'test-results/frame-light.png' });

  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  // The dark shot shows a selected node in the inspector.
  await page.locator('.react-flow__node').first().click();
  await expect(page.getByRole('textbox', { name: 'Name' })).toBeVisible();
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'test-results/frame-dark.png' });

  // The keyboard shortcut toggles back.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+Shift+D');
  await expect(root).toHaveAttribute('data-theme', 'light');
});

test('the shortcuts overlay opens from the keyboard and closes with Esc; bottom tabs switch', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.keyboard.press('Control+/');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Fit the topology in view');
  await page.screenshot({ path: 'test-results/frame-shortcuts.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  const tabs = page.getByRole('tablist', { name: 'Run output' });
  const events = tabs.getByRole('tab', { name: 'Event log' });
  await expect(events).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Event log' })).toContainText('No events yet');

  await tabs.getByRole('tab', { name: 'Metrics' }).click();
  await expect(tabs.getByRole('tab', { name: 'Metrics' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Metrics' })).toContainText('No metrics yet');

  await page.keyboard.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'Checkers' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'Lesson' })).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.getByRole('tab', { name: 'Lesson' })).toBeFocused();
  const catalog = await api<(ProtocolInfo & { lesson: { summary: string } })[]>(page, 'catalog.list', {});
  const protocolId = await page.getByRole('combobox', { name: 'Protocol' }).inputValue();
  const lesson = catalog.find((p) => p.id === protocolId)!.lesson;
  await expect(page.getByRole('tabpanel', { name: 'Lesson' })).toContainText(lesson.summary);
});

test('dragging from one node handle to another links the two nodes', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const edges = page.locator('.react-flow__edge');
  const before = await edges.count();
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  await page
    .getByRole('button', { name: 'Add Process' })
    .dragTo(pane, { targetPosition: { x: box.width * 0.5, y: box.height * 0.85 } });
  const added = node(page, 'process-1');
  await expect(added).toBeVisible();

  const first = page.locator('.react-flow__node').first();
  const from = (await added.locator('.lab-handle.react-flow__handle-top').boundingBox())!;
  await first.hover();
  const to = (await first.locator('.lab-handle.react-flow__handle-bottom').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
  await expect(edges).toHaveCount(before + 1);

  // Selecting the link shows its ends in the inspector. By keyboard (focus, Enter): a click at
  // the middle of its box may land on a node the line passes under.
  const name = (await first.getAttribute('aria-label'))!;
  await page.getByRole('group', { name: `Link process-1 – ${name}` }).focus();
  await page.keyboard.press('Enter');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByText('End A')).toBeVisible();
  await expect(inspector).toContainText('process-1');
});

test('a link dropped anywhere on a node body connects to it, with the node marked while dragging', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  const edges = page.locator('.react-flow__edge');
  const before = await edges.count();
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  await page
    .getByRole('button', { name: 'Add Process' })
    .dragTo(pane, { targetPosition: { x: box.width * 0.5, y: box.height * 0.85 } });
  const added = node(page, 'process-1');
  await expect(added).toBeVisible();

  // From the new node's top dot to the middle of the first node, far from any of its dots.
  const target = page.locator('.react-flow__node').first();
  const name = (await target.getAttribute('aria-label'))!;
  await added.hover();
  const from = (await added.locator('.react-flow__handle-top.lab-handle').boundingBox())!;
  const body = (await target.boundingBox())!;
  const mid = { x: body.x + body.width * 0.4, y: body.y + body.height / 2 };
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(mid.x, mid.y, { steps: 12 });
  // While dragging, the node under the pointer is marked as where the link will go...
  const drop = target.locator('.lab-body-handle');
  await expect(drop).toHaveClass(/\bvalid\b/);
  await expect(drop).toHaveCSS('outline-style', 'solid');
  // ...and the node the link starts from is not a target.
  await expect(added.locator('.lab-body-handle')).toHaveCSS('visibility', 'hidden');
  await page.mouse.up();
  await expect(edges).toHaveCount(before + 1);
  await expect(page.getByRole('group', { name: `Link process-1 – ${name}` })).toHaveCount(1);
  // Once the drag is over, the body is a body again: a click selects the node.
  await expect(drop).toHaveCSS('visibility', 'hidden');
  await target.click();
  await expect(target).toHaveClass(/selected/);
});

test('web mode loads with no failed request: the tab icon is the logo, not a 404', async ({ page, lab }) => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  page.on('console', (m) => {
    // The meta-tag CSP repeats the header's frame-ancestors on purpose (docs/security.md);
    // Chromium says it ignores it there, which is no failed request.
    if (m.type() === 'error' && !/frame-ancestors.*<meta>/.test(m.text()))
      failed.push(`console: ${m.text()}`);
  });
  await openLab(page, lab.server.url);
  // Chromium fetches the tab icon after the load (/favicon.ico when none is declared).
  await page.waitForLoadState('networkidle');
  expect(failed).toEqual([]);
  const href = await page.locator('link[rel="icon"]').getAttribute('href', { timeout: 1000 });
  const icon = await page.request.get(new URL(href ?? '', page.url()).href);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/svg+xml');
});

test('menu commands: New resets, Save saves to the library, About shows the host', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const nodes = page.locator('.react-flow__node');
  const before = await nodes.count();
  await page.getByRole('button', { name: 'Add Process' }).focus();
  await page.keyboard.press('Enter');
  await expect(nodes).toHaveCount(before + 1);

  // The added node is unsaved work, so New asks first (Don't save: the default topology again).
  lab.server.emit('app.menu', { command: 'file.new' });
  await page
    .getByRole('dialog', { name: 'Unsaved changes' })
    .getByRole('button', { name: "Don't save" })
    .click();
  await expect(nodes).toHaveCount(before);

  lab.server.emit('app.menu', { command: 'file.save' });
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
    /Saved ".+" to the library\./,
  );

  lab.server.emit('app.menu', { command: 'help.about' });
  const about = page.getByRole('dialog', { name: 'About DSLab' });
  await expect(about).toBeVisible();
  await expect(about).toContainText('0.0.0-test');
  await expect(about).toContainText(lab.dataDir);
  await page.screenshot({ path: 'test-results/frame-about.png' });
  await page.keyboard.press('Escape');
  await expect(about).toBeHidden();

  const root = page.locator('html');
  const theme = await root.getAttribute('data-theme');
  lab.server.emit('app.menu', { command: 'view.toggleTheme' });
  await expect(root).not.toHaveAttribute('data-theme', theme!);
});

test('the chosen topic and protocol come back after a reload', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const catalog = await api<ProtocolInfo[]>(page, 'catalog.list', {});
  test.skip(catalog.length < 2, 'the catalog has one protocol, so there is no other choice to restore');
  const other = catalog[1]!;
  await page.getByRole('combobox', { name: 'Topic' }).selectOption(other.topic);
  const protocol = page.getByRole('combobox', { name: 'Protocol' });
  if ((await protocol.inputValue()) !== other.id) await protocol.selectOption(other.id);
  await expect(protocol).toHaveValue(other.id);
  const topology = await api<Topology>(page, 'catalog.defaultTopology', { protocol: other.id });
  for (const n of topology.nodes) await expect(node(page, n.name)).toBeVisible();
  await expect
    .poll(async () => (await api<{ lastProtocol: string }>(page, 'settings.get', {})).lastProtocol)
    .toBe(other.id);

  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue(other.id);
  await expect(page.getByRole('combobox', { name: 'Topic' })).toHaveValue(other.topic);
  await expect(
    page.getByRole('complementary', { name: 'Inspector' }).getByRole('heading', { name: other.title }),
  ).toBeVisible();
});
