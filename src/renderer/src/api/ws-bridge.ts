/**
 * Web mode's transport: the same DslabBridge the Electron preload exposes, over the
 * server's WebSocket. The token comes from the page URL (?token=...); when the socket is
 * refused, the server's /api/session says whether the link lacks its token or carries one the
 * server does not accept, and the error says so and how to get a working link.
 */
import type { DslabBridge, Envelope, EventName, MethodName } from '../../../shared/api';
import { MAX_MESSAGE_BYTES, methodNames } from '../../../shared/api';
import { utf8Length } from '../../../shared/files/parse';

type Pending = (envelope: Envelope<unknown>) => void;

export function createWsBridge(location: Location): DslabBridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => {
        void whyRefused(location.host, token).then((message) => reject(new Error(message)));
      };
      ws.onclose = () => {
        ready = null;
        socket = null;
        for (const [, settle] of pending) {
          settle({
            ok: false,
            error: { code: 'internal', message: 'The connection to the DSLab server closed.' },
          });
        }
        pending.clear();
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { id?: number | null; event?: string; payload?: unknown };
        if (typeof msg.event === 'string') {
          for (const fn of listeners.get(msg.event) ?? []) fn(msg.payload);
          return;
        }
        if (typeof msg.id === 'number') {
          const settle = pending.get(msg.id);
          pending.delete(msg.id);
          settle?.(msg as unknown as Envelope<unknown>);
        }
      };
    });
    return ready;
  };

  return {
    transport: 'web',
    methods: [...methodNames],
    async invoke(method: MethodName, payload: unknown) {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: (err as Error).message } };
      }
      const id = nextId++;
      const text = JSON.stringify({ id, method, payload });
      // The server closes a socket that sends more than it takes; say so here instead.
      const bytes = text.length * 3 <= MAX_MESSAGE_BYTES ? 0 : utf8Length(text);
      if (bytes > MAX_MESSAGE_BYTES) {
        return {
          ok: false,
          error: {
            code: 'too-large',
            message: `${method}: the request is ${mib(bytes)} as sent; web mode carries at most ${mib(MAX_MESSAGE_BYTES)} in one message. Nothing was sent.`,
          },
        };
      }
      return new Promise((resolve) => {
        pending.set(id, resolve as Pending);
        ws.send(text);
      });
    },
    on(event: EventName, listener: (payload: never) => void) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      void connect().catch(() => {});
      return () => set.delete(fn);
    },
  } as DslabBridge;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Why the API socket was refused, as two lines: what is wrong, then what to do. The server's
 * /api/session tells a missing token from a wrong one; no answer at all means no server.
 */
export async function whyRefused(host: string, token: string): Promise<string> {
  const link = `http://${host}/?token=…`;
  const fresh = `Open the link \`npm run web\` printed when it started (${link}). It stays the same at every launch: bookmark that one.`;
  let res: Response;
  try {
    res = await fetch(`http://${host}/api/session?token=${encodeURIComponent(token)}`, { cache: 'no-store' });
  } catch {
    return `Cannot reach the DSLab server at ${host}. Is \`npm run web\` still running?\nStart it again, then reload this page: its link keeps working.`;
  }
  if (res.status === 401) {
    const body = (await res.json().catch(() => null)) as { problem?: string } | null;
    if (body?.problem === 'missing')
      return `This page's link has no token, so the DSLab server does not let it in.\n${fresh}`;
    return `This page's link carries a token the DSLab server does not accept: one from an earlier launch, or one replaced since by \`npm run web -- --new-token\`.\n${fresh}`;
  }
  if (res.ok)
    return `The DSLab server at ${host} refused this page's connection, though its token is right.\nIt serves at most 32 pages at once: close other DSLab tabs, then reload this one.`;
  return `The DSLab server at ${host} refused this page's connection.\n${fresh}`;
}
