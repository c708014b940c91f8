/**
 * A client node: the toolkit's key-value client (src/sim/toolkit/kv-client.ts) with what is
 * read replication's own. Writes go to the leader it believes in; a replica that does not lead
 * answers `writeFail` with its hint and the client follows it. Reads go where the read policy
 * says (the leader, or a random follower), carrying the session floor of read-your-writes or
 * monotonic reads (Terry et al. 1994; DDIA ch. 5, "Reading Your Own Writes", "Monotonic
 * Reads"); a follower below the floor answers `readBehind` and the client asks the leader. A
 * read meant for the leader says so: a replica that does not lead refuses it (`readFail`,
 * with its hint) rather than answer from its own copy.
 * A request unanswered after `clientTimeoutUs` is given up, never re-sent (so a write is
 * never applied twice): its outcome stays unknown.
 */
import type { Input } from '../../protocol';
import { initKvClient, type KvRequest, kvClient } from '../../toolkit/kv-client';
import { replicas } from './replica';
import type {
  ClientState,
  ReadBehindMsg,
  ReadFailMsg,
  ReadOkMsg,
  RRCtx,
  RRMsg,
  SessionRead,
  WriteFailMsg,
  WriteOkMsg,
} from './types';

/** A client's state at first start. */
export function newClient(): ClientState {
  return {
    kind: 'client',
    ...initKvClient(),
    epoch: 0,
    writeSeq: 0,
    readSeq: 0,
    writes: 0,
    writeLatencySumUs: 0,
    reads: 0,
    readLatencySumUs: 0,
    redirected: 0,
    sessionViolations: 0,
  };
}

/** The leader as far as the client knows: its hint, else the node with role 'leader'. */
function believedLeader(ctx: RRCtx, c: ClientState): string {
  return c.leader || ctx.nodesWithRole('leader')[0] || replicas(ctx)[0] || '';
}

/** Where a read goes: the leader, or a random follower. */
function readTarget(ctx: RRCtx, c: ClientState): string {
  const leader = believedLeader(ctx, c);
  const followers = replicas(ctx).filter((r) => r !== leader);
  if (ctx.params.readPolicy === 'leader' || followers.length === 0) return leader;
  return ctx.rng.pick(followers);
}

/** The version a session read must see (0: no guarantee asked). Terry et al. 1994. */
function sessionFloor(ctx: RRCtx, c: ClientState): number {
  if (ctx.params.readPolicy === 'read-your-writes') return c.writeSeq;
  if (ctx.params.readPolicy === 'monotonic') return c.readSeq;
  return 0;
}

type Answer = WriteOkMsg | WriteFailMsg | ReadOkMsg | ReadFailMsg | ReadBehindMsg;

/** What an answer says about its request. */
function readAnswer(ctx: RRCtx, c: ClientState, r: KvRequest<SessionRead>, from: string, m: Answer) {
  const tookUs = ctx.now() - r.firstUs;
  switch (m.type) {
    case 'writeOk':
      c.writeSeq = Math.max(c.writeSeq, m.seq);
      c.writes += 1;
      c.writeLatencySumUs += tookUs;
      return { done: { ok: true as const }, leader: from };
    case 'writeFail':
    case 'readFail':
      // The replica does not lead (or no longer does) and did not append the write or serve the
      // read: follow its hint, or fail.
      if (m.epoch >= c.epoch && m.leader !== '' && m.leader !== from) {
        c.epoch = m.epoch;
        return { redirect: m.leader, leader: m.leader };
      }
      return { done: { ok: false as const } };
    case 'readBehind':
      // The follower is below the session floor: ask the leader instead, which has every write.
      c.redirected += 1;
      if (r.data !== undefined) {
        r.data.minSeq = 0;
        r.data.leader = true;
      }
      return { redirect: believedLeader(ctx, c) };
    case 'readOk': {
      const floor = r.data?.floor ?? 0;
      c.readSeq = Math.max(c.readSeq, m.seq);
      c.reads += 1;
      c.readLatencySumUs += tookUs;
      if (m.seq < floor) {
        c.sessionViolations += 1;
        ctx.note(
          `session guarantee broken: #${m.opId} read version ${m.seq} below the session floor ${floor}`,
        );
      }
      return { done: { ok: true as const, value: m.value } };
    }
  }
}

/** The toolkit client with read replication's addresses, messages and answers. */
const client = kvClient<RRCtx['params'], RRMsg, ClientState, Answer, SessionRead>({
  // Never re-sent: a re-sent write could be appended twice. Given up after one wait.
  retry: { timer: 'per-request', afterUs: (p) => p.clientTimeoutUs, maxTries: () => 1 },
  begin(ctx, c, op) {
    const floor = op.op === 'write' ? 0 : sessionFloor(ctx, c);
    // The bug switch forgets to send the floor; the client still knows it (and checks it).
    return {
      floor,
      minSeq: ctx.params.bugIgnoreSession ? 0 : floor,
      leader: ctx.params.readPolicy === 'leader',
    };
  },
  address(ctx, c, r) {
    return r.op === 'write' ? believedLeader(ctx, c) : readTarget(ctx, c);
  },
  request(_ctx, _c, r) {
    if (r.op === 'write') return { type: 'write', opId: r.id, key: r.key, value: r.value };
    return {
      type: 'read',
      opId: r.id,
      key: r.key,
      minSeq: r.data?.minSeq ?? 0,
      leader: r.data?.leader ?? false,
    };
  },
  answers: { types: ['writeOk', 'writeFail', 'readOk', 'readFail', 'readBehind'], id: (m) => m.opId },
  read: readAnswer,
});

/** One input to a client: a new leader's announcement, or the toolkit client's business. */
export function onClient(ctx: RRCtx, c: ClientState, input: Input<RRMsg>): void {
  if (input.kind === 'message' && input.msg.type === 'newLeader') {
    if (input.msg.epoch >= c.epoch) {
      c.leader = input.from;
      c.epoch = input.msg.epoch;
    }
    return;
  }
  client(ctx, c, input);
}
