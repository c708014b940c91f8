/**
 * The resource a lock protects, for the classic pitfall: a client paused past its session
 * timeout still believes it holds the lock and writes when it wakes, after the next holder did
 * (Kleppmann, "How to do distributed locking", 2016; the ZooKeeper recipes' note on session
 * expiry). With `fencing` the store remembers the highest token it took and refuses an older one.
 */
import type { Ctx, Input } from '../../protocol';
import type { StoreState, ZkMsg, ZooKeeperParams } from './types';

export function initStore(): StoreState {
  return { kind: 'store', maxToken: -1, lastWriter: '', writes: 0, refused: 0 };
}

export function onStore(ctx: Ctx<ZooKeeperParams, ZkMsg>, s: StoreState, input: Input<ZkMsg>): void {
  if (input.kind === 'client') ctx.reply(input.op, { ok: false });
  if (input.kind !== 'message' || input.msg.type !== 'STOREWRITE') return;
  const { token } = input.msg;
  if (ctx.params.fencing && token < s.maxToken) {
    s.refused += 1;
    ctx.note(`refuse ${input.from}'s write: token ${token} is older than ${s.maxToken}`);
    return;
  }
  ctx.emit({ type: 'store-write', client: input.from, token, max: s.maxToken, last: s.lastWriter });
  if (token >= s.maxToken) {
    s.maxToken = token;
    s.lastWriter = input.from;
  }
  s.writes += 1;
}
