// A node's box known before layout (web mode): the canvas hands xyflow each node's size and
// connection dots up front, so a big scenario opens in one render (docs/workbench.md
// "Performance"). These tests hold that box to what styles.css draws, before a run and after
// a run's badges made the nodes taller.
import type { Page } from '@playwright/test';
import { NODE_HEIGHT, NODE_WIDTH, nodeHandles } from '../../src/renderer/src/graph/node-box';
import { expect, test } from './fixtures';
import { canvasNode, openOn, stepTimes } from './run-helpers';

/** Every node's size and its dots' boxes relative to it, in flow units, as the page lays them out. */
function drawnBoxes(page: Page) {
  return page.evaluate(() => {
    const vp = document.querySelector('.react-flow__viewport')!;
    const zoom = new DOMMatrixReadOnly(getComputedStyle(vp).transform).a;
    return [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((n) => {
      const nb = n.getBoundingClientRect();
      return {
        name: n.getAttribute('aria-label'),
        width: nb.width / zoom,
        height: nb.height / zoom,
        handles: [...n.querySelectorAll('.react-flow__handle')].map((h) => {
          const b = h.getBoundingClientRect();
          return {
            id: h.getAttribute('data-handleid'),
            x: (b.left - nb.left) / zoom,
            y: (b.top - nb.top) / zoom,
            width: b.width / zoom,
            height: b.height / zoom,
          };
        }),
      };
    });
  });
}

/** The drawn boxes agree with nodeHandles for the drawn size (within half a pixel). */
function expectDotsAsDrawn(drawn: Awaited<ReturnType<typeof drawnBoxes>>) {
  for (const n of drawn) {
    const want = nodeHandles(Math.round(n.width), Math.round(n.height));
    expect(
      n.handles.map((h) => h.id),
      n.name ?? '',
    ).toEqual(want.map((h) => h.id));
    n.handles.forEach((h, i) => {
      for (const k of ['x', 'y', 'width', 'height'] as const)
        expect(Math.abs(h[k] - want[i]![k]!), `${n.name} ${h.id} ${k}`).toBeLessThan(0.5);
    });
  }
}

test('before a run every node is drawn at the size and with the dots the canvas gives xyflow up front', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  const drawn = await drawnBoxes(page);
  expect(drawn.length).toBeGreaterThan(3);
  for (const n of drawn) {
    expect(Math.abs(n.width - NODE_WIDTH), `${n.name} width`).toBeLessThan(0.5);
    expect(Math.abs(n.height - NODE_HEIGHT), `${n.name} height`).toBeLessThan(0.5);
  }
  expectDotsAsDrawn(drawn);
});

test('after a run makes the nodes taller, a connection dragged from a dot starts at that dot', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 3);
  const n2 = canvasNode(page, 'n2');
  await expect(n2.locator('.node-badge')).toBeVisible();
  const drawn = await drawnBoxes(page);
  const h2 = drawn.find((n) => n.name === 'n2')!.height;
  expect(h2).toBeGreaterThan(NODE_HEIGHT + 4);
  expectDotsAsDrawn(drawn);

  // Start a connection from n2's bottom dot: xyflow draws the line from where it believes
  // that dot is, which is the handles the node carries (graph/node-box.ts withBox).
  await n2.hover();
  const dot = (await n2.locator('.lab-handle.react-flow__handle-bottom').boundingBox())!;
  const from = { x: dot.x + dot.width / 2, y: dot.y + dot.height / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 60, from.y + 90, { steps: 6 });
  const line = page.locator('.react-flow__connection-path');
  await expect(line).toBeAttached();
  const start = await page.evaluate(() => {
    const d = document.querySelector('.react-flow__connection-path')!.getAttribute('d')!;
    const [x, y] = d
      .replace(/^M\s*/, '')
      .split(/[\s,]+/)
      .map(Number) as [number, number];
    const vp = document.querySelector('.react-flow__viewport')!;
    const m = new DOMMatrixReadOnly(getComputedStyle(vp).transform);
    const r = vp.parentElement!.getBoundingClientRect();
    return { x: r.left + m.e + x * m.a, y: r.top + m.f + y * m.d };
  });
  await page.mouse.up();
  expect(Math.abs(start.x - from.x)).toBeLessThan(1.5);
  expect(Math.abs(start.y - from.y)).toBeLessThan(1.5);
});

test('a long badge is shown whole: it wraps inside its node, which grows, and the dots follow', async ({
  page,
  lab,
}) => {
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  if ((await picker.inputValue()) !== 'paxos') await picker.selectOption('paxos');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeEnabled();
  await stepTimes(page, 1);
  // Paxos's acceptors say "acceptor · promised - · none accepted": far wider than a node.
  const badges = page.locator('.react-flow__node .node-badge');
  await expect(badges.filter({ hasText: 'acceptor · promised' }).first()).toBeVisible();
  const shown = await badges.evaluateAll((els) =>
    els.map((b) => {
      const node = b.closest('.react-flow__node')!.getBoundingClientRect();
      const r = b.getBoundingClientRect();
      return {
        text: b.textContent ?? '',
        cut: b.scrollWidth > b.clientWidth + 0.5 || b.scrollHeight > b.clientHeight + 0.5,
        inside: r.left >= node.left - 0.5 && r.right <= node.right + 0.5 && r.bottom <= node.bottom + 0.5,
      };
    }),
  );
  expect(shown.length).toBeGreaterThan(3);
  for (const b of shown) {
    expect(b.cut, `"${b.text}" is cut`).toBe(false);
    expect(b.inside, `"${b.text}" stays inside its node`).toBe(true);
  }
  // The wrapped nodes are taller; their dots are where xyflow believes them to be.
  const drawn = await drawnBoxes(page);
  expect(Math.max(...drawn.map((n) => n.height))).toBeGreaterThan(NODE_HEIGHT + 20);
  expectDotsAsDrawn(drawn);
});
