// The library UI in web mode, the way a person uses it: the Library tab, search, open, edit,
// save, save as, rename, trash, import (file chooser, bad file, drop), export, the welcome
// view and autosave recovery. Each test has a fresh data folder with the built-ins seeded.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { seedBuiltinLibrary } from '../../src/main/store/builtins';
import { openStore } from '../../src/main/store/database';
import { contentHash, Library } from '../../src/main/store/library';
import { canonicalJson } from '../../src/shared/files/canonical';
import { defaultScenario } from '../../src/sim';
import { expect, shot, startLab, test } from './fixtures';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

// axe is injected as a script tag; the page's CSP allows only its own scripts.
test.use({ bypassCSP: true });

/** Serious and critical axe violations on the page now, as readable lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return (violations as { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

const PING_PONG = JSON.parse(fs.readFileSync('resources/library/ping-pong-ring.dslab.json', 'utf8')) as {
  key?: string;
  scenario: { name: string; topology: { links: { b: string }[] } };
};

/** A valid scenario file with another name (imports always make new items). */
function scenarioFile(name: string): string {
  const file = structuredClone(PING_PONG);
  delete file.key;
  file.scenario.name = name;
  return JSON.stringify(file, null, 2);
}

function writeTmp(fileName: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-lib-'));
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, text);
  return file;
}

async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

/** The Library tab of the sidebar. */
async function showLibrary(page: Page): Promise<Locator> {
  await page.getByRole('tab', { name: 'Library' }).click();
  const list = page.getByRole('list', { name: 'Library items' });
  await expect(list).toBeVisible();
  return list;
}

const item = (page: Page, name: string): Locator =>
  page.getByRole('listitem', { name, exact: true }).and(page.locator('.lib-item'));

/** Expands an item in the list (to see its actions). */
async function select(page: Page, name: string): Promise<Locator> {
  const it = item(page, name);
  const main = it.locator('.lib-item-main');
  if ((await main.getAttribute('aria-expanded')) !== 'true') await main.click();
  await expect(it.getByRole('button', { name: /^(Open|Restore)$/ })).toBeVisible();
  return it;
}

async function openItem(page: Page, name: string): Promise<void> {
  const it = await select(page, name);
  await it.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText(name);
}

const docState = (page: Page) => page.getByTestId('doc-state');

/** Node count from the status bar. */
async function nodeCount(page: Page): Promise<number> {
  return page.locator('.react-flow__node').count();
}

/** Drags a part onto the canvas: the generic Switch, or a role the protocol declares. */
async function dragPartIn(page: Page, part = 'Switch'): Promise<void> {
  await page.getByRole('tab', { name: 'Parts' }).click();
  const canvas = page.locator('.react-flow__pane');
  const box = (await canvas.boundingBox())!;
  await page
    .getByRole('button', { name: `Add ${part}` })
    .dragTo(canvas, { targetPosition: { x: box.width * 0.2, y: box.height * 0.8 } });
}

async function libraryTotal(page: Page): Promise<number> {
  const text = (await page.locator('.lib-count').textContent()) ?? '';
  return Number(text.replace(/[^0-9]/g, ''));
}

test('the library lists the built-ins and search finds one', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const list = await showLibrary(page);
  await expect(item(page, 'Ping-pong ring')).toBeVisible();
  await expect(item(page, 'Break reliable broadcast')).toContainText('exercise');
  await expect(item(page, 'Break reliable broadcast')).toContainText('built-in');
  const builtins = fs.readdirSync('resources/library').filter((f) => f.endsWith('.dslab.json')).length;
  await expect(list.locator('.lib-item')).toHaveCount(builtins);

  await page.getByRole('searchbox', { name: 'Search the library' }).fill('ping');
  await expect(item(page, 'Ping-pong ring')).toBeVisible();
  await expect(list.locator('.lib-item')).toHaveCount(1);
  await page.getByRole('searchbox', { name: 'Search the library' }).fill('nothing-like-this');
  await expect(page.getByText('Nothing matches “nothing-like-this”.')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search the library' }).fill('');

  // The tag filter narrows the list to the items tagged so (the starters: a topic's first item).
  const starters = fs
    .readdirSync('resources/library')
    .filter((f) => f.endsWith('.dslab.json'))
    .filter((f) =>
      JSON.parse(fs.readFileSync(`resources/library/${f}`, 'utf8')).tags?.includes('starter'),
    ).length;
  expect(starters).toBeGreaterThan(1);
  await page.getByRole('combobox', { name: 'Tag' }).selectOption('starter');
  await expect(list.locator('.lib-item')).toHaveCount(starters);
});

