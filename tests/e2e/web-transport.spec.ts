// Web mode's API transport: the token and Origin checks, and malformed payloads.
import WebSocket from 'ws';
import { expect, test } from './fixtures';

function tryConnect(url: string, origin?: string): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

test('the page loads over web mode and talks to the API', async ({ page, lab }) => {
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
});

test('a socket without the token is refused', async ({ lab }) => {
  const wsBase = `ws://127.0.0.1:${lab.server.port}/api`;
  expect(await tryConnect(wsBase, lab.server.origin)).toEqual({ opened: false, status: 401 });
  expect(await tryConnect(`${wsBase}?token=wrong`, lab.server.origin)).toEqual({
    opened: false,
    status: 401,
  });
  expect(await tryConnect(`${wsBase}?token=${lab.server.token}`, lab.server.origin)).toEqual({
    opened: true,
  });
});

test('a socket from a foreign Origin is refused even with the token', async ({ lab }) => {
  const url = `ws://127.0.0.1:${lab.server.port}/api?token=${lab.server.token}`;
  expect(await tryConnect(url, 'http://evil.example')).toEqual({ opened: false, status: 403 });
  expect(await tryConnect(url)).toEqual({ opened: false, status: 403 });
});

test('a malformed payload gets an error naming the field, and the next call works', async ({ page, lab }) => {
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toBeVisible();
  const result = await page.evaluate(async () => {
    const token = new URLSearchParams(location.search).get('token');
    const ws = new WebSocket(`ws://${location.host}/api?token=${token}`);
    await new Promise((r) => (ws.onopen = r));
    const ask = (msg: unknown) =>
      new Promise<unknown>((resolve) => {
        ws.onmessage = (ev) => resolve(JSON.parse(String(ev.data)));
        ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
      });
    const bad = await ask({ id: 1, method: 'app.echo', payload: { text: 42 } });
    const notJson = await ask('{nope');
    const unknown = await ask({ id: 2, method: 'app.nothing', payload: {} });
    const good = await ask({ id: 3, method: 'app.echo', payload: { text: 'still here' } });
    return { bad, notJson, unknown, good };
  });
  expect(result.bad).toMatchObject({ id: 1, ok: false, error: { code: 'bad-request', path: ['text'] } });
  expect((result.bad as { error: { message: string } }).error.message).toMatch(/payload\.text/);
  expect(result.notJson).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  expect(result.unknown).toMatchObject({ id: 2, ok: false, error: { code: 'unknown-method' } });
  expect(result.good).toEqual({ id: 3, ok: true, value: { text: 'still here' } });
});

test('a link without its token says so and how to get a working link', async ({ page, lab }) => {
  await page.goto(`${lab.server.origin}/`);
  const dialog = page.getByRole('dialog', { name: 'DSLab cannot open' });
  await expect(dialog).toContainText("This page's link has no token");
  await expect(dialog).toContainText('Open the link `npm run web` printed when it started');
  await expect(dialog).toContainText('bookmark that one');
  await expect(page.getByRole('alert')).toHaveText(
    "This page's link has no token, so the DSLab server does not let it in.",
  );
  await expect(page.getByText('Cannot reach the DSLab server')).toHaveCount(0);
});

test('a link with a token from an earlier launch says so', async ({ page, lab }) => {
  await page.goto(`${lab.server.origin}/?token=from-an-earlier-launch`);
  const dialog = page.getByRole('dialog', { name: 'DSLab cannot open' });
  await expect(dialog).toContainText(
    'carries a token the DSLab server does not accept: one from an earlier launch',
  );
  await expect(dialog).toContainText('npm run web -- --new-token');
  await expect(dialog).toContainText('Open the link `npm run web` printed when it started');
});
