import { z } from 'zod';
import type { Ctx, Liveness, Protocol } from '../../protocol';
import { clientOpsAnswered } from '../../toolkit/liveness';
import { sumOver } from '../../toolkit/metrics';
import { fullMesh, square } from '../../toolkit/topology';

/**
 * Eager reliable broadcast (Cachin, Guerraoui & Rodrigues, "Introduction to Reliable and
 * Secure Distributed Programming", 2nd ed., 2011, Algorithm 3.2): a node that delivers a
 * message for the first time relays it to every other node, so if any correct node delivers
 * it, all correct nodes do (agreement), even when the origin crashes mid-broadcast.
 * Properties checked as the run goes (§3.3): no duplication (RB2), no creation (RB3); and once
 * the faults stop and the network has drained, agreement (RB4) among the correct nodes.
 * Client writes are broadcast; a client read returns the node's local value (a replicated
 * register without consensus: fine for learning, not linearizable). Workload operations go
 * straight to broadcast nodes: the protocol has no client role.
 */
export const BroadcastParams = z.object({
  /** Bug switch: best-effort broadcast, no relaying (agreement breaks when the origin crashes). */
  bugNoRelay: z.boolean().default(false),
  /** Bug switch: no duplicate suppression (a relayed copy is delivered again). */
  bugNoDedupe: z.boolean().default(false),
  /** Bytes of padding per message (for load experiments; 0 none). */
  payloadBytes: z.number().int().min(0).max(1_000_000).default(0),
});
/** Broadcast params. */
export type BroadcastParams = z.infer<typeof BroadcastParams>;

/** A broadcast message. */
export interface BroadcastMsg {
  /** Message type. */
  type: 'bcast';
  /** Unique id: origin and its sequence number. */
  id: string;
  /** Origin node. */
  origin: string;
  /** Origin's sequence number. */
  n: number;
  /** Key written. */
  key: string;
  /** Value written. */
  value: string;
}

/**
 * A broadcast node. The set of delivered ids is kept per origin as sorted, disjoint ranges of
 * sequence numbers, so it stays small on long runs (O(origins + gaps), not O(messages
 * delivered)), even when a partition leaves permanent gaps.
 */
export interface BroadcastState {
  /** Next sequence number for our own broadcasts (durable). */
  next: number;
  /** Messages delivered (durable). */
  delivered: number;
  /** Per origin: delivered sequence numbers as flat [from, to, from, to, ...] ranges (durable). */
  got: Record<string, number[]>;
  /** The last few ids delivered, newest last (durable; for the inspector). */
  recent: string[];
  /** Deliveries of an id already delivered: always 0 unless bugNoDedupe is on. */
  duplicates: number;
  /** Local key-value view (durable). */
  kv: Record<string, string>;
  /** Messages relayed since the last start (volatile). */
  relays: number;
  /**
   * Times this node restarted after a crash (durable). The book's model is crash-stop: a node
   * that never crashed is *correct*, and agreement (RB4) is promised among correct nodes.
   */
  restarts: number;
}

const RECENT = 8;

function seen(s: BroadcastState, m: BroadcastMsg): boolean {
  const r = s.got[m.origin];
  if (r === undefined) return false;
  for (let k = 0; k < r.length; k += 2) if (m.n >= r[k]! && m.n <= r[k + 1]!) return true;
  return false;
}

/** The ranges with n added (n not yet in them), merged with neighbours. */
function addToRanges(r: readonly number[], n: number): number[] {
  const out: number[] = [];
  let placed = false;
  for (let k = 0; k < r.length; k += 2) {
    const a = r[k]!;
    const b = r[k + 1]!;
    if (!placed && n < a - 1) {
      out.push(n, n);
      placed = true;
    }
    if (!placed && n === a - 1) {
      out.push(n, b);
      placed = true;
      continue;
    }
    if (!placed && n === b + 1) {
      const c = r[k + 2];
      if (c !== undefined && c === n + 1) {
        out.push(a, r[k + 3]!);
        k += 2;
      } else out.push(a, n);
      placed = true;
      continue;
    }
    out.push(a, b);
  }
  if (!placed) out.push(n, n);
  return out;
}

/**
 * Delivers m here (Algorithm 3.2, upon deliver) and, when relaying, sends it on to every other
 * broadcast node (not to client-role nodes, which run no broadcast; not back to its origin
 * unless this is the origin).
 */
function deliver(
  ctx: Ctx<BroadcastParams, BroadcastMsg>,
  s: BroadcastState,
  m: BroadcastMsg,
  relay: boolean,
): void {
  const already = seen(s, m);
  if (already && !ctx.params.bugNoDedupe) return;
  if (relay)
    for (const p of ctx.nodesWithRole('node'))
      if (p !== ctx.self && (p !== m.origin || ctx.self === m.origin)) ctx.send(p, m);
  s.delivered += 1;
  if (already) s.duplicates += 1;
  else s.got[m.origin] = addToRanges(s.got[m.origin] ?? [], m.n);
  s.recent.push(m.id);
  if (s.recent.length > RECENT) s.recent.shift();
  s.kv[m.key] = m.value;
  if (relay && ctx.self !== m.origin) s.relays += 1;
}

/**
 * Agreement (RB4): if a correct node delivers m, every correct node delivers m. "Eventually" is
 * judged when it can be: once the faults have stopped (and 1 s more) and no message is in
 * flight, a node with nothing left to receive never will (the protocol sets no timers). Only on
 * runs whose links lost nothing: Algorithm 3.2 assumes perfect links and retransmits nothing
 * (§2.4's perfect links would), so a lost copy is the network's doing, not a broken promise.
 */
