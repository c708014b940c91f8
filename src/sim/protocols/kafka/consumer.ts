/**
 * A member of the consumer group (role `consumer`; Design §4.5 "The Consumer": a consumer
 * "issues fetch requests to the brokers leading the partitions it wants to consume", and its
 * position is "just a single integer" per partition, committed to the group). It joins the
 * group at start, heartbeats, consumes each partition it is assigned from the group's committed
 * offset, and after each batch commits the offset past it and waits for the answer before the
 * next batch (a synchronous commit: at-least-once, §4.6). When the coordinator says it is no
 * longer a member, it commits what it processed (the "onPartitionsRevoked: commitOffsets"
 * listener of the StickyAssignor javadoc) and joins again: the coordinator refuses that commit
 * unless `bugCommitStaleGeneration` is on.
 */
import type { Ctx, Input } from '../../protocol';
import type { ConsumerState, KafkaMsg, KafkaParams, MsgOf } from './types';

type C = Ctx<KafkaParams, KafkaMsg>;

export function initConsumer(params: KafkaParams): ConsumerState {
  const n = params.partitions;
  return {
    kind: 'consumer',
    generation: -1,
    assigned: [],
    position: Array.from({ length: n }, () => 0),
    inFlightUs: Array.from({ length: n }, () => -1),
    pendingCommit: Array.from({ length: n }, () => null),
    leaders: Array.from({ length: n }, () => ''),
    processed: 0,
    resets: 0,
    lastJoinUs: 0,
  };
}

const coordinator = (ctx: C) => ctx.nodesWithRole('controller')[0] ?? '';

function join(ctx: C, c: ConsumerState, held: number[]): void {
  c.generation = -1;
  c.assigned = [];
  c.lastJoinUs = ctx.now();
  const to = coordinator(ctx);
  if (to !== '') ctx.send(to, { type: 'JoinGroup', held });
}

/** Where to fetch a partition: its known leader, else a broker picked by partition (it names the leader). */
function leaderOf(ctx: C, c: ConsumerState, p: number): string {
  if (c.leaders[p] !== '') return c.leaders[p]!;
  const brokers = ctx.nodesWithRole('broker');
  return brokers.length === 0 ? '' : brokers[p % brokers.length]!;
}

function sendCommit(ctx: C, c: ConsumerState, p: number): void {
  const pc = c.pendingCommit[p];
  if (pc == null) return;
  ctx.send(coordinator(ctx), {
    type: 'OffsetCommit',
    generation: c.generation,
    partition: p,
    from: pc.from,
    to: pc.to,
  });
  c.inFlightUs[p] = ctx.now();
}

/** The poll loop: per assigned partition, send the pending commit again or fetch the next batch. */
function poll(ctx: C, c: ConsumerState): void {
  const now = ctx.now();
  for (const p of c.assigned) {
    if (c.inFlightUs[p]! >= 0 && now - c.inFlightUs[p]! < ctx.params.requestTimeoutMs * 1000) continue;
    if (c.inFlightUs[p]! >= 0 && c.pendingCommit[p] == null) c.leaders[p] = ''; // a fetch timed out: look the leader up again
    if (c.pendingCommit[p] != null) {
      sendCommit(ctx, c, p);
      continue;
    }
    const to = leaderOf(ctx, c, p);
    if (to === '') continue;
    ctx.send(to, { type: 'ConsumerFetch', partition: p, offset: c.position[p]! });
    c.inFlightUs[p] = now;
  }
}

