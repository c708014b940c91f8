/**
 * What crosses a transport: every call answers an envelope, never a thrown error, so the
 * message survives Electron's IPC (which rewrites thrown errors) and the WebSocket alike.
 */
import type { z } from 'zod';

/** Error codes a caller can branch on. */
export type ApiErrorCode =
  | 'bad-request'
  | 'unknown-method'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'busy'
  | 'cancelled'
  | 'internal'
  | 'forbidden'
  | 'read-only';

/** A failed call. */
export interface ApiError {
  /** Machine-readable class of failure. */
  code: ApiErrorCode;
  /** One clear sentence naming what is wrong, e.g. "payload.text: expected string, received number". */
  message: string;
  /** JSON path of the offending field, when the payload was at fault. */
  path?: (string | number)[];
}

/** The answer to one call. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Turns zod issues into one line that names each wrong field from the payload's root. */
export function describeZodError(err: z.ZodError, root = 'payload'): string {
  return err.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].join('.');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** An error a caller sees as a rejected promise; keeps the envelope's code and path. */
export class DslabApiError extends Error {
  /** Machine-readable class of failure. */
  readonly code: ApiErrorCode;
  /** JSON path of the offending field, when known. */
  readonly path: (string | number)[] | undefined;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'DslabApiError';
    this.code = error.code;
    this.path = error.path;
  }
}