test('Save on a changed built-in saves a copy; the built-in stays as shipped', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await openItem(page, 'Ping-pong ring');
  const before = await nodeCount(page);
  await expect(docState(page)).not.toContainText('unsaved');
  await expect(docState(page)).toContainText('built-in');

  await dragPartIn(page);
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
  await expect(docState(page)).toContainText('unsaved changes');
  await expect(page).toHaveTitle(/● Ping-pong ring/);

  // Save offers a copy with a new name; Cancel leaves everything as it was.
  await page.keyboard.press('Control+s');
  const dialog = page.getByRole('dialog', { name: 'Save a copy' });
  await expect(dialog).toContainText('"Ping-pong ring" is a built-in and stays as shipped');
  await expect(dialog.getByRole('textbox', { name: 'Name' })).toHaveValue('Ping-pong ring (copy)');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(docState(page)).toContainText('unsaved changes');

  // (Ctrl+S fires once per 300 ms, since the desktop menu may deliver the same press.)
  await expect(async () => {
    if (!(await dialog.isVisible())) await page.keyboard.press('Control+s');
    await expect(dialog).toBeVisible({ timeout: 500 });
  }).toPass();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('My ring');
  await dialog.getByRole('button', { name: 'Save copy' }).click();
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
    'Saved a copy as "My ring"',
  );
  await expect(docState(page)).toContainText('My ring');
  await expect(docState(page)).toContainText('library');
  await expect(docState(page)).not.toContainText('unsaved');
  await showLibrary(page);
  await expect(item(page, 'My ring')).not.toContainText('built-in');
  await expect(item(page, 'Ping-pong ring')).toContainText(`ping-pong · ${before} nodes`);

  // After a reload the copy is open with the change, and the built-in is as shipped.
  await page.reload();
  await expect(docState(page)).toContainText('My ring');
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
  await expect(page.getByRole('group', { name: 'switch-1' })).toBeVisible();
  await showLibrary(page);
  await openItem(page, 'Ping-pong ring');
  await expect(page.locator('.react-flow__node')).toHaveCount(before);
  // A built-in keeps its name: no Rename (Duplicate makes one to rename).
  await expect((await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Rename' })).toHaveCount(0);

  await openItem(page, 'My ring');
  await select(page, 'My ring');
  await page.screenshot({ path: shot('library-panel.png') });
  const root = page.locator('html');
  if ((await root.getAttribute('data-theme')) !== 'dark') await page.keyboard.press('Control+Shift+D');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: shot('library-panel-dark.png') });
});

test('Save As makes a copy that becomes the open document', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await openItem(page, 'Ping-pong ring');
  const total = await libraryTotal(page);
  await page.keyboard.press('Control+Shift+s');
  const dialog = page.getByRole('dialog', { name: 'Save as' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('My ring');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(docState(page)).toContainText('My ring');
  await expect(item(page, 'My ring')).toBeVisible();
  await expect(item(page, 'Ping-pong ring')).toBeVisible();
  await expect.poll(() => libraryTotal(page)).toBe(total + 1);
  await expect(item(page, 'My ring')).not.toContainText('built-in');
});

test('rename in place, delete to the trash, restore', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Duplicate' }).click();
  const it = await select(page, 'Ping-pong ring (copy)');
  await it.getByRole('button', { name: 'Rename' }).click();
  const field = page.getByRole('textbox', { name: 'New name for Ping-pong ring (copy)' });
  await field.fill('Ring of three');
  await field.press('Enter');
  await expect(item(page, 'Ring of three')).toBeVisible();
  await expect(item(page, 'Ping-pong ring (copy)')).toHaveCount(0);

  const total = await libraryTotal(page);
  await (await select(page, 'Ring of three')).getByRole('button', { name: 'Delete' }).click();
  await expect(item(page, 'Ring of three')).toHaveCount(0);
  await expect.poll(() => libraryTotal(page)).toBe(total - 1);

  await page.getByRole('button', { name: 'Trash', exact: true }).click();
  const trash = page.getByRole('list', { name: 'Trash' });
  await expect(trash.locator('.lib-item')).toHaveCount(1);
  await (await select(page, 'Ring of three')).getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  await expect(item(page, 'Ring of three')).toBeVisible();
  await expect.poll(() => libraryTotal(page)).toBe(total);
});

