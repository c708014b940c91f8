/**
 * A client node: it sends the workload's writes to the leader it believes in and its reads
 * where the read policy says (the leader, or a random follower), with the session floor of
 * read-your-writes or monotonic reads (Terry et al. 1994; DDIA ch. 5, "Reading Your Own
 * Writes", "Monotonic Reads"), and answers the workload from the replicas' replies.
 */
import type { Input } from '../../protocol';
import { replicas } from './replica';
import type { ClientState, RRCtx, RRMsg } from './types';

/** A client's state at first start. */
export function newClient(): ClientState {
  return {
    kind: 'client',
    leaderId: '',
    epoch: 0,
    writeSeq: 0,
    readSeq: 0,
    pending: {},
    writes: 0,
    writeLatencySumUs: 0,
    reads: 0,
    readLatencySumUs: 0,
    redirected: 0,
    sessionViolations: 0,
  };
}

/** Where a read goes: the leader, or a random follower. */
function readTarget(ctx: RRCtx, c: ClientState): string {
  const all = replicas(ctx);
  const followers = all.filter((r) => r !== c.leaderId);
  if (ctx.params.readPolicy === 'leader' || followers.length === 0) return c.leaderId || all[0]!;
  return ctx.rng.pick(followers);
}

/** The version a session read must see (0: no guarantee asked). Terry et al. 1994. */
function sessionFloor(ctx: RRCtx, c: ClientState): number {
  if (ctx.params.readPolicy === 'read-your-writes') return c.writeSeq;
  if (ctx.params.readPolicy === 'monotonic') return c.readSeq;
  return 0;
}

/** One input to a client: send workload operations to replicas, answer them from the replies. */
export function onClient(ctx: RRCtx, c: ClientState, input: Input<RRMsg>): void {
  // The initial leader is the node with role 'leader' until someone says otherwise.
  if (c.leaderId === '') c.leaderId = ctx.nodesWithRole('leader')[0] ?? '';
  switch (input.kind) {
    case 'start':
    case 'restart':
    case 'timer':
      return;
    case 'client': {
      const op = input.op;
      if (op.op === 'write') {
        const to = c.leaderId || replicas(ctx)[0]!;
        c.pending[op.id] = { op, to, minSeq: 0, floor: 0, sentUs: ctx.now() };
        ctx.send(to, { type: 'write', opId: op.id, key: op.key, value: op.value ?? '' });
        return;
      }
      const to = readTarget(ctx, c);
      const floor = sessionFloor(ctx, c);
      const minSeq = ctx.params.bugIgnoreSession ? 0 : floor;
      c.pending[op.id] = { op, to, minSeq, floor, sentUs: ctx.now() };
      ctx.send(to, { type: 'read', opId: op.id, key: op.key, minSeq });
      return;
    }
    case 'message': {
      const m = input.msg;
      if (m.type === 'newLeader') {
        if (m.epoch >= c.epoch) {
          c.leaderId = input.from;
          c.epoch = m.epoch;
        }
        return;
      }
      if (!('opId' in m)) return;
      const p = c.pending[m.opId];
      if (p === undefined) return;
      const tookUs = ctx.now() - p.sentUs;
      switch (m.type) {
        case 'writeOk':
          delete c.pending[m.opId];
          c.writeSeq = Math.max(c.writeSeq, m.seq);
          c.writes += 1;
          c.writeLatencySumUs += tookUs;
          ctx.reply(p.op, { ok: true });
          return;
        case 'writeFail':
          delete c.pending[m.opId];
          if (m.epoch >= c.epoch && m.leader !== '') {
            c.leaderId = m.leader;
            c.epoch = m.epoch;
          }
          ctx.reply(p.op, { ok: false });
          return;
        case 'readBehind': {
          // The follower is below the session floor: ask the leader instead.
          const to = c.leaderId || replicas(ctx)[0]!;
          c.redirected += 1;
          c.pending[m.opId] = { ...p, to, minSeq: 0 };
          ctx.send(to, { type: 'read', opId: m.opId, key: p.op.key, minSeq: 0 });
          return;
        }
        case 'readOk': {
          delete c.pending[m.opId];
          const violated = m.seq < p.floor;
          c.readSeq = Math.max(c.readSeq, m.seq);
          c.reads += 1;
          c.readLatencySumUs += tookUs;
          if (violated) c.sessionViolations += 1;
          ctx.reply(p.op, { ok: true, value: m.value });
          if (violated)
            ctx.note(
              `session guarantee broken: #${m.opId} read version ${m.seq} below the session floor ${p.floor}`,
            );
          return;
        }
        default:
          return;
      }
    }
  }
}
