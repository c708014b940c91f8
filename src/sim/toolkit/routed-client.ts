import type { Ctx, Input, ProtocolMessage } from '../protocol';
import { initKvClient, type KvClientState, kvClient } from './kv-client';

/**
 * The client of a key-value store with a front node that routes each request to the node
 * holding the key, which answers the client itself (sharding's router, consistent hashing's
 * coordinator). It is the toolkit's key-value client (kv-client.ts) with a fixed spec: each
 * operation is sent once, to the front node, and never re-sent (the workload's timeout gives
 * up on it); the answer names the operation by its id, from whichever node served it.
 */

/** Client -> front node: read a key. */
export interface GetMsg {
  /** Message type. */
  type: 'get';
  /** The client operation. */
  opId: number;
  /** The key. */
  key: string;
}

/** Client -> front node: write a key. */
export interface PutMsg {
  /** Message type. */
  type: 'put';
  /** The client operation. */
  opId: number;
  /** The key. */
  key: string;
  /** The value. */
  value: string;
}

/** Storage node -> client: the answer (the value read, null for a write or a missing key). */
export interface ResultMsg {
  /** Message type. */
  type: 'result';
  /** The client operation. */
  opId: number;
  /** The value read, or null. */
  value: string | null;
}

/** A client node's state. */
export interface RoutedClientState extends KvClientState {
  /** Discriminator. */
  kind: 'client';
  /** Answers received (a duplicated answer counts twice). */
  done: number;
}

/** A client before its first operation. */
export function initRoutedClient(): RoutedClientState {
  return { kind: 'client', done: 0, ...initKvClient() };
}

/**
 * The client's handler, for a protocol whose messages `M` include GetMsg, PutMsg and
 * ResultMsg: requests go to the node of role `front`.
 */
export function routedClient<P, M extends ProtocolMessage>(
  front: string,
): (ctx: Ctx<P, M>, c: RoutedClientState, input: Input<M>) => void {
  type Msg = GetMsg | PutMsg | ResultMsg;
  const client = kvClient<P, Msg, RoutedClientState, ResultMsg>({
    address: (ctx) => ctx.nodesWithRole(front)[0] ?? '',
    request: (_ctx, _c, r) =>
      r.op === 'read'
        ? { type: 'get', opId: r.id, key: r.key }
        : { type: 'put', opId: r.id, key: r.key, value: r.value },
    answers: { types: ['result'], id: (m) => m.opId },
    read: (_ctx, _c, _r, _from, m) => ({ done: { ok: true, value: m.value } }),
  });
  return (ctx, c, input) => {
    if (input.kind === 'message' && input.msg.type === 'result') c.done += 1;
    // M holds the three messages above (the protocol's union names them); the client reads and sends only those.
    client(ctx as unknown as Ctx<P, Msg>, c, input as unknown as Input<Msg>);
  };
}
