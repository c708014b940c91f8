// Issue 15 item 6: one bookmark keeps working across launches; --new-token replaces it; a page
// can learn why its socket was refused (no token, or not this server's token).
import { describe, expect, it } from 'vitest';
import { rawHttp, type ServerProcess, startServerProcess, statusOf } from './helpers';

const session = async (s: ServerProcess, query: string, host = `127.0.0.1:${s.port}`) => {
  const res = await rawHttp(
    s.port,
    `GET /api/session${query} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  return { status: statusOf(res), body: res.slice(res.indexOf('\r\n\r\n') + 4) };
};

describe('the kept token', () => {
  it('is the same at the next launch with the same data folder, and --new-token replaces it', async () => {
    const first = await startServerProcess();
    await first.stop();
    const again = await startServerProcess({ dataDir: first.dataDir });
    expect(again.token).toBe(first.token);
    expect(again.url).toMatch(new RegExp(`\\?token=${first.token}$`));
    await again.stop();
    const rotated = await startServerProcess({ dataDir: first.dataDir, args: ['--new-token'] });
    try {
      expect(rotated.token).not.toBe(first.token);
      expect(await session(rotated, `?token=${first.token}`)).toEqual({
        status: 401,
        body: '{"ok":false,"problem":"wrong"}',
      });
      expect(await session(rotated, `?token=${rotated.token}`)).toEqual({ status: 200, body: '{"ok":true}' });
    } finally {
      await rotated.stop();
    }
  });

  it('/api/session says what is wrong with a token, and nothing more', async () => {
    const s = await startServerProcess();
    try {
      expect(await session(s, '')).toEqual({ status: 401, body: '{"ok":false,"problem":"missing"}' });
      expect(await session(s, '?token=')).toEqual({ status: 401, body: '{"ok":false,"problem":"missing"}' });
      expect(await session(s, '?token=abc')).toEqual({ status: 401, body: '{"ok":false,"problem":"wrong"}' });
      expect((await session(s, `?token=${s.token}`, 'evil.example')).status).toBe(403);
      expect((await session(s, '%00')).status).toBe(400);
      expect(s.exited()).toBe(false);
    } finally {
      await s.stop();
    }
  });
});
