/**
 * Web mode: the built renderer and the same API as the Electron window, over a WebSocket
 * bound to 127.0.0.1 only. The server has a random token (main.ts keeps it in the data folder,
 * token.ts); the page URL carries it and the socket must present it. A socket from another
 * Origin, or with a wrong Host (DNS rebinding), is refused before the upgrade completes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Caller, Dispatch } from '../main/api/dispatch';
import { type EventName, type EventPayload, MAX_MESSAGE_BYTES } from '../shared/api';
import { Connection } from './connection';
import { parseTarget, plain, serveStatic } from './static';

/** Open API sockets at most (a page uses one); more are refused with 503. */
export const MAX_SOCKETS = 32;

/** Options for a web-mode server. */
export interface WebServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The built renderer folder (out/renderer). */
  staticDir: string;
  /** The API dispatcher. */
  dispatch: Dispatch;
  /** Fixed token (tests); default: 32 random bytes, base64url. */
  token?: string;
  /** Largest accepted message, bytes (default MAX_MESSAGE_BYTES: a 20 MiB file, escaped, in its envelope). */
  maxMessageBytes?: number;
  /** Where failures are logged (default: stderr). */
  log?: (message: string) => void;
  /** Frees what a closed socket held: its simulations and experiments (ApiHost.release). */
  release?: (caller: Caller) => void;
}

/** A running web-mode server. */
export interface WebServer {
  /** The URL to open, token included. */
  url: string;
  /** The origin pages are served from. */
  origin: string;
  /** The token the socket must present. */
  token: string;
  /** The bound port. */
  port: number;
  /** Pushes an event to every connected page. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Stops listening and closes every socket. */
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const log = opts.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const server = http.createServer((req, res) => {
    // Whatever a request holds, it gets an answer and the server stays up.
    try {
      if (req.url?.startsWith('/api/session')) session(req, res);
      else serveStatic(opts.staticDir, req, res);
    } catch (err) {
      log(`web: request ${JSON.stringify(req.url)} failed: ${err instanceof Error ? err.message : err}`);
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));

  /**
   * GET /api/session?token=…: whether a token opens the API, so a page whose socket was refused
   * can say why (no token in its link, or not the server's token) rather than "cannot reach".
   * It tells no more than the socket's own 401 does.
   */
  function session(req: http.IncomingMessage, res: http.ServerResponse) {
    const target = parseTarget(req.url);
    if (target === null) return plain(res, 400, 'Bad request: the path is malformed.');
    if (target.path !== '/api/session') return plain(res, 404, 'Not found');
    if (!allowedHosts.has(req.headers.host ?? '')) return plain(res, 403, 'Forbidden Host');
    const given = target.query.get('token');
    const problem = !given ? 'missing' : tokenMatches(given, token) ? null : 'wrong';
    const body = JSON.stringify(problem ? { ok: false, problem } : { ok: true });
    res
      .writeHead(problem ? 401 : 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .end(body);
  }

  server.on('upgrade', (req, socket, head) => {
    // Node hands an upgrade's socket over without an error listener: a reset would crash us.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const target = parseTarget(req.url);
    if (target === null) return refuse(400, 'Bad Request');
    if (target.path !== '/api') return refuse(404, 'Not Found');
    if (!allowedHosts.has(req.headers.host ?? '')) return refuse(403, 'Forbidden Host');
    if (!allowedOrigins.has(req.headers.origin ?? '')) return refuse(403, 'Forbidden Origin');
    if (!tokenMatches(target.query.get('token'), token)) return refuse(401, 'Unauthorized');
    if (connections.size >= MAX_SOCKETS) return refuse(503, 'Too Many Connections');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const connections = new Map<WebSocket, Connection>();
  wss.on('connection', (ws: WebSocket) => {
    // A broken frame (oversize, invalid UTF-8, unmasked, reserved bits or opcodes, a bad close
    // code, a fragmented control frame) is reported here; ws has already sent the close frame
    // with the code RFC 6455 gives it (1002, 1007, 1009) and drops only this socket.
    ws.on('error', (err) => log(`web: closed a socket: ${err.message}`));
    const conn = new Connection(ws, {
      dispatch: opts.dispatch,
      log,
      ...(opts.release ? { release: opts.release } : {}),
    });
    connections.set(ws, conn);
    ws.on('close', () => connections.delete(ws));
  });

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    emit(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const conn of connections.values()) conn.event(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
