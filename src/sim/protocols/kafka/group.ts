/**
 * The consumer group's coordinator (Apache Kafka documentation, "Design" §4.5 "The Consumer"
 * and §4.6 "Message Delivery Semantics"; the group protocol in the server-side form of KIP-848,
 * where the coordinator itself runs the assignor). It lives on the controller here.
 *
 * - A consumer joins (JoinGroup); every join, and every member whose session ends (no heartbeat
 *   for session.timeout.ms: a crash, a cut), is a rebalance: a new generation, the partitions
 *   split by `partition.assignment.strategy` (assignors.ts), and each member told its
 *   partitions and where the group's committed offsets stand (SyncAssignment).
 * - A member commits the offset it has consumed up to (OffsetCommit, §4.6: "it can read the
 *   messages, then save its position in the log, and finally process the messages" is at-most-once;
 *   processing then committing, as here, is at-least-once). The coordinator takes a commit only
 *   from a member of the current generation that owns the partition (ILLEGAL_GENERATION
 *   otherwise): a consumer removed from the group — a "zombie" still reading — cannot move the
 *   group's offset.
 */
import type { Ctx } from '../../protocol';
import { assign, type Subscription } from './assignors';
import type { GroupState, KafkaMsg, KafkaParams, MsgOf } from './types';

type C = Ctx<KafkaParams, KafkaMsg>;

/** The one topic, as the assignors name it. */
const TOPIC = 'topic';

/** A group with no members, nothing committed. */
export function initGroup(partitions: number): GroupState {
  return {
    generation: 0,
    members: {},
    assignment: {},
    committed: Array.from({ length: partitions }, () => 0),
    rebalances: 0,
    moves: 0,
    rejectedCommits: 0,
  };
}

/** A new generation: the assignor splits the partitions over the members, and each member hears its share. */
function rebalance(ctx: C, g: GroupState, why: string, joinHeld: Record<string, number[]> = {}): void {
  g.generation += 1;
  g.rebalances += 1;
  const members = Object.keys(g.members).sort();
  const subscriptions: Record<string, Subscription> = {};
  for (const m of members) {
    // Sticky keeps what a member held: the coordinator's record, or what a joining member says it holds.
    const held = joinHeld[m] ?? g.assignment[m] ?? [];
    subscriptions[m] = { topics: [TOPIC], held: held.map((partition) => ({ topic: TOPIC, partition })) };
  }
  const result = assign(ctx.params.assignor, { [TOPIC]: g.committed.length }, subscriptions);
  const before = ownerOf(g.assignment);
  g.assignment = {};
  for (const m of members)
    g.assignment[m] = (result[m] ?? []).map((tp) => tp.partition).sort((a, b) => a - b);
  const after = ownerOf(g.assignment);
  for (const [p, owner] of before) if (after.get(p) !== owner) g.moves += 1;
  ctx.note(
    `rebalance, generation ${g.generation} (${why}): ${members.map((m) => `${m} [${g.assignment[m]!.map((p) => `p${p}`).join(' ')}]`).join(', ') || 'no members'}`,
  );
  for (const m of members) sync(ctx, g, m);
}

/** Partition → the member it is assigned to. */
function ownerOf(assignment: Record<string, number[]>): Map<number, string> {
  const owner = new Map<number, string>();
  for (const [m, ps] of Object.entries(assignment)) for (const p of ps) owner.set(p, m);
  return owner;
}

function sync(ctx: C, g: GroupState, member: string): void {
  ctx.send(member, {
    type: 'SyncAssignment',
    generation: g.generation,
    partitions: g.assignment[member] ?? [],
    committed: [...g.committed],
  });
}

/** The coordinator restarted: every member gets a fresh session (it heard nobody meanwhile). */
export function restartGroup(ctx: C, g: GroupState): void {
  for (const m of Object.values(g.members)) m.lastHeartbeatUs = ctx.now();
}

/** session.timeout.ms: members not heard from for that long leave the group, in one rebalance. */
export function expireMembers(ctx: C, g: GroupState): void {
  const gone = Object.entries(g.members)
    .filter(([, m]) => ctx.now() - m.lastHeartbeatUs > ctx.params.groupSessionTimeoutMs * 1000)
    .map(([id]) => id);
  if (gone.length === 0) return;
  // Their assignment stays until the rebalance replaces it, so their partitions count as moved.
  for (const id of gone) delete g.members[id];
  rebalance(ctx, g, `${gone.join(', ')} timed out`);
}

/** A group message to the coordinator; false when `m` is not one. */
export function onGroupMessage(ctx: C, g: GroupState, from: string, m: KafkaMsg): boolean {
  switch (m.type) {
    case 'JoinGroup':
      g.members[from] = { lastHeartbeatUs: ctx.now() };
      rebalance(ctx, g, `${from} joined`, { [from]: m.held });
      return true;
    case 'GroupHeartbeat': {
      const member = g.members[from];
      if (member === undefined) {
        ctx.send(from, { type: 'GroupHeartbeatResponse', error: 'unknown-member' });
        return true;
      }
      member.lastHeartbeatUs = ctx.now();
      // A member behind the current generation missed its assignment: send it again.
      if (m.generation !== g.generation) sync(ctx, g, from);
      return true;
    }
    case 'OffsetCommit':
      onOffsetCommit(ctx, g, from, m);
      return true;
    default:
      return false;
  }
}

/**
 * OffsetCommit: the member has consumed `partition` from `from` up to `to` (exclusive). Taken only
 * from a current member owning the partition in this generation. The `offset-committed` event
 * carries the range and where the group stood, for the committed-once check.
 */
function onOffsetCommit(ctx: C, g: GroupState, member: string, m: MsgOf<'OffsetCommit'>): void {
  const current =
    g.members[member] !== undefined &&
    m.generation === g.generation &&
    (g.assignment[member] ?? []).includes(m.partition);
  const answer = (error: 'none' | 'illegal-generation') =>
    ctx.send(member, {
      type: 'OffsetCommitResponse',
      generation: m.generation,
      partition: m.partition,
      to: m.to,
      error,
    });
  if (!current && !ctx.params.bugCommitStaleGeneration) {
    g.rejectedCommits += 1;
    ctx.note(
      `refuse ${member}'s commit of p${m.partition} at ${m.to}: generation ${m.generation} is not ${g.generation} or not its partition`,
    );
    answer('illegal-generation');
    return;
  }
  const prev = g.committed[m.partition] ?? 0;
  // The same commit again (its answer was lost): already done.
  if (m.to !== prev) {
    ctx.emit({
      type: 'offset-committed',
      partition: m.partition,
      member,
      generation: m.generation,
      from: m.from,
      to: m.to,
      prev,
    });
    g.committed[m.partition] = m.to;
  }
  answer('none');
}
