/**
 * Web mode's transport: the same DslabBridge the Electron preload exposes, over the
 * server's WebSocket. The launch token comes from the page URL (?token=...).
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
      ws.onerror = () => reject(new Error('Cannot reach the DSLab server. Is `npm run web` still running?'));
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