test('two items never share a name: a taken name gets a number, and the toast says so', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  // Built-ins keep their names (read-only), so rename a copy of one: the person's own item.
  await (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Duplicate' }).click();
  await expect(item(page, 'Ping-pong ring (copy)')).toBeVisible();
  const it = await select(page, 'Ping-pong ring (copy)');
  await it.getByRole('button', { name: 'Rename' }).click();
  const field = page.getByRole('textbox', { name: 'New name for Ping-pong ring (copy)' });
  // A built-in's name, in other letter case: names compare without case.
  await field.fill('raft: FIVE servers, two clients');
  await field.press('Enter');
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
    '"raft: FIVE servers, two clients" is taken, so it is "raft: FIVE servers, two clients (2)".',
  );
  await expect(item(page, 'raft: FIVE servers, two clients (2)')).toBeVisible();
  await expect(item(page, 'Raft: five servers, two clients')).toBeVisible();
  // Duplicating twice: "(copy)", then "(copy 2)".
  for (const name of ['Raft: five servers, two clients (copy)', 'Raft: five servers, two clients (copy 2)']) {
    await (await select(page, 'Raft: five servers, two clients'))
      .getByRole('button', { name: 'Duplicate' })
      .click();
    await expect(item(page, name)).toBeVisible();
  }
});

test('the library list is one tab stop: Tab goes past it, the arrows move within', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  const list = page.getByRole('list', { name: 'Library items' });
  const count = await list.locator('.lib-item-main').count();
  expect(count).toBeGreaterThan(10);
  // Tab from the search box until the focus leaves the sidebar, noting the items it lands on.
  await page.getByRole('searchbox', { name: 'Search the library' }).focus();
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el?.closest('aside')) return null;
      return el.classList.contains('lib-item-main')
        ? (el.closest('li')?.getAttribute('aria-label') ?? '?')
        : '';
    });
    if (where === null) break;
    if (where) stops.push(where);
  }
  expect(stops, 'library items Tab stops on').toHaveLength(1);
  const first = await list
    .locator('.lib-item-main')
    .first()
    .evaluate((el) => el.closest('li')!.getAttribute('aria-label'));
  expect(stops[0]).toBe(first);
  // The arrows move between items, Home and End to the ends; Tab then leaves from there.
  const items = list.locator('.lib-item-main');
  await items.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(items.last()).toBeFocused();
  await page.keyboard.press('Home');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(items.nth(1)).toBeFocused();
});

test('Empty trash deletes for good after asking', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Trash', exact: true }).click();
  await expect(item(page, 'Ping-pong ring')).toBeVisible();
  await page.getByRole('button', { name: 'Empty trash' }).click();
  const dialog = page.getByRole('dialog', { name: 'Empty the trash?' });
  await dialog.getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
});

