/**
 * The renderer's API client: the same typed calls over either transport. Calls resolve to
 * the method's result or reject with a DslabApiError whose message names what is wrong.
 */
import {
  DslabApiError,
  type DslabBridge,
  type EventName,
  type EventPayload,
  type MethodName,
  type Req,
  type Res,
} from '../../../shared/api';
import { createWsBridge } from './ws-bridge';

let bridge: DslabBridge | null = null;

function getBridge(): DslabBridge {
  if (!bridge) bridge = window.dslab ?? createWsBridge(window.location);
  return bridge;
}

/** Calls an API method; rejects with DslabApiError on failure. */
export async function call<M extends MethodName>(method: M, payload: Req<M>): Promise<Res<M>> {
  const envelope = await getBridge().invoke(method, payload);
  if (!envelope.ok) throw new DslabApiError(envelope.error);
  return envelope.value;
}

/** Subscribes to an API event; returns the unsubscribe function. */
export function subscribe<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): () => void {
  return getBridge().on(event, listener);
}

/** Which transport this page talks over. */
export function transport(): 'electron' | 'web' {
  return getBridge().transport;
}

/** The raw bridge, for tests that send malformed payloads on purpose. */
export function rawBridge(): DslabBridge {
  return getBridge();
}
