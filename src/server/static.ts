/** Serves the built renderer from a folder, with the same CSP the Electron window uses. */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../main/security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** A request target taken apart: its decoded path and its query. */
export interface Target {
  /** The path, %-escapes decoded (never holds a NUL). */
  path: string;
  /** The query parameters. */
  query: URLSearchParams;
}

/**
 * A request target in origin form (`/path?query`), parsed; null for anything else: absolute
 * form (`http://[`), `*`, a scheme-relative `//host`, a target the URL parser refuses, a
 * broken %-escape, or a NUL byte (no file name on any system; node:fs throws on one). A
 * server on 127.0.0.1 is no proxy, so only origin form is ever meant for it.
 */
export function parseTarget(target: string | undefined): Target | null {
  if (!target?.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null;
  try {
    const url = new URL(target, 'http://127.0.0.1');
    const decoded = decodeURIComponent(url.pathname);
    return decoded.includes('\0') ? null : { path: decoded, query: url.searchParams };
  } catch {
    return null;
  }
}

/** Ends a request with a plain-text status (400 for a malformed target, 404, ...). */
export function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);
}

/** Answers GET/HEAD for files under `root`; index.html for `/`. Never leaves `root`. */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'Only GET and HEAD are served here.', { Allow: 'GET, HEAD' });
    return;
  }
  const target = parseTarget(req.url);
  if (target === null) {
    plain(res, 400, 'Bad request: the path is malformed.');
    return;
  }
  let rel = target.path;
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    plain(res, 403, 'Forbidden');
    return;
  }
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      plain(res, 404, 'Not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A file that goes away between the stat and the read ends this response, nothing else.
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}
