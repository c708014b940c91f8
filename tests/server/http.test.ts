// Issue 16 item 1: a malformed request target, static or upgrade, is a 400 and the server
// stays up. No token is needed to send these, so any web page on the machine could.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, openSocket, rawHttp, type ServerProcess, startServerProcess, statusOf } from './helpers';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  await server.stop();
});

const upgradeHeaders = (port: number) =>
  [
    `Host: 127.0.0.1:${port}`,
    `Origin: http://127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
  ].join('\r\n');

describe('malformed request targets', () => {
  const targets = [
    '/%00',
    '/a%00b.html',
    '/%zz',
    'http://[',
    'http://127.0.0.1:1/%00',
    '*',
    '//evil.example/x',
    '/%E0%A4%A',
  ];

  for (const target of targets) {
    it(`GET ${target} is answered 400 and the server stays up`, async () => {
      const res = await rawHttp(
        server.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(res), res).toBe(400);
      expect(server.exited(), server.stderr()).toBe(false);
    });

    it(`an upgrade to ${target} is answered 400 and the server stays up`, async () => {
      const res = await rawHttp(
        server.port,
        `GET ${target} HTTP/1.1\r\n${upgradeHeaders(server.port)}\r\n\r\n`,
      );
      expect(statusOf(res), res).toBe(400);
      expect(server.exited(), server.stderr()).toBe(false);
    });
  }

  it('a request line the HTTP parser refuses gets 400, and the API still answers', async () => {
    const res = await rawHttp(server.port, 'GET /\0 HTTP/1.1\r\n\r\n');
    expect(statusOf(res)).toBe(400);
    const ws = await openSocket(server);
    expect(await ask(ws, 1, 'app.echo', { text: 'up' })).toMatchObject({ ok: true, value: { text: 'up' } });
    ws.close();
  });

  it('an ordinary page request still works', async () => {
    const res = await rawHttp(
      server.port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(res)).toBe(200);
    expect(res).toContain('DSLab test');
  });
});