test('import a file from the file chooser; a bad file names the JSON path and changes nothing', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  const total = await libraryTotal(page);

  const good = writeTmp('imported.dslab.json', scenarioFile('Imported ring'));
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(good);
  await expect(item(page, 'Imported ring')).toBeVisible();
  await expect(docState(page)).toContainText('Imported ring');
  await expect.poll(() => libraryTotal(page)).toBe(total + 1);

  // A link naming a node that does not exist: refused, with the path.
  const broken = structuredClone(PING_PONG);
  delete broken.key;
  broken.scenario.name = 'Broken ring';
  broken.scenario.topology.links[0]!.b = 'n99';
  broken.scenario.topology.links[1]!.b = 'n98';
  const bad = writeTmp('broken.dslab.json', JSON.stringify(broken));
  const chooser2 = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser2).setFiles(bad);
  const dialog = page.getByRole('dialog', { name: 'Could not import' });
  await expect(dialog).toContainText('broken.dslab.json was not imported');
  const problems = dialog.getByRole('list', { name: 'Problems' }).getByRole('listitem');
  await expect(problems).toHaveCount(2);
  await expect(problems.nth(0)).toContainText('$.scenario.topology.links[0].b');
  await expect(problems.nth(1)).toContainText('$.scenario.topology.links[1].b');
  await page.screenshot({ path: shot('library-import-error.png') });
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(dialog).toBeHidden();
  await expect(item(page, 'Broken ring')).toHaveCount(0);
  await expect.poll(() => libraryTotal(page)).toBe(total + 1);
});

test('a file that cannot run (unknown protocol, role, params) is refused on import, naming each field', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  const total = await libraryTotal(page);
  const wrong = structuredClone(PING_PONG) as unknown as {
    key?: string;
    scenario: { name: string; protocol: string; topology: { nodes: { role: string }[] } };
  };
  delete wrong.key;
  wrong.scenario.name = 'Cannot run';
  wrong.scenario.topology.nodes[0]!.role = 'wizard';
  const roleFile = writeTmp('wizard.dslab.json', JSON.stringify(wrong));
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(roleFile);
  const dialog = page.getByRole('dialog', { name: 'Could not import' });
  await expect(dialog).toContainText('wizard.dslab.json was not imported');
  const problems = dialog.getByRole('list', { name: 'Problems' }).getByRole('listitem');
  await expect(problems).toHaveCount(1);
  await expect(problems.nth(0)).toContainText('$.scenario.topology.nodes[0].role');
  await expect(problems.nth(0)).toContainText('has no role wizard');
  await dialog.getByRole('button', { name: 'OK' }).click();

  wrong.scenario.protocol = 'raftt';
  const protocolFile = writeTmp('raftt.dslab.json', JSON.stringify(wrong));
  const chooser2 = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser2).setFiles(protocolFile);
  await expect(dialog).toContainText('raftt.dslab.json was not imported');
  await expect(problems.nth(0)).toContainText('$.scenario.protocol');
  await expect(problems.nth(0)).toContainText('unknown protocol raftt');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(item(page, 'Cannot run')).toHaveCount(0);
  await expect.poll(() => libraryTotal(page)).toBe(total);
});

test('export downloads a file that imports again', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  const total = await libraryTotal(page);
  const download = page.waitForEvent('download');
  await (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Export' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.dslab\.json$/);
  const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-exp-')), file.suggestedFilename());
  await file.saveAs(saved);
  const parsed = JSON.parse(fs.readFileSync(saved, 'utf8')) as { format: string; kind: string };
  expect(parsed.format).toBe('dslab');
  expect(parsed.kind).toBe('scenario');

  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(saved);
  await expect.poll(() => libraryTotal(page)).toBe(total + 1);
  // Beside the original, under a free name (two items never share one).
  await expect(item(page, 'Ping-pong ring')).toHaveCount(1);
  await expect(item(page, 'Ping-pong ring (2)')).toHaveCount(1);
});