export function onConsumer(ctx: C, c: ConsumerState, input: Input<KafkaMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      join(ctx, c, []);
      ctx.setTimer('group-heartbeat', ctx.params.consumerHeartbeatMs * 1000);
      ctx.setTimer('poll', ctx.params.fetchWaitMs * 1000);
      return;
    case 'timer':
      if (input.name === 'group-heartbeat') {
        // A join unanswered for a session timeout is sent again.
        if (c.generation < 0 && ctx.now() - c.lastJoinUs > ctx.params.groupSessionTimeoutMs * 1000)
          join(ctx, c, []);
        else ctx.send(coordinator(ctx), { type: 'GroupHeartbeat', generation: c.generation });
        ctx.setTimer('group-heartbeat', ctx.params.consumerHeartbeatMs * 1000);
      } else if (input.name === 'poll') {
        poll(ctx, c);
        ctx.setTimer('poll', ctx.params.fetchWaitMs * 1000);
      }
      return;
    case 'message': {
      const m = input.msg;
      if (m.type === 'SyncAssignment') onAssignment(ctx, c, m);
      else if (m.type === 'GroupHeartbeatResponse') onRemoved(ctx, c);
      else if (m.type === 'ConsumerFetchResponse') onRecords(ctx, c, input.from, m);
      else if (m.type === 'OffsetCommitResponse') onCommitted(ctx, c, m);
      return;
    }
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
  }
}

/** A new generation: consume the assigned partitions from the group's committed offsets. */
function onAssignment(ctx: C, c: ConsumerState, m: MsgOf<'SyncAssignment'>): void {
  if (m.generation <= c.generation) return;
  c.generation = m.generation;
  c.assigned = [...m.partitions];
  for (let p = 0; p < c.position.length; p++) {
    c.position[p] = m.committed[p] ?? 0;
    c.inFlightUs[p] = -1;
    c.pendingCommit[p] = null;
  }
  ctx.note(
    `generation ${m.generation}: consume ${c.assigned.map((p) => `p${p} from ${c.position[p]}`).join(', ') || 'nothing'}`,
  );
}

/** No longer a member (its session ended): commit what it processed, as a revoke listener would, and join again. */
function onRemoved(ctx: C, c: ConsumerState): void {
  if (c.generation < 0) return;
  ctx.note(`removed from the group at generation ${c.generation}: commit what was processed, join again`);
  for (const p of c.assigned) sendCommit(ctx, c, p);
  join(ctx, c, c.assigned);
}

function onRecords(ctx: C, c: ConsumerState, from: string, m: MsgOf<'ConsumerFetchResponse'>): void {
  const p = m.partition;
  if (!c.assigned.includes(p) || m.offset !== c.position[p] || c.pendingCommit[p] != null) return;
  c.inFlightUs[p] = -1;
  if (m.error === 'not-leader-or-follower') {
    c.leaders[p] = m.leader;
    return;
  }
  c.leaders[p] = from;
  if (m.error === 'offset-out-of-range') {
    // auto.offset.reset: the records at the position were deleted by retention.
    const to = ctx.params.autoOffsetReset === 'earliest' ? (m.logStartOffset ?? 0) : (m.highWatermark ?? 0);
    ctx.note(
      `p${p}: offset ${m.offset} is out of range, reset to the ${ctx.params.autoOffsetReset} offset ${to}`,
    );
    c.position[p] = to;
    c.resets += 1;
    return;
  }
  if (m.error !== 'none' || m.records.length === 0) return;
  // Process the batch, then commit the offset past it (at-least-once). Offsets may have gaps
  // where the log was compacted: the position goes past the last record.
  c.processed += m.records.length;
  c.position[p] = m.records[m.records.length - 1]!.offset + 1;
  c.pendingCommit[p] = { from: m.offset, to: c.position[p]! };
  sendCommit(ctx, c, p);
}

function onCommitted(ctx: C, c: ConsumerState, m: MsgOf<'OffsetCommitResponse'>): void {
  const p = m.partition;
  if (m.generation !== c.generation || c.pendingCommit[p]?.to !== m.to) return;
  c.pendingCommit[p] = null;
  c.inFlightUs[p] = -1;
  if (m.error === 'illegal-generation') {
    ctx.note(`commit of p${p} refused: generation ${c.generation} is over, join again`);
    join(ctx, c, c.assigned);
  }
}