const agreement: Liveness<BroadcastState, BroadcastParams> = {
  id: 'agreement',
  title: 'A message one correct node delivered, every correct node delivers (RB4)',
  withinUs: () => 1_000_000,
  check({ nodes, inFlight, lostToNetwork }) {
    if (inFlight > 0 || lostToNetwork > 0) return null;
    const correct = nodes.filter((v) => v.up && v.state.restarts === 0);
    for (const a of correct)
      for (const origin of Object.keys(a.state.got))
        for (const b of correct) {
          const missing = firstMissing(a.state.got[origin]!, b.state.got[origin] ?? []);
          if (missing !== null)
            return `${a.id} delivered ${origin}:${missing} but ${b.id}, also correct, never will (nothing is in flight)`;
        }
    return null;
  },
};

/** The first sequence number in ranges a that is not in ranges b, or null. */
function firstMissing(a: readonly number[], b: readonly number[]): number | null {
  // Ranges are kept merged, so equal sets are equal arrays (the usual case: nothing to walk).
  if (a.length === b.length && a.every((x, k) => x === b[k])) return null;
  for (let k = 0; k < a.length; k += 2)
    for (let n = a[k]!; n <= a[k + 1]!; n++) {
      let inB = false;
      for (let j = 0; j < b.length && !inB; j += 2) inB = n >= b[j]! && n <= b[j + 1]!;
      if (!inB) return n;
    }
  return null;
}

export const broadcast: Protocol<BroadcastParams, BroadcastState, BroadcastMsg> = {
  id: 'broadcast',
  topic: 'basics',
  title: 'Reliable broadcast',
  version: 1,
  // Hops of about 2 ms and 20 broadcasts a second: at 0.01x a hop takes 200 ms on screen and a
  // new broadcast floods the mesh every 5 s.
  speed: 0.01,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: BroadcastParams,
  defaultTopology() {
    // A full mesh, so any single link cut leaves a route.
    return fullMesh(square(['n1', 'n2', 'n3', 'n4'], 'node'), {
      kind: 'normal',
      meanUs: 2000,
      stdUs: 500,
      minUs: 500,
    });
  },
  quickStart() {
    // Writes broadcast at 20 per second from the nodes themselves (there is no client role).
    return {
      workload: { kind: 'open', ratePerS: 20, readFraction: 0.3, keys: { pattern: 'key-{i}', count: 10 } },
    };
  },
  init() {
    return { next: 1, delivered: 0, got: {}, recent: [], duplicates: 0, kv: {}, relays: 0, restarts: 0 };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'restart':
        s.restarts += 1;
        return;
      case 'start':
      case 'timer':
        return;
      case 'message':
        deliver(ctx, s, input.msg, !ctx.params.bugNoRelay);
        return;
      case 'client': {
        const op = input.op;
        if (op.op === 'read') {
          ctx.reply(op, { ok: true, value: s.kv[op.key] ?? null });
          return;
        }
        const m: BroadcastMsg = {
          type: 'bcast',
          id: `${ctx.self}:${s.next}`,
          origin: ctx.self,
          n: s.next,
          key: op.key,
          value: op.value ?? '',
        };
        s.next += 1;
        // The origin delivers its own message and sends it to everyone (Algorithm 3.2, upon broadcast).
        deliver(ctx, s, m, true);
        ctx.reply(op, { ok: true });
        return;
      }
    }
  },
  durable: ['next', 'delivered', 'got', 'recent', 'duplicates', 'kv', 'restarts'],
  liveness: [clientOpsAnswered(() => 3_000_000), agreement],
  invariants: [
    {
      id: 'no-duplication',
      title: 'No message is delivered more than once (RB2)',
      check({ changed }) {
        const s = changed.state;
        return s.duplicates === 0 ? null : `${changed.id} delivered ${s.recent.at(-1)} twice`;
      },
    },
    {
      id: 'no-creation',
      title: 'Only messages that were broadcast are delivered (RB3)',
      check({ changed, nodes }) {
        const last = changed.state.recent.at(-1);
        if (last === undefined) return null;
        const sep = last.lastIndexOf(':');
        const origin = nodes.find((v) => v.id === last.slice(0, sep));
        const n = Number(last.slice(sep + 1));
        return origin !== undefined && origin.state.next > n
          ? null
          : `${changed.id} delivered ${last}, never broadcast`;
      },
    },
  ],
  historyCheckers: [],
  // Reliable broadcast orders nothing: a read returns one node's copy while other writes are
  // still on their way to it (Cachin et al. §3.9 gives the ordered broadcasts that would).
  notPromised: () => ({
    linearizability:
      'reads return the local copy of one node, and broadcast delivers writes in no common order: a read can miss a write that another node already answered',
  }),
  metrics: [sumOver('deliveredTotal', 'messages', (s) => s.delivered)],
  summary(s, up) {
    return up ? { text: `${s.delivered} delivered`, tone: 'good' } : { text: 'crashed', tone: 'bad' };
  },
  bugs: [
    { param: 'bugNoRelay', title: 'Best-effort only: a crashed origin leaves nodes that never deliver' },
    { param: 'bugNoDedupe', title: 'Relayed copies are delivered again (breaks no-duplication)' },
  ],
  lesson: {
    summary:
      'Reliable broadcast delivers a message to all correct nodes or to none. Eager relaying costs n² messages but survives the crash of the sender.',
    watch: [
      'How many copies of each message cross the network',
      'Which nodes deliver after the origin crashes',
    ],
    tryThis: [
      'Open "Reliable broadcast, crashes while sending", turn on bugNoRelay and run: the agreement check finds a node that never gets a message another delivered',
      'Turn on bugNoDedupe and watch the no-duplication invariant stop the run',
    ],
  },
};