test('a .dslab.json dropped on the window is imported', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  const total = await libraryTotal(page);
  const text = scenarioFile('Dropped ring');
  // Dragging a file in shows the overlay.
  const dataTransfer = await page.evaluateHandle((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'dropped.dslab.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await expect(page.getByText('Drop to import')).toBeVisible();
  await page.screenshot({ path: shot('library-drop.png') });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(page.getByText('Drop to import')).toBeHidden();
  await expect(item(page, 'Dropped ring')).toBeVisible();
  await expect(docState(page)).toContainText('Dropped ring');
  await expect.poll(() => libraryTotal(page)).toBe(total + 1);
});

test('the welcome view shows the topics and opens one with its lesson', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const welcome = page.getByRole('region', { name: 'Welcome to DSLab' });
  await expect(welcome).toBeVisible();
  const topics = welcome.getByRole('list', { name: 'Topics' });
  await expect(
    topics.getByRole('group', { name: 'Simulation basics' }).getByRole('button').first(),
  ).toBeEnabled();
  // Every topic of the roadmap has a protocol now: ZooKeeper, the last to land, opens like the
  // others, and nothing is left under "Coming".
  await expect(topics.getByRole('button', { name: /^ZooKeeper/ })).toBeEnabled();
  await expect(welcome.getByRole('heading', { name: 'Coming' })).toHaveCount(0);
  await page.screenshot({ path: shot('library-welcome.png') });

  await topics
    .getByRole('group', { name: 'Simulation basics' })
    .getByRole('button', { name: 'Ping-pong' })
    .click();
  await expect(welcome).toBeHidden();
  await expect(docState(page)).toContainText('Ping-pong ring');
  await expect(page.getByRole('tab', { name: 'Lesson' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeEnabled();

  // Reopening the app returns to it, without the welcome view.
  await page.reload();
  await expect(docState(page)).toContainText('Ping-pong ring');
  await expect(welcome).toBeHidden();
});

/** One raw API call over the page's WebSocket, as any client could send it: the whole reply. */
async function rawCall(page: Page, method: string, payload: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ method, payload }) => {
      const token = new URLSearchParams(location.search).get('token');
      const ws = new WebSocket(`ws://${location.host}/api?token=${token}`);
      await new Promise((r) => (ws.onopen = r));
      const reply = await new Promise<Record<string, unknown>>((resolve) => {
        ws.onmessage = (ev) => resolve(JSON.parse(String(ev.data)));
        ws.send(JSON.stringify({ id: 1, method, payload }));
      });
      ws.close();
      return reply;
    },
    { method, payload },
  );
}

test('a client that saves over a built-in anyway is refused, and nothing changes', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  const { value } = (await rawCall(page, 'library.list', {})) as {
    value: { items: { id: string; name: string; revision: number }[] };
  };
  const ring = value.items.find((i) => i.name === 'Ping-pong ring')!;
  const raft = (await rawCall(page, 'catalog.defaultScenario', { protocol: 'raft' })).value as object;
  const doc = { ...raft, name: 'Ping-pong ring' };
  const reply = await rawCall(page, 'library.save', { id: ring.id, doc, expectedRevision: ring.revision });
  expect(reply).toMatchObject({
    ok: false,
    error: {
      code: 'read-only',
      message: expect.stringContaining('"Ping-pong ring" is a built-in and stays as shipped'),
    },
  });
  await showLibrary(page);
  await expect(item(page, 'Ping-pong ring')).toContainText('ping-pong');
});

test('a built-in changed by an older DSLab is restored as shipped; the changed one is kept', async ({
  page,
}) => {
  // A data folder where an older DSLab saved Raft over "Ping-pong ring" (what issue 15 saw).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-e2e-'));
  const db = openStore(dir);
  const library = new Library(db);
  seedBuiltinLibrary(library);
  const ring = library.list().items.find((i) => i.name === 'Ping-pong ring')!;
  const raft = { ...defaultScenario('raft'), name: 'Ping-pong ring' };
  const body = canonicalJson(raft);
  db.prepare('UPDATE item_docs SET doc = ? WHERE item_seq = (SELECT seq FROM items WHERE id = ?)').run(
    body,
    ring.id,
  );
  db.prepare(
    `UPDATE items SET protocol = 'raft', topic = 'consensus', node_count = ?, content_hash = ?,
       revision = revision + 1 WHERE id = ?`,
  ).run(raft.topology.nodes.length, contentHash(body, ring.description), ring.id);
  db.close();

  const lab = await startLab(dir);
  try {
    await openLab(page, lab.server.url);
    await showLibrary(page);
    await expect(item(page, 'Ping-pong ring')).toContainText('raft');
    await expect(item(page, 'Ping-pong ring')).toContainText('changed');
    await openItem(page, 'Ping-pong ring');
    await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('raft');

    await (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Restore built-in' }).click();
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
      'Restored "Ping-pong ring" as shipped. Your version is kept as "Ping-pong ring (your version)".',
    );
    // The open built-in shows the shipped version; the changed one is the person's own.
    await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('ping-pong');
    await expect(docState(page)).toContainText('Ping-pong ring');
    await expect(docState(page)).not.toContainText('unsaved');
    await expect(item(page, 'Ping-pong ring')).toContainText('ping-pong');
    await expect(item(page, 'Ping-pong ring')).not.toContainText('changed');
    await expect(item(page, 'Ping-pong ring (your version)')).toContainText('raft');
    await expect(item(page, 'Ping-pong ring (your version)')).not.toContainText('built-in');
    await expect(
      (await select(page, 'Ping-pong ring')).getByRole('button', { name: 'Restore built-in' }),
    ).toHaveCount(0);
  } finally {
    await lab.stop();
  }
});

