import type { Ctx, Input, ProtocolMessage } from '../../../protocol';
import { type KvClientState, kvClient } from '../../../toolkit/kv-client';

/**
 * The clients of the commit protocols: the toolkit's key-value client, each workload operation
 * run as one transaction by the node that begins transactions (2PC's and 3PC's coordinator,
 * Paxos Commit's TM), which answers once it is committed or aborted. The same for the three
 * protocols, so that their clients' histories compare.
 */

/** Client -> coordinator: run this operation as a transaction. */
export interface TxnRequestMsg {
  /** Message type. */
  type: 'TxnRequest';
  /** The client's request number. */
  req: number;
  /** Read or write. */
  op: 'read' | 'write';
  /** The key. */
  key: string;
  /** The value to write ('' for a read). */
  value: string;
}

/** Coordinator -> client: committed (with the value read) or aborted. */
export interface TxnResultMsg {
  /** Message type. */
  type: 'TxnResult';
  /** The request it answers. */
  req: number;
  /** Committed (true) or aborted. */
  ok: boolean;
  /** The value read (reads), or null. */
  value: string | null;
}

/** A client: the toolkit's key-value client; each operation is one transaction. */
export interface ClientState extends KvClientState {
  /** Discriminator. */
  kind: 'client';
}

/**
 * The client's handler, for a protocol whose messages `M` include TxnRequestMsg and
 * TxnResultMsg: every request goes to the node of role `coordinator`; an abort answers the
 * operation as failed, a commit as done (with the value read).
 */
export function txnClient<P, M extends ProtocolMessage>(
  coordinator: string,
): (ctx: Ctx<P, M>, c: ClientState, input: Input<M>) => void {
  const client = kvClient<P, TxnRequestMsg | TxnResultMsg, ClientState, TxnResultMsg>({
    address: (ctx) => ctx.nodesWithRole(coordinator)[0] ?? '',
    request: (_ctx, _c, r) => ({ type: 'TxnRequest', req: r.req, op: r.op, key: r.key, value: r.value }),
    answers: { types: ['TxnResult'], req: (m) => m.req },
    read: (_ctx, _c, r, _from, m) => ({
      done: !m.ok ? { ok: false } : r.op === 'read' ? { ok: true, value: m.value } : { ok: true },
    }),
  });
  // M holds the two messages above (the protocol's union names them); the client reads and sends only those.
  return client as unknown as (ctx: Ctx<P, M>, c: ClientState, input: Input<M>) => void;
}
