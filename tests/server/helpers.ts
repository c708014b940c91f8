/**
 * Web mode as a user runs it: `src/server/main.ts` in a child process with a throw-away data
 * folder and a one-page static folder, so a test can see whether the server stays up (a crash
 * is the child exiting), plus raw TCP helpers to speak HTTP and WebSocket frames by hand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A web-mode server running as a child process. */
export interface ServerProcess {
  /** The URL it printed, token included. */
  url: string;
  /** Its origin, http://127.0.0.1:PORT. */
  origin: string;
  /** The bound port. */
  port: number;
  /** The token of the printed URL. */
  token: string;
  /** Its data folder. */
  dataDir: string;
  /** The child. */
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Whether it has exited (crashed, or was stopped). */
  exited(): boolean;
  /** Resolves with the exit code (or signal) once it has exited. */
  exit: Promise<number | string | null>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<number | string | null>;
}

/** Starts `npm run web --no-build` as a child on a free port. */
export async function startServerProcess(
  opts: { args?: string[]; env?: NodeJS.ProcessEnv; dataDir?: string } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-web-'));
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>DSLab test</title>');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/main.ts',
      '--port',
      '0',
      '--data',
      dataDir,
      '--static',
      staticDir,
      ...(opts.args ?? []),
    ],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  let done = false;
  const exit = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal);
    }),
  );
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`the server exited (${code}) before it listened:\n${err}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    child,
    stderr: () => err,
    exited: () => done,
    exit,
    stop: () => {
      if (!done) child.kill('SIGTERM');
      return exit;
    },
  };
}

/**
 * Sends raw bytes on a fresh TCP connection and resolves with everything the server answered
 * once it closes the connection (send `Connection: close` with a well-formed request).
 */
export function rawHttp(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
    });
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.write(bytes);
  });
}

/** The status code of the first HTTP response line, or null when there was none. */
export function statusOf(response: string): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

/** A ws client with the right Origin and token, open. */
export function openSocket(s: Pick<ServerProcess, 'port' | 'origin' | 'token'>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
      origin: s.origin,
      maxPayload: 0,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A reply as it comes over the wire. */
export interface Reply {
  id: number | null;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; path?: (string | number)[] };
}

/** One call over an open socket; resolves with the reply (events are skipped). */
export function ask(ws: WebSocket, id: number, method: string, payload: unknown = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as Reply;
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(msg);
    };
    const onClose = (code: number) => {
      ws.off('message', onMessage);
      reject(new Error(`the socket closed (${code}) before call ${id} (${method}) was answered`));
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ id, method, payload }));
  });
}

/** How a raw socket ended. */
export interface Closed {
  frame: boolean;
  code: number | null;
  reason: string;
}

/** A raw TCP connection that has completed the WebSocket handshake as a browser would. */
export interface RawSocket {
  socket: net.Socket;
  /**
   * Resolves when the server closes: `frame` tells whether it sent a close frame, `code` is the
   * frame's code (null for a close frame without one, or for no frame at all).
   */
  closed: Promise<Closed>;
  /** Resolves with the first text frame from the server that passes `pred`. */
  text(pred: (text: string) => boolean): Promise<string>;
}

/** Opens /api over a raw TCP socket (valid Origin, Host and token) and completes the upgrade. */
export function rawUpgrade(s: Pick<ServerProcess, 'port' | 'origin' | 'token'>): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(s.port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const texts: string[] = [];
    const waiters: { pred: (t: string) => boolean; resolve: (t: string) => void }[] = [];
    const text = (pred: (t: string) => boolean) =>
      new Promise<string>((r) => {
        const seen = texts.find(pred);
        if (seen !== undefined) r(seen);
        else waiters.push({ pred, resolve: r });
      });
    let settleClose: (v: Closed) => void = () => {};
    const closed = new Promise<Closed>((r) => {
      settleClose = r;
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head}`));
        upgraded = true;
        resolve({ socket, closed, text });
      }
      // Server frames are unmasked; find a close frame (opcode 8) among them.
      for (;;) {
        const f = parseFrame(buf);
        if (!f) break;
        buf = buf.subarray(f.size);
        if (f.opcode === 1) {
          const t = f.payload.toString('utf8');
          texts.push(t);
          for (const w of waiters.splice(0)) {
            if (w.pred(t)) w.resolve(t);
            else waiters.push(w);
          }
        }
        if (f.opcode === 8) {
          settleClose({
            frame: true,
            code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null,
            reason: f.payload.subarray(2).toString('utf8'),
          });
        }
      }
    });
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
      settleClose({ frame: false, code: null, reason: 'connection error' });
    });
    socket.on('close', () => {
      if (!upgraded) reject(new Error('the connection closed before the upgrade'));
      settleClose({ frame: false, code: null, reason: 'connection closed' });
    });
    socket.write(
      [
        'GET /api?token=' + s.token + ' HTTP/1.1',
        `Host: 127.0.0.1:${s.port}`,
        `Origin: ${s.origin}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

function parseFrame(b: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (b.length < 2) return null;
  const opcode = b[0]! & 0x0f;
  let len = b[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (b.length < 4) return null;
    len = b.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (b.length < 10) return null;
    len = Number(b.readBigUInt64BE(2));
    off = 10;
  }
  if (b.length < off + len) return null;
  return { opcode, payload: b.subarray(off, off + len), size: off + len };
}

/** Options for one hand-made frame. */
export interface FrameOptions {
  /** FIN bit (default true). */
  fin?: boolean;
  /** RSV1..3 bits as a number 0..7 (default 0). */
  rsv?: number;
  /** Opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong, 0 continuation). */
  opcode: number;
  /** Payload bytes. */
  payload?: Buffer;
  /** Mask it, as a client must (default true). */
  masked?: boolean;
  /** Length to announce instead of the payload's own (for lies like 2^62). */
  announce?: bigint;
}

/** Encodes one WebSocket frame as a client sends it. */
export function frame(o: FrameOptions): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const masked = o.masked ?? true;
  const len = o.announce ?? BigInt(payload.length);
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (o.opcode & 0x0f)];
  const m = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** A close frame's payload: a code and an optional reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}