test('a topic card offers its protocols; switching topic opens its quick start, asking first', async ({
  page,
  lab,
}) => {
  await openLab(page, lab.server.url);
  const welcome = page.getByRole('region', { name: 'Welcome to DSLab' });
  const consensus = welcome.getByRole('group', { name: 'Consensus' });
  await expect(consensus.getByRole('button')).toHaveText(['Multi-Paxos', 'Paxos', 'Raft']);
  await consensus.getByRole('button', { name: 'Raft', exact: true }).click();
  await expect(welcome).toBeHidden();
  const protocol = page.getByRole('combobox', { name: 'Protocol' });
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(protocol).toHaveValue('raft');
  await expect(docState(page)).toContainText('Raft: five servers, two clients');

  // Another protocol of the topic keeps the person's topology and says so plainly.
  await dragPartIn(page, 'Client');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await protocol.selectOption('multi-paxos');
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
    'Switched to Multi-Paxos, keeping your 8 nodes: 5 server nodes now run as replica; 3 kept their role.',
  );
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await expect(docState(page)).toContainText('Raft: five servers, two clients');
  await expect(docState(page)).toContainText('unsaved changes');

  // Another topic opens that topic's quick start, asking first about the unsaved changes.
  await topic.selectOption('consistent-hashing');
  const ask = page.getByRole('dialog', { name: 'Unsaved changes' });
  await expect(ask).toContainText('"Raft: five servers, two clients"');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toBeHidden();
  await expect(topic).toHaveValue('consensus');
  await expect(page.locator('.react-flow__node')).toHaveCount(8);

  await topic.selectOption('consistent-hashing');
  await ask.getByRole('button', { name: "Don't save" }).click();
  await expect(protocol).toHaveValue('consistent-hashing');
  await expect(docState(page)).toContainText('Consistent hashing: a node joins, a node leaves');
  await expect(docState(page)).toContainText('not saved yet');
  const canvasNode = (name: string) =>
    page.locator('.react-flow__node').and(page.getByRole('group', { name, exact: true }));
  await expect(canvasNode('s1')).toHaveCount(0);
  await expect(canvasNode('coord')).toBeVisible();
});

