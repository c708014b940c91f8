/**
 * The shape of `window.dslab` (Electron preload) and of the web-mode client: one call
 * function over the method table and one subscription function over the event table.
 */
import type { EventName, EventPayload, MethodName, Req, Res } from './contract';
import type { Envelope } from './envelope';

/** The low-level bridge the preload exposes and the WebSocket client imitates. */
export interface DslabBridge {
  /** Which transport carries the calls. */
  readonly transport: 'electron' | 'web';
  /** Every method name in the contract, for discovery. */
  readonly methods: readonly MethodName[];
  /** Calls a method; resolves to an envelope (never rejects for API errors). */
  invoke<M extends MethodName>(method: M, payload: Req<M>): Promise<Envelope<Res<M>>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** IPC channel for a method (Electron). */
export const methodChannel = (method: MethodName): string => `dslab:call:${method}`;
/** IPC channel for an event (Electron). */
export const eventChannel = (event: EventName): string => `dslab:event:${event}`;
