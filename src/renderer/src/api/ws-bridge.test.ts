// Web mode's client: what it sends, and what it says when a message would be too large.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../../shared/api';
import { createWsBridge, whyRefused } from './ws-bridge';

/** A WebSocket stand-in that opens at once and records what is sent. */
class FakeSocket {
  static last: FakeSocket | null = null;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
    queueMicrotask(() => this.onopen?.());
  }
  send(text: string) {
    this.sent.push(text);
    const { id } = JSON.parse(text) as { id: number };
    queueMicrotask(() =>
      this.onmessage?.({ data: JSON.stringify({ id, ok: true, value: { sent: text.length } }) }),
    );
  }
}

const g = globalThis as { WebSocket?: unknown };
let saved: unknown;
beforeEach(() => {
  saved = g.WebSocket;
  g.WebSocket = FakeSocket;
});
afterEach(() => {
  g.WebSocket = saved;
});

const location = { search: '?token=abc', host: '127.0.0.1:5317' } as Location;

describe('the web-mode bridge', () => {
  it('sends a 20 MiB file whose every byte JSON escapes to two', async () => {
    const bridge = createWsBridge(location);
    // The worst a valid .dslab.json can be: every character one JSON escapes (\t, \n, ", \).
    const text = '\t'.repeat(20 * 1024 * 1024);
    const reply = await bridge.invoke('library.import', { text });
    expect(reply.ok).toBe(true);
    expect(FakeSocket.last!.sent).toHaveLength(1);
    expect(FakeSocket.last!.sent[0]!.length).toBeGreaterThan(40 * 1024 * 1024);
    expect(FakeSocket.last!.sent[0]!.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('refuses a message over the cap before sending it, naming the sizes', async () => {
    const bridge = createWsBridge(location);
    await bridge.invoke('app.echo', { text: 'open' });
    // Control characters escape to six bytes each (\u0001): far over the cap.
    const reply = await bridge.invoke('library.import', { text: '\u0001'.repeat(8 * 1024 * 1024) });
    expect(reply).toMatchObject({ ok: false, error: { code: 'too-large' } });
    if (!reply.ok)
      expect(reply.error.message).toMatch(/library\.import: the request is 48\.0 MiB .* at most 41\.0 MiB/);
    expect(FakeSocket.last!.sent).toHaveLength(1);
  });
});

describe('why the socket was refused', () => {
  const g2 = globalThis as { fetch: unknown };
  const withFetch = async (fake: () => Promise<Response>, token: string) => {
    const saved = g2.fetch;
    g2.fetch = fake;
    try {
      return await whyRefused('127.0.0.1:5317', token);
    } finally {
      g2.fetch = saved;
    }
  };
  const answer = (status: number, body: unknown) => async () =>
    new Response(JSON.stringify(body), { status });

  it('names a missing token, a token the server does not accept, and a server that is not there', async () => {
    expect(await withFetch(answer(401, { ok: false, problem: 'missing' }), '')).toMatch(
      /^This page's link has no token.*\nOpen the link `npm run web` printed when it started \(http:\/\/127\.0\.0\.1:5317\/\?token=…\)/,
    );
    expect(await withFetch(answer(401, { ok: false, problem: 'wrong' }), 'old')).toMatch(
      /^This page's link carries a token the DSLab server does not accept: one from an earlier launch/,
    );
    expect(
      await withFetch(async () => {
        throw new TypeError('Failed to fetch');
      }, 'x'),
    ).toMatch(/^Cannot reach the DSLab server at 127\.0\.0\.1:5317\. Is `npm run web` still running\?/);
    expect(await withFetch(answer(200, { ok: true }), 'right')).toMatch(/at most 32 pages at once/);
  });
});