test('New… offers an empty canvas: a chosen topic and protocol, no nodes', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await page.getByRole('button', { name: 'New…' }).click();
  const welcome = page.getByRole('region', { name: 'Welcome to DSLab' });
  await expect(welcome).toBeVisible();
  await welcome.getByRole('button', { name: /^Empty canvas/ }).click();
  const card = welcome.getByRole('group', { name: 'Empty canvas' });
  await card.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
  const protocols = card.getByRole('combobox', { name: 'Protocol' });
  await expect(protocols.locator('option')).toHaveText(['Multi-Paxos', 'Paxos', 'Raft']);
  await protocols.selectOption('paxos');
  await page.screenshot({ path: shot('library-empty-canvas.png') });
  expect(await seriousViolations(page)).toEqual([]);
  await card.getByRole('button', { name: 'Start empty' }).click();

  await expect(welcome).toBeHidden();
  await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('paxos');
  await expect(docState(page)).toContainText('Untitled Paxos scenario');
  await expect(docState(page)).toContainText('not saved yet');
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await expect(page.getByText('0 nodes · 0 links')).toBeVisible();

  // The palette builds on it; the work is asked about before another topic replaces it.
  await page.getByRole('tab', { name: 'Parts' }).click();
  await page.getByRole('button', { name: 'Add Acceptor' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  await expect(docState(page)).toContainText('unsaved changes');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('basics');
  await expect(page.getByRole('dialog', { name: 'Unsaved changes' })).toContainText(
    '"Untitled Paxos scenario"',
  );
});

test('unsaved edits are autosaved and recovered after a reload', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await openItem(page, 'Ping-pong ring');
  const before = await nodeCount(page);
  await dragPartIn(page);
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
  await expect(docState(page)).toContainText('unsaved changes');
  // The autosave lands after two idle seconds.
  await page.waitForTimeout(3_000);

  await page.reload();
  const dialog = page.getByRole('dialog', { name: 'Recover unsaved changes to Ping-pong ring?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Recover' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
  await expect(docState(page)).toContainText('unsaved changes');

  // Discard on the next start goes back to the saved version.
  await page.reload();
  await page
    .getByRole('dialog', { name: 'Recover unsaved changes to Ping-pong ring?' })
    .getByRole('button', { name: 'Discard' })
    .click();
  await expect(docState(page)).toContainText('Ping-pong ring');
  await expect(page.locator('.react-flow__node')).toHaveCount(before);
});

test('a save over a newer revision asks: Save as copy keeps both', async ({ page, lab }) => {
  await openLab(page, lab.server.url);
  await showLibrary(page);
  await openItem(page, 'Ping-pong ring');
  // An item of the person's own (built-ins are never saved over).
  await page.keyboard.press('Control+Shift+s');
  const saveAs = page.getByRole('dialog', { name: 'Save as' });
  await saveAs.getByRole('textbox', { name: 'Name' }).fill('My ring');
  await saveAs.getByRole('button', { name: 'Save' }).click();
  await expect(docState(page)).toContainText('My ring');
  const before = await nodeCount(page);

  // A second window opens the same item (the one opened last), changes and saves it.
  const other = await page.context().newPage();
  await openLab(other, lab.server.url);
  await expect(docState(other)).toContainText('My ring');
  await dragPartIn(other);
  await expect(docState(other)).toContainText('unsaved changes');
  await other.keyboard.press('Control+s');
  await expect(docState(other)).not.toContainText('unsaved');
  await other.close();

  // This window's save started from the older revision.
  await dragPartIn(page);
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
  await page.keyboard.press('Control+s');
  const dialog = page.getByRole('dialog', { name: 'This item changed elsewhere' });
  await expect(dialog).toContainText('saved elsewhere');
  await dialog.getByRole('button', { name: 'Save as copy' }).click();
  await expect(dialog).toBeHidden();
  await expect(docState(page)).toContainText('My ring (copy)');
  await expect(docState(page)).not.toContainText('unsaved');
  await showLibrary(page);
  await expect(item(page, 'My ring (copy)')).toBeVisible();
});

for (const theme of ['light', 'dark'] as const) {
  test(`the welcome view, the library panel, the exercise tab and the import dialog pass axe (${theme})`, async ({
    page,
    lab,
  }) => {
    await page.emulateMedia({ colorScheme: theme });
    await openLab(page, lab.server.url);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await expect(page.getByRole('region', { name: 'Welcome to DSLab' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await showLibrary(page);
    await openItem(page, 'Break reliable broadcast');
    await select(page, 'Break reliable broadcast');
    await expect(page.getByRole('tabpanel', { name: 'Exercise' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    const bad = writeTmp('bad.dslab.json', '{"format":"dslab","kind":"scenario","schemaVersion":1}');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import…' }).click();
    await (await chooser).setFiles(bad);
    await expect(page.getByRole('dialog', { name: 'Could not import' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}
