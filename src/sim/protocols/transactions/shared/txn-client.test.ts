import { describe, expect, it } from 'vitest';
import type { ProtocolMessage } from '../../../protocol';
import { handle } from '../../../toolkit/recorder';
import { paxosCommit } from '../paxos-commit';
import { threePhaseCommit } from '../three-phase-commit';
import { twoPhaseCommit } from '../two-phase-commit';
import type { ClientState } from './txn-client';

/** The three protocols' clients, and the node each sends its transactions to. */
const PROTOCOLS = [
  [twoPhaseCommit, { coord: 'coordinator', p1: 'participant', c1: 'client' }, 'coord'],
  [threePhaseCommit, { coord: 'coordinator', p1: 'participant', c1: 'client' }, 'coord'],
  [paxosCommit, { tm: 'tm', rm1: 'rm', a1: 'acceptor', c1: 'client' }, 'tm'],
] as const;

describe('the commit protocols’ client: each operation one transaction', () => {
  for (const [protocol, nodes, coordinator] of PROTOCOLS) {
    const p = protocol as unknown as Parameters<typeof handle>[0];
    const world = { self: 'c1', nodes, params: protocol.params.parse({}), nowUs: 0 };
    const client = () =>
      protocol.init({
        id: 'c1',
        role: 'client',
        params: world.params,
        nodes: Object.keys(nodes),
      } as never) as ClientState;
    const result = (req: number, ok: boolean, value: string | null) => ({
      kind: 'message' as const,
      from: coordinator,
      msg: { type: 'TxnResult', req, ok, value } as ProtocolMessage,
    });

    it(`${protocol.id}: a read goes to ${coordinator}; committed, it answers the value read`, () => {
      const c = client();
      const out = handle(p, c, { kind: 'client', op: { id: 7, client: 'c1', op: 'read', key: 'k1' } }, world);
      expect(out.sent).toEqual([
        { to: coordinator, msg: { type: 'TxnRequest', req: 1, op: 'read', key: 'k1', value: '' } },
      ]);
      expect(handle(p, c, result(1, true, 'v3'), world).replies).toEqual([
        { id: 7, result: { ok: true, value: 'v3' } },
      ]);
    });

    it(`${protocol.id}: an aborted write fails; a committed one succeeds, with no value`, () => {
      const c = client();
      handle(
        p,
        c,
        { kind: 'client', op: { id: 1, client: 'c1', op: 'write', key: 'k1', value: 'a' } },
        world,
      );
      handle(
        p,
        c,
        { kind: 'client', op: { id: 2, client: 'c1', op: 'write', key: 'k2', value: 'b' } },
        world,
      );
      expect(handle(p, c, result(1, false, null), world).replies).toEqual([{ id: 1, result: { ok: false } }]);
      expect(handle(p, c, result(2, true, null), world).replies).toEqual([{ id: 2, result: { ok: true } }]);
    });
  }
});
