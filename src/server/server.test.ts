// Issue 16 item 3, the socket's side: a page that does not read its replies cannot make the
// server hold more and more for it, and what a closed socket held is released.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ask, frame, rawUpgrade } from '../../tests/server/helpers';
import type { Caller, Dispatch } from '../main/api/dispatch';
import { HIGH_WATER_BYTES } from './connection';
import { MAX_SOCKETS, startWebServer, type WebServer } from './server';

const REPLY_BYTES = 1024 * 1024;
const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-static-'));
fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');

let server: WebServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A server whose dispatcher counts the big calls it answers and the callers it released. */
async function countingServer() {
  const seen = { big: 0, released: [] as string[], callers: new Set<string>() };
  const dispatch: Dispatch = async (method, payload, caller) => {
    if (caller) seen.callers.add(caller.id);
    if (method === 'big') {
      seen.big++;
      return { ok: true, value: 'x'.repeat(REPLY_BYTES) };
    }
    return { ok: true, value: payload };
  };
  server = await startWebServer({
    port: 0,
    staticDir,
    dispatch,
    token: 't',
    release: (caller: Caller) => seen.released.push(caller.id),
    log: () => {},
  });
  return { server, seen };
}

const open = (s: WebServer) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=t`, { origin: s.origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

describe('flow control of the API socket', () => {
  it('a socket that does not read gets no more than the high-water mark of replies made for it', async () => {
    const { server, seen } = await countingServer();
    const slow = await rawUpgrade(server);
    slow.socket.pause(); // never reads what the server sends
    const calls = 200;
    for (let id = 1; id <= calls; id++) {
      slow.socket.write(
        frame({ opcode: 1, payload: Buffer.from(JSON.stringify({ id, method: 'big', payload: {} })) }),
      );
    }
    // Another socket keeps being answered meanwhile; its round trips give the server every
    // chance to work through the slow socket's calls.
    const other = await open(server);
    for (let i = 0; i < 40; i++) expect(await ask(other, i, 'echo', { i })).toMatchObject({ ok: true });
    // Without flow control all 200 replies (200 MiB) are made at once. With it, the server
    // stops at its high-water mark plus what the kernel's socket buffers absorb.
    expect(seen.big).toBeGreaterThan(0);
    expect(seen.big).toBeLessThan(calls / 2);
    expect(seen.big * REPLY_BYTES).toBeLessThan(HIGH_WATER_BYTES + 48 * 1024 * 1024);
    // Reading again, the slow socket gets every reply, in order.
    let got = 0;
    const all = slow.text(() => ++got === calls);
    slow.socket.resume();
    await all;
    expect(seen.big).toBe(calls);
    slow.socket.destroy();
    other.close();
  });

  it('releases what a socket held when it closes, and only that socket', async () => {
    const { server, seen } = await countingServer();
    const a = await open(server);
    const b = await open(server);
    await ask(a, 1, 'echo', {});
    await ask(b, 1, 'echo', {});
    const [idA, idB] = [...seen.callers];
    const closed = new Promise((r) => a.once('close', r));
    a.close();
    await closed;
    // The server learns of the close a moment after the client; a round trip on b settles it.
    await ask(b, 2, 'echo', {});
    expect(seen.released).toEqual([idA]);
    expect(idB).not.toBe(idA);
    b.close();
  });

  it(`refuses socket number ${MAX_SOCKETS + 1} with 503, and takes one again when one closes`, async () => {
    const { server } = await countingServer();
    const sockets = await Promise.all(Array.from({ length: MAX_SOCKETS }, () => open(server)));
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=t`, { origin: server.origin });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(refused).toBe(503);
    const closed = new Promise((r) => sockets[0]!.once('close', r));
    sockets[0]!.close();
    await closed;
    await ask(sockets[1]!, 1, 'echo', {});
    const again = await open(server);
    expect(await ask(again, 1, 'echo', { x: 1 })).toMatchObject({ ok: true });
    for (const s of [...sockets.slice(1), again]) s.close();
  });
});
